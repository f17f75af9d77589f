package answer

import (
	"github.com/briefbot/briefbot"
)

// answersSpecifically reports whether a passage holds the specific fact a
// question asks for, beyond sharing its topic. A passage about the right
// thing often lacks the one detail asked for: "How many peacekeepers
// patrol the corridor?" against the paragraph that mentions the
// peacekeepers and, elsewhere, "six weeks of fighting". The rules, each
// only for wording that says what is wanted:
//
//   - a fact of the asked kind (a count for "how many", a date for "when",
//     ...) must be in a sentence about the question, one holding one of its
//     words (two are too many: a sentence says "the attack" or "there"
//     for words of the sentence before), and a count is no label ("Article 6") or span of time ("six weeks")
//     unless time is what is counted.
func answersSpecifically(question string, p briefbot.Passage) bool {
	q := words(question)
	sents := sentences(p.Text)
	if k := askedKind(question); k != kindAny && !kindInTopic(q, k, sents) {
		return false
	}
	return true
}

// kindInTopic reports whether a sentence about the question holds a fact
// of kind k.
func kindInTopic(q []word, k answerKind, sents []sentence) bool {
	content := contentWords(q)
	counted := countedWords(q)
	var all []word
	for _, s := range sents {
		all = append(all, s.words...)
	}
	// A passage that has none of the question's words (a paraphrase
	// match) cannot tell which of its sentences is about the question.
	topical := false
	for _, c := range content {
		topical = topical || hasWord(all, c)
	}
	for _, s := range sents {
		about := !topical
		for _, c := range content {
			about = about || hasWord(s.words, c)
		}
		if !about {
			continue
		}
		if k == kindQuantity {
			if hasCount(s.words, counted) {
				return true
			}
		} else if holdsKind(s.text, k) {
			return true
		}
	}
	return false
}

// countedWords are the words right after "how many" up to a stop word:
// what the question counts ("how many Russian troops are ..." -> russian,
// troops).
func countedWords(q []word) []string {
	var out []string
	for i := 0; i+1 < len(q); i++ {
		if q[i].lower != "how" || q[i+1].lower != "many" {
			continue
		}
		for _, w := range q[i+2:] {
			if stopWords[w.lower] || len(out) == 3 {
				break
			}
			out = append(out, w.lower)
		}
		break
	}
	return out
}

// hasCount reports whether ws holds a count: a number that is no year, no
// label of a name and no range of years, and not a span of time unless
// time is what the question counts.
func hasCount(ws []word, counted []string) bool {
	countsTime := false
	for _, c := range counted {
		if unitWords[c] {
			countsTime = true
		}
	}
	for i, w := range ws {
		digit := w.lower[0] >= '0' && w.lower[0] <= '9'
		if !(digit && !isYear(w.lower) && !w.label && !isRange(w.lower)) && !numberWords[w.lower] {
			continue
		}
		if !countsTime && i+1 < len(ws) && unitWords[ws[i+1].lower] {
			continue
		}
		return true
	}
	return false
}

// isRange reports whether w is a range of numbers such as "1988-94".
func isRange(w string) bool {
	for _, c := range w {
		if c == '-' || c == '–' {
			return true
		}
	}
	return false
}
