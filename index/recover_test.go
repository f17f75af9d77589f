package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damages break a built index the ways a disk or a hand can: each leaves a
// build that cannot be opened.
var damages = map[string]func(t *testing.T, root, build string){
	"bolt garbled": func(t *testing.T, root, build string) {
		overwrite(t, filepath.Join(build, indexSubdir, "store", "root.bolt"))
	},
	"segment missing": func(t *testing.T, root, build string) {
		zaps, err := filepath.Glob(filepath.Join(build, indexSubdir, "store", "*.zap"))
		if err != nil || len(zaps) == 0 {
			t.Fatalf("no segment to remove: %v", err)
		}
		for _, z := range zaps {
			if err := os.Remove(z); err != nil {
				t.Fatal(err)
			}
		}
	},
	"manifest truncated": func(t *testing.T, root, build string) {
		if err := os.Truncate(filepath.Join(build, manifestFile), 100); err != nil {
			t.Fatal(err)
		}
	},
	"manifest byte flipped": func(t *testing.T, root, build string) {
		path := filepath.Join(build, manifestFile)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)/2] ^= 1
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	},
	"build missing": func(t *testing.T, root, build string) {
		if err := os.RemoveAll(build); err != nil {
			t.Fatal(err)
		}
	},
	"current garbled": func(t *testing.T, root, build string) {
		if err := os.WriteFile(filepath.Join(root, currentFile), []byte("../..\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	},
}

// overwrite replaces a file's bytes with garbage of the same length.
func overwrite(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Repeat("\xab", int(fi.Size()))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// builtDir builds pets under root and returns the build directory.
func builtDir(t *testing.T, root string) string {
	t.Helper()
	ix, err := BuildOpen(context.Background(), root, pets, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := ix.Dir()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Each damage reads as ErrCorrupt; SetAside moves the build and CURRENT
// into root/corrupt-*, after which the root reads as never built and a
// build serves again.
func TestSetAsideCorrupt(t *testing.T) {
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			build := builtDir(t, root)
			damage(t, root, build)
			_, err := Open(root, Options{})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open after damage: %v, want ErrCorrupt", err)
			}
			dest, err := SetAside(context.Background(), root, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Dir(dest) != root || !strings.HasPrefix(filepath.Base(dest), corruptPrefix) {
				t.Fatalf("set aside to %q, want %s/%s*", dest, root, corruptPrefix)
			}
			if _, err := os.Stat(filepath.Join(dest, currentFile)); err != nil {
				t.Errorf("CURRENT not kept with the set-aside build: %v", err)
			}
			// A garbled CURRENT names no build to move; the build it
			// named is left to Build's cleanup.
			if _, err := os.Stat(build); name != "current garbled" && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("damaged build still under builds/: %v", err)
			}
			if _, err := Open(root, Options{}); !errors.Is(err, ErrNoIndex) {
				t.Errorf("Open after SetAside: %v, want ErrNoIndex", err)
			}
			ix, rebuilt, err := EnsureCurrent(context.Background(), root, pets, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if hits, err := ix.Search(context.Background(), "cat", 5); !rebuilt || err != nil || len(hits) != 2 {
				t.Errorf("after rebuild: rebuilt %v, %d hits, %v", rebuilt, len(hits), err)
			}
		})
	}
}

// SetAside moves nothing when the index opens, is missing or is merely
// busy: only corruption is cured by rebuilding.
func TestSetAsideLeavesSoundIndex(t *testing.T) {
	root := t.TempDir()
	if dest, err := SetAside(context.Background(), root, Options{}); dest != "" || err != nil {
		t.Errorf("SetAside without an index: %q, %v", dest, err)
	}
	builtDir(t, root)
	if dest, err := SetAside(context.Background(), root, Options{}); dest != "" || err != nil {
		t.Errorf("SetAside of a sound index: %q, %v", dest, err)
	}
	mustOpen(t, root).Close()
}

// At most keepCorrupt set-aside copies are kept, the newest.
func TestSetAsideKeepsTwo(t *testing.T) {
	root := t.TempDir()
	var dests []string
	for range 4 {
		build := builtDir(t, root)
		damages["manifest truncated"](t, root, build)
		dest, err := SetAside(context.Background(), root, Options{})
		if err != nil || dest == "" {
			t.Fatalf("SetAside: %q, %v", dest, err)
		}
		dests = append(dests, dest)
	}
	got, err := filepath.Glob(filepath.Join(root, corruptPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	if want := dests[len(dests)-keepCorrupt:]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("set-aside copies %q, want the newest %q", got, want)
	}
}
