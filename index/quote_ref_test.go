package index

// The implementation of describe before quotes were made cheap (one
// tokenizer pass over cached terms, no allocation per sentence), kept as
// the reference that TestDescribeMatchesReference and FuzzQuote hold the
// current one to: quotes, highlights and coverage must not change.

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
)

// describe fills the hit's Matched, Coverage, Quote and Highlights by
// analyzing its passage again: the same analyzer yields the byte offsets of
// the matched terms, which the index does not store.
func (ix *Index) describeRef(h *briefbot.Hit, terms []queryTerm) {
	lookup := make(map[string]int, len(terms))
	for i, t := range terms {
		lookup[t.term] = i
	}
	present := make([]bool, len(terms))
	for _, field := range []string{h.Passage.Title, h.Passage.Section} {
		for _, tok := range ix.an.Analyze([]byte(field)) {
			if i, ok := lookup[string(tok.Term)]; ok {
				present[i] = true
			}
		}
	}
	var matches []match
	for _, tok := range ix.an.Analyze([]byte(h.Passage.Text)) {
		if i, ok := lookup[string(tok.Term)]; ok {
			present[i] = true
			matches = append(matches, match{span: briefbot.Span{Start: tok.Start, End: tok.End}, term: i})
		}
	}
	// Coverage credits each of the query's own terms by its IDF (times its
	// part's weight in a follow-up): fully when the passage has it, partly
	// (by relatedness) when it has a related term in its place.
	credit := make([]float64, len(terms))
	exactGroup := make(map[int]bool)
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
	h.Quote, h.Highlights = quoteRef(h.Passage.Text, matches, terms)
}

// quote picks the sentence of text whose matched terms carry the most IDF
// (two sentences when it is short), and returns it with whitespace runs
// collapsed, plus the spans of the matches within it.
func quoteRef(text string, matches []match, terms []queryTerm) (string, []briefbot.Span) {
	sents := corpus.Sentences(text)
	if len(sents) == 0 {
		return "", nil
	}
	score := func(s briefbot.Span) float64 { return distinctIDFRef(withinRef(matches, s), terms) }
	// In a follow-up, as in its ranking, a sentence holding the question's
	// own words comes before one holding only its context's: "and what
	// about Russia?" is answered with the passage's sentence on Russia,
	// not its sentence on the earlier question's subject.
	lead := leadsContext(terms)
	tier := func(s briefbot.Span) int {
		if lead {
			for _, m := range withinRef(matches, s) {
				if standsForQuestion(terms, m.term) {
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
	if len(strings.Fields(text[span.Start:span.End])) < shortSentenceWords && len(sents) > 1 {
		switch {
		case best == len(sents)-1:
			span.Start = sents[best-1].Start
		case best == 0 || score(sents[best+1]) >= score(sents[best-1]):
			span.End = sents[best+1].End
		default:
			span.Start = sents[best-1].Start
		}
	}
	return excerptRef(text, span, withinRef(matches, span), terms)
}

// excerpt renders text[span] as a quote, cut to maxQuoteBytes around the
// best-covered window of words when longer.
func excerptRef(text string, span briefbot.Span, matches []match, terms []queryTerm) (string, []briefbot.Span) {
	lead, trail := "", ""
	if span.End-span.Start > maxQuoteBytes {
		win := bestWindowRef(text, span, matches, terms)
		if win.Start > span.Start {
			lead = ellipsis
		}
		if win.End < span.End {
			trail = ellipsis
		}
		span = win
		matches = withinRef(matches, span)
	}
	// newPos[i] is the position in the quote of text[span.Start+i].
	var b strings.Builder
	b.WriteString(lead)
	newPos := make([]int, span.End-span.Start+1)
	inSpace := false
	for i := span.Start; i < span.End; {
		r, size := utf8.DecodeRuneInString(text[i:])
		for j := range size {
			newPos[i-span.Start+j] = b.Len()
		}
		if unicode.IsSpace(r) {
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
func bestWindowRef(text string, span briefbot.Span, matches []match, terms []queryTerm) briefbot.Span {
	words := wordSpansRef(text, span)
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
		if sc := heldIDFRef(withinRef(matches, w), terms); sc > bestScore {
			best, bestScore = w, sc
		}
		if j == len(words)-1 {
			break
		}
	}
	return best
}

func wordSpansRef(text string, span briefbot.Span) []briefbot.Span {
	var words []briefbot.Span
	start := -1
	for i, r := range text[span.Start:span.End] {
		i += span.Start
		if unicode.IsSpace(r) {
			if start >= 0 {
				words = append(words, briefbot.Span{Start: start, End: i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, briefbot.Span{Start: start, End: span.End})
	}
	return words
}

func withinRef(ms []match, s briefbot.Span) []match {
	var out []match
	for _, m := range ms {
		if m.span.Start >= s.Start && m.span.End <= s.End {
			out = append(out, m)
		}
	}
	return out
}

// heldIDFRef is distinctIDFRef summed in the terms' order, as windows are
// scored: summed in the order the terms occur, two windows holding the same
// terms could differ in the last bit, and a later one win their tie.
func heldIDFRef(ms []match, terms []queryTerm) float64 {
	held := make([]bool, len(terms))
	for _, m := range ms {
		held[m.term] = true
	}
	var sum float64
	for t, h := range held {
		if h {
			sum += terms[t].idf * terms[t].weight
		}
	}
	return sum
}

func distinctIDFRef(ms []match, terms []queryTerm) float64 {
	seen := make(map[int]bool, len(ms))
	var sum float64
	for _, m := range ms {
		if !seen[m.term] {
			seen[m.term] = true
			sum += terms[m.term].idf * terms[m.term].weight
		}
	}
	return sum
}
