package corpus

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
)

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// abbreviations never end a sentence when followed by a period.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true, "jr": true, "st": true, "mt": true,
	"gen": true, "lt": true, "col": true, "maj": true, "capt": true, "sgt": true, "cmdr": true, "adm": true,
	"gov": true, "sen": true, "rep": true, "rev": true, "hon": true, "pres": true, "amb": true, "ret": true,
	"vs": true, "etc": true, "al": true, "approx": true, "ed": true, "eds": true, "inc": true, "ltd": true, "co": true,
	"corp": true, "jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "est": true, "dept": true, "univ": true,
	"cf": true, "ca": true, "op": true, "cit": true, "ibid": true,
}

// numberAbbreviations are abbreviations only before a number ("No. 5"),
// since they are also ordinary words ("he said no.").
var numberAbbreviations = map[string]bool{"no": true, "nos": true, "fig": true, "figs": true, "vol": true, "vols": true, "p": true, "pp": true, "art": true}

const closers = `"'”’)]»`

// sentenceSpans splits text into sentences. A boundary is sentence-final
// punctuation (with any closing quotes) followed by a space and a capital,
// digit or opening quote; "U.S.", "Mr.", initials and decimals are not
// boundaries.
func sentenceSpans(text string) []span {
	var out []span
	start := 0
	for i := 0; i < len(text); {
		for i < len(text) && !sentenceMarkBytes[text[i]] {
			i++ // most of the text: no decoding
		}
		if i >= len(text) {
			break
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		j := i
		for j < len(text) {
			c, n := utf8.DecodeRuneInString(text[j:])
			if !strings.ContainsRune(`.!?…`+closers, c) {
				break
			}
			j += n
		}
		// The rest of a run of punctuation ("...", "?!") ends at the same
		// j: when the first mark of the run cannot end a sentence, the
		// others cannot either, so the run is skipped rather than
		// scanned again from each of its marks.
		if j >= len(text) || text[j] != ' ' {
			i = j
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[j+1:])
		// Tokenized corpora write " . " and lower-case every sentence.
		spaced := i-size > 0 && text[i-size-1] == ' '
		if !startsSentence(next) && !spaced {
			i = j // the later marks are not after a space either
			continue
		}
		if r == '.' && abbreviationBefore(text[start:i-size], next) {
			// A later "." of the run follows a word holding a period,
			// an abbreviation too; only "!", "?" or "…" may still end
			// the sentence.
			if k := strings.IndexAny(text[i:j], "!?…"); k >= 0 {
				i += k
			} else {
				i = j
			}
			continue
		}
		out = append(out, span{start, j})
		start = j + 1
		i = j + 1
	}
	if start < len(text) {
		out = append(out, span{start, len(text)})
	}
	return out
}

// sentenceMarkBytes holds the bytes that may begin a mark ending a
// sentence: . ! ? and the first byte of "…" (and of every other character
// beginning with it, which sentenceSpans decodes and passes over).
var sentenceMarkBytes = func() (t [256]bool) {
	for _, b := range []byte(".!?") {
		t[b] = true
	}
	t["…"[0]] = true
	return t
}()

// Sentences splits text into sentences: at line breaks, and where
// sentenceSpans finds a boundary. Spans are trimmed of surrounding white
// space; blank lines yield none. The index picks quotes with it.
func Sentences(text string) []briefbot.Span {
	var out []briefbot.Span
	off := 0
	for line := range strings.Lines(text) {
		for _, sp := range sentenceSpans(strings.TrimSuffix(line, "\n")) {
			sent := text[off+sp.start : off+sp.end]
			trimmed := strings.TrimLeftFunc(sent, unicode.IsSpace)
			s := off + sp.end - len(trimmed)
			if trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace); trimmed != "" {
				out = append(out, briefbot.Span{Start: s, End: s + len(trimmed)})
			}
		}
		off += len(line)
	}
	return out
}

func startsSentence(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune(`"'“‘([¿¡`, r) ||
		unicode.IsLetter(r) && !unicode.IsLower(r) // scripts without case
}

// abbreviationBefore reports whether the word ending s (just before a
// period, followed by next) is an abbreviation or an initial.
func abbreviationBefore(s string, next rune) bool {
	w := s
	if k := strings.LastIndexAny(s, " \u00a0"); k >= 0 {
		w = s[k+1:]
	}
	w = strings.TrimLeft(w, `("'“‘[`)
	if w == "" {
		return false
	}
	if strings.Contains(w, ".") {
		return true // U.S., e.g., Ph.D
	}
	if runeLen(w) == 1 && unicode.IsUpper(firstRune(w)) {
		return true // an initial: "Andrew J. Tabler"
	}
	lw := strings.ToLower(w)
	return abbreviations[lw] || numberAbbreviations[lw] && unicode.IsDigit(next)
}

// chunkSpans cuts text into spans of at most max runes at sentence
// boundaries, balanced in length; a sentence longer than max is cut at a
// clause or word boundary.
func chunkSpans(text string, max int) []span {
	total := runeLen(text)
	if total <= max {
		return []span{{0, len(text)}}
	}
	var parts []span
	for _, s := range sentenceSpans(text) {
		if runeLen(text[s.start:s.end]) > max {
			parts = append(parts, splitLong(text, s, max)...)
		} else {
			parts = append(parts, s)
		}
	}
	n := (total + max - 1) / max
	target := total / n
	var out []span
	cur, curLen := span{-1, -1}, 0
	for _, p := range parts {
		pl := runeLen(text[p.start:p.end])
		if cur.start >= 0 {
			joined := runeLen(text[cur.start:p.end])
			if curLen < target && joined <= max {
				cur.end, curLen = p.end, joined
				continue
			}
			out = append(out, cur)
		}
		cur, curLen = p, pl
	}
	if cur.start >= 0 {
		out = append(out, cur)
	}
	return out
}

// splitLong cuts an over-long sentence, preferring "; ", ", " and dashes,
// then spaces, in the second half of each piece.
func splitLong(text string, s span, max int) []span {
	var out []span
	start := s.start
	for {
		// b: byte offset of the max-th rune after start; the rest fits
		// when it has no more than max runes.
		b, n := start, 0
		for n < max && b < s.end {
			_, size := utf8.DecodeRuneInString(text[b:s.end])
			b += size
			n++
		}
		if b >= s.end {
			break
		}
		window := text[start:b]
		cut := -1
		half := len(window) / 2
		for _, sep := range []string{"; ", ", ", " — ", " – ", " "} {
			if k := strings.LastIndex(window, sep); k > half || (sep == " " && k > 0) {
				cut = start + k + len(strings.TrimRight(sep, " "))
				break
			}
		}
		if cut <= start {
			cut = b
		}
		out = append(out, trimSpanStr(text, start, cut))
		start = cut
		for start < s.end && text[start] == ' ' {
			start++
		}
	}
	if start < s.end {
		out = append(out, trimSpanStr(text, start, s.end))
	}
	return out
}

func trimSpanStr(text string, s, e int) span {
	for s < e && text[s] == ' ' {
		s++
	}
	for e > s && text[e-1] == ' ' {
		e--
	}
	return span{s, e}
}

// piece is a part of one unit no longer than the passage limit.
type piece struct {
	text   string
	links  []briefbot.Link
	para   int
	item   bool
	list   int
	leadIn bool
	runes  int
}

// pbuf accumulates the pieces of one passage.
type pbuf struct {
	parts    []string
	runes    int
	para     int
	links    []briefbot.Link
	lastList int
	lastItem bool
	lead     bool // holds its list's lead-in
}

func (b *pbuf) sepCost(p piece) int {
	if b.needSemicolon(p) {
		return 2
	}
	return 1
}

// needSemicolon: consecutive list items without final punctuation are kept
// apart by a semicolon, so that they do not read as one sentence.
func (b *pbuf) needSemicolon(p piece) bool {
	return b.lastItem && p.item && p.list == b.lastList && !endsTerminal(b.parts[len(b.parts)-1])
}

func (b *pbuf) add(p piece) {
	if len(b.parts) > 0 {
		b.runes += b.sepCost(p)
		if b.needSemicolon(p) {
			b.parts[len(b.parts)-1] += ";"
		}
	} else {
		b.para = p.para
	}
	b.parts = append(b.parts, p.text)
	b.runes += p.runes
	b.links = append(b.links, p.links...)
	b.lastItem = p.item
	b.lastList = p.list
	if p.leadIn {
		b.lead = true
	}
}

// buildPassages cuts the units of each section into passages: units longer
// than the maximum are split at sentence boundaries, short ones are merged
// with a neighbour of the same section, list items are packed together with
// their lead-in (repeated ahead of the items that start a new passage).
func buildPassages(doc *briefbot.Document, units []unit, opts Options) {
	paraNo := map[string]int{}
	ordinal := map[string]int{}
	slugs := map[string]string{}
	usedSlug := map[string]bool{}
	// nextSuffix is the next number to try for a slug already taken, so
	// that many sections sharing one slug do not count from 2 each time.
	nextSuffix := map[string]int{}
	for i := 0; i < len(units); {
		sec := units[i].section
		j := i
		for j < len(units) && units[j].section == sec {
			j++
		}
		var pieces []piece
		leads := map[int]piece{}
		for _, u := range units[i:j] {
			text := strings.TrimSpace(u.text)
			if text == "" {
				continue
			}
			paraNo[sec]++
			chunks := chunkSpans(u.text, opts.MaxPassageChars)
			byStart := linksByStart(u.links)
			for k, c := range chunks {
				p := piece{
					text:  u.text[c.start:c.end],
					links: spanLinks(u, byStart, c, doc.URL),
					para:  paraNo[sec],
					item:  u.item,
					list:  u.list,
					// Only the last piece of a long lead-in leads into
					// the list.
					leadIn: u.leadIn && k == len(chunks)-1,
				}
				p.text = strings.TrimSpace(p.text)
				if p.text == "" {
					continue
				}
				p.runes = runeLen(p.text)
				if !p.leadIn && !p.item {
					p.list = 0
				}
				if p.leadIn {
					leads[p.list] = p
				}
				pieces = append(pieces, p)
			}
		}
		for _, b := range pack(pieces, leads, opts) {
			if _, ok := slugs[sec]; !ok {
				base := slug(sec)
				s := base
				for usedSlug[s] {
					n := max(2, nextSuffix[base])
					nextSuffix[base] = n + 1
					s = base + "-" + strconv.Itoa(n)
				}
				slugs[sec] = s
				usedSlug[s] = true
				doc.Sections = append(doc.Sections, sec)
			}
			ordinal[sec]++
			doc.Passages = append(doc.Passages, briefbot.Passage{
				ID:        doc.ID + "#" + slugs[sec] + "-" + strconv.Itoa(ordinal[sec]),
				DocID:     doc.ID,
				Title:     doc.Title,
				Section:   sec,
				Ordinal:   ordinal[sec],
				Paragraph: b.para,
				Text:      strings.Join(b.parts, " "),
				URL:       doc.URL,
				Links:     uniqueLinks(b.links),
			})
		}
		i = j
	}
}

func pack(pieces []piece, leads map[int]piece, opts Options) []*pbuf {
	max, min := opts.MaxPassageChars, opts.MinPassageChars
	var out []*pbuf
	var cur *pbuf
	for _, p := range pieces {
		if cur != nil {
			fits := cur.runes+cur.sepCost(p)+p.runes <= max
			join := false
			switch {
			case !fits:
			case p.item && p.list != 0 && cur.lastList == p.list:
				join = true
			case p.leadIn:
				join = cur.runes < min
			default:
				join = cur.runes < min || p.runes < min
			}
			if join {
				cur.add(p)
				continue
			}
		}
		cur = &pbuf{}
		out = append(out, cur)
		if lead, ok := leads[p.list]; ok && p.item && lead.runes+1+p.runes <= max {
			cur.add(lead)
			cur.para = p.para
		}
		cur.add(p)
	}
	return out
}

// spanLinks returns the links of u whose anchor starts within c, in the
// order of u.links. byStart indexes u.links by anchor start (see
// linksByStart), so that a paragraph cut into many passages does not look
// at all its links for each of them.
func spanLinks(u unit, byStart []int, c span, base string) []briefbot.Link {
	lo := sort.Search(len(byStart), func(k int) bool { return u.links[byStart[k]].start >= c.start })
	hi := sort.Search(len(byStart), func(k int) bool { return u.links[byStart[k]].start >= c.end })
	idx := slices.Clone(byStart[lo:hi])
	slices.Sort(idx)
	var out []briefbot.Link
	for _, k := range idx {
		l := u.links[k]
		if l.url == "" || l.start < c.start || l.start >= c.end || l.end > len(u.text) {
			continue
		}
		// An anchor cut by an over-long sentence split keeps its first part.
		t := strings.TrimSpace(u.text[l.start:min(l.end, c.end)])
		if t == "" {
			continue
		}
		out = append(out, briefbot.Link{Text: t, URL: resolveURL(base, l.url)})
	}
	return out
}

// linksByStart returns the indexes of links ordered by anchor start.
func linksByStart(links []linkSpan) []int {
	idx := make([]int, len(links))
	for k := range idx {
		idx[k] = k
	}
	slices.SortStableFunc(idx, func(a, b int) int { return links[a].start - links[b].start })
	return idx
}

func uniqueLinks(links []briefbot.Link) []briefbot.Link {
	var out []briefbot.Link
	seen := map[briefbot.Link]bool{}
	for _, l := range links {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// resolveURL makes a site-relative link absolute when the document's own
// URL is known; otherwise it is kept as given.
func resolveURL(base, ref string) string {
	if ref == "" || base == "" || isAbsURL(ref) {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}
