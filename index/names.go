package index

import (
	"strings"
	"unicode"
	"unicode/utf8"

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
	ix.namesOnce.Do(ix.learnNames)
	c := ix.names[strings.ToLower(word)]
	return c.upper > 0 && c.upper > c.lower
}

// learnNames counts, once, how the documents write each word inside their
// sentences. It runs at the first question that needs it: scanning every
// passage costs as much as the rest of opening an index.
func (ix *Index) learnNames() {
	ix.names = map[string]caseCount{}
	for _, p := range ix.flat {
		for _, s := range corpus.Sentences(p.Text) {
			words := strings.FieldsFunc(p.Text[s.Start:s.End], func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '\'' && r != '’'
			})
			for i, w := range words {
				w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
				if i == 0 || w == "" {
					continue
				}
				key := strings.ToLower(w)
				c, ok := ix.names[key]
				if !ok && len(ix.names) >= maxCorpusNames {
					continue
				}
				if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
					c.upper++
				} else {
					c.lower++
				}
				ix.names[key] = c
			}
		}
	}
}
