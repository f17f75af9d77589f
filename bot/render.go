package bot

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

const (
	colorAnswer   = 0x2B6CB0
	colorNoAnswer = 0x718096
	colorError    = 0xC53030
	colorSearch   = 0x2F855A

	relatedNote   = "**Possibly related passages.** They share words with the question but do not answer it; they are not sources."
	shortenedNote = " · answer shortened to fit Discord"
	// descReserve is how much of a long answer the sources may not crowd
	// out: sources come first, but not at any price.
	descReserve = 1500
	maxRelated  = 3
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

// messageBody is a message create or callback body. It is written here
// rather than with discordgo's InteractionResponseData, which sends
// "components": null.
type messageBody struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	Components      []discordgo.MessageComponent      `json:"components,omitempty"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	// For channel messages (mention replies).
	MessageReference *discordgo.MessageReference `json:"message_reference,omitempty"`
}

func (m message) body(ephemeral bool) messageBody {
	b := messageBody{Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions()}
	if ephemeral {
		b.Flags = discordgo.MessageFlagsEphemeral
	}
	return b
}

// edit is the body that replaces a message entirely: absent embeds or
// buttons are cleared, not kept.
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

// linkTarget returns u made safe for a markdown link, or "" when it is not
// an absolute http(s) URL.
func linkTarget(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E").Replace(u)
}

// withoutFragment drops "#..." (for instance a long text fragment).
func withoutFragment(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i]
	}
	return u
}

// sourceLabel is "Title — Section ¶p", escaped, with title and section cut
// to the given lengths (0: whole).
func sourceLabel(title, section string, paragraph, titleMax, sectionMax int) string {
	if titleMax > 0 {
		title = cutText(title, titleMax)
	}
	if sectionMax > 0 {
		section = cutText(section, sectionMax)
	}
	label := escapeMarkdown(title)
	if section != "" {
		label += " — " + escapeMarkdown(section)
	}
	if paragraph > 0 {
		label += fmt.Sprintf(" ¶%d", paragraph)
	}
	return label
}

// citationForms are the ways to show one numbered source, best first:
// linked to the exact passage, linked to the document, linked with a
// shortened label, plain and short. A form that cannot be made (no URL, no
// fragment to drop) or does not fit in a field is "".
func citationForms(c briefbot.Citation) [4]string {
	full := sourceLabel(c.Title, c.Section, c.Paragraph, 0, 0)
	short := sourceLabel(c.Title, c.Section, c.Paragraph, 60, 60)
	var forms [4]string
	if u := linkTarget(c.URL); u != "" {
		forms[0] = fmt.Sprintf("[%d] [%s](%s)", c.N, full, u)
		forms[1] = fmt.Sprintf("[%d] [%s](%s)", c.N, full, withoutFragment(u))
		forms[2] = fmt.Sprintf("[%d] [%s](%s)", c.N, short, withoutFragment(u))
	}
	forms[3] = fmt.Sprintf("[%d] %s", c.N, short)
	for i, f := range forms {
		if runeLen(f) > maxFieldValue || i > 0 && f == forms[i-1] {
			forms[i] = ""
		}
	}
	return forms
}

// packFields puts source lines into as few fields as the 1024-character
// field limit allows.
func packFields(lines []string) []*discordgo.MessageEmbedField {
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
	for _, l := range lines {
		n := runeLen(l)
		if len(cur) > 0 && size+1+n > maxFieldValue {
			flush()
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, l)
		size += n
	}
	flush()
	return fields
}

func fieldsSize(fields []*discordgo.MessageEmbedField) int {
	n := 0
	for _, f := range fields {
		n += runeLen(f.Name) + runeLen(f.Value)
	}
	return n
}

// sourceFields lists the numbered sources within budget characters: every
// source that fits, as plain lines, then links for as many as the room left
// allows, first sources first. kept holds the numbers shown.
func sourceFields(cs []briefbot.Citation, budget int) (fields []*discordgo.MessageEmbedField, kept map[int]bool) {
	const plain = 3
	forms := make([][4]string, len(cs))
	chosen := make([]int, len(cs))
	for i, c := range cs {
		forms[i] = citationForms(c)
		chosen[i] = plain
	}
	lines := func(k int) []string {
		out := make([]string, k)
		for i := range k {
			out[i] = forms[i][chosen[i]]
		}
		return out
	}
	fits := func(k int) bool {
		p := packFields(lines(k))
		return fieldsSize(p) <= budget && len(p) < maxEmbedFields
	}
	// The plain lines of as many sources as fit, in order.
	k := len(cs)
	for k > 0 && !fits(k) {
		k--
	}
	// Then better forms, one level at a time, so that many sources get a
	// link before any gets a long one.
	for level := plain - 1; level >= 0; level-- {
		for i := range k {
			if forms[i][level] == "" {
				continue
			}
			was := chosen[i]
			chosen[i] = level
			if !fits(k) {
				chosen[i] = was
			}
		}
	}
	kept = map[int]bool{}
	for i := range k {
		kept[cs[i].N] = true
	}
	return packFields(lines(k)), kept
}

// markerRE finds citation markers such as [3] or [1, 2].
var markerRE = regexp.MustCompile(`\[(\d+(?:\s*,\s*\d+)*)\]`)

// cutBeforeMissing shortens an answer so that it ends before the first
// sentence citing a source that could not be listed: no marker may point
// at nothing.
func cutBeforeMissing(text string, kept map[int]bool) string {
	for _, m := range markerRE.FindAllStringSubmatchIndex(text, -1) {
		missing := false
		for _, n := range strings.Split(text[m[2]:m[3]], ",") {
			v, _ := strconv.Atoi(strings.TrimSpace(n))
			if !kept[v] {
				missing = true
			}
		}
		if !missing {
			continue
		}
		end := 0
		for _, e := range sentenceEnds(text) {
			if e <= m[0] {
				end = e
			}
		}
		if cut := strings.TrimSpace(text[:end]); cut != "" {
			return cut
		}
		// The first sentence already cites a missing source: an orphan
		// marker is better than no answer.
		return text
	}
	return text
}

// footerText is "mode · n passages · index date"; an extractive answer
// standing in for a model's says why.
func footerText(a briefbot.Answer) string {
	var parts []string
	if mode := a.Mode; mode != "" {
		if a.FallbackReason != "" {
			mode += " (model unavailable: " + a.FallbackReason + ")"
		}
		parts = append(parts, mode)
	}
	if a.Answerable {
		parts = append(parts, plural(len(a.Citations), "passage"))
	}
	if !a.Index.BuiltAt.IsZero() {
		parts = append(parts, "index of "+a.Index.BuiltAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return cutText(strings.Join(parts, " · "), maxFooterText-runeLen(shortenedNote))
}

// answerMessage renders an answer. answerID keys the buttons; empty means no
// buttons. The numbered sources always survive: a long answer is cut at a
// sentence boundary to make room for them.
func answerMessage(a briefbot.Answer, answerID string) message {
	if !a.Answerable {
		return notCoveredMessage(a)
	}
	e := &discordgo.MessageEmbed{Title: cutText(a.Question, maxEmbedTitle), Color: colorAnswer}
	footer := footerText(a)
	text := escapeAnswer(strings.TrimSpace(a.Text))
	fixed := runeLen(e.Title) + runeLen(footer) + runeLen(shortenedNote)
	fields, kept := sourceFields(a.Citations, maxEmbedsTotal-fixed-min(runeLen(text), descReserve))
	room := min(maxEmbedDescription, maxEmbedsTotal-fixed-fieldsSize(fields))
	desc := cutBeforeMissing(cutText(text, room), kept)
	if desc != text {
		footer += shortenedNote
	}
	e.Description = desc
	e.Fields = fields
	e.Footer = &discordgo.MessageEmbedFooter{Text: footer}
	m := message{Embeds: []*discordgo.MessageEmbed{e}}
	if answerID != "" {
		m.Components = answerButtons(langEN, answerID, false)
	}
	return m
}

// notCoveredMessage says the documents do not answer the question and shows
// at most three weakly matching passages, marked as not an answer.
func notCoveredMessage(a briefbot.Answer) message {
	e := &discordgo.MessageEmbed{Title: cutText(a.Question, maxEmbedTitle), Color: colorNoAnswer}
	text := strings.TrimSpace(a.Text)
	if text == "" {
		text = "The documents do not cover this question."
	}
	e.Description = cutText(escapeMarkdown(text), 1000)
	related := a.Related[:min(len(a.Related), maxRelated)]
	if len(related) > 0 {
		e.Description += "\n\n" + relatedNote
	}
	for i, h := range related {
		p := h.Passage
		quote := strings.TrimSpace(h.Quote)
		if quote == "" {
			quote = p.Text
		}
		value := "“" + escapeMarkdown(cutText(quote, 300)) + "”"
		if u := linkTarget(p.URL); u != "" {
			value += "\n[Open the document](" + withoutFragment(u) + ")"
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:  cutText(fmt.Sprintf("Possibly related %d (not an answer): %s", i+1, sourceLabel(p.Title, p.Section, p.Paragraph, 80, 80)), maxFieldName),
			Value: cutText(value, maxFieldValue),
		})
	}
	if f := footerText(a); f != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: f}
	}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// streamingMessage shows a model answer while it is being written.
func streamingMessage(question, text string) message {
	desc := cutText(escapeAnswer(strings.TrimSpace(text)), maxEmbedDescription-2) + " …"
	return message{Embeds: []*discordgo.MessageEmbed{{Title: cutText(question, maxEmbedTitle), Description: desc, Color: colorAnswer}}}
}

// escapeAnswer escapes markdown in answer text but keeps its [n] markers
// plain, so they read as [1] and not as \[1\] where markdown is not
// rendered (notifications, search).
func escapeAnswer(s string) string {
	esc := escapeMarkdown(s)
	var b strings.Builder
	for {
		i := strings.Index(esc, `\[`)
		if i < 0 {
			b.WriteString(esc)
			return b.String()
		}
		b.WriteString(esc[:i])
		rest := esc[i+2:]
		j := strings.Index(rest, `\]`)
		// A plain [n] never forms a link unless "(" follows it.
		if j > 0 && isCitationBody(rest[:j]) && !strings.HasPrefix(rest[j+2:], "(") {
			b.WriteString("[" + rest[:j] + "]")
			esc = rest[j+2:]
			continue
		}
		b.WriteString(`\[`)
		esc = rest
	}
}

// passagesMessage shows the cited passages in full (the "Show passages"
// button), one embed per citation; a passage that no longer fits in the
// message's 6000 characters is shown by its quote, and the rest are counted.
func passagesMessage(a briefbot.Answer, passages map[string]briefbot.Passage) message {
	var embeds []*discordgo.MessageEmbed
	total := 0
	for _, c := range a.Citations {
		if len(embeds) == maxEmbeds {
			break
		}
		e := &discordgo.MessageEmbed{
			Title: cutText(fmt.Sprintf("[%d] %s — %s ¶%d", c.N, c.Title, c.Section, c.Paragraph), maxEmbedTitle),
			Color: colorAnswer,
		}
		if u := linkTarget(c.URL); u != "" {
			e.URL = u
		}
		texts := []string{c.Quote}
		if p, ok := passages[c.PassageID]; ok && p.Text != c.Quote {
			texts = []string{p.Text, c.Quote}
		}
		fitted := false
		for _, t := range texts {
			e.Description = cutText(escapeMarkdown(t), maxEmbedDescription)
			if total+embedSize(e) <= maxEmbedsTotal {
				fitted = true
				break
			}
		}
		if !fitted {
			break
		}
		total += embedSize(e)
		embeds = append(embeds, e)
	}
	if len(embeds) == 0 {
		return message{Content: "This answer cites no passages."}
	}
	m := message{Embeds: embeds}
	if len(embeds) < len(a.Citations) {
		m.Content = fmt.Sprintf("Showing %d of the %d cited passages: Discord allows 6000 characters per message.", len(embeds), len(a.Citations))
	}
	return m
}

// embedSize counts the characters Discord counts towards the 6000 limit.
func embedSize(e *discordgo.MessageEmbed) int {
	n := runeLen(e.Title) + runeLen(e.Description) + fieldsSize(e.Fields)
	if e.Footer != nil {
		n += runeLen(e.Footer.Text)
	}
	if e.Author != nil {
		n += runeLen(e.Author.Name)
	}
	return n
}

// searchMessage lists ranked passages with the matched sentence in bold.
func searchMessage(query string, hits []briefbot.Hit) message {
	e := &discordgo.MessageEmbed{Title: cutText("Search: "+query, maxEmbedTitle), Color: colorSearch}
	if len(hits) == 0 {
		e.Description = "No passage matches."
		return message{Embeds: []*discordgo.MessageEmbed{e}}
	}
	// Each hit gets an even share of the description, so that all the
	// results asked for are shown.
	share := (maxEmbedDescription - 40) / len(hits)
	var entries []string
	for _, h := range hits {
		p := h.Passage
		label := sourceLabel(p.Title, p.Section, p.Paragraph, 100, 100)
		if u := linkTarget(p.URL); u != "" {
			label = "[" + label + "](" + withoutFragment(u) + ")"
		}
		head := fmt.Sprintf("**%d.** %s\n", h.Rank, label)
		entries = append(entries, head+boldQuote(p.Text, h.Quote, max(120, min(600, share-runeLen(head)-20))))
	}
	e.Description = joinWithin(entries, "\n\n", maxEmbedDescription, andMore)
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// joinWithin joins items while they fit in limit characters; the items
// left out are counted by more.
func joinWithin(items []string, sep string, limit int, more func(left int) string) string {
	var b strings.Builder
	size := 0
	for i, it := range items {
		add := runeLen(it)
		if i > 0 {
			add += runeLen(sep)
		}
		note := ""
		if i < len(items)-1 {
			note = sep + more(len(items)-i-1)
		}
		if size+add+runeLen(note) > limit {
			if i == 0 {
				return cutText(it, limit-runeLen(note)) + note
			}
			b.WriteString(sep + more(len(items)-i))
			return b.String()
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(it)
		size += add
	}
	return b.String()
}

// boldQuote shows a passage with its matched sentence in bold, trimmed to
// about max characters around the quote.
func boldQuote(text, quote string, limit int) string {
	i := strings.Index(text, quote)
	if quote == "" || i < 0 {
		return escapeMarkdown(cutText(text, limit))
	}
	before, after := text[:i], text[i+len(quote):]
	q := cutText(quote, limit)
	room := max(0, limit-runeLen(q))
	if runeLen(before) > room/2 {
		r := []rune(before)
		before = string(r[len(r)-room/2:])
		if j := strings.IndexByte(before, ' '); j >= 0 {
			before = before[j+1:]
		}
		before = "…" + before
	}
	after = cutText(after, room-runeLen(before))
	return escapeMarkdown(before) + "**" + escapeMarkdown(q) + "**" + escapeMarkdown(after)
}

// sourcesMessage lists the documents: title (linked), authors, date,
// passages.
func sourcesMessage(docs []briefbot.Document) message {
	e := &discordgo.MessageEmbed{Title: "Sources", Color: colorAnswer}
	if len(docs) == 0 {
		e.Description = "No documents are indexed."
		return message{Embeds: []*discordgo.MessageEmbed{e}}
	}
	var lines []string
	for _, d := range docs {
		title := escapeMarkdown(cutText(d.Title, 200))
		if u := linkTarget(d.URL); u != "" {
			title = fmt.Sprintf("[%s](%s)", title, u)
		}
		var meta []string
		if len(d.Authors) > 0 {
			meta = append(meta, escapeMarkdown(cutText(strings.Join(d.Authors, ", "), 200)))
		}
		if !d.Published.IsZero() {
			meta = append(meta, d.Published.Format("2 January 2006"))
		}
		meta = append(meta, plural(len(d.Passages), "passage"), "`"+strings.ReplaceAll(cutText(d.ID, 80), "`", "'")+"`")
		lines = append(lines, "**"+title+"**\n"+strings.Join(meta, " · "))
	}
	e.Description = joinWithin(lines, "\n\n", maxEmbedDescription, func(n int) string {
		return fmt.Sprintf("… and %d more documents", n)
	})
	e.Footer = &discordgo.MessageEmbedFooter{Text: plural(len(docs), "document") + " · /brief shows one"}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// briefMessage is a document's card: title, authors, date, lead paragraph,
// sections and link.
func briefMessage(d briefbot.Document) message {
	e := &discordgo.MessageEmbed{Title: cutText(d.Title, maxEmbedTitle), Color: colorAnswer}
	if u := linkTarget(d.URL); u != "" {
		e.URL = u
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
			secs = append(secs, fmt.Sprintf("%d. %s", i+1, escapeMarkdown(cutText(s, 200))))
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Sections", Value: joinWithin(secs, "\n", maxFieldValue, andMore)})
	}
	if u := linkTarget(d.URL); u != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Link", Value: cutText(u, maxFieldValue)})
	}
	e.Footer = &discordgo.MessageEmbedFooter{Text: cutText("id "+d.ID, maxFooterText)}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// reindexMessage reports a finished rebuild.
func reindexMessage(rep briefbot.ReindexReport, waited time.Duration) message {
	took := rep.Took
	if took == 0 {
		took = waited
	}
	text := fmt.Sprintf("Index rebuilt: %s, %s in %s.", plural(rep.Info.Documents, "document"), plural(rep.Info.Passages, "passage"), took.Round(time.Millisecond))
	if rep.Shared {
		text += " (This request joined a rebuild that was already running.)"
	}
	switch len(rep.Failed) {
	case 0:
		return noticeMessage(text + "\nEvery document was read.")
	case 1:
		text += "\n1 document failed and was skipped:\n"
	default:
		text += fmt.Sprintf("\n%d documents failed and were skipped:\n", len(rep.Failed))
	}
	return noticeMessage(text + failureList(rep.Failed, maxContent-runeLen(text)))
}

// failureList lists documents that could not be read, one "- source:
// reason" line each, within limit characters.
func failureList(failed []briefbot.Failure, limit int) string {
	lines := make([]string, len(failed))
	for i, f := range failed {
		lines[i] = fmt.Sprintf("- %s: %s", cutText(f.Source, 200), cutText(f.Reason, 300))
	}
	return joinWithin(lines, "\n", limit, andMore)
}

// andMore counts the items joinWithin left out.
func andMore(n int) string { return fmt.Sprintf("… and %d more", n) }

// progressMessage shows a rebuild under way.
func progressMessage(done, total int) message {
	return noticeMessage(fmt.Sprintf("Rebuilding the index… %d/%d passages. Questions are still answered from the current index.", done, total))
}

// noticeMessage is a short plain message (cooldowns, progress, results).
func noticeMessage(text string) message {
	return message{Content: cutText(text, maxContent)}
}

func errorEmbed(text string) message {
	return message{Embeds: []*discordgo.MessageEmbed{{Description: cutText(text, maxEmbedDescription), Color: colorError}}}
}

// plural is "1 passage", "2 passages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
