//go:build !unix

package index

import "context"

// dirLock is a no-op where flock is unavailable: cleanup then relies on
// keeping the live and previous builds only.
type dirLock struct{}

func lockShared(string) (*dirLock, error)    { return &dirLock{}, nil }
func lockExclusive(string) (*dirLock, error) { return &dirLock{}, nil }
func lockExclusiveWait(ctx context.Context, _ string) (*dirLock, error) {
	return &dirLock{}, ctx.Err()
}
func (*dirLock) unlock() {}
