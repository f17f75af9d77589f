package corpus

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/briefbot/briefbot"
)

// From PDFium's lines to the blocks the other formats produce: running
// headers and footers go, lines are joined into paragraphs (words broken at
// line ends mended), lines in a larger type become section headings, and
// each paragraph remembers the pages it runs over so that every passage
// can say where it starts.

// pdfPara is a rebuilt paragraph or heading.
type pdfPara struct {
	heading bool
	text    string
	// starts holds, for each page the text runs onto, the byte offset in
	// text where that page begins; starts[0] is {0, first page}.
	starts []pdfPageStart
}

type pdfPageStart struct{ off, page int }

// pdfEdgeLines is how many lines at the top and at the bottom of a page may be
// running heads or feet.
const pdfEdgeLines = 2

// pdfMarginZone is the share of the page height, at the top and at the
// bottom, where running heads and feet are looked for.
const pdfMarginZone = 0.12

// pdfHeadingRatio: a line whose type is this much larger than the body's is a
// heading (when short).
const pdfHeadingRatio = 1.15

var pdfRePageNumber = regexp.MustCompile(`(?i)^[-–—\s]*(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?[-–—\s]*$`)

// assemblePDF turns the extracted pages into a document.
func assemblePDF(id, source string, raw pdfRaw, m meta, opts Options) (briefbot.Document, error) {
	body := pdfBodyHeight(raw.pages)
	pages := pdfDropRunning(raw.pages, body)
	vocab := pdfHyphenVocabulary(pages)
	paras := pdfBuildParas(pages, body, vocab)

	var blocks []block
	// The first heading is the title (an H1 to assemble) when it opens
	// the text on its first page; later ones are sections.
	first := pdfFirstHeadingIndex(paras)
	for k, p := range paras {
		b := block{kind: kPara, text: p.text}
		if p.heading {
			b.kind, b.level = kHeading, 2
			if k == first && p.starts[0].page == pdfFirstTextPage(pages) {
				b.level = 1
			}
		}
		blocks = append(blocks, b)
	}
	doc, err := assemble(id, source, blocks, m, opts)
	if err != nil {
		return briefbot.Document{}, err
	}
	pdfSetPages(&doc, paras)
	return doc, nil
}

func pdfFirstHeadingIndex(paras []pdfPara) int {
	for k, p := range paras {
		if p.heading {
			return k
		}
		if wordCount(p.text) >= 25 {
			return -1
		}
	}
	return -1
}

func pdfFirstTextPage(pages []pdfPage) int {
	for _, p := range pages {
		if len(p.lines) > 0 {
			return p.lines[0].page
		}
	}
	return 0
}

// pdfBodyHeight is the line height carrying most of the text, in half points.
func pdfBodyHeight(pages []pdfPage) float64 {
	weight := map[int]int{}
	for _, p := range pages {
		for _, l := range p.lines {
			weight[int(l.height()*2+0.5)] += len(l.text)
		}
	}
	best, bestW := 0, -1
	for h, w := range weight {
		if w > bestW || w == bestW && h < best {
			best, bestW = h, w
		}
	}
	return float64(best) / 2
}

func pdfIsHeadingLine(l pdfLine, body float64) bool {
	if body <= 0 || l.height() < body*pdfHeadingRatio {
		return false
	}
	t := l.text
	return wordCount(t) <= 15 && runeLen(t) <= 150 && strings.IndexFunc(t, unicode.IsLetter) >= 0 &&
		!strings.ContainsRune(",;", lastRune(t))
}

// pdfRunningKey identifies a running head or foot: lines that differ only in
// their numbers ("Page 3 of 20") are the same.
func pdfRunningKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.Join(strings.Fields(s), " ")) {
		if unicode.IsDigit(r) {
			r = '#'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pdfDropRunning removes running heads and feet: among the first and last
// lines of each page, those repeated (up to their numbers) on at least 40%
// of the pages with text, and bare page numbers. Headings (large type) are
// kept: a chapter title is not a running head.
func pdfDropRunning(pages []pdfPage, body float64) []pdfPage {
	// Only lines in the page's top or bottom margin zone: the last line
	// of a paragraph that ends every page the same way is text.
	edge := func(p pdfPage, k int) bool {
		if k >= pdfEdgeLines && k < len(p.lines)-pdfEdgeLines {
			return false
		}
		l := p.lines[k]
		return p.height <= 0 || l.top > p.height*(1-pdfMarginZone) || l.bottom < p.height*pdfMarginZone
	}
	count := map[string]int{}
	withText := 0
	for _, p := range pages {
		if len(p.lines) == 0 {
			continue
		}
		withText++
		seen := map[string]bool{}
		for k, l := range p.lines {
			if !edge(p, k) || pdfIsHeadingLine(l, body) {
				continue
			}
			key := pdfRunningKey(l.text)
			if !seen[key] {
				seen[key] = true
				count[key]++
			}
		}
	}
	threshold := max(2, (withText*2+4)/5)
	out := make([]pdfPage, len(pages))
	for i, p := range pages {
		out[i] = pdfPage{height: p.height}
		for k, l := range p.lines {
			if edge(p, k) && !pdfIsHeadingLine(l, body) {
				if count[pdfRunningKey(l.text)] >= threshold {
					continue
				}
				if (k == 0 || k == len(p.lines)-1) && pdfRePageNumber.MatchString(l.text) {
					continue
				}
			}
			out[i].lines = append(out[i].lines, l)
		}
	}
	return out
}

// pdfHyphenVocabulary collects the hyphenated words written within lines
// ("long-term"), and the words themselves, lower-cased: a hyphen at a line
// end is kept when the document writes the word with one elsewhere and
// never without.
func pdfHyphenVocabulary(pages []pdfPage) map[string]bool {
	vocab := map[string]bool{}
	for _, p := range pages {
		for _, l := range p.lines {
			for _, w := range strings.Fields(l.text) {
				w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
				if w != "" && !strings.ContainsRune(w, '\x02') {
					vocab[strings.ToLower(w)] = true
				}
			}
		}
	}
	return vocab
}

// pdfMendHyphen joins left (ending where a word was broken, the hyphen
// removed) and right (starting with the rest of the word). The hyphen is
// kept when the rest starts with a capital or a digit ("Franco-German",
// "COVID-19") or when the document spells the word with a hyphen and never
// without; otherwise the halves are one word ("infor-mation").
func pdfMendHyphen(left, right string, vocab map[string]bool) string {
	l := left[strings.LastIndexFunc(left, func(r rune) bool { return !unicode.IsLetter(r) })+1:]
	rEnd := strings.IndexFunc(right, func(r rune) bool { return !unicode.IsLetter(r) })
	if rEnd < 0 {
		rEnd = len(right)
	}
	r := right[:rEnd]
	if r == "" || l == "" || !unicode.IsLower(firstRune(r)) {
		if r == "" && l != "" && right != "" && !unicode.IsDigit(firstRune(right)) && !unicode.IsUpper(firstRune(right)) {
			return left + " " + right
		}
		return left + "-" + right
	}
	lower := strings.ToLower(l + r)
	if vocab[strings.ToLower(l+"-"+r)] && !vocab[lower] {
		return left + "-" + right
	}
	return left + right
}

// pdfMendLine resolves PDFium's end-of-line hyphen marks (\x02) inside a line.
func pdfMendLine(s string, vocab map[string]bool) string {
	for {
		k := strings.IndexByte(s, '\x02')
		if k < 0 {
			return s
		}
		if k == len(s)-1 {
			return s // at the end: pdfJoinLines decides with the next line
		}
		s = pdfMendHyphen(s[:k], s[k+1:], vocab)
	}
}

// pdfJoinLines appends line to paragraph text, mending a word broken by a
// hyphen at the end of text.
func pdfJoinLines(text, line string, vocab map[string]bool) string {
	if text == "" {
		return line
	}
	if strings.HasSuffix(text, "\x02") {
		return pdfMendHyphen(text[:len(text)-1], line, vocab)
	}
	if strings.HasSuffix(text, "-") && len(text) > 1 && unicode.IsLetter(lastRune(text[:len(text)-1])) && unicode.IsLower(firstRune(line)) {
		return pdfMendHyphen(text[:len(text)-1], line, vocab)
	}
	return text + " " + line
}

// pdfTypicalGap is the median space between consecutive lines of the same
// type, the yardstick for paragraph breaks.
func pdfTypicalGap(pages []pdfPage) float64 {
	var gaps []float64
	for _, p := range pages {
		for k := 1; k < len(p.lines); k++ {
			a, b := p.lines[k-1], p.lines[k]
			h := a.height()
			if h <= 0 || pdfAbs(h-b.height()) > 0.1*h {
				continue
			}
			if g := a.bottom - b.top; g > -0.5*h && g < 2*h {
				gaps = append(gaps, g)
			}
		}
	}
	if len(gaps) == 0 {
		return 0
	}
	sort.Float64s(gaps)
	return gaps[len(gaps)/2]
}

func pdfAbs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// pdfEndsSentence: the line closes a sentence or introduces what follows.
func pdfEndsSentence(s string) bool {
	s = strings.TrimRight(s, `"'”’)]»`)
	return s != "" && strings.ContainsRune(".!?:", lastRune(s))
}

// pdfBuildParas joins lines into paragraphs and headings. A paragraph ends at
// a heading, a change of type size, a wider gap than between its lines, a
// jump up the page (next column) after a sentence end, or a short line
// ending a sentence followed by an indented one. It runs on over a page
// (or column) break when it has not ended its sentence and the next line
// starts in lower case.
func pdfBuildParas(pages []pdfPage, body float64, vocab map[string]bool) []pdfPara {
	gap := pdfTypicalGap(pages)
	var paras []pdfPara
	var cur *pdfPara
	var prev pdfLine
	right := 0.0 // the right edge of the current paragraph's lines
	add := func(l pdfLine, heading bool) {
		t := pdfMendLine(l.text, vocab)
		if cur == nil {
			paras = append(paras, pdfPara{heading: heading, text: t, starts: []pdfPageStart{{0, l.page}}})
			cur = &paras[len(paras)-1]
			right = l.right
		} else {
			if l.page != cur.starts[len(cur.starts)-1].page {
				// The line's text starts after the separating space.
				cur.starts = append(cur.starts, pdfPageStart{len(cur.text) + 1, l.page})
			}
			cur.text = pdfJoinLines(cur.text, t, vocab)
			right = max(right, l.right)
		}
		prev = l
	}
	for _, p := range pages {
		for _, l := range p.lines {
			heading := pdfIsHeadingLine(l, body)
			if cur != nil && !pdfContinues(cur, prev, l, heading, body, gap, right) {
				cur = nil
			}
			add(l, heading)
		}
	}
	// A paragraph that ended on a hyphen mark keeps a plain hyphen.
	for k := range paras {
		paras[k].text = strings.TrimSpace(strings.ReplaceAll(paras[k].text, "\x02", "-"))
	}
	return slices.DeleteFunc(paras, func(p pdfPara) bool { return p.text == "" })
}

// pdfContinues reports whether line l (a heading when heading) goes on the
// paragraph cur whose last line is prev.
func pdfContinues(cur *pdfPara, prev, l pdfLine, heading bool, body, gap, right float64) bool {
	if cur.heading != heading {
		return false
	}
	h := max(prev.height(), l.height(), 1)
	if pdfAbs(prev.height()-l.height()) > 0.15*h {
		return false
	}
	text := cur.text
	if heading {
		// A heading set over two lines; never across pages.
		return l.page == prev.page && prev.bottom-l.top < h
	}
	if l.page != prev.page || l.top > prev.top+0.5*h {
		// A page or column break: the paragraph goes on when its
		// sentence does.
		return !pdfEndsSentence(text) && (unicode.IsLower(firstRune(l.text)) || strings.HasSuffix(text, "\x02") || strings.HasSuffix(text, "-"))
	}
	if prev.bottom-l.top > gap+0.5*h {
		return false
	}
	if pdfEndsSentence(text) && (prev.right < right-2.5*h || l.left > prev.left+h) {
		return false
	}
	return true
}

// pdfSetPages gives each passage the page its text starts on: passages are
// cut from the paragraphs' text in order, so each is found in the text of
// the paragraphs, searching onwards from where the previous one was found.
func pdfSetPages(doc *briefbot.Document, paras []pdfPara) {
	var all strings.Builder
	var starts []pdfPageStart // over all
	for _, p := range paras {
		if p.heading {
			continue
		}
		if all.Len() > 0 {
			all.WriteByte(' ')
		}
		base := all.Len()
		for _, s := range p.starts {
			starts = append(starts, pdfPageStart{base + s.off, s.page})
		}
		all.WriteString(p.text)
	}
	text := all.String()
	pageAt := func(off int) int {
		k := sort.Search(len(starts), func(k int) bool { return starts[k].off > off })
		if k == 0 {
			return starts[0].page
		}
		return starts[k-1].page
	}
	cursor, page := 0, 0
	if len(starts) > 0 {
		page = starts[0].page
	}
	for i := range doc.Passages {
		ps := &doc.Passages[i]
		// The window bounds the search: passages follow each other,
		// with at most a few removed blocks (a byline) between them.
		for _, n := range []int{64, 16} {
			prefix := ps.Text[:min(len(ps.Text), n)]
			window := text[cursor:min(len(text), cursor+len(prefix)+64<<10)]
			if k := strings.Index(window, prefix); k >= 0 && prefix != "" {
				page = pageAt(cursor + k)
				cursor += k + len(prefix)
				break
			}
		}
		ps.Page = page
	}
}
