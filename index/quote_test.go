package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
)

const embassy = "Iran has long viewed Azerbaijan with suspicion. Tensions rose in 2023 after an attack on the " +
	"embassy in Tehran killed a guard. Officials in Baku blamed Iran. Dr. Smith said the U.S. response was muted. " +
	"Trade continued."

func TestSearchQuotes(t *testing.T) {
	long := "Background. " + strings.Repeat("This filler clause describes unrelated regional history at length, ", 6) +
		"and only at the very end does it mention the pipeline  sabotage\tinquiry."
	ix := buildOpen(t, []briefbot.Document{
		doc("e", "Regional brief", embassy),
		doc("l", "Long", long),
		doc("w", "Spaces", "Lava  flows\treached   the coast on Tuesday morning after the eruption began."),
	}, BuildOptions{})
	tests := []struct {
		query      string
		passage    string
		quote      string
		highlights []string
	}{
		{
			query:      "embassy attack in Tehran",
			passage:    "e#a",
			quote:      "Tensions rose in 2023 after an attack on the embassy in Tehran killed a guard.",
			highlights: []string{"attack", "embassy", "Tehran"},
		},
		{
			// Short best sentence: its neighbours both score 0, the next wins the tie.
			query:      "What did officials in Baku say?",
			passage:    "e#a",
			quote:      "Officials in Baku blamed Iran. Dr. Smith said the U.S. response was muted.",
			highlights: []string{"Officials", "Baku"},
		},
		{
			// Short best sentence and its next neighbour matches too.
			query:      "muted trade response",
			passage:    "e#a",
			quote:      "Dr. Smith said the U.S. response was muted. Trade continued.",
			highlights: []string{"response", "muted", "Trade"},
		},
		{
			// The last sentence can only borrow from before.
			query:      "trade",
			passage:    "e#a",
			quote:      "Dr. Smith said the U.S. response was muted. Trade continued.",
			highlights: []string{"Trade"},
		},
		{
			// Whitespace runs collapse; highlights follow.
			query:      "lava coast",
			passage:    "w#a",
			quote:      "Lava flows reached the coast on Tuesday morning after the eruption began.",
			highlights: []string{"Lava", "coast"},
		},
		{
			// A match only in the title quotes the opening sentence.
			query:      "regional brief",
			passage:    "e#a",
			quote:      "Iran has long viewed Azerbaijan with suspicion. Tensions rose in 2023 after an attack on the embassy in Tehran killed a guard.",
			highlights: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			h := findHit(t, ix, tc.query, tc.passage)
			if h.Quote != tc.quote {
				t.Errorf("quote\n got %q\nwant %q", h.Quote, tc.quote)
			}
			var got []string
			for _, s := range h.Highlights {
				got = append(got, h.Quote[s.Start:s.End])
			}
			if !slices.Equal(got, tc.highlights) {
				t.Errorf("highlights = %q, want %q", got, tc.highlights)
			}
		})
	}

	t.Run("long sentence is cut at words around the match", func(t *testing.T) {
		h := findHit(t, ix, "pipeline sabotage inquiry", "l#a")
		if !strings.HasPrefix(h.Quote, ellipsis) || !strings.HasSuffix(h.Quote, "sabotage inquiry.") {
			t.Errorf("quote %q: want a leading ellipsis and the sentence's end", h.Quote)
		}
		body := strings.TrimPrefix(h.Quote, ellipsis)
		if len(body) > maxQuoteBytes {
			t.Errorf("quote is %d bytes, want <= %d", len(body), maxQuoteBytes)
		}
		if !strings.Contains(long, strings.Fields(body)[0]+" ") || strings.HasPrefix(body, " ") {
			t.Errorf("quote %q does not start at a word of the passage", h.Quote)
		}
		first := strings.Fields(body)[0]
		if i := strings.Index(long, " "+first+" "); i < 0 {
			t.Errorf("quote starts mid-word: %q", first)
		}
		var got []string
		for _, s := range h.Highlights {
			got = append(got, h.Quote[s.Start:s.End])
		}
		if want := []string{"pipeline", "sabotage", "inquiry"}; !slices.Equal(got, want) {
			t.Errorf("highlights = %q, want %q", got, want)
		}
	})
}

func findHit(t *testing.T, ix *Index, query, passage string) briefbot.Hit {
	t.Helper()
	hits, err := ix.Search(context.Background(), query, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Passage.ID == passage {
			return h
		}
	}
	t.Fatalf("%q: passage %s not among %d hits", query, passage, len(hits))
	return briefbot.Hit{}
}

// analyzerOnly is an Index with nothing but the analyzer, for exercising
// describe without building.
func analyzerOnly() *Index {
	return &Index{an: newMapping().AnalyzerNamed(analyzerName)}
}

func FuzzQuote(f *testing.F) {
	f.Add(embassy, "embassy attack")
	f.Add("a. b. c.", "b")
	f.Add("Word\n\n\nword  word\tword.", "word")
	f.Add(strings.Repeat("supercalifragilistic", 30)+" end.", "end supercalifragilistic")
	f.Add("One word\u00a0two\u2003words three\u3000four.", "two four")
	f.Add(strings.Repeat("single spaced words only ", 20)+"end.", "words end")
	ix := analyzerOnly()
	f.Fuzz(func(t *testing.T, text, query string) {
		terms := ix.analyzeQuery(query, false)
		for i := range terms {
			terms[i].idf = 1
		}
		h := briefbot.Hit{Passage: briefbot.Passage{Text: text}}
		ix.describe(&h, terms)
		ref := briefbot.Hit{Passage: h.Passage}
		ix.describeRef(&ref, terms)
		if g, w := fmt.Sprintf("%#v", h), fmt.Sprintf("%#v", ref); g != w {
			t.Fatalf("describe differs from the reference:\n got %s\nwant %s", g, w)
		}
		if strings.TrimSpace(text) != "" && strings.TrimSpace(h.Quote) == "" {
			t.Fatalf("empty quote for %q", text)
		}
		if utf8.ValidString(text) && !utf8.ValidString(h.Quote) {
			t.Fatalf("quote %q is not valid UTF-8", h.Quote)
		}
		if strings.ContainsAny(h.Quote, "\n\t") || strings.Contains(h.Quote, "  ") {
			t.Fatalf("quote %q keeps whitespace runs", h.Quote)
		}
		prev := 0
		for _, s := range h.Highlights {
			if s.Start < prev || s.End <= s.Start || s.End > len(h.Quote) {
				t.Fatalf("highlight %+v out of order or bounds in %q", s, h.Quote)
			}
			if !strings.Contains(text, h.Quote[s.Start:s.End]) {
				t.Fatalf("highlight %q is not text of the passage", h.Quote[s.Start:s.End])
			}
			prev = s.End
		}
		if h.Coverage < 0 || h.Coverage > 1 {
			t.Fatalf("coverage %v", h.Coverage)
		}
	})
}

// FuzzBestWindow holds bestWindow, which scans around the matches, to the
// reference, which slides over every word, on spans long enough to need
// a window: the text is repeated past maxQuoteBytes.
func FuzzBestWindow(f *testing.F) {
	f.Add("Iran and Azerbaijan\u00a0dispute the   border; Iran's army\u3000drills. ", "iran border army", uint8(3))
	f.Add(strings.Repeat("x", 330)+" vitamin d ", "vitamin d", uint8(2))
	f.Add("a b c d e f g h i j k l m n o p q r s t u v w x y z ", "m z q", uint8(9))
	ix := analyzerOnly()
	f.Fuzz(func(t *testing.T, piece, query string, times uint8) {
		if piece == "" {
			return
		}
		n := max(int(times), maxQuoteBytes/len(piece)+2)
		text := strings.Repeat(piece, min(n, 4*maxQuoteBytes/len(piece)+4))
		terms := ix.analyzeQuery(query, false)
		for i := range terms {
			terms[i].idf, terms[i].weight = float64(1+i%3), 1
		}
		d := ix.newDescriber(terms)
		defer d.release()
		d.matches = d.matches[:0]
		d.eachMatch(text, func(i, start, end int) {
			d.matches = append(d.matches, match{span: briefbot.Span{Start: start, End: end}, term: i})
		})
		for _, span := range []briefbot.Span{{Start: 0, End: len(text)}, {Start: len(piece) / 2, End: len(text) - len(piece)/3}} {
			if !utf8.ValidString(text[span.Start:span.End]) {
				continue
			}
			ms := within(d.matches, span)
			got := d.bestWindow(text, span, ms)
			want := bestWindowRef(text, span, ms, terms)
			if got != want {
				t.Fatalf("bestWindow(%q, %v) = %v %q, reference %v %q", text, span, got, text[got.Start:got.End], want, text[want.Start:want.End])
			}
			if slow := d.bestWindowOfWords(text, span, ms); slow != want {
				t.Fatalf("bestWindowOfWords = %v, reference %v", slow, want)
			}
		}
	})
}
