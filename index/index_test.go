package index

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/briefbot/briefbot"
)

// doc makes a document whose passages are texts, in one untitled section.
func doc(id, title string, texts ...string) briefbot.Document {
	d := briefbot.Document{ID: id, Title: title, Source: "test:" + id}
	for i, t := range texts {
		d.Passages = append(d.Passages, briefbot.Passage{
			ID: id + "#" + string(rune('a'+i)), DocID: id, Title: title,
			Ordinal: i + 1, Paragraph: i + 1, Text: t,
		})
	}
	return d
}

func buildOpen(t *testing.T, docs []briefbot.Document, opts BuildOptions) *Index {
	t.Helper()
	root := t.TempDir()
	if _, err := Build(context.Background(), root, docs, opts); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(root, opts.Options)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

// The 3-document corpus of the hand-computed BM25 test. The words are
// neither stopwords nor changed by the Porter stemmer, and there are no
// titles, so analyzed lengths are word counts: 3, 7 and 2; N = 3 and
// avgdl = 12/3 = 4.
var pets = []briefbot.Document{
	doc("d1", "", "cat dog dog"),
	doc("d2", "", "cat fish bird bird fish cat cat"),
	doc("d3", "", "dog bird"),
}

// bm25 is the textbook formula, for expected values written from hand
// counts (tf, dl, df) rather than read from the index.
func bm25(tf, dl, df, qtf float64) float64 {
	const n, avgdl, k1, b = 3, 4, 1.2, 0.75
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	return qtf * idf * tf * (k1 + 1) / (tf + k1*(1-b+b*dl/avgdl))
}

func TestSearchBM25ByHand(t *testing.T) {
	ix := buildOpen(t, pets, BuildOptions{})
	// idf(df=2) = ln(1 + 1.5/2.5) = ln 1.6 = 0.4700; idf(df=1) = ln(1 + 2.5/1.5) = ln(8/3) = 0.9808.
	// K(dl) = k1*(1 - b + b*dl/avgdl): K(3) = 0.975, K(7) = 1.875, K(2) = 0.75.
	tests := []struct {
		query string
		want  []string  // passage IDs in rank order
		score []float64 // expected scores
	}{
		{
			// d1: ln1.6*(1*2.2/(1+0.975) + 2*2.2/(2+0.975)) = 0.4700*(1.1139+1.4790) = 1.2187
			// d2: ln1.6*(3*2.2/(3+1.875)) = 0.4700*1.3538 = 0.6363
			// d3: ln1.6*(1*2.2/(1+0.75)) = 0.4700*1.2571 = 0.5909
			query: "cat dog",
			want:  []string{"d1#a", "d2#a", "d3#a"},
			score: []float64{bm25(1, 3, 2, 1) + bm25(2, 3, 2, 1), bm25(3, 7, 2, 1), bm25(1, 2, 2, 1)},
		},
		{
			// fish (df=1) only in d2: ln(8/3)*(2*2.2/(2+1.875)) = 0.9808*1.1355 = 1.1137
			query: "fish",
			want:  []string{"d2#a"},
			score: []float64{bm25(2, 7, 1, 1)},
		},
		{
			// bird: d3 = 0.4700*(2.2/1.75) = 0.5909 beats d2 = 0.4700*(4.4/3.875) = 0.5337:
			// the shorter passage wins despite the lower tf.
			query: "birds",
			want:  []string{"d3#a", "d2#a"},
			score: []float64{bm25(1, 2, 2, 1), bm25(2, 7, 2, 1)},
		},
		{
			// A repeated query term counts twice: d1 = 2*0.4700*1.1139 + 0.4700*1.4790.
			query: "cat cat dog",
			want:  []string{"d1#a", "d2#a", "d3#a"},
			score: []float64{bm25(1, 3, 2, 2) + bm25(2, 3, 2, 1), bm25(3, 7, 2, 2), bm25(1, 2, 2, 1)},
		},
		{query: "unicorn", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			hits, err := ix.Search(context.Background(), tc.query, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, h := range hits {
				got = append(got, h.Passage.ID)
				if h.Rank != i+1 {
					t.Errorf("hit %d has rank %d", i, h.Rank)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ranking = %v, want %v", got, tc.want)
			}
			for i, h := range hits {
				if math.Abs(h.Score-tc.score[i]) > 1e-9 {
					t.Errorf("%s score = %.6f, want %.6f", h.Passage.ID, h.Score, tc.score[i])
				}
			}
		})
	}
}

func TestGroupsTakeTheBestTermOfAGroup(t *testing.T) {
	ix := buildOpen(t, pets, BuildOptions{})
	rs, closeReaders, err := ix.readers()
	if err != nil {
		t.Fatal(err)
	}
	defer closeReaders()
	// "cat" with "dog" standing for it at half weight, and "fish" on its
	// own: d1 ("cat dog dog") earns max(cat, dog/2) for the group, not the
	// sum; d3 ("dog bird") has only the stand-in.
	terms := []queryTerm{
		{term: "cat", qtf: 1, weight: 1, rel: 1, group: 0},
		{term: "fish", qtf: 1, weight: 1, rel: 1, group: 1},
		{term: "dog", qtf: 1, weight: 0.5, rel: 0.5, group: 0},
	}
	h, err := ix.rankTop(context.Background(), rs, "", nil, terms, len(ix.flat), nil)
	if err != nil {
		t.Fatal(err)
	}
	scores := make([]float64, len(ix.flat))
	for _, c := range h {
		scores[c.pos] = c.score
	}
	want := map[string]float64{
		"d1#a": max(bm25(1, 3, 2, 1), 0.5*bm25(2, 3, 2, 1)),
		"d2#a": bm25(3, 7, 2, 1) + bm25(2, 7, 1, 1),
		"d3#a": 0.5 * bm25(1, 2, 2, 1),
	}
	if len(h) != len(want) {
		t.Errorf("%d passages scored, want %d", len(h), len(want))
	}
	for pos, p := range ix.flat {
		if got := scores[pos]; math.Abs(got-want[p.ID]) > 1e-9 {
			t.Errorf("%s score = %.6f, want %.6f", p.ID, got, want[p.ID])
		}
	}
}

func TestSearchTopK(t *testing.T) {
	ix := buildOpen(t, pets, BuildOptions{})
	hits, err := ix.Search(context.Background(), "cat dog", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].Passage.ID != "d1#a" || hits[1].Passage.ID != "d2#a" {
		t.Fatalf("top 2 = %+v", hits)
	}
	if hits, _ := ix.Search(context.Background(), "cat", 0); hits != nil {
		t.Errorf("k=0 gave %d hits", len(hits))
	}
}

// SearchShown ranks as Search does and describes only the hits it shows:
// those are Search's hits exactly, the rest Rank's.
func TestSearchShown(t *testing.T) {
	ctx := context.Background()
	ix := buildOpen(t, pets, BuildOptions{})
	const q, k = "cat dog bird", 3
	full, err := ix.Search(ctx, q, k)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := ix.Rank(ctx, q, k)
	if err != nil {
		t.Fatal(err)
	}
	if len(full) != k || len(bare) != k {
		t.Fatalf("Search gave %d hits, Rank %d; want %d", len(full), len(bare), k)
	}
	for _, shown := range []int{0, 1, 2, k, k + 5} {
		got, err := ix.SearchShown(ctx, q, k, shown)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != k {
			t.Fatalf("shown %d: %d hits, want %d", shown, len(got), k)
		}
		for i, h := range got {
			want := bare[i]
			if i < shown {
				want = full[i]
			}
			if !reflect.DeepEqual(h, want) {
				t.Errorf("shown %d, hit %d:\n got %+v\nwant %+v", shown, i, h, want)
			}
		}
		if shown > 0 && got[0].Quote == "" {
			t.Errorf("shown %d: the first hit has no quote", shown)
		}
	}
}

func TestSearchTiesFollowCorpusOrder(t *testing.T) {
	docs := []briefbot.Document{doc("z", "", "same words here"), doc("a", "", "same words here"), doc("m", "", "same words here")}
	ix := buildOpen(t, docs, BuildOptions{BatchSize: 1})
	hits, err := ix.Search(context.Background(), "words", 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, h.Passage.DocID)
	}
	if want := []string{"z", "a", "m"}; !slices.Equal(got, want) {
		t.Errorf("tied hits = %v, want corpus order %v", got, want)
	}
}

func TestSearchTitleAndSectionCount(t *testing.T) {
	d := doc("t", "Volcano report", "Lava flows reached the coast.")
	d.Passages[0].Section = "Seismic activity"
	ix := buildOpen(t, []briefbot.Document{d, doc("u", "", "Nothing relevant is said here.")}, BuildOptions{})
	for _, q := range []string{"volcano", "seismic"} {
		hits, err := ix.Search(context.Background(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].Passage.ID != "t#a" {
			t.Errorf("%q: hits %+v, want the passage matched through its title or section", q, hits)
		}
	}
}

func TestSearchQuerySyntaxIsText(t *testing.T) {
	ix := buildOpen(t, pets, BuildOptions{})
	tests := []struct {
		query string
		want  []string
	}{
		{"What? *: AND OR -x", nil},
		{"cat: dog", []string{"d1#a", "d2#a", "d3#a"}},
		{"+fish -dog", []string{"d2#a", "d1#a", "d3#a"}}, // -dog is the word dog, not an exclusion
		{`"cat" AND (fish^3)~2 bird*`, []string{"d2#a", "d3#a", "d1#a"}},
		{"fish/[a-z]+/ {dog TO cat}", []string{"d2#a", "d1#a", "d3#a"}},
		{`\\ \" ' ¿¡ 😀`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			hits, err := ix.Search(context.Background(), tc.query, 10)
			if err != nil {
				t.Fatalf("query %q: %v", tc.query, err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Passage.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("query %q ranked %v, want %v", tc.query, got, tc.want)
			}
		})
	}
}

func TestSearchBlankOrStopwords(t *testing.T) {
	ix := buildOpen(t, pets, BuildOptions{})
	for _, q := range []string{"", "   \n\t", "the of and", "what is it?", "?!"} {
		hits, err := ix.Search(context.Background(), q, 5)
		if err != nil || hits != nil {
			t.Errorf("Search(%q) = %v, %v; want no hits and no error", q, hits, err)
		}
	}
}

func TestSearchCancelled(t *testing.T) {
	ix := buildOpen(t, pets, BuildOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, "cat", 5); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSearchAfterClose(t *testing.T) {
	root := t.TempDir()
	if _, err := Build(context.Background(), root, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Search(context.Background(), "cat", 5); !errors.Is(err, ErrClosed) {
		t.Errorf("err = %v, want ErrClosed", err)
	}
	if got := len(ix.Documents()); got != 3 {
		t.Errorf("Documents after Close = %d, want 3 (manifest data)", got)
	}
}

func TestMatchedAndCoverage(t *testing.T) {
	ix := buildOpen(t, pets, BuildOptions{})
	hits, err := ix.Search(context.Background(), "fish and dogs", 5)
	if err != nil {
		t.Fatal(err)
	}
	// idf(fish) = ln(8/3) = 0.9808 (df 1), idf(dog) = ln 1.6 = 0.4700 (df 2).
	// d2 holds fish only: 0.9808/(0.9808+0.4700) = 0.6760; d1 and d3 hold dog only: 0.3240.
	fishShare := math.Log(8.0/3) / (math.Log(8.0/3) + math.Log(1.6))
	want := map[string]struct {
		matched  []string
		coverage float64
	}{
		"d2#a": {[]string{"fish"}, fishShare},
		"d1#a": {[]string{"dog"}, 1 - fishShare},
		"d3#a": {[]string{"dog"}, 1 - fishShare},
	}
	if len(hits) != 3 {
		t.Fatalf("%d hits, want 3", len(hits))
	}
	for _, h := range hits {
		w := want[h.Passage.ID]
		if !slices.Equal(h.Matched, w.matched) {
			t.Errorf("%s matched %v, want %v", h.Passage.ID, h.Matched, w.matched)
		}
		if math.Abs(h.Coverage-w.coverage) > 1e-9 {
			t.Errorf("%s coverage %.4f, want %.4f", h.Passage.ID, h.Coverage, w.coverage)
		}
	}
	// A term absent from the corpus weighs most and lowers coverage.
	hits, err = ix.Search(context.Background(), "fish zeppelin", 5)
	if err != nil {
		t.Fatal(err)
	}
	// idf(zeppelin) = ln(1 + 3.5/0.5) = ln 8 = 2.0794; coverage = 0.9808/(0.9808+2.0794) = 0.3205.
	if wantCov := math.Log(8.0/3) / (math.Log(8.0/3) + math.Log(8)); len(hits) != 1 || math.Abs(hits[0].Coverage-wantCov) > 1e-9 {
		t.Errorf("hits %+v, want d2 with coverage %.4f", hits, wantCov)
	}
}

func TestAnalyzeAndIDF(t *testing.T) {
	ix := buildOpen(t, pets, BuildOptions{})
	if got, want := ix.Analyze("The Cats' dogs are running"), []string{"cat", "dog", "run"}; !slices.Equal(got, want) {
		t.Errorf("Analyze = %v, want %v", got, want)
	}
	for term, want := range map[string]float64{
		"cat":      math.Log(1.6),     // df 2: ln(1 + 1.5/2.5)
		"fish":     math.Log(8.0 / 3), // df 1: ln(1 + 2.5/1.5)
		"zeppelin": math.Log(8),       // df 0: ln(1 + 3.5/0.5)
	} {
		if got := ix.IDF(term); math.Abs(got-want) > 1e-12 {
			t.Errorf("IDF(%s) = %v, want %v", term, got, want)
		}
	}
}

func TestReopenAfterBuild(t *testing.T) {
	root := t.TempDir()
	info, err := Build(context.Background(), root, pets, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Documents != 3 || info.Passages != 3 || info.Version != VersionOf(pets) || info.BuiltAt.IsZero() {
		t.Fatalf("info = %+v", info)
	}
	var first []briefbot.Hit
	for round := range 2 {
		ix, err := Open(root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := ix.Info(); got.Version != info.Version || !got.BuiltAt.Equal(info.BuiltAt) {
			t.Errorf("round %d: info %+v, want %+v", round, got, info)
		}
		// The texts are apart (see textsFile): the listing lacks them,
		// the full documents read them.
		if got := ix.Documents(); len(got) != 3 || got[1].Passages[0].ID != pets[1].Passages[0].ID || got[1].Passages[0].Text != "" {
			t.Errorf("round %d: documents %+v", round, got)
		}
		if got, err := ix.FullDocuments(); err != nil || !reflect.DeepEqual(got, pets) {
			t.Errorf("round %d: full documents %+v, %v; want %+v", round, got, err, pets)
		}
		if p, ok := ix.Passage("d3#a"); !ok || p.Text != "dog bird" {
			t.Errorf("round %d: Passage(d3#a) = %+v, %v", round, p, ok)
		}
		if _, ok := ix.Passage("nope"); ok {
			t.Errorf("round %d: Passage(nope) found", round)
		}
		hits, err := ix.Search(context.Background(), "cat dog", 3)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			first = hits
		} else if !slices.EqualFunc(first, hits, func(a, b briefbot.Hit) bool {
			return a.Passage.ID == b.Passage.ID && a.Score == b.Score
		}) {
			t.Errorf("reopened index ranks %+v, first open %+v", hits, first)
		}
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenWithoutIndex(t *testing.T) {
	if _, err := Open(t.TempDir(), Options{}); !errors.Is(err, ErrNoIndex) {
		t.Errorf("err = %v, want ErrNoIndex", err)
	}
}

func TestBuildRejectsBadInput(t *testing.T) {
	dup := []briefbot.Document{doc("a", "", "one"), doc("a", "", "two")}
	noID := []briefbot.Document{{ID: "x", Passages: []briefbot.Passage{{Text: "t"}}}}
	for name, docs := range map[string][]briefbot.Document{"duplicate": dup, "no id": noID} {
		root := t.TempDir()
		if _, err := Build(context.Background(), root, docs, BuildOptions{}); err == nil {
			t.Errorf("%s: Build succeeded", name)
		}
		if entries, _ := os.ReadDir(filepath.Join(root, buildsDir)); len(entries) != 0 {
			t.Errorf("%s: left %d build dirs", name, len(entries))
		}
	}
	if _, err := Build(context.Background(), t.TempDir(), pets, BuildOptions{Options: Options{B: 2}}); err == nil {
		t.Error("Build accepted b=2")
	}
}

// manyDocs makes n one-passage documents mentioning word.
func manyDocs(n int, word string) []briefbot.Document {
	docs := make([]briefbot.Document, n)
	for i := range docs {
		docs[i] = doc(word+strings.Repeat("x", i%7)+string(rune('A'+i%26))+string(rune('a'+i/26%26)), "",
			word+" passage number "+strings.Repeat("more ", i%5))
	}
	return docs
}

func TestFailedBuildKeepsServingOld(t *testing.T) {
	root := t.TempDir()
	if _, err := Build(context.Background(), root, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(root, currentFile))
	if err != nil {
		t.Fatal(err)
	}
	live, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()

	// Cancel after the first batch has been indexed.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	batches := 0
	_, err = Build(ctx, root, manyDocs(40, "zebra"), BuildOptions{BatchSize: 10, Progress: func(done, total int) {
		batches++
		cancel()
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled build: err = %v, want context.Canceled", err)
	}
	if batches != 1 {
		t.Errorf("build indexed %d batches after cancel, want 1", batches)
	}
	after, err := os.ReadFile(filepath.Join(root, currentFile))
	if err != nil || string(after) != string(before) {
		t.Errorf("CURRENT changed from %q to %q (%v)", before, after, err)
	}
	entries, err := os.ReadDir(filepath.Join(root, buildsDir))
	if err != nil || len(entries) != 1 {
		t.Errorf("builds after failed build: %d entries (%v), want only the live one", len(entries), err)
	}
	for _, ix := range []*Index{live, mustOpen(t, root)} {
		hits, err := ix.Search(context.Background(), "cat", 5)
		if err != nil || len(hits) != 2 {
			t.Errorf("old index after failed build: %d hits, %v", len(hits), err)
		}
	}
}

func mustOpen(t *testing.T, root string) *Index {
	t.Helper()
	ix, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

func TestOldBuildsRemovedUnlessOpen(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()
	builds := func() []string {
		entries, err := os.ReadDir(filepath.Join(root, buildsDir))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	if _, err := Build(ctx, root, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	held := mustOpen(t, root)
	first := filepath.Base(held.Dir())
	for range 3 {
		if _, err := Build(ctx, root, pets, BuildOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Live, previous, and the first build, still open.
	if got := builds(); len(got) != 3 || !slices.Contains(got, first) {
		t.Fatalf("builds = %v, want 3 including the open %s", got, first)
	}
	if hits, err := held.Search(ctx, "fish", 5); err != nil || len(hits) != 1 {
		t.Errorf("held index: %d hits, %v", len(hits), err)
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(ctx, root, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := builds(); len(got) != 2 || slices.Contains(got, first) {
		t.Errorf("builds = %v, want the live and previous only", got)
	}
}

func TestEnsureCurrentDetectsStale(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()
	ensure := func(docs []briefbot.Document, opts BuildOptions, wantRebuilt bool) *Index {
		t.Helper()
		ix, rebuilt, err := EnsureCurrent(ctx, root, docs, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		if rebuilt != wantRebuilt {
			t.Errorf("rebuilt = %v, want %v", rebuilt, wantRebuilt)
		}
		if got, want := ix.Info().Version, VersionWith(docs, opts.Options); got != want {
			t.Errorf("version = %s, want %s", got, want)
		}
		return ix
	}
	ensure(pets, BuildOptions{}, true)  // nothing built
	ensure(pets, BuildOptions{}, false) // up to date

	changed := slices.Clone(pets)
	changed[2] = doc("d3", "", "dog bird fish")
	if VersionOf(changed) == VersionOf(pets) {
		t.Fatal("changing a passage's text kept the version")
	}
	ix := ensure(changed, BuildOptions{}, true)
	if hits, _ := ix.Search(ctx, "fish", 5); len(hits) != 2 {
		t.Errorf("rebuilt index: %d hits for fish, want 2", len(hits))
	}

	// BM25 settings change the version but are applied at query time.
	k1 := BuildOptions{Options: Options{K1: 2}}
	if VersionWith(changed, k1.Options) == VersionOf(changed) {
		t.Error("k1 does not change the version")
	}
	ensure(changed, k1, false)

	// A build made with another mapping is rebuilt.
	name, err := readCurrent(root)
	if err != nil {
		t.Fatal(err)
	}
	man, err := readManifest(filepath.Join(root, buildsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	man.Mapping = "0"
	if err := writeManifest(filepath.Join(root, buildsDir, name), man); err != nil {
		t.Fatal(err)
	}
	ensure(changed, BuildOptions{}, true)

	// An unreadable build is rebuilt.
	name, err = readCurrent(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, buildsDir, name, manifestFile)); err != nil {
		t.Fatal(err)
	}
	ensure(changed, BuildOptions{}, true)
}

func TestVersionCoversEveryField(t *testing.T) {
	base := VersionOf(pets)
	edits := map[string]func(d *briefbot.Document){
		"title":   func(d *briefbot.Document) { d.Title = "x" },
		"url":     func(d *briefbot.Document) { d.URL = "https://x" },
		"section": func(d *briefbot.Document) { d.Passages[0].Section = "x" },
		"id":      func(d *briefbot.Document) { d.Passages[0].ID = "x" },
	}
	for name, edit := range edits {
		docs := slices.Clone(pets)
		d := docs[0]
		d.Passages = slices.Clone(d.Passages)
		edit(&d)
		docs[0] = d
		if VersionOf(docs) == base {
			t.Errorf("editing %s kept the version", name)
		}
	}
	swapped := []briefbot.Document{pets[1], pets[0], pets[2]}
	if VersionOf(swapped) == base {
		t.Error("reordering documents kept the version")
	}
}

func TestOpenTimesOutOnLockedIndex(t *testing.T) {
	root := t.TempDir()
	if _, err := Build(context.Background(), root, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	name, err := readCurrent(root)
	if err != nil {
		t.Fatal(err)
	}
	// A writer holds the bolt file lock exclusively.
	w, err := bleve.Open(filepath.Join(root, buildsDir, name, indexSubdir))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ix, err := Open(root, Options{BoltTimeout: 50e6})
	if err == nil {
		_ = ix.Close()
		t.Fatal("Open succeeded on an index held by a writer")
	}
	if !strings.Contains(err.Error(), "timeout") {
		t.Errorf("err = %v, want a bolt timeout", err)
	}
	// A busy index is sound: setting it aside would lose it for nothing.
	if errors.Is(err, ErrCorrupt) {
		t.Errorf("a bolt timeout reads as corruption: %v", err)
	}
}

func TestEmptyCorpus(t *testing.T) {
	ix, rebuilt, err := EnsureCurrent(context.Background(), t.TempDir(), nil, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !rebuilt || ix.Info().Passages != 0 {
		t.Errorf("rebuilt %v, info %+v", rebuilt, ix.Info())
	}
	if hits, err := ix.Search(context.Background(), "anything at all", 5); err != nil || hits != nil {
		t.Errorf("Search = %v, %v; want no hits", hits, err)
	}
}
