package eval

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/index"
)

func TestSweepTmp(t *testing.T) {
	shared := sharedDir(t)
	for _, name := range []string{"scifact", "cranfield"} {
		b, err := LoadBEIR(filepath.Join(shared, "eval", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, kb := range [][2]float64{{1.2, 0.75}} {
			rep, err := b.Run(context.Background(), BEIROptions{Index: TempIndex(index.Options{K1: kb[0], B: kb[1]})})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("%s k1=%.2f b=%.2f %s\n", name, kb[0], kb[1], rep)
		}
	}
}
