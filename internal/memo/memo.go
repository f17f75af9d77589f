// Package memo keeps values worked out once per key, up to a number of
// keys: a word's relatives, a span's expansion, anything derived from data
// that never changes while the cache lives, so that nothing goes stale and
// nothing is evicted.
package memo

import "sync"

// Map is safe for concurrent use; its zero value keeps nothing (Max 0).
//
// A map behind a read-write lock rather than a sync.Map: a search reads
// a few dozen keys, almost always kept, and sync.Map's trie cost a chain
// of cache misses per read (a tenth of a SciFact search went to it).
type Map[K comparable, V any] struct {
	// Max bounds the keys kept; past it, values are worked out and not
	// kept.
	Max int64
	mu  sync.RWMutex
	m   map[K]V
}

// Get returns the value kept for k, or works it out with compute and keeps
// it while fewer than Max keys are kept. Values are shared: callers must
// not modify them. compute runs without the lock held, so concurrent gets
// of a new key may each work it out; the first kept wins.
func (c *Map[K, V]) Get(k K, compute func() V) V {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = compute()
	if c.Max <= 0 {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept, ok := c.m[k]; ok {
		return kept
	}
	if int64(len(c.m)) < c.Max {
		if c.m == nil {
			c.m = make(map[K]V)
		}
		c.m[k] = v
	}
	return v
}

// Len is how many keys are kept.
func (c *Map[K, V]) Len() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return int64(len(c.m))
}
