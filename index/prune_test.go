package index

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot"
)

// sharedEval is where the BEIR collections of the evaluation live, beside
// the repository (../shared/eval from its root).
var sharedEval = filepath.Join("..", "..", "shared", "eval")

// comparePruned checks that ranking by MaxScore (rankPruned) gives what
// scoring every passage gives: the same passages in the same order with
// the same scores to the bit, and the same IDFs for the query's terms.
func comparePruned(t *testing.T, docs []briefbot.Document, queries []string, depths []int) {
	t.Helper()
	root := t.TempDir()
	if _, err := Build(context.Background(), root, docs, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, syn := range []float64{0, 0.7} {
		ix, err := Open(root, Options{Synonyms: syn})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		hits := 0
		for _, depth := range depths {
			for _, q := range queries {
				want, wantTerms, _, err := ix.rankWith(ctx, q, nil, depth, true)
				if err != nil {
					t.Fatal(err)
				}
				got, gotTerms, _, err := ix.rankWith(ctx, q, nil, depth, false)
				if err != nil {
					t.Fatal(err)
				}
				hits += len(want)
				if len(got) != len(want) {
					t.Fatalf("synonyms %v, depth %d, %q: %d hits pruned, %d exhaustive", syn, depth, q, len(got), len(want))
				}
				for i := range want {
					g, w := got[i], want[i]
					if g.Passage.ID != w.Passage.ID || g.Rank != w.Rank || math.Float64bits(g.Score) != math.Float64bits(w.Score) {
						t.Fatalf("synonyms %v, depth %d, %q: hit %d pruned %s %v (%x), exhaustive %s %v (%x)",
							syn, depth, q, i+1, g.Passage.ID, g.Score, math.Float64bits(g.Score), w.Passage.ID, w.Score, math.Float64bits(w.Score))
					}
				}
				if len(gotTerms) != len(wantTerms) {
					t.Fatalf("synonyms %v, %q: %d terms pruned, %d exhaustive", syn, q, len(gotTerms), len(wantTerms))
				}
				for i := range wantTerms {
					if gotTerms[i].term != wantTerms[i].term || math.Float64bits(gotTerms[i].idf) != math.Float64bits(wantTerms[i].idf) {
						t.Fatalf("synonyms %v, %q: term %d pruned %q idf %v, exhaustive %q idf %v",
							syn, q, i, gotTerms[i].term, gotTerms[i].idf, wantTerms[i].term, wantTerms[i].idf)
					}
				}
			}
		}
		if hits == 0 {
			t.Fatalf("synonyms %v: no hits at all", syn)
		}
		t.Logf("synonyms %v: %d queries x depths %v, %d hits identical", syn, len(queries), depths, hits)
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPrunedRankingBrief(t *testing.T) {
	comparePruned(t, briefDocs(t), briefQueries(t), []int{1, 3, 5, 10, 100})
}

func TestPrunedRankingZipf(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 2_000
	}
	queries := append(benchQueries(), benchSynonymQueries()...)
	comparePruned(t, benchCorpus(n), queries, []int{1, 10, 100})
}

// TestPrunedRankingBEIR compares on SciFact and Cranfield, all queries, when
// ../shared/eval holds them.
func TestPrunedRankingBEIR(t *testing.T) {
	for _, name := range []string{"scifact", "cranfield"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(sharedEval, name)
			if _, err := os.Stat(filepath.Join(dir, "corpus.jsonl")); err != nil {
				t.Skipf("no BEIR collection at %s (../shared/eval beside the repository): %v", dir, err)
			}
			if testing.Short() {
				t.Skip("BEIR comparison skipped in -short mode")
			}
			docs, queries := beirBench(t, dir)
			comparePruned(t, docs, queries, []int{10, 100})
		})
	}
}

// BenchmarkRankPruned compares ranking by MaxScore (rankPruned) with
// scoring every passage, without quotes, on the 10k-passage Zipf corpus
// and, with BRIEFBOT_BENCH_BEIR set, a BEIR collection:
//
//	BRIEFBOT_BENCH_BEIR=$PWD/../shared/eval/scifact go test ./index -run '^$' -bench RankPruned
func BenchmarkRankPruned(b *testing.B) {
	type collection struct {
		name    string
		docs    []briefbot.Document
		queries []string
	}
	colls := []collection{{name: "zipf10k", docs: benchCorpus(10_000), queries: benchSynonymQueries()}}
	if dir := os.Getenv("BRIEFBOT_BENCH_BEIR"); dir != "" {
		docs, queries := beirBench(b, dir)
		colls = append(colls, collection{name: filepath.Base(filepath.Clean(dir)), docs: docs, queries: queries})
	}
	for _, c := range colls {
		b.Run(c.name, func(b *testing.B) {
			root := b.TempDir()
			if _, err := Build(context.Background(), root, c.docs, BuildOptions{}); err != nil {
				b.Fatal(err)
			}
			for _, syn := range []float64{0, 0.7} {
				ix, err := Open(root, Options{Synonyms: syn})
				if err != nil {
					b.Fatal(err)
				}
				for _, depth := range []int{10, 100} {
					for _, exhaustive := range []bool{true, false} {
						mode := "pruned"
						if exhaustive {
							mode = "exhaustive"
						}
						b.Run(fmt.Sprintf("related=%v/depth=%d/%s", syn > 0, depth, mode), func(b *testing.B) {
							ctx := context.Background()
							timed(b, func(i int) {
								if _, _, _, err := ix.rankWith(ctx, c.queries[i%len(c.queries)], nil, depth, exhaustive); err != nil {
									b.Fatal(err)
								}
							})
						})
					}
				}
				if err := ix.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
