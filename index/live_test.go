package index

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/briefbot/briefbot"
)

func TestLiveSwapUnderConcurrentSearches(t *testing.T) {
	rootA, rootB := t.TempDir(), t.TempDir()
	ctx := context.Background()
	if _, err := Build(ctx, rootA, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	other := []briefbot.Document{doc("x", "", "cat and more cat"), doc("y", "", "a cat"), doc("z", "", "dog")}
	if _, err := Build(ctx, rootB, other, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	var opened []*Index
	open := func(root string) *Index {
		ix, err := Open(root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		opened = append(opened, ix)
		return ix
	}
	live := NewLive(open(rootA))

	const searchers, rounds, every = 4, 120, 10
	progress := make(chan struct{}, searchers*rounds/every)
	errs := make(chan error, searchers)
	var wg sync.WaitGroup
	for range searchers {
		wg.Go(func() {
			for i := range rounds {
				hits, err := live.Search(ctx, "cat", 5)
				if err != nil {
					errs <- err
					return
				}
				// Either corpus has exactly two passages about cats.
				if len(hits) != 2 {
					errs <- errors.New("wrong number of hits during swap")
					return
				}
				if i%every == 0 {
					progress <- struct{}{}
				}
			}
		})
	}
	// Swap each time searchers report progress, so swaps interleave with
	// searches in flight.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	roots := []string{rootB, rootA}
	swaps := 0
swapping:
	for {
		select {
		case <-progress:
			live.Swap(open(roots[swaps%2]))
			swaps++
		case <-done:
			break swapping
		}
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	for i, ix := range opened {
		if !ix.closed.Load() {
			t.Errorf("index %d of %d still open after Live.Close", i, len(opened))
		}
	}
}

func TestLiveRetiredIndexStaysOpenWhileAcquired(t *testing.T) {
	root := t.TempDir()
	if _, err := Build(context.Background(), root, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix1, ix2, ix3 := mustOpenRaw(t, root), mustOpenRaw(t, root), mustOpenRaw(t, root)
	live := NewLive(ix1)
	got, release, err := live.Acquire()
	if err != nil || got != ix1 {
		t.Fatalf("Acquire = %p, %v; want ix1", got, err)
	}
	live.Swap(ix2)
	if ix1.closed.Load() {
		t.Fatal("swapped-out index closed while acquired")
	}
	if hits, err := got.Search(context.Background(), "fish", 5); err != nil || len(hits) != 1 {
		t.Errorf("search on acquired old index: %d hits, %v", len(hits), err)
	}
	release()
	release() // idempotent
	if !ix1.closed.Load() {
		t.Error("old index not closed after its last release")
	}
	if ix2.closed.Load() {
		t.Error("current index closed")
	}
	live.Swap(ix2) // same index: no-op
	if ix2.closed.Load() {
		t.Error("swapping in the current index closed it")
	}
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	if !ix2.closed.Load() {
		t.Error("Close left the current index open")
	}
	if _, err := live.Search(context.Background(), "cat", 5); !errors.Is(err, ErrClosed) {
		t.Errorf("search after Close: err = %v, want ErrClosed", err)
	}
	if live.Info().Version != "" {
		t.Error("closed Live still answers")
	}
	live.Swap(ix3)
	if !ix3.closed.Load() {
		t.Error("Swap into a closed Live left the index open")
	}
}

func mustOpenRaw(t *testing.T, root string) *Index {
	t.Helper()
	ix, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}
