package answer

import (
	"strings"

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
//     for words of the sentence before); a count is no label ("Article
//     6"), range of years or span of time ("six weeks") unless time is
//     counted, nor a count of another thing the question names;
//   - "what is the name of X", "who is Y's X", "what is X called" need
//     someone or something named in the role X, for Y, and not a former
//     holder when the question asks for the current one;
//   - "who leads/heads/runs X" needs a sentence about X that says who is
//     in charge;
//   - "where was X" needs a sentence about X that gives a place.
func answersSpecifically(question string, p briefbot.Passage) bool {
	q := words(question)
	sents := sentences(p.Text)
	if k := askedKind(question); k != kindAny && !kindInTopic(q, k, sents) {
		return false
	}
	if a, ok := askedPerson(q); ok && !namesPerson(a, q, p, sents) {
		return false
	}
	if subject, ok := askedLeader(q); ok && !namesLeader(subject, q, sents) {
		return false
	}
	if askedPlace(q) && !namesPlace(q, sents) {
		return false
	}
	return true
}

// kindInTopic reports whether a sentence about the question holds a fact
// of kind k.
func kindInTopic(q []word, k answerKind, sents []sentence) bool {
	content := contentWords(q)
	counted := countedWords(q)
	// The words that mark a sentence as about the question: those the
	// passage has. When it has none (a paraphrase match), any sentence
	// will do.
	var marks []string
	for _, c := range content {
		for _, s := range sents {
			if hasWord(s.words, c) {
				marks = append(marks, c)
				break
			}
		}
	}
	for i, s := range sents {
		about := len(marks) == 0
		for _, c := range marks {
			about = about || hasWord(s.words, c)
		}
		if !about {
			continue
		}
		if k == kindQuantity {
			if hasCount(s.words, content, counted) {
				return true
			}
		} else if holdsKind(s.text, k) {
			return true
		} else if k == kindTime && i > 0 && pointsBack(s.words) && holdsKind(sents[i-1].text, k) {
			// A sentence that opens by pointing back takes its time from
			// the one before ("... war in September 2020. In response,
			// Azerbaijan retook seven districts.").
			return true
		}
	}
	return false
}

// backOpeners open a sentence that continues the one before.
var backOpeners = setOf("then thereafter afterwards afterward subsequently later soon meanwhile this that these those it they there he she")

// pointsBack reports whether a sentence opens by pointing back to the one
// before: "In response, ...", "Then ...", "This ...".
func pointsBack(ws []word) bool {
	if len(ws) > 1 && (ws[0].lower == "in" || ws[0].lower == "by") && (ws[1].lower == "response" || ws[1].lower == "turn" || ws[1].lower == "then") {
		return true
	}
	return len(ws) > 0 && backOpeners[ws[0].lower]
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
// label of a name and no range of years, not a span of time unless time is
// what the question counts, and not a count of another thing the question
// names ("How many troops took part in the exercises?" against "Iran held
// two large military exercises").
func hasCount(ws []word, content, counted []string) bool {
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
		if countsOther(ws[i:], content, counted) {
			continue
		}
		return true
	}
	return false
}

// countsOther reports whether the number at ws[0] counts a thing the
// question names other than what it counts: one of the question's words
// among the up to three words after it, before a stop word or punctuation.
func countsOther(ws []word, content, counted []string) bool {
	if len(counted) == 0 {
		return false
	}
	for _, w := range ws[1:min(len(ws), 4)] {
		if stopWords[w.lower] || ws[0].brk {
			return false
		}
		if slicesContainsWord(content, w.lower) && !slicesContainsWord(counted, w.lower) {
			return true
		}
		if w.brk {
			return false
		}
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

// personAsk is what a question asking for a name wants: "Who is
// Armenia's foreign minister?" wants a name that the passage gives
// that role (role foreign, minister; qualifier armenia).
type personAsk struct {
	role    []string // the role's words, the head last
	quals   []string // whose or where the role is: "Armenia's", "to Israel"
	current bool     // "current", "now": a former holder does not answer
}

// roleDeterminers open the role of "who is the ...", "who is a ...".
var roleDeterminers = setOf("the a an")

// currentWords ask for the present holder of a role; formerWords mark a
// past one.
var (
	currentWords = setOf("current currently now present today")
	formerWords  = setOf("former ex then late previous")
)

// askedPerson reads a question asking for the name that holds a role:
// "what is the name of X", "who is/was the X", "who is Y's X". "Who is
// Pashinyan?" asks about a name, not for one, and is left alone.
func askedPerson(q []word) (personAsk, bool) {
	start := -1
	for i := 0; i+1 < len(q); i++ {
		if q[i].lower == "the" && (q[i+1].lower == "name" || q[i+1].lower == "names") && i+2 < len(q) && q[i+2].lower == "of" {
			start = i + 3
			break
		}
	}
	if start < 0 && len(q) > 2 && q[0].lower == "who" {
		v := 1
		if !q[0].poss {
			switch q[1].lower {
			case "is", "was", "are", "were":
				v = 2
			default:
				return personAsk{}, false
			}
		}
		if v < len(q) && (roleDeterminers[q[v].lower] || currentWords[q[v].lower] || q[v].poss) {
			start = v
		}
	}
	// "What were Iran's October exercises called?" asks for their name.
	if start < 0 && len(q) > 3 && q[0].lower == "what" && (q[len(q)-1].lower == "called" || q[len(q)-1].lower == "named") {
		switch q[1].lower {
		case "is", "was", "are", "were":
			a := askRole(q[2 : len(q)-1])
			return a, len(a.role) > 0
		}
	}
	if start < 0 {
		return personAsk{}, false
	}
	a := askRole(q[start:])
	return a, len(a.role) > 0
}

// askRole reads a role and its qualifiers: "Azerbaijan's ambassador to
// Israel".
func askRole(q []word) personAsk {
	var a personAsk
	i := 0
	for ; i < len(q); i++ {
		w := q[i]
		switch {
		case roleDeterminers[w.lower]:
		case currentWords[w.lower]:
			a.current = true
		case formerWords[w.lower]:
			// "Israel's former defense minister": any holder answers.
		case w.poss:
			a.quals = append(a.quals, w.lower)
		case stopWords[w.lower] || w.brk:
			if !stopWords[w.lower] {
				a.role = append(a.role, w.lower)
				i++
			}
			goto object
		default:
			a.role = append(a.role, w.lower)
		}
	}
object:
	// "... of Azerbaijan", "... to Israel": the role's object qualifies it.
	if i < len(q) && (q[i].lower == "of" || q[i].lower == "to" || q[i].lower == "in" || q[i].lower == "for") {
		for _, w := range q[i+1:] {
			if roleDeterminers[w.lower] {
				continue
			}
			if stopWords[w.lower] || len(a.quals) == 3 {
				break
			}
			a.quals = append(a.quals, w.lower)
			if w.brk {
				break
			}
		}
	}
	// A role of more words runs on into a clause without "that" ("the
	// missile defense system azerbaijan used"): its first three words
	// are the role.
	if len(a.role) > 3 {
		a.role = a.role[:3]
	}
	return a
}

// namesPerson reports whether the passage gives a name the role of a: a
// capitalized word the question does not use right after the role
// ("defense minister Benny Gantz"), right before it ("Barak 8 missile
// defense system"), or introduced by it ("Pashinyan is Armenia's most
// pro-Western leader"); its qualifiers must be in that sentence or the one
// before. A passage whose heading names the role ("About the Authors")
// answers "who are the authors".
func namesPerson(a personAsk, q []word, p briefbot.Passage, sents []sentence) bool {
	head := a.role[len(a.role)-1]
	if hasWord(words(p.Section), head) || hasWord(words(p.Title), head) {
		return true
	}
	inQuestion := func(w word) bool { return hasWord(q, w.lower) }
	name := func(w word) bool {
		return (w.cap || (isDigits(w.lower) && w.label)) && !inQuestion(w) && !dateWords[w.lower]
	}
	for si, s := range sents {
		ws := s.words
		quals := ws
		if si > 0 {
			quals = append(append([]word(nil), sents[si-1].words...), ws...)
		}
		qualified := true
		for _, ql := range a.quals {
			qualified = qualified && hasWord(quals, ql)
		}
		if !qualified {
			continue
		}
		for r, w := range ws {
			if !wordMatches(w.lower, head) {
				continue
			}
			// The role's other words modify it, just before it.
			mods := ws[max(0, r-len(a.role)-2):r:r]
			whole := true
			for _, rw := range a.role[:len(a.role)-1] {
				whole = whole && (hasWord(mods, rw) || superlative(rw) || properIn(quals, rw))
			}
			if !whole {
				continue
			}
			past := false
			for _, m := range ws[max(0, r-len(a.role)-3):r] {
				for _, part := range strings.Split(m.lower, "-") {
					past = past || formerWords[part]
				}
			}
			if a.current && past {
				continue
			}
			// After: "minister Benny Gantz", "Secretary of State Antony
			// Blinken"; the question's own names may come between
			// ("President of Azerbaijan Ilham Aliyev").
			for j := r + 1; j < len(ws) && !ws[j-1].brk; j++ {
				if name(ws[j]) {
					return true
				}
				if !(ws[j].lower == "of" || ws[j].lower == "for" || (ws[j].cap && inQuestion(ws[j]))) {
					break
				}
			}
			// Before: "Barak 8 missile defense system".
			k := r - 1
			for k >= 0 && !ws[k].brk && hasWord(mods, ws[k].lower) && slicesContainsWord(a.role, ws[k].lower) {
				k--
			}
			if k >= 0 && !ws[k].brk && name(ws[k]) && k > 0 {
				return true
			}
			// Introduced: "Name is/was [the|a|Armenia's|most ...] role",
			// "Name, one of Baku's largest weapons suppliers".
			for k := r - 1; k >= max(0, r-7); k-- {
				v := ws[k]
				if (v.lower == "is" || v.lower == "was") && k > 0 && name(ws[k-1]) && !ws[k-1].brk {
					return true
				}
				if v.brk {
					if v.cap && name(v) && k < r-1 {
						return true
					}
					break
				}
			}
		}
	}
	return false
}

// properIn reports whether ws has w as a proper name (capitalized): a
// modifier naming a country ("the us secretary of state", "the iranian
// president") qualifies the role like "of the United States" would, from
// the sentence or the one before.
func properIn(ws []word, w string) bool {
	for _, x := range ws {
		if x.cap && wordMatches(x.lower, w) {
			return true
		}
	}
	return false
}

// superlative reports whether a modifier of a role ranks its holders
// ("biggest", "main"): a passage may rank them in other words ("largest").
func superlative(w string) bool {
	return (len(w) > 5 && strings.HasSuffix(w, "est")) || w == "main" || w == "top" || w == "leading"
}

func slicesContainsWord(ss []string, w string) bool {
	for _, s := range ss {
		if wordMatches(w, s) {
			return true
		}
	}
	return false
}

// leadVerbs ask who is in charge of something: "Who leads the mission?".
var leadVerbs = setOf("lead leads led head heads headed run runs ran chair chairs chaired command commands commanded direct directs directed manage manages managed")

// leaderWords say that someone is in charge.
var leaderWords = []string{"lead", "leader", "leadership", "head", "chief", "director", "chair", "chairman", "commander", "president", "manager", "founder", "led", "headed", "directed", "commanded"}

// askedLeader reads "who leads/heads/runs X" and returns X's words.
func askedLeader(q []word) ([]string, bool) {
	if len(q) < 3 || q[0].lower != "who" || !leadVerbs[q[1].lower] {
		return nil, false
	}
	subject := contentWords(q[2:])
	return subject, len(subject) > 0
}

// namesLeader reports whether a sentence about the subject (holding one of
// its words) says who is in charge: it has a word of leading and a name
// the question does not use ("Andrew J. Tabler is ... Director of the
// Institute's Junior Research Program").
func namesLeader(subject []string, q []word, sents []sentence) bool {
	for _, s := range sents {
		about, leads, named := false, false, false
		for _, w := range s.words {
			about = about || slicesContainsWord(subject, w.lower)
			for _, l := range leaderWords {
				leads = leads || w.lower == l || (len(w.lower) > len(l) && sameWord(w.lower, l))
			}
			named = named || (w.cap && !hasWord(q, w.lower) && !dateWords[w.lower])
		}
		if about && leads && named {
			return true
		}
	}
	return false
}

// askedPlace reports whether the question asks where something is or
// happened.
func askedPlace(q []word) bool {
	return len(q) > 1 && q[0].lower == "where"
}

// placeWords introduce a place; placeNouns are places without a name ("along
// the border").
var (
	placeWords = setOf("in at near to from into through along across inside outside via toward towards within reached reaches entered enters crossed crosses")
	placeNouns = setOf("border borders city capital region area country territory side frontier corridor exclave enclave route road highway village town province district abroad home sea ocean river lake coast shore island valley mountains base camp port airport")
)

// namesPlace reports whether a sentence about the question's subject gives a place the question does not name: a word of place
// ("to", "near") before a capitalized word or a place noun ("flown to
// Syria", "camps near Shusha", "along the border").
func namesPlace(q []word, sents []sentence) bool {
	// About the question's subject, the words after "where was": "Where
	// was Fazil Mustafa when ..." is about Fazil Mustafa, not every
	// sentence that says "Iranian".
	var content []string
	for _, w := range q[min(2, len(q)):] {
		if roleDeterminers[w.lower] && len(content) == 0 {
			continue
		}
		if stopWords[w.lower] {
			break
		}
		content = append(content, w.lower)
	}
	if len(content) == 0 {
		content = contentWords(q)
	}
	for _, s := range sents {
		about := false
		for _, w := range s.words {
			about = about || slicesContainsWord(content, w.lower)
		}
		if !about {
			continue
		}
		for i, w := range s.words {
			if !placeWords[w.lower] || w.brk {
				continue
			}
			for _, n := range s.words[i+1 : min(len(s.words), i+3)] {
				if (n.cap && !hasWord(q, n.lower) && !dateWords[n.lower]) || (placeNouns[n.lower] && !hasWord(q, n.lower)) {
					return true
				}
				if !roleDeterminers[n.lower] && !n.cap {
					break
				}
			}
		}
	}
	return false
}
