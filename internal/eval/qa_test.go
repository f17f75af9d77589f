package eval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
)

// fixedSearcher answers each query with the passages listed for it.
type fixedSearcher map[string][]string

func (f fixedSearcher) Search(_ context.Context, q string, k int) ([]briefbot.Hit, error) {
	texts, ok := f[q]
	if !ok {
		return nil, errors.New("unexpected query " + q)
	}
	var hits []briefbot.Hit
	for i, text := range texts[:min(k, len(texts))] {
		hits = append(hits, briefbot.Hit{Rank: i + 1, Passage: briefbot.Passage{ID: q + "-" + string(rune('a'+i)), DocID: "d", Text: text}})
	}
	return hits, nil
}

func TestRunQAByHand(t *testing.T) {
	s := fixedSearcher{
		"one":   {"The answer is “forty-two”.", "noise"},
		"three": {"noise", "noise", "It said THE\u00a0ANSWER  is forty–two."},
		"none":  {"noise", "noise", "noise", "noise", "noise", "noise"},
		"five":  {"n", "n", "n", "n", "the answer is “forty-two”", "n"},
	}
	qs := []QAItem{
		{ID: "1", Query: "one", Gold: Gold{`answer is "forty-two"`}},
		{ID: "3", Query: "three", Gold: Gold{"not here", "the answer is forty-two"}},
		{ID: "0", Query: "none", Gold: Gold{"forty-two"}},
		{ID: "5", Query: "five", Gold: Gold{"Answer is \"Forty-Two\""}},
	}
	rep, err := RunQA(context.Background(), s, qs, 5)
	if err != nil {
		t.Fatal(err)
	}
	// Ranks 1, 3, none, 5.
	// Recall@1 = 1/4, Recall@3 = 2/4, Recall@5 = 3/4,
	// MRR = (1 + 1/3 + 0 + 1/5) / 4 = 1.53333 / 4 = 0.38333.
	for name, got := range map[string][2]float64{
		"Recall@1": {rep.Recall1, 0.25}, "Recall@3": {rep.Recall3, 0.5},
		"Recall@5": {rep.Recall5, 0.75}, "MRR": {rep.MRR, 0.38333},
	} {
		if !near(got[0], got[1]) {
			t.Errorf("%s = %.5f, want %.5f", name, got[0], got[1])
		}
	}
	if rep.Queries != 4 || len(rep.Misses) != 3 {
		t.Fatalf("queries %d, misses %+v", rep.Queries, rep.Misses)
	}
	wantRanks := map[string]int{"3": 3, "0": 0, "5": 5}
	for _, m := range rep.Misses {
		if wantRanks[m.ID] != m.Rank || m.TopPassage == "" {
			t.Errorf("miss %+v: want rank %d and the top passage", m, wantRanks[m.ID])
		}
	}
	if out := rep.String(); !strings.Contains(out, "Recall@1 0.250") || !strings.Contains(out, "not found") {
		t.Errorf("report text:\n%s", out)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Hello\u00a0\tWorld \n", "hello world"},
		{"“Quoted” ‘single’", `"quoted" 'single'`},
		{"2019–2020 — em", "2019-2020 - em"},
		{"wait…", "wait..."},
		{"", ""},
	}
	for _, tc := range tests {
		if got := normalize(tc.in); got != tc.want {
			t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("“A” — b…\u00a0c")
	f.Fuzz(func(t *testing.T, s string) {
		n := normalize(s)
		if normalize(n) != n {
			t.Fatalf("normalize not idempotent on %q: %q then %q", s, n, normalize(n))
		}
		if strings.Contains(n, "  ") || strings.TrimSpace(n) != n {
			t.Fatalf("whitespace left in %q", n)
		}
	})
}

func TestLoadQA(t *testing.T) {
	items, err := LoadQA(filepath.Join("testdata", "qa.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[0].ID != "a" || !slices.Equal(items[1].Gold, Gold{"store carbon"}) ||
		!slices.Equal(items[2].Gold, Gold{"store carbon", "the soil stores carbon"}) {
		t.Errorf("items = %+v", items)
	}
	bad := map[string]string{
		"no id":         `{"query": "q", "gold": "g"}`,
		"no gold":       `{"id": "x", "query": "q", "gold": "  "}`,
		"unknown":       `{"id": "x", "query": "q", "gold": "g", "answer": "z"}`,
		"duplicate":     "{\"id\": \"x\", \"query\": \"q\", \"gold\": \"g\"}\n{\"id\": \"x\", \"query\": \"q\", \"gold\": \"g\"}",
		"not json":      `id,query,gold`,
		"empty file":    "\n\n",
		"empty query":   `{"id": "x", "query": "", "gold": "g"}`,
		"empty list":    `{"id": "x", "query": "q", "gold": []}`,
		"blank in list": `{"id": "x", "query": "q", "gold": ["g", " "]}`,
		"number gold":   `{"id": "x", "query": "q", "gold": 7}`,
	}
	for name, content := range bad {
		path := filepath.Join(t.TempDir(), "qa.jsonl")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadQA(path); err == nil {
			t.Errorf("%s: LoadQA accepted %q", name, content)
		}
	}
}
