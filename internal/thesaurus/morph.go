package thesaurus

import (
	"slices"
	"strings"
)

// suffixRules are WordNet's morphy detachment rules: each strips an
// inflectional suffix of a word of part of speech pos and appends the base
// ending.
var suffixRules = [...]struct {
	pos          uint8
	suffix, base string
}{
	{posNoun, "s", ""}, {posNoun, "ses", "s"}, {posNoun, "xes", "x"}, {posNoun, "zes", "z"},
	{posNoun, "ches", "ch"}, {posNoun, "shes", "sh"}, {posNoun, "men", "man"}, {posNoun, "ies", "y"},
	{posVerb, "s", ""}, {posVerb, "ies", "y"}, {posVerb, "es", "e"}, {posVerb, "es", ""},
	{posVerb, "ed", "e"}, {posVerb, "ed", ""}, {posVerb, "ing", "e"}, {posVerb, "ing", ""},
	{posAdj, "er", ""}, {posAdj, "est", ""}, {posAdj, "er", "e"}, {posAdj, "est", "e"},
}

// variant is a candidate base form and the part of speech it must have.
type variant struct {
	base string
	pos  uint8
}

// variants returns the candidate base forms of one lowercase word: its
// irregular bases from WordNet's exception lists (any part of speech), then
// the outputs of the suffix rules for the parts of speech that the word is
// not itself a lemma of, as morphy does ("gas" is a noun, so it is not the
// plural of "ga"). Candidates are not checked against the table.
func (t *table) variants(w string) []variant {
	var out []variant
	for _, b := range t.exc[w] {
		out = append(out, variant{b, posNoun | posVerb | posAdj | posAdv})
	}
	// Like morphy, leave "-ss" words ("glass", "boss") and very short
	// words alone: stripping them gives nonsense bases.
	if len(w) <= 2 || strings.HasSuffix(w, "ss") {
		return out
	}
	own := t.rel[w].pos
	for _, r := range suffixRules {
		if own&r.pos == 0 && len(w) > len(r.suffix)+1 && strings.HasSuffix(w, r.suffix) {
			out = append(out, variant{w[:len(w)-len(r.suffix)] + r.base, r.pos})
		}
	}
	return out
}

// baseForms returns the lemmas of the table that a lowercase word or phrase
// is an inflection of, other than itself: "broke" is a lemma (penniless) and
// also the past of "break"; "backed" an adjective and the past of the verb
// "back". A phrase is inflected in its first word ("broke up" -> "break up")
// or else in its last ("prime ministers" -> "prime minister").
func (t *table) baseForms(lw string) []string {
	var out []string
	add := func(b string, pos uint8) {
		if b == lw || t.isStop(b) || slices.Contains(out, b) {
			return
		}
		if e, ok := t.rel[b]; ok && e.pos&pos != 0 {
			out = append(out, b)
		}
	}
	firstWord, rest, multi := strings.Cut(lw, " ")
	if !multi {
		for _, v := range t.variants(lw) {
			add(v.base, v.pos)
		}
		return out
	}
	if _, ok := t.rel[lw]; ok {
		return nil
	}
	for _, v := range t.variants(firstWord) {
		add(v.base+" "+rest, v.pos)
	}
	if len(out) > 0 {
		return out
	}
	i := strings.LastIndexByte(lw, ' ')
	head, last := lw[:i+1], lw[i+1:]
	for _, v := range t.variants(last) {
		add(head+v.base, v.pos)
	}
	return out
}
