package answer

import (
	"testing"

	"github.com/briefbot/briefbot"
)

func TestAnswersSpecificallyKindInTopic(t *testing.T) {
	const corridor = "After six weeks of fighting, Armenian forces fired Russian-made Iskander missiles at Baku. " +
		"Azerbaijan downed the salvo using an Israeli Barak 8 missile defense system. " +
		"Armenia's forces have since been bolstered by Russian peacekeepers, who patrol the Lachin corridor."
	const arrests = "In November, Azerbaijani authorities arrested nineteen people who claimed they had been trained by Iran. " +
		"The suspects had allegedly been flown to Syria."
	const bloc = "Following the clash in 1988-94, the conflict was frozen for decades. " +
		"Russia was Yerevan's main security guarantor for years and is allied with it in the Collective Security Treaty Organization."
	tests := []struct {
		q, text string
		want    bool
	}{
		// The count is in a sentence about the question, and counts.
		{"How many suspects did Azerbaijan detain in November?", arrests, true},
		{"how many people got arrested in november", arrests, true},
		// The passage's only numbers are a span of time and a label.
		{"how many russian peacekeepers patrol the lachin corridor", corridor, false},
		{"How many Iskander missiles did Armenian forces fire at Baku?", corridor, false},
		// ... unless time is what is counted.
		{"How many weeks did the fighting last?", corridor, true},
		// A range of years is no count; a date must be about the question.
		{"How many members does the Collective Security Treaty Organization have?", bloc, false},
		{"When was the Collective Security Treaty Organization founded?", bloc, false},
		{"When was the conflict frozen?", bloc, true},
		// One word of the question is enough: the sentence with the date
		// says "stormed" and the next one "the attack"; "there" stands
		// for the Caucasus.
		{"when did the embassy attack happen", "This January, a gunman stormed Azerbaijan's embassy in Tehran. Aliyev blamed Iran for the attack.", true},
		{"how long has russia had troops in the south caucasus", "The South Caucasus remains a key link. Russia has had a military presence there for over two centuries.", true},
		// Questions that ask for no kind of fact are left alone.
		{"Why did Russia send peacekeepers?", corridor, true},
	}
	for _, tt := range tests {
		if got := answersSpecifically(tt.q, briefbot.Passage{Text: tt.text}); got != tt.want {
			t.Errorf("answersSpecifically(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestSameWord(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"iran", "iranian", true},
		{"armenia", "armenians", true},
		{"defence", "defense", true},
		{"minister", "ministry", true},
		{"armed", "armenia", false},
		{"us", "use", false},
		{"state", "statement", false},
		{"iran", "iraq", false},
	}
	for _, tt := range tests {
		if got := sameWord(tt.a, tt.b); got != tt.want {
			t.Errorf("sameWord(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestWords(t *testing.T) {
	ws := words("Israel’s then-defense minister Benny Gantz (visited) Article 6, in 1988-94—U.S. aid")
	want := []word{
		{text: "Israel", lower: "israel", cap: true, poss: true},
		{text: "then-defense", lower: "then-defense"},
		{text: "minister", lower: "minister"},
		{text: "Benny", lower: "benny", cap: true},
		{text: "Gantz", lower: "gantz", cap: true, brk: true},
		{text: "visited", lower: "visited", brk: true},
		{text: "Article", lower: "article", cap: true},
		{text: "6", lower: "6", brk: true, label: true},
		{text: "in", lower: "in"},
		{text: "1988-94", lower: "1988-94"},
		{text: "U.S", lower: "us", cap: true},
		{text: "aid", lower: "aid"},
	}
	if len(ws) != len(want) {
		t.Fatalf("words = %+v", ws)
	}
	for i := range want {
		if ws[i] != want[i] {
			t.Errorf("word %d = %+v, want %+v", i, ws[i], want[i])
		}
	}
}
