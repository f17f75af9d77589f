package index

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/briefbot/briefbot"
)

// Live serves one Index at a time and swaps in a rebuilt one without
// stopping: searches in flight finish on the old index, which is closed when
// the last of them releases it; new searches go to the new one.
type Live struct {
	mu     sync.Mutex
	cur    *liveRef
	closed bool
}

type liveRef struct {
	ix      *Index
	refs    int  // guarded by Live.mu
	retired bool // guarded by Live.mu: replaced or Live closed
}

// NewLive serves ix.
func NewLive(ix *Index) *Live {
	return &Live{cur: &liveRef{ix: ix}}
}

// Acquire returns the index being served and a release function that must
// be called once the caller is done with it; until then the index stays open
// even if it is swapped out.
func (l *Live) Acquire() (*Index, func(), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, nil, ErrClosed
	}
	ref := l.cur
	ref.refs++
	var once sync.Once
	return ref.ix, func() { once.Do(func() { l.release(ref) }) }, nil
}

func (l *Live) release(ref *liveRef) {
	l.mu.Lock()
	ref.refs--
	last := ref.refs == 0 && ref.retired
	l.mu.Unlock()
	if last {
		closeRetired(ref.ix)
	}
}

func closeRetired(ix *Index) {
	if err := ix.Close(); err != nil {
		slog.Warn("close replaced index", "dir", ix.Dir(), "err", err)
	}
}

// Search searches the index being served.
func (l *Live) Search(ctx context.Context, q string, k int) ([]briefbot.Hit, error) {
	ix, release, err := l.Acquire()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer release()
	return ix.Search(ctx, q, k)
}

// Info describes the index being served; the zero value once closed.
func (l *Live) Info() briefbot.IndexInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return briefbot.IndexInfo{}
	}
	return l.cur.ix.Info()
}

// Swap serves ix from now on. The replaced index is closed once no search
// uses it. Swapping into a closed Live closes ix.
func (l *Live) Swap(ix *Index) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		closeRetired(ix)
		return
	}
	old := l.cur
	if old.ix == ix {
		l.mu.Unlock()
		return
	}
	l.cur = &liveRef{ix: ix}
	old.retired = true
	idle := old.refs == 0
	l.mu.Unlock()
	if idle {
		closeRetired(old.ix)
	}
}

// Close stops serving; the current index is closed once no search uses it.
func (l *Live) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	ref := l.cur
	ref.retired = true
	idle := ref.refs == 0
	l.mu.Unlock()
	if idle {
		return ref.ix.Close()
	}
	return nil
}
