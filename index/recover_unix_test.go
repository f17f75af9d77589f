//go:build unix

package index

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// RemoveAbandonedBuilds removes builds newer than CURRENT that no process
// holds, and nothing while a build runs; it keeps the live build, the one
// before it and builds open elsewhere.
func TestRemoveAbandonedBuilds(t *testing.T) {
	root := t.TempDir()
	prev := builtDir(t, root)
	live := builtDir(t, root)
	builds := filepath.Join(root, buildsDir)
	mkBuild := func(name string) string {
		dir := filepath.Join(builds, name)
		if err := os.MkdirAll(filepath.Join(dir, indexSubdir), 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	// Names after the live build's: builds started later that never
	// went live.
	abandoned := mkBuild("99990101T000000000Z-1")
	held := mkBuild("99990101T000000000Z-2")
	// Open elsewhere, as a reader holds it.
	if err := os.WriteFile(filepath.Join(held, lockFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := lockShared(filepath.Join(held, lockFile))
	if err != nil {
		t.Fatal(err)
	}
	defer l.unlock()
	tmp := filepath.Join(root, currentFile+".tmp-123")
	if err := os.WriteFile(tmp, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	rl, err := lockExclusive(filepath.Join(root, rootLockFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := RemoveAbandonedBuilds(root); got != nil {
		t.Errorf("removed %q while a build holds the root lock", got)
	}
	rl.unlock()
	if got := RemoveAbandonedBuilds(root); len(got) != 1 || got[0] != abandoned {
		t.Errorf("removed %q, want only %q", got, abandoned)
	}
	for _, dir := range []string{prev, live, held} {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s removed: %v", dir, err)
		}
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary CURRENT left: %v", err)
	}
	mustOpen(t, root).Close()
}
