package bot

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

const (
	colorAnswer   = 0x2B6CB0
	colorNoAnswer = 0x718096
	colorError    = 0xC53030
	colorSearch   = 0x2F855A

	relatedNote   = "**Possibly related passages.** They share words with the question but do not answer it; they are not sources."
	shortenedNote = "answer shortened to fit Discord"
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
// an absolute http(s) URL with a plain host. Characters that would end the
// link or the label early, or escape its closing parenthesis, are
// percent-encoded after the host. A URL with a user name
// ("https://docs.example@evil.example/") is refused: its link would not go
// where it seems to.
func linkTarget(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil || !utf8.ValidString(u) {
		return ""
	}
	// url.Parse accepted u, so "scheme://" and the host are at its start.
	i := strings.Index(u, "://") + 3
	if j := strings.IndexAny(u[i:], "/?#"); j >= 0 {
		i += j
	} else {
		i = len(u)
	}
	// A host is letters, digits, ".-", a port, or an IPv6 address in
	// brackets; url.Parse lets through more ("https://)").
	if strings.ContainsFunc(u[strings.Index(u, "://")+3:i], func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(".-:[]%_", r)
	}) {
		return ""
	}
	return u[:i] + linkEscaper.Replace(u[i:])
}

var linkEscaper = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E",
	`\`, "%5C", "[", "%5B", "]", "%5D", "`", "%60")

// withoutFragment drops "#..." (for instance a long text fragment).
func withoutFragment(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i]
	}
	return u
}

// Caps on the labels of links. A screen reader reads every character of a
// link, and a document's title heads its sources in every answer: 80
// characters keep a typical report title whole (the built-in brief's is 77)
// while a title with a long subtitle is cut after a word.
const (
	titleCap   = 80
	sectionCap = 80
)

// shortLabel shortens s to at most limit characters, after a word and with
// "…", for a link label or a heading. Unlike cutText it never prefers a
// sentence end: a title's "U.S." or "Dr." is not the end of anything.
func shortLabel(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	if limit < 2 {
		return string(r[:max(limit, 0)])
	}
	head := string(r[:limit-1])
	// Cut inside a word only when there is no earlier word break worth
	// keeping (a title that is one long word).
	if r[limit-1] != ' ' {
		if i := strings.LastIndexByte(head, ' '); i > 0 && i >= len(head)/3 {
			head = head[:i]
		}
	}
	return strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ')' && r != ']' && r != '"' && r != '”'
	}) + "…"
}

// sourceLabel is "Title — Section ¶p", escaped, with title and section cut
// to the given lengths (0: whole).
func sourceLabel(title, section string, paragraph, page, titleMax, sectionMax int) string {
	if titleMax > 0 {
		title = shortLabel(title, titleMax)
	}
	if sectionMax > 0 {
		section = shortLabel(section, sectionMax)
	}
	label := escapeMarkdown(title)
	if section != "" {
		label += " — " + escapeMarkdown(section)
	}
	if place := briefbot.Place(paragraph, page); place != "" {
		label += " " + place
	}
	return label
}

// passageLabel is "§ Section ¶p", escaped: where a passage is within its
// document, once the document is named above it. The part before a
// document's first heading has the title for its section, which is not
// repeated.
func passageLabel(l lang, title, section string, paragraph, page int) string {
	var parts []string
	if strings.EqualFold(strings.TrimSpace(section), strings.TrimSpace(title)) {
		section = ""
	}
	if s := shortLabel(section, sectionCap); s != "" {
		parts = append(parts, "§ "+escapeMarkdownAt(s, false))
	}
	if place := briefbot.Place(paragraph, page); place != "" {
		parts = append(parts, place)
	}
	if len(parts) == 0 {
		return l.T("passage")
	}
	return strings.Join(parts, " ")
}

// docTitle is a document's title shortened for a heading or label, and
// escaped.
func docTitle(l lang, title string) string {
	t := shortLabel(title, titleCap)
	if t == "" {
		t = l.T("Untitled document")
	}
	return escapeMarkdown(t)
}

// sourceLine is one line of the sources list in the forms it can take, best
// first: linked to the exact passage (or, for a document's heading, to the
// document), linked to the document, plain. A form that cannot be made (no
// URL, no fragment to drop) or does not fit in a field is "".
type sourceLine struct {
	forms [3]string
	// head marks a document's heading, which must not end a field: its
	// citations follow it.
	head bool
	// first is the index of the first citation the line belongs to.
	first int
}

const plainForm = 2

func citationLine(lg lang, c briefbot.Citation, i int) sourceLine {
	label := passageLabel(lg, c.Title, c.Section, c.Paragraph, c.Page)
	l := sourceLine{first: i}
	if u := linkTarget(c.URL); u != "" {
		l.forms[0] = fmt.Sprintf("[%d] [%s](%s)", c.N, label, u)
		l.forms[1] = fmt.Sprintf("[%d] [%s](%s)", c.N, label, withoutFragment(u))
	}
	l.forms[plainForm] = fmt.Sprintf("[%d] %s", c.N, label)
	l.prune()
	return l
}

func headLine(lg lang, c briefbot.Citation, i int) sourceLine {
	title := docTitle(lg, c.Title)
	l := sourceLine{head: true, first: i}
	if u := linkTarget(withoutFragment(c.URL)); u != "" {
		l.forms[0] = "**[" + title + "](" + u + ")**"
	}
	l.forms[plainForm] = "**" + title + "**"
	l.prune()
	return l
}

// prune drops forms too long for a field and repeats of a better form.
func (l *sourceLine) prune() {
	for i, f := range l.forms {
		if runeLen(f) > maxFieldValue || i > 0 && f == l.forms[i-1] {
			l.forms[i] = ""
		}
	}
}

// groupedLines lists citations under their documents: each document's
// heading once, where it is first cited, then its citations in number order.
func groupedLines(l lang, cs []briefbot.Citation) []sourceLine {
	key := func(c briefbot.Citation) string {
		if c.DocID != "" {
			return c.DocID
		}
		return c.Title + "\x00" + withoutFragment(c.URL)
	}
	var order []string
	groups := map[string][]int{}
	for i, c := range cs {
		k := key(c)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	var lines []sourceLine
	for _, k := range order {
		idx := groups[k]
		lines = append(lines, headLine(l, cs[idx[0]], idx[0]))
		for _, i := range idx {
			lines = append(lines, citationLine(l, cs[i], i))
		}
	}
	return lines
}

// packFields puts source lines into as few fields as the 1024-character
// field limit allows, never leaving a document's heading at the end of a
// field apart from its first citation.
func packFields(l lang, lines []string, heads []bool) []*discordgo.MessageEmbedField {
	var fields []*discordgo.MessageEmbedField
	var cur []string
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		name := l.T("Sources")
		if len(fields) > 0 {
			name = l.T("Sources (continued)")
		}
		fields = append(fields, &discordgo.MessageEmbedField{Name: name, Value: strings.Join(cur, "\n")})
		cur, size = nil, 0
	}
	for i, line := range lines {
		n := runeLen(line)
		need := n
		if heads[i] && i+1 < len(lines) {
			need += 1 + runeLen(lines[i+1])
		}
		if len(cur) > 0 && size+1+need > maxFieldValue {
			flush()
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, line)
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

// sourceFields lists the numbered sources grouped under their documents
// within budget characters: the first sources that fit as plain lines, then
// links for as many as the room left allows, first sources first. cs must
// be numbered 1, 2, … (see numberByFirstUse); kept holds the numbers shown.
// At most 24 fields are used, leaving one for the index's date.
func sourceFields(lg lang, cs []briefbot.Citation, budget int) (fields []*discordgo.MessageEmbedField, kept map[int]bool) {
	all := groupedLines(lg, cs)
	var lines []sourceLine
	var chosen []int
	text := func() ([]string, []bool) {
		out := make([]string, len(lines))
		heads := make([]bool, len(lines))
		for i, l := range lines {
			out[i], heads[i] = l.forms[chosen[i]], l.head
		}
		return out, heads
	}
	pack := func() []*discordgo.MessageEmbedField {
		out, heads := text()
		return packFields(lg, out, heads)
	}
	fits := func() bool {
		p := pack()
		return fieldsSize(p) <= budget && len(p) < maxEmbedFields
	}
	// The plain lines of as many sources as fit, in order.
	k := len(cs)
	for ; k > 0; k-- {
		lines = lines[:0]
		for _, l := range all {
			if l.first < k {
				lines = append(lines, l)
			}
		}
		chosen = make([]int, len(lines))
		for i := range chosen {
			chosen[i] = plainForm
		}
		if fits() {
			break
		}
	}
	if k == 0 {
		lines, chosen = nil, nil
	}
	// Then better forms, one level at a time, so that many sources get a
	// link before any gets a long one.
	for level := plainForm - 1; level >= 0; level-- {
		for i, l := range lines {
			if l.forms[level] == "" {
				continue
			}
			was := chosen[i]
			chosen[i] = level
			if !fits() {
				chosen[i] = was
			}
		}
	}
	kept = map[int]bool{}
	for i := range k {
		kept[cs[i].N] = true
	}
	return pack(), kept
}

// markerRE finds citation markers such as [3], [1, 2] or [1; 2]. Numbers
// have at most three digits: "[2023]" is a year.
var markerRE = regexp.MustCompile(`\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]`)

// markerNumbers reads the numbers of a marker's body ("1, 2"), each once.
func markerNumbers(body string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(body, func(r rune) bool { return r == ',' || r == ';' }) {
		if v, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// cutBeforeMissing shortens an answer so that it ends before the first
// sentence citing a source that could not be listed: no marker may point
// at nothing.
func cutBeforeMissing(text string, kept map[int]bool) string {
	for _, m := range markerRE.FindAllStringSubmatchIndex(text, -1) {
		missing := false
		for _, v := range markerNumbers(text[m[2]:m[3]]) {
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

// answerPart is a run of an answer's text: words, or one citation marker.
type answerPart struct {
	text string
	// nums are the marker's citation numbers; nil for words.
	nums []int
}

// splitAnswer cuts text into words and citation markers. A bracketed number
// is a marker when every number in it is a citation (isCitation) and it lies
// outside the passages' own words (literal, the citations' quotes): an
// extractive answer quotes its passages verbatim, and a "[2]" inside a quote
// is the document's footnote, not one of ours.
func splitAnswer(text string, isCitation func(n int) bool, literal []string) []answerPart {
	var quoted [][2]int
	for _, q := range literal {
		q = strings.TrimSpace(q)
		if q == "" || !markerRE.MatchString(q) {
			continue
		}
		for off := 0; ; {
			i := strings.Index(text[off:], q)
			if i < 0 {
				break
			}
			quoted = append(quoted, [2]int{off + i, off + i + len(q)})
			off += i + len(q)
		}
	}
	var parts []answerPart
	last := 0
	for _, m := range markerRE.FindAllStringSubmatchIndex(text, -1) {
		if slices.ContainsFunc(quoted, func(r [2]int) bool { return m[0] < r[1] && m[1] > r[0] }) {
			continue
		}
		nums := markerNumbers(text[m[2]:m[3]])
		if !slices.ContainsFunc(nums, func(n int) bool { return !isCitation(n) }) {
			if m[0] > last {
				parts = append(parts, answerPart{text: text[last:m[0]]})
			}
			parts = append(parts, answerPart{text: text[m[0]:m[1]], nums: nums})
			last = m[1]
		}
	}
	if last < len(text) {
		parts = append(parts, answerPart{text: text[last:]})
	}
	return parts
}

// numberByFirstUse numbers an answer's citations 1, 2, … in the order its
// text first cites them, rewriting the markers to match ("[1]", "[1, 2]"),
// and drops citations the text never cites: a source listed but never used
// did not earn its place. A reader meets [1] first, and the sources read in
// the order of the answer. An answer whose text cites nothing keeps its
// sources, renumbered in their order, so it still says where it came from.
func numberByFirstUse(a briefbot.Answer) briefbot.Answer {
	byN := map[int]briefbot.Citation{}
	var quotes []string
	for _, c := range a.Citations {
		if _, dup := byN[c.N]; !dup {
			byN[c.N] = c
		}
		quotes = append(quotes, c.Quote)
	}
	parts := splitAnswer(a.Text, func(n int) bool { _, ok := byN[n]; return ok }, quotes)
	renumbered := map[int]int{}
	var cites []briefbot.Citation
	var b strings.Builder
	for _, p := range parts {
		if p.nums == nil {
			b.WriteString(p.text)
			continue
		}
		var nums []int
		for _, n := range p.nums {
			m, ok := renumbered[n]
			if !ok {
				m = len(cites) + 1
				renumbered[n] = m
				c := byN[n]
				c.N = m
				cites = append(cites, c)
			}
			nums = append(nums, m)
		}
		slices.Sort(nums)
		b.WriteString(formatMarker(nums))
	}
	out := a
	out.Text = b.String()
	out.Citations = cites
	if len(cites) == 0 {
		seen := map[int]bool{}
		for _, c := range a.Citations {
			if !seen[c.N] {
				seen[c.N] = true
				c.N = len(out.Citations) + 1
				out.Citations = append(out.Citations, c)
			}
		}
	}
	return out
}

func formatMarker(nums []int) string {
	s := make([]string, len(nums))
	for i, n := range nums {
		s[i] = strconv.Itoa(n)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// renderParts renders an answer's parts as plain markdown: words escaped,
// markers as written. A marker directly followed by "(" is escaped too, or
// "[1](…" could read as a link.
func renderParts(parts []answerPart) []string {
	out := make([]string, len(parts))
	lineStart := true
	for i, p := range parts {
		if p.nums == nil {
			out[i] = escapeAnswerAt(p.text, lineStart)
		} else {
			out[i] = p.text
			if i+1 < len(parts) && strings.HasPrefix(parts[i+1].text, "(") {
				out[i] = escapeMarkdownAt(p.text, false)
			}
		}
		if t := strings.TrimRight(p.text, " \t"); t != "" {
			lineStart = strings.HasSuffix(t, "\n")
		}
	}
	return out
}

// linkedMarker is a marker whose numbers link to their passages:
// "[[1]](url)[[2]](url)", or "" when none of its citations has a URL.
func linkedMarker(nums []int, cs []briefbot.Citation) string {
	var b strings.Builder
	linked := false
	for _, n := range nums {
		u := ""
		if n >= 1 && n <= len(cs) {
			u = linkTarget(cs[n-1].URL)
		}
		if u == "" {
			fmt.Fprintf(&b, "[%d]", n)
			continue
		}
		linked = true
		fmt.Fprintf(&b, "[[%d]](%s)", n, u)
	}
	if !linked {
		return ""
	}
	return b.String()
}

// answerDescription is the answer's text for the description: cut to room
// characters at a sentence end, before any sentence citing a source that is
// not listed (kept), with its markers linked to their passages. The first
// use of each source gets its link before any later one, and the text
// gives up at most a quarter of its room for them: a reader who follows
// one [2] knows where every [2] goes, and the sources below link them all.
// shortened reports a cut.
func answerDescription(a briefbot.Answer, kept map[int]bool, room int) (desc string, shortened bool) {
	parts := splitAnswer(strings.TrimSpace(a.Text), func(n int) bool { return n >= 1 && n <= len(a.Citations) }, citationQuotes(a.Citations))
	rendered := renderParts(parts)
	// What linking costs, per marker: only markers written as they are
	// (not escaped) can take links.
	cost := make([]int, len(parts))
	first := make([]bool, len(parts))
	seen := map[int]bool{}
	reserve := 0
	for i, p := range parts {
		if p.nums == nil || rendered[i] != p.text {
			continue
		}
		if l := linkedMarker(p.nums, a.Citations); l != "" {
			cost[i] = runeLen(l) - runeLen(p.text)
			if !slices.ContainsFunc(p.nums, func(n int) bool { return seen[n] }) {
				first[i] = true
				reserve += cost[i]
			}
		}
		for _, n := range p.nums {
			seen[n] = true
		}
	}
	plain := strings.Join(rendered, "")
	cut := cutBeforeMissing(cutText(plain, room-min(reserve, room/4)), kept)
	// cut is a prefix of plain, or one followed by "…" (cutText's mark of
	// a cut inside a sentence).
	end, suffix := len(cut), ""
	if !strings.HasPrefix(plain, cut) {
		end, suffix = len(strings.TrimSuffix(cut, "…")), "…"
	}
	// Links for first uses, then for the other markers, while room lasts.
	spare := room - runeLen(cut)
	linked := make([]bool, len(parts))
	for _, firsts := range []bool{true, false} {
		off := 0
		for i := range parts {
			if off+len(rendered[i]) > end {
				break
			}
			off += len(rendered[i])
			if cost[i] > 0 && first[i] == firsts && cost[i] <= spare {
				linked[i] = true
				spare -= cost[i]
			}
		}
	}
	var b strings.Builder
	off := 0
	for i, p := range parts {
		r := rendered[i]
		if off+len(r) > end {
			b.WriteString(r[:max(0, end-off)])
			break
		}
		off += len(r)
		if linked[i] {
			r = linkedMarker(p.nums, a.Citations)
		}
		b.WriteString(r)
	}
	b.WriteString(suffix)
	return b.String(), cut != plain
}

func citationQuotes(cs []briefbot.Citation) []string {
	q := make([]string, len(cs))
	for i, c := range cs {
		q[i] = c.Quote
	}
	return q
}

// footerText says in plain words where the answer's words come from:
// "Quoted from 2 passages", or "Written by the model from 2 passages"; an
// answer standing in for a model's says why in a sentence. Footers do not
// render markdown, so it holds none; a question the documents do not cover
// has no footer.
func footerText(l lang, a briefbot.Answer) string {
	if !a.Answerable {
		return ""
	}
	n := len(a.Citations)
	text := l.N(n, "Quoted from %d passage", "Quoted from %d passages")
	if a.Mode == briefbot.ModeLLM {
		text = l.N(n, "Written by the model from %d passage", "Written by the model from %d passages")
	}
	if a.FallbackReason != "" {
		text += " · " + fallbackSentence(l, a.FallbackReason)
	}
	return cutText(text, maxFooterText-runeLen(shortenedSuffix(l)))
}

// shortenedSuffix is what the footer gains when the answer was cut.
func shortenedSuffix(l lang) string { return " · " + l.T(shortenedNote) }

// fallbackSentence says in plain words why a model-mode answer shows the
// passages' own words. The reasons are internal/llm's machine-readable ones
// ("rate_limited", "timeout", …); a reader needs only what it means for
// them.
func fallbackSentence(l lang, reason string) string {
	switch reason {
	case "daily_cap":
		return l.T("You have used today's model answers, so these are the passages' own words.")
	case "busy", "rate_limited":
		return l.T("The summary model was busy, so these are the passages' own words.")
	case "no_valid_citations":
		return l.T("The model's summary could not be checked against the passages, so these are the passages' own words.")
	case "not_in_sources":
		return l.T("The summary model found no clear answer, so these are the passages' own words.")
	default:
		return l.T("The summary model was unavailable, so these are the passages' own words.")
	}
}

// indexUpdatedField says when the index was built, as a small last field in
// Discord's timestamp markup so that each reader sees it relative to their
// own clock ("3 days ago"). Footers and titles do not render that markup;
// field values do, and a field keeps it out of the answer's text.
func indexUpdatedField(l lang, info briefbot.IndexInfo) *discordgo.MessageEmbedField {
	if info.BuiltAt.IsZero() {
		return nil
	}
	return &discordgo.MessageEmbedField{Name: l.T("Index updated"), Value: fmt.Sprintf("<t:%d:R>", info.BuiltAt.Unix()), Inline: true}
}

// answerMessage renders an answer. answerID keys the buttons; empty means no
// buttons. Citations are numbered by first use and grouped under their
// documents; markers link to their passages. The numbered sources always
// survive: a long answer is cut at a sentence boundary to make room for
// them.
func answerMessage(l lang, a briefbot.Answer, answerID string) message {
	if !a.Answerable {
		return notCoveredMessage(l, a)
	}
	a = numberByFirstUse(a)
	e := &discordgo.MessageEmbed{Title: cutText(a.Question, maxEmbedTitle), Color: colorAnswer}
	footer := footerText(l, a)
	updated := indexUpdatedField(l, a.Index)
	fixed := runeLen(e.Title) + runeLen(footer) + runeLen(shortenedSuffix(l))
	if updated != nil {
		fixed += runeLen(updated.Name) + runeLen(updated.Value)
	}
	plainLen := runeLen(escapeAnswer(strings.TrimSpace(a.Text)))
	fields, kept := sourceFields(l, a.Citations, maxEmbedsTotal-fixed-min(plainLen, descReserve))
	room := min(maxEmbedDescription, maxEmbedsTotal-fixed-fieldsSize(fields))
	desc, shortened := answerDescription(a, kept, room)
	if shortened {
		footer += shortenedSuffix(l)
	}
	e.Description = desc
	e.Fields = fields
	if updated != nil {
		e.Fields = append(e.Fields, updated)
	}
	if footer != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: footer}
	}
	m := message{Embeds: []*discordgo.MessageEmbed{e}}
	if answerID != "" {
		m.Components = answerButtons(l, answerID, answerRefs(a), false)
	}
	return m
}

// notCoveredMessage says the documents do not answer the question and shows
// at most three weakly matching passages, marked as not an answer.
// It stays until the handler moves to refusalMessage and relatedMessage,
// which keep a non-answer short and private.
func notCoveredMessage(l lang, a briefbot.Answer) message {
	e := &discordgo.MessageEmbed{Title: cutText(a.Question, maxEmbedTitle), Color: colorNoAnswer}
	text := strings.TrimSpace(a.Text)
	if text == "" {
		text = l.T("The documents do not cover this question.")
	}
	e.Description = cutText(escapeMarkdown(text), 1000)
	related := a.Related[:min(len(a.Related), maxRelated)]
	if len(related) > 0 {
		e.Description += "\n\n" + l.T(relatedNote)
	}
	for i, h := range related {
		e.Fields = append(e.Fields, relatedField(l, l.T("Possibly related %d (not an answer)", i+1), h))
	}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// relatedField shows one related passage: its matched sentence and, linked
// to the document, where it is.
func relatedField(l lang, name string, h briefbot.Hit) *discordgo.MessageEmbedField {
	p := h.Passage
	quote := strings.TrimSpace(h.Quote)
	if quote == "" {
		quote = p.Text
	}
	value := "“" + escapeMarkdown(cutText(quote, 300)) + "”"
	label := docTitle(l, p.Title) + " · " + passageLabel(l, p.Title, p.Section, p.Paragraph, p.Page)
	if u := linkTarget(withoutFragment(p.URL)); u != "" {
		value += "\n[" + label + "](" + u + ")"
	} else {
		value += "\n" + label
	}
	return &discordgo.MessageEmbedField{Name: cutText(name, maxFieldName), Value: cutText(value, maxFieldValue)}
}

// refusalText is what a user reads when the documents do not cover their
// question: one line, pointing at what to do next.
const refusalText = "Not in the indexed documents. Try /search, or rephrase."

// refusalMessage is the short, private reply to a question the documents do
// not cover: one line, no embed, no passages inline. canShowRelated says
// that a "Show related passages" button comes with it (the handler adds it;
// see relatedWorthShowing), so the line says what the button holds.
// The line does not repeat the question: its asker just typed it.
func refusalMessage(l lang, a briefbot.Answer, canShowRelated bool) message {
	text := l.T(refusalText)
	if canShowRelated {
		text += " " + l.T("Some passages share words with the question; they are not an answer.")
	}
	return message{Content: text}
}

// Relevance floor of a related passage (see relatedWorthShowing).
const (
	// relatedMinCoverage: two or more of the question's own words must
	// still carry a tenth of its information…
	relatedMinCoverage = 0.1
	// relatedOneWordCoverage: …and a single shared word must carry 40% of
	// it, since one word in common is what an unrelated passage most often
	// has.
	relatedOneWordCoverage = 0.4
)

// relatedWorthShowing keeps the related passages worth a reader's click, at
// most three, so that the "Show related passages" button only appears when
// one passes. A hit must share real words with the question: Exact counts
// the question's own analysed terms found in the passage (stop words and
// thesaurus relatives do not count), and Coverage is the IDF-weighted share
// of the question's terms the passage holds (index/quote.go); an answer
// needs 0.3 and two terms (internal/answer.Covered). Below that, two shared
// words with at least 0.1 coverage, or one word with at least 0.4, pass.
// Measured on the built-in brief (TestRelatedFloorOnTheBrief): off-topic
// questions mostly share one common word worth 0.02–0.19 ("Who won the 2022
// World Cup?" → "world") and are dropped, while near misses keep the
// passages a reader wants ("How many Russian troops are in Armenia?":
// "russian", "armenia", 0.16; "What is the capital of Nakhchivan?":
// "nakhchivan", 0.42). The button shows for 5 of the 20 off-topic
// refusals and all 34 near-topic ones; a plain Coverage floor of 0.2
// would drop near misses such as the first above and still keep
// "population" for "What is the population of Canada?" (0.42).
func relatedWorthShowing(a briefbot.Answer) []briefbot.Hit {
	var out []briefbot.Hit
	for _, h := range a.Related {
		if len(out) == maxRelated {
			break
		}
		if h.Exact >= 2 && h.Coverage >= relatedMinCoverage || h.Exact >= 1 && h.Coverage >= relatedOneWordCoverage {
			out = append(out, h)
		}
	}
	return out
}

// relatedMessage shows the related passages behind the refusal's "Show
// related passages" button: each marked as not an answer, with its matched
// sentence and where it is.
func relatedMessage(l lang, a briefbot.Answer) message {
	return relatedHitsMessage(l, a.Question, relatedWorthShowing(a))
}

// relatedHitsMessage is relatedMessage of the hits worth showing; without
// the question (a replica that knows only the passages), it has no title.
func relatedHitsMessage(l lang, question string, hits []briefbot.Hit) message {
	if len(hits) == 0 {
		return noticeMessage(l.T("No passage is close enough to the question to show."))
	}
	e := &discordgo.MessageEmbed{
		Description: l.T("These passages share words with the question but do not answer it. They are not sources."),
		Color:       colorNoAnswer,
	}
	if question != "" {
		e.Title = cutText(l.T("Related to: %s", question), maxEmbedTitle)
	}
	for i, h := range hits {
		e.Fields = append(e.Fields, relatedField(l, l.T("%d · not an answer", i+1), h))
	}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// streamingMessage shows a model answer while it is being written. Its
// markers are numbered by first use already, as the final answer's will be,
// so that [1] does not turn into [3] when the answer is done.
func streamingMessage(question, text string) message {
	parts := splitAnswer(strings.TrimSpace(text), func(int) bool { return true }, nil)
	renumbered := map[int]int{}
	var b strings.Builder
	for _, p := range parts {
		if p.nums == nil {
			b.WriteString(p.text)
			continue
		}
		var nums []int
		for _, n := range p.nums {
			if _, ok := renumbered[n]; !ok {
				renumbered[n] = len(renumbered) + 1
			}
			nums = append(nums, renumbered[n])
		}
		slices.Sort(nums)
		b.WriteString(formatMarker(nums))
	}
	desc := cutText(escapeAnswer(b.String()), maxEmbedDescription-2) + " …"
	return message{Embeds: []*discordgo.MessageEmbed{{Title: cutText(question, maxEmbedTitle), Description: desc, Color: colorAnswer}}}
}

// escapeAnswer escapes markdown in answer text but keeps its [n] markers
// plain, so they read as [1] and not as \[1\] where markdown is not
// rendered (notifications, search).
func escapeAnswer(s string) string { return escapeAnswerAt(s, true) }

// escapeAnswerAt is escapeAnswer for a piece of a longer text that begins a
// line or not (see escapeMarkdownAt).
func escapeAnswerAt(s string, lineStart bool) string {
	esc := escapeMarkdownAt(s, lineStart)
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
// The citations are numbered as the answer shows them (by first use).
func passagesMessage(l lang, a briefbot.Answer, passages map[string]briefbot.Passage) message {
	a = numberByFirstUse(a)
	var embeds []*discordgo.MessageEmbed
	total := 0
	for _, c := range a.Citations {
		if len(embeds) == maxEmbeds {
			break
		}
		// Titles show no markdown, so the label is not escaped.
		where := shortLabel(c.Title, titleCap)
		if c.Section != "" && !strings.EqualFold(c.Section, c.Title) {
			where += " — " + c.Section
		}
		if c.Paragraph > 0 {
			where += fmt.Sprintf(" ¶%d", c.Paragraph)
		}
		e := &discordgo.MessageEmbed{
			Title: cutText(fmt.Sprintf("[%d] %s", c.N, where), maxEmbedTitle),
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
		return message{Content: l.T("This answer cites no passages.")}
	}
	m := message{Embeds: embeds}
	if len(embeds) < len(a.Citations) {
		m.Content = l.T("Showing %d of the %d cited passages: Discord allows 6000 characters per message.", len(embeds), len(a.Citations))
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
func searchMessage(l lang, query string, hits []briefbot.Hit) message {
	e := &discordgo.MessageEmbed{Title: cutText(l.T("Search: %s", query), maxEmbedTitle), Color: colorSearch}
	if len(hits) == 0 {
		e.Description = l.T("No passage matches.")
		return message{Embeds: []*discordgo.MessageEmbed{e}}
	}
	// Each hit gets an even share of the description, so that all the
	// results asked for are shown.
	share := (maxEmbedDescription - 40) / len(hits)
	var entries []string
	for _, h := range hits {
		p := h.Passage
		label := sourceLabel(p.Title, p.Section, p.Paragraph, p.Page, 100, 100)
		if u := linkTarget(p.URL); u != "" {
			label = "[" + label + "](" + withoutFragment(u) + ")"
		}
		head := fmt.Sprintf("**%d.** %s\n", h.Rank, label)
		entries = append(entries, head+boldQuote(p.Text, h.Quote, max(120, min(600, share-runeLen(head)-20))))
	}
	e.Description = joinWithin(entries, "\n\n", maxEmbedDescription, andMore(l))
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
func sourcesMessage(l lang, docs []briefbot.Document) message {
	e := &discordgo.MessageEmbed{Title: l.T("Sources"), Color: colorAnswer}
	if len(docs) == 0 {
		e.Description = l.T("No documents are indexed.")
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
			meta = append(meta, l.date(d.Published))
		}
		meta = append(meta, l.N(len(d.Passages), "%d passage", "%d passages"), "`"+strings.ReplaceAll(cutText(d.ID, 80), "`", "'")+"`")
		lines = append(lines, "**"+title+"**\n"+strings.Join(meta, " · "))
	}
	e.Description = joinWithin(lines, "\n\n", maxEmbedDescription, func(n int) string {
		return l.N(n, "… and %d more document", "… and %d more documents")
	})
	e.Footer = &discordgo.MessageEmbedFooter{Text: l.N(len(docs), "%d document", "%d documents") + " · " + l.T("/brief shows one")}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// leadOf is the passage /brief quotes: the document's first one that is
// not about its authors.
func leadOf(d briefbot.Document) (briefbot.Passage, bool) {
	for _, p := range d.Passages {
		if !strings.EqualFold(p.Section, "About the Authors") {
			return p, true
		}
	}
	return briefbot.Passage{}, false
}

// briefMessage is a document's card: title, authors, date, lead paragraph,
// sections and link.
func briefMessage(l lang, d briefbot.Document, lead string) message {
	e := &discordgo.MessageEmbed{Title: cutText(d.Title, maxEmbedTitle), Color: colorAnswer}
	if u := linkTarget(d.URL); u != "" {
		e.URL = u
	}
	e.Description = cutText(escapeMarkdown(lead), 1500)
	if len(d.Authors) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: l.T("Authors"), Value: cutText(escapeMarkdown(strings.Join(d.Authors, ", ")), maxFieldValue), Inline: true})
	}
	if !d.Published.IsZero() {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: l.T("Published"), Value: l.date(d.Published), Inline: true})
	}
	e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: l.T("Passages"), Value: fmt.Sprint(len(d.Passages)), Inline: true})
	if len(d.Sections) > 0 {
		var secs []string
		for i, s := range d.Sections {
			secs = append(secs, fmt.Sprintf("%d. %s", i+1, escapeMarkdown(cutText(s, 200))))
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: l.T("Sections"), Value: joinWithin(secs, "\n", maxFieldValue, andMore(l))})
	}
	if u := linkTarget(d.URL); u != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: l.T("Link"), Value: cutText(u, maxFieldValue)})
	}
	e.Footer = &discordgo.MessageEmbedFooter{Text: cutText("id "+d.ID, maxFooterText)}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

// reindexMessage reports a finished rebuild.
func reindexMessage(l lang, rep briefbot.ReindexReport, waited time.Duration) message {
	took := rep.Took
	if took == 0 {
		took = waited
	}
	text := l.T("Index rebuilt: %s, %s in %s.", l.N(rep.Info.Documents, "%d document", "%d documents"), l.N(rep.Info.Passages, "%d passage", "%d passages"), took.Round(time.Millisecond))
	if rep.Shared {
		text += " " + l.T("(This request joined a rebuild that was already running.)")
	}
	if len(rep.Failed) == 0 {
		return noticeMessage(text + "\n" + l.T("Every document was read."))
	}
	text += "\n" + l.N(len(rep.Failed), "%d document failed and was skipped:", "%d documents failed and were skipped:") + "\n"
	return noticeMessage(text + failureList(l, rep.Failed, maxContent-runeLen(text)))
}

// failureList lists documents that could not be read, one "- source:
// reason" line each, within limit characters.
func failureList(l lang, failed []briefbot.Failure, limit int) string {
	lines := make([]string, len(failed))
	for i, f := range failed {
		lines[i] = fmt.Sprintf("- %s: %s", cutText(f.Source, 200), cutText(f.Reason, 300))
	}
	return joinWithin(lines, "\n", limit, andMore(l))
}

// andMore counts the items joinWithin left out.
func andMore(l lang) func(n int) string {
	return func(n int) string { return l.T("… and %d more", n) }
}

// progressMessage shows a rebuild under way.
func progressMessage(l lang, done, total int) message {
	if total <= 0 { // a build that learns its size as it reads the corpus
		return noticeMessage(l.T("Rebuilding the index… %d passages so far. Questions are still answered from the current index.", done))
	}
	return noticeMessage(l.T("Rebuilding the index… %d/%d passages. Questions are still answered from the current index.", done, total))
}

// noticeMessage is a short plain message (cooldowns, progress, results).
func noticeMessage(text string) message {
	return message{Content: cutText(text, maxContent)}
}

func errorEmbed(text string) message {
	return message{Embeds: []*discordgo.MessageEmbed{{Description: cutText(text, maxEmbedDescription), Color: colorError}}}
}

// boilerplateHeading matches section headings that say nothing about a
// document's subject (front and back matter, site navigation), which would
// make a poor example question.
var boilerplateHeading = regexp.MustCompile(`(?i)^(about the authors?|authors?|(executive )?summary|abstract|introduction|overview|conclusions?|contents|table of contents|acknowledge?ments?|references|bibliography|notes|footnotes|endnotes|appendix.*|see also|related.*|topics|regions.*|tags|share|print|download.*)$`)

// exampleQuestion is a question a reader could ask of the indexed
// documents, made from them: about the first section heading that names a
// subject ("What do the documents say about Post-Ukraine Shifts?"), else
// about the first document's title. Headings are kept as written: their
// capitals may be names.
func exampleQuestion(l lang, docs []briefbot.Document) string {
	for _, d := range docs {
		for _, s := range d.Sections {
			s = strings.Join(strings.Fields(s), " ")
			words := len(strings.Fields(s))
			if words < 2 || words > 8 || runeLen(s) > 60 || strings.ContainsAny(s, "?:") ||
				boilerplateHeading.MatchString(s) || strings.EqualFold(s, strings.TrimSpace(d.Title)) {
				continue
			}
			s = strings.TrimRight(s, ".!")
			if len(docs) == 1 {
				return l.T("What does the document say about %s?", s)
			}
			return l.T("What do the documents say about %s?", s)
		}
	}
	for _, d := range docs {
		if t := shortLabel(d.Title, 60); t != "" {
			return l.T("What is %s about?", l.quote(t))
		}
	}
	return l.T("What do the documents cover?")
}

// mentionHelp answers a mention without a question: how to ask, with the
// bot's real name and an example taken from the indexed documents.
func mentionHelp(l lang, botName string, docs []briefbot.Document) message {
	name := strings.TrimSpace(botName)
	if name == "" {
		name = "briefbot"
	}
	text := l.T("Ask me a question about the documents, e.g. “@%s %s”, or use /ask.",
		escapeMarkdown(cutText(name, 80)), escapeMarkdown(exampleQuestion(l, docs)))
	return noticeMessage(text)
}
