package eval

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
)

func TestSplitTmp(t *testing.T) {
	shared := sharedDir(t)
	for _, name := range []string{"scifact", "cranfield"} {
		b, err := LoadBEIR(filepath.Join(shared, "eval", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, max := range []int{0, 1200, 1500} {
			split := func(d BEIRDoc) briefbot.Document {
				return corpus.PlainDocument(d.ID, d.Title, d.Text, corpus.Options{MaxPassageChars: max})
			}
			rep, err := b.Run(context.Background(), BEIROptions{Split: split})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("max=%d %.5f %.5f %s\n", max, rep.NDCG10, rep.MAP, rep)
		}
	}
}
