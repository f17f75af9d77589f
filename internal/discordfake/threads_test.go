package discordfake

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// checkResponseSchema validates an answer of the fake against the response
// schema Discord's spec gives the route, so the wire shapes the fake
// invents for the bot follow the document.
func checkResponseSchema(t *testing.T, s *Server, method, tmpl string, status int, raw []byte) {
	t.Helper()
	schema, err := s.spec.resolve("#/paths/" + strings.ReplaceAll(tmpl, "/", "~1") + "/" + strings.ToLower(method) + "/responses/" + fmt.Sprint(status) + "/content/application~1json/schema")
	if err != nil {
		t.Fatalf("no response schema for %s %s %d: %v", method, tmpl, status, err)
	}
	v, err := decodeJSON(raw)
	if err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	for _, e := range s.spec.validateSchema(schema, v, nil) {
		t.Errorf("%s %s answer breaks the spec: %s", method, tmpl, e)
	}
}

func threadsPath(channelID, messageID string) string {
	return "/channels/" + channelID + "/messages/" + messageID + "/threads"
}

// botMessage posts a message as the bot over raw HTTP and returns its ID.
func botMessage(t *testing.T, s *Server, channelID, content string) string {
	t.Helper()
	r := call(t, s, "POST", "/channels/"+channelID+"/messages", `{"content":"`+content+`","allowed_mentions":{"parse":[]}}`, true)
	if r.status != 200 {
		t.Fatalf("post message in %s: %d %v", channelID, r.status, r.body)
	}
	return r.body["id"].(string)
}

// Raw-HTTP tests do not pace themselves on X-RateLimit headers.
var noPacing = Options{RateLimit: RateLimit{Limit: 1000}}

func TestStartThreadFromMessage(t *testing.T) {
	s := New(t, noPacing)
	ctx := testCtx(t)
	starter := botMessage(t, s, s.ChannelID, "Here is the brief.")
	other, err := s.AddChannel(Channel{GuildID: s.GuildID, Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	voice, err := s.AddChannel(Channel{GuildID: s.GuildID, Name: "voice", Type: ChannelGuildVoice})
	if err != nil {
		t.Fatal(err)
	}
	dm, err := s.AddChannel(Channel{RecipientID: s.UserID})
	if err != nil {
		t.Fatal(err)
	}

	// Refusals first: none of them may create a thread.
	refusals := []struct {
		name       string
		path       string
		body       string
		wantStatus int
		wantCode   float64
		wantKind   ViolationKind // "" when Discord's refusal is no rule breach
	}{
		{"unknown channel", threadsPath("1", starter), `{"name":"x"}`, 404, 10003, ""},
		{"unknown message", threadsPath(s.ChannelID, "1"), `{"name":"x"}`, 404, 10008, ""},
		{"message of another channel", threadsPath(other.ID, starter), `{"name":"x"}`, 404, 10008, ""},
		{"voice channel", threadsPath(voice.ID, starter), `{"name":"x"}`, 400, codeInvalidChannelType, ""},
		{"DM channel", threadsPath(dm.ID, starter), `{"name":"x"}`, 400, codeInvalidChannelType, ""},
		{"empty name", threadsPath(s.ChannelID, starter), `{"name":""}`, 400, 50035, ViolationInvalidBody},
		{"name over 100 characters", threadsPath(s.ChannelID, starter), `{"name":"` + strings.Repeat("é", MaxThreadName+1) + `"}`, 400, 50035, ViolationInvalidBody},
		{"no name", threadsPath(s.ChannelID, starter), `{"auto_archive_duration":60}`, 400, 50035, ViolationInvalidBody},
		{"archive duration not offered", threadsPath(s.ChannelID, starter), `{"name":"x","auto_archive_duration":30}`, 400, 50035, ViolationInvalidBody},
		{"no body", threadsPath(s.ChannelID, starter), ``, 400, 50109, ViolationInvalidJSON},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "POST", tc.path, tc.body, true)
			if r.status != tc.wantStatus || r.body["code"] != tc.wantCode {
				t.Fatalf("answer = %d %v, want %d code %v", r.status, r.body, tc.wantStatus, tc.wantCode)
			}
			vs := s.TakeViolations()
			if tc.wantKind == "" && len(vs) != 0 || tc.wantKind != "" && (len(vs) != 1 || vs[0].Kind != tc.wantKind) {
				t.Fatalf("violations = %v, want kind %q", vs, tc.wantKind)
			}
		})
	}
	if th := s.Threads(""); len(th) != 0 {
		t.Fatalf("threads after refusals = %+v, want none", th)
	}

	r := call(t, s, "POST", threadsPath(s.ChannelID, starter), `{"name":"Follow-up","auto_archive_duration":4320,"rate_limit_per_user":5}`, true)
	if r.status != 201 {
		t.Fatalf("start thread = %d %v, want 201", r.status, r.body)
	}
	checkResponseSchema(t, s, "POST", "/channels/{channel_id}/messages/{message_id}/threads", 201, r.raw)
	meta, _ := r.body["thread_metadata"].(map[string]any)
	member, _ := r.body["member"].(map[string]any)
	if r.body["id"] != starter || r.body["type"] != float64(ChannelPublicThread) || r.body["parent_id"] != s.ChannelID ||
		r.body["owner_id"] != s.Bot.ID || r.body["guild_id"] != s.GuildID || r.body["name"] != "Follow-up" ||
		r.body["member_count"] != 1.0 || r.body["message_count"] != 0.0 || r.body["rate_limit_per_user"] != 5.0 {
		t.Fatalf("thread = %v", r.body)
	}
	if meta["archived"] != false || meta["locked"] != false || meta["auto_archive_duration"] != 4320.0 || meta["archive_timestamp"] == nil {
		t.Errorf("thread_metadata = %v", meta)
	}
	if member["user_id"] != s.Bot.ID {
		t.Errorf("member = %v, want the bot's thread member", member)
	}
	th, ok := s.Thread(starter)
	if !ok || th.ParentID != s.ChannelID || th.OwnerID != s.Bot.ID || th.AutoArchiveDuration != 4320 || len(th.Members) != 1 {
		t.Fatalf("Thread(%s) = %+v, %v", starter, th, ok)
	}
	if got, err := s.WaitThread(ctx, func(c Channel) bool { return c.Name == "Follow-up" }); err != nil || got.ID != starter {
		t.Fatalf("WaitThread = %+v, %v", got, err)
	}

	t.Run("one thread per message", func(t *testing.T) {
		r := call(t, s, "POST", threadsPath(s.ChannelID, starter), `{"name":"again"}`, true)
		if r.status != 400 || r.body["code"] != float64(codeThreadAlreadyCreated) || r.body["message"] != "A thread has already been created for this message" {
			t.Fatalf("second thread = %d %v, want 400 160004", r.status, r.body)
		}
	})

	t.Run("no thread inside a thread", func(t *testing.T) {
		inner := botMessage(t, s, starter, "in the thread")
		if r := call(t, s, "POST", threadsPath(starter, inner), `{"name":"nested"}`, true); r.status != 400 || r.body["code"] != float64(codeInvalidChannelType) {
			t.Fatalf("thread in a thread = %d %v, want 400 50024", r.status, r.body)
		}
	})

	t.Run("starter message shows its thread", func(t *testing.T) {
		r := call(t, s, "GET", "/channels/"+s.ChannelID+"/messages/"+starter, "", true)
		checkResponseSchema(t, s, "GET", "/channels/{channel_id}/messages/{message_id}", 200, r.raw)
		thread, _ := r.body["thread"].(map[string]any)
		if flags, _ := r.body["flags"].(float64); int(flags)&MessageFlagHasThread == 0 || thread["id"] != starter {
			t.Fatalf("starter = flags %v thread %v, want HAS_THREAD and the thread", r.body["flags"], thread)
		}
		if m, _ := s.Message(starter); m.ThreadID != starter || m.Flags&MessageFlagHasThread == 0 {
			t.Errorf("stored starter = %+v", m)
		}
	})

	t.Run("messages in the thread are counted", func(t *testing.T) {
		second := botMessage(t, s, starter, "second")
		if _, err := s.SendMessage(ctx, starter, s.UserID, "a question", nil); err != nil {
			t.Fatal(err)
		}
		if r := call(t, s, "DELETE", "/channels/"+starter+"/messages/"+second, "", true); r.status != 204 {
			t.Fatalf("delete = %d", r.status)
		}
		r := call(t, s, "GET", "/channels/"+starter, "", true)
		checkResponseSchema(t, s, "GET", "/channels/{channel_id}", 200, r.raw)
		// Sent: "in the thread", "second" (deleted), the user's question.
		if r.body["type"] != float64(ChannelPublicThread) || r.body["message_count"] != 2.0 || r.body["total_message_sent"] != 3.0 || r.body["member_count"] != 2.0 {
			t.Fatalf("GET thread = %v, want 2 messages of 3 sent and 2 members", r.body)
		}
		if msgs := s.Messages(starter); len(msgs) != 3 || msgs[2].ChannelID != starter || msgs[2].GuildID != s.GuildID {
			t.Fatalf("Messages(thread) = %+v", msgs)
		}
		th, _ := s.Thread(starter)
		if len(th.Members) != 2 || th.Members[1].UserID != s.UserID {
			t.Errorf("members = %+v, want the bot then the user who posted", th.Members)
		}
	})

	t.Run("announcement channels get announcement threads", func(t *testing.T) {
		news, err := s.AddChannel(Channel{GuildID: s.GuildID, Name: "news", Type: ChannelGuildAnnouncement})
		if err != nil {
			t.Fatal(err)
		}
		msg := botMessage(t, s, news.ID, "news")
		r := call(t, s, "POST", threadsPath(news.ID, msg), `{"name":"talk"}`, true)
		if r.status != 201 || r.body["type"] != float64(ChannelAnnouncementThread) {
			t.Fatalf("thread in an announcement channel = %d %v, want type 10", r.status, r.body)
		}
		meta, _ := r.body["thread_metadata"].(map[string]any)
		if meta["auto_archive_duration"] != float64(DefaultAutoArchiveDuration) {
			t.Errorf("default auto_archive_duration = %v, want %d", meta["auto_archive_duration"], DefaultAutoArchiveDuration)
		}
		if got := s.Threads(news.ID); len(got) != 1 || got[0].ID != msg {
			t.Errorf("Threads(news) = %+v", got)
		}
		if got := s.Threads(""); len(got) != 2 || got[0].ID != starter {
			t.Errorf("Threads(\"\") = %+v, want both, oldest first", got)
		}
	})

	t.Run("guild create lists active threads", func(t *testing.T) {
		s.mu.Lock()
		w := s.guildCreatePayloadLocked(s.guilds[s.GuildID], IntentGuilds)
		s.mu.Unlock()
		if threads, _ := w["threads"].([]any); len(threads) != 2 {
			t.Fatalf("GUILD_CREATE threads = %v, want 2", w["threads"])
		}
	})

	if _, err := s.AddChannel(Channel{GuildID: s.GuildID, Type: ChannelPublicThread}); err == nil {
		t.Error("AddChannel created a thread without a starter message")
	}
	s.AssertClean(t)
}

// Permissions come from the guild's roles: @everyone without Create Public
// Threads cannot start one, and posting in a thread needs Send Messages in
// Threads, not Send Messages.
func TestThreadPermissions(t *testing.T) {
	s := New(t, noPacing)
	ctx := testCtx(t)
	guildWith := func(everyone int64) (Guild, string) {
		id := s.newID()
		// Owners have every permission: the user and the bot are plain members.
		g := s.AddGuild(Guild{ID: id, OwnerID: s.OwnerID, Roles: []Role{{ID: id, Permissions: everyone}}, Channels: []Channel{{Name: "general"}},
			Members: []Member{{UserID: s.OwnerID}, {UserID: s.UserID}}})
		s.mu.Lock()
		defer s.mu.Unlock()
		// The bot's own messages need Send Messages, which the guilds below
		// may lack: store the starter directly.
		m := &Message{ID: s.newID(), ChannelID: g.Channels[0].ID, GuildID: g.ID, AuthorID: s.UserID, Content: "q", CreatedAt: s.now()}
		s.storeMessageLocked(m)
		return g, m.ID
	}

	noThreads, msg := guildWith(DefaultEveryonePermissions &^ PermCreatePublicThreads)
	if r := call(t, s, "POST", threadsPath(noThreads.Channels[0].ID, msg), `{"name":"x"}`, true); r.status != 403 || r.body["code"] != 50013.0 {
		t.Fatalf("without Create Public Threads = %d %v, want 403 50013", r.status, r.body)
	}
	if _, err := s.StartThread(ctx, noThreads.Channels[0].ID, msg, s.UserID, "x"); err == nil || !strings.Contains(err.Error(), "Create Public Threads") {
		t.Fatalf("user StartThread without the permission: %v", err)
	}

	threadsOnly, msg := guildWith(DefaultEveryonePermissions &^ PermSendMessages)
	parent := threadsOnly.Channels[0].ID
	if r := call(t, s, "POST", threadsPath(parent, msg), `{"name":"x"}`, true); r.status != 201 {
		t.Fatalf("start thread = %d %v", r.status, r.body)
	}
	body := `{"content":"hi","allowed_mentions":{"parse":[]}}`
	if r := call(t, s, "POST", "/channels/"+msg+"/messages", body, true); r.status != 200 {
		t.Fatalf("post in thread with Send Messages in Threads only = %d %v, want 200", r.status, r.body)
	}
	if r := call(t, s, "POST", "/channels/"+msg+"/typing", "", true); r.status != 204 {
		t.Fatalf("typing in thread = %d, want 204", r.status)
	}
	if r := call(t, s, "POST", "/channels/"+parent+"/messages", body, true); r.status != 403 {
		t.Fatalf("post in parent without Send Messages = %d, want 403", r.status)
	}

	noThreadPosts, msg := guildWith(DefaultEveryonePermissions &^ PermSendMessagesInThreads)
	if r := call(t, s, "POST", threadsPath(noThreadPosts.Channels[0].ID, msg), `{"name":"x"}`, true); r.status != 201 {
		t.Fatalf("start thread = %d %v", r.status, r.body)
	}
	if r := call(t, s, "POST", "/channels/"+msg+"/messages", body, true); r.status != 403 || r.body["code"] != 50013.0 {
		t.Fatalf("post in thread without Send Messages in Threads = %d %v, want 403 50013", r.status, r.body)
	}
	s.AssertClean(t)
}

func TestStartThreadByUser(t *testing.T) {
	s := New(t, Options{})
	ctx := testCtx(t)
	q, err := s.SendMessage(ctx, s.ChannelID, s.UserID, "a question", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, channel, message, user, thread, want string }{
		{"empty name", s.ChannelID, q.ID, s.UserID, "", "name of 0 characters"},
		{"long name", s.ChannelID, q.ID, s.UserID, strings.Repeat("x", MaxThreadName+1), "name of 101 characters"},
		{"unknown message", s.ChannelID, "1", s.UserID, "t", "no message"},
		{"not a member", s.ChannelID, q.ID, s.Bot.ID + "9", "t", "not a member"},
	} {
		if _, err := s.StartThread(ctx, tc.channel, tc.message, tc.user, tc.thread); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: StartThread = %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	th, err := s.StartThread(ctx, s.ChannelID, q.ID, s.UserID, "Question")
	if err != nil {
		t.Fatal(err)
	}
	if th.ID != q.ID || th.OwnerID != s.UserID || th.Type != ChannelPublicThread || len(th.Members) != 1 {
		t.Fatalf("thread = %+v", th)
	}
	if _, err := s.StartThread(ctx, s.ChannelID, q.ID, s.UserID, "Again"); err == nil {
		t.Fatal("second thread on the same message succeeded")
	}
	// The bot answering in a user's thread joins it.
	botMessage(t, s, th.ID, "answer")
	if th, _ := s.Thread(th.ID); len(th.Members) != 2 || th.Members[1].UserID != s.Bot.ID {
		t.Fatalf("members = %+v, want the owner then the bot", th.Members)
	}
	var w map[string]any
	r := call(t, s, "GET", "/channels/"+th.ID, "", true)
	if err := json.Unmarshal(r.raw, &w); err != nil || w["owner_id"] != s.UserID || w["member"] == nil {
		t.Fatalf("GET thread = %v, %v; want the user as owner and the bot's member", w, err)
	}
}

// A bot on a real discordgo session starts a thread from its answer, posts
// in it, sees users post in it and answers a command used inside it.
func TestDiscordgoThreads(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, nil)
	s := h.s
	ctx := testCtx(t)
	recv(ctx, t, h.guilds) // discordgo's State must know the guild to track its threads
	created := make(chan *discordgo.ThreadCreate, 4)
	h.dg.AddHandler(func(_ *discordgo.Session, tc *discordgo.ThreadCreate) { created <- tc })
	updated := make(chan *discordgo.MessageUpdate, 8)
	h.dg.AddHandler(func(_ *discordgo.Session, mu *discordgo.MessageUpdate) { updated <- mu })
	if _, err := h.dg.ApplicationCommandBulkOverwrite(s.ApplicationID, s.GuildID, []*discordgo.ApplicationCommand{{Name: "where", Description: "says where it was used"}}); err != nil {
		t.Fatal(err)
	}
	nextMessage := func(id string) *discordgo.MessageCreate {
		t.Helper()
		for {
			if m := recv(ctx, t, h.messages); m.ID == id {
				return m
			}
		}
	}

	starter, err := h.dg.ChannelMessageSendComplex(s.ChannelID, &discordgo.MessageSend{Content: "The brief.", AllowedMentions: noMentions})
	if err != nil {
		t.Fatal(err)
	}
	th, err := h.dg.MessageThreadStartComplex(s.ChannelID, starter.ID, &discordgo.ThreadStart{Name: "Follow-up", AutoArchiveDuration: 60})
	if err != nil {
		t.Fatalf("start thread: %v", err)
	}
	if th.ID != starter.ID || th.Type != discordgo.ChannelTypeGuildPublicThread || th.ParentID != s.ChannelID || th.OwnerID != s.Bot.ID ||
		th.GuildID != s.GuildID || th.ThreadMetadata == nil || th.ThreadMetadata.AutoArchiveDuration != 60 || th.MemberCount != 1 {
		t.Fatalf("thread = %+v (metadata %+v)", th, th.ThreadMetadata)
	}
	if tc := recv(ctx, t, created); tc.ID != th.ID || !tc.NewlyCreated || tc.ParentID != s.ChannelID {
		t.Fatalf("THREAD_CREATE = %+v, want the new thread with newly_created", tc)
	}
	if st, err := h.dg.State.Channel(th.ID); err != nil || st.ParentID != s.ChannelID {
		t.Errorf("discordgo State thread = %+v, %v", st, err)
	}
	if mu := recv(ctx, t, updated); mu.ID != starter.ID || mu.Flags&discordgo.MessageFlagsHasThread == 0 || mu.Thread == nil || mu.Thread.ID != th.ID {
		t.Fatalf("starter MESSAGE_UPDATE = %+v, want HAS_THREAD and the thread", mu.Message)
	}
	if _, err := h.dg.MessageThreadStart(s.ChannelID, starter.ID, "again", 0); restCode(err) != codeThreadAlreadyCreated {
		t.Fatalf("second thread: %v, want code %d", err, codeThreadAlreadyCreated)
	}

	posted, err := h.dg.ChannelMessageSendComplex(th.ID, &discordgo.MessageSend{Content: "Details here.", AllowedMentions: noMentions})
	if err != nil || posted.ChannelID != th.ID {
		t.Fatalf("post in thread = %+v, %v", posted, err)
	}
	asked, err := s.SendMessage(ctx, th.ID, s.UserID, "<@"+s.Bot.ID+"> and then?", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := nextMessage(asked.ID); m.ChannelID != th.ID || m.GuildID != s.GuildID || m.Content != asked.Content || m.Member == nil {
		t.Fatalf("MESSAGE_CREATE in thread = %+v, want channel %s, guild %s, content and member", m.Message, th.ID, s.GuildID)
	}

	errc := make(chan error, 1)
	h.handle("where", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
		if ic.ChannelID != th.ID || ic.GuildID != s.GuildID {
			errc <- fmt.Errorf("interaction in channel %s guild %s, want thread %s of guild %s", ic.ChannelID, ic.GuildID, th.ID, s.GuildID)
			return
		}
		errc <- ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "in the thread", AllowedMentions: noMentions},
		})
	})
	it := s.Interact(ctx, InteractionSpec{CommandName: "where", ChannelID: th.ID})
	if err := recv(ctx, t, errc); err != nil {
		t.Fatal(err)
	}
	if e, err := it.WaitFinal(ctx); err != nil || e.Message.ChannelID != th.ID || e.Message.Content != "in the thread" {
		t.Fatalf("answer = %+v, %v; want it in the thread", e.Message, err)
	}
	// discordgo v0.29 drops the interaction's channel object; a bot that
	// needs the parent reads the raw payload.
	var raw struct {
		Channel struct {
			Type     int    `json:"type"`
			ParentID string `json:"parent_id"`
			Name     string `json:"name"`
		} `json:"channel"`
	}
	if err := json.Unmarshal(it.Payload, &raw); err != nil || raw.Channel.Type != ChannelPublicThread || raw.Channel.ParentID != s.ChannelID || raw.Channel.Name != "Follow-up" {
		t.Fatalf("interaction channel = %+v, %v; want the thread", raw.Channel, err)
	}

	got, err := h.dg.Channel(th.ID)
	if err != nil || got.MessageCount != 3 || got.MemberCount != 2 || got.Name != "Follow-up" {
		t.Fatalf("GET thread = %+v, %v; want 3 messages and 2 members", got, err)
	}

	q, err := s.SendMessage(ctx, s.ChannelID, s.UserID, "another question", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartThread(ctx, s.ChannelID, q.ID, s.UserID, "Question"); err != nil {
		t.Fatal(err)
	}
	if tc := recv(ctx, t, created); tc.ID != q.ID || tc.OwnerID != s.UserID || !tc.NewlyCreated {
		t.Fatalf("THREAD_CREATE for the user's thread = %+v", tc)
	}
	if ths := s.Threads(s.ChannelID); len(ths) != 2 || ths[1].OwnerID != s.UserID {
		t.Fatalf("threads = %+v", ths)
	}
	s.AssertClean(t)
}
