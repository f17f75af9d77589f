//go:build unix

package index

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMappedTextsCutShort: the texts file is mapped, and a file cut short
// under a served index (a disk or an operator gone wrong) makes reading a
// text an error, not a fault that ends the process.
func TestMappedTextsCutShort(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	if _, err := Build(ctx, root, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if len(ix.segs) == 0 || ix.segs[0].texts == nil || ix.segs[0].texts.data == nil {
		t.Fatal("the texts file is not mapped")
	}
	if hits, err := ix.Search(ctx, "dog", 3); err != nil || len(hits) == 0 || hits[0].Passage.Text == "" {
		t.Fatalf("search before: %v, %+v", err, hits)
	}
	cur, err := readCurrent(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(root, buildsDir, cur, textsFile), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Search(ctx, "dog", 3); err == nil {
		t.Error("search over texts cut short: no error")
	}
	if _, ok := ix.Passage("d3#a"); ok {
		t.Error("a passage whose text is gone was served")
	}
}

// A postings file cut short under an open index faults where it is read:
// the search fails with an error instead of crashing the process, and the
// next one too.
func TestMappedPostingsCutShort(t *testing.T) {
	ctx := context.Background()
	root, ix := buildMapped(t, briefDocs(t), Options{})
	// Ranked in chunks (see rankChunked), as the searches reading the
	// most postings are.
	ix.minPrune = 0
	const q = "Iran Azerbaijan Israel drones"
	if hits, err := ix.Rank(ctx, q, 10); err != nil || len(hits) == 0 || ix.chunkedRanks.Load() == 0 {
		t.Fatalf("rank before: %v, %d hits, %d ranked in chunks", err, len(hits), ix.chunkedRanks.Load())
	}
	if err := os.Truncate(postFilePath(t, root), 0); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := ix.Rank(ctx, q, 10); err == nil || !strings.Contains(err.Error(), postFile) {
			t.Errorf("rank over a postings file cut short: %v, want an error naming %s", err, postFile)
		}
	}
}
