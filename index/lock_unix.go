//go:build unix

package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// dirLock is an advisory flock on a file. Build directories are locked
// exclusively while being built and shared while open, so that cleanup in
// any process can tell a build still in use from an abandoned one.
type dirLock struct{ f *os.File }

// lockShared takes a shared lock without waiting. A missing lock file (a
// build written by an older version) yields a no-op lock.
func lockShared(path string) (*dirLock, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &dirLock{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock %s: held exclusively (build running or being removed): %w", path, err)
	}
	return &dirLock{f: f}, nil
}

// lockExclusive takes an exclusive lock without waiting, creating the file.
func lockExclusive(path string) (*dirLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &dirLock{f: f}, nil
}

// lockExclusiveWait polls for an exclusive lock until ctx ends: a blocking
// flock could not be cancelled.
func lockExclusiveWait(ctx context.Context, path string) (*dirLock, error) {
	const poll = 50 * time.Millisecond
	for {
		l, err := lockExclusive(path)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, err
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("wait for lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
	}
}

func (l *dirLock) unlock() {
	if l == nil || l.f == nil {
		return
	}
	// Closing the descriptor releases the flock.
	_ = l.f.Close()
	l.f = nil
}
