// Package memo keeps values worked out once per key, up to a number of
// keys: a word's relatives, a span's expansion, anything derived from data
// that never changes while the cache lives, so that nothing goes stale and
// nothing is evicted.
package memo

import (
	"sync"
	"sync/atomic"
)

// Map is safe for concurrent use; its zero value keeps nothing (Max 0).
type Map[K comparable, V any] struct {
	// Max bounds the keys kept; past it, values are worked out and not
	// kept.
	Max int64
	m   sync.Map // K -> V
	n   atomic.Int64
}

// Get returns the value kept for k, or works it out with compute and keeps
// it while fewer than Max keys are kept. Values are shared: callers must
// not modify them.
func (c *Map[K, V]) Get(k K, compute func() V) V {
	if v, ok := c.m.Load(k); ok {
		return v.(V)
	}
	v := compute()
	if c.n.Load() < c.Max {
		if _, loaded := c.m.LoadOrStore(k, v); !loaded {
			c.n.Add(1)
		}
	}
	return v
}

// Len is how many keys are kept.
func (c *Map[K, V]) Len() int64 { return c.n.Load() }
