package bot

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

const (
	colorAnswer    = 0x2B6CB0
	colorNoAnswer  = 0x718096
	colorError     = 0xC53030
	colorSearch    = 0x2F855A
	relatedHeading = "Possibly related (not an answer)"
)

// noMentions is sent with every message so that no document, question or
// model output can ping @everyone, a role or a user. A zero-value struct
// would send "parse": null, which Discord reads as "use the defaults".
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// message is what the bot shows: content, embeds and buttons, already within
// Discord's limits.
type message struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
}

func (m message) edit() *discordgo.WebhookEdit {
	content := m.Content
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	components := m.Components
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &components, AllowedMentions: noMentions()}
}

// citationLine is "[n] Title — Section ¶p" linked to its source.
func citationLine(c briefbot.Citation) string {
	label := fmt.Sprintf("[%d] %s — %s", c.N, escapeMarkdown(c.Title), escapeMarkdown(c.Section))
	if c.Paragraph > 0 {
		label += fmt.Sprintf(" ¶%d", c.Paragraph)
	}
	if c.URL != "" && strings.HasPrefix(c.URL, "http") {
		// The label is already escaped; brackets inside a link label
		// must be escaped too, which escapeMarkdown did.
		return fmt.Sprintf("[%s](%s)", label, c.URL)
	}
	return label
}

// footerText is "mode · n passages · index date".
func footerText(a briefbot.Answer) string {
	parts := []string{a.Mode}
	n := len(a.Citations)
	if n == 1 {
		parts = append(parts, "1 passage")
	} else {
		parts = append(parts, fmt.Sprintf("%d passages", n))
	}
	if !a.Index.BuiltAt.IsZero() {
		parts = append(parts, "index "+a.Index.BuiltAt.UTC().Format("2006-01-02 15:04"))
	}
	return strings.Join(parts, " · ")
}

// answerMessage renders an answer. answerID keys the buttons; empty means no
// buttons (for instance while the answer is still streaming).
func answerMessage(a briefbot.Answer, answerID string) message {
	e := &discordgo.MessageEmbed{Title: cutText(a.Question, maxEmbedTitle), Color: colorAnswer}
	if !a.Answerable {
		e.Color = colorNoAnswer
		e.Description = a.Text
		if len(a.Related) > 0 {
			var lines []string
			for i, h := range a.Related {
				p := h.Passage
				quote := h.Quote
				if quote == "" {
					quote = p.Text
				}
				lines = append(lines, fmt.Sprintf("%d. %s — %s ¶%d: %s", i+1, escapeMarkdown(p.Title), escapeMarkdown(p.Section), p.Paragraph, escapeMarkdown(cutText(quote, 240))))
			}
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: relatedHeading, Value: cutText(strings.Join(lines, "\n"), maxFieldValue)})
		}
		e.Footer = &discordgo.MessageEmbedFooter{Text: footerText(a)}
		return message{Embeds: []*discordgo.MessageEmbed{e}}
	}
	e.Description = cutText(escapeAnswer(a.Text), maxEmbedDescription)
	e.Fields = sourceFields(a.Citations)
	e.Footer = &discordgo.MessageEmbedFooter{Text: cutText(footerText(a), maxFooterText)}
	fitEmbed(e)
	m := message{Embeds: []*discordgo.MessageEmbed{e}}
	if answerID != "" {
		m.Components = answerButtons(answerID)
	}
	return m
}

// escapeAnswer escapes markdown in answer text but keeps its [n] markers
// readable.
func escapeAnswer(s string) string {
	esc := escapeMarkdown(s)
	// "\[1\]" renders as "[1]" in Discord, so the escaped form is fine; only
	// make sure no "@" mention survives as markup (allowed_mentions already
	// keeps it from pinging).
	return esc
}

// sourceFields lists the numbered sources, one line each, over as many
// fields as the 1024-character field limit needs.
func sourceFields(cs []briefbot.Citation) []*discordgo.MessageEmbedField {
	var fields []*discordgo.MessageEmbedField
	var cur []string
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		name := "Sources"
		if len(fields) > 0 {
			name = "Sources (continued)"
		}
		fields = append(fields, &discordgo.MessageEmbedField{Name: name, Value: strings.Join(cur, "\n")})
		cur, size = nil, 0
	}
	for _, c := range cs {
		line := citationLine(c)
		if runeLen(line) > maxFieldValue {
			// a pathological title: drop the link rather than break it
			line = cutText(fmt.Sprintf("[%d] %s — %s ¶%d", c.N, escapeMarkdown(c.Title), escapeMarkdown(c.Section), c.Paragraph), maxFieldValue)
		}
		if size+runeLen(line)+1 > maxFieldValue {
			flush()
		}
		cur = append(cur, line)
		size += runeLen(line) + 1
		if len(fields) == maxEmbedFields-1 {
			break
		}
	}
	flush()
	return fields
}

// embedSize counts the characters Discord counts towards the 6000 limit.
func embedSize(e *discordgo.MessageEmbed) int {
	n := runeLen(e.Title) + runeLen(e.Description)
	for _, f := range e.Fields {
		n += runeLen(f.Name) + runeLen(f.Value)
	}
	if e.Footer != nil {
		n += runeLen(e.Footer.Text)
	}
	if e.Author != nil {
		n += runeLen(e.Author.Name)
	}
	return n
}

// fitEmbed shortens the description until the whole embed is within the
// 6000-character total, so the sources always survive.
func fitEmbed(e *discordgo.MessageEmbed) {
	if over := embedSize(e) - maxEmbedsTotal; over > 0 {
		e.Description = cutText(e.Description, runeLen(e.Description)-over-1)
	}
}

func answerButtons(answerID string) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Show passages", Style: discordgo.SecondaryButton, CustomID: customID(actionPassages, answerID)},
		discordgo.Button{Label: "Helpful", Style: discordgo.SuccessButton, CustomID: customID(actionVoteUp, answerID)},
		discordgo.Button{Label: "Not helpful", Style: discordgo.DangerButton, CustomID: customID(actionVoteDown, answerID)},
	}}}
}

// Button actions, encoded in custom_id as "bb:ACTION:ANSWERID".
const (
	actionPassages = "passages"
	actionVoteUp   = "up"
	actionVoteDown = "down"
)

func customID(action, answerID string) string {
	id := "bb:" + action + ":" + answerID
	if len(id) > maxCustomID {
		id = id[:maxCustomID]
	}
	return id
}

func parseCustomID(id string) (action, answerID string, ok bool) {
	rest, found := strings.CutPrefix(id, "bb:")
	if !found {
		return "", "", false
	}
	action, answerID, ok = strings.Cut(rest, ":")
	return action, answerID, ok && answerID != ""
}

// passagesMessage shows the cited passages in full (the "Show passages"
// button), one embed per citation within the message limits.
func passagesMessage(a briefbot.Answer, passages map[string]briefbot.Passage) message {
	var embeds []*discordgo.MessageEmbed
	total := 0
	for _, c := range a.Citations {
		if len(embeds) == maxEmbeds {
			break
		}
		text := c.Quote
		if p, ok := passages[c.PassageID]; ok {
			text = p.Text
		}
		e := &discordgo.MessageEmbed{
			Title:       cutText(fmt.Sprintf("[%d] %s — %s ¶%d", c.N, c.Title, c.Section, c.Paragraph), maxEmbedTitle),
			Description: cutText(escapeMarkdown(text), 1800),
			Color:       colorAnswer,
		}
		if strings.HasPrefix(c.URL, "http") {
			e.URL = c.URL
		}
		if total+embedSize(e) > maxEmbedsTotal {
			break
		}
		total += embedSize(e)
		embeds = append(embeds, e)
	}
	if len(embeds) == 0 {
		return message{Content: "This answer cites no passages."}
	}
	return message{Embeds: embeds}
}

// searchMessage lists ranked passages with the matched sentence in bold.
func searchMessage(query string, hits []briefbot.Hit) message {
	e := &discordgo.MessageEmbed{Title: cutText("Search: "+query, maxEmbedTitle), Color: colorSearch}
	if len(hits) == 0 {
		e.Description = "No passage matches."
		return message{Embeds: []*discordgo.MessageEmbed{e}}
	}
	var b strings.Builder
	for _, h := range hits {
		p := h.Passage
		head := fmt.Sprintf("**%d. %s — %s ¶%d**", h.Rank, escapeMarkdown(p.Title), escapeMarkdown(p.Section), p.Paragraph)
		body := boldQuote(p.Text, h.Quote, 600)
		entry := head + "\n" + body + "\n\n"
		if runeLen(b.String())+runeLen(entry) > maxEmbedDescription-50 {
			break
		}
		b.WriteString(entry)
	}
	e.Description = strings.TrimSpace(b.String())
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// boldQuote shows a passage with its matched sentence in bold, trimmed to
// about max characters around the quote.
func boldQuote(text, quote string, max int) string {
	i := strings.Index(text, quote)
	if quote == "" || i < 0 {
		return escapeMarkdown(cutText(text, max))
	}
	before, after := text[:i], text[i+len(quote):]
	q := cutText(quote, max)
	room := max - runeLen(q)
	if room < 0 {
		room = 0
	}
	if runeLen(before) > room/2 {
		r := []rune(before)
		before = "…" + string(r[len(r)-room/2:])
		if j := strings.IndexByte(before, ' '); j > 0 {
			before = "…" + before[j+1:]
		}
	}
	after = cutText(after, room-runeLen(before))
	return escapeMarkdown(before) + "**" + escapeMarkdown(q) + "**" + escapeMarkdown(after)
}

// sourcesMessage lists the documents.
func sourcesMessage(docs []briefbot.Document) message {
	e := &discordgo.MessageEmbed{Title: "Sources", Color: colorAnswer}
	if len(docs) == 0 {
		e.Description = "No documents are indexed."
		return message{Embeds: []*discordgo.MessageEmbed{e}}
	}
	var lines []string
	for _, d := range docs {
		title := escapeMarkdown(d.Title)
		if strings.HasPrefix(d.URL, "http") {
			title = fmt.Sprintf("[%s](%s)", title, d.URL)
		}
		line := "**" + title + "**"
		var meta []string
		if len(d.Authors) > 0 {
			meta = append(meta, escapeMarkdown(strings.Join(d.Authors, ", ")))
		}
		if !d.Published.IsZero() {
			meta = append(meta, d.Published.Format("2006-01-02"))
		}
		meta = append(meta, fmt.Sprintf("%d passages", len(d.Passages)), "`"+d.ID+"`")
		line += "\n" + strings.Join(meta, " · ")
		lines = append(lines, line)
	}
	e.Description = cutText(strings.Join(lines, "\n\n"), maxEmbedDescription)
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// briefMessage is a document's card.
func briefMessage(d briefbot.Document) message {
	e := &discordgo.MessageEmbed{Title: cutText(d.Title, maxEmbedTitle), Color: colorAnswer}
	if strings.HasPrefix(d.URL, "http") {
		e.URL = d.URL
	}
	var lead string
	for _, p := range d.Passages {
		if !strings.EqualFold(p.Section, "About the Authors") {
			lead = p.Text
			break
		}
	}
	e.Description = cutText(escapeMarkdown(lead), 1500)
	if len(d.Authors) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Authors", Value: cutText(escapeMarkdown(strings.Join(d.Authors, ", ")), maxFieldValue), Inline: true})
	}
	if !d.Published.IsZero() {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Published", Value: d.Published.Format("2 January 2006"), Inline: true})
	}
	e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Passages", Value: fmt.Sprint(len(d.Passages)), Inline: true})
	if len(d.Sections) > 0 {
		var secs []string
		for i, s := range d.Sections {
			secs = append(secs, fmt.Sprintf("%d. %s", i+1, escapeMarkdown(s)))
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Sections", Value: cutText(strings.Join(secs, "\n"), maxFieldValue)})
	}
	e.Footer = &discordgo.MessageEmbedFooter{Text: cutText("id "+d.ID, maxFooterText)}
	fitEmbed(e)
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// noticeMessage is a short plain message (errors, cooldowns, progress).
func noticeMessage(text string) message {
	return message{Content: cutText(text, maxContent)}
}

func errorEmbed(text string) message {
	return message{Embeds: []*discordgo.MessageEmbed{{Description: cutText(text, maxEmbedDescription), Color: colorError}}}
}
