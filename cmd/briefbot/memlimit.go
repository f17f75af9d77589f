package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Building an index holds bleve's segments in memory while they are
// merged, and with Go's default pacing the heap grows to twice what is
// live, and the process's resident memory beyond: 370 MB at the peak of a
// 100k-passage build. A soft memory limit makes the collector run sooner
// and hand memory back (286 MB with 240 MiB, the build no slower), but a
// fixed limit under what is live would have the collector run all the
// time on a larger corpus. So the limit follows the live heap: the floor,
// or 1.5 times what is live, whichever is more.
const (
	memoryLimitFloor = 240 << 20
	memoryLimitRatio = 1.5
	memoryLimitEvery = 250 * time.Millisecond
)

// memoryLimiter keeps the process's soft memory limit at
// max(floor, ratio × live heap).
type memoryLimiter struct {
	floor int64
	ratio float64
	live  func() uint64     // the live heap, in bytes
	set   func(int64) int64 // debug.SetMemoryLimit
}

func (m memoryLimiter) limit(live uint64) int64 {
	return max(m.floor, int64(m.ratio*float64(live)))
}

// run sets the limit at once, then every tick until ctx ends.
func (m memoryLimiter) run(ctx context.Context, tick <-chan time.Time) {
	for {
		m.set(m.limit(m.live()))
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// limitMemory starts the process's memoryLimiter, unless GOMEMLIMIT says
// what the limit is. It stops with ctx.
func limitMemory(ctx context.Context) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	m := memoryLimiter{
		floor: memoryLimitFloor,
		ratio: memoryLimitRatio,
		live: func() uint64 {
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return 0
			}
			return sample[0].Value.Uint64()
		},
		set: debug.SetMemoryLimit,
	}
	m.set(m.limit(m.live()))
	ticker := time.NewTicker(memoryLimitEvery)
	go func() {
		defer ticker.Stop()
		m.run(ctx, ticker.C)
	}()
}
