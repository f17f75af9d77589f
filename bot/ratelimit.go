package bot

import (
	"sync"
	"time"
)

// Rate limits on questions (discord.rate_limit): a token bucket per user
// and one per server. A bucket holds at most burst tokens and gains
// perMinute of them a minute; a question takes one token from its user's
// bucket and one from its server's, or from neither when either is empty.
// A direct message has no server, so only its user's bucket counts.
//
// A bucket is kept as the time it will be full again (the "theoretical
// arrival time" of GCRA, which is a token bucket written with one number):
// it then holds burst - (full-now)/interval tokens. So a bucket is one
// time.Time, its arithmetic is exact in nanoseconds, and an idle bucket is
// simply one whose full time has passed: it can be forgotten, since a
// missing bucket is a full one.

// Rate is one token bucket's configuration. PerMinute 0 turns the limit
// off.
type Rate struct {
	PerMinute int // tokens gained a minute
	Burst     int // most tokens held; at least 1 when PerMinute is above 0
}

// on reports whether the limit applies at all.
func (r Rate) on() bool { return r.PerMinute > 0 }

// interval is the time one token takes to come back.
func (r Rate) interval() time.Duration { return time.Minute / time.Duration(r.PerMinute) }

// window is the time an empty bucket takes to fill.
func (r Rate) window() time.Duration { return time.Duration(max(r.Burst, 1)) * r.interval() }

// limitScope says which bucket refused a question.
type limitScope int

const (
	limitNone  limitScope = iota // not refused
	limitUser                    // the user's own bucket is empty
	limitGuild                   // the server's bucket is empty
)

// defaultMaxRateKeys bounds the buckets kept: beyond it, buckets that are
// full again are forgotten, and, if none is, the one nearest to full.
const defaultMaxRateKeys = 20000

// rateSweepEvery is how often, at most, full buckets are forgotten when the
// cap is not reached, so that memory follows the users of the last minutes.
const rateSweepEvery = 5 * time.Minute

// rateLimiter is the per-user and per-server token buckets.
type rateLimiter struct {
	user, guild Rate
	now         func() time.Time
	maxKeys     int

	mu sync.Mutex
	// full is each bucket's full-again time, by key: "u" or "g" and the
	// ID. A missing key is a full bucket.
	full      map[string]time.Time
	lastSweep time.Time
	// told is, per user, until when a refusal they were told of holds:
	// a mention refused again within it is not answered again, so that
	// refusals cannot flood a channel (see onMessage).
	told map[string]time.Time
}

func newRateLimiter(user, guild Rate, now func() time.Time, maxKeys int) *rateLimiter {
	if maxKeys <= 0 {
		maxKeys = defaultMaxRateKeys
	}
	return &rateLimiter{user: user, guild: guild, now: now, maxKeys: maxKeys,
		full: map[string]time.Time{}, told: map[string]time.Time{}}
}

// check is the verdict of one bucket on one more question at now: the new
// full-again time when the question may pass, otherwise the wait until a
// token is back.
func (l *rateLimiter) check(key string, r Rate, now time.Time) (next time.Time, wait time.Duration) {
	full, ok := l.full[key]
	if !ok || full.Before(now) {
		full = now
	}
	next = full.Add(r.interval())
	// Passing would leave the bucket short of (next-now)/interval tokens;
	// it holds burst.
	if over := next.Sub(now) - r.window(); over > 0 {
		return time.Time{}, over
	}
	return next, 0
}

// take spends a token of user's bucket and of guild's ("" for a DM) and
// returns limitNone, or, when either bucket is empty, how long until both
// have a token again and which of them is the longer wait. A refused
// question spends nothing.
func (l *rateLimiter) take(user, guild string) (time.Duration, limitScope) {
	if l == nil {
		return 0, limitNone
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var userNext, guildNext time.Time
	var wait time.Duration
	scope := limitNone
	if l.user.on() && user != "" {
		var w time.Duration
		if userNext, w = l.check("u"+user, l.user, now); w > 0 {
			wait, scope = w, limitUser
		}
	}
	if l.guild.on() && guild != "" {
		var w time.Duration
		if guildNext, w = l.check("g"+guild, l.guild, now); w > wait {
			wait, scope = w, limitGuild
		}
	}
	if scope != limitNone {
		return wait, scope
	}
	if !userNext.IsZero() {
		l.store("u"+user, userNext, now)
	}
	if !guildNext.IsZero() {
		l.store("g"+guild, guildNext, now)
	}
	return 0, limitNone
}

// refund gives back the tokens of a question that passed take but was
// then not answered through no fault of the asker (the bot was busy).
func (l *rateLimiter) refund(user, guild string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.user.on() && user != "" {
		l.giveBack("u"+user, l.user)
	}
	if l.guild.on() && guild != "" {
		l.giveBack("g"+guild, l.guild)
	}
}

func (l *rateLimiter) giveBack(key string, r Rate) {
	if full, ok := l.full[key]; ok {
		l.full[key] = full.Add(-r.interval())
	}
}

// store records a bucket's new full-again time, making room first when
// the cap on buckets is reached.
func (l *rateLimiter) store(key string, full, now time.Time) {
	if _, ok := l.full[key]; !ok {
		if len(l.full) >= l.maxKeys || now.Sub(l.lastSweep) >= rateSweepEvery {
			l.sweep(now)
		}
		if len(l.full) >= l.maxKeys {
			l.evictNearestFull()
		}
	}
	l.full[key] = full
}

// sweep forgets the buckets that are full again, and the refusals that
// have run out.
func (l *rateLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, full := range l.full {
		if !full.After(now) {
			delete(l.full, k)
		}
	}
	for u, until := range l.told {
		if !until.After(now) {
			delete(l.told, u)
		}
	}
}

// evictNearestFull forgets the bucket that will be full soonest: under a
// flood of new users the cap holds, at the cost of granting the bucket
// that had the least left to wait its few tokens early.
func (l *rateLimiter) evictNearestFull() {
	var victim string
	var soonest time.Time
	for k, full := range l.full {
		if victim == "" || full.Before(soonest) {
			victim, soonest = k, full
		}
	}
	delete(l.full, victim)
}

// tell reports whether a user refused until until should be told so: not
// when they were already told of a refusal that still holds. It records
// the refusal; the record is bounded like the buckets (when full, the user
// is simply told again).
func (l *rateLimiter) tell(user string, until time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if prev, ok := l.told[user]; ok && prev.After(now) {
		return false
	}
	if len(l.told) >= l.maxKeys {
		l.sweep(now)
	}
	if len(l.told) < l.maxKeys {
		l.told[user] = until
	}
	return true
}

// size is the number of buckets kept (tests).
func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.full)
}
