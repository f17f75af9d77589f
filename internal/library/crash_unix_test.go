//go:build unix

package library

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/syncbuf"

	"github.com/briefbot/briefbot"
)

// killChild is set in the child process of TestKilledMidRebuild to the
// data folder it rebuilds in.
const killChild = "BRIEFBOT_TEST_KILL_MID_REBUILD"

// midway is what the child prints once its rebuild is midway.
const midway = "MIDWAY"

// TestKilledMidRebuild: a child process starts a full rebuild (/reindex)
// of a corpus of several thousand passages plus a moderator's document,
// says when it is midway (its progress callback, called after each batch,
// prints a line once half the passages are indexed and then blocks, so the
// kill always lands mid-build, never after the switch; segment files are
// usually on disk by then, and the test logs how many) and is killed with
// SIGKILL. The next
// start, in this process, must serve the previous index as it was, without
// rebuilding; the half-written build is removed at that start (not merely
// ignored); and a later rebuild succeeds.
func TestKilledMidRebuild(t *testing.T) {
	if dir := os.Getenv(killChild); dir != "" {
		rebuildUntilKilled(dir)
		return
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "corpus"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "corpus", "convoys.md"), convoyText)
	generatedCorpus(t, filepath.Join(dir, "corpus", "depots.md"), 3000)
	lib, st, err := openData(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.AddDocument(context.Background(), briefbot.AddRequest{Name: "pipelines.md", Data: []byte(pipelineText), By: "42"}); err != nil {
		t.Fatal(err)
	}
	before := lib.Info()
	lib.Close()
	st.Close()
	if before.Passages < 2*1000+1 {
		t.Fatalf("corpus of %d passages: too few for a rebuild to have a middle", before.Passages)
	}
	live := readCurrent(t, dir)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKilledMidRebuild$")
	cmd.Env = append(os.Environ(), killChild+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var said []string
	sc := bufio.NewScanner(out)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), midway) {
		said = append(said, sc.Text())
	}
	if !strings.HasPrefix(sc.Text(), midway) {
		_ = cmd.Wait()
		t.Fatalf("the child ended without reaching the middle of its rebuild:\n%s\n%s", strings.Join(said, "\n"), stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred cleanup runs
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, out)
	_ = cmd.Wait()
	t.Logf("child killed at %s", sc.Text())

	// The child left its half-written build beside the live one.
	entries, err := os.ReadDir(filepath.Join(dir, "index", "builds"))
	if err != nil {
		t.Fatal(err)
	}
	var half string
	for _, e := range entries {
		if e.Name() != live {
			half = filepath.Join(dir, "index", "builds", e.Name())
		}
	}
	if half == "" {
		t.Fatalf("no half-written build beside the live %s: %v", live, entries)
	}
	zaps, _ := filepath.Glob(filepath.Join(half, "bleve", "store", "*.zap"))
	t.Logf("half-written build: %d bytes, %d segment files", dirSize(t, half), len(zaps))
	if got := readCurrent(t, dir); got != live {
		t.Fatalf("CURRENT names %s after the kill, want the previous %s", got, live)
	}

	var logs syncbuf.Buffer
	builds := 0
	lib, st, err = openData(dir, Options{
		Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
		Progress: func(done, total int) { builds++ },
	})
	if err != nil {
		t.Fatalf("start after the kill: %v", err)
	}
	defer func() {
		lib.Close()
		st.Close()
	}()
	if builds != 0 {
		t.Errorf("the start after the kill rebuilt the index")
	}
	if got := lib.Info(); got.Version != before.Version || !got.BuiltAt.Equal(before.BuiltAt) {
		t.Errorf("serving %+v after the kill, want the previous %+v", got, before)
	}
	if !cites(t, lib, "Which pipeline carries gas to Turkey?", "pipelines") || !cites(t, lib, "When did the convoy reach Gyumri?", "convoys") {
		t.Error("the previous index does not answer after the kill")
	}
	if _, err := os.Stat(half); !os.IsNotExist(err) {
		t.Errorf("half-written build %s left after the start: %v", half, err)
	}
	if !strings.Contains(logs.String(), "removed an unfinished index build") {
		t.Errorf("the removal was not logged:\n%s", logs.String())
	}

	rep, err := lib.Reindex(context.Background(), nil)
	if err != nil {
		t.Fatalf("rebuild after the kill: %v", err)
	}
	if got := readCurrent(t, dir); got == live || !rep.Info.BuiltAt.After(before.BuiltAt) || rep.Info.Passages != before.Passages {
		t.Errorf("rebuild after the kill: CURRENT %s (was %s), %+v", got, live, rep.Info)
	}
	if !cites(t, lib, "Which pipeline carries gas to Turkey?", "pipelines") {
		t.Error("the moderator's document is missing after the rebuild")
	}
}

// rebuildUntilKilled is the child's part: open the library (current, so
// not rebuilt), start a full rebuild, print midway once a batch is indexed
// and more remain (a streamed build tells its total only with the last
// batch), and wait there for the kill.
func rebuildUntilKilled(dir string) {
	lib, _, err := openData(dir, Options{})
	if err != nil {
		fmt.Println("OPEN FAILED:", err)
		os.Exit(3)
	}
	_, err = lib.Reindex(context.Background(), func(done, total int) {
		if done > 0 && done != total {
			fmt.Printf("%s %d/%d\n", midway, done, total)
			select {} // the parent kills us here
		}
	})
	fmt.Println("REBUILD ENDED:", err)
	os.Exit(4)
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
