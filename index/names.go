package index

import (
	"log/slog"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
)

// maxCorpusNames bounds the words an index keeps the case counts of.
const maxCorpusNames = 200000

// caseCount counts a word's uses inside sentences (the first word of a
// sentence is capitalized whatever it is): capitalized, and not.
type caseCount struct{ upper, lower int32 }

// IsName reports whether the documents write word as a name: capitalized
// in most of its uses inside sentences ("Iran", "Pashinyan", "Shusha"), so
// that a question typed in lower case ("who is pashinyan") is still seen
// to name something. A word the documents never use is no name of theirs.
func (ix *Index) IsName(word string) bool {
	ix.namesOnce.Do(ix.loadNames)
	_, ok := slices.BinarySearch(ix.names, strings.ToLower(word))
	return ok
}

// loadNames decodes, once, the names the build listed; a build of a format
// without the list learns them from its passages' texts, which it holds.
func (ix *Index) loadNames() {
	if ix.namesTable != "" {
		d := decoder{s: ix.namesTable}
		ix.names = d.strs()
		if d.end() == nil && slices.IsSorted(ix.names) {
			return
		}
		slog.Warn("index names unreadable", "dir", ix.dir)
	}
	if ix.textAt != nil {
		// The texts are on disk, not in flat: nothing to learn from.
		ix.names = nil
		return
	}
	ix.names = nameList(namesOf(ix.flat))
}

// namesOf counts how the passages write each word inside their sentences.
func namesOf(flat []briefbot.Passage) map[string]caseCount {
	names := map[string]caseCount{}
	for _, p := range flat {
		countNames(names, p.Text)
	}
	return names
}

// countNames adds to names how text writes each word (see namesOf).
func countNames(names map[string]caseCount, text string) {
	for _, s := range corpus.Sentences(text) {
		words := strings.FieldsFunc(text[s.Start:s.End], func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '\'' && r != '’'
		})
		for i, w := range words {
			w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
			if i == 0 || w == "" {
				continue
			}
			key := strings.ToLower(w)
			c, ok := names[key]
			if !ok && len(names) >= maxCorpusNames {
				continue
			}
			if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
				c.upper++
			} else {
				c.lower++
			}
			names[key] = c
		}
	}
}

// nameList lists, sorted, the words counts has capitalized in most uses.
func nameList(counts map[string]caseCount) []string {
	var names []string
	for w, c := range counts {
		if c.upper > 0 && c.upper > c.lower {
			names = append(names, w)
		}
	}
	slices.Sort(names)
	return names
}

// encodeNames encodes nameList(counts) for the manifest.
func encodeNames(counts map[string]caseCount) string {
	var e encoder
	e.strs(nameList(counts))
	return string(e.b)
}
