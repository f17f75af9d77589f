// Package thesaurus owns briefbot's paraphrase knowledge: for a word or
// phrase of an analyst's question it gives the words a document may use
// instead ("dispute" -> "conflict", "Moscow" -> "Russia", "the EU" ->
// "European Union"), each with a weight in (0,1], so that search can match
// passages that do not repeat the question's words.
//
// The knowledge is a table derived from WordNet 3.0 by ./gen and embedded
// gzipped (related.txt.gz, licence in WORDNET_LICENSE). It is decoded once,
// on first use; lookups are map reads.
package thesaurus

//go:generate go run ./gen -wordnet /usr/share/wordnet -out related.txt.gz

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed related.txt.gz
var relatedGz []byte

// neighboursGz is made by ./genglove from GloVe vectors.
//
//go:embed neighbours.txt.gz
var neighboursGz []byte

//go:embed stopwords.txt
var stopwordsTxt string

// Related is a phrase that may stand for the looked-up word in a document.
// Weight is in (0,1]: 1 for synonyms through the word's most frequent sense,
// less for rarer senses and looser relations (see README.md).
type Related struct {
	Phrase string
	Weight float64
}

// table is the decoded embedded data. Related lists stay encoded (as
// substrings of the decompressed text) until looked up: decoding all of them
// would triple the load time and memory for lemmas no query ever asks for.
type table struct {
	rel      map[string]entry    // lemma -> its parts of speech and related phrases
	exc      map[string][]string // irregular form -> base lemmas
	first    map[string]uint32   // first word of a multiword lemma -> bit n set if such a lemma has n words
	maxWords int
	stop     map[string]bool
	nb       map[string]string // word -> "neighbour|cos\t...", best first
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

// maxTableSize bounds the buffer reserved from the size a gzip trailer
// claims; the real table is under 8 MB decompressed.
const maxTableSize = 64 << 20

var (
	loadOnce sync.Once
	tbl      *table
)

func get() *table {
	loadOnce.Do(func() {
		t, err := parseTable(relatedGz, stopwordsTxt)
		if err == nil {
			t.nb, err = parseNeighbours(neighboursGz)
		}
		if err != nil {
			// The data is embedded at build time, so this is a build
			// defect; search goes on without expansion rather than failing.
			slog.Error("load thesaurus table; queries will not be expanded", "err", err)
			t = &table{rel: map[string]entry{}, exc: map[string][]string{}, first: map[string]uint32{}, stop: parseStopwords(stopwordsTxt)}
		}
		tbl = t
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

func parseTable(gz []byte, stopwords string) (*table, error) {
	text, err := gunzipText(gz, "thesaurus table")
	if err != nil {
		return nil, err
	}
	t := &table{
		rel:   make(map[string]entry, 110000),
		exc:   make(map[string][]string, 4200),
		first: map[string]uint32{},
		stop:  parseStopwords(stopwords),
	}
	for n, line := range dataLines(text) {
		kind, rest, ok1 := strings.Cut(line, "\t")
		key, val, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 || key == "" || val == "" {
			return nil, fmt.Errorf("parse thesaurus table line %d: want kind, key and values", n)
		}
		switch kind {
		case "r":
			posField, enc, ok := strings.Cut(val, "\t")
			if !ok || enc == "" {
				return nil, fmt.Errorf("parse thesaurus table line %d: want parts of speech and related phrases", n)
			}
			t.rel[key] = entry{pos: parsePOS(posField), enc: enc}
			if words := strings.Count(key, " ") + 1; words > 1 && words < 32 {
				fw, _, _ := strings.Cut(key, " ")
				t.first[fw] |= 1 << words
				t.maxWords = max(t.maxWords, words)
			}
		case "x":
			t.exc[key] = strings.Split(val, "\t")
		default:
			return nil, fmt.Errorf("parse thesaurus table line %d: unknown record kind %q", n, kind)
		}
	}
	return t, nil
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
	return get().lookup(normalize(word))
}

// lookup gives WordNet's related phrases of w, merged with w's nearest
// neighbours in the GloVe vector space. Neighbours catch what a dictionary
// of synonyms cannot ("utilities" -> "electricity", "unmanned" -> "drones",
// "unrest" -> "protests"); their weight is the squared cosine similarity,
// so only close neighbours count much.
func (t *table) lookup(w string) []Related {
	out := t.lookupWordNet(w)
	lw := strings.ToLower(w)
	enc, ok := t.nb[lw]
	if !ok || w != lw || t.isStop(lw) {
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
		if e, ok := t.rel[w]; ok {
			return sortRelated(decode(nil, e.enc, 1, w))
		}
	}
	lw := strings.ToLower(w)
	if t.isStop(lw) {
		return nil
	}
	e, ok := t.rel[lw]
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
		out = decode(out, t.rel[b].enc, 1, lw)
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

// parseNeighbours reads the neighbours table: "word\tneighbour|pct..." lines.
func parseNeighbours(gz []byte) (map[string]string, error) {
	text, err := gunzipText(gz, "neighbours table")
	if err != nil {
		return nil, err
	}
	nb := make(map[string]string, 40000)
	for n, line := range dataLines(text) {
		word, enc, ok := strings.Cut(line, "\t")
		if !ok || word == "" || enc == "" {
			return nil, fmt.Errorf("parse neighbours table line %d: want a word and its neighbours", n)
		}
		nb[word] = enc
	}
	return nb, nil
}

// gunzipText decompresses an embedded table. The gzip trailer holds the
// decompressed size (mod 2^32, ample here): growing the builder to it once
// avoids io.ReadAll's regrowth, and strings.Builder hands the text over
// without a copy.
func gunzipText(gz []byte, what string) (string, error) {
	if len(gz) < 4 {
		return "", fmt.Errorf("%s: %d bytes, too short for gzip", what, len(gz))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return "", fmt.Errorf("open %s: %w", what, err)
	}
	var sb strings.Builder
	if size := binary.LittleEndian.Uint32(gz[len(gz)-4:]); size <= maxTableSize {
		sb.Grow(int(size))
	}
	if _, err := io.Copy(&sb, zr); err != nil {
		return "", fmt.Errorf("decompress %s: %w", what, err)
	}
	return sb.String(), nil
}

// dataLines yields a table's lines with their 1-based numbers, skipping
// blank lines and "#" comments.
func dataLines(text string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for n := 1; text != ""; n++ {
			line := text
			if i := strings.IndexByte(text, '\n'); i >= 0 {
				line, text = text[:i], text[i+1:]
			} else {
				text = ""
			}
			if line == "" || line[0] == '#' {
				continue
			}
			if !yield(n, line) {
				return
			}
		}
	}
}
