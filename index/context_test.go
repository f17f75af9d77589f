package index

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/briefbot/briefbot"
)

// trade is a corpus where a follow-up's new subject (Russia) and the
// earlier question's subject (Iran's pressure on Baku's trade) are spread
// over passages that hold one, the other, or both.
var trade = []briefbot.Document{doc("t", "",
	"Iran pressures Baku on trade through the exclave, taxing its trucks and holding up its cargo at the border crossings.",
	"Russia watches the region from afar.",
	"Russia also pressures Baku on trade.",
	"The minister said nothing new at the summit.",
	"Baku announced new taxes on foreign cargo.",
)}

func TestSearchInContextLetsTheFollowUpLead(t *testing.T) {
	ctx := context.Background()
	iran := []Weighted{{Text: "How does Iran pressure Baku on trade?", Weight: 0.5}}
	tests := []struct {
		name     string
		question string
		earlier  []Weighted
		want     []string // the first passage IDs in rank order
		absent   string   // a passage that must not be found
		// exact is the Exact count wanted per passage: the question's
		// own words and, only for a passage holding one, the context's.
		exact map[string]int
	}{
		{
			// The passage on Russia and the old subject comes first; the
			// one on Russia alone next; the old subject alone, though it
			// matches more words, comes last and answers nothing.
			name: "a new subject", question: "and what about Russia?", earlier: iran,
			want:  []string{"t#c", "t#b", "t#a", "t#e"},
			exact: map[string]int{"t#c": 4, "t#b": 1, "t#a": 0, "t#e": 0},
		},
		{
			// "why?" names nothing: it is searched with its context.
			name: "no words of its own", question: "why?", earlier: iran,
			want:  []string{"t#a", "t#c"},
			exact: map[string]int{"t#a": 4, "t#c": 3, "t#e": 1},
		},
		{
			// "said" carries the conversation on; the minister who said
			// nothing is not the answer to "who said that?".
			name: "words that carry a conversation on", question: "who said that?",
			earlier: []Weighted{{Text: "What did Baku announce on cargo?", Weight: 0.5}},
			want:    []string{"t#e"},
			absent:  "t#d",
		},
		{
			name: "no context is Search", question: "who said that?",
			want: []string{"t#d"},
		},
	}
	for _, syn := range []float64{0, 0.7} {
		// With relatives searched, Russia's loose relatives (Iran is a
		// neighbour of Russia in GloVe) must not make the old subject pass
		// for the new one.
		ix := buildOpen(t, trade, BuildOptions{Options: Options{Synonyms: syn}})
		for _, tc := range tests {
			hits, err := ix.SearchInContext(ctx, tc.question, tc.earlier, 10)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(hits)
			if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) || slices.Contains(got, tc.absent) {
				t.Errorf("synonyms %v, %s: ranked %v, want %v first and no %q", syn, tc.name, got, tc.want, tc.absent)
			}
			for _, h := range hits {
				if want, ok := tc.exact[h.Passage.ID]; ok && h.Exact != want {
					t.Errorf("synonyms %v, %s: %s Exact %d, want %d", syn, tc.name, h.Passage.ID, h.Exact, want)
				}
			}
		}
	}
}

func TestSearchInContextWithoutContextIsSearch(t *testing.T) {
	ix := buildOpen(t, trade, BuildOptions{Options: Options{Synonyms: 0.7}})
	for _, q := range []string{"and what about Russia?", "why?", "who said that?", "Iran trade taxes"} {
		a, err := ix.Search(context.Background(), q, 10)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ix.SearchInContext(context.Background(), q, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(a, b, func(x, y briefbot.Hit) bool {
			return x.Passage.ID == y.Passage.ID && x.Score == y.Score && x.Coverage == y.Coverage && x.Exact == y.Exact && x.Quote == y.Quote
		}) {
			t.Errorf("%q: Search %v, SearchInContext without context %v", q, ids(a), ids(b))
		}
	}
}

// A follow-up is judged mostly on its own words: the context counts for at
// most as much as they do, so a passage holding the whole follow-up and
// nothing of a long earlier question still covers half of the query.
func TestSearchInContextCoverage(t *testing.T) {
	ix := buildOpen(t, trade, BuildOptions{})
	hits, err := ix.SearchInContext(context.Background(), "and what about Russia?",
		[]Weighted{{Text: "How does Iran pressure Baku on trade through the exclave?", Weight: 0.5}}, 10)
	if err != nil {
		t.Fatal(err)
	}
	cov := map[string]float64{}
	for _, h := range hits {
		cov[h.Passage.ID] = h.Coverage
	}
	// idf(russia) = ln(1 + 3.5/2.5) = 0.875; the context's terms weigh
	// 0.5 * (iran 1.705 + pressur 0.875 + baku 0.47 + trade 0.875 +
	// exclav 1.705) = 2.8, more than the question's, so they are scaled
	// to weigh 0.875 together: t#b holds Russia only, 0.875 / 1.75.
	if math.Abs(cov["t#b"]-0.5) > 1e-9 {
		t.Errorf("coverage of the passage holding the follow-up only: %v, want 0.5", cov["t#b"])
	}
	if !(cov["t#c"] > cov["t#b"]) || !(cov["t#c"] < 1) {
		t.Errorf("coverage of the passage holding the follow-up and part of its context: %v, want in (%v, 1)", cov["t#c"], cov["t#b"])
	}
}

// The authors' bio answers "where do they work?" after "who wrote this?":
// the earlier question says what kind of passage the conversation wants.
func TestSearchInContextKeepsTheConversationsIntent(t *testing.T) {
	docs := []briefbot.Document{{ID: "r", Title: "Report", Passages: []briefbot.Passage{
		{ID: "r#1", DocID: "r", Title: "Report", Section: "Labour", Text: "Workers at the plant stopped work for a week."},
		{ID: "r#2", DocID: "r", Title: "Report", Section: "About the Authors", Text: "Jane Roe is a senior fellow at the Institute, where she works on energy."},
	}}}
	ix := buildOpen(t, docs, BuildOptions{})
	for _, tc := range []struct {
		earlier []Weighted
		want    string
	}{
		{nil, "r#1"},
		{[]Weighted{{Text: "Who wrote this?", Weight: 0.5}}, "r#2"},
	} {
		hits, err := ix.SearchInContext(context.Background(), "where do they work?", tc.earlier, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Passage.ID != tc.want {
			t.Errorf("after %v: ranked %v, want %s first", tc.earlier, ids(hits), tc.want)
		}
	}
}

func TestAddContext(t *testing.T) {
	question := []queryTerm{
		{term: "trade", weight: 1, rel: 1, group: 0, pw: 1},
		{term: "commerc", weight: 0.35, rel: 0.5, group: 0, pw: 1},
	}
	earlier := []queryTerm{
		{term: "iran", weight: 1, rel: 1, group: 0, pw: 1},
		{term: "tehran", weight: 0.35, rel: 0.5, group: 0, pw: 1},
		{term: "trade", weight: 1, rel: 1, group: 2, pw: 1},
		{term: "busi", weight: 0.35, rel: 0.5, group: 2, pw: 1},
		{term: "commerc", weight: 0.35, rel: 0.5, group: 2, pw: 1},
	}
	got := addContext(slices.Clone(question), earlier, 1, 0.5)
	want := []queryTerm{
		question[0], question[1],
		{term: "iran", weight: 0.5, rel: 1, group: 2, part: 1, pw: 0.5},
		{term: "tehran", weight: 0.175, rel: 0.5, group: 2, part: 1, pw: 0.5},
		// "trade" is the question's already: its relative joins the
		// question's group, and "commerc" is not counted twice.
		{term: "busi", weight: 0.175, rel: 0.5, group: 0, part: 1, pw: 0.5},
	}
	if !slices.Equal(got, want) {
		t.Errorf("addContext =\n%+v\nwant\n%+v", got, want)
	}
}

func TestIsName(t *testing.T) {
	docs := []briefbot.Document{doc("n", "",
		"Talks in Baku went well. Later the talks moved to Tehran, and Baku's envoy left.",
		"Meanwhile the border stayed calm, and the Border Service said little.")}
	ix := buildOpen(t, docs, BuildOptions{})
	tests := []struct {
		word string
		want bool
	}{
		{"baku", true},
		{"Tehran", true},
		{"talks", false},     // capitalized only where a sentence starts
		{"meanwhile", false}, // only ever first in its sentence
		{"border", false},    // once a name's part, once not: not mostly a name
		{"yerevan", false},   // not in the documents
	}
	for _, tc := range tests {
		if got := ix.IsName(tc.word); got != tc.want {
			t.Errorf("IsName(%q) = %v, want %v", tc.word, got, tc.want)
		}
	}
}

// A follow-up is quoted by the sentence holding its own words, though
// another sentence of the passage holds more of the earlier question's.
func TestSearchInContextQuotesTheFollowUp(t *testing.T) {
	docs := []briefbot.Document{doc("q", "",
		"Iran pressures Baku on trade and taxes the trucks that cross its border. Russia, for its part, has kept its peacekeepers out of the dispute so far.")}
	ix := buildOpen(t, docs, BuildOptions{})
	const russia = "Russia, for its part, has kept its peacekeepers out of the dispute so far."
	for _, tc := range []struct {
		question string
		earlier  []Weighted
		want     string
	}{
		{"and what about Russia?", []Weighted{{Text: "How does Iran pressure Baku on trade?", Weight: 0.5}}, russia},
		{"Russia and Iran pressure on Baku trade", nil, "Iran pressures Baku on trade and taxes the trucks that cross its border."},
	} {
		hits, err := ix.SearchInContext(context.Background(), tc.question, tc.earlier, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].Quote != tc.want {
			t.Errorf("%q after %v: quote %+v, want %q", tc.question, tc.earlier, hits, tc.want)
		}
	}
}
