package eval

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir finds ../shared relative to the module root (the directory
// holding go.mod), or skips the test when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found; cannot locate ../shared")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "eval")); err != nil {
		t.Skipf("shared eval collections absent (%s): skipping the end-to-end BEIR run", shared)
	}
	return shared
}

// TestBEIREndToEnd indexes SciFact and Cranfield with the index package and
// checks nDCG@10 against published BM25 figures: Anserini's flat BM25 on
// SciFact (0.679) and Xapian's BM25 on Cranfield (0.36-0.38).
func TestBEIREndToEnd(t *testing.T) {
	shared := sharedDir(t)
	for _, tc := range []struct {
		name      string
		minNDCG   float64
		minRecall float64
	}{
		{"scifact", 0.679, 0.9},
		{"cranfield", 0.38, 0.6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := RunBEIR(context.Background(), filepath.Join(shared, "eval", tc.name), BEIROptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep)
			if rep.NDCG10 < tc.minNDCG {
				t.Errorf("nDCG@10 = %.4f, want >= %.3f", rep.NDCG10, tc.minNDCG)
			}
			if rep.Recall100 < tc.minRecall {
				t.Errorf("Recall@100 = %.4f, want >= %.2f", rep.Recall100, tc.minRecall)
			}
		})
	}
}
