// Package thesaurus owns briefbot's paraphrase knowledge: for a word or
// phrase of an analyst's question it gives the words a document may use
// instead ("dispute" -> "conflict", "Moscow" -> "Russia", "the EU" ->
// "European Union"), each with a weight in (0,1], so that search can match
// passages that do not repeat the question's words.
//
// The knowledge is a table derived from WordNet 3.0 by ./gen and embedded
// as sorted text (related.txt, licence in WORDNET_LICENSE), with GloVe
// neighbours beside it (neighbours.txt). Nothing is decoded at start:
// lookups are binary searches in the embedded text (table.go).
package thesaurus

//go:generate go run ./gen -wordnet /usr/share/wordnet -out related.txt

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/internal/memo"
)

//go:embed related.txt
var relatedTxt string

// neighboursTxt is made by ./genglove from GloVe vectors.
//
//go:embed neighbours.txt
var neighboursTxt string

//go:embed stopwords.txt
var stopwordsTxt string

// Related is a phrase that may stand for the looked-up word in a document.
// Weight is in (0,1]: 1 for synonyms through the word's most frequent sense,
// less for rarer senses and looser relations (see README.md).
type Related struct {
	Phrase string
	Weight float64
}

// table is the embedded data and the stopwords. Related lists stay encoded
// (as substrings of the embedded text) until looked up.
type table struct {
	data tableData
	stop map[string]bool
	// lookups caches lookup's results and phraseLengths matchPhrase's
	// masks, per word: each costs several binary searches of the tables,
	// and questions repeat their words. The lists are shared, and never
	// modified.
	lookups       memo.Map[string, []Related]
	phraseLengths memo.Map[string, uint32]
}

// maxCachedWords bounds each of a table's caches.
const maxCachedWords = 50000

// cachedLookup is lookup through t.lookups.
func (t *table) cachedLookup(w string) []Related {
	return t.lookups.Get(w, func() []Related { return t.lookup(w) })
}

// tableData answers the lookups the table needs; sortedTable reads the
// embedded text in place (table.go).
type tableData interface {
	// entry gives a lemma's parts of speech and related phrases.
	entry(lemma string) (entry, bool)
	// bases gives an irregular form's base lemmas, tab-separated, or "".
	bases(form string) string
	// neighbours gives a word's "neighbour|pct\t..." list, best first.
	neighbours(word string) (string, bool)
	// firstLengths sets bit n when a lemma of n > 1 words starts with
	// word (n < 32).
	firstLengths(word string) uint32
}

// Parts of speech of a lemma, as a bit set: inflection rules are specific
// to one ("backed" is an adjective, and also the past of the verb "back";
// "news" is a noun but not the plural of the adjective "new").
const (
	posNoun uint8 = 1 << iota
	posVerb
	posAdj
	posAdv
)

type entry struct {
	pos uint8
	enc string // "phrase|pct\tphrase|pct...", best first
}

var (
	loadOnce sync.Once
	tbl      *table
)

func get() *table {
	loadOnce.Do(func() {
		tbl = &table{
			data: sortedTable{rel: newSortedLines(relatedTxt, true), nb: newSortedLines(neighboursTxt, false)},
			stop: parseStopwords(stopwordsTxt),
		}
		tbl.lookups.Max, tbl.phraseLengths.Max = maxCachedWords, maxCachedWords
	})
	return tbl
}

func parseStopwords(s string) map[string]bool {
	stop := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			stop[l] = true
		}
	}
	return stop
}

func parsePOS(s string) uint8 {
	var p uint8
	for _, c := range []byte(s) {
		switch c {
		case 'n':
			p |= posNoun
		case 'v':
			p |= posVerb
		case 'a':
			p |= posAdj
		case 'r':
			p |= posAdv
		}
	}
	return p
}

// decode appends the related phrases encoded in enc, scaled by scale, except
// the phrase skip (the word being looked up).
func decode(dst []Related, enc string, scale float64, skip string) []Related {
	for enc != "" {
		item := enc
		if i := strings.IndexByte(enc, '\t'); i >= 0 {
			item, enc = enc[:i], enc[i+1:]
		} else {
			enc = ""
		}
		bar := strings.LastIndexByte(item, '|')
		pct := 0
		if bar > 0 && len(item)-bar <= 4 {
			for _, c := range []byte(item[bar+1:]) {
				if c < '0' || c > '9' {
					pct = 0
					break
				}
				pct = pct*10 + int(c-'0')
			}
		}
		if pct < 1 || pct > 100 {
			continue // not written by the generator
		}
		if p := item[:bar]; p != skip {
			dst = append(dst, Related{Phrase: p, Weight: scale * float64(pct) / 100})
		}
	}
	return dst
}

// normalize trims a word or phrase, folds typographic apostrophes and
// underscores, and collapses inner whitespace; case is kept for acronyms.
func normalize(s string) string {
	if isClean(s) {
		return s
	}
	s = normReplacer.Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

var normReplacer = strings.NewReplacer("\u2019", "'", "\u2018", "'", "_", " ")

// isClean reports whether s is already normalized: ASCII without
// underscores, no leading, trailing or doubled space, no other whitespace.
func isClean(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c == '_' || c < ' ' || (c == ' ' && s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// isAcronym reports whether s is written in capitals: at least two letters
// and no lower-case one ("US", "EU", "U.S.").
func isAcronym(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// isStop reports whether a lowercase phrase is a single character or made
// only of stopwords: such phrases never have related phrases.
func (t *table) isStop(phrase string) bool {
	if utf8.RuneCountInString(phrase) < 2 {
		return true
	}
	if !strings.Contains(phrase, " ") {
		return t.stop[phrase]
	}
	for w := range strings.FieldsSeq(phrase) {
		if !t.stop[w] {
			return false
		}
	}
	return true
}

// Lookup returns the phrases related to a word or phrase, best first (by
// weight, then alphabetically). The input is matched lowercased, as given and
// through its WordNet base forms ("geese" -> "goose", "broke up" -> "break
// up", "utilities" -> "utility"); a base form is itself among the results.
// Words written in capitals are first looked up as acronyms, so "US" finds the
// United States though "us" is a stopword. Stopwords, single characters and
// unknown words give nil.
func Lookup(word string) []Related {
	return slices.Clone(get().cachedLookup(normalize(word)))
}

// lookup gives WordNet's related phrases of w, merged with w's nearest
// neighbours in the GloVe vector space. Neighbours catch what a dictionary
// of synonyms cannot ("utilities" -> "electricity", "unmanned" -> "drones",
// "unrest" -> "protests"); their weight is the squared cosine similarity,
// so only close neighbours count much.
func (t *table) lookup(w string) []Related {
	out := t.lookupWordNet(w)
	lw := strings.ToLower(w)
	if w != lw || t.isStop(lw) {
		return out
	}
	enc, ok := t.data.neighbours(lw)
	if !ok {
		return out
	}
	n := len(out)
	out = decode(out, enc, 1, lw)
	for i := n; i < len(out); i++ {
		out[i].Weight *= out[i].Weight
	}
	return sortRelated(out)
}

func (t *table) lookupWordNet(w string) []Related {
	if w == "" {
		return nil
	}
	if isAcronym(w) {
		if e, ok := t.data.entry(w); ok {
			return sortRelated(decode(nil, e.enc, 1, w))
		}
	}
	lw := strings.ToLower(w)
	if t.isStop(lw) {
		return nil
	}
	e, ok := t.data.entry(lw)
	bases := t.baseForms(lw)
	if len(bases) == 0 {
		if !ok {
			return nil
		}
		// The generator wrote the list best first, without duplicates.
		return decode(make([]Related, 0, strings.Count(e.enc, "\t")+1), e.enc, 1, lw)
	}
	var out []Related
	if ok {
		out = decode(out, e.enc, 1, lw)
	}
	for _, b := range bases {
		out = append(out, Related{Phrase: b, Weight: 1})
		e, _ := t.data.entry(b)
		out = decode(out, e.enc, 1, lw)
	}
	return sortRelated(out)
}

// sortRelated orders by weight then phrase and keeps the best weight of each
// phrase.
func sortRelated(rs []Related) []Related {
	if len(rs) == 0 {
		return nil
	}
	slices.SortFunc(rs, func(a, b Related) int {
		if c := strings.Compare(a.Phrase, b.Phrase); c != 0 {
			return c
		}
		switch {
		case a.Weight > b.Weight:
			return -1
		case a.Weight < b.Weight:
			return 1
		}
		return 0
	})
	rs = slices.CompactFunc(rs, func(a, b Related) bool { return a.Phrase == b.Phrase })
	slices.SortStableFunc(rs, func(a, b Related) int {
		switch {
		case a.Weight > b.Weight:
			return -1
		case a.Weight < b.Weight:
			return 1
		}
		return 0
	})
	return rs
}
