//go:build unix

package library

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fallbackChild is set in the child process of
// TestOpenServesPreviousIndexWhenBuildFails to the test's folder.
const fallbackChild = "BRIEFBOT_TEST_FALLBACK_DIR"

// TestOpenServesPreviousIndexWhenBuildFails: when the corpus changed and
// the new build fails (here its writes fail, as on a full disk), Open
// keeps serving the index built before, instead of refusing every
// question until the disk is fixed. A child process limits its file size
// (RLIMIT_FSIZE, no privilege needed) so that the build's writes fail.
func TestOpenServesPreviousIndexWhenBuildFails(t *testing.T) {
	if dir := os.Getenv(fallbackChild); dir != "" {
		openWithFullDisk(dir)
		return
	}
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	if err := os.Mkdir(corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(corpusDir, "a.md"), "# Convoys\n\n## Logistics\n\nThe convoy reached Gyumri on Tuesday after a long delay at the checkpoint.\n")
	lib, err := Open(context.Background(), Options{IndexDir: filepath.Join(dir, "index"), CorpusPaths: []string{corpusDir}})
	if err != nil {
		t.Fatal(err)
	}
	before := lib.Info().Version
	lib.Close()
	// Enough new text that the index outgrows the child's file size limit.
	var b strings.Builder
	for i := range 4000 {
		fmt.Fprintf(&b, "Paragraph %d mentions depot%d, route%d and cargo%d in the valley of river%d.\n\n", i, i, i*7, i*13, i%97)
	}
	write(t, filepath.Join(corpusDir, "b.md"), "# Routes\n\n"+b.String())

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestOpenServesPreviousIndexWhenBuildFails$")
	cmd.Env = append(os.Environ(), fallbackChild+"="+dir)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("Open did not end within 45 s of its writes failing: %v\n%s", ctx.Err(), out)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "SERVED "+before) {
		t.Fatalf("the child did not serve the previous index %s:\n%s", before, out)
	}
	if !strings.Contains(string(out), "serving the previous index") {
		t.Errorf("the fallback was not logged:\n%s", out)
	}
	// The stale index must not be taken for current at the next start
	// (its fingerprint is not the corpus's): with room again, it is
	// rebuilt with the new document.
	lib, err = Open(context.Background(), Options{IndexDir: filepath.Join(dir, "index"), CorpusPaths: []string{corpusDir}})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	if v := lib.Info().Version; v == before || lib.Info().Documents != 2 {
		t.Errorf("after the disk has room again: version %s (before %s), %d documents; want the new corpus built", v, before, lib.Info().Documents)
	}
}

// openWithFullDisk is the child's part: open the library with files
// limited to 256 KiB, search, and print the version served.
func openWithFullDisk(dir string) {
	signal.Ignore(syscall.SIGXFSZ) // writes beyond the limit then fail with EFBIG
	lim := syscall.Rlimit{Cur: 256 << 10, Max: 256 << 10}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(2)
	}
	lib, err := Open(context.Background(), Options{IndexDir: filepath.Join(dir, "index"), CorpusPaths: []string{filepath.Join(dir, "corpus")}})
	if err != nil {
		fmt.Println("OPEN FAILED:", err)
		os.Exit(3)
	}
	defer lib.Close()
	hits, err := lib.Search(context.Background(), "convoy Gyumri", 3)
	if err != nil || len(hits) == 0 {
		fmt.Println("SEARCH FAILED:", len(hits), err)
		os.Exit(4)
	}
	fmt.Println("SERVED", lib.Info().Version)
}
