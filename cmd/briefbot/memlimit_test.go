package main

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestMemoryLimiterFollowsTheLiveHeap(t *testing.T) {
	lives := []uint64{10 << 20, 100 << 20, 200 << 20, 1 << 30}
	var set []int64
	ctx, cancel := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	i := 0
	m := memoryLimiter{
		floor: 240 << 20,
		ratio: 1.5,
		live: func() uint64 {
			v := lives[i]
			if i++; i == len(lives) {
				cancel() // the last reading: run returns after setting it
			}
			return v
		},
		set: func(n int64) int64 { set = append(set, n); return 0 },
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.run(ctx, tick)
	}()
	for range len(lives) - 1 {
		tick <- time.Time{}
	}
	<-done
	want := []int64{240 << 20, 240 << 20, 300 << 20, 1536 << 20}
	if !slices.Equal(set, want) {
		t.Errorf("limits set %v, want %v", set, want)
	}
}
