package index

import (
	"testing"

	"github.com/briefbot/briefbot"
)

// A number or a word with digits is written without lower-case letters
// but is no acronym: no learned acronym can match it (their keys are
// letters), so it must not make the index scan every passage to learn them,
// which cost 0.3 s on SciFact at the first question with "1,000" in it.
func TestDigitsDoNotLearnAcronyms(t *testing.T) {
	docs := []briefbot.Document{{ID: "c", Title: "Notes", Passages: []briefbot.Passage{
		{ID: "c#1", DocID: "c", Title: "Notes", Text: "The 1000 Genomes Project maps variation; the Collective Security Treaty Organization met in 2024."},
	}}}
	ix := buildOpen(t, docs, BuildOptions{})
	for _, q := range []string{"1,000 genomes project enables mapping", "is the A1 grade above 2024?", "what of 2024 and 000?"} {
		if got := ix.spellOutAcronyms(q); got != q {
			t.Errorf("spellOutAcronyms(%q) = %q", q, got)
		}
	}
	if ix.acronyms != nil {
		t.Errorf("acronyms learned for questions without one: %v", ix.acronyms)
	}
	// A real acronym still learns them, and is spelled out.
	if got := ix.spellOutAcronyms("is armenia in the CSTO?"); got != "is armenia in the Collective Security Treaty Organization?" {
		t.Errorf("spelled out: %q", got)
	}
}
