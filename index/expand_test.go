package index

import (
	"context"
	"slices"
	"testing"

	"github.com/briefbot/briefbot"
)

var region = []briefbot.Document{
	{ID: "r", Title: "Regional Notes", Passages: []briefbot.Passage{
		{ID: "r#1", DocID: "r", Title: "Regional Notes", Section: "History", Text: "The conflict has lasted three decades and remains unresolved."},
		{ID: "r#2", DocID: "r", Title: "Regional Notes", Section: "Partners", Text: "Baku bought drones from Turkey and Israel."},
		{ID: "r#3", DocID: "r", Title: "Regional Notes", Section: "Trade", Text: "Trucks carry goods along the main highway every day."},
	}},
}

func TestSynonymsFillVocabularyGaps(t *testing.T) {
	tests := []struct {
		query string
		want  string // passage found only through related words
	}{
		{"How long has the dispute gone on?", "r#1"},
		{"What unmanned hardware came from Ankara?", "r#2"},
	}
	for _, syn := range []float64{0, 0.7} {
		ix := buildOpen(t, region, BuildOptions{Options: Options{Synonyms: syn}})
		for _, tt := range tests {
			hits, err := ix.Search(context.Background(), tt.query, 3)
			if err != nil {
				t.Fatal(err)
			}
			found := len(hits) > 0 && hits[0].Passage.ID == tt.want
			if found != (syn > 0) {
				t.Errorf("synonyms %v, %q: top %v, want %s found = %v", syn, tt.query, ids(hits), tt.want, syn > 0)
			}
			if syn > 0 && found && (hits[0].Coverage <= 0 || hits[0].Coverage >= 1) {
				t.Errorf("%q: coverage %v, want partial credit for related words", tt.query, hits[0].Coverage)
			}
		}
	}
}

func TestSynonymsLeaveWordsTheCorpusUses(t *testing.T) {
	// "conflict" is in the corpus: it must not bring its relatives
	// ("dispute", "struggle"...), so the terms are the query's own.
	ix := buildOpen(t, region, BuildOptions{Options: Options{Synonyms: 0.7}})
	terms := ix.expand("conflict history", ix.analyzeQuery("conflict history"))
	var got []string
	for _, t := range terms {
		got = append(got, t.term)
	}
	if want := []string{"conflict", "histori"}; !slices.Equal(got, want) {
		t.Errorf("terms = %v, want %v", got, want)
	}
}

func TestUnknownNames(t *testing.T) {
	ix := buildOpen(t, region, BuildOptions{Options: Options{Synonyms: 0.7}})
	tests := []struct {
		q    string
		want []string
	}{
		{"Who is the prime minister of Japan?", []string{"Japan"}},
		{"What did Ankara sell to Baku?", nil},      // Ankara -> Turkey
		{"Which goods travel on the highway?", nil}, // no names
		{"Where did Baku's drones come from?", nil}, // a name the corpus uses
		{"What did NATO and Canada's leaders say?", []string{"NATO", "Canada"}},
		{"Canada is not in the notes", nil}, // a first word is not taken for a name
	}
	for _, tt := range tests {
		if got := ix.UnknownNames(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("UnknownNames(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func ids(hits []briefbot.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Passage.ID)
	}
	return out
}

func TestQuestionPhrasingIsNotSearched(t *testing.T) {
	ix := buildOpen(t, region, BuildOptions{})
	got := func(q string) []string {
		var out []string
		for _, t := range ix.analyzeQuery(q) {
			out = append(out, t.term)
		}
		return out
	}
	if terms := got("According to the authors, what happened to the convoy?"); !slices.Equal(terms, []string{"convoi"}) {
		t.Errorf("terms = %v, want the subject only", terms)
	}
	// A question made of phrasing words only keeps them.
	if terms := got("Who are the authors?"); !slices.Equal(terms, []string{"author"}) {
		t.Errorf("terms = %v, want [author]", terms)
	}
}
