package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/search_golden.json from the current code")

const goldenFile = "testdata/search_golden.json"

// goldenCase is one collection searched in one setting: every query at
// depth 100, on its own and as a follow-up of the query before it.
type goldenCase struct {
	name    string
	docs    []briefbot.Document
	queries []string
	opts    Options
}

func goldenCases(t testing.TB) []goldenCase {
	brief := briefDocs(t)
	briefQs := append(briefQueries(t), naturalQueries(t)...)
	zipf := benchCorpus(2_000)
	zipfQs := benchSynonymQueries()
	cases := []goldenCase{
		{"brief/related", brief, briefQs, Options{Synonyms: 0.7}},
		{"brief/plain", brief, briefQs, Options{}},
		{"zipf2k/related", zipf, zipfQs, Options{Synonyms: 0.7}},
		{"zipf2k/plain", zipf, zipfQs, Options{}},
	}
	if dir := os.Getenv("BRIEFBOT_GOLDEN_BEIR"); dir != "" {
		docs, qs := beirBench(t, dir)
		cases = append(cases, goldenCase{"beir/" + filepath.Base(filepath.Clean(dir)), docs, qs, Options{Synonyms: 0.7}})
	}
	return cases
}

// goldenHashes searches every query of c and hashes each result list as
// JSON (ranks, scores, quotes, highlights, coverage: all of it).
func goldenHashes(t *testing.T, c goldenCase) []string {
	ix := buildOpen(t, c.docs, BuildOptions{Options: c.opts})
	ctx := context.Background()
	var out []string
	hash := func(hits []briefbot.Hit, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(hits)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		return hex.EncodeToString(sum[:8])
	}
	for i, q := range c.queries {
		out = append(out, hash(ix.Search(ctx, q, 100)))
		if i > 0 {
			out = append(out, hash(ix.SearchInContext(ctx, q, []Weighted{{Text: c.queries[i-1], Weight: 0.5}}, 100)))
		}
	}
	return out
}

// TestSearchGolden holds Search and SearchInContext to the results of the
// code before quotes and expansion were made cheap: the same ranking,
// scores to the bit, quotes and highlights. go test ./index -run
// SearchGolden -update rewrites the file (only when the results are meant
// to change). With BRIEFBOT_GOLDEN_BEIR set to a BEIR collection folder it
// searches that collection too, and with BRIEFBOT_GOLDEN_OUT writes every
// case's hashes to that file, for comparing two versions of the code.
func TestSearchGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds four indexes")
	}
	got := map[string][]string{}
	for _, c := range goldenCases(t) {
		got[c.name] = goldenHashes(t, c)
	}
	if out := os.Getenv("BRIEFBOT_GOLDEN_OUT"); out != "" {
		writeGolden(t, out, got)
	}
	if *updateGolden {
		for name := range got {
			if !slices.Contains([]string{"brief/related", "brief/plain", "zipf2k/related", "zipf2k/plain"}, name) {
				delete(got, name)
			}
		}
		writeGolden(t, goldenFile, got)
		return
	}
	raw, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string][]string
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Errorf("%s: %d result lists, want %d", name, len(g), len(w))
			continue
		}
		for i := range w {
			if g[i] != w[i] {
				t.Errorf("%s: result list %d differs from the golden one", name, i)
			}
		}
	}
}

func writeGolden(t *testing.T, path string, v map[string][]string) {
	raw, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDescribeMatchesReference compares describe with the reference
// implementation (quote_ref_test.go) on every hit, at depth 100, of the
// golden cases: the same Matched, Exact, Coverage, Quote and Highlights.
func TestDescribeMatchesReference(t *testing.T) {
	if testing.Short() {
		t.Skip("builds four indexes")
	}
	ctx := context.Background()
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			ix := buildOpen(t, c.docs, BuildOptions{Options: c.opts})
			for i, q := range c.queries {
				var earlier []Weighted
				if i%2 == 1 {
					earlier = []Weighted{{Text: c.queries[i-1], Weight: 0.5}}
				}
				hits, terms, pos, err := ix.rank(ctx, q, earlier, 100)
				if err != nil {
					t.Fatal(err)
				}
				d := ix.newDescriber(terms)
				for i, h := range hits {
					if h.Passage, err = ix.passageAt(int(pos[i])); err != nil {
						t.Fatal(err)
					}
					got, want := h, h
					d.describe(&got)
					ix.describeRef(&want, terms)
					if g, w := fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want); g != w {
						t.Fatalf("%q, passage %s:\n got %s\nwant %s", q, h.Passage.ID, g, w)
					}
				}
			}
		})
	}
}

// naturalQueries are the questions of testdata/brief_natural.jsonl.
func naturalQueries(t testing.TB) []string {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "brief_natural.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var q struct{ Query string }
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q.Query)
	}
	return qs
}
