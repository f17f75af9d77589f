//go:build unix

package boundedfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(small, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 11)), 0o600); err != nil {
		t.Fatal(err)
	}
	exact := filepath.Join(dir, "exact.txt")
	if err := os.WriteFile(exact, []byte(strings.Repeat("y", 10)), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.md")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.md")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want string
		err  error
	}{
		{"regular", small, "hello", nil},
		{"at the limit", exact, strings.Repeat("y", 10), nil},
		{"over the limit", big, "", ErrTooLarge},
		{"fifo without writer", fifo, "", ErrNotRegular},
		{"link to /dev/zero", zero, "", ErrNotRegular},
		{"folder", dir, "", ErrNotRegular},
		{"missing", filepath.Join(dir, "none"), "", os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var got []byte
			var err error
			go func() {
				defer close(done)
				got, err = Read(tt.path, 10)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("Read(%s) did not return", tt.path)
			}
			if tt.err == nil {
				if err != nil || string(got) != tt.want {
					t.Fatalf("Read = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("Read error = %v, want %v", err, tt.err)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(small, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		err  error
	}{
		{"regular", small, nil},
		{"fifo without writer", fifo, ErrNotRegular},
		{"folder", dir, ErrNotRegular},
		{"missing", filepath.Join(dir, "none"), os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A FIFO without a writer would block a plain open: this
			// returns, or the test times out.
			f, err := Open(tt.path)
			if tt.err == nil {
				if err != nil {
					t.Fatalf("Open = %v", err)
				}
				defer f.Close()
				b := make([]byte, 5)
				if _, err := f.Read(b); err != nil || string(b) != "hello" {
					t.Fatalf("read %q, %v", b, err)
				}
				return
			}
			if f != nil {
				f.Close()
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("Open error = %v, want %v", err, tt.err)
			}
		})
	}
}

// A file that grows after its size was checked is still cut at the limit:
// /proc files report size 0 and hold more.
func TestReadCatchesGrowth(t *testing.T) {
	_, err := Read("/proc/self/maps", 8)
	if _, statErr := os.Stat("/proc/self/maps"); statErr != nil {
		t.Skip("no /proc here")
	}
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Read(/proc/self/maps, 8) = %v, want ErrTooLarge", err)
	}
}
