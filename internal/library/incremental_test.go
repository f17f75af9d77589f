package library

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
)

// TestAddRemoveLatencyLargeCorpus measures the moderators' promise beside
// a large corpus: a twenty-page document added to (then removed from) a
// library of 10k generated passages is cited (then no longer cited)
// within 2 s of the command.
func TestAddRemoveLatencyLargeCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10k-passage index")
	}
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "corpus"), 0o755); err != nil {
		t.Fatal(err)
	}
	generatedCorpus(t, filepath.Join(dir, "corpus", "depots.md"), 10000)
	lib, st, err := openData(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		lib.Close()
		st.Close()
	})
	const q = "How many lorries did the Zangezur survey team count at Meghri?"
	data := twentyPages()
	start := time.Now()
	res, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: "survey.md", Data: data, By: "42"})
	if err != nil {
		t.Fatal(err)
	}
	if !cites(t, lib, q, res.Document.ID) {
		t.Fatal("added document not cited")
	}
	added := time.Since(start)
	start = time.Now()
	if _, err := lib.RemoveDocument(ctx, res.Document.ID, "42"); err != nil {
		t.Fatal(err)
	}
	if cites(t, lib, q, res.Document.ID) {
		t.Fatal("removed document still cited")
	}
	removed := time.Since(start)
	t.Logf("beside %d passages: add → first answer citing it %v (%d passages); remove → answer without it %v",
		lib.Info().Passages, added, res.Document.Passages, removed)
	if added > 2*time.Second || removed > 2*time.Second {
		t.Errorf("add took %v, remove %v; want ≤ 2s each", added, removed)
	}
}

// TestRestartAfterIncrementalChanges: after documents are added, replaced
// and removed incrementally, a restart serves the same answers from the
// same build, without rebuilding or parsing anything.
func TestRestartAfterIncrementalChanges(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "corpus"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "corpus", "convoys.md"), convoyText)
	lib, st, err := openData(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := lib.Info()
	for _, add := range []struct{ name, text string }{
		{"pipelines.md", pipelineText},
		{"survey.md", string(twentyPages())},
		{"pipelines.md", pipelineText + "\nThe pipeline was closed for repairs in March.\n"}, // replaces
	} {
		if _, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: add.name, Data: []byte(add.text), By: "42"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lib.RemoveDocument(ctx, "survey", "42"); err != nil {
		t.Fatal(err)
	}
	questions := []string{"When did the convoy reach Gyumri?", "When was the pipeline closed for repairs?",
		"How many lorries did the Zangezur survey team count at Meghri?", "gas to Turkey"}
	answers := func(lib *Library) []string {
		var out []string
		for _, q := range questions {
			hits, err := lib.Search(ctx, q, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hits {
				out = append(out, fmt.Sprintf("%s %s %.12f", q, h.Passage.ID, h.Score))
			}
		}
		return out
	}
	before, info := answers(lib), lib.Info()
	if info.BuiltAt.Equal(base.BuiltAt) || info.Documents != 2 {
		t.Fatalf("after the changes: %+v (at start %+v)", info, base)
	}
	lib.Close()
	st.Close()

	skipped := false
	lib, st, err = openData(dir, Options{Logger: slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		skipped = skipped || strings.Contains(string(p), "corpus not parsed")
		return len(p), nil
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		lib.Close()
		st.Close()
	}()
	if got := lib.Info(); got != info || !skipped {
		t.Errorf("after the restart: %+v (parsing skipped: %v), want the build served before %+v", got, skipped, info)
	}
	if after := answers(lib); !slices.Equal(after, before) {
		t.Errorf("answers after the restart:\n%s\nbefore:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}

	// The documents taken from the index at the restart lack their texts
	// (the index keeps them apart): a change must still build them whole.
	if _, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: "notes.md", Data: []byte("# Notes\n\nThe depot at Meghri reopened in May.\n"), By: "42"}); err != nil {
		t.Fatal(err)
	}
	if got := lib.Info(); got.Passages != info.Passages+1 {
		t.Errorf("after adding one passage: %+v, before %+v", got, info)
	}
	texts := map[string]string{"When did the convoy reach Gyumri?": "Gyumri", "When was the pipeline closed for repairs?": "repairs",
		"When did the depot at Meghri reopen?": "reopened in May"}
	for q, want := range texts {
		hits, err := lib.Search(ctx, q, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || !strings.Contains(hits[0].Passage.Text, want) {
			t.Errorf("%q after a change: %+v, want a text with %q", q, hits, want)
		}
	}
	for _, d := range lib.Documents() {
		for _, p := range d.Passages {
			if got, ok := lib.Passage(p.ID); !ok || strings.TrimSpace(got.Text) == "" {
				t.Errorf("passage %s after a change: %q, %v", p.ID, got.Text, ok)
			}
		}
	}
}
