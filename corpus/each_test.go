package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot"
)

// Each stops at yield's first error and returns it as it is, whether the
// documents come from a JSONL file's records or from files of their own.
func TestEachStopsAtYieldError(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.jsonl": `{"_id":"1","title":"One","text":"first record"}` + "\n" + `{"_id":"2","title":"Two","text":"second record"}` + "\n",
		"b.md":    "# B\n\nA note.\n",
		"c.md":    "# C\n\nAnother note.\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all, _, err := Load(context.Background(), []string{dir}, Options{})
	if err != nil || len(all) != 4 {
		t.Fatalf("Load: %d documents, %v; want 4", len(all), err)
	}
	stop := errors.New("enough")
	for n := 1; n <= len(all); n++ {
		var got []briefbot.Document
		_, err := Each(context.Background(), []string{dir}, Options{}, func(d briefbot.Document) error {
			got = append(got, d)
			if len(got) == n {
				return stop
			}
			return nil
		})
		if err != stop {
			t.Errorf("stopping at %d: err = %v, want the yield's own error", n, err)
		}
		if len(got) != n {
			t.Errorf("stopping at %d: %d documents yielded", n, len(got))
		}
		for i := range got {
			if got[i].ID != all[i].ID {
				t.Errorf("stopping at %d: document %d is %q, Load's is %q", n, i, got[i].ID, all[i].ID)
			}
		}
	}
}
