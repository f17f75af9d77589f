package index

import (
	"context"
	"math"
	"math/bits"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/projectdir"
)

// TestPrunedRankingIsExhaustive holds rankTop's pruning, over the whole
// corpus and in chunks (rankChunked), to scoring every passage: the same passages in the same order with the same scores, bit
// for bit, at depths 1, 10 and 100, with related words and without, on the
// golden cases and, when ../shared holds them, SciFact and Cranfield. It
// also checks that pruning happened, or the comparison would prove nothing.
func TestPrunedRankingIsExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds several indexes")
	}
	colls := rankingCollections(t, "scifact", "cranfield")
	ctx := context.Background()
	for _, c := range colls {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			if _, err := Build(ctx, root, c.docs, BuildOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, syn := range []float64{0, 0.7} {
				pruned, err := Open(root, Options{Synonyms: syn})
				if err != nil {
					t.Fatal(err)
				}
				// Caching no postings, it decodes them for each search
				// and sorts only those it looks passages up in.
				uncached, err := Open(root, Options{Synonyms: syn, PostingsCache: -1})
				if err != nil {
					t.Fatal(err)
				}
				full, err := Open(root, Options{Synonyms: syn})
				if err != nil {
					t.Fatal(err)
				}
				// The exhaustive ranking and the uncached one read bleve's
				// postings, the pruned one the build's postings file: the
				// comparison holds the file to bleve too.
				withoutPostingsFile(t, full)
				withoutPostingsFile(t, uncached)
				if pruned.posts == nil {
					t.Fatal("the build has no postings file")
				}
				full.exhaustive = true
				pruned.minPrune, uncached.minPrune, full.minPrune = 0, 0, 0
				// Chunks of a tenth of the passages or so (SciFact's are
				// 1,024), so that the later ones are pruned by the
				// earlier ones' scores. The uncached index's lists are
				// not sorted: it ranks the whole corpus at once.
				pruned.setChunkBits(uint(max(4, bits.Len(uint(len(pruned.flat)/10)))))
				for _, k := range []int{1, 10, 100} {
					for _, q := range c.queries {
						want, err := full.Rank(ctx, q, k)
						if err != nil {
							t.Fatal(err)
						}
						for _, ix := range []*Index{pruned, uncached} {
							got, err := ix.Rank(ctx, q, k)
							if err != nil {
								t.Fatal(err)
							}
							if len(got) != len(want) {
								t.Fatalf("related %v, k %d, %q: %d hits, exhaustive %d", syn > 0, k, q, len(got), len(want))
							}
							for i := range want {
								if got[i].Passage.ID != want[i].Passage.ID || got[i].Score != want[i].Score {
									t.Fatalf("related %v, k %d, %q: hit %d is %s (%v), exhaustive %s (%v)",
										syn > 0, k, q, i+1, got[i].Passage.ID, got[i].Score, want[i].Passage.ID, want[i].Score)
								}
							}
						}
					}
				}
				// Both ways of pruning were compared: in chunks (the
				// postings file's sorted lists) and over the whole corpus
				// at once (lists decoded for one search).
				if pruned.chunkedRanks.Load() == 0 || uncached.chunkedRanks.Load() != 0 {
					t.Errorf("related %v: %d searches ranked in chunks from the postings file, %d from bleve's postings; want some, none",
						syn > 0, pruned.chunkedRanks.Load(), uncached.chunkedRanks.Load())
				}
				for _, ix := range []*Index{pruned, uncached} {
					if n := ix.prunes.Load(); n == 0 {
						t.Errorf("related %v: no search was pruned", syn > 0)
					} else {
						t.Logf("related %v: %d of %d searches pruned", syn > 0, n, 3*len(c.queries))
					}
				}
				pruned.Close()
				uncached.Close()
				full.Close()
			}
		})
	}
}

// TestSplitGroupsRankAsWhole: scoring a group's common terms apart from its
// rare ones (splitGroup) ranks as scoring the group whole: the same
// passages in the same order, scores equal but for rounding (a + (b - a)
// for b), on the golden cases and SciFact when ../shared holds it; and
// groups were split, or the comparison would prove nothing.
func TestSplitGroupsRankAsWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds several indexes")
	}
	colls := rankingCollections(t, "scifact")
	ctx := context.Background()
	total := 0
	for _, c := range colls {
		t.Run(c.name, func(t *testing.T) {
			split := buildOpen(t, c.docs, BuildOptions{Options: Options{Synonyms: 0.7}})
			whole, err := Open(filepath.Dir(filepath.Dir(split.dir)), Options{Synonyms: 0.7})
			if err != nil {
				t.Fatal(err)
			}
			defer whole.Close()
			whole.wholeGroups = true
			split.minPrune = 0 // split whatever the search's size
			splits := 0
			for _, q := range c.queries {
				terms := split.queryTerms(q, false)
				rs, closeReaders, err := split.readers()
				if err != nil {
					t.Fatal(err)
				}
				groups, err := split.groupsOf(ctx, rs, terms, nil)
				closeReaders()
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range groups {
					if g.over != nil {
						splits++
					}
				}
				want, err := whole.Rank(ctx, q, 100)
				if err != nil {
					t.Fatal(err)
				}
				got, err := split.Rank(ctx, q, 100)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%q: %d hits, whole groups %d", q, len(got), len(want))
				}
				for i := range want {
					if got[i].Passage.ID != want[i].Passage.ID || math.Abs(got[i].Score-want[i].Score) > 1e-12*want[i].Score {
						t.Fatalf("%q: hit %d is %s (%v), whole groups %s (%v)", q, i+1, got[i].Passage.ID, got[i].Score, want[i].Passage.ID, want[i].Score)
					}
				}
			}
			t.Logf("%d groups split over %d queries", splits, len(c.queries))
			total += splits
		})
	}
	if total == 0 {
		t.Error("no group was split")
	}
}

// rankingCollection is a corpus and its questions, for the tests that
// compare two ways of ranking.
type rankingCollection struct {
	name    string
	docs    []briefbot.Document
	queries []string
}

// rankingCollections returns the golden cases (one of each twin: the plain
// one builds the same index) and the BEIR collections named that ../shared
// holds.
func rankingCollections(t *testing.T, beir ...string) []rankingCollection {
	var colls []rankingCollection
	for _, c := range goldenCases(t) {
		if c.opts.Synonyms > 0 {
			colls = append(colls, rankingCollection{c.name, c.docs, c.queries})
		}
	}
	for _, name := range beir {
		dir, err := projectdir.Shared("eval", name)
		if err != nil {
			t.Logf("%s absent, compared on the golden cases only: %v", name, err)
			continue
		}
		docs, queries := beirBench(t, dir)
		colls = append(colls, rankingCollection{name, docs, queries})
	}
	return colls
}

// TestChunkedFollowUpsRankAsWhole: a follow-up question, whose own words
// lead (see SearchInContext), is ranked in chunks as it is over the whole
// corpus at once: the same passages in the same order with the same
// scores, each question of the golden cases and SciFact asked after the
// one before it; and searches were ranked in chunks, or the comparison
// would prove nothing.
func TestChunkedFollowUpsRankAsWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds several indexes")
	}
	ctx := context.Background()
	for _, c := range rankingCollections(t, "scifact") {
		t.Run(c.name, func(t *testing.T) {
			chunked := buildOpen(t, c.docs, BuildOptions{Options: Options{Synonyms: 0.7}})
			whole, err := Open(filepath.Dir(filepath.Dir(chunked.dir)), Options{Synonyms: 0.7})
			if err != nil {
				t.Fatal(err)
			}
			defer whole.Close()
			whole.exhaustive = true
			// Both split groups as a search of any size (see splitGroup).
			whole.minPrune, chunked.minPrune = 0, 0
			chunked.setChunkBits(uint(max(4, bits.Len(uint(len(chunked.flat)/10)))))
			for i := 1; i < len(c.queries); i++ {
				earlier := []Weighted{{Text: c.queries[i-1], Weight: 0.5}}
				for _, k := range []int{10, 100} {
					want, _, _, err := whole.rank(ctx, c.queries[i], earlier, k)
					if err != nil {
						t.Fatal(err)
					}
					got, _, _, err := chunked.rank(ctx, c.queries[i], earlier, k)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(want) {
						t.Fatalf("k %d, %q after %q: %d hits, whole %d", k, c.queries[i], c.queries[i-1], len(got), len(want))
					}
					for j := range want {
						if got[j].Passage.ID != want[j].Passage.ID || got[j].Score != want[j].Score {
							t.Fatalf("k %d, %q after %q: hit %d is %s (%v), whole %s (%v)",
								k, c.queries[i], c.queries[i-1], j+1, got[j].Passage.ID, got[j].Score, want[j].Passage.ID, want[j].Score)
						}
					}
				}
			}
			if chunked.chunkedRanks.Load() == 0 {
				t.Error("no follow-up was ranked in chunks")
			}
		})
	}
}
