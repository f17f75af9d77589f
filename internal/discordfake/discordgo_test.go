package discordfake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// These tests drive the real discordgo v0.29.0 Session against the fake,
// the way bot/ will.

func init() {
	// discordgo logs reconnects and REST errors we provoke on purpose.
	discordgo.Logger = func(int, int, string, ...any) {}
}

var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

type harness struct {
	t        *testing.T
	s        *Server
	clock    *Clock
	dg       *discordgo.Session
	mu       sync.Mutex
	handlers map[string]func(*discordgo.Session, *discordgo.InteractionCreate)
	messages chan *discordgo.MessageCreate
	guilds   chan *discordgo.GuildCreate
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newHarness(t *testing.T, opts Options, tweak func(*discordgo.Session)) *harness {
	t.Helper()
	h := &harness{
		t:        t,
		clock:    NewClock(time.Time{}),
		handlers: map[string]func(*discordgo.Session, *discordgo.InteractionCreate){},
		messages: make(chan *discordgo.MessageCreate, 64),
		guilds:   make(chan *discordgo.GuildCreate, 16),
	}
	if opts.Now == nil {
		opts.Now = h.clock.Now
	}
	h.s = New(t, opts)
	dg, err := discordgo.New("Bot " + h.s.Token)
	if err != nil {
		t.Fatalf("discordgo.New: %v", err)
	}
	dg.Client = h.s.HTTPClient()
	dg.AddHandler(h.onInteraction)
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		select {
		case h.messages <- m:
		default:
		}
	})
	dg.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) {
		select {
		case h.guilds <- g:
		default:
		}
	})
	if tweak != nil {
		tweak(dg)
	}
	h.dg = dg
	if err := dg.Open(); err != nil {
		t.Fatalf("open session: %v", err)
	}
	t.Cleanup(func() { _ = dg.Close() })
	return h
}

func (h *harness) handle(key string, fn func(*discordgo.Session, *discordgo.InteractionCreate)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handlers[key] = fn
}

func (h *harness) onInteraction(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
	var key string
	switch ic.Type {
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
		key = ic.ApplicationCommandData().Name
	case discordgo.InteractionMessageComponent:
		key = ic.MessageComponentData().CustomID
	case discordgo.InteractionModalSubmit:
		// discordgo v0.29 cannot decode modals with label components:
		// Data stays nil and ModalSubmitData would panic. Tests of such
		// modals read the raw event (see TestDiscordgoLabelModal).
		if d, ok := ic.Data.(discordgo.ModalSubmitInteractionData); ok {
			key = d.CustomID
		}
	}
	h.mu.Lock()
	fn := h.handlers[key]
	h.mu.Unlock()
	if fn != nil {
		fn(ss, ic)
	}
}

func recv[T any](ctx context.Context, t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("timed out waiting: %v", ctx.Err())
	}
	var zero T
	return zero
}

func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return -1
}

func manageGuild() *int64 { p := int64(discordgo.PermissionManageGuild); return &p }

var testCommands = []*discordgo.ApplicationCommand{
	{Name: "defer", Description: "defers then edits"},
	{Name: "twice", Description: "answers twice"},
	{Name: "slow", Description: "answers after the deadline"},
	{Name: "early", Description: "edits before answering"},
	{Name: "expire", Description: "edits after the token expired"},
	{Name: "retry", Description: "hits a 429"},
	{Name: "flaky", Description: "hits a 502"},
	{Name: "nullmentions", Description: "sends parse null"},
	{Name: "bigembed", Description: "sends too much embed text"},
	{Name: "followup", Description: "defers then follows up"},
	{Name: "feedback", Description: "shows a modal"},
	{Name: "raw", Description: "answered by the test over raw HTTP"},
	{Name: "ignored", Description: "never answered"},
	{Name: "admin", Description: "admins only", DefaultMemberPermissions: manageGuild()},
	{Name: "ask", Description: "asks a question", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "what about", Required: true, Autocomplete: true},
		{Type: discordgo.ApplicationCommandOptionInteger, Name: "count", Description: "how many"},
	}},
}

func registerCommands(t *testing.T, h *harness) []*discordgo.ApplicationCommand {
	t.Helper()
	got, err := h.dg.ApplicationCommandBulkOverwrite(h.s.ApplicationID, h.s.GuildID, testCommands)
	if err != nil {
		t.Fatalf("bulk overwrite: %v", err)
	}
	return got
}

func TestDiscordgoSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, nil)
	s := h.s
	ctx := testCtx(t)

	t.Run("ready and guild create", func(t *testing.T) {
		if got := h.dg.State.User; got == nil || got.ID != s.Bot.ID {
			t.Fatalf("State.User = %+v, want bot %s", got, s.Bot.ID)
		}
		g := recv(ctx, t, h.guilds)
		if g.ID != s.GuildID || len(g.Channels) != 1 || len(g.Roles) != 1 {
			t.Fatalf("GUILD_CREATE = id %s, %d channels, %d roles; want %s, 1, 1", g.ID, len(g.Channels), len(g.Roles), s.GuildID)
		}
		if len(g.Members) != 1 || g.Members[0].User.ID != s.Bot.ID {
			t.Errorf("GUILD_CREATE without GUILD_MEMBERS should carry only the bot member, got %d members", len(g.Members))
		}
		ids := s.Identifies()
		if len(ids) != 1 || ids[0].Intents != int64(discordgo.IntentsAllWithoutPrivileged) || !ids[0].Compress {
			t.Fatalf("identifies = %+v, want one with discordgo's default intents and compress", ids)
		}
		if ids[0].APIVersion != discordgo.APIVersion {
			t.Errorf("gateway v = %q, want %q", ids[0].APIVersion, discordgo.APIVersion)
		}
		added := s.AddGuild(Guild{Name: "second", Members: []Member{{UserID: s.UserID}}})
		if g := recv(ctx, t, h.guilds); g.ID != added.ID || g.Name != "second" {
			t.Fatalf("GUILD_CREATE after joining = %s %q, want %s", g.ID, g.Name, added.ID)
		}
	})

	t.Run("command registration is idempotent", func(t *testing.T) {
		first := registerCommands(t, h)
		second := registerCommands(t, h)
		if len(first) != len(testCommands) {
			t.Fatalf("got %d commands back, want %d", len(first), len(testCommands))
		}
		for i := range first {
			if first[i].ID == "" || first[i].ID != second[i].ID || first[i].Version != second[i].Version {
				t.Errorf("command %s: ids %s/%s versions %s/%s, want stable", first[i].Name, first[i].ID, second[i].ID, first[i].Version, second[i].Version)
			}
		}
		regs := s.Registrations()
		if len(regs) != 2 || !regs[0].Changed || regs[1].Changed || regs[0].GuildID != s.GuildID {
			t.Fatalf("registrations = %+v, want changed then unchanged for guild %s", regs, s.GuildID)
		}
		var admin Command
		for _, c := range s.Commands(s.GuildID) {
			if c.Name == "admin" {
				admin = c
			}
		}
		if admin.Name != "admin" || admin.DefaultMemberPermissions == nil || *admin.DefaultMemberPermissions != fmt.Sprint(discordgo.PermissionManageGuild) {
			t.Errorf("admin command = %+v, want default_member_permissions %d as string", admin, discordgo.PermissionManageGuild)
		}
		listed, err := h.dg.ApplicationCommands(s.ApplicationID, s.GuildID)
		if err != nil || len(listed) != len(testCommands) {
			t.Fatalf("list commands = %d, %v", len(listed), err)
		}
	})

	t.Run("deferred response then edit", func(t *testing.T) {
		errc := make(chan error, 1)
		h.handle("defer", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			if err := ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
			}); err != nil {
				errc <- err
				return
			}
			content := "the answer [1]"
			_, err := ss.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{
				Content:         &content,
				Embeds:          &[]*discordgo.MessageEmbed{{Title: "Sources", Description: "[1] brief.txt"}},
				AllowedMentions: noMentions,
			})
			errc <- err
		})
		it := s.Interact(ctx, InteractionSpec{CommandName: "defer"})
		cb, err := it.WaitCallback(ctx)
		if err != nil || cb.Type != CallbackDeferredChannelMessage {
			t.Fatalf("callback = %+v, %v; want type 5", cb, err)
		}
		final, err := it.WaitFinal(ctx)
		if err != nil {
			t.Fatalf("final: %v", err)
		}
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("bot: %v", err)
		}
		m := final.Message
		if final.Kind != EventEdit || m.Content != "the answer [1]" || !m.Ephemeral() || m.Deferred || len(m.Embeds) != 1 || m.Embeds[0].Title != "Sources" {
			t.Fatalf("final = %s %+v", final.Kind, m)
		}
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
			t.Errorf("allowed mentions = %+v, want parse []", m.AllowedMentions)
		}
		if !strings.Contains(m.Text(), "[1] brief.txt") {
			t.Errorf("Text() = %q, want the embed description", m.Text())
		}
	})

	t.Run("second callback is 40060", func(t *testing.T) {
		errc := make(chan error, 2)
		h.handle("twice", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			for i := 0; i < 2; i++ {
				errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
					Type: discordgo.InteractionResponseChannelMessageWithSource,
					Data: &discordgo.InteractionResponseData{Content: fmt.Sprint("answer ", i), AllowedMentions: noMentions},
				})
			}
		})
		it := s.Interact(ctx, InteractionSpec{CommandName: "twice"})
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("first callback: %v", err)
		}
		if err := recv(ctx, t, errc); restCode(err) != 40060 {
			t.Fatalf("second callback error = %v, want code 40060", err)
		}
		if m, _ := it.Original(); m.Content != "answer 0" {
			t.Errorf("original = %q, want the first answer", m.Content)
		}
		vs := s.TakeViolations()
		if len(vs) != 1 || vs[0].Kind != ViolationAlreadyAcknowledged {
			t.Fatalf("violations = %v, want one already_acknowledged", vs)
		}
	})

	t.Run("callback after 3s is 10062", func(t *testing.T) {
		errc := make(chan error, 1)
		h.handle("slow", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			h.clock.Advance(AckDeadline + time.Millisecond)
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			})
		})
		it := s.Interact(ctx, InteractionSpec{CommandName: "slow"})
		if err := recv(ctx, t, errc); restCode(err) != 10062 {
			t.Fatalf("late callback error = %v, want code 10062", err)
		}
		if it.Failed() == "" {
			t.Error("Failed() is empty for a late callback")
		}
		if _, err := it.WaitFinal(ctx); err == nil {
			t.Error("WaitFinal succeeded for a failed interaction")
		}
		vs := s.TakeViolations()
		if len(vs) != 1 || vs[0].Kind != ViolationLateAck {
			t.Fatalf("violations = %v, want one late_ack", vs)
		}
	})

	t.Run("no callback is no_ack", func(t *testing.T) {
		seen := make(chan struct{}, 1)
		h.handle("ignored", func(*discordgo.Session, *discordgo.InteractionCreate) { seen <- struct{}{} })
		it := s.Interact(ctx, InteractionSpec{CommandName: "ignored"})
		recv(ctx, t, seen)
		if it.Failed() != "" || len(s.Violations()) != 0 {
			t.Fatalf("failed before the deadline: %q %v", it.Failed(), s.Violations())
		}
		h.clock.Advance(AckDeadline + time.Millisecond)
		if it.Failed() == "" {
			t.Error("Failed() empty after the deadline")
		}
		vs := s.TakeViolations()
		if len(vs) != 1 || vs[0].Kind != ViolationNoAck || !strings.Contains(vs[0].Detail, it.ID) {
			t.Fatalf("violations = %v, want one no_ack for %s", vs, it.ID)
		}
		if vs := s.Violations(); len(vs) != 0 {
			t.Fatalf("no_ack reported again: %v", vs)
		}
	})

	t.Run("edit before callback is 10015", func(t *testing.T) {
		errc := make(chan error, 2)
		h.handle("early", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			content := "too early"
			_, err := ss.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions})
			errc <- err
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "ok", AllowedMentions: noMentions},
			})
		})
		s.Interact(ctx, InteractionSpec{CommandName: "early"})
		if err := recv(ctx, t, errc); restCode(err) != 10015 {
			t.Fatalf("early edit error = %v, want 10015", err)
		}
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("callback after the failed edit: %v", err)
		}
		vs := s.TakeViolations()
		if len(vs) != 1 || vs[0].Kind != ViolationUnknownWebhook {
			t.Fatalf("violations = %v, want one unknown_webhook", vs)
		}
	})

	t.Run("token expires after 15 minutes", func(t *testing.T) {
		ready := make(chan *discordgo.Interaction, 1)
		h.handle("expire", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			_ = ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
			ready <- ic.Interaction
		})
		s.Interact(ctx, InteractionSpec{CommandName: "expire"})
		in := recv(ctx, t, ready)
		h.clock.Advance(TokenLifetime + time.Second)
		content := "late answer"
		_, err := h.dg.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions})
		if restCode(err) != 50027 {
			t.Fatalf("edit after expiry = %v, want 50027", err)
		}
		vs := s.TakeViolations()
		if len(vs) != 1 || vs[0].Kind != ViolationUnknownWebhook || !strings.Contains(vs[0].Detail, "lifetime") {
			t.Fatalf("violations = %v, want one expired-token unknown_webhook", vs)
		}
	})

	t.Run("429 is retried after retry_after", func(t *testing.T) {
		s.FailNext(http.MethodPost, "/interactions/{interaction_id}/{interaction_token}/callback", http.StatusTooManyRequests, 30*time.Millisecond, 1)
		errc := make(chan error, 1)
		h.handle("retry", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "after retry", AllowedMentions: noMentions},
			})
		})
		it := s.Interact(ctx, InteractionSpec{CommandName: "retry"})
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("respond: %v", err)
		}
		var statuses []int
		var times []time.Time
		for _, r := range s.Requests() {
			if r.Params["interaction_id"] == it.ID {
				statuses = append(statuses, r.Status)
				times = append(times, r.Wall)
			}
		}
		if fmt.Sprint(statuses) != "[429 204]" {
			t.Fatalf("callback statuses = %v, want [429 204]", statuses)
		}
		if gap := times[1].Sub(times[0]); gap < 30*time.Millisecond {
			t.Errorf("retry came %v after the 429, want at least retry_after 30ms", gap)
		}
	})

	t.Run("502 is retried", func(t *testing.T) {
		s.FailNext(http.MethodPatch, "/webhooks/*/*/messages/@original", http.StatusBadGateway, 0, 1)
		errc := make(chan error, 1)
		h.handle("flaky", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			_ = ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
			content := "through the 502"
			_, err := ss.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions})
			errc <- err
		})
		it := s.Interact(ctx, InteractionSpec{CommandName: "flaky"})
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("edit: %v", err)
		}
		if e, err := it.WaitFinal(ctx); err != nil || e.Message.Content != "through the 502" {
			t.Fatalf("final = %+v, %v", e.Message, err)
		}
	})

	t.Run("zero allowed mentions and oversized embeds are rejected", func(t *testing.T) {
		errc := make(chan error, 4)
		h.handle("nullmentions", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			_ = ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
			content := "hello"
			_, err := ss.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &content, AllowedMentions: &discordgo.MessageAllowedMentions{}})
			errc <- err
			_, err = ss.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &content})
			errc <- err
			_, err = ss.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions})
			errc <- err
		})
		s.Interact(ctx, InteractionSpec{CommandName: "nullmentions"})
		if err := recv(ctx, t, errc); restCode(err) != 50035 {
			t.Fatalf("parse null: %v, want 50035", err)
		}
		if err := recv(ctx, t, errc); restCode(err) != 50035 {
			t.Fatalf("no allowed_mentions: %v, want 50035", err)
		}
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("valid edit: %v", err)
		}
		vs := s.TakeViolations()
		if len(vs) != 2 || !vs[0].Has("ALLOWED_MENTIONS_REQUIRED") || !vs[1].Has("ALLOWED_MENTIONS_REQUIRED") {
			t.Fatalf("violations = %v, want two ALLOWED_MENTIONS_REQUIRED", vs)
		}

		h.handle("bigembed", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			long := strings.Repeat("x", 3500)
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions, Embeds: []*discordgo.MessageEmbed{{Description: long}, {Description: long}}},
			})
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions, Embeds: []*discordgo.MessageEmbed{{Description: strings.Repeat("y", 4097)}}},
			})
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions, Embeds: []*discordgo.MessageEmbed{{Description: long}}},
			})
		})
		it := s.Interact(ctx, InteractionSpec{CommandName: "bigembed"})
		for i, want := range []int{50035, 50035, 0} {
			err := recv(ctx, t, errc)
			if (want == 0 && err != nil) || (want != 0 && restCode(err) != want) {
				t.Fatalf("response %d: %v, want code %d", i, err, want)
			}
		}
		vs = s.TakeViolations()
		if len(vs) != 2 || !vs[0].Has("MAX_EMBED_SIZE_EXCEEDED") || !vs[1].Has("BASE_TYPE_MAX_LENGTH") {
			t.Fatalf("violations = %v, want MAX_EMBED_SIZE_EXCEEDED then BASE_TYPE_MAX_LENGTH", vs)
		}
		rejected := 0
		for _, e := range it.Events() {
			if e.Kind == EventRejected {
				rejected++
			}
		}
		if rejected != 2 {
			t.Errorf("rejected events = %d, want 2", rejected)
		}
	})

	t.Run("followup completes the deferred message", func(t *testing.T) {
		errc := make(chan error, 1)
		h.handle("followup", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			_ = ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
			if _, err := ss.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "part 1", AllowedMentions: noMentions}); err != nil {
				errc <- err
				return
			}
			_, err := ss.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "part 2", AllowedMentions: noMentions, Flags: discordgo.MessageFlagsEphemeral,
				// Files make discordgo send multipart/form-data with payload_json.
				Files: []*discordgo.File{{Name: "sources.txt", ContentType: "text/plain", Reader: strings.NewReader("[1] brief.txt")}}})
			errc <- err
		})
		it := s.Interact(ctx, InteractionSpec{CommandName: "followup"})
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("followups: %v", err)
		}
		final, err := it.WaitFinal(ctx)
		if err != nil || final.Kind != EventFollowup || final.Message.Content != "part 1" {
			t.Fatalf("final = %+v, %v; want the first followup completing @original", final, err)
		}
		fu := it.Followups()
		if len(fu) != 1 || fu[0].Content != "part 2" || !fu[0].Ephemeral() {
			t.Fatalf("followups = %+v, want one ephemeral part 2", fu)
		}
		if a := fu[0].Attachments; len(a) != 1 || a[0].Filename != "sources.txt" || a[0].Size != len("[1] brief.txt") {
			t.Fatalf("attachments = %+v, want sources.txt", a)
		}
	})

	t.Run("callback with_response", func(t *testing.T) {
		got := make(chan *discordgo.Interaction, 1)
		h.handle("raw", func(_ *discordgo.Session, ic *discordgo.InteractionCreate) { got <- ic.Interaction })
		it := s.Interact(ctx, InteractionSpec{CommandName: "raw"})
		in := recv(ctx, t, got)
		path := "/interactions/" + in.ID + "/" + in.Token + "/callback?with_response=true"
		r := call(t, s, "POST", path, `{"type":4,"data":{"content":"raw","flags":64,"allowed_mentions":{"parse":[]}}}`, false)
		res, _ := r.body["resource"].(map[string]any)
		msg, _ := res["message"].(map[string]any)
		inter, _ := r.body["interaction"].(map[string]any)
		if r.status != 200 || msg["content"] != "raw" || inter["response_message_ephemeral"] != true || inter["id"] != it.ID {
			t.Fatalf("with_response answer = %d %v", r.status, r.body)
		}
	})

	t.Run("autocomplete and options", func(t *testing.T) {
		errc := make(chan error, 2)
		h.handle("ask", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			d := ic.ApplicationCommandData()
			if ic.Type == discordgo.InteractionApplicationCommandAutocomplete {
				var focused string
				for _, o := range d.Options {
					if o.Focused {
						focused = o.StringValue()
					}
				}
				errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
					Type: discordgo.InteractionApplicationCommandAutocompleteResult,
					Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: focused + "ims", Value: focused + "ims"}}},
				})
				return
			}
			opts := d.Options
			if len(opts) != 2 || opts[0].StringValue() != "claims" || opts[1].IntValue() != 3 {
				errc <- fmt.Errorf("options = %+v", opts)
				return
			}
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "3 claims", AllowedMentions: noMentions},
			})
		})
		ac := s.Interact(ctx, InteractionSpec{CommandName: "ask", Options: []Option{Opt("topic", "cla")}, Focused: "topic"})
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("autocomplete: %v", err)
		}
		if _, err := ac.WaitFinal(ctx); err != nil {
			t.Fatal(err)
		}
		if cb, _ := ac.Callback(); len(cb.Choices) != 1 || cb.Choices[0].Name != "claims" {
			t.Fatalf("choices = %+v", cb.Choices)
		}
		it := s.Interact(ctx, InteractionSpec{CommandName: "ask", Options: []Option{Opt("topic", "claims"), Opt("count", 3)}})
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("command: %v", err)
		}
		if e, err := it.WaitFinal(ctx); err != nil || e.Message.Content != "3 claims" {
			t.Fatalf("final = %+v, %v", e.Message, err)
		}
		if _, err := s.TryInteract(ctx, InteractionSpec{CommandName: "ask", Options: []Option{Opt("count", 1)}}); err == nil {
			t.Error("dispatching without the required option succeeded")
		}
		if _, err := s.TryInteract(ctx, InteractionSpec{CommandName: "nosuch"}); err == nil {
			t.Error("dispatching an unregistered command succeeded")
		}
	})

	t.Run("default member permissions and member lookup", func(t *testing.T) {
		if _, err := s.TryInteract(ctx, InteractionSpec{CommandName: "admin"}); err == nil || !strings.Contains(err.Error(), "default_member_permissions") {
			t.Fatalf("plain member invoking an admin command: %v, want refusal", err)
		}
		role, err := s.AddRole(s.GuildID, Role{Name: "mods", Permissions: PermManageGuild})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetMember(s.GuildID, Member{UserID: s.UserID, Roles: []string{role.ID}}); err != nil {
			t.Fatal(err)
		}
		got := make(chan *discordgo.Member, 1)
		h.handle("admin", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			_ = ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "ok", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions},
			})
			got <- ic.Member
		})
		s.Interact(ctx, InteractionSpec{CommandName: "admin"})
		m := recv(ctx, t, got)
		if m == nil || m.Permissions&discordgo.PermissionManageGuild == 0 || len(m.Roles) != 1 || m.Roles[0] != role.ID || m.User.ID != s.UserID {
			t.Fatalf("member = %+v, want manage-guild via role %s", m, role.ID)
		}
		rest, err := h.dg.GuildMember(s.GuildID, s.UserID)
		if err != nil || len(rest.Roles) != 1 || rest.Roles[0] != role.ID {
			t.Fatalf("GET member = %+v, %v", rest, err)
		}
		roles, err := h.dg.GuildRoles(s.GuildID)
		if err != nil || len(roles) != 2 || roles[1].Permissions != PermManageGuild {
			t.Fatalf("GET roles = %+v, %v", roles, err)
		}
		if _, err := h.dg.GuildMember(s.GuildID, "1"); restCode(err) != 10007 {
			t.Fatalf("unknown member: %v, want 10007", err)
		}
	})

	t.Run("mention reply, buttons and modal", func(t *testing.T) {
		// Without MESSAGE_CONTENT the bot sees content only when mentioned.
		plain, err := s.SendMessage(ctx, s.ChannelID, s.UserID, "just chatting", nil)
		if err != nil {
			t.Fatal(err)
		}
		asked, err := s.SendMessage(ctx, s.ChannelID, s.UserID, "<@"+s.Bot.ID+"> what is new?", nil)
		if err != nil {
			t.Fatal(err)
		}
		// Earlier subtests' non-ephemeral responses were dispatched too.
		seen := map[string]string{}
		for len(seen) < 2 {
			if m := recv(ctx, t, h.messages); m.ID == plain.ID || m.ID == asked.ID {
				seen[m.ID] = m.Content
			}
		}
		if seen[plain.ID] != "" || seen[asked.ID] != asked.Content {
			t.Fatalf("contents seen = %q, want empty for the plain message and full for the mention", seen)
		}
		reply, err := h.dg.ChannelMessageSendComplex(s.ChannelID, &discordgo.MessageSend{
			Content:         "Here is what is new.",
			Reference:       &discordgo.MessageReference{MessageID: asked.ID, ChannelID: s.ChannelID, GuildID: s.GuildID},
			AllowedMentions: noMentions,
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Label: "More", Style: discordgo.PrimaryButton, CustomID: "more"},
				discordgo.Button{Label: "Feedback", Style: discordgo.SecondaryButton, CustomID: "feedback-open"},
			}}},
		})
		if err != nil {
			t.Fatalf("reply: %v", err)
		}
		stored, err := s.WaitReply(ctx, asked.ID)
		if err != nil || stored.ID != reply.ID || stored.Content != "Here is what is new." {
			t.Fatalf("stored reply = %+v, %v", stored, err)
		}
		if ids := stored.CustomIDs(); fmt.Sprint(ids) != "[more feedback-open]" {
			t.Fatalf("custom ids = %v", ids)
		}

		errc := make(chan error, 3)
		h.handle("more", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			if ic.Message == nil || ic.Message.ID != reply.ID {
				errc <- fmt.Errorf("component interaction message = %+v, want %s", ic.Message, reply.ID)
				return
			}
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseUpdateMessage,
				Data: &discordgo.InteractionResponseData{Content: "Here is more.", AllowedMentions: noMentions, Components: []discordgo.MessageComponent{
					discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "Feedback", Style: discordgo.SecondaryButton, CustomID: "feedback-open"}}},
				}},
			})
		})
		it := s.Interact(ctx, InteractionSpec{CustomID: "more"})
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("update: %v", err)
		}
		final, err := it.WaitFinal(ctx)
		if err != nil || final.MessageID != reply.ID || final.Message.Content != "Here is more." || fmt.Sprint(final.Message.CustomIDs()) != "[feedback-open]" {
			t.Fatalf("final = %+v, %v", final, err)
		}
		if _, err := s.TryInteract(ctx, InteractionSpec{CustomID: "more"}); err == nil {
			t.Error("clicking a button that was removed succeeded")
		}

		h.handle("feedback-open", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseModal,
				Data: &discordgo.InteractionResponseData{CustomID: "feedback-modal", Title: "Feedback", Components: []discordgo.MessageComponent{
					discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{CustomID: "text", Label: "What was wrong?", Style: discordgo.TextInputParagraph}}},
				}},
			})
		})
		h.handle("feedback-modal", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			d := ic.ModalSubmitData()
			row := d.Components[0].(*discordgo.ActionsRow)
			text := row.Components[0].(*discordgo.TextInput).Value
			errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "Thanks: " + text, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions},
			})
		})
		if _, err := s.TryInteract(ctx, InteractionSpec{CustomID: "feedback-modal", ModalValues: map[string]string{"text": "x"}}); err == nil {
			t.Error("submitting a modal that was never shown succeeded")
		}
		open := s.Interact(ctx, InteractionSpec{CustomID: "feedback-open"})
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("modal: %v", err)
		}
		if cb, err := open.WaitCallback(ctx); err != nil || cb.Modal == nil || cb.Modal.Title != "Feedback" {
			t.Fatalf("modal callback = %+v, %v", cb, err)
		}
		sub := s.Interact(ctx, InteractionSpec{CustomID: "feedback-modal", ModalValues: map[string]string{"text": "too short"}})
		if err := recv(ctx, t, errc); err != nil {
			t.Fatalf("modal submit: %v", err)
		}
		if e, err := sub.WaitFinal(ctx); err != nil || e.Message.Content != "Thanks: too short" || !e.Message.Ephemeral() {
			t.Fatalf("modal answer = %+v, %v", e.Message, err)
		}
	})

	s.AssertClean(t)
}

func TestDiscordgoResumesAfterDrop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, nil)
	s := h.s
	ctx := testCtx(t)
	registerCommands(t, h)
	// Let discordgo process READY and GUILD_CREATE so the replay below
	// holds only what was dispatched during the outage.
	recv(ctx, t, h.guilds)
	waitFirstHeartbeat(ctx, t, s, 0)
	errc := make(chan error, 1)
	h.handle("defer", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
		errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "still here", AllowedMentions: noMentions},
		})
	})
	sessionID := s.SessionID()
	mark := len(s.GatewayEvents())
	s.DropConnections()
	// Dispatched while the bot is disconnected: delivered by RESUME replay.
	it := s.Interact(ctx, InteractionSpec{CommandName: "defer"})
	resumed, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.N > mark && e.Kind == GatewayResumed })
	if err != nil {
		t.Fatal(err)
	}
	if resumed.SessionID != sessionID || !strings.Contains(resumed.Detail, "replayed 1 event") {
		t.Fatalf("resumed = %+v, want session %s with one replayed event", resumed, sessionID)
	}
	if err := recv(ctx, t, errc); err != nil {
		t.Fatalf("respond after resume: %v", err)
	}
	if e, err := it.WaitFinal(ctx); err != nil || e.Message.Content != "still here" {
		t.Fatalf("final = %+v, %v", e.Message, err)
	}
	if n := len(s.Identifies()); n != 1 {
		t.Errorf("identifies = %d, want 1 (resume, not re-identify)", n)
	}

	waitFirstHeartbeat(ctx, t, s, resumed.N)

	// A non-resumable invalid session makes discordgo identify again.
	mark = len(s.GatewayEvents())
	s.InvalidateSession(false)
	ready, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.N > mark && e.Kind == GatewayReady })
	if err != nil {
		t.Fatal(err)
	}
	if ready.SessionID == sessionID || len(s.Identifies()) != 2 {
		t.Fatalf("after op 9: session %s (old %s), %d identifies; want a new session from a second IDENTIFY", ready.SessionID, sessionID, len(s.Identifies()))
	}

	// op 7 RECONNECT (same socket so far, its heartbeat already went out):
	// discordgo closes with 1012 and resumes the new session.
	mark = len(s.GatewayEvents())
	s.RequestReconnect()
	if _, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.N > mark && e.Kind == GatewayDisconnect && e.Code == 1012 }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool {
		return e.N > mark && e.Kind == GatewayResumed && e.SessionID == ready.SessionID
	}); err != nil {
		t.Fatal(err)
	}
	it = s.Interact(ctx, InteractionSpec{CommandName: "defer"})
	if err := recv(ctx, t, errc); err != nil {
		t.Fatalf("respond after reconnect: %v", err)
	}
	if _, err := it.WaitFinal(ctx); err != nil {
		t.Fatal(err)
	}
	s.AssertClean(t)
}

// waitFirstHeartbeat waits for the heartbeat discordgo sends right after a
// (re)connection logged after event n. Closing the socket before that write
// races in discordgo: the heartbeat goroutine of the dead socket fails and
// closes the next connection.
func waitFirstHeartbeat(ctx context.Context, t *testing.T, s *Server, n int) {
	t.Helper()
	if _, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.N > n && e.Kind == GatewayHeartbeat }); err != nil {
		t.Fatalf("no heartbeat after gateway event %d: %v", n, err)
	}
}

func TestCloseWithEndsSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, nil)
	s := h.s
	ctx := testCtx(t)
	waitFirstHeartbeat(ctx, t, s, 0)
	first := s.SessionID()
	mark := len(s.GatewayEvents())
	// 4009 ends the session: discordgo's RESUME gets op 9 and it identifies.
	s.CloseWith(CloseSessionTimedOut)
	if _, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.N > mark && e.Kind == GatewayInvalidSession }); err != nil {
		t.Fatal(err)
	}
	ready, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.N > mark && e.Kind == GatewayReady })
	if err != nil {
		t.Fatal(err)
	}
	waitFirstHeartbeat(ctx, t, s, ready.N)
	if ready.SessionID == first || !s.Connected() || len(s.Identifies()) != 2 {
		t.Fatalf("session after 4009 = %s (first %s), connected %v, %d identifies", ready.SessionID, first, s.Connected(), len(s.Identifies()))
	}
	s.AssertClean(t)
}

func TestDiscordgoBadTokenClosed4004(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	dg, err := discordgo.New("Bot wrong-token")
	if err != nil {
		t.Fatal(err)
	}
	dg.Client = s.HTTPClient()
	err = dg.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != CloseAuthenticationFailed {
		t.Fatalf("Open() = %v, want close 4004", err)
	}
	if _, err := s.WaitGatewayEvent(testCtx(t), func(e GatewayEvent) bool { return e.Kind == GatewayClosed && e.Code == 4004 }); err != nil {
		t.Fatal(err)
	}
	if _, err := dg.User("@me"); restCode(err) != 0 {
		var re *discordgo.RESTError
		if !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized {
			t.Fatalf("REST with a bad token = %v, want 401", err)
		}
	}
	vs := s.TakeViolations()
	if len(vs) != 1 || vs[0].Kind != ViolationUnauthorized {
		t.Fatalf("violations = %v, want one unauthorized", vs)
	}
}

func TestDiscordgoPrivilegedIntentRefused(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	dg, err := discordgo.New("Bot " + s.Token)
	if err != nil {
		t.Fatal(err)
	}
	dg.Client = s.HTTPClient()
	dg.Identify.Intents = discordgo.IntentsAllWithoutPrivileged | discordgo.IntentMessageContent
	err = dg.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != CloseDisallowedIntents {
		t.Fatalf("Open() = %v, want close 4014", err)
	}
	vs := s.TakeViolations()
	if len(vs) != 1 || vs[0].Kind != ViolationPrivilegedIntent {
		t.Fatalf("violations = %v, want one privileged_intent", vs)
	}
}
