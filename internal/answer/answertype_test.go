package answer

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
)

func TestAskedKind(t *testing.T) {
	tests := []struct {
		q    string
		want answerKind
	}{
		{"How many Russian peacekeepers were deployed?", kindQuantity},
		{"What percentage of Iran's population is Azeri?", kindQuantity},
		{"What was the total dollar value of the agreements?", kindMoney},
		{"How much money did Baku spend on drones?", kindMoney},
		{"In what year did the two countries establish relations?", kindYear},
		{"When did Turkey close its border with Armenia?", kindTime},
		{"On what date did the ICC issue the warrant?", kindTime},
		{"How long ago did the first war end?", kindTime},
		{"How long has the dispute gone on?", kindDuration},
		{"How much did Azerbaijan pay for the Barak 8 system?", kindMoney},
		{"How much tax does Baku charge Iranian trucks?", kindMoney},
		{"how old is andrew tabler", kindQuantity},
		{"What is the population of Nagorno-Karabakh?", kindQuantity},
		{"What is the range of the missile defense system?", kindQuantity},
		{"What is the role of Russia?", kindAny},
		{"how long is the lachin corridor", kindQuantity},
		{"How long was the new road?", kindQuantity},
		{"How long is the ceasefire supposed to last?", kindDuration},
		{"How much territory did Baku's 2020 offensive win back?", kindAny},
		{"For how many years has Russia kept troops there?", kindDuration},
		// Degree, not amount; and questions that ask for no kind of fact.
		{"How much does Moscow rely on Tehran?", kindAny},
		{"How much did Russia's support matter?", kindAny},
		{"Why is the region worth Washington's attention?", kindAny},
		{"What does Article 9 call for?", kindAny},
		{"Why is Tehran worried about Baku's ties with Israel?", kindAny},
		{"Who is the whenever-man?", kindAny}, // "when" only as a whole word
		{"", kindAny},
	}
	for _, tt := range tests {
		if got := askedKind(tt.q); got != tt.want {
			t.Errorf("askedKind(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestHoldsKind(t *testing.T) {
	tests := []struct {
		text string
		kind answerKind
		want bool
	}{
		{"Nineteen people were arrested.", kindQuantity, true},
		{"Up to a third of the population is Azeri.", kindQuantity, true},
		{"Armenia fired 4 missiles.", kindQuantity, true},
		{"The war of 2020 ended in a ceasefire.", kindQuantity, false}, // a year is no count
		{"Peacekeepers patrol the corridor.", kindQuantity, false},
		{"The deal was worth $2 billion.", kindMoney, true},
		{"The deal was worth 2 billion manat.", kindMoney, true},
		{"The two countries signed several agreements.", kindMoney, false},
		{"The war broke out in 2020.", kindYear, true},
		{"Years of insufficient attention followed.", kindYear, false},
		{"In October, Iran held exercises.", kindTime, true},
		{"Two weeks earlier, an aircraft flew along the border.", kindTime, true},
		{"Tensions spiked late last year.", kindTime, true},
		{"Fighting in the 1990s froze the conflict.", kindTime, true},
		{"Years of insufficient attention followed.", kindTime, false}, // unanchored
		{"Iran held exercises near the border.", kindTime, false},
		{"The situation may change soon.", kindTime, false}, // the verb
		{"Turkey voted on May 14.", kindTime, true},
		{"Turkey voted on 14 May.", kindTime, true},
		{"The conflict has lasted three decades.", kindDuration, true},
		{"Russia has been there since the war.", kindDuration, true},
		{"The conflict remains unresolved.", kindDuration, false},
		{"Anything at all.", kindAny, true},
		{"", kindQuantity, false},
	}
	for _, tt := range tests {
		if got := holdsKind(tt.text, tt.kind); got != tt.want {
			t.Errorf("holdsKind(%q, %v) = %v, want %v", tt.text, tt.kind, got, tt.want)
		}
	}
}

func TestComposeRefusesAFactThePassageLacks(t *testing.T) {
	// The passage matches the question's words but gives no number: the
	// question is not answered, and the passage is shown as related.
	h := hit("p1", 8, 0.9, []string{"eu", "monitor", "mission"}, "Supporting the European Union's monitoring mission on the Armenian side.")
	a := Compose("How many monitors does the EU mission have?", []briefbot.Hit{h}, briefbot.IndexInfo{}, Options{})
	if a.Answerable || a.Text != NotCovered || len(a.Related) != 1 {
		t.Errorf("answerable=%v text=%q related=%d, want not covered with the passage related", a.Answerable, a.Text, len(a.Related))
	}
	// The same passage answers a question that asks for no number.
	a = Compose("What EU mission should Washington support?", []briefbot.Hit{h}, briefbot.IndexInfo{}, Options{})
	if !a.Answerable || !strings.Contains(a.Text, "monitoring mission") {
		t.Errorf("answerable=%v text=%q, want the quote", a.Answerable, a.Text)
	}
}

// FuzzAnswerKind feeds arbitrary questions and passages to the answer-kind
// rules: they must not panic, and a question asking for nothing in
// particular is answered by any text.
func FuzzAnswerKind(f *testing.F) {
	for _, s := range []string{"How many troops?", "When did it end?", "In what year", "how long ago", "$5", "1990s", "two weeks earlier", "", "é ™ 12", "last"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, question, text string) {
		k := askedKind(question)
		if k < kindAny || k > kindDuration {
			t.Fatalf("askedKind(%q) = %d", question, k)
		}
		got := holdsKind(text, k)
		if k == kindAny && !got {
			t.Fatalf("holdsKind(%q, kindAny) = false", text)
		}
	})
}
