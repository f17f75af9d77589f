package index

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
)

var updateWords = strings.Fields("convoy border tariff grain pipeline ferry customs winter river bridge depot cargo port rail toll harbour")

// randomDoc makes a document of 1-4 passages of random words; some
// passages have a section of their own, so that their title is scored in
// fieldDocTitle (see titleApart).
func randomDoc(rng *rand.Rand, id string) briefbot.Document {
	title := updateWords[rng.IntN(len(updateWords))] + " " + id
	d := briefbot.Document{ID: id, Title: title, Source: "test:" + id}
	for i := range 1 + rng.IntN(4) {
		words := make([]string, 3+rng.IntN(15))
		for j := range words {
			words[j] = updateWords[rng.IntN(len(updateWords))]
		}
		section := title
		if rng.IntN(2) == 0 {
			section = updateWords[rng.IntN(len(updateWords))] + " notes"
		}
		d.Passages = append(d.Passages, briefbot.Passage{
			ID: fmt.Sprintf("%s#p%d", id, i+1), DocID: id, Title: title, Section: section,
			Ordinal: i + 1, Paragraph: i + 1, Text: strings.Join(words, " "),
		})
	}
	return d
}

// sameRanking checks that got ranks every query as want does: the same
// passages in the same order, with the same scores.
func sameRanking(t *testing.T, step string, got, want *Index) {
	t.Helper()
	ctx := context.Background()
	queries := slices.Clone(updateWords)
	for i := range updateWords {
		queries = append(queries, updateWords[i]+" "+updateWords[(i*5+3)%len(updateWords)]+" "+updateWords[(i*7+1)%len(updateWords)])
	}
	for _, q := range queries {
		g, err := got.Rank(ctx, q, 1000)
		if err != nil {
			t.Fatalf("%s: %q: %v", step, q, err)
		}
		w, err := want.Rank(ctx, q, 1000)
		if err != nil {
			t.Fatalf("%s: %q: %v", step, q, err)
		}
		if len(g) != len(w) {
			t.Fatalf("%s: %q: %d hits, full build %d", step, q, len(g), len(w))
		}
		for i := range g {
			if g[i].Passage.ID != w[i].Passage.ID || math.Abs(g[i].Score-w[i].Score) > 1e-9 {
				t.Fatalf("%s: %q: hit %d is %s %.12f, full build %s %.12f", step, q, i+1,
					g[i].Passage.ID, g[i].Score, w[i].Passage.ID, w[i].Score)
			}
		}
	}
	for _, term := range updateWords {
		if g, w := got.IDF(term), want.IDF(term); g != w {
			t.Fatalf("%s: idf(%s) = %v, full build %v", step, term, g, w)
		}
	}
	if got.Info().Version != want.Info().Version || got.Info().Passages != want.Info().Passages {
		t.Fatalf("%s: info %+v, full build %+v", step, got.Info(), want.Info())
	}
	// The texts too: an incremental build reads its base's texts file for
	// the documents it serves from its base, its own for the rest.
	g, err1 := got.FullDocuments()
	w, err2 := want.FullDocuments()
	if err1 != nil || err2 != nil || !reflect.DeepEqual(g, w) {
		t.Fatalf("%s: documents differ from the full build's (%v, %v)", step, err1, err2)
	}
}

// TestUpdateScoresAsFullBuild: through random sequences of adding,
// replacing, removing and restoring documents (and an occasional full
// rebuild, as /reindex), every incremental build ranks every query with
// the scores of a full build of the same documents, and so does the same
// build opened again after a restart.
func TestUpdateScoresAsFullBuild(t *testing.T) {
	ctx := context.Background()
	const steps = 20
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 11))
			root := t.TempDir()
			docs := map[string]briefbot.Document{}
			removed := map[string]briefbot.Document{}
			for i := range 12 {
				id := fmt.Sprintf("doc%02d", i*2)
				docs[id] = randomDoc(rng, id)
			}
			sorted := func() []briefbot.Document {
				var out []briefbot.Document
				for _, id := range slices.Sorted(maps.Keys(docs)) {
					out = append(out, docs[id])
				}
				return out
			}
			if _, err := Build(ctx, root, sorted(), BuildOptions{}); err != nil {
				t.Fatal(err)
			}
			incremental := 0
			for step := range steps {
				var what string
				ids := slices.Sorted(maps.Keys(docs))
				switch op := rng.IntN(10); {
				case op < 3: // add, often between existing IDs
					id := fmt.Sprintf("doc%02d", rng.IntN(60))
					what = "add " + id
					docs[id] = randomDoc(rng, id)
				case op < 6 && len(ids) > 0: // replace: same ID, same passage IDs
					id := ids[rng.IntN(len(ids))]
					what = "replace " + id
					docs[id] = randomDoc(rng, id)
				case op < 8 && len(ids) > 1:
					id := ids[rng.IntN(len(ids))]
					what = "remove " + id
					removed[id] = docs[id]
					delete(docs, id)
				case op < 9 && len(removed) > 0: // the base may hold it as it was
					id := slices.Sorted(maps.Keys(removed))[0]
					what = "restore " + id
					docs[id] = removed[id]
					delete(removed, id)
				default:
					what = "full rebuild"
				}
				var ix *Index
				var err error
				if what == "full rebuild" {
					ix, err = BuildOpen(ctx, root, sorted(), BuildOptions{})
				} else {
					ix, err = Update(ctx, root, sorted(), BuildOptions{})
				}
				if err != nil {
					t.Fatalf("step %d (%s): %v", step, what, err)
				}
				if man, err := readManifest(ix.Dir()); err == nil && man.Base != "" {
					incremental++
				}
				full := buildOpen(t, sorted(), BuildOptions{})
				sameRanking(t, fmt.Sprintf("step %d (%s)", step, what), ix, full)
				if err := ix.Close(); err != nil {
					t.Fatal(err)
				}
				reopened, err := Open(root, Options{})
				if err != nil {
					t.Fatalf("step %d (%s): reopen: %v", step, what, err)
				}
				sameRanking(t, fmt.Sprintf("step %d (%s) reopened", step, what), reopened, full)
				if err := reopened.Close(); err != nil {
					t.Fatal(err)
				}
				if err := full.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if incremental < steps/2 {
				t.Errorf("%d of %d changes built incrementally, want most", incremental, steps)
			}
			// Only the live build, the one it replaced, and their base
			// remain.
			if entries, err := filepathGlob(root); err != nil || len(entries) > 3 {
				t.Errorf("builds left: %v (%v)", entries, err)
			}
		})
	}
}

// TestUpdateFoldsLargeDelta: a change larger than the delta limit is
// built in full, as a new base.
func TestUpdateFoldsLargeDelta(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	small := []briefbot.Document{randomDoc(rng, "a"), randomDoc(rng, "b")}
	if _, err := Build(ctx, root, small, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	big := briefbot.Document{ID: "c", Title: "Big", Source: "test:c"}
	for i := range minDeltaLimit + 1 {
		big.Passages = append(big.Passages, briefbot.Passage{ID: fmt.Sprintf("c#p%d", i), DocID: "c", Title: "Big",
			Ordinal: i + 1, Paragraph: i + 1, Text: fmt.Sprintf("ledger %d", i)})
	}
	docs := append(slices.Clone(small), big)
	ix, err := Update(ctx, root, docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	man, err := readManifest(ix.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if man.Base != "" {
		t.Errorf("a delta of %d passages was built incrementally on %s", minDeltaLimit+1, man.Base)
	}
	sameRanking(t, "folded", ix, buildOpen(t, docs, BuildOptions{}))
}

func filepathGlob(root string) ([]string, error) {
	return filepath.Glob(filepath.Join(root, buildsDir, "*"))
}
