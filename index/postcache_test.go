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
