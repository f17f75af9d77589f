package eval

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/index"
	"github.com/briefbot/briefbot/internal/config"
	"github.com/briefbot/briefbot/internal/projectdir"
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
// SciFact (0.679) and Xapian's BM25 on Cranfield (0.36-0.38). Two runs
// must reach them:
//   - the product as configured by default (corpus splitting, documents
//     ranked by their best passage, related words at
//     retrieval.synonyms), which is what `briefbot eval --beir` measures;
//   - plain BM25 on whole records, the baselines' own setting, which
//     checks the BM25 implementation itself.
//
// The two other combinations are logged for comparison.
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
	product := config.Default().Retrieval.Synonyms
	runs := []struct {
		name     string
		split    func(BEIRDoc) briefbot.Document // nil: corpus splitting
		synonyms float64
		checked  bool
	}{
		{"product", nil, product, true},
		{"whole-bm25", OnePassage, 0, true},
		{"passages-bm25", nil, 0, false},
		{"whole-product", OnePassage, product, false},
	}
	for _, c := range collections {
		b, err := LoadBEIR(filepath.Join(shared, "eval", c.name))
		if err != nil {
			t.Fatal(err)
		}
		for _, run := range runs {
			t.Run(c.name+"/"+run.name, func(t *testing.T) {
				rep, err := b.Run(context.Background(), BEIROptions{Split: run.split, Index: TempIndex(index.Options{Synonyms: run.synonyms})})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s (%s): nDCG@10 %.5f, MAP %.5f", rep, run.name, rep.NDCG10, rep.MAP)
				if !run.checked {
					return
				}
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
