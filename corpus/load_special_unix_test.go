//go:build unix

package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLoadSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"good.md": note})
	fifo := filepath.Join(dir, "pipe.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	zero := filepath.Join(dir, "zero.txt")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Skipf("symlink: %v", err)
	}
	tests := []struct {
		name  string
		paths []string
		bad   []string // failing sources (suffixes)
	}{
		{"walked folder", []string{dir}, []string{"pipe.md", "zero.txt"}},
		{"named FIFO", []string{fifo, filepath.Join(dir, "good.md")}, []string{"pipe.md"}},
		{"named link to /dev/zero", []string{zero, filepath.Join(dir, "good.md")}, []string{"zero.txt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, fails, err := loadWithin(t, 10*time.Second, tc.paths...)
			if err != nil || len(docs) != 1 || docs[0].ID != "good" {
				t.Fatalf("docs %d, error %v, failures %v", len(docs), err, fails)
			}
			if len(fails) != len(tc.bad) {
				t.Errorf("failures %v, want %q", fails, tc.bad)
			}
			for _, b := range tc.bad {
				f, ok := failureFor(fails, b)
				if !ok || !strings.Contains(f.Error(), "not a regular file") {
					t.Errorf("%s: failure %v, want one saying not a regular file", b, f)
				}
			}
		})
	}
	// Only the FIFO and the device: nothing usable, and each says why.
	_, _, err := loadWithin(t, 10*time.Second, fifo, zero)
	if err == nil || !strings.Contains(err.Error(), "pipe.md: not a regular file") || !strings.Contains(err.Error(), "zero.txt: not a regular file") {
		t.Errorf("error %v", err)
	}
}
