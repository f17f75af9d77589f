package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ContentWords returns the distinct content words of s, in order: lower
// cased, lightly stemmed, without stop words and without citation markers.
// Numbers are content words: they are what a hallucinated figure gets
// wrong.
func ContentWords(s string) []string {
	s = stripMarkers(s)
	var out []string
	seen := map[string]bool{}
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.ToLower(s[start:end])
		start = -1
		if stopWords[w] {
			return
		}
		if utf8.RuneCountInString(w) < 2 && !isDigits(w) {
			return
		}
		w = stem(w)
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// stem strips a few English inflections, enough for a paraphrase
// ("tensions rose", "rising tension") to share words with its passage. It
// is deliberately light: a wrong merge only makes the support check a
// little more lenient.
func stem(w string) string {
	if isDigits(w) || !isASCII(w) {
		return w
	}
	n := len(w)
	switch {
	case n > 5 && strings.HasSuffix(w, "ing"):
		w = w[:n-3]
	case n > 4 && (strings.HasSuffix(w, "ies") || strings.HasSuffix(w, "ied")):
		w = w[:n-3] + "y"
	case n > 4 && strings.HasSuffix(w, "ed"):
		w = w[:n-2]
	case n > 4 && (strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes")):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	}
	// "recognize", "recognized", "recognizes" all end up "recogniz".
	if len(w) > 4 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

func isASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// supportRatio decides whether a sentence with total distinct content words
// sharing shared of them with a passage is supported by it: either 40% of
// its words come from the passage, or at least three do and they make up
// 30% of it. A long claim citing the wrong passage often shares a couple of
// the topic's words with it ("Article 9 calls for unblocking..." cited to
// the passage on Article 6 shares "article" and "call"); that is not
// support.
func supportRatio(shared, total int) bool {
	if total == 0 || shared == 0 {
		return false
	}
	return shared*5 >= total*2 || (shared >= 3 && shared*10 >= total*3)
}

// Supports tells whether passage supports sentence: enough of the
// sentence's content words (see ContentWords) occur in the passage, and
// every number among them does.
func Supports(passage, sentence string) bool {
	words := map[string]bool{}
	for _, w := range ContentWords(passage) {
		words[w] = true
	}
	return supported(ContentWords(sentence), words)
}

func supported(sentence []string, passage map[string]bool) bool {
	shared := 0
	for _, w := range sentence {
		if passage[w] {
			shared++
		} else if isDigits(w) {
			// A number the passage does not give (a year, an article, a
			// count) is a claim it cannot support, whatever else matches.
			return false
		}
	}
	return supportRatio(shared, len(sentence))
}

// stopWords are function words of the languages briefbot is most often
// asked in, plus the words a model uses to talk about its sources
// ("according to the passage"), which say nothing about support.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a about above after again against all also although am an and any are aren as at
be because been before being below between both but by can cannot could did didn do does
doesn doing don down during each either few for from further had has have having he her
hasn haven here hers herself him himself his how however i if in into is isn it its itself
just least less let like may me might more most much must my myself neither no nor not
now of off on once only or other our ours ourselves out over own per rather same she
should since so some such than that the their theirs them themselves then there these
they this those though through thus to too under until up upon us very via was wasn
we were weren what when where whether which while who whom whose why will with within without
won would yes yet you your yours yourself
according passage passages document documents source sources text texts states stated
says said mention mentions mentioned note notes noted report reports reported describe
describes described explain explains explained indicate indicates indicated suggest
suggests suggested answer question
le la les un une des du de et ou en dans sur pour par avec sans est sont été être
au aux ce ces cet cette qui que quoi dont où il elle ils elles nous vous leur leurs
son sa ses se ne pas plus ni mais donc car selon
el los las unos unas del y o en con sin es son por para que se su sus según
der die das den dem des ein eine einer und oder ist sind mit von zu im auf für nicht
`) {
		m[w] = true
	}
	return m
}()
