package memo

import (
	"sync"
	"testing"
)

func TestMap(t *testing.T) {
	c := Map[string, int]{Max: 2}
	calls := 0
	get := func(k string, v int) int {
		return c.Get(k, func() int { calls++; return v })
	}
	if get("a", 1) != 1 || get("a", 9) != 1 || calls != 1 {
		t.Errorf("a kept value is worked out again (%d calls)", calls)
	}
	get("b", 2)
	if get("c", 3) != 3 || get("c", 4) != 4 || c.Len() != 2 {
		t.Errorf("past Max: kept %d keys", c.Len())
	}
	var zero Map[string, int]
	if zero.Get("x", func() int { return 5 }) != 5 || zero.Len() != 0 {
		t.Error("the zero Map kept a value")
	}
	// Concurrent gets of one key keep one value, and count it once.
	var wg sync.WaitGroup
	c2 := Map[int, int]{Max: 10}
	for i := range 8 {
		wg.Go(func() { c2.Get(1, func() int { return i }) })
	}
	wg.Wait()
	if c2.Len() != 1 {
		t.Errorf("one key counted %d times", c2.Len())
	}
}
