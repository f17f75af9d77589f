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
	// Per hit, reset by describe.
	present []bool
	credit  []float64
	exact   []bool // exactGroup: groups whose question word the passage holds
	matches []match
	// seen[i] == gen marks terms[i] as counted by the current distinctIDF.
	seen []uint32
	gen  uint32
	// Scratch for the passage's tokens and their terms, and for excerpt
	// and bestWindow.
	toks     []briefbot.Span
	tokTerms []string
	missing  []int
	newPos   []int
	words    []briefbot.Span
}

func (ix *Index) newDescriber(terms []queryTerm) *describer {
	lookup := make(map[string]int, len(terms))
	for i, t := range terms {
		lookup[t.term] = i
	}
	return &describer{
		ix: ix, terms: terms, lookup: lookup, lead: leadsContext(terms),
		present: make([]bool, len(terms)), credit: make([]float64, len(terms)),
		exact: make([]bool, len(terms)), seen: make([]uint32, len(terms)),
	}
}

// describe fills the hit's Matched, Coverage, Quote and Highlights. The
// index does not store where terms occur, so the passage's text is cut
// into tokens again; the terms the analyzer makes of them are cached per
// index (tokTerms), so that a quote costs a tokenizer pass (appendTokens)
// and map look-ups rather than a full analysis.
func (ix *Index) describe(h *briefbot.Hit, terms []queryTerm) {
	ix.newDescriber(terms).describe(h)
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
// d.terms and the token's byte span. The term of a raw token is looked up
// in the index's cache (tokTerms), and only when missing worked out by the
// analyzer's filters. (A cache per search, raw token to query term, was
// slower: most tokens of ten passages are met once.)
func (d *describer) eachMatch(text string, f func(i, start, end int)) {
	ix := d.ix
	da, ok := ix.an.(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		d.analyzeMatches(text, f)
		return
	}
	d.toks = d.toks[:0]
	if _, ok := da.Tokenizer.(*unicodetok.UnicodeTokenizer); ok {
		d.toks = appendTokens(d.toks, text)
	} else {
		for _, tok := range da.Tokenizer.Tokenize([]byte(text)) {
			d.toks = append(d.toks, briefbot.Span{Start: tok.Start, End: tok.End})
		}
	}
	toks := d.toks
	d.tokTerms = slices.Grow(d.tokTerms[:0], len(toks))[:len(toks)]
	d.missing = d.missing[:0]
	ix.tokMu.RLock()
	for k, tok := range toks {
		term, ok := ix.tokTerms[text[tok.Start:tok.End]]
		if !ok {
			d.missing = append(d.missing, k)
		}
		d.tokTerms[k] = term
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
			d.tokTerms[k] = term
			learned[raw] = term
		}
		ix.learnTokens(learned)
	}
	for k, tok := range toks {
		if t := d.tokTerms[k]; t != "" {
			if i, ok := d.lookup[t]; ok {
				f(i, tok.Start, tok.End)
			}
		}
	}
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
	words, inWord := 0, false
	for i := 0; i < len(s); {
		space, size := spaceAt(s, i)
		i += size
		if space {
			inWord = false
		} else if !inWord {
			inWord = true
			if words++; words >= n {
				return false
			}
		}
	}
	return true
}

// spaceAt reports whether the character at s[i] is white space (as
// unicode.IsSpace says) and its size in bytes; ASCII, most of what is
// quoted, needs no decoding.
func spaceAt(s string, i int) (space bool, size int) {
	if b := s[i]; b < utf8.RuneSelf {
		return isASCIISpace(b), 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r), size
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
	// newPos[i] is the position in the quote of text[span.Start+i].
	var b strings.Builder
	b.Grow(len(lead) + span.End - span.Start + len(trail))
	b.WriteString(lead)
	d.newPos = slices.Grow(d.newPos[:0], span.End-span.Start+1)[:span.End-span.Start+1]
	newPos := d.newPos
	inSpace := false
	quoted := text[:span.End]
	for i := span.Start; i < span.End; {
		space, size := spaceAt(quoted, i)
		for j := range size {
			newPos[i-span.Start+j] = b.Len()
		}
		if space {
			if !inSpace {
				b.WriteByte(' ')
			}
			inSpace = true
		} else {
			b.WriteString(text[i : i+size])
			inSpace = false
		}
		i += size
	}
	newPos[span.End-span.Start] = b.Len()
	b.WriteString(trail)
	hl := make([]briefbot.Span, 0, len(matches))
	for _, m := range matches {
		hl = append(hl, briefbot.Span{Start: newPos[m.span.Start-span.Start], End: newPos[m.span.End-span.Start]})
	}
	return b.String(), hl
}

// bestWindow returns the run of whole words within span, at most
// maxQuoteBytes long, whose matches carry the most distinct IDF; the
// earliest wins ties.
func (d *describer) bestWindow(text string, span briefbot.Span, matches []match) briefbot.Span {
	d.words = appendWordSpans(d.words[:0], text, span)
	words := d.words
	if len(words) == 0 {
		return span
	}
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
		if sc := d.distinctIDF(within(matches, w)); sc > bestScore {
			best, bestScore = w, sc
		}
		if j == len(words)-1 {
			break
		}
	}
	return best
}

// appendWordSpans appends the spans of the whitespace-separated words of
// text[span] to words.
func appendWordSpans(words []briefbot.Span, text string, span briefbot.Span) []briefbot.Span {
	text = text[:span.End]
	start := -1
	for i := span.Start; i < span.End; {
		space, size := spaceAt(text, i)
		if space {
			if start >= 0 {
				words = append(words, briefbot.Span{Start: start, End: i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start >= 0 {
		words = append(words, briefbot.Span{Start: start, End: span.End})
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
