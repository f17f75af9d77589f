package library

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/syncbuf"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/store"
)

// libraryDamages break the live build of an index folder.
var libraryDamages = map[string]func(t *testing.T, build string){
	"bolt garbled": func(t *testing.T, build string) {
		path := filepath.Join(build, "bleve", "store", "root.bolt")
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.Repeat("\xab", int(fi.Size()))), 0o644); err != nil {
			t.Fatal(err)
		}
	},
	"segments missing": func(t *testing.T, build string) {
		zaps, err := filepath.Glob(filepath.Join(build, "bleve", "store", "*.zap"))
		if err != nil || len(zaps) == 0 {
			t.Fatalf("no segment to remove: %v", err)
		}
		for _, z := range zaps {
			if err := os.Remove(z); err != nil {
				t.Fatal(err)
			}
		}
	},
	"manifest unreadable": func(t *testing.T, build string) {
		if err := os.WriteFile(filepath.Join(build, "manifest.bin"), []byte("briefbot manifest\x00\x02\x00"), 0o644); err != nil {
			t.Fatal(err)
		}
	},
}

// TestCorruptIndexSetAsideAndRebuilt damages the live index of the
// built-in brief plus a moderator's document in the store, in each of
// three ways, and starts again: the start sets the damaged build aside
// under index/corrupt-*, says so in one warning, rebuilds from the brief
// and the store, and serves both; the start after that is an ordinary one.
// It logs how long the recovering start took.
func TestCorruptIndexSetAsideAndRebuilt(t *testing.T) {
	ctx := context.Background()
	for name, damage := range libraryDamages {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			indexDir := filepath.Join(dir, "index")
			// start opens the library as a restart would; stop closes it
			// and its store, which a restart must find released.
			start := func(logs *syncbuf.Buffer) (lib *Library, stop func(), took time.Duration) {
				t.Helper()
				st, err := store.Open(store.Path(dir), store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				began := time.Now()
				lib, err = Open(ctx, Options{IndexDir: indexDir, Store: st, Logger: slog.New(slog.NewTextHandler(logs, nil))})
				took = time.Since(began)
				if err != nil {
					st.Close()
					t.Fatalf("start: %v\n%s", err, logs.String())
				}
				var once sync.Once
				stop = func() {
					once.Do(func() {
						lib.Close()
						st.Close()
					})
				}
				t.Cleanup(stop)
				return lib, stop, took
			}
			lib, stop, _ := start(&syncbuf.Buffer{})
			if _, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: "pipelines.md", Data: []byte(pipelineText), By: "42"}); err != nil {
				t.Fatal(err)
			}
			before := lib.Info()
			var builtIn []string
			for _, d := range lib.Documents() {
				if d.ID != "pipelines" {
					builtIn = append(builtIn, d.ID)
				}
			}
			stop()
			live := readCurrent(t, dir)
			damage(t, filepath.Join(indexDir, "builds", live))

			var logs syncbuf.Buffer
			lib, stop, took := start(&logs)
			t.Logf("start with a corrupt index (%d passages): %v; %s", before.Passages, took, strings.TrimSpace(logs.String()))
			var warnings []string
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
					warnings = append(warnings, line)
				}
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], "index corrupt; set aside and rebuilding") ||
				!strings.Contains(warnings[0], "set_aside=") || !strings.Contains(warnings[0], "error=") {
				t.Errorf("want one warning saying the index was set aside, where and why; got:\n%s", logs.String())
			}
			aside, err := filepath.Glob(filepath.Join(indexDir, "corrupt-*", live))
			if err != nil || len(aside) != 1 {
				t.Errorf("damaged build not kept under index/corrupt-*: %q, %v", aside, err)
			}
			if got := readCurrent(t, dir); got == live {
				t.Errorf("still serving the damaged build %s", live)
			}
			if got := lib.Info(); got.Version != before.Version || got.Passages != before.Passages {
				t.Errorf("rebuilt index %+v, want the content of %+v", got, before)
			}
			if !cites(t, lib, "Which pipeline carries gas to Turkey?", "pipelines") {
				t.Error("the moderator's document is missing from the rebuilt index")
			}
			var briefIDs []string
			for _, d := range lib.Documents() {
				if d.ID != "pipelines" {
					briefIDs = append(briefIDs, d.ID)
				}
			}
			if strings.Join(briefIDs, " ") != strings.Join(builtIn, " ") {
				t.Errorf("built-in documents after the rebuild %q, want %q", briefIDs, builtIn)
			} else if p := lib.Documents()[0].Passages[0]; !cites(t, lib, p.Section+" "+p.Text, builtIn[0]) {
				t.Errorf("the built-in brief is not answered from after the rebuild (asked %q)", p.Text)
			}
			stop()

			logs = syncbuf.Buffer{}
			start(&logs)
			if s := logs.String(); strings.Contains(s, "level=WARN") || strings.Contains(s, "index built") {
				t.Errorf("the start after recovery was not an ordinary one:\n%s", s)
			}
		})
	}
}

func readCurrent(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "index", "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(raw))
}
