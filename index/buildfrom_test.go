package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/briefbot/briefbot"
)

// A streamed build serves what a build from the same documents in memory
// serves: same version, manifest documents, texts and hits; and it records
// what its source could not read.
func TestBuildFromEqualsBuild(t *testing.T) {
	ctx := context.Background()
	want, err := BuildOpen(ctx, t.TempDir(), pets, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	skipped := briefbot.Failure{Source: "broken.jsonl:3", Reason: "invalid JSON"}
	src := func(ctx context.Context, yield func(briefbot.Document) error) ([]briefbot.Failure, error) {
		_, err := copiedSource(pets)(ctx, yield)
		return []briefbot.Failure{skipped}, err
	}
	var calls [][2]int
	got, err := BuildFrom(ctx, t.TempDir(), src, BuildOptions{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if g, w := got.Info(), want.Info(); g.Version != w.Version || g.Documents != w.Documents || g.Passages != w.Passages {
		t.Errorf("info = %+v, want %+v", g, w)
	}
	if last := calls[len(calls)-1]; last[0] != last[1] || last[0] != want.Info().Passages {
		t.Errorf("progress calls %v: the last must tell done == total == %d", calls, want.Info().Passages)
	}
	if f := got.Failed(); len(f) != 1 || f[0] != skipped {
		t.Errorf("failed = %v, want %v", f, skipped)
	}
	gd, err := got.FullDocuments()
	if err != nil {
		t.Fatal(err)
	}
	wd, err := want.FullDocuments()
	if err != nil {
		t.Fatal(err)
	}
	if len(gd) != len(wd) {
		t.Fatalf("%d documents, want %d", len(gd), len(wd))
	}
	for i := range wd {
		if docHash(gd[i]) != docHash(wd[i]) {
			t.Errorf("document %d: %+v, want %+v", i, gd[i], wd[i])
		}
	}
	for _, q := range []string{"cat", "dog food", "the"} {
		gh, err := got.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		wh, _ := want.Search(ctx, q, 10)
		if len(gh) != len(wh) {
			t.Fatalf("%q: %d hits, want %d", q, len(gh), len(wh))
		}
		for i := range wh {
			if gh[i].Passage.ID != wh[i].Passage.ID || gh[i].Score != wh[i].Score {
				t.Errorf("%q hit %d: %s %v, want %s %v", q, i, gh[i].Passage.ID, gh[i].Score, wh[i].Passage.ID, wh[i].Score)
			}
		}
	}
}

// EnsureCurrentFrom reads an unchanged corpus without building it, builds
// a changed one, and a source that fails mid-read leaves the live build.
func TestEnsureCurrentFrom(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	current, live := liveBefore(t, root)
	defer live.Close()
	ix, built, err := EnsureCurrentFrom(ctx, root, copiedSource(pets), BuildOptions{})
	if err != nil || built {
		t.Fatalf("unchanged corpus: built %v, %v", built, err)
	}
	ix.Close()
	if entries, _ := os.ReadDir(filepath.Join(root, buildsDir)); len(entries) != 1 {
		t.Errorf("unchanged corpus left %d build folders, want 1", len(entries))
	}

	broken := errors.New("disk gone")
	failing := func(_ context.Context, yield func(briefbot.Document) error) ([]briefbot.Failure, error) {
		if err := yield(passageDoc("cv", "cv#1", "ten years of analysis")); err != nil {
			return nil, err
		}
		return nil, broken
	}
	if _, _, err := EnsureCurrentFrom(ctx, root, failing, BuildOptions{}); !errors.Is(err, broken) {
		t.Errorf("failing source: err = %v, want %v", err, broken)
	}
	if _, err := BuildFrom(ctx, root, failing, BuildOptions{}); !errors.Is(err, broken) {
		t.Errorf("failing source: err = %v, want %v", err, broken)
	}
	assertOldServes(t, root, current, live)

	changed := append(slices.Clone(pets), passageDoc("cv", "cv#1", "ten years of analysis"))
	ix, built, err = EnsureCurrentFrom(ctx, root, copiedSource(changed), BuildOptions{})
	if err != nil || !built {
		t.Fatalf("changed corpus: built %v, %v", built, err)
	}
	defer ix.Close()
	if hits, err := ix.Search(ctx, "analysis", 3); err != nil || len(hits) != 1 {
		t.Errorf("the new document: %d hits, %v", len(hits), err)
	}
}

// copiedSource yields copies of docs' documents: a streamed build drops
// the texts of what it reads, which must not be the shared fixtures'.
func copiedSource(docs []briefbot.Document) Source {
	return func(_ context.Context, yield func(briefbot.Document) error) ([]briefbot.Failure, error) {
		for _, d := range docs {
			d.Passages = slices.Clone(d.Passages)
			if err := yield(d); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
}
