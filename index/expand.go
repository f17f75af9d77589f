package index

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/internal/thesaurus"
)

// The relatives of a word the documents use count at presentRelativeScale
// of their weight, and only the close ones (relatedness at least
// presentMinRelatedness: synonyms through the common senses, a capital's
// country, GloVe neighbours above cosine 0.7).
const (
	presentRelativeScale  = 0.5
	presentMinRelatedness = 0.5
)

// maxRelatedTerms bounds the related terms one query word brings in, so a
// word with many senses cannot swamp the query.
const maxRelatedTerms = 8

// expand adds the terms related to the query's words (synonyms, a capital's
// country, an acronym's full name), weighted by Options.Synonyms times
// their relatedness, so that a question worded differently from the
// documents still finds them while exact wording keeps the upper hand.
func (ix *Index) expand(query string, terms []queryTerm) []queryTerm {
	words := thesaurus.Words(query)
	own := make(map[string]int, len(terms))
	for i, t := range terms {
		own[t.term] = i
	}
	added := map[string]int{}
	for _, e := range thesaurus.Expand(query) {
		se := ix.spanExpansion(e, words[e.Start:e.End])
		// The group is the first of the query's own terms in the span; a
		// span of stop words only (an acronym like "US") has none.
		group := -1
		for _, wt := range se.wordTerms {
			for _, t := range wt {
				if i, ok := own[t]; ok && group < 0 {
					group = i
				}
			}
		}
		// A span none of whose words the question is searched for is
		// question phrasing ("happened", "say"): its relatives would find
		// passages phrased alike, not passages that answer.
		if group < 0 && !se.acronym {
			continue
		}
		for _, r := range se.related {
			for _, t := range r.terms {
				if _, mine := own[t]; mine {
					continue
				}
				if i, ok := added[t]; ok {
					if r.weight > terms[i].weight {
						terms[i].weight, terms[i].rel = r.weight, r.rel
					}
					terms[i].alias = terms[i].alias || (r.alias && terms[i].group == group)
					continue
				}
				added[t] = len(terms)
				if r.alias && group < 0 {
					group = len(terms)
				}
				terms = append(terms, queryTerm{term: t, qtf: 1, weight: r.weight, rel: r.rel, group: group, alias: r.alias, pw: 1})
			}
		}
	}
	return slices.Clip(terms)
}

// spanExpansion is what expand makes of one span of a question (a word,
// or a phrase the thesaurus knows) whatever the rest of the question: the
// analyzed terms of its words, and the relatives it brings, already
// weighed and already checked against the corpus. The corpus and the
// thesaurus are fixed for an index, so it is worked out once per index and
// span (see expansionOf), not once per question.
type spanExpansion struct {
	wordTerms [][]string // the analyzed terms of each word of the span
	acronym   bool
	related   []relatedTerms
}

// relatedTerms is one relative of a span: its analyzed terms, the weight
// they are searched at, their relatedness, and whether it is a full form
// of the acronym the span is.
type relatedTerms struct {
	terms       []string
	weight, rel float64
	alias       bool
}

// maxCachedSpans bounds the spans an index keeps the expansion of.
const maxCachedSpans = 20000

// spanExpansion returns the expansion of e, whose words are words, from
// the index's cache or worked out and cached. The result is shared;
// callers must not modify it.
func (ix *Index) spanExpansion(e thesaurus.Expansion, words []string) *spanExpansion {
	key := e.Span + "\x00" + strings.Join(words, "\x00")
	return ix.spans.Get(key, func() *spanExpansion { return ix.expansionOf(e, words) })
}

// expansionOf works out the expansion of span e, whose words are words.
func (ix *Index) expansionOf(e thesaurus.Expansion, words []string) *spanExpansion {
	se := &spanExpansion{acronym: isAcronym(e.Span)}
	var spanTerms []string
	for _, w := range words {
		wt := ix.Analyze(w)
		se.wordTerms = append(se.wordTerms, wt)
		spanTerms = append(spanTerms, wt...)
	}
	// Relatives fill gaps, for words the documents never use, at full
	// weight. A word the documents use is its own best evidence, but a
	// passage may still say it otherwise ("Moscow" for "the Kremlin",
	// "opening" for "moment"): its close relatives that the documents
	// use count at half weight, and a group (see group) keeps a passage from
	// earning more for the word's group than its best match (measured
	// on the brief's questions: relatives of absent words only, MRR
	// 0.742; of every word at full weight, summed, Recall@3 0.859 ->
	// 0.833; as here, MRR 0.766, and 0.784 -> 0.813 on the held-out
	// set).
	scale := 1.0
	present := slices.ContainsFunc(se.wordTerms, ix.anyInCorpus)
	if present {
		scale = presentRelativeScale
	}
	n := 0
	for _, r := range e.Related {
		if n == maxRelatedTerms || (present && r.Weight < presentMinRelatedness) {
			break // relatives come best first
		}
		rt := ix.analyzeRelated(r.Phrase)
		// Long phrases add loose words ("stop work"); keep phrases of
		// one or two terms. A phrase holding the word itself is a kind
		// of it ("public utility"), whose other word is a modifier
		// that would match on its own ("public relations").
		if len(rt) == 0 || len(rt) > 2 || (len(rt) > 1 && slices.ContainsFunc(rt, func(t string) bool { return slices.Contains(spanTerms, t) })) {
			continue
		}
		if present && !ix.anyInCorpus(rt) {
			continue
		}
		n++
		rel := relatedTerms{terms: rt, weight: ix.opts.Synonyms * r.Weight * scale, rel: r.Weight * scale}
		// An acronym written in capitals and its full forms name the
		// same thing; an acronym that is a stop word in lower case
		// ("US") has no term of its own, so its first full form heads
		// its group.
		if rel.alias = se.acronym && spells(e.Span, r.Phrase); rel.alias {
			rel.rel = 1 // the same name, not a relative
		}
		se.related = append(se.related, rel)
	}
	return se
}

// maxCachedRelated bounds the analyzed thesaurus phrases an index keeps: a
// few hundred kilobytes, while questions come from a vocabulary far smaller.
const maxCachedRelated = 20000

// analyzeRelated is Analyze for thesaurus phrases, cached: a question
// brings dozens of related phrases, and analysing each anew would cost
// more than ranking the passages of a small corpus. The result is shared;
// callers must not modify it.
func (ix *Index) analyzeRelated(phrase string) []string {
	return ix.related.Get(phrase, func() []string { return ix.Analyze(phrase) })
}

// inCorpus reports whether any word of the span occurs in the corpus.
func (ix *Index) inCorpus(span []string) bool {
	for _, w := range span {
		if ix.anyInCorpus(ix.Analyze(w)) {
			return true
		}
	}
	return false
}

// anyInCorpus reports whether any of the analyzed terms occurs in the
// corpus.
func (ix *Index) anyInCorpus(terms []string) bool {
	for _, t := range terms {
		if df, err := ix.docFreq(t); err == nil && df > 0 {
			return true
		}
	}
	return false
}

// UnknownNames returns the names in a question (capitalized words past its
// first word, and acronyms) that occur nowhere in the corpus, not even
// through a related word: "Who is the prime minister of Japan?" asks about
// Japan, and a brief that never mentions Japan does not answer it however
// well "prime minister" matches.
func (ix *Index) UnknownNames(question string) []string {
	var out []string
	// An acronym the corpus spells out is known (see spellOutAcronyms).
	question = ix.spellOutAcronyms(question)
	for i, w := range strings.Fields(question) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		r, _ := utf8.DecodeRuneInString(w)
		if w == "" || !unicode.IsUpper(r) || (i == 0 && !isAcronym(w)) {
			continue
		}
		if len(ix.Analyze(w)) == 0 || ix.inCorpus([]string{w}) {
			continue // a stop word, or a name the documents use
		}
		related := false
		for _, rel := range thesaurus.Lookup(w) {
			if rel.Weight >= 0.5 && ix.inCorpus(strings.Fields(rel.Phrase)) {
				related = true
				break
			}
		}
		if !related {
			out = append(out, w)
		}
	}
	return out
}

// spells reports whether phrase is a full form of acronym: its words'
// initials, small words such as "of" skipped ("European Union" for "EU",
// "International Criminal Court" for "ICC"), or its letters once the dots
// are gone ("U.S." for "US"). Other relatives of an acronym ("Europe" for
// "EU") are relatives, not the same name.
func spells(acronym, phrase string) bool {
	want := strings.ToLower(strings.ReplaceAll(acronym, ".", ""))
	if strings.ToLower(strings.ReplaceAll(phrase, ".", "")) == want {
		return true
	}
	var initials strings.Builder
	for _, w := range strings.Fields(phrase) {
		if joiners[strings.ToLower(w)] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		initials.WriteRune(unicode.ToLower(r))
	}
	return initials.Len() > 1 && initials.String() == want
}

func isAcronym(w string) bool {
	return len(w) >= 2 && strings.ToUpper(w) == w
}
