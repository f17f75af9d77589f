package thesaurus

import (
	"strings"
	"unicode"
)

// Expansion is one span of a query that has related phrases.
type Expansion struct {
	// Span is the matched words of the query, lowercased and joined by
	// single spaces (acronyms keep their capitals: "US").
	Span string
	// Start and End index the query's words (as Words splits them):
	// the span is words [Start, End).
	Start, End int
	Related    []Related
}

// token is one word of a query as written and lowercased.
type token struct {
	orig, low string
}

// Words splits a query into the words that Expand indexes: runs of letters
// and digits, with inner hyphens, apostrophes and dots kept ("public-service",
// "o'clock", "u.s.") and a possessive "'s" dropped ("Russia's" -> "russia").
func Words(query string) []string {
	toks := tokenize(query)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.low
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isJoiner(r rune) bool { return r == '-' || r == '\'' || r == '\u2019' || r == '.' }

func tokenize(query string) []token {
	rs := []rune(query)
	var out []token
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(rs) {
			if isWordRune(rs[j]) {
				j++
			} else if isJoiner(rs[j]) && j+1 < len(rs) && isWordRune(rs[j+1]) {
				j += 2
			} else {
				break
			}
		}
		// Keep the final dot of a dotted abbreviation ("U.S.") so that it
		// matches WordNet's "u.s.".
		end := j
		if j < len(rs) && rs[j] == '.' && strings.ContainsRune(string(rs[i:j]), '.') {
			end = j + 1
		}
		orig := strings.ReplaceAll(string(rs[i:end]), "\u2019", "'")
		if n := len(orig); n > 2 && strings.EqualFold(orig[n-2:], "'s") {
			orig = orig[:n-2]
		}
		out = append(out, token{orig: orig, low: strings.ToLower(orig)})
		i = end
	}
	return out
}

// Expand finds the spans of a query that have related phrases, left to
// right. At each word it prefers the longest multiword lemma starting there
// ("european union", "shut off", "turn a blind eye", also inflected: "broke
// up"), then the word alone. Stopwords are skipped unless written as an
// acronym in a query that is not all capitals ("US", "WHO").
func Expand(query string) []Expansion {
	t := get()
	toks := tokenize(query)
	acronyms := strings.ToUpper(query) != query
	var out []Expansion
	for i := 0; i < len(toks); {
		if n, rel := t.matchPhrase(toks, i); n > 0 {
			out = append(out, Expansion{Span: joinLow(toks[i : i+n]), Start: i, End: i + n, Related: rel})
			i += n
			continue
		}
		tk := toks[i]
		word := tk.low
		if acronyms && isAcronym(tk.orig) {
			word = tk.orig
		}
		if rel := t.cachedLookup(word); len(rel) > 0 {
			out = append(out, Expansion{Span: word, Start: i, End: i + 1, Related: rel})
		}
		i++
	}
	return out
}

// matchPhrase returns the length and related phrases of the longest
// multiword lemma starting at toks[i], or 0. Only the lengths of the table's
// lemmas starting with that word (or its base form) are tried.
func (t *table) matchPhrase(toks []token, i int) (int, []Related) {
	lengths := t.phraseLengthsOf(toks[i].low)
	for n := min(longest(lengths), len(toks)-i); n >= 2 && lengths&(1<<(n+1)-1) != 0; n-- {
		if lengths&(1<<n) == 0 {
			continue
		}
		if rel := t.cachedLookup(joinLow(toks[i : i+n])); len(rel) > 0 {
			return n, rel
		}
	}
	return 0, nil
}

// phraseLengthsOf sets bit n when a lemma of n > 1 words starts with low
// or one of its base forms, through t.phraseLengths.
func (t *table) phraseLengthsOf(low string) uint32 {
	return t.phraseLengths.Get(low, func() uint32 {
		lengths := t.data.firstLengths(low)
		if !t.stop[low] {
			var cs [24]cand
			var buf [64]byte
			for _, c := range t.candidates(low, cs[:0]) {
				lengths |= t.data.firstLengths(string(append(append(buf[:0], c.stem...), c.base...)))
			}
		}
		return lengths
	})
}

func joinLow(toks []token) string {
	if len(toks) == 1 {
		return toks[0].low
	}
	var b strings.Builder
	for i, tk := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tk.low)
	}
	return b.String()
}
