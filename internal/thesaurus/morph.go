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

const anyPOS = posNoun | posVerb | posAdj | posAdv

// cand is a candidate base form stem+base that must have part of speech pos.
type cand struct {
	stem, base string
	pos        uint8
}

// candidates appends to out the candidate base forms of the lowercase word
// w: its irregular bases from WordNet's exception lists, then the outputs of
// the suffix rules for the parts of speech that w is not itself a lemma of,
// as morphy does ("gas" is a noun, so it is not the plural of "ga").
// Candidates are returned in parts, not as strings, so that a caller can
// test them against the table in a stack buffer without allocating.
func (t *table) candidates(w string, out []cand) []cand {
	if bases := t.data.bases(w); bases != "" {
		for b := range strings.SplitSeq(bases, "\t") {
			out = append(out, cand{b, "", anyPOS})
		}
	}
	// Like morphy, leave "-ss" words ("glass", "boss") and very short
	// words alone: stripping them gives nonsense bases.
	if len(w) <= 2 || strings.HasSuffix(w, "ss") {
		return out
	}
	e, _ := t.data.entry(w)
	own := e.pos
	for _, r := range suffixRules {
		if own&r.pos == 0 && len(w) > len(r.suffix)+1 && strings.HasSuffix(w, r.suffix) {
			out = append(out, cand{w[:len(w)-len(r.suffix)], r.base, r.pos})
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
	var cs [24]cand
	var buf [128]byte
	try := func(prefix, w, suffix string) {
		for _, c := range t.candidates(w, cs[:0]) {
			b := append(append(append(append(buf[:0], prefix...), c.stem...), c.base...), suffix...)
			e, ok := t.data.entry(string(b))
			if !ok || e.pos&c.pos == 0 || string(b) == lw {
				continue
			}
			if s := string(b); !t.isStop(s) && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	firstWord, rest, multi := strings.Cut(lw, " ")
	if !multi {
		try("", lw, "")
		return out
	}
	if _, ok := t.data.entry(lw); ok {
		return nil
	}
	try("", firstWord, " "+rest)
	if len(out) > 0 {
		return out
	}
	i := strings.LastIndexByte(lw, ' ')
	try(lw[:i+1], lw[i+1:], "")
	return out
}
