package eval

import (
	"context"
	"github.com/briefbot/briefbot/internal/projectdir"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot"
)

// sharedDir finds ../shared relative to the module root (the directory
// holding go.mod), or skips the test when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	evalDir, err := projectdir.Shared("eval")
	if err != nil {
		t.Skipf("shared eval collections absent: %v; skipping the end-to-end BEIR run", err)
	}
	return filepath.Dir(evalDir)
}

// TestBEIREndToEnd indexes SciFact and Cranfield with the index package and
// checks nDCG@10 against published BM25 figures: Anserini's flat BM25 on
// SciFact (0.679) and Xapian's BM25 on Cranfield (0.36-0.38). It runs both
// the product's passage splitting (documents ranked by their best passage)
// and whole records as passages, the setting of the published baselines.
func TestBEIREndToEnd(t *testing.T) {
	shared := sharedDir(t)
	collections := []struct {
		name      string
		minNDCG   float64
		minRecall float64
	}{
		{"scifact", 0.679, 0.9},
		{"cranfield", 0.38, 0.7},
	}
	splits := []struct {
		name  string
		split func(BEIRDoc) briefbot.Document
	}{
		{"passages", nil}, // the default: corpus splitting
		{"whole", OnePassage},
	}
	for _, c := range collections {
		b, err := LoadBEIR(filepath.Join(shared, "eval", c.name))
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range splits {
			t.Run(c.name+"/"+sp.name, func(t *testing.T) {
				rep, err := b.Run(context.Background(), BEIROptions{Split: sp.split})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s (%s): nDCG@10 %.5f, MAP %.5f", rep, sp.name, rep.NDCG10, rep.MAP)
				if rep.NDCG10 < c.minNDCG {
					t.Errorf("nDCG@10 = %.5f, want >= %.3f", rep.NDCG10, c.minNDCG)
				}
				if rep.Recall100 < c.minRecall {
					t.Errorf("Recall@100 = %.4f, want >= %.2f", rep.Recall100, c.minRecall)
				}
			})
		}
	}
}
