package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/discordfake"
)

// identifyPacer replaces the bot's identify clock (frozen) and sleep
// (recorded, returning at once unless held).
type identifyPacer struct {
	mu      sync.Mutex
	waits   []time.Duration
	hold    bool
	release chan struct{}
	held    chan struct{} // receives when a sleep starts waiting for release
}

func newIdentifyPacer() *identifyPacer {
	return &identifyPacer{release: make(chan struct{}), held: make(chan struct{}, 8)}
}

func (p *identifyPacer) install(b *Bot) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b.identifyNow = func() time.Time { return now }
	b.identifySleep = func(ctx context.Context, d time.Duration) error {
		p.mu.Lock()
		p.waits = append(p.waits, d)
		hold := p.hold
		p.mu.Unlock()
		if !hold {
			return nil
		}
		p.held <- struct{}{}
		select {
		case <-p.release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *identifyPacer) slept() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.waits)
}

func (p *identifyPacer) holdNext() {
	p.mu.Lock()
	p.hold = true
	p.mu.Unlock()
}

// identifiedShards are the shards of the IDENTIFYs the fake received,
// sorted.
func identifiedShards(fake *discordfake.Server) [][]int {
	var shards [][]int
	for _, id := range fake.Identifies() {
		shards = append(shards, id.Shard)
	}
	slices.SortFunc(shards, slices.Compare)
	return shards
}

// shardSession is the fake's session ID of the last IDENTIFY as shard
// [id, count].
func shardSession(t *testing.T, fake *discordfake.Server, shard string) string {
	t.Helper()
	sid := ""
	for _, ev := range fake.GatewayEvents() {
		if ev.Kind == discordfake.GatewayIdentify && strings.Contains(ev.Detail, "shard="+shard) {
			sid = ev.SessionID
		}
	}
	if sid == "" {
		t.Fatalf("no IDENTIFY as shard %s", shard)
	}
	return sid
}

// waitHeartbeat waits for the heartbeat discordgo sends after connecting
// a session (see discordfake's notes: dropping the socket before it races).
func waitHeartbeat(t *testing.T, e *env, sid string) {
	t.Helper()
	if _, err := e.fake.WaitGatewayEvent(e.ctx, func(ev discordfake.GatewayEvent) bool {
		return ev.Kind == discordfake.GatewayHeartbeat && ev.SessionID == sid
	}); err != nil {
		t.Fatal(err)
	}
}

func waitUntil(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: %v", what, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// addGuildOnShard adds a guild with a text channel whose events go to
// shard of count, with the default user as a member, and returns its
// channel.
func addGuildOnShard(fake *discordfake.Server, shard, count int) discordfake.Channel {
	g := fake.AddGuild(discordfake.Guild{
		ID: fake.GuildIDOnShard(shard, count), OwnerID: fake.OwnerID,
		Channels: []discordfake.Channel{{Name: "general"}},
		Members:  []discordfake.Member{{UserID: fake.OwnerID}, {UserID: fake.UserID}},
	})
	return g.Channels[0]
}

// TestShardsAutomatic: with discord.shard_count 0 the bot runs the shards
// GET /gateway/bot recommends, identifying them 5 s apart (max_concurrency
// 1); each shard's interactions are answered; Connected follows every
// shard, and a dropped shard resumes on its own.
func TestShardsAutomatic(t *testing.T) {
	t.Parallel()
	pacer := newIdentifyPacer()
	var other discordfake.Channel
	e := startBot(t, setup{
		fake: discordfake.Options{RecommendedShards: 2},
		opts: func(o *Options, fake *discordfake.Server) {
			other = addGuildOnShard(fake, 1-discordfake.ShardOf(fake.GuildID, 2), 2)
			o.GuildIDs = append(o.GuildIDs, other.GuildID)
		},
		tweak: pacer.install,
	})
	if got := identifiedShards(e.fake); !slices.EqualFunc(got, [][]int{{0, 2}, {1, 2}}, slices.Equal) {
		t.Fatalf("identified as %v, want [[0 2] [1 2]]", got)
	}
	if got := pacer.slept(); !slices.Equal(got, []time.Duration{5 * time.Second}) {
		t.Errorf("identify waits %v, want one of 5s (max_concurrency 1)", got)
	}
	if !e.bot.Connected() {
		t.Error("Connected() = false with both shards ready")
	}
	for _, spec := range []discordfake.InteractionSpec{
		{CommandName: "sources"},
		{CommandName: "sources", ChannelID: other.ID},
	} {
		it := e.fake.Interact(e.ctx, spec)
		if d := embedOf(t, e.final(it)).Description; !strings.Contains(d, "Town Hall Notes") {
			t.Errorf("/sources in guild %s (shard %d) = %q", it.GuildID, discordfake.ShardOf(it.GuildID, 2), d)
		}
	}
	// Mentions arrive on the guild's shard too, and are answered there.
	q, err := e.fake.SendMessage(e.ctx, other.ID, e.fake.UserID, "<@"+e.fake.Bot.ID+"> What does Article 9 call for?", nil)
	if err != nil {
		t.Fatal(err)
	}
	if reply, err := e.fake.WaitReply(e.ctx, q.ID); err != nil || !strings.Contains(reply.Text(), "unblocking") {
		t.Errorf("mention on shard %d: reply %q, %v", discordfake.ShardOf(other.GuildID, 2), reply.Text(), err)
	}

	// Shard 1 drops: Connected is false until it is back, shard 0 stays.
	sid1 := shardSession(t, e.fake, "[1,2]")
	waitHeartbeat(t, e, sid1)
	mark := len(e.fake.GatewayEvents())
	pacer.holdNext() // the reconnect waits for its identify slot
	e.fake.DropShard(1)
	select {
	case <-pacer.held:
	case <-e.ctx.Done():
		t.Fatal("shard 1 did not reconnect")
	}
	waitUntil(t, e.ctx, "Connected() false with shard 1 down", func() bool { return !e.bot.Connected() })
	if !e.fake.ShardConnected(0) {
		t.Error("shard 0 went down with shard 1")
	}
	close(pacer.release)
	if _, err := e.fake.WaitGatewayEvent(e.ctx, func(ev discordfake.GatewayEvent) bool {
		return ev.N > mark && ev.Kind == discordfake.GatewayResumed && ev.SessionID == sid1
	}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, e.ctx, "Connected() true after shard 1 resumed", e.bot.Connected)
	if n := len(e.fake.Identifies()); n != 2 {
		t.Errorf("%d IDENTIFYs, want 2 (shard 1 resumed)", n)
	}
	if d := embedOf(t, e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "sources", ChannelID: other.ID}))).Description; !strings.Contains(d, "Town Hall Notes") {
		t.Errorf("/sources after shard 1 resumed = %q", d)
	}
	logs := e.logs.String()
	for _, want := range []string{
		`"discord shard ready" shard=0 shard_count=2`,
		`"discord shard ready" shard=1 shard_count=2`,
		`reconnecting" shard=1 shard_count=2`,
		`"discord session resumed" shard=1 shard_count=2`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// TestShardIDRunsOneShard: discord.shard_id 1 of shard_count 2 identifies
// as [1,2] only, and answers its guilds.
func TestShardIDRunsOneShard(t *testing.T) {
	t.Parallel()
	pacer := newIdentifyPacer()
	var mine discordfake.Channel
	e := startBot(t, setup{
		fake: discordfake.Options{RecommendedShards: 4},
		opts: func(o *Options, fake *discordfake.Server) {
			mine = addGuildOnShard(fake, 1, 2)
			o.GuildIDs = []string{mine.GuildID}
			o.ShardCount, o.Shards = 2, []int{1}
		},
		tweak: pacer.install,
	})
	if got := identifiedShards(e.fake); !slices.EqualFunc(got, [][]int{{1, 2}}, slices.Equal) {
		t.Fatalf("identified as %v, want [[1 2]] only", got)
	}
	if got := pacer.slept(); len(got) != 0 {
		t.Errorf("identify waits %v, want none for one shard", got)
	}
	if !e.bot.Connected() {
		t.Error("Connected() = false with its one shard ready")
	}
	if d := embedOf(t, e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "sources", ChannelID: mine.ID}))).Description; !strings.Contains(d, "Town Hall Notes") {
		t.Errorf("/sources on shard 1 = %q", d)
	}
}

// TestFatalCloseOnOneShardStopsRun: a close code reconnecting cannot fix,
// on any shard, stops Run with that error.
func TestFatalCloseOnOneShardStopsRun(t *testing.T) {
	t.Parallel()
	pacer := newIdentifyPacer()
	e := startBot(t, setup{fake: discordfake.Options{RecommendedShards: 2, MaxConcurrency: 2}, tweak: pacer.install})
	if got := pacer.slept(); len(got) != 0 {
		t.Errorf("identify waits %v, want none (max_concurrency 2)", got)
	}
	waitHeartbeat(t, e, shardSession(t, e.fake, "[1,2]"))
	e.fake.CloseShardWith(1, discordfake.CloseInvalidShard)
	err := e.result()
	var fatal *FatalCloseError
	if !errors.As(err, &fatal) || fatal.Code != discordfake.CloseInvalidShard || fatal.Shard != 1 {
		t.Fatalf("Run = %v, want a FatalCloseError 4010 on shard 1", err)
	}
	if !strings.Contains(e.logs.String(), "discord refused the bot; stopping") {
		t.Error("the refusal was not logged")
	}
}

func TestIdentifyGate(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	g := newIdentifyGate(2, func() time.Time { return now })
	var got []time.Duration
	for id := range 6 {
		got = append(got, g.reserve(id))
	}
	s := time.Second
	if want := []time.Duration{0, 0, 5 * s, 5 * s, 10 * s, 10 * s}; !slices.Equal(got, want) {
		t.Errorf("waits for shards 0-5 at max_concurrency 2 = %v, want %v", got, want)
	}
	now = now.Add(time.Minute)
	if d := g.reserve(3); d != 0 {
		t.Errorf("wait after the window passed = %v, want 0", d)
	}
	if d := newIdentifyGate(0, time.Now).reserve(7); d != 0 {
		t.Errorf("first wait with max_concurrency 0 (read as 1) = %v", d)
	}
}

func TestNewChecksShards(t *testing.T) {
	for _, c := range []struct {
		count  int
		shards []int
		want   string // "" = accepted
	}{
		{0, nil, ""},
		{4, nil, ""},
		{4, []int{3}, ""},
		{-1, nil, "discord.shard_count"},
		{0, []int{0}, "discord.shard_id needs discord.shard_count"},
		{2, []int{2}, "discord.shard_id is 2"},
		{2, []int{-1}, "discord.shard_id is -1"},
		{2, []int{}, "discord.shard_id"},
		{3, []int{1, 1}, "given twice"},
	} {
		_, err := New(Options{Token: "x", ShardCount: c.count, Shards: c.shards}, newFakeService(t))
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("New(shard_count %d, shards %v) = %v, want %q", c.count, c.shards, err, c.want)
		}
	}
}
