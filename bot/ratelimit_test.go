package bot

import (
	"fmt"
	"testing"
	"time"
)

// testClock is a clock that moves only when told.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestRateLimiter(t *testing.T) {
	type step struct {
		after       time.Duration // clock advance before the question
		user, guild string
		wait        time.Duration // 0: passes
		scope       limitScope
		refund      bool // refund the question after it passed
	}
	user3 := Rate{PerMinute: 6, Burst: 3} // a token every 10 s
	tests := []struct {
		name        string
		user, guild Rate
		steps       []step
	}{
		{"burst then refused", user3, Rate{}, []step{
			{user: "a"}, {user: "a"}, {user: "a"},
			{user: "a", wait: 10 * time.Second, scope: limitUser},
			// A refused question costs nothing: the wait only shrinks.
			{after: 4 * time.Second, user: "a", wait: 6 * time.Second, scope: limitUser},
		}},
		{"refill one token per interval", user3, Rate{}, []step{
			{user: "a"}, {user: "a"}, {user: "a"},
			{after: 10 * time.Second, user: "a"},
			{user: "a", wait: 10 * time.Second, scope: limitUser},
			{after: 9*time.Second + 999*time.Millisecond, user: "a", wait: time.Millisecond, scope: limitUser},
			{after: time.Millisecond, user: "a"},
		}},
		{"refill stops at the burst", user3, Rate{}, []step{
			{user: "a"},
			{after: time.Hour, user: "a"}, {user: "a"}, {user: "a"},
			{user: "a", wait: 10 * time.Second, scope: limitUser},
		}},
		{"users are separate", user3, Rate{}, []step{
			{user: "a"}, {user: "a"}, {user: "a"},
			{user: "a", wait: 10 * time.Second, scope: limitUser},
			{user: "b"}, {user: "b"}, {user: "b"},
			{user: "b", wait: 10 * time.Second, scope: limitUser},
		}},
		{"server limit across users", Rate{}, Rate{PerMinute: 2, Burst: 2}, []step{
			{user: "a", guild: "g"}, {user: "b", guild: "g"},
			{user: "c", guild: "g", wait: 30 * time.Second, scope: limitGuild},
			// Another server is not held up.
			{user: "c", guild: "h"},
			{after: 30 * time.Second, user: "c", guild: "g"},
		}},
		{"the longer wait names the limit", Rate{PerMinute: 6, Burst: 1}, Rate{PerMinute: 1, Burst: 1}, []step{
			{user: "a", guild: "g"},
			{user: "a", guild: "g", wait: time.Minute, scope: limitGuild},
			{after: 50 * time.Second, user: "a", guild: "g", wait: 10 * time.Second, scope: limitGuild},
			{after: 10 * time.Second, user: "a", guild: "g"},
			// The user's own limit, with a server token to spare.
			{user: "a", guild: "h", wait: 10 * time.Second, scope: limitUser},
		}},
		{"a refused question spends neither bucket", Rate{PerMinute: 6, Burst: 1}, Rate{PerMinute: 60, Burst: 2}, []step{
			{user: "a", guild: "g"},
			{user: "a", guild: "g", wait: 10 * time.Second, scope: limitUser},
			{user: "a", guild: "g", wait: 10 * time.Second, scope: limitUser},
			// The server's second token is still there.
			{user: "b", guild: "g"},
		}},
		{"direct messages have no server bucket", user3, Rate{PerMinute: 1, Burst: 1}, []step{
			{user: "a"}, {user: "b"}, {user: "c"}, {user: "a"},
		}},
		{"limits off", Rate{}, Rate{}, []step{
			{user: "a", guild: "g"}, {user: "a", guild: "g"}, {user: "a", guild: "g"}, {user: "a", guild: "g"},
		}},
		{"a refund gives the token back", Rate{PerMinute: 6, Burst: 1}, Rate{PerMinute: 6, Burst: 1}, []step{
			{user: "a", guild: "g", refund: true},
			{user: "a", guild: "g"},
			{user: "a", guild: "g", wait: 10 * time.Second, scope: limitUser},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			l := newRateLimiter(tt.user, tt.guild, clock.now, 0)
			for i, s := range tt.steps {
				clock.advance(s.after)
				wait, scope := l.take(s.user, s.guild)
				if wait != s.wait || scope != s.scope {
					t.Fatalf("step %d (%s in %q): wait %v scope %d, want %v scope %d", i, s.user, s.guild, wait, scope, s.wait, s.scope)
				}
				if s.refund {
					l.refund(s.user, s.guild)
				}
			}
		})
	}
}

// TestRateLimiterBounded: the buckets kept never exceed the cap, whatever
// the number of users; full buckets are forgotten first, and forgetting
// one is no worse than a full bucket.
func TestRateLimiterBounded(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	const maxKeys = 50
	l := newRateLimiter(Rate{PerMinute: 6, Burst: 3}, Rate{PerMinute: 600, Burst: 1000}, clock.now, maxKeys)
	for i := range 1000 {
		if wait, _ := l.take(fmt.Sprint("user", i), "g"); wait != 0 {
			t.Fatalf("user %d refused at their first question (wait %v)", i, wait)
		}
		if n := l.size(); n > maxKeys {
			t.Fatalf("after %d users: %d buckets kept, cap %d", i+1, n, maxKeys)
		}
	}
	// Once every bucket is full again, a sweep forgets them all.
	clock.advance(time.Hour)
	l.take("late", "")
	if n := l.size(); n != 1 {
		t.Errorf("after an idle hour: %d buckets kept, want 1 (the new one)", n)
	}
	// A recent user's bucket is kept in preference to full ones: it is
	// still limited when the table fills with users who come and go.
	for range 3 {
		l.take("heavy", "")
	}
	for i := range maxKeys - 2 {
		l.take(fmt.Sprint("other", i), "")
	}
	clock.advance(time.Hour) // all of these are full again now…
	for range 2 {
		l.take("heavy", "") // …and "heavy" is spending anew
	}
	l.take("heavy", "")
	for i := range maxKeys {
		l.take(fmt.Sprint("newcomer", i), "")
	}
	if wait, scope := l.take("heavy", ""); wait == 0 || scope != limitUser {
		t.Errorf("a user who spent their burst was forgotten under churn: wait %v scope %d", wait, scope)
	}
}

// TestRateLimiterTellsOncePerWait: a refused user is told once, until the
// wait they were told of is over.
func TestRateLimiterTellsOncePerWait(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	l := newRateLimiter(Rate{PerMinute: 6, Burst: 1}, Rate{}, clock.now, 0)
	until := clock.now().Add(10 * time.Second)
	if !l.tell("a", until) {
		t.Error("first refusal not told")
	}
	if l.tell("a", until) {
		t.Error("second refusal within the wait told again")
	}
	if !l.tell("b", until) {
		t.Error("another user's refusal not told")
	}
	clock.advance(10 * time.Second)
	if !l.tell("a", clock.now().Add(time.Second)) {
		t.Error("a refusal after the wait not told")
	}
}
