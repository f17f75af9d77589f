//go:build unix

package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fullDiskChild is set in the child process of TestBuildFailsWhenWritesFail
// to the index root the child builds into.
const fullDiskChild = "BRIEFBOT_TEST_FULL_DISK_ROOT"

// TestBuildFailsWhenWritesFail runs a build whose file writes fail partway,
// as on a full disk, and expects an error rather than a hang. A child
// process limits its file size (RLIMIT_FSIZE, no privilege needed), so that
// writing the index fails with EFBIG ("file too large") the way it fails
// with ENOSPC on a full file system: in bleve's background persister, which
// retries forever. The parent gives the child a deadline.
func TestBuildFailsWhenWritesFail(t *testing.T) {
	if root := os.Getenv(fullDiskChild); root != "" {
		fullDiskBuild(root)
		return
	}
	root := t.TempDir()
	current, live := liveBefore(t, root)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBuildFailsWhenWritesFail$")
	cmd.Env = append(os.Environ(), fullDiskChild+"="+root)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the build did not end within 45 s of its writes failing (hung): %v\n%s", ctx.Err(), out)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "BUILD FAILED:") || !strings.Contains(string(out), "file too large") {
		t.Fatalf("child did not report the failed write:\n%s", out)
	}
	t.Logf("child: %s", strings.SplitN(string(out), "\n", 2)[0])
	assertOldServes(t, root, current, live)
}

// fullDiskBuild is the child's part: build a corpus of several megabytes
// with files limited to 512 KiB, and print the outcome.
func fullDiskBuild(root string) {
	signal.Ignore(syscall.SIGXFSZ) // writes beyond the limit then fail with EFBIG
	lim := syscall.Rlimit{Cur: 512 << 10, Max: 512 << 10}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(2)
	}
	_, err := Build(context.Background(), root, benchCorpus(2000), BuildOptions{})
	if err == nil {
		fmt.Println("BUILD SUCCEEDED despite the file size limit")
		os.Exit(3)
	}
	fmt.Println("BUILD FAILED:", err)
	if errors.Is(err, context.Canceled) {
		os.Exit(4)
	}
}
