package index

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
)

const (
	// shortSentenceWords: a best sentence with fewer words is quoted with
	// its better neighbour, since alone it rarely says enough.
	shortSentenceWords = 10
	// maxQuoteBytes bounds a quote; a longer one is cut at word boundaries
	// around its matches.
	maxQuoteBytes = 320
	ellipsis      = "…"
)

// relatedCredit is how much of a query term's coverage a related term
// earns at full relatedness: a synonym is evidence, but weaker than the word.
const relatedCredit = 0.8

// match is a query term occurrence in passage text.
type match struct {
	span briefbot.Span
	term int // index into the query terms
}

// describer describes the hits of one search (see describe): what is
// the same for every hit is worked out once, and its scratch space is
// reused from hit to hit.
type describer struct {
	ix    *Index
	terms []queryTerm
	// lookup maps an analyzed term to its index in terms.
	lookup map[string]int
	// lead is leadsContext(terms).
	lead bool
	// sigs lets most tokens that are no query term skip the look-ups.
	sigs termSigs
	// Per hit, reset by describe.
	present []bool
	credit  []float64
	exact   []bool // exactGroup: groups whose question word the passage holds
	matches []match
	// seen[i] == gen marks terms[i] as counted by the current distinctIDF.
	seen []uint32
	gen  uint32
	// counts[i] counts terms[i]'s matches in bestWindow's window.
	counts []int32
	// Scratch for the passage's tokens and their terms, and for excerpt
	// and bestWindow.
	// rawSeen maps the raw tokens of the search's passages that termSigs
	// let through to the index of their term in terms, or -1: the
	// index-wide cache (tokTerms) is larger, and slower to search.
	rawSeen map[string]int32
	toks    []briefbot.Span
	tokIdx  []int32
	missing []int
	newPos  []int
	words   []briefbot.Span
	starts  []int
}

// newDescriber returns a describer for the hits of a search for terms,
// its scratch space (and that of its maps) reused from an earlier search
// when one was released.
func (ix *Index) newDescriber(terms []queryTerm) *describer {
	d, _ := ix.describers.Get().(*describer)
	if d == nil {
		d = &describer{ix: ix, lookup: make(map[string]int, len(terms)), rawSeen: make(map[string]int32)}
	}
	clear(d.rawSeen)
	d.terms, d.lead, d.gen = terms, leadsContext(terms), 0
	clear(d.lookup)
	d.sigs.reset()
	for i, t := range terms {
		d.lookup[t.term] = i
		d.sigs.add(t.term)
	}
	n := len(terms)
	d.present = slices.Grow(d.present[:0], n)[:n]
	d.credit = slices.Grow(d.credit[:0], n)[:n]
	d.exact = slices.Grow(d.exact[:0], n)[:n]
	d.seen = slices.Grow(d.seen[:0], n)[:n]
	d.counts = slices.Grow(d.counts[:0], n)[:n]
	clear(d.seen)
	return d
}

// release hands the describer back for a later search; it must not be
// used after.
func (d *describer) release() {
	d.terms = nil
	d.ix.describers.Put(d)
}

// describe fills the hit's Matched, Coverage, Quote and Highlights. The
// index does not store where terms occur, so the passage's text is cut
// into tokens again; the terms the analyzer makes of them are cached per
// index (tokTerms), so that a quote costs a tokenizer pass (appendTokens)
// and map look-ups rather than a full analysis.
func (ix *Index) describe(h *briefbot.Hit, terms []queryTerm) {
	d := ix.newDescriber(terms)
	defer d.release()
	d.describe(h)
}

func (d *describer) describe(h *briefbot.Hit) {
	terms := d.terms
	clear(d.present)
	clear(d.credit)
	clear(d.exact)
	d.matches = d.matches[:0]
	present := d.present
	for _, field := range []string{h.Passage.Title, h.Passage.Section} {
		d.eachMatch(field, func(i, _, _ int) { present[i] = true })
	}
	d.eachMatch(h.Passage.Text, func(i, start, end int) {
		present[i] = true
		d.matches = append(d.matches, match{span: briefbot.Span{Start: start, End: end}, term: i})
	})
	// Coverage credits each of the query's own terms by its IDF (times its
	// part's weight in a follow-up): fully when the passage has it, partly
	// (by relatedness) when it has a related term in its place.
	credit, exactGroup := d.credit, d.exact
	for i, t := range terms {
		if !present[i] {
			continue
		}
		h.Matched = append(h.Matched, t.term)
		switch {
		case t.group == i:
			credit[i] = 1
			h.Exact++
			exactGroup[i] = true
		case t.group >= 0 && t.alias:
			if !exactGroup[t.group] {
				exactGroup[t.group] = true
				credit[t.group] = 1
				h.Exact++
			}
		case t.group >= 0:
			credit[t.group] = max(credit[t.group], t.rel*relatedCredit)
		}
	}
	// A passage holding nothing of a follow-up itself, not even a
	// relative, holds none of its words: it may answer the question
	// before, not this one (see SearchInContext).
	if !holdsQuestion(terms, present) {
		h.Exact = 0
	}
	h.Coverage = coverage(terms, credit)
	h.Quote, h.Highlights = d.quote(h.Passage.Text)
}

// eachMatch calls f, in text order, with every token of text whose term
// (what the analyzer makes of it) is a query term: the term's index in
// d.terms and the token's byte span. Tokens termSigs rules out are
// skipped; the others are looked up in the search's own map (rawSeen),
// then in the index's cache of terms (tokTerms), and only when missing
// there analyzed by the analyzer's filters.
func (d *describer) eachMatch(text string, f func(i, start, end int)) {
	ix := d.ix
	da, ok := ix.an.(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		d.analyzeMatches(text, f)
		return
	}
	d.toks = d.toks[:0]
	if _, ok := da.Tokenizer.(*unicodetok.UnicodeTokenizer); ok {
		d.toks = appendTokensIf(d.toks, text, &d.sigs)
	} else {
		for _, tok := range da.Tokenizer.Tokenize([]byte(text)) {
			if d.sigs.mayMatch(text[tok.Start:tok.End]) {
				d.toks = append(d.toks, briefbot.Span{Start: tok.Start, End: tok.End})
			}
		}
	}
	toks := d.toks
	d.tokIdx = slices.Grow(d.tokIdx[:0], len(toks))[:len(toks)]
	d.missing = d.missing[:0]
	ix.tokMu.RLock()
	for k, tok := range toks {
		d.tokIdx[k] = -1
		raw := text[tok.Start:tok.End]
		if i, ok := d.rawSeen[raw]; ok {
			d.tokIdx[k] = i
			continue
		}
		term, ok := ix.tokTerms[raw]
		if !ok {
			d.missing = append(d.missing, k)
			continue
		}
		d.tokIdx[k] = d.sawToken(raw, term)
	}
	ix.tokMu.RUnlock()
	if len(d.missing) > 0 {
		learned := make(map[string]string, len(d.missing))
		for _, k := range d.missing {
			raw := text[toks[k].Start:toks[k].End]
			term, ok := filterToken(da.TokenFilters, raw)
			if !ok {
				// A filter that splits or merges tokens: analyze the
				// text as a whole.
				d.analyzeMatches(text, f)
				return
			}
			d.tokIdx[k] = d.sawToken(raw, term)
			learned[raw] = term
		}
		ix.learnTokens(learned)
	}
	for k, tok := range toks {
		if i := d.tokIdx[k]; i >= 0 {
			f(int(i), tok.Start, tok.End)
		}
	}
}

// sawToken records in d.rawSeen the index in d.terms of the raw token's
// term (-1 when none), and returns it.
func (d *describer) sawToken(raw, term string) int32 {
	i := int32(-1)
	if j, ok := d.lookup[term]; ok {
		i = int32(j)
	}
	d.rawSeen[raw] = i
	return i
}

// termSigs is the set of the first three characters of a search's terms,
// for a test cheaper than the look-ups that find a raw token's term. A
// token that begins with ASCII letters or digits has a term that begins
// with the same characters, lower-cased: the English analyzer's filters
// change a token's end, not its start. Where a term ends within its first
// three characters, the token's rest can be anything (a longer token may
// shrink to it: "ties", "ating" give "ti", "ate"), and the stemmer's
// final y to i turns "ays", "toyed" into "ai", "toi".
//
// A term of six characters or more keeps its token's first four: the
// stemmer rewrites at most a term's last two ("sensibility" gives
// "sensibl", "hopefully" "hope"). Such terms are kept by their first four
// characters instead (hashed into long), which lets through about half as
// many tokens that are no term as three would. TestTermSigsHold checks
// all this against the analyzer; tokens of another form always pass.
type termSigs struct {
	short [(sigCodeCount*sigCodeCount*sigCodeCount + 63) / 64]uint64
	long  [sigLongBits / 64]uint64
}

// sigLongBits sizes termSigs.long: a few dozen terms leave most bits
// clear.
const sigLongBits = 4096

// reset empties the set.
func (s *termSigs) reset() {
	clear(s.short[:])
	clear(s.long[:])
}

// longBit is the bit of termSigs.long for a term or token whose first
// four characters have codes c0..c3, all letters or digits.
func longBit(c0, c1, c2, c3 int) uint32 {
	code := uint32(((c0*sigCodeCount+c1)*sigCodeCount+c2)*sigCodeCount + c3)
	return (code * 0x9E3779B1) >> (32 - 12) // Fibonacci hashing to 12 bits
}

const (
	// sigEnd stands for the end of a token or term shorter than three.
	sigEnd = 37
	// sigCodeCount counts the codes: none (0), letters and digits, end.
	sigCodeCount = 38
)

// sigCodes numbers the ASCII letters (either case) and digits 1 to 36.
var sigCodes = func() (t [256]uint8) {
	for c := byte('a'); c <= 'z'; c++ {
		t[c] = c - 'a' + 1
		t[c-'a'+'A'] = c - 'a' + 1
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0' + 27
	}
	return t
}()

// sigCode is the code of s[i], sigEnd past its end.
func sigCode(s string, i int) int {
	if i >= len(s) {
		return sigEnd
	}
	return int(sigCodes[s[i]])
}

// add records a query term.
func (s *termSigs) add(term string) {
	if len(term) == 0 {
		return
	}
	c0, c1, c2 := sigCode(term, 0), sigCode(term, 1), sigCode(term, 2)
	if c3 := sigCode(term, 3); len(term) >= 6 && c0 != 0 && c1 != 0 && c2 != 0 && c3 != 0 {
		bit := longBit(c0, c1, c2, c3)
		s.long[bit/64] |= 1 << (bit % 64)
		return
	}
	y := int(sigCodes['y'])
	switch {
	case c0 == 0 || c1 == 0 || c2 == 0:
		// No token that mayMatch tests has it: a token's characters
		// up to its third are those of its term.
	case len(term) == 1:
		s.setAll(c0, -1)
	case len(term) == 2:
		s.setAll(c0, c1)
		if term[1] == 'i' {
			s.setAll(c0, y)
		}
	default:
		s.set(c0, c1, c2)
		if term[2] == 'i' {
			s.set(c0, c1, y)
		}
		if len(term) == 3 && term[2] == 'e' {
			s.setAll(c0, c1) // "ating": "ate"
		}
	}
}

func (s *termSigs) set(c0, c1, c2 int) {
	bit := (c0*sigCodeCount+c1)*sigCodeCount + c2
	s.short[bit/64] |= 1 << (bit % 64)
}

// setAll sets every third code after c0, c1; every second and third after
// c0 when c1 < 0.
func (s *termSigs) setAll(c0, c1 int) {
	for b := 1; b < sigCodeCount; b++ {
		if c1 < 0 {
			s.setAll(c0, b)
			continue
		}
		s.set(c0, c1, b)
	}
}

// mayMatch reports whether the raw token may be one of the terms added;
// false only when it cannot.
func (s *termSigs) mayMatch(raw string) bool {
	if len(raw) == 0 {
		return true
	}
	c0, c1, c2 := sigCode(raw, 0), sigCode(raw, 1), sigCode(raw, 2)
	if c0 == 0 || c1 == 0 || c2 == 0 {
		return true
	}
	bit := (c0*sigCodeCount+c1)*sigCodeCount + c2
	if s.short[bit/64]&(1<<(bit%64)) != 0 {
		return true
	}
	// A long term has the token's first four characters, letters or
	// digits; a token of three has no long term.
	c3 := sigCode(raw, 3)
	if c3 == 0 || c3 == sigEnd {
		return false
	}
	lb := longBit(c0, c1, c2, c3)
	return s.long[lb/64]&(1<<(lb%64)) != 0
}

// analyzeMatches is eachMatch through a full analysis of text.
func (d *describer) analyzeMatches(text string, f func(i, start, end int)) {
	for _, tok := range d.ix.an.Analyze([]byte(text)) {
		if i, ok := d.lookup[string(tok.Term)]; ok {
			f(i, tok.Start, tok.End)
		}
	}
}

// filterToken runs the analyzer's token filters on one token, raw as the
// tokenizer cut it, and returns the term they make of it ("" for a token
// they drop). The filters of the analyzer the index uses (possessive,
// lower case, stop words, stemmer) look at one token's text at a time, not
// its position or type, so the term depends on the raw token alone; ok is
// false for a filter that turns one token into several.
func filterToken(filters []analysis.TokenFilter, raw string) (term string, ok bool) {
	stream := analysis.TokenStream{&analysis.Token{Term: []byte(raw), End: len(raw), Position: 1, Type: analysis.AlphaNumeric}}
	for _, f := range filters {
		stream = f.Filter(stream)
	}
	switch len(stream) {
	case 0:
		return "", true
	case 1:
		return string(stream[0].Term), true
	}
	return "", false
}

// maxCachedTokens bounds Index.tokTerms: a few megabytes, enough for the
// vocabulary of the passages that searches show.
const maxCachedTokens = 100_000

// learnTokens adds the terms of raw tokens to the index's cache.
func (ix *Index) learnTokens(learned map[string]string) {
	ix.tokMu.Lock()
	defer ix.tokMu.Unlock()
	if ix.tokTerms == nil {
		ix.tokTerms = make(map[string]string)
	}
	for raw, term := range learned {
		if len(ix.tokTerms) >= maxCachedTokens {
			return
		}
		ix.tokTerms[raw] = term
	}
}

// coverage is the share of the query's information that the credited
// groups hold: each group head's IDF times its part's weight, over all
// heads. In a follow-up the context counts for at most as much as the
// question's own words, so that a follow-up changing the subject after a
// long question ("and what about Russia?") is judged mostly on what it
// asks itself, not refused for lacking the old subject; a follow-up of no
// words of its own is judged on its context alone.
func coverage(terms []queryTerm, credit []float64) float64 {
	var haveQ, allQ, haveC, allC float64
	for i, t := range terms {
		if t.group != i {
			continue // a related term: counted through its group
		}
		if t.part == 0 {
			allQ += t.idf * t.pw
			haveQ += t.idf * t.pw * min(credit[i], 1)
		} else {
			allC += t.idf * t.pw
			haveC += t.idf * t.pw * min(credit[i], 1)
		}
	}
	scale := 1.0
	if allQ > 0 && allC > allQ {
		scale = allQ / allC
	}
	all := allQ + allC*scale
	if all <= 0 {
		return 0
	}
	return (haveQ + haveC*scale) / all
}

// holdsQuestion reports whether a passage holding the present terms holds
// something of the question itself (see standsForQuestion), or anything
// at all when the question has no terms of its own and is all context
// ("why?"). A question searched on its own is all part 0.
func holdsQuestion(terms []queryTerm, present []bool) bool {
	own := false
	for i, t := range terms {
		if t.part != 0 {
			continue
		}
		own = true
		if present[i] && standsForQuestion(terms, i) {
			return true
		}
	}
	return !own
}

// leadsContext reports whether terms are a follow-up's with words of its
// own and earlier questions' (see SearchInContext).
func leadsContext(terms []queryTerm) bool {
	own, earlier := false, false
	for _, t := range terms {
		own = own || t.part == 0
		earlier = earlier || t.part != 0
	}
	return own && earlier
}

// minStandIn is the relatedness at which a relative stands for the
// question's word in a follow-up: a synonym through the word's common
// sense ("halt" for "stop"), not a looser neighbour ("Iran" for
// "Russia"), which would let the old subject pass for the new one.
const minStandIn = 0.5

// standsForQuestion reports whether terms[i] is a word of the question
// itself (part 0): one of its own terms, the full form of an acronym it
// writes, or a close relative (minStandIn).
func standsForQuestion(terms []queryTerm, i int) bool {
	t := terms[i]
	return t.part == 0 && (t.group == i || t.alias || t.rel >= minStandIn)
}

// quote picks the sentence of the text whose matched terms (d.matches)
// carry the most IDF (two sentences when it is short), and returns it with
// whitespace runs collapsed, plus the spans of the matches within it.
func (d *describer) quote(text string) (string, []briefbot.Span) {
	sents := corpus.Sentences(text)
	if len(sents) == 0 {
		return "", nil
	}
	ms := d.matches
	score := func(s briefbot.Span) float64 { return d.distinctIDF(within(ms, s)) }
	// In a follow-up, as in its ranking, a sentence holding the question's
	// own words comes before one holding only its context's: "and what
	// about Russia?" is answered with the passage's sentence on Russia,
	// not its sentence on the earlier question's subject.
	tier := func(s briefbot.Span) int {
		if d.lead {
			for _, m := range within(ms, s) {
				if standsForQuestion(d.terms, m.term) {
					return 1
				}
			}
		}
		return 0
	}
	best, bestTier, bestScore := 0, -1, -1.0
	for i, s := range sents {
		if tr, sc := tier(s), score(s); tr > bestTier || (tr == bestTier && sc > bestScore) {
			best, bestTier, bestScore = i, tr, sc
		}
	}
	span := sents[best]
	if len(sents) > 1 && fewerWords(text[span.Start:span.End], shortSentenceWords) {
		switch {
		case best == len(sents)-1:
			span.Start = sents[best-1].Start
		case best == 0 || score(sents[best+1]) >= score(sents[best-1]):
			span.End = sents[best+1].End
		default:
			span.Start = sents[best-1].Start
		}
	}
	return d.excerpt(text, span, within(ms, span))
}

// fewerWords reports whether s has fewer than n words (as strings.Fields
// counts them).
func fewerWords(s string, n int) bool {
	words := 0
	for i := spaceEnd(s, 0, len(s)); i < len(s); i = spaceEnd(s, i, len(s)) {
		if words++; words >= n {
			return false
		}
		i = wordEnd(s, i, len(s))
	}
	return true
}

// spaceEnd returns the end of the run of white space (as unicode.IsSpace
// says) that begins at s[i], at most end; i when there is none. wordEnd
// is the same for a run of other characters. ASCII, most of what is
// quoted, needs no decoding.
func spaceEnd(s string, i, end int) int {
	for i < end {
		if b := s[i]; b < utf8.RuneSelf {
			if !isASCIISpace(b) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:end])
		if !unicode.IsSpace(r) {
			return i
		}
		i += size
	}
	return end
}

func wordEnd(s string, i, end int) int {
	for {
		for i < end && !wordStops[s[i]] {
			i++
		}
		if i >= end || s[i] < utf8.RuneSelf {
			return i // white space, or the end
		}
		r, size := utf8.DecodeRuneInString(s[i:end])
		if unicode.IsSpace(r) {
			return i
		}
		i += size
	}
}

// wordStops holds the bytes at which wordEnd's fast loop stops: ASCII
// white space, and the first bytes of characters beyond ASCII, which may
// be white space.
var wordStops = func() (t [256]bool) {
	for b := range 256 {
		t[b] = b >= utf8.RuneSelf || isASCIISpace(byte(b))
	}
	return t
}()

// singleSpaced reports whether every run of white space in s is one
// ASCII space: then collapsing its runs changes nothing.
func singleSpaced(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b == ' ' {
			if i+1 < len(s) && s[i+1] == ' ' {
				return false
			}
			continue
		}
		if b < utf8.RuneSelf {
			if isASCIISpace(b) {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return false
		}
		i += size - 1
	}
	return true
}

// excerpt renders text[span] as a quote, cut to maxQuoteBytes around the
// best-covered window of words when longer.
func (d *describer) excerpt(text string, span briefbot.Span, matches []match) (string, []briefbot.Span) {
	lead, trail := "", ""
	if span.End-span.Start > maxQuoteBytes {
		win := d.bestWindow(text, span, matches)
		if win.Start > span.Start {
			lead = ellipsis
		}
		if win.End < span.End {
			trail = ellipsis
		}
		span = win
		matches = within(matches, span)
	}
	hl := make([]briefbot.Span, 0, len(matches))
	if singleSpaced(text[span.Start:span.End]) {
		// Nothing to collapse: the quote is the text, shifted.
		shift := len(lead) - span.Start
		for _, m := range matches {
			hl = append(hl, briefbot.Span{Start: m.span.Start + shift, End: m.span.End + shift})
		}
		return lead + text[span.Start:span.End] + trail, hl
	}
	// newPos[i] is the position in the quote of text[span.Start+i].
	var b strings.Builder
	b.Grow(len(lead) + span.End - span.Start + len(trail))
	b.WriteString(lead)
	d.newPos = slices.Grow(d.newPos[:0], span.End-span.Start+1)[:span.End-span.Start+1]
	newPos := d.newPos
	for i := span.Start; i < span.End; {
		if j := spaceEnd(text, i, span.End); j > i {
			for k := i; k < j; k++ {
				newPos[k-span.Start] = b.Len()
			}
			b.WriteByte(' ')
			i = j
			continue
		}
		j := wordEnd(text, i, span.End)
		shift := b.Len() - i
		for k := i; k < j; k++ {
			newPos[k-span.Start] = k + shift
		}
		b.WriteString(text[i:j])
		i = j
	}
	newPos[span.End-span.Start] = b.Len()
	b.WriteString(trail)
	for _, m := range matches {
		hl = append(hl, briefbot.Span{Start: newPos[m.span.Start-span.Start], End: newPos[m.span.End-span.Start]})
	}
	return b.String(), hl
}

// bestWindow returns the run of whole words within span, at most
// maxQuoteBytes long, whose matches carry the most distinct IDF; the
// earliest wins ties. A window starts at a word and takes the words
// after it while they fit. The matches a window holds change only where
// it starts past a match, or first reaches one: those windows alone (and
// the first) are scored, the words around each found by scanning from
// the match rather than by cutting the whole span into words, in order,
// counting the matches of each term the window holds and summing a
// window's IDF only when the set of terms it holds changed.
func (d *describer) bestWindow(text string, span briefbot.Span, matches []match) briefbot.Span {
	s := text[span.Start:span.End]
	if !utf8.ValidString(s) {
		// Scanning back would not meet the characters scanning forward
		// met, and could walk off the span's start (a fuzzed case kept
		// in testdata/fuzz/FuzzQuote).
		return d.bestWindowOfWords(text, span, matches)
	}
	first := spaceEnd(s, 0, len(s))
	if first == len(s) {
		return span
	}
	last := spaceStartBefore(s, len(s)) // the last word's end
	starts := append(d.starts[:0], first)
	for _, m := range matches {
		ms, me := m.span.Start-span.Start, m.span.End-span.Start
		// The first window without m starts at the word after m's.
		if next := spaceEnd(s, wordEnd(s, ms, len(s)), len(s)); next < len(s) {
			starts = append(starts, next)
		}
		// The first window holding m starts at the first word from
		// which m's word fits, or at m's word when it does not fit.
		starts = append(starts, min(wordStartFrom(s, wordEnd(s, me, len(s))-maxQuoteBytes, first), wordStartOf(s, ms)))
	}
	slices.Sort(starts)
	starts = slices.Compact(starts)
	d.starts = starts
	sl := d.newSlider(matches)
	var best briefbot.Span
	bestScore := -1.0
	for _, st := range starts {
		end := windowEnd(s, st, last)
		w := briefbot.Span{Start: span.Start + st, End: span.Start + end}
		if score := sl.scoreOf(w); score > bestScore {
			best, bestScore = w, score
		}
		if end == last {
			break // later windows hold a part of this one's matches
		}
	}
	return best
}

// windowEnd returns the end of the window of words of s starting at the
// word at st: the end of the last word that fits within maxQuoteBytes of
// st, or of the word at st when it alone is longer; last is the end of
// s's last word.
func windowEnd(s string, st, last int) int {
	limit := st + maxQuoteBytes
	if limit >= last {
		return last
	}
	p := limit
	for !utf8.RuneStart(s[p]) {
		p--
	}
	if r, _ := utf8.DecodeRuneInString(s[p:]); !unicode.IsSpace(r) {
		p = wordStartOf(s, p) // that word ends past limit
	}
	return max(spaceStartBefore(s, p), wordEnd(s, st, len(s)))
}

// wordStartFrom returns the first start of a word of s at y or after
// (len(s) when none), and first (the first word's start) for y before it.
func wordStartFrom(s string, y, first int) int {
	if y <= first {
		return first
	}
	if y >= len(s) {
		return len(s)
	}
	for !utf8.RuneStart(s[y]) {
		y--
	}
	if r, _ := utf8.DecodeLastRuneInString(s[:y]); !unicode.IsSpace(r) {
		y = wordEnd(s, y, len(s)) // within a word: the next one
	}
	return spaceEnd(s, y, len(s))
}

// wordStartOf returns the start of the word of s holding s[p].
func wordStartOf(s string, p int) int { return runStartBefore(s, p, false) }

// spaceStartBefore returns the start of the run of white space of s that
// ends at p: the end of the word before it, or p when none ends there.
func spaceStartBefore(s string, p int) int { return runStartBefore(s, p, true) }

// runStartBefore returns the start of the run of characters ending at p
// that are white space or not as space says, scanning back.
func runStartBefore(s string, p int, space bool) int {
	for p > 0 {
		if b := s[p-1]; b < utf8.RuneSelf {
			if isASCIISpace(b) != space {
				return p
			}
			p--
			continue
		}
		r, size := utf8.DecodeLastRuneInString(s[:p])
		if unicode.IsSpace(r) != space {
			return p
		}
		p -= size
	}
	return 0
}

// bestWindowOfWords is bestWindow for text that is not UTF-8: it cuts the
// span into words and slides the window over them.
func (d *describer) bestWindowOfWords(text string, span briefbot.Span, matches []match) briefbot.Span {
	d.words = appendWordSpans(d.words[:0], text, span)
	words := d.words
	if len(words) == 0 {
		return span
	}
	sl := d.newSlider(matches)
	best, bestScore := briefbot.Span{Start: words[0].Start, End: words[0].End}, -1.0
	j := 0
	for i := range words {
		if j < i {
			j = i
		}
		// Extend the window as far as it fits; a single overlong word is
		// kept whole rather than cut.
		for j+1 < len(words) && words[j+1].End-words[i].Start <= maxQuoteBytes {
			j++
		}
		w := briefbot.Span{Start: words[i].Start, End: words[j].End}
		if score := sl.scoreOf(w); score > bestScore {
			best, bestScore = w, score
		}
		if j == len(words)-1 {
			break
		}
	}
	return best
}

// slider scores windows sliding forward over a span's matches (in text
// order): it counts the matches of each term the window holds, and sums
// the window's IDF only when the set of terms it holds changed.
type slider struct {
	d       *describer
	matches []match
	lo, hi  int // matches[lo:hi] are in the window
	score   float64
	changed bool
}

func (d *describer) newSlider(matches []match) slider {
	clear(d.counts)
	return slider{d: d, matches: matches, changed: true}
}

// scoreOf returns the IDF the matches in w carry; w must not start or end
// before the window scored last.
func (sl *slider) scoreOf(w briefbot.Span) float64 {
	ms, counts := sl.matches, sl.d.counts
	for ; sl.lo < len(ms) && ms[sl.lo].span.Start < w.Start; sl.lo++ {
		if sl.lo < sl.hi {
			t := ms[sl.lo].term
			if counts[t]--; counts[t] == 0 {
				sl.changed = true
			}
		}
	}
	sl.hi = max(sl.hi, sl.lo)
	for ; sl.hi < len(ms) && ms[sl.hi].span.End <= w.End; sl.hi++ {
		t := ms[sl.hi].term
		if counts[t]++; counts[t] == 1 {
			sl.changed = true
		}
	}
	if sl.changed {
		sl.score, sl.changed = sl.d.heldIDF(counts), false
	}
	return sl.score
}

// heldIDF sums the IDF times weight of the terms whose count is not zero,
// in the terms' order, so that windows holding the same terms tie exactly.
func (d *describer) heldIDF(counts []int32) float64 {
	var sum float64
	for t, n := range counts {
		if n > 0 {
			sum += d.terms[t].idf * d.terms[t].weight
		}
	}
	return sum
}

// appendWordSpans appends the spans of the whitespace-separated words of
// text[span] to words.
func appendWordSpans(words []briefbot.Span, text string, span briefbot.Span) []briefbot.Span {
	for i := spaceEnd(text, span.Start, span.End); i < span.End; i = spaceEnd(text, i, span.End) {
		j := wordEnd(text, i, span.End)
		words = append(words, briefbot.Span{Start: i, End: j})
		i = j
	}
	return words
}

// within returns the matches inside s: ms are in text order and do not
// overlap, so they are a run of ms, shared, not copied.
func within(ms []match, s briefbot.Span) []match {
	lo, _ := slices.BinarySearchFunc(ms, s.Start, func(m match, start int) int { return cmp.Compare(m.span.Start, start) })
	hi := lo
	for hi < len(ms) && ms[hi].span.End <= s.End {
		hi++
	}
	return ms[lo:hi:hi]
}

// distinctIDF sums the IDF times weight of the distinct terms of ms, in
// order of first occurrence.
func (d *describer) distinctIDF(ms []match) float64 {
	if d.gen++; d.gen == 0 {
		clear(d.seen)
		d.gen = 1
	}
	var sum float64
	for _, m := range ms {
		if d.seen[m.term] != d.gen {
			d.seen[m.term] = d.gen
			sum += d.terms[m.term].idf * d.terms[m.term].weight
		}
	}
	return sum
}
