package answer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
)

func hit(id string, score, coverage float64, matched []string, quote string) briefbot.Hit {
	return briefbot.Hit{
		Passage:  briefbot.Passage{ID: id, DocID: "doc", Title: "Doc", Section: "Sec " + id, Paragraph: 2, Text: quote + " More text.", URL: "https://example.org/brief"},
		Score:    score,
		Coverage: coverage,
		Matched:  matched,
		Exact:    len(matched),
		Quote:    quote,
	}
}

// related marks every matched term of h as a related term, none of the
// question's own.
func related(h briefbot.Hit) briefbot.Hit {
	h.Exact = 0
	return h
}

func TestCovered(t *testing.T) {
	tests := []struct {
		name string
		hit  briefbot.Hit
		want bool
	}{
		{"two terms, most of the question", hit("a", 5, 0.8, []string{"article", "9"}, "q"), true},
		{"one ordinary word of a longer question", hit("a", 2, 0.3, []string{"population"}, "q"), false},
		{"one word that is the whole question", hit("a", 7, 1, []string{"zangezur"}, "q"), true},
		{"one word, high share but not all", hit("a", 7, 0.9, []string{"zangezur"}, "q"), false},
		{"many terms, low share", hit("a", 3, 0.25, []string{"a", "b", "c"}, "q"), false},
		{"nothing matched", hit("a", 0, 0, nil, "q"), false},
		{"related words only", related(hit("a", 3, 0.4, []string{"new", "forc", "ceasefir"}, "q")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Covered(tt.hit, Options{}); got != tt.want {
				t.Errorf("Covered = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestComposeCitesBestSentences(t *testing.T) {
	hits := []briefbot.Hit{
		hit("p1", 10, 0.9, []string{"article", "9", "unblock"}, "Article 9 calls for unblocking all connections."),
		hit("p2", 7, 0.85, []string{"article", "9"}, "Under this provision, the exclave would be connected."),
		hit("p3", 3, 0.6, []string{"article", "corridor"}, "Far weaker sentence."),
		hit("p4", 9, 0.2, []string{"article"}, "Close in score but covers little."),
	}
	for i := range hits {
		hits[i].Rank = i + 1
	}
	a := Compose("What does Article 9 call for?", hits, briefbot.IndexInfo{Version: "v1"}, Options{})
	if !a.Answerable || a.Mode != briefbot.ModeExtractive {
		t.Fatalf("answerable=%v mode=%q", a.Answerable, a.Mode)
	}
	if len(a.Citations) != 2 {
		t.Fatalf("citations = %d, want 2 (p3 too weak): %+v", len(a.Citations), a.Citations)
	}
	want := "Article 9 calls for unblocking all connections. [1] Under this provision, the exclave would be connected. [2]"
	if a.Text != want {
		t.Errorf("text = %q\nwant %q", a.Text, want)
	}
	c := a.Citations[0]
	if c.N != 1 || c.PassageID != "p1" || c.Section != "Sec p1" || c.Paragraph != 2 || !strings.HasPrefix(c.URL, "https://example.org/brief#:~:text=") {
		t.Errorf("citation = %+v", c)
	}
	if a.Index.Version != "v1" {
		t.Errorf("index info not carried: %+v", a.Index)
	}
}

// A later citation must come close to the first in score (70%) and in
// coverage of the question (90%); a question asking for a list may have
// five sources, others three.
func TestComposeLaterCitationsMustEarnTheirPlace(t *testing.T) {
	first := hit("p1", 10, 0.8, []string{"a", "b"}, "First sentence.")
	tests := []struct {
		name     string
		question string
		later    []briefbot.Hit
		want     int
	}{
		{"close in both", "a b", []briefbot.Hit{hit("p2", 7, 0.73, []string{"a", "b"}, "Second.")}, 2},
		{"score too low", "a b", []briefbot.Hit{hit("p2", 6.9, 0.8, []string{"a", "b"}, "Second.")}, 1},
		{"coverage too low", "a b", []briefbot.Hit{hit("p2", 9, 0.7, []string{"a", "b"}, "Second.")}, 1},
		{"three at most", "a b", []briefbot.Hit{
			hit("p2", 9, 0.8, []string{"a", "b"}, "Second."), hit("p3", 9, 0.8, []string{"a", "b"}, "Third."),
			hit("p4", 9, 0.8, []string{"a", "b"}, "Fourth.")}, 3},
		{"five for a list", "What are the recommendations on a and b?", []briefbot.Hit{
			hit("p2", 9, 0.8, []string{"a", "b"}, "Second."), hit("p3", 9, 0.8, []string{"a", "b"}, "Third."),
			hit("p4", 9, 0.8, []string{"a", "b"}, "Fourth."), hit("p5", 9, 0.8, []string{"a", "b"}, "Fifth."),
			hit("p6", 9, 0.8, []string{"a", "b"}, "Sixth.")}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := Compose(tc.question, append([]briefbot.Hit{first}, tc.later...), briefbot.IndexInfo{}, Options{})
			if len(a.Citations) != tc.want {
				t.Errorf("%d citations, want %d: %+v", len(a.Citations), tc.want, a.Citations)
			}
		})
	}
}

func TestStandAlone(t *testing.T) {
	passage := "Iran fears the corridor. Moreover, trade to the exclave goes through Iran. Such problems raise doubts."
	tests := []struct{ quote, want string }{
		{"Moreover, trade to the exclave goes through Iran.", "Iran fears the corridor. Moreover, trade to the exclave goes through Iran."},
		{"Such problems raise doubts.", "Moreover, trade to the exclave goes through Iran. Such problems raise doubts."},
		{"Iran fears the corridor.", "Iran fears the corridor."},
		{"Yet this opens the passage.", "… Yet this opens the passage."},
		{"Thistle is a plant.", "Thistle is a plant."},
	}
	for _, tc := range tests {
		p := passage
		if !strings.Contains(p, tc.quote) {
			p = tc.quote + " " + passage
		}
		if got := standAlone(p, tc.quote); got != tc.want {
			t.Errorf("standAlone(%q) = %q, want %q", tc.quote, got, tc.want)
		}
	}
	long := strings.Repeat("word ", maxLeadIn/5+1) + "end. Moreover, it follows."
	if got := standAlone(long, "Moreover, it follows."); got != "… Moreover, it follows." {
		t.Errorf("a long lead-in was brought in: %q", got)
	}
}

func TestComposeNotCovered(t *testing.T) {
	hits := []briefbot.Hit{
		hit("p1", 2, 0.3, []string{"population"}, "Up to a third of the population."),
		hit("p2", 1, 0.3, []string{"population"}, "b"),
		hit("p3", 1, 0.3, []string{"population"}, "c"),
		hit("p4", 1, 0.3, []string{"population"}, "d"),
	}
	a := Compose("What is the population of Canada?", hits, briefbot.IndexInfo{}, Options{})
	if a.Answerable || len(a.Citations) != 0 || a.Text != NotCovered {
		t.Fatalf("want not covered, got %+v", a)
	}
	if len(a.Related) != 3 {
		t.Errorf("related = %d, want at most 3", len(a.Related))
	}
	if a := Compose("q", nil, briefbot.IndexInfo{}, Options{}); a.Answerable || a.Text != NotCovered || len(a.Related) != 0 {
		t.Errorf("no hits: %+v", a)
	}
}

func TestComposeDeduplicatesQuotes(t *testing.T) {
	hits := []briefbot.Hit{
		hit("p1", 10, 1, []string{"a", "b"}, "Same sentence."),
		hit("p2", 9, 1, []string{"a", "b"}, "Same sentence."),
		hit("p3", 8, 1, []string{"a", "b"}, "Other sentence."),
	}
	a := Compose("a b", hits, briefbot.IndexInfo{}, Options{})
	if len(a.Citations) != 2 || a.Citations[1].PassageID != "p3" || a.Citations[1].N != 2 {
		t.Fatalf("citations = %+v", a.Citations)
	}
}

func TestLinkTo(t *testing.T) {
	tests := []struct{ url, quote, want string }{
		{"", "Anything.", ""},
		{"https://x.org/a", "Article 9 calls for “unblocking” all economic and transport connections throughout the region.",
			"https://x.org/a#:~:text=Article%209%20calls%20for,connections%20throughout%20the%20region"},
		{"https://x.org/a", "Short one-liner here.", "https://x.org/a#:~:text=Short%20one%2Dliner%20here"},
		{"https://x.org/a#sec", "Has fragment already.", "https://x.org/a#sec"},
		{"/relative/path", "Words here.", "/relative/path"},
		{"https://x.org/a", "“ — ”", "https://x.org/a"},
	}
	for _, tt := range tests {
		if got := LinkTo(tt.url, tt.quote); got != tt.want {
			t.Errorf("LinkTo(%q, %q) = %q, want %q", tt.url, tt.quote, got, tt.want)
		}
	}
}

type fakeIndex struct {
	hits []briefbot.Hit
	err  error
	k    int
}

func (f *fakeIndex) Search(_ context.Context, _ string, k int) ([]briefbot.Hit, error) {
	f.k = k
	return f.hits, f.err
}
func (f *fakeIndex) Info() briefbot.IndexInfo { return briefbot.IndexInfo{Version: "abc"} }

func TestExtractiveAsk(t *testing.T) {
	ix := &fakeIndex{hits: []briefbot.Hit{hit("p1", 3, 1, []string{"a", "b"}, "Answer.")}}
	e := &Extractive{Index: ix, Options: Options{K: 7}}
	a, err := e.Ask(context.Background(), briefbot.AskRequest{Question: "a b"})
	if err != nil || !a.Answerable || ix.k != 7 || a.Index.Version != "abc" {
		t.Fatalf("a=%+v err=%v k=%d", a, err, ix.k)
	}
	boom := errors.New("boom")
	e.Index = &fakeIndex{err: boom}
	if _, err := e.Ask(context.Background(), briefbot.AskRequest{Question: "a b"}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want wrapped boom", err)
	}
}

func TestAsksWhatItIsAbout(t *testing.T) {
	for q, want := range map[string]bool{
		"what is this brief about":             true,
		"What's this brief about?":             true,
		"what is the report all about":         true,
		"summarize the report":                 true,
		"Summary":                              true,
		"tl;dr":                                true,
		"what are the key takeaways":           true,
		"what does the brief say about israel": false,
		"what is the brief's view of Russia":   false,
		"summarize the recommendations":        false,
		"what is Article 9 about":              false,
	} {
		if got := asksWhatItIsAbout(q); got != want {
			t.Errorf("asksWhatItIsAbout(%q) = %v, want %v", q, got, want)
		}
	}
}

// leadIndex is a fakeIndex that also gives the documents' openings.
type leadIndex struct {
	fakeIndex
	leads []briefbot.Hit
}

func (l *leadIndex) Leads(n int) []briefbot.Hit { return l.leads[:min(n, len(l.leads))] }

// A question about what the documents are about is answered with their
// openings, not with whatever passage matches "brief".
func TestExtractiveAnswersWhatItIsAboutWithLeads(t *testing.T) {
	lead := hit("lead-1", 0, 0, nil, "The brief argues that the region is shifting.")
	ix := &leadIndex{fakeIndex: fakeIndex{hits: []briefbot.Hit{hit("p9", 3, 1, []string{"brief"}, "A brief analysis.")}}, leads: []briefbot.Hit{lead}}
	e := &Extractive{Index: ix}
	a, err := e.Ask(context.Background(), briefbot.AskRequest{Question: "What is this brief about?"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answerable || len(a.Citations) != 1 || a.Citations[0].PassageID != "lead-1" || !strings.Contains(a.Text, "region is shifting. [1]") {
		t.Errorf("answer %+v, want the lead cited", a)
	}
	a, err = e.Ask(context.Background(), briefbot.AskRequest{Question: "What does the brief say about analysis?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Citations) == 0 || a.Citations[0].PassageID != "p9" {
		t.Errorf("a question with a subject got %+v, want the search's passage", a.Citations)
	}
}
