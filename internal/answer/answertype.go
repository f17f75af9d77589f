package answer

import (
	"strings"
	"unicode"
)

// answerKind is the kind of fact a question asks for, when its wording
// says so: "How many peacekeepers…" wants a number, "When did…" a time.
// A passage on the right topic that holds no fact of that kind does not
// answer the question, however well its words match ("How many monitors
// does the EU mission have?" against the paragraph that mentions the
// mission but gives no size).
type answerKind int

const (
	kindAny      answerKind = iota
	kindQuantity            // how many, what percentage
	kindMoney               // how much money, what dollar value
	kindYear                // what year
	kindTime                // when, what date
	kindDuration            // how long
)

// The cues are word sequences that ask for a kind of answer. "How much" on
// its own is left out: it asks for a degree as often as for an amount ("How
// much does Moscow rely on Tehran?").
var (
	quantityCues = []string{"how many", "what percentage", "what proportion", "what fraction", "what share of", "what number of"}
	moneyCues    = []string{"how much money", "dollar value", "what did it cost", "how much does it cost", "how much will it cost", "what price"}
	yearCues     = []string{"what year", "which year"}
	timeCues     = []string{"when", "what date", "which date", "what month", "which month", "since when"}
	durationCues = []string{"how long", "how many years", "how many decades"}
)

// "How much" with a word of paying asks for money ("How much did Baku pay
// for the system?", "How much tax does it charge?"); "how old", "how
// big" and "what is the population of" ask for a number.
var (
	paymentWords = setOf("pay paid pays paying cost costs costing spend spent spends charge charges charged tax taxes fee fees price priced worth budget")
	sizeCues     = []string{"how old", "how big", "how large", "how tall", "how high", "how far", "how wide", "how deep", "how heavy"}
	measureWords = setOf("population size length range area height width depth distance weight number count total strength")
)

// hasAny reports whether the padded, lower-case question q holds one of
// the words.
func hasAny(q string, words map[string]bool) bool {
	for _, w := range strings.Fields(q) {
		if words[w] {
			return true
		}
	}
	return false
}

// measureOf reports whether the padded, lower-case question q asks "what
// is the <measure> of": "What is the population of Nagorno-Karabakh?".
func measureOf(q string) bool {
	f := strings.Fields(q)
	for i := 0; i+4 < len(f); i++ {
		if f[i] == "what" && (f[i+1] == "is" || f[i+1] == "was" || f[i+1] == "are" || f[i+1] == "were" || f[i+1] == "what's") &&
			f[i+2] == "the" && measureWords[f[i+3]] && f[i+4] == "of" {
			return true
		}
	}
	return false
}

// lengthOf reports whether q asks "how long is the <place>": a length,
// not a span of time ("How long is the Lachin corridor?").
func lengthOf(q string) bool {
	f := strings.Fields(q)
	for i := 0; i+3 < len(f); i++ {
		if f[i] == "how" && f[i+1] == "long" && (f[i+2] == "is" || f[i+2] == "was" || f[i+2] == "are") {
			for _, w := range f[i+3 : min(len(f), i+7)] {
				if placeNouns[w] || placeNouns[strings.TrimSuffix(w, "s")] {
					return true
				}
			}
		}
	}
	return false
}

// askedKind reads the kind of answer from the question's wording.
func askedKind(question string) answerKind {
	q := " " + strings.Join(strings.FieldsFunc(strings.ToLower(question), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	}), " ") + " "
	has := func(cues []string) bool {
		for _, c := range cues {
			if strings.Contains(q, " "+c+" ") {
				return true
			}
		}
		return false
	}
	// Most specific first: "how long ago" is a time, "how many years" a
	// duration, "how long" a duration.
	switch {
	case strings.Contains(q, " how long ago "):
		return kindTime
	case lengthOf(q):
		return kindQuantity
	case has(durationCues):
		return kindDuration
	case has(moneyCues) || (strings.Contains(q, " how much ") && hasAny(q, paymentWords)):
		return kindMoney
	case has(quantityCues) || has(sizeCues) || measureOf(q):
		return kindQuantity
	case has(yearCues):
		return kindYear
	case has(timeCues):
		return kindTime
	}
	return kindAny
}

var (
	numberWords = setOf("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions billion billions trillion dozen dozens half third thirds quarter quarters percent percentage twice single double triple")
	moneyWords  = setOf("dollar dollars usd euro euros eur pound pounds rial rials manat ruble rubles million millions billion billions trillion")
	dateWords   = setOf("january february march april june july august september october november december monday tuesday wednesday thursday friday saturday sunday ago yesterday today recently")
	unitWords   = setOf("year years decade decades century centuries month months week weeks day days hour hours")
	// A unit of time names a time when a neighbour anchors it: "last
	// year", "two weeks earlier", "a decade ago".
	timeAnchors = setOf("last next this past previous earlier later ago")
)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// holdsKind reports whether text states a fact of kind k: a number (other
// than a year) for a quantity; a currency or large number for money; a
// year for a year; a date, month, year or anchored time expression for a
// time; a span of time for a duration.
func holdsKind(text string, k answerKind) bool {
	if k == kindAny {
		return true
	}
	if k == kindMoney && strings.ContainsAny(text, "$€£") {
		return true
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i, w := range words {
		number := (w[0] >= '0' && w[0] <= '9' && !isYear(w)) || numberWords[w]
		switch k {
		case kindQuantity:
			if number {
				return true
			}
		case kindMoney:
			if moneyWords[w] {
				return true
			}
		case kindYear:
			if isYear(w) {
				return true
			}
		case kindTime:
			if isYear(w) || dateWords[w] {
				return true
			}
			// "May" is a month next to a day number ("May 14", "14 May"),
			// otherwise usually the verb.
			if w == "may" && ((i > 0 && isDigits(words[i-1])) || (i+1 < len(words) && isDigits(words[i+1]))) {
				return true
			}
			if unitWords[w] && ((i > 0 && (timeAnchors[words[i-1]] || numberWords[words[i-1]])) || (i+1 < len(words) && timeAnchors[words[i+1]])) {
				return true
			}
		case kindDuration:
			if unitWords[w] || w == "since" {
				return true
			}
		}
	}
	return false
}

func isDigits(w string) bool {
	return w != "" && strings.Trim(w, "0123456789") == ""
}

// isYear reports whether w reads as a year: four digits from 1000 to 2999,
// or a decade such as "1990s".
func isYear(w string) bool {
	w = strings.TrimSuffix(w, "s")
	if len(w) != 4 || (w[0] != '1' && w[0] != '2') {
		return false
	}
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
