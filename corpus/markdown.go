package corpus

import (
	"bytes"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
)

type blockKind int

const (
	kPara blockKind = iota
	kHeading
	kItem
	kHR
)

// block is one structural unit of a source (paragraph, heading, list item,
// horizontal rule) with its inline text already cleaned.
type block struct {
	kind    blockKind
	level   int // heading level
	raw     string
	literal bool // raw is code: no inline syntax
	text    string
	links   []linkSpan
	leadURL string
	emph    bool // every letter of the text is bold or italic
	table   bool // a table row: never a label
	list    int  // list id shared by the items of one list
}

var (
	reATX        = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	reHR         = regexp.MustCompile(`^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$`)
	reItem       = regexp.MustCompile(`^([ \t]*)(?:[-*+•‣▪–]|\d{1,3}[.)])[ \t]+(\S.*)$`)
	reSetextEq   = regexp.MustCompile(`^ {0,3}=+[ \t]*$`)
	reSetextDash = regexp.MustCompile(`^ {0,3}-+[ \t]*$`)
	reFence      = regexp.MustCompile("^ {0,3}(```+|~~~+)")
	reRefDef     = regexp.MustCompile(`^ {0,3}\[([^\]^][^\]]*)\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$`)
	reTableSep   = regexp.MustCompile(`^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$`)
)

// stripQuoteMarkers removes the blockquote markers opening a line (each up
// to three spaces, ">" and an optional space, nested any number of times)
// in one pass over them.
func stripQuoteMarkers(line string) string {
	for {
		i := 0
		for i < 3 && i < len(line) && line[i] == ' ' {
			i++
		}
		if i >= len(line) || line[i] != '>' {
			return line
		}
		line = line[i+1:]
		if line != "" && line[0] == ' ' {
			line = line[1:]
		}
	}
}

// parseMarkdownDoc parses Markdown (or plain text) into a document. m holds
// metadata known from outside the text (a JSONL record), which wins over
// what the text says.
func parseMarkdownDoc(id, source string, data []byte, m meta, opts Options) (briefbot.Document, error) {
	text := sanitize(data)
	if strings.TrimSpace(text) == "" {
		return briefbot.Document{}, ErrNoText
	}
	fm, body := splitFrontMatter(text)
	m = m.or(fm)
	blocks, refs := splitMarkdownBlocks(body)
	inlineBlocks(blocks, refs)
	blocks = settleBlocks(blocks, true)
	return assemble(id, source, blocks, m, opts)
}

// splitMarkdownBlocks cuts Markdown into raw blocks and collects link
// reference definitions.
func splitMarkdownBlocks(body string) ([]block, map[string]string) {
	lines := strings.Split(body, "\n")
	refs := map[string]string{}
	var blocks []block
	var cur []string
	curKind := kPara
	lastList := 0
	nextList := func() int {
		if n := len(blocks); n > 0 && blocks[n-1].kind == kItem {
			return blocks[n-1].list
		}
		lastList++
		return lastList
	}
	flush := func() {
		if len(cur) > 0 {
			b := block{kind: curKind, raw: joinLines(cur)}
			if curKind == kItem {
				b.list = nextList()
			}
			blocks = append(blocks, b)
		}
		cur = nil
		curKind = kPara
	}
	// more holds the indented paragraphs continuing a list item, joined to
	// it at the end (appending to the item's text each time would copy it
	// over and over).
	more := map[int][]string{}
	blank := false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		line = stripQuoteMarkers(line)
		if strings.TrimSpace(line) == "" {
			flush()
			blank = true
			continue
		}
		wasBlank := blank
		blank = false
		if m := reFence.FindStringSubmatch(line); m != nil {
			flush()
			var code []string
			for i++; i < len(lines); i++ {
				if strings.HasPrefix(strings.TrimSpace(lines[i]), m[1]) {
					break
				}
				code = append(code, strings.TrimSpace(lines[i]))
			}
			if c := strings.TrimSpace(strings.Join(code, " ")); c != "" {
				blocks = append(blocks, block{kind: kPara, raw: c, literal: true})
			}
			continue
		}
		if m := reATX.FindStringSubmatch(line); m != nil {
			flush()
			blocks = append(blocks, block{kind: kHeading, level: len(m[1]), raw: m[2]})
			continue
		}
		if len(cur) > 0 && curKind == kPara {
			if reSetextEq.MatchString(line) || reSetextDash.MatchString(line) {
				level := 1
				if reSetextDash.MatchString(line) {
					level = 2
				}
				blocks = append(blocks, block{kind: kHeading, level: level, raw: joinLines(cur)})
				cur = nil
				continue
			}
		}
		if reHR.MatchString(line) {
			flush()
			blocks = append(blocks, block{kind: kHR})
			continue
		}
		if len(cur) == 0 {
			if m := reRefDef.FindStringSubmatch(line); m != nil {
				refs[refKey(m[1])] = m[2]
				continue
			}
		}
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "|") {
			flush()
			if !reTableSep.MatchString(line) {
				var cells []string
				for _, c := range strings.Split(strings.Trim(trimmed, "|"), "|") {
					if c = strings.TrimSpace(c); c != "" {
						cells = append(cells, c)
					}
				}
				if len(cells) > 0 {
					blocks = append(blocks, block{kind: kPara, raw: strings.Join(cells, "; "), table: true})
				}
			}
			continue
		}
		if m := reItem.FindStringSubmatch(line); m != nil {
			flush()
			curKind = kItem
			cur = []string{m[2]}
			continue
		}
		if len(cur) > 0 {
			cur = append(cur, line)
			continue
		}
		// An indented paragraph after a blank line inside a list item
		// continues that item.
		if wasBlank && len(blocks) > 0 && blocks[len(blocks)-1].kind == kItem && indent(line) >= 2 {
			more[len(blocks)-1] = append(more[len(blocks)-1], trimmed)
			continue
		}
		cur = []string{line}
	}
	flush()
	for k, parts := range more {
		blocks[k].raw += " " + strings.Join(parts, " ")
	}
	return blocks, refs
}

func indent(line string) int {
	n := 0
	for _, r := range line {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}

// joinLines joins the lines of one block. A URL broken across lines
// ("(/policy-" + "analysis/iran)") is rejoined without a space.
func joinLines(lines []string) string {
	var b strings.Builder
	var p urlParen
	for i, l := range lines {
		l = strings.TrimSpace(l)
		l = strings.TrimSuffix(l, `\`) // hard line break
		if i > 0 {
			prev := b.String()
			if !(strings.HasSuffix(prev, "-") && p.inside(prev)) {
				b.WriteByte(' ')
				p.write(b.Len()-1, " ")
			}
		}
		p.write(b.Len(), l)
		b.WriteString(l)
	}
	return b.String()
}

// urlParen follows, as text is appended, whether the text ends inside an
// unclosed "(" that opened a URL or a site path: the last "(" and whether a
// ")" or a space came after it. Keeping this state, rather than searching
// the text again at every line, keeps joinLines linear.
type urlParen struct {
	open   int // index of the last "(" plus one; 0 when none
	closed bool
	// url is the index of the first byte after open that is not "<", plus
	// one; 0 while there is none yet.
	url int
}

// write records text s written at index at.
func (p *urlParen) write(at int, s string) {
	for k := 0; k < len(s); k++ {
		switch c := s[k]; {
		case c == '(':
			p.open, p.closed, p.url = at+k+1, false, 0
		case c == ')' || c == ' ':
			p.closed = true
		case p.open > 0 && p.url == 0 && c != '<':
			p.url = at + k + 1
		}
	}
}

// inside reports whether s, the text written so far, ends inside an
// unclosed "(" that opened a URL or a site path.
func (p *urlParen) inside(s string) bool {
	if p.open == 0 || p.closed || p.url == 0 {
		return false
	}
	rest := s[p.url-1:]
	return strings.HasPrefix(rest, "/") || isAbsURL(rest)
}

func inlineBlocks(blocks []block, refs map[string]string) {
	for i := range blocks {
		b := &blocks[i]
		switch {
		case b.kind == kHR:
		case b.literal:
			b.text = strings.Join(strings.Fields(b.raw), " ")
		default:
			in := newInliner(refs)
			in.run(b.raw)
			b.text, b.links, b.leadURL, b.emph = in.text(), in.links, in.leadURL, in.emphasized()
		}
	}
}

// settleBlocks hands URLs found at the start of a block to the link they
// complete at the end of the previous one, drops blocks left empty, and,
// when join is set, rejoins paragraphs split by a page break.
func settleBlocks(blocks []block, join bool) []block {
	out := make([]block, 0, len(blocks))
	// joined collects the text of the last block while paragraphs are
	// joined to it: appending to its string each time would copy it
	// over and over.
	var joined []byte
	endJoin := func() {
		if joined != nil {
			out[len(out)-1].text = string(joined)
			joined = nil
		}
	}
	for _, b := range blocks {
		if b.leadURL != "" && len(out) > 0 {
			p := &out[len(out)-1]
			if n := len(p.links); n > 0 && p.kind != kHR {
				l := &p.links[n-1]
				// While paragraphs are being joined the block's text is in
				// joined, which its links' offsets point into.
				text := []byte(p.text)
				if joined != nil {
					text = joined
				}
				if l.url == "" && onlyTrivial(text[l.end:]) {
					l.url = b.leadURL
				}
			}
		}
		if b.kind != kHR && strings.TrimSpace(b.text) == "" {
			continue
		}
		if join && len(out) > 0 {
			a := &out[len(out)-1]
			ok := false
			if joined == nil {
				ok = continues(*a, b)
			} else {
				ok = continuesJoined(joined, b)
			}
			if ok {
				if joined == nil {
					joined = []byte(a.text)
				}
				joined = joinBlocks(a, joined, b)
				continue
			}
		}
		endJoin()
		out = append(out, b)
	}
	endJoin()
	return out
}

// continues reports whether b continues paragraph a across a page break:
// a is prose that stops without sentence-final punctuation, and b is a
// paragraph that is neither a label nor a date line.
func continues(a, b block) bool {
	if a.kind != kPara || a.literal {
		return false
	}
	if endsTerminal(a.text) || !hasWords(a.text, 8) || parseByline(a.text) != nil {
		return false
	}
	return continuesAfter(a.table, b)
}

// continuesJoined is continues for a paragraph that earlier page breaks
// joined, whose text is text: it has words enough already, and it can be
// a byline only while it is short, so the checks look at its end alone
// and the joins stay linear.
func continuesJoined(text []byte, b block) bool {
	if r, _ := utf8.DecodeLastRune(bytes.TrimRightFunc(text, unicode.IsSpace)); strings.ContainsRune(terminalRunes, r) {
		return false
	}
	if len(text) <= maxBylineBytes && parseByline(string(text)) != nil {
		return false
	}
	return continuesAfter(false, b)
}

// continuesAfter holds the conditions of continues on the next block.
func continuesAfter(table bool, b block) bool {
	if b.kind != kPara || b.literal {
		return false
	}
	if table || b.table || isDateLine(b.text) || (isLabelText(b.text) && len(b.links) == 0) {
		return false
	}
	return true
}

// joinBlocks appends b to a, whose text so far is text, and returns the
// joined text; the caller stores it in a.
func joinBlocks(a *block, text []byte, b block) []byte {
	sep := " "
	if r := firstRune(b.text); strings.ContainsRune(",.;:!?)]}…”’", r) {
		sep = ""
	}
	off := len(text) + len(sep)
	text = append(append(text, sep...), b.text...)
	for _, l := range b.links {
		l.start += off
		l.end += off
		a.links = append(a.links, l)
	}
	a.emph = a.emph && b.emph
	return text
}

var reFMKey = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*):[ \t]*(.*)$`)

// splitFrontMatter reads a leading YAML-style front matter block ("---"
// lines around "key: value" pairs) for title, date, authors and URL. Only
// the simple forms are understood; anything else is ignored.
func splitFrontMatter(text string) (meta, string) {
	var m meta
	if !strings.HasPrefix(text, "---\n") {
		return m, text
	}
	lines := strings.Split(text, "\n")
	end := -1
	for i := 1; i < len(lines) && i < 200; i++ {
		if t := strings.TrimSpace(lines[i]); t == "---" || t == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return m, text
	}
	keys := 0
	var listKey string
	for _, l := range lines[1:end] {
		if listKey != "" {
			if t := strings.TrimSpace(l); strings.HasPrefix(t, "- ") {
				if listKey == "authors" || listKey == "author" {
					m.authors = append(m.authors, unquote(t[2:]))
				}
				continue
			}
			listKey = ""
		}
		km := reFMKey.FindStringSubmatch(strings.TrimSpace(l))
		if km == nil {
			continue
		}
		keys++
		key, val := strings.ToLower(km[1]), unquote(km[2])
		if val == "" {
			listKey = key
			continue
		}
		switch key {
		case "title":
			m.title = val
		case "date", "published", "publishdate", "published_at", "pubdate":
			if t, ok := parseDate(val); ok {
				m.published = t
			}
		case "author", "authors":
			val = strings.Trim(val, "[]")
			for _, a := range reNameSep.Split(val, -1) {
				if a = unquote(a); a != "" {
					m.authors = append(m.authors, a)
				}
			}
		case "url", "canonical", "canonical_url", "canonicalurl", "link", "source_url":
			m.url = val
		}
	}
	if keys == 0 {
		return meta{}, text
	}
	return m, strings.Join(lines[end+1:], "\n")
}

func unquote(s string) string {
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(s), `"'`))
}

// meta is document metadata gathered before the body is parsed.
type meta struct {
	title        string
	url          string
	published    time.Time
	authors      []string
	translations []briefbot.Link
}

// or fills m's empty fields from o.
func (m meta) or(o meta) meta {
	if m.title == "" {
		m.title = o.title
	}
	if m.url == "" {
		m.url = o.url
	}
	if m.published.IsZero() {
		m.published = o.published
	}
	if len(m.authors) == 0 {
		m.authors = o.authors
	}
	if len(m.translations) == 0 {
		m.translations = o.translations
	}
	return m
}
