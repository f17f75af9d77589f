package index

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBuildFailsOnFullTmpfs fills a real 5 MB file system: the build must
// end with "no space left on device", remove its partial build and leave
// the old index serving. It needs to mount a tmpfs (root with
// CAP_SYS_ADMIN) and skips otherwise; TestBuildFailsWhenWritesFail covers
// the same path without privileges.
func TestBuildFailsOnFullTmpfs(t *testing.T) {
	root := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", root, "tmpfs", 0, "size=5m"); err != nil {
		t.Skipf("cannot mount a 5 MB tmpfs (needs root with CAP_SYS_ADMIN): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(root, 0); err != nil {
			t.Errorf("unmount %s: %v", root, err)
		}
	})
	current, live := liveBefore(t, root)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	_, err := Build(ctx, root, benchCorpus(6000), BuildOptions{})
	if ctx.Err() != nil {
		t.Fatalf("the build did not end within 45 s of the disk filling (hung): %v", err)
	}
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("err = %v, want no space left on device", err)
	}
	t.Log(err)
	assertOldServes(t, root, current, live)
}
