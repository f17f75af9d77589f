package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// buildFolders lists the index builds under a data folder.
func buildFolders(t *testing.T, data string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(data, "index", "builds"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestIndexForceBuildsOnce: `index --force` builds the index exactly once,
// whether it was missing, stale or current. Every build gets a new folder,
// and a build keeps the one it replaced, so a second build would show as a
// second new folder.
func TestIndexForceBuildsOnce(t *testing.T) {
	const text = "# Convoys\n\n## Logistics\n\nThe convoy reached Gyumri on Tuesday after a long delay at the checkpoint.\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, data, doc string) // what the index is before --force
	}{
		{"missing", func(t *testing.T, data, doc string) {}},
		{"stale", func(t *testing.T, data, doc string) {
			indexOnce(t, data, doc)
			if err := os.WriteFile(doc, []byte(text+"\nIt left for Tbilisi on Friday.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"current", indexOnce},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			doc := filepath.Join(dir, "corpus", "notes.md")
			if err := os.MkdirAll(filepath.Dir(doc), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(doc, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			data := filepath.Join(dir, "data")
			tc.setup(t, data, doc)
			before := buildFolders(t, data)
			code, _, errs := runCLI(t, data, "", "--corpus", filepath.Dir(doc), "index", "--force")
			if code != 0 {
				t.Fatalf("index --force: exit %d: %s", code, errs)
			}
			var added []string
			for _, b := range buildFolders(t, data) {
				if !slices.Contains(before, b) {
					added = append(added, b)
				}
			}
			if len(added) != 1 {
				t.Errorf("index --force made %d builds %v, want 1 (folders before: %v)", len(added), added, before)
			}
		})
	}
}

// indexOnce builds the index of the folder holding doc.
func indexOnce(t *testing.T, data, doc string) {
	t.Helper()
	if code, _, errs := runCLI(t, data, "", "--corpus", filepath.Dir(doc), "index"); code != 0 {
		t.Fatalf("index: exit %d: %s", code, errs)
	}
}
