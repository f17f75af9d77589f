package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Sharding. Discord splits a bot's guilds over shards: shard i of n gets
// the events of the guilds with (guild_id >> 22) % n == i, and DMs arrive
// on shard 0 only. The bot runs one discordgo Session per shard it serves
// (Options.ShardCount, Options.Shards). The first of them, b.session, is
// also the REST session every handler answers with; the others share its
// HTTP client, its rate limiter (one set of REST buckets per token) and
// its state cache (guilds from every shard), and call the same handlers.
// Each shard reconnects on its own; a fatal close on any shard stops the
// bot, and Connected is true only while every shard is.

// identifyInterval is Discord's identify window: at most max_concurrency
// shards may IDENTIFY per 5 s.
const identifyInterval = 5 * time.Second

// shard is one gateway connection of the bot.
type shard struct {
	id, count int
	session   *discordgo.Session
	closes    *closeWatcher
	// disconnects hears of every lost connection; keepShard reconnects.
	disconnects chan struct{}

	// Guarded by Bot.gwMu.
	connected bool
	ready     bool
}

func newShard(s *discordgo.Session) *shard {
	return &shard{session: s, closes: newCloseWatcher(), disconnects: make(chan struct{}, 1)}
}

// name is the shard as Discord writes it, [id, count].
func (sh *shard) name() string { return fmt.Sprintf("[%d,%d]", sh.id, sh.count) }

// identifyGate paces IDENTIFYs as Discord's session_start_limit demands:
// the shards sharing a rate-limit key (shard_id % max_concurrency) identify
// at least identifyInterval apart, so shards start in buckets of
// max_concurrency, 5 s apart.
type identifyGate struct {
	mu          sync.Mutex
	concurrency int
	now         func() time.Time
	next        map[int]time.Time // per key: the earliest next IDENTIFY
}

func newIdentifyGate(concurrency int, now func() time.Time) *identifyGate {
	return &identifyGate{concurrency: max(concurrency, 1), now: now, next: map[int]time.Time{}}
}

// reserve takes the next identify slot of shardID's key and returns how
// long to wait for it.
func (g *identifyGate) reserve(shardID int) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := shardID % g.concurrency
	now := g.now()
	at := g.next[key]
	if at.Before(now) {
		at = now
	}
	g.next[key] = at.Add(identifyInterval)
	return at.Sub(now)
}

// sleep waits d unless ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// checkShards checks Options.ShardCount and Options.Shards.
func checkShards(count int, ids []int) error {
	if count < 0 {
		return fmt.Errorf("discord.shard_count is %d: want 0 (Discord's recommendation) or a positive count", count)
	}
	if ids == nil {
		return nil
	}
	if count == 0 {
		return errors.New("discord.shard_id needs discord.shard_count: a process that runs one shard must know how many there are")
	}
	if len(ids) == 0 {
		return errors.New("discord.shard_id: no shard to run")
	}
	for i, id := range ids {
		if id < 0 || id >= count {
			return fmt.Errorf("discord.shard_id is %d: want -1 (every shard) or 0 to %d (discord.shard_count - 1)", id, count-1)
		}
		if slices.Contains(ids[:i], id) {
			return fmt.Errorf("discord.shard_id: shard %d given twice", id)
		}
	}
	return nil
}

// planShards decides how many shards there are and how fast they may
// identify, from GET /gateway/bot: its recommended count when
// Options.ShardCount is 0, and session_start_limit.max_concurrency.
func (b *Bot) planShards(ctx context.Context) (count, concurrency int, err error) {
	count, concurrency = b.opts.ShardCount, 1
	gb, err := b.session.GatewayBot(discordgo.WithContext(ctx))
	switch {
	case err != nil && count == 0:
		return 0, 0, fmt.Errorf("discord: cannot read the recommended shard count from GET /gateway/bot (set discord.shard_count to do without): %w", b.explain(err))
	case err != nil:
		b.log.Warn("discord: cannot read the identify concurrency from GET /gateway/bot; identifying one shard per 5 s", "err", b.explain(err))
		return count, concurrency, nil
	}
	if count == 0 {
		count = max(gb.Shards, 1)
	} else if gb.Shards > count {
		b.log.Warn("discord recommends more shards than discord.shard_count", "shard_count", count, "recommended", gb.Shards)
	}
	return count, max(gb.SessionStartLimit.MaxConcurrency, 1), nil
}

// openShards makes a session per shard this process runs and opens them,
// max_concurrency at a time, 5 s apart. It returns nil when ctx ends first.
func (b *Bot) openShards(ctx context.Context) error {
	count, concurrency, err := b.planShards(ctx)
	if err != nil {
		return err
	}
	ids := b.opts.Shards
	if ids == nil {
		for i := range count {
			ids = append(ids, i)
		}
	}
	shards := make([]*shard, len(ids))
	for i, id := range ids {
		sh := b.rest
		if i > 0 {
			sh = b.newShardSession()
		}
		sh.id, sh.count = id, count
		sh.closes.shard = id
		// discordgo sends [ShardID, ShardCount] in IDENTIFY when
		// ShardCount > 1.
		sh.session.ShardID, sh.session.ShardCount = id, count
		shards[i] = sh
	}
	b.gwMu.Lock()
	b.shards = shards
	b.gate = newIdentifyGate(concurrency, b.identifyNow)
	b.gwMu.Unlock()
	if len(shards) > 1 {
		b.log.Info("discord: starting shards", "shards", ids, "shard_count", count, "max_concurrency", concurrency)
	}

	// Every shard waits for its identify slot and opens; the first
	// failure cancels the others.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(shards))
	for _, sh := range shards {
		wait := b.gate.reserve(sh.id)
		wg.Go(func() {
			if wait > 0 {
				if err := b.identifySleep(ctx, wait); err != nil {
					return
				}
			}
			if err := sh.session.Open(); err != nil {
				errs <- b.openFailed(sh, err)
				cancel()
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when none failed
}

// openFailed explains why a shard's first connection failed.
func (b *Bot) openFailed(sh *shard, err error) error {
	if fatal := sh.closes.fatal(); fatal != nil {
		return b.refused(fatal)
	}
	if sh.count > 1 {
		return fmt.Errorf("discord gateway (shard %s): %w", sh.name(), b.explain(err))
	}
	return fmt.Errorf("discord gateway: %w", b.explain(err))
}

// newShardSession makes the session of another shard, sharing what the REST
// session has that is not per connection.
func (b *Bot) newShardSession() *shard {
	rest := b.session
	s, _ := discordgo.New(rest.Token) // never fails for a bot token
	s.Client = rest.Client
	s.Ratelimiter = rest.Ratelimiter
	s.State = rest.State
	s.StateEnabled = rest.StateEnabled
	s.Identify = rest.Identify
	s.Identify.Shard = nil
	sh := newShard(s)
	b.setupSession(sh)
	return sh
}

// serveShards keeps every shard connected until ctx ends (nil) or one is
// refused for good (its error).
func (b *Bot) serveShards(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	errs := make(chan error, len(b.shards))
	for _, sh := range b.shards {
		wg.Go(func() {
			if err := b.keepShard(ctx, sh); err != nil {
				errs <- err
			}
		})
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-errs:
		return err
	}
}

// keepShard reconnects a shard whenever its connection is lost.
func (b *Bot) keepShard(ctx context.Context, sh *shard) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case fatal := <-sh.closes.ch:
			return b.refused(fatal)
		case <-sh.disconnects:
			if err := b.reconnect(ctx, sh); err != nil {
				return err
			}
		}
	}
}

// closeShards closes every shard's connection at once (discordgo's Close
// waits a second for each).
func (b *Bot) closeShards() {
	b.gwMu.Lock()
	shards := b.shards
	b.gwMu.Unlock()
	if len(shards) == 0 {
		shards = []*shard{b.rest}
	}
	var wg sync.WaitGroup
	for _, sh := range shards {
		wg.Go(func() { sh.session.Close() })
	}
	wg.Wait()
}

// shardOf finds the shard of a session; nil before Run made them.
// b.gwMu is held.
func (b *Bot) shardOf(s *discordgo.Session) *shard {
	for _, sh := range b.shards {
		if sh.session == s {
			return sh
		}
	}
	return nil
}

// shardUp records a shard's connection going up or down and returns the
// shard (nil if unknown). Connected is true while every shard is up; Ready
// is closed once every shard has been ready.
func (b *Bot) shardUp(s *discordgo.Session, up, ready bool) *shard {
	b.gwMu.Lock()
	defer b.gwMu.Unlock()
	sh := b.shardOf(s)
	if sh == nil {
		if !up {
			b.connected.Store(false)
		}
		return nil
	}
	sh.connected = up
	sh.ready = sh.ready || ready
	all, allReady := true, true
	for _, x := range b.shards {
		all = all && x.connected
		allReady = allReady && x.ready
	}
	b.connected.Store(all)
	if allReady {
		b.readyOnce.Do(func() { close(b.ready) })
	}
	return sh
}

// shardAttrs are the log attributes naming a shard.
func shardAttrs(sh *shard) []any {
	if sh == nil {
		return nil
	}
	return []any{"shard", sh.id, "shard_count", sh.count}
}
