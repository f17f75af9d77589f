package discordfake

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func TestShardOf(t *testing.T) {
	for _, c := range []struct {
		guild string
		count int
		want  int
	}{
		{"", 4, 0},        // DMs: shard 0
		{"4194304", 1, 0}, // 1 << 22, unsharded
		{"4194304", 2, 1}, // 1 << 22
		{"8388608", 2, 0}, // 2 << 22
		{"81384788765712384", 16, 2},
		{"not-a-snowflake", 2, 0},                  // unparsable: shard 0
		{"175928847299117063", 0, 0},               // no count
		{"175928847299117063", 3, 41944705796 % 3}, // the snowflake in Discord's docs
	} {
		if got := ShardOf(c.guild, c.count); got != c.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", c.guild, c.count, got, c.want)
		}
	}
}

// TestDiscordgoShards runs two discordgo sessions as shards [0,2] and [1,2]:
// GET /gateway/bot recommends two, each IDENTIFY is recorded with its
// shard, guild events and interactions arrive on the guild's shard only,
// DMs on shard 0, and dropping one shard leaves the other connected.
func TestDiscordgoShards(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	s := New(t, Options{Now: NewClock(time.Time{}).Now, RecommendedShards: 2, MaxConcurrency: 16})
	first := ShardOf(s.GuildID, 2)
	other := s.AddGuild(Guild{ID: s.GuildIDOnShard(1-first, 2), Name: "other", Channels: []Channel{{Name: "general"}}, Members: []Member{{UserID: s.UserID}}})
	if got := ShardOf(other.ID, 2); got != 1-first {
		t.Fatalf("GuildIDOnShard(%d, 2) = %s, on shard %d", 1-first, other.ID, got)
	}
	dm, err := s.AddChannel(Channel{RecipientID: s.UserID})
	if err != nil {
		t.Fatal(err)
	}

	rest, err := discordgo.New("Bot " + s.Token)
	if err != nil {
		t.Fatal(err)
	}
	rest.Client = s.HTTPClient()
	gb, err := rest.GatewayBot()
	if err != nil {
		t.Fatal(err)
	}
	if gb.Shards != 2 || gb.SessionStartLimit.MaxConcurrency != 16 || !strings.HasPrefix(gb.URL, "ws://") {
		t.Fatalf("GET /gateway/bot = %+v, want 2 shards, max_concurrency 16 and the fake's URL", gb)
	}
	if _, err := rest.ApplicationCommandBulkOverwrite(s.ApplicationID, "", []*discordgo.ApplicationCommand{{Name: "where", Description: "which shard"}}); err != nil {
		t.Fatal(err)
	}

	type seen struct {
		shard int
		guild string
	}
	guilds := make(chan seen, 8)
	interactions := make(chan seen, 8)
	sessions := make([]*discordgo.Session, 2)
	for i := range sessions {
		dg, err := discordgo.New("Bot " + s.Token)
		if err != nil {
			t.Fatal(err)
		}
		dg.Client = s.HTTPClient()
		dg.ShardID, dg.ShardCount = i, 2
		dg.AddHandler(func(ss *discordgo.Session, g *discordgo.GuildCreate) { guilds <- seen{ss.ShardID, g.ID} })
		dg.AddHandler(func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			interactions <- seen{ss.ShardID, ic.GuildID}
			_ = ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "here", AllowedMentions: noMentions},
			})
		})
		if err := dg.Open(); err != nil {
			t.Fatalf("open shard %d: %v", i, err)
		}
		t.Cleanup(func() { _ = dg.Close() })
		sessions[i] = dg
	}

	var shards [][]int
	for _, id := range s.Identifies() {
		shards = append(shards, id.Shard)
	}
	if !slices.EqualFunc(shards, [][]int{{0, 2}, {1, 2}}, slices.Equal) {
		t.Fatalf("identified shards %v, want [[0 2] [1 2]]", shards)
	}
	want := map[seen]bool{{first, s.GuildID}: true, {1 - first, other.ID}: true}
	for range 2 {
		g := recv(ctx, t, guilds)
		if !want[g] {
			t.Fatalf("GUILD_CREATE of %s on shard %d; want %s on %d and %s on %d", g.guild, g.shard, s.GuildID, first, other.ID, 1-first)
		}
		delete(want, g)
	}

	for _, c := range []struct {
		spec  InteractionSpec
		shard int
	}{
		{InteractionSpec{CommandName: "where"}, first},
		{InteractionSpec{CommandName: "where", ChannelID: other.Channels[0].ID}, 1 - first},
		{InteractionSpec{CommandName: "where", ChannelID: dm.ID, UserID: s.UserID}, 0},
	} {
		it := s.Interact(ctx, c.spec)
		if got := recv(ctx, t, interactions); got.shard != c.shard || got.guild != it.GuildID {
			t.Errorf("interaction in guild %q arrived on shard %d (guild %q), want shard %d", it.GuildID, got.shard, got.guild, c.shard)
		}
		if _, err := it.WaitFinal(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// Drop shard 1 only: shard 0 stays, shard 1 resumes its own session.
	var sid1 string
	for _, e := range s.GatewayEvents() {
		if e.Kind == GatewayIdentify && strings.Contains(e.Detail, "shard=[1,2]") {
			sid1 = e.SessionID
		}
	}
	if _, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.Kind == GatewayHeartbeat && e.SessionID == sid1 }); err != nil {
		t.Fatal(err)
	}
	mark := len(s.GatewayEvents())
	s.DropShard(1)
	if s.ShardConnected(1) || !s.ShardConnected(0) {
		t.Fatalf("after DropShard(1): shard 0 connected %v, shard 1 %v; want true, false", s.ShardConnected(0), s.ShardConnected(1))
	}
	if _, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool {
		return e.N > mark && e.Kind == GatewayResumed && e.SessionID == sid1
	}); err != nil {
		t.Fatal(err)
	}
	if !s.ShardConnected(1) {
		t.Error("shard 1 not connected after resuming")
	}
	for _, e := range s.GatewayEvents()[mark:] {
		if e.Kind == GatewayDisconnect || e.Kind == GatewayDropped && e.SessionID != sid1 {
			t.Errorf("shard 0 affected by DropShard(1): %+v", e)
		}
	}

	// A session-ending close on shard 0 makes it identify again as [0,2];
	// shard 1 keeps its session.
	var sid0 string
	for _, e := range s.GatewayEvents() {
		if e.Kind == GatewayIdentify && strings.Contains(e.Detail, "shard=[0,2]") {
			sid0 = e.SessionID
		}
	}
	if _, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.Kind == GatewayHeartbeat && e.SessionID == sid0 }); err != nil {
		t.Fatal(err)
	}
	mark = len(s.GatewayEvents())
	s.CloseShardWith(0, CloseSessionTimedOut)
	ready, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.N > mark && e.Kind == GatewayReady })
	if err != nil {
		t.Fatal(err)
	}
	ids := s.Identifies()
	if last := ids[len(ids)-1]; ready.SessionID == sid0 || !slices.Equal(last.Shard, []int{0, 2}) {
		t.Fatalf("after 4009 on shard 0: session %s (was %s), last IDENTIFY shard %v; want a new session for [0 2]", ready.SessionID, sid0, last.Shard)
	}
	for _, e := range s.GatewayEvents()[mark:] {
		if e.SessionID == sid1 && e.Kind != GatewayHeartbeat {
			t.Errorf("shard 1 affected by CloseShardWith(0): %+v", e)
		}
	}
	s.AssertClean(t)
}
