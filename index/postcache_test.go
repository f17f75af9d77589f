package index

import (
	"context"
	"reflect"
	"testing"
)

// TestPostingsCacheChangesNoAnswer: searches answered from cached postings
// (the second time round, and with a budget too small for most lists)
// return exactly the hits of an index that caches nothing, and the cache
// never holds more than its budget.
func TestPostingsCacheChangesNoAnswer(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	opts := Options{Synonyms: 0.7}
	if _, err := Build(ctx, root, briefDocs(t), BuildOptions{Options: opts}); err != nil {
		t.Fatal(err)
	}
	open := func(budget int64) *Index {
		o := opts
		o.PostingsCache = budget
		ix, err := Open(root, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		return ix
	}
	// The cache serves where the build's postings file does not.
	none, all, small := open(-1), open(0), open(2000)
	for _, ix := range []*Index{none, all, small} {
		withoutPostingsFile(t, ix)
	}
	mapped := open(0)
	if mapped.posts == nil {
		t.Fatal("the build has no postings file")
	}
	queries := append(briefQueries(t), "Is Armenia in the CSTO?", "who wrote this?", "Iran Azerbaijan Russia Turkey Israel")
	for round := range 2 {
		for _, q := range queries {
			want, err := none.Search(ctx, q, 20)
			if err != nil {
				t.Fatal(err)
			}
			for name, ix := range map[string]*Index{"cached": all, "small budget": small, "postings file": mapped} {
				got, err := ix.Search(ctx, q, 20)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("round %d, %s, %q: hits differ from an index caching nothing", round, name, q)
				}
			}
		}
	}
	if n := none.postCache.usedBytes(); n != 0 {
		t.Errorf("a disabled cache holds %d bytes", n)
	}
	if n := all.postCache.usedBytes(); n == 0 || n > DefaultPostingsCache {
		t.Errorf("the cache holds %d bytes", n)
	}
	if n := small.postCache.usedBytes(); n == 0 || n > 2000 {
		t.Errorf("a cache of 2000 bytes holds %d", n)
	}
}

// withoutPostingsFile makes ix read bleve's postings, as a build without a
// postings file does.
func withoutPostingsFile(t *testing.T, ix *Index) {
	t.Helper()
	ix.mapMu.Lock()
	defer ix.mapMu.Unlock()
	if ix.posts == nil {
		return
	}
	if err := ix.posts.close(); err != nil {
		t.Fatal(err)
	}
	ix.posts = nil
}

// TestGallop: gallop finds the first position not below p from start on,
// as a scan does, wherever start and p are: before, between, on and past
// the positions, and from every start.
func TestGallop(t *testing.T) {
	lists := [][]int32{nil, {5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 3, 9, 27, 81, 243, 729, 2187}, {2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}}
	for _, pos := range lists {
		for start := 0; start <= len(pos); start++ {
			for p := int32(-1); p <= 2200; p++ {
				want := start
				for want < len(pos) && pos[want] < p {
					want++
				}
				if got := gallop(pos, start, p); got != want {
					t.Fatalf("gallop(%v, %d, %d) = %d, want %d", pos, start, p, got, want)
				}
			}
		}
	}
}

// TestSeek: seek reports a position's frequency when the list holds it,
// and leaves the cursor at the first posting not below it, so that a
// later seek of a higher position starts there.
func TestSeek(t *testing.T) {
	l := &postingList{pos: []int32{3, 7, 8, 20}, tf: []float32{1, 2, 3, 4}, sorted: true}
	cur := 0
	for _, c := range []struct {
		pos    int32
		tf     float32
		ok     bool
		cursor int
	}{{1, 0, false, 0}, {3, 1, true, 0}, {5, 0, false, 1}, {8, 3, true, 2}, {19, 0, false, 3}, {20, 4, true, 3}, {21, 0, false, 4}, {30, 0, false, 4}} {
		tf, ok := l.seek(&cur, c.pos)
		if tf != c.tf || ok != c.ok || cur != c.cursor {
			t.Errorf("seek(%d) = %v, %v, cursor %d; want %v, %v, cursor %d", c.pos, tf, ok, cur, c.tf, c.ok, c.cursor)
		}
	}
}
