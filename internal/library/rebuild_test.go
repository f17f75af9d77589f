package library

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenBuildsAtMostOnce counts the builds Open makes (each build reports
// its end once through Progress): Rebuild (index --force) builds exactly
// once whatever the index was; without it Open builds only a missing or
// stale index.
func TestOpenBuildsAtMostOnce(t *testing.T) {
	const text = "# Convoys\n\n## Logistics\n\nThe convoy reached Gyumri on Tuesday after a long delay at the checkpoint.\n"
	tests := []struct {
		index   string // what the index is before Open: missing, stale or current
		rebuild bool
		want    int
	}{
		{"missing", true, 1},
		{"stale", true, 1},
		{"current", true, 1},
		{"missing", false, 1},
		{"stale", false, 1},
		{"current", false, 0},
	}
	for _, tc := range tests {
		name := tc.index
		if tc.rebuild {
			name += "/rebuild"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			corpusDir := filepath.Join(dir, "corpus")
			opts := Options{IndexDir: filepath.Join(dir, "index"), CorpusPaths: []string{corpusDir}}
			if err := os.Mkdir(corpusDir, 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(corpusDir, "a.md"), text)
			if tc.index != "missing" {
				lib, err := Open(context.Background(), opts)
				if err != nil {
					t.Fatal(err)
				}
				lib.Close()
			}
			if tc.index == "stale" {
				write(t, filepath.Join(corpusDir, "a.md"), text+"\nIt left for Tbilisi on Friday.\n")
			}
			builds := 0
			opts.Rebuild = tc.rebuild
			opts.Progress = func(done, total int) {
				if done == total {
					builds++
				}
			}
			lib, err := Open(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer lib.Close()
			if builds != tc.want {
				t.Errorf("Open made %d builds, want %d", builds, tc.want)
			}
			if hits, err := lib.Search(context.Background(), "convoy Gyumri", 3); err != nil || len(hits) == 0 {
				t.Errorf("search after Open: %d hits, %v", len(hits), err)
			}
		})
	}
}
