package index

import (
	"context"
	"math"
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

func TestRelativesOfWordsTheCorpusUses(t *testing.T) {
	// "Kremlin" is in the corpus, so its relatives come in at half weight,
	// and only the close ones the corpus uses: Moscow (0.7) but not Russia
	// (0.49), nor "Russian capital", which no passage says.
	docs := []briefbot.Document{{ID: "k", Title: "Notes", Passages: []briefbot.Passage{
		{ID: "k#1", DocID: "k", Title: "Notes", Text: "The Kremlin kept quiet about the convoy."},
		{ID: "k#2", DocID: "k", Title: "Notes", Text: "Moscow hosted talks on the corridor."},
		{ID: "k#3", DocID: "k", Title: "Notes", Text: "Russia sent troops to the border."},
	}}}
	ix := buildOpen(t, docs, BuildOptions{Options: Options{Synonyms: 0.7}})
	terms := ix.expand("Kremlin talks", ix.analyzeQuery("Kremlin talks", false))
	got := map[string]queryTerm{}
	for _, t := range terms {
		got[t.term] = t
	}
	if len(terms) != 3 {
		t.Errorf("terms = %+v, want kremlin, talk and moscow", terms)
	}
	m, ok := got["moscow"]
	if !ok {
		t.Fatalf("terms = %+v, want moscow standing for kremlin", terms)
	}
	if want := 0.7 * 0.7 * presentRelativeScale; math.Abs(m.weight-want) > 1e-9 || m.group != 0 || math.Abs(m.rel-0.35) > 1e-9 {
		t.Errorf("moscow = %+v, want weight %.3f, rel 0.35, group 0 (kremlin)", m, want)
	}
	// "conflict" and "history" are in the corpus and none of their close
	// relatives is: the terms are the query's own.
	ix = buildOpen(t, region, BuildOptions{Options: Options{Synonyms: 0.7}})
	var own []string
	for _, t := range ix.expand("conflict history", ix.analyzeQuery("conflict history", false)) {
		own = append(own, t.term)
	}
	if want := []string{"conflict", "histori"}; !slices.Equal(own, want) {
		t.Errorf("terms = %v, want %v", own, want)
	}
}

func TestRelatedWordsAloneAreNotExact(t *testing.T) {
	// The passage says "Moscow" where the question says "Kremlin": it is
	// found, but it holds none of the question's own words.
	docs := []briefbot.Document{{ID: "k", Title: "Notes", Passages: []briefbot.Passage{
		{ID: "k#1", DocID: "k", Title: "Notes", Text: "The Kremlin kept quiet about the convoy."},
		{ID: "k#2", DocID: "k", Title: "Notes", Text: "Moscow hosted talks on the corridor."},
	}}}
	ix := buildOpen(t, docs, BuildOptions{Options: Options{Synonyms: 0.7}})
	hits, err := ix.Search(context.Background(), "Kremlin corridor", 2)
	if err != nil {
		t.Fatal(err)
	}
	exact := map[string]int{}
	for _, h := range hits {
		exact[h.Passage.ID] = h.Exact
	}
	if exact["k#1"] != 1 || exact["k#2"] != 1 {
		t.Errorf("exact = %v, want 1 each (kremlin; corridor)", exact)
	}
	hits, err = ix.Search(context.Background(), "Kremlin", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].Passage.ID != "k#1" || hits[0].Exact != 1 || hits[1].Exact != 0 || len(hits[1].Matched) != 1 {
		t.Errorf("hits = %+v, want k#1 (exact) then k#2 (related only)", hits)
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
		for _, t := range ix.analyzeQuery(q, false) {
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

func TestAnalyzeRelatedCachesWithinBound(t *testing.T) {
	ix := buildOpen(t, region, BuildOptions{})
	for range 2 {
		if got, want := ix.analyzeRelated("Peace Talks"), ix.Analyze("Peace Talks"); !slices.Equal(got, want) {
			t.Fatalf("analyzeRelated = %v, want %v", got, want)
		}
	}
	if n := ix.related.Len(); n != 1 {
		t.Errorf("%d cached phrases, want 1", n)
	}
	ix.related.Max = 1 // the bound reached
	if got := ix.analyzeRelated("drones"); !slices.Equal(got, []string{"drone"}) {
		t.Errorf("analyzeRelated past the bound = %v", got)
	}
	if n := ix.related.Len(); n != 1 {
		t.Error("a phrase was cached past the bound")
	}
}

// An acronym the question writes in capitals is the same name as its full
// form: a passage saying "European Union" holds the question's own word
// "EU", fully, and so does one saying "United States" for "US", which in
// lower case is a stop word.
func TestAcronymFullFormsAreTheQuestionsOwnWord(t *testing.T) {
	docs := []briefbot.Document{{ID: "m", Title: "Notes", Passages: []briefbot.Passage{
		{ID: "m#1", DocID: "m", Title: "Notes", Text: "The European Union sent a monitoring mission to the border."},
		{ID: "m#2", DocID: "m", Title: "Notes", Text: "The United States offered border security assistance."},
		{ID: "m#3", DocID: "m", Title: "Notes", Text: "Europe watched the border closely."},
	}}}
	ix := buildOpen(t, docs, BuildOptions{Options: Options{Synonyms: 0.7}})
	for _, tc := range []struct {
		q, want string
	}{
		{"Does the EU have observers?", "m#1"},
		{"Is the US involved?", "m#2"},
	} {
		hits, err := ix.Search(context.Background(), tc.q, 3)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(hits, func(h briefbot.Hit) bool { return h.Passage.ID == tc.want })
		if i < 0 {
			t.Fatalf("%q: hits %+v lack %s", tc.q, hits, tc.want)
		}
		// The full form earns the acronym's whole share of the question
		// (half of it here: the other word is not in the passage).
		if h := hits[i]; h.Exact == 0 || h.Coverage < 0.49 {
			t.Errorf("%q: %s holds the acronym's full form but Exact = %d, coverage %.2f", tc.q, tc.want, h.Exact, h.Coverage)
		}
	}
	// In lower case "eu" is no acronym: its relatives stay relatives.
	hits, err := ix.Search(context.Background(), "eu mission", 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Passage.ID == "m#3" && h.Exact != 0 {
			t.Errorf("lower-case eu: %s counted as exact", h.Passage.ID)
		}
	}
	// "Europe" is a relative of "EU", not its full form.
	hits, err = ix.Search(context.Background(), "Does the EU have observers?", 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Passage.ID == "m#3" && h.Exact != 0 {
			t.Errorf("Europe counted as the EU itself: %+v", h)
		}
	}
}

func TestCapitalisedPhrasesAndInitials(t *testing.T) {
	got := capitalisedPhrases("Russia is allied with it in the Collective Security Treaty Organization. Notably, the International North-South Transport Corridor and the Bank of England (BoE) matter; New York.")
	want := []string{"Collective Security Treaty Organization", "International North-South Transport Corridor", "Bank of England", "New York"}
	if !slices.Equal(got, want) {
		t.Errorf("phrases = %q, want %q", got, want)
	}
	for phrase, initials := range map[string]string{
		"Collective Security Treaty Organization":      "csto",
		"International North-South Transport Corridor": "instc",
		"Bank of England": "be",
	} {
		if got := initialsOf(phrase); got != initials {
			t.Errorf("initialsOf(%q) = %q, want %q", phrase, got, initials)
		}
	}
}

// An acronym the corpus never uses but spells out ("CSTO" for "Collective
// Security Treaty Organization") is searched as the corpus spells it; one
// the corpus uses itself is left alone.
func TestAcronymsLearnedFromTheCorpus(t *testing.T) {
	docs := []briefbot.Document{{ID: "c", Title: "Notes", Passages: []briefbot.Passage{
		{ID: "c#1", DocID: "c", Title: "Notes", Text: "Armenia is a member of the Collective Security Treaty Organization, led by Moscow."},
		{ID: "c#2", DocID: "c", Title: "Notes", Text: "Armenia asked its allies for help after the clashes."},
		{ID: "c#3", DocID: "c", Title: "Notes", Text: "The WHO published figures on the outbreak."},
	}}}
	ix := buildOpen(t, docs, BuildOptions{Options: Options{Synonyms: 0.7}})
	if got := ix.spellOutAcronyms("is armenia in the CSTO?"); got != "is armenia in the Collective Security Treaty Organization?" {
		t.Errorf("spelled out: %q", got)
	}
	if got := ix.spellOutAcronyms("What did the WHO publish?"); got != "What did the WHO publish?" {
		t.Errorf("an acronym the corpus uses was rewritten: %q", got)
	}
	if got := ix.spellOutAcronyms("is armenia in the csto?"); got != "is armenia in the csto?" {
		t.Errorf("a lower-case word was taken for an acronym: %q", got)
	}
	if names := ix.UnknownNames("Is Armenia in the CSTO?"); len(names) != 0 {
		t.Errorf("UnknownNames = %q: the corpus spells CSTO out", names)
	}
	hits, err := ix.Search(context.Background(), "is armenia in the CSTO?", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Passage.ID != "c#1" || hits[0].Coverage < 0.99 {
		t.Errorf("hits %+v, want c#1 first and fully covered", hits)
	}
}

// Question phrasing ("what happened") is not searched, and neither are its
// relatives: "happened" must not find a passage through "went".
func TestPhrasingIsNotExpanded(t *testing.T) {
	docs := []briefbot.Document{{ID: "h", Title: "Notes", Passages: []briefbot.Passage{
		{ID: "h#1", DocID: "h", Title: "Notes", Text: "The war of 2020 lasted six weeks and ended in a ceasefire."},
		{ID: "h#2", DocID: "h", Title: "Notes", Text: "Talks went nowhere; things go on as they went before."},
	}}}
	ix := buildOpen(t, docs, BuildOptions{Options: Options{Synonyms: 0.7}})
	hits, err := ix.Search(context.Background(), "what happened in 2020?", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Passage.ID != "h#1" {
		t.Errorf("hits %+v, want h#1 alone", hits)
	}
}
