package index

import (
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
)

// maxCorpusAcronyms bounds the acronyms an index learns from its corpus.
const maxCorpusAcronyms = 50000

// corpusAcronyms returns the acronyms learned from the corpus. A build
// learns them (see deriveFrom) and the first question that writes an
// acronym decodes them; only for a build of an older format are they
// learned then, scanning every passage.
func (ix *Index) corpusAcronyms() map[string]string {
	ix.acronymsOnce.Do(func() {
		if ix.acronymTable != "" {
			m, err := decodeAcronyms(ix.acronymTable)
			if err == nil {
				ix.acronyms = m
				return
			}
			// The manifest's checksum held: a table it holds decodes.
			slog.Warn("index acronyms unreadable; learning them again", "dir", ix.dir, "err", err)
		}
		if ix.textAt != nil {
			// The texts are on disk, not in flat: nothing to learn from.
			ix.acronyms = map[string]string{}
			return
		}
		ix.acronyms = acronymsOf(ix.flat)
	})
	return ix.acronyms
}

// acronymsOf finds, in every passage, the capitalised phrases that an
// acronym could stand for ("Collective Security Treaty Organization" for
// CSTO, "International Criminal Court" for ICC), keyed by their initials,
// the first phrase seen winning. A question may use the acronym where the
// documents spell the name out; the thesaurus knows only common acronyms,
// and sometimes another name for the same letters.
func acronymsOf(flat []briefbot.Passage) map[string]string {
	acronyms := map[string]string{}
	for _, p := range flat {
		addAcronyms(acronyms, p.Text)
	}
	return acronyms
}

// addAcronyms adds to acronyms what text holds (see acronymsOf).
func addAcronyms(acronyms map[string]string, text string) {
	for _, phrase := range capitalisedPhrases(text) {
		key := initialsOf(phrase)
		if _, ok := acronyms[key]; ok || len(acronyms) >= maxCorpusAcronyms {
			continue
		}
		acronyms[key] = phrase
	}
}

// joiners may stand inside a name without a capital.
var joiners = map[string]bool{"of": true, "the": true, "and": true, "for": true, "on": true, "in": true, "de": true}

// capitalisedPhrases returns the runs of two to eight capitalised words in
// text, small joining words allowed inside ("Treaty of Lisbon"); a run ends
// at punctuation.
func capitalisedPhrases(text string) []string {
	var out []string
	segments := strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsPunct(r) && r != '-' && r != '\'' && r != '’' || unicode.IsSymbol(r)
	})
	for _, seg := range segments {
		words := strings.FieldsFunc(seg, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '\'' && r != '’'
		})
		start, caps := -1, 0
		flush := func(end int) {
			if start < 0 {
				return
			}
			// Drop joiners at the end ("Bank of").
			for end > start && joiners[words[end-1]] {
				end--
			}
			if caps >= 2 && caps <= 8 {
				out = append(out, strings.Join(words[start:end], " "))
			}
			start, caps = -1, 0
		}
		for i, w := range words {
			r, _ := utf8.DecodeRuneInString(w)
			switch {
			case unicode.IsUpper(r) && !isAcronym(w):
				if start < 0 {
					start = i
				}
				caps++
			case start >= 0 && joiners[w] && !joiners[words[i-1]]:
				// One joiner stays inside the run ("Bank of England"); two
				// in a row join two names ("… Corridor and the Bank").
			default:
				flush(i)
			}
		}
		flush(len(words))
	}
	return out
}

// initialsOf is the lower-cased initials of a phrase's capitalised words,
// hyphenated parts counting apart ("North-South" gives "ns").
func initialsOf(phrase string) string {
	var b strings.Builder
	for _, w := range strings.Fields(phrase) {
		if joiners[w] {
			continue
		}
		for part := range strings.SplitSeq(w, "-") {
			if r, _ := utf8.DecodeRuneInString(part); unicode.IsUpper(r) {
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return b.String()
}

// spellOutAcronyms replaces, in a question, each acronym written in
// capitals that the corpus never uses by the phrase the corpus spells it
// out with, so that "Is Armenia in the CSTO?" is searched as "Is Armenia in
// the Collective Security Treaty Organization?".
func (ix *Index) spellOutAcronyms(query string) string {
	if strings.ToUpper(query) == query {
		return query
	}
	var b strings.Builder
	changed := false
	rest := query
	fields := strings.FieldsFunc(query, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' })
	for _, f := range fields {
		word := strings.TrimSuffix(f, ".")
		if !isAcronym(word) || utf8.RuneCountInString(word) < 2 {
			continue
		}
		letters := strings.ToLower(strings.ReplaceAll(word, ".", ""))
		if !onlyLetters(letters) {
			// "000" of "1,000", "A1": initials are letters only, so no
			// learned acronym can match, and asking would learn them all
			// (a scan of every passage) for nothing.
			continue
		}
		phrase, ok := ix.corpusAcronyms()[letters]
		if !ok || ix.usesWord(word) {
			continue
		}
		i := strings.Index(rest, f)
		if i < 0 {
			continue
		}
		b.WriteString(rest[:i])
		b.WriteString(phrase)
		rest = rest[i+len(f):]
		changed = true
	}
	if !changed {
		return query
	}
	b.WriteString(rest)
	return b.String()
}

// onlyLetters reports whether s is made of letters only, as the keys of
// the learned acronyms are.
func onlyLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// usesWord reports whether the corpus has the analyzed form of word.
func (ix *Index) usesWord(word string) bool {
	terms := ix.Analyze(word)
	if len(terms) == 0 {
		return false // a stop word in lower case ("US")
	}
	for _, t := range terms {
		if df, err := ix.docFreq(t); err != nil || df == 0 {
			return false
		}
	}
	return true
}
