package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/corpus"
)

// word is one word of a question or a passage sentence, as the specific
// answer rules (specific.go) read it.
type word struct {
	text  string // as written, edge punctuation and a possessive 's dropped
	lower string // lower case, dots dropped ("U.S." -> "us")
	cap   bool   // starts with an upper-case letter
	poss  bool   // was written with a possessive 's
	brk   bool   // punctuation (, ; : . ( ) —) follows it and ends a phrase
	label bool   // a number that labels a name ("Article 6", "Barak 8")
}

// words splits text into words; a dash between words ("Armenia—a") and
// punctuation at either end of a word separate phrases.
func words(text string) []word {
	var out []word
	for _, f := range strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || r == '—' || r == '–'
	}) {
		if len(out) > 0 && strings.ContainsAny(f[:1], "(") {
			out[len(out)-1].brk = true
		}
		core := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if core == "" {
			if len(out) > 0 {
				out[len(out)-1].brk = true
			}
			continue
		}
		w := word{text: core}
		for _, s := range []string{"'s", "’s", "'", "’"} {
			if t, ok := strings.CutSuffix(w.text, s); ok && t != "" {
				w.text, w.poss = t, true
				break
			}
		}
		w.lower = strings.ToLower(strings.ReplaceAll(w.text, ".", ""))
		r, _ := utf8.DecodeRuneInString(w.text)
		w.cap = unicode.IsUpper(r)
		// An abbreviation's last dot ("U.S.") ends no phrase.
		if i := strings.LastIndex(f, core); i >= 0 {
			rest := f[i+len(core):]
			if strings.Contains(core, ".") {
				rest = strings.TrimPrefix(rest, ".")
			}
			w.brk = strings.ContainsAny(rest, ",;:.!?()—")
		}
		if len(out) > 0 && isDigits(w.lower) && out[len(out)-1].cap && !out[len(out)-1].brk {
			w.label = true
		}
		out = append(out, w)
	}
	return out
}

// sentence is one sentence of a passage, as text and as words.
type sentence struct {
	text  string
	words []word
}

// sentences splits text into its sentences.
func sentences(text string) []sentence {
	var out []sentence
	for _, s := range corpus.Sentences(text) {
		if ws := words(text[s.Start:s.End]); len(ws) > 0 {
			out = append(out, sentence{text[s.Start:s.End], ws})
		}
	}
	if len(out) == 0 {
		if ws := words(text); len(ws) > 0 {
			out = append(out, sentence{text, ws})
		}
	}
	return out
}

// sameWord reports whether two lower-case words are forms of one word: equal,
// or the shorter (of at least four letters) begins the longer, which has at
// most three letters more ("iran"/"iranian", "armenia"/"armenians"), or
// both share all but their last two letters and at least five
// ("defence"/"defense", "minister"/"ministry").
func sameWord(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) >= 4 && len(b)-len(a) <= 3 && strings.HasPrefix(b, a) {
		return true
	}
	n := 0
	for n < len(a) && a[n] == b[n] {
		n++
	}
	return n >= 5 && len(a)-n <= 2 && len(b)-n <= 2
}

// hasWord reports whether ws holds a form of w, either as a word or as a
// part of a hyphenated word ("then-defense").
func hasWord(ws []word, w string) bool {
	for _, x := range ws {
		if wordMatches(x.lower, w) {
			return true
		}
	}
	return false
}

func wordMatches(x, w string) bool {
	if sameWord(x, w) {
		return true
	}
	if strings.Contains(x, "-") {
		for _, p := range strings.Split(x, "-") {
			if p != "" && sameWord(p, w) {
				return true
			}
		}
	}
	return false
}

// stopWords are the words of a question that say nothing about its topic.
var stopWords = setOf("a an the of to in on at for from by with about as into over under after before during between against without within through and or but nor so if than then that this these those there here it its it's is are was were be been being am do does did doing done have has had having will would shall should can could may might must what which who whom whose when where why how i me my we our you your he him his she her they them their one ones not no yes any some many much more most other such very just also please tell know name names called call say said long old often far")

// contentWords are the lower-case words of ws that are not stop words.
func contentWords(ws []word) []string {
	var out []string
	for _, w := range ws {
		if !stopWords[w.lower] && !isDigits(w.lower) {
			out = append(out, w.lower)
		}
	}
	return out
}
