package bot

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
)

// These scenarios drive the real discordgo Session through the fake
// Discord, which validates every body against Discord's OpenAPI document,
// enforces the 3 s acknowledgement and the message limits, and fails the
// test on any violation.

func embedOf(t testing.TB, m discordfake.Message) discordfake.Embed {
	t.Helper()
	if len(m.Embeds) == 0 {
		t.Fatalf("message has no embed: %+v", m)
	}
	return m.Embeds[0]
}

func TestStartupRegistersCommandsAndConnects(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t, discordfake.Options{})
	second := fake.AddGuild(discordfake.Guild{Name: "second"})
	e := startBotOn(t, fake, setup{opts: func(o *Options, f *discordfake.Server) {
		o.GuildIDs = []string{f.GuildID, second.ID}
	}})

	// One bulk overwrite per configured guild, nothing global.
	regs := fake.Registrations()
	if len(regs) != 2 || regs[0].GuildID != fake.GuildID || regs[1].GuildID != second.ID {
		t.Fatalf("registrations = %+v, want one per guild", regs)
	}
	for _, r := range fake.Requests() {
		if strings.HasSuffix(r.Route, "/commands") && r.Method != "PUT" {
			t.Errorf("commands registered with %s %s, want only bulk overwrites (PUT)", r.Method, r.Route)
		}
	}
	if got := fake.Commands(""); len(got) != 0 {
		t.Errorf("global commands %v registered although guild_ids is set", got)
	}
	want := []string{"ask", "audit", "brief", "docs", "reindex", "search", "sources"}
	for _, g := range []string{fake.GuildID, second.ID} {
		var names []string
		for _, c := range fake.Commands(g) {
			names = append(names, c.Name)
			if c.Name == "reindex" || c.Name == "docs" || c.Name == "audit" {
				if c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != "32" {
					t.Errorf("%s default_member_permissions = %v, want \"32\" (Manage Server)", c.Name, c.DefaultMemberPermissions)
				}
				if !slices.Equal(c.Contexts, []int{0}) {
					t.Errorf("%s contexts = %v, want guilds only", c.Name, c.Contexts)
				}
			}
			if c.Name == "ask" && (len(c.Options) != 2 || !c.Options[0].Required || !c.Options[0].Autocomplete || c.Options[1].Name != "private") {
				t.Errorf("ask options = %+v", c.Options)
			}
			if c.Name == "search" && (len(c.Options) != 3 || c.Options[1].MinValue == nil || *c.Options[1].MinValue != 1 || *c.Options[1].MaxValue != 10) {
				t.Errorf("search options = %+v", c.Options)
			}
		}
		slices.Sort(names)
		if !slices.Equal(names, want) {
			t.Errorf("guild %s commands = %v, want %v", g, names, want)
		}
	}
	// The reindex permission goes over the wire as a numeric string.
	for _, r := range fake.Requests() {
		if r.Method == "PUT" && !strings.Contains(string(r.Body), `"default_member_permissions":"32"`) {
			t.Errorf("bulk overwrite body lacks \"default_member_permissions\":\"32\": %s", r.Body)
		}
	}

	// Minimal intents: no privileged one.
	ids := fake.Identifies()
	if len(ids) != 1 {
		t.Fatalf("identifies = %d, want 1", len(ids))
	}
	wantIntents := discordfake.IntentGuilds | discordfake.IntentGuildMessages | discordfake.IntentDirectMessages
	if ids[0].Intents != wantIntents || ids[0].Intents&discordfake.PrivilegedIntents != 0 {
		t.Errorf("intents = %#x, want %#x", ids[0].Intents, wantIntents)
	}

	// api_base rewrote the origin in the transport; discordgo's endpoint
	// variables are untouched.
	if discordgo.EndpointDiscord != "https://discord.com/" || discordgo.EndpointAPI != "https://discord.com/api/v"+discordgo.APIVersion+"/" {
		t.Errorf("discordgo endpoints changed: %s %s", discordgo.EndpointDiscord, discordgo.EndpointAPI)
	}
	if !e.bot.Connected() {
		t.Error("Connected() = false after ready")
	}

	// A restart overwrites with the same commands: nothing changes.
	e.stop()
	if err := e.result(); err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
	startBotOn(t, fake, setup{opts: func(o *Options, f *discordfake.Server) {
		o.GuildIDs = []string{f.GuildID, second.ID}
	}})
	regs = fake.Registrations()
	if len(regs) != 4 {
		t.Fatalf("registrations after restart = %d, want 4", len(regs))
	}
	for _, r := range regs[2:] {
		if r.Changed {
			t.Errorf("restart changed the commands of guild %s; a bulk overwrite with the same set must be idempotent", r.GuildID)
		}
	}
}

func TestGlobalRegistrationWithoutGuilds(t *testing.T) {
	t.Parallel()
	e := startBot(t, setup{opts: func(o *Options, _ *discordfake.Server) { o.GuildIDs = nil }})
	regs := e.fake.Registrations()
	if len(regs) != 1 || regs[0].GuildID != "" || len(regs[0].Names) != 7 {
		t.Fatalf("registrations = %+v, want one global bulk overwrite of 7 commands", regs)
	}
	// Global commands work in the guild too.
	msg := e.final(e.ask("", "What does Article 9 call for?"))
	if !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("answer = %q", msg.Text())
	}
}

// TestCommands walks through every command and button on one bot.
func TestCommands(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	e := startBot(t, setup{svc: svc})
	var answerMsg discordfake.Message

	t.Run("ask", func(t *testing.T) {
		it := e.ask("", "What does Article 9 call for?")
		cb := e.callback(it)
		if cb.Type != discordfake.CallbackDeferredChannelMessage {
			t.Fatalf("callback type %d, want a deferral (5)", cb.Type)
		}
		if cb.Since >= discordfake.AckDeadline {
			t.Errorf("acknowledged after %v", cb.Since)
		}
		msg := e.final(it)
		if msg.Ephemeral() {
			t.Error("a public question got a private answer")
		}
		em := embedOf(t, msg)
		if em.Title != "What does Article 9 call for?" {
			t.Errorf("title = %q", em.Title)
		}
		if !strings.Contains(em.Description, "“unblocking”") || !strings.Contains(em.Description, "[[1]](https://www.example.org/policy-analysis/caucasus-brief#:~:text=Tensions%20with%20Tehran)") {
			t.Errorf("description = %q, want the quote with its [1] marker linked to the passage", em.Description)
		}
		if len(em.Fields) != 2 || em.Fields[0].Name != "Sources" || em.Fields[1].Name != "Index updated" {
			t.Fatalf("fields = %+v, want Sources and the index's date", em.Fields)
		}
		// Grouped under the document, titled once; each passage linked.
		wantLines := "**[Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus](https://www.example.org/policy-analysis/caucasus-brief)**\n" +
			"[1] [§ Azerbaijani-Iranian Border Tensions: Why Now? ¶1](https://www.example.org/policy-analysis/caucasus-brief#:~:text=Tensions%20with%20Tehran)\n" +
			"[2] [§ Azerbaijani-Iranian Border Tensions: Why Now? ¶2](https://www.example.org/policy-analysis/caucasus-brief#:~:text=Elsewhere%2C%20Article%209)"
		if em.Fields[0].Value != wantLines {
			t.Errorf("sources = %q, want %q", em.Fields[0].Value, wantLines)
		}
		if want := "<t:1795167000:R>"; em.Fields[1].Value != want {
			t.Errorf("index updated = %q, want %q (2026-11-20 09:30 UTC)", em.Fields[1].Value, want)
		}
		if want := "Quoted from 2 passages"; em.Footer.Text != want {
			t.Errorf("footer = %q, want %q", em.Footer.Text, want)
		}
		ids := msg.CustomIDs()
		// A public answer cannot be shared again: no share button.
		if len(ids) != 4 || !strings.HasPrefix(ids[0], "bb:follow:") || !strings.HasPrefix(ids[1], "bb:passages:") ||
			!strings.HasPrefix(ids[2], "bb:up:") || !strings.HasPrefix(ids[3], "bb:down:") {
			t.Fatalf("buttons = %v", ids)
		}
		var labels []string
		for _, row := range msg.Components {
			for _, c := range row.Components {
				labels = append(labels, c.Label)
			}
		}
		if !slices.Equal(labels, []string{"Follow up", "Show passages", "", ""}) {
			t.Errorf("button labels = %v (the votes are emoji only)", labels)
		}
		answerMsg = msg
	})

	t.Run("ask private", func(t *testing.T) {
		it := e.ask("", "What does Article 9 call for?", discordfake.Opt("private", true))
		cb := e.callback(it)
		var data struct {
			Flags int `json:"flags"`
		}
		_ = json.Unmarshal(cb.Data, &data)
		if cb.Type != discordfake.CallbackDeferredChannelMessage || data.Flags&discordfake.MessageFlagEphemeral == 0 {
			t.Fatalf("callback type %d flags %d, want an ephemeral deferral", cb.Type, data.Flags)
		}
		msg := e.final(it)
		if !msg.Ephemeral() || !strings.Contains(msg.Text(), "unblocking") {
			t.Errorf("private answer ephemeral=%v text=%q", msg.Ephemeral(), msg.Text())
		}
		if ids := msg.CustomIDs(); len(ids) != 5 || !strings.HasPrefix(ids[4], "bb:share:") {
			t.Errorf("a private answer's buttons = %v, want a share button last", ids)
		}
	})

	t.Run("ask not covered", func(t *testing.T) {
		it := e.ask("", "Population of Canada?")
		ev, err := shownEvent(e.ctx, it)
		if err != nil {
			t.Fatal(err)
		}
		msg := ev.Message
		// Asked publicly, refused privately: one short line, no wall.
		if !msg.Ephemeral() || len(msg.Embeds) != 0 || !strings.Contains(msg.Text(), "Not in the indexed documents") {
			t.Errorf("refusal ephemeral=%v embeds=%d text=%q", msg.Ephemeral(), len(msg.Embeds), msg.Text())
		}
		for _, m := range e.fake.Messages(e.fake.ChannelID) {
			if strings.Contains(m.Text(), "Canada") && !m.Ephemeral() {
				t.Errorf("a public message about the refused question is left: %q", m.Text())
			}
		}
		ids := msg.CustomIDs()
		if len(ids) != 1 || !strings.HasPrefix(ids[0], "bb:related:") {
			t.Fatalf("refusal buttons = %v, want one for the related passages", ids)
		}
		rel := e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: ids[0], MessageID: msg.ID}))
		if !rel.Ephemeral() || !strings.Contains(rel.Text(), "not an answer") {
			t.Errorf("related passages ephemeral=%v text=%q", rel.Ephemeral(), rel.Text())
		}
	})

	t.Run("show passages", func(t *testing.T) {
		it := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: answerMsg.CustomIDs()[1], MessageID: answerMsg.ID})
		msg := e.final(it)
		if cb := e.callback(it); cb.Type != discordfake.CallbackChannelMessage {
			t.Errorf("callback type %d, want 4", cb.Type)
		}
		if !msg.Ephemeral() {
			t.Error("passages shown to everyone; want ephemeral")
		}
		em := embedOf(t, msg)
		// The whole passage, beyond the quoted sentence.
		if !strings.Contains(em.Description, "Article 6 called for the construction") || !strings.HasPrefix(em.Title, "[1] ") || em.URL == "" {
			t.Errorf("passage embed = %+v", em)
		}
		if len(msg.Embeds) != 2 || !strings.HasPrefix(msg.Embeds[1].Title, "[2] ") {
			t.Errorf("want one embed per cited passage, got %d", len(msg.Embeds))
		}
	})

	t.Run("votes", func(t *testing.T) {
		up, down := answerMsg.CustomIDs()[2], answerMsg.CustomIDs()[3]
		answerID := strings.TrimPrefix(up, "bb:up:")
		press := func(user, id string) *discordfake.Interaction {
			return e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: id, MessageID: answerMsg.ID, UserID: user})
		}
		text := func(it *discordfake.Interaction) string {
			msg := e.final(it)
			if !msg.Ephemeral() {
				t.Errorf("vote reply is public")
			}
			return msg.Text()
		}
		if got := text(press(e.fake.UserID, up)); !strings.Contains(got, "Thanks") {
			t.Errorf("first vote: %q", got)
		}
		// Voting down opens the form asking why, and the vote is
		// changed at once.
		it := press(e.fake.UserID, down)
		cb := e.callback(it)
		if cb.Type != discordfake.CallbackModal || cb.Modal == nil || !strings.HasPrefix(cb.Modal.CustomID, "bb:why:") {
			t.Fatalf("down vote: callback %+v, want the feedback form", cb)
		}
		if got := text(press(e.fake.OwnerID, up)); !strings.Contains(got, "Thanks") {
			t.Errorf("another user's vote: %q", got)
		}
		if cb := e.callback(press(e.fake.OwnerID, down)); cb.Type != discordfake.CallbackModal {
			t.Errorf("down vote: callback type %d, want the form", cb.Type)
		}
		if got := text(press(e.fake.OwnerID, up)); !strings.Contains(got, "changed to “Helpful”") {
			t.Errorf("a changed vote: %q", got)
		}
		if v := e.records.vote(answerID, e.fake.UserID); v.Helpful || v.Time.IsZero() {
			t.Errorf("first user's vote = %+v, want not helpful", v)
		}
		if v := e.records.vote(answerID, e.fake.OwnerID); !v.Helpful {
			t.Errorf("second user's vote = %+v, want helpful", v)
		}
		rec, ok, _ := e.records.Answer(e.ctx, answerID)
		if !ok || rec.Question != "What does Article 9 call for?" || !strings.Contains(rec.Answer.Text, "unblocking") ||
			rec.Answer.Index.Version != "v-test-1" || len(rec.Answer.Citations) != 2 || rec.Private || rec.UserID != e.fake.UserID {
			t.Errorf("answer record = %+v", rec)
		}
	})

	t.Run("search", func(t *testing.T) {
		msg := e.final(e.command("search", discordfake.Opt("query", "corridor agreement"), discordfake.Opt("results", 2)))
		em := embedOf(t, msg)
		if !strings.Contains(em.Title, "corridor agreement") {
			t.Errorf("title = %q", em.Title)
		}
		if !strings.Contains(em.Description, "**1.**") || !strings.Contains(em.Description, "**2.**") || strings.Contains(em.Description, "**3.**") {
			t.Errorf("want exactly 2 ranked results: %q", em.Description)
		}
		// The matched sentence is bold, the rest of the passage is not.
		if !strings.Contains(em.Description, "**Tensions with Tehran spiked in recent months when Baku attempted to enforce two articles of the 2020 ceasefire agreement.**") {
			t.Errorf("matched sentence not bold: %q", em.Description)
		}
	})

	t.Run("sources", func(t *testing.T) {
		msg := e.final(e.command("sources"))
		d := embedOf(t, msg).Description
		for _, want := range []string{
			"[Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus](https://www.example.org/policy-analysis/caucasus-brief)",
			"Anna Borshchevskaya, Andrew J. Tabler", "31 March 2023", "3 passages",
			`Town Hall Notes (draft) \*internal\*`, "1 passage ·",
			"https://www.example.org/notes/town-hall_%28draft%29",
		} {
			if !strings.Contains(d, want) {
				t.Errorf("sources lack %q:\n%s", want, d)
			}
		}
	})

	t.Run("brief", func(t *testing.T) {
		msg := e.final(e.command("brief", discordfake.Opt("document", "caucasus-brief")))
		em := embedOf(t, msg)
		fields := map[string]string{}
		for _, f := range em.Fields {
			fields[f.Name] = f.Value
		}
		if em.URL != "https://www.example.org/policy-analysis/caucasus-brief" || !strings.HasPrefix(em.Description, "Tensions with Tehran") {
			t.Errorf("card = %+v", em)
		}
		if fields["Authors"] != "Anna Borshchevskaya, Andrew J. Tabler" || fields["Published"] != "31 March 2023" ||
			!strings.Contains(fields["Sections"], "2. Post-Ukraine Shifts") || fields["Link"] == "" {
			t.Errorf("fields = %v", fields)
		}
		miss := e.final(e.command("brief", discordfake.Opt("document", "nothing like it")))
		if !miss.Ephemeral() || !strings.Contains(miss.Text(), "No document matches") {
			t.Errorf("unknown document: ephemeral=%v %q", miss.Ephemeral(), miss.Text())
		}
	})

	t.Run("autocomplete", func(t *testing.T) {
		cb := e.autocomplete("ask", "question", "why")
		if cb.Type != discordfake.CallbackAutocompleteResult || len(cb.Choices) != 1 || cb.Choices[0].Value != "Azerbaijani-Iranian Border Tensions: Why Now?" {
			t.Fatalf("autocomplete = type %d %+v", cb.Type, cb.Choices)
		}
		cb = e.autocomplete("brief", "document", "town")
		if len(cb.Choices) != 1 || cb.Choices[0].Value != "town-hall" || cb.Choices[0].Name != "Town Hall Notes (draft) *internal*" {
			t.Fatalf("brief autocomplete = %+v", cb.Choices)
		}
	})

	t.Run("mention", func(t *testing.T) {
		q, err := e.fake.SendMessage(e.ctx, e.fake.ChannelID, e.fake.UserID, "<@"+e.fake.Bot.ID+"> What does Article 9 call for?", nil)
		if err != nil {
			t.Fatal(err)
		}
		reply, err := e.fake.WaitReply(e.ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The same answer as /ask, as a reply to the question.
		if got, want := embedOf(t, reply).Description, embedOf(t, answerMsg).Description; got != want {
			t.Errorf("mention answer %q, want the /ask answer %q", got, want)
		}
		if reply.Reference == nil || reply.Reference.MessageID != q.ID || len(reply.CustomIDs()) != 4 {
			t.Errorf("reply reference %+v, buttons %v", reply.Reference, reply.CustomIDs())
		}
		// A message that does not mention the bot gets no answer: the next
		// bot message replies to the later mention, not to this one.
		plain, _ := e.fake.SendMessage(e.ctx, e.fake.ChannelID, e.fake.UserID, "What does Article 9 call for?", nil)
		q2, _ := e.fake.SendMessage(e.ctx, e.fake.ChannelID, e.fake.UserID, "<@"+e.fake.Bot.ID+">", nil)
		help, err := e.fake.WaitReply(e.ctx, q2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(help.Text(), "Ask me a question") {
			t.Errorf("bare mention reply = %q", help.Text())
		}
		for _, m := range e.fake.Messages(e.fake.ChannelID) {
			if m.Reference != nil && m.Reference.MessageID == plain.ID {
				t.Errorf("bot answered a message that did not mention it: %q", m.Text())
			}
		}
	})

	t.Run("direct message", func(t *testing.T) {
		dm, err := e.fake.AddChannel(discordfake.Channel{Type: discordfake.ChannelDM, RecipientID: e.fake.UserID})
		if err != nil {
			t.Fatal(err)
		}
		q, err := e.fake.SendMessage(e.ctx, dm.ID, e.fake.UserID, "What does Article 9 call for?", nil)
		if err != nil {
			t.Fatal(err)
		}
		reply, err := e.fake.WaitReply(e.ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(reply.Text(), "unblocking") {
			t.Errorf("DM answer = %q", reply.Text())
		}
	})
}

// TestNoPings asks about a document that says "@everyone" and mentions a
// role and a user: the answer quotes it, and nothing can ping.
func TestNoPings(t *testing.T) {
	t.Parallel()
	e := startBot(t, setup{})
	msg := e.final(e.ask("", "What about the corridor memo?"))
	if d := embedOf(t, msg).Description; !strings.Contains(d, "@everyone") || !strings.Contains(d, "<@&123>") {
		t.Fatalf("answer does not quote the mentions: %q", d)
	}
	q, _ := e.fake.SendMessage(e.ctx, e.fake.ChannelID, e.fake.UserID, "<@"+e.fake.Bot.ID+"> @everyone what about the corridor memo?", nil)
	reply, err := e.fake.WaitReply(e.ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.final(e.command("search", discordfake.Opt("query", "memo")))
	e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: msg.CustomIDs()[0], MessageID: msg.ID}))
	nb := e.command("brief", discordfake.Opt("document", "@everyone <@&123>"))
	e.final(nb)
	for _, m := range append(e.fake.Messages(""), reply) {
		if m.AuthorID != e.fake.Bot.ID {
			continue
		}
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 || len(m.AllowedMentions.Roles) != 0 || len(m.AllowedMentions.Users) != 0 {
			t.Errorf("message %s (%q) could ping: allowed_mentions %+v", m.ID, m.Text(), m.AllowedMentions)
		}
	}
	// checkAllowedMentions (at cleanup) checks every request body too.
}

func TestReindex(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	g := newGate()
	var mu sync.Mutex
	var rebuilds, joins int
	var running chan struct{}
	counts := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		return rebuilds, joins
	}
	svc.reindex = func(ctx context.Context, progress func(done, total int)) (briefbot.ReindexReport, error) {
		// Shares one rebuild between concurrent callers, as the library
		// does, and counts the rebuilds.
		mu.Lock()
		shared := running != nil
		if shared {
			joins++
		} else {
			rebuilds++
			running = make(chan struct{})
		}
		done := running
		mu.Unlock()
		if !shared {
			progress(3, 10)
			if err := g.wait(ctx, "rebuild"); err != nil {
				return briefbot.ReindexReport{}, err
			}
			close(done)
		}
		<-done
		return briefbot.ReindexReport{
			Info:   briefbot.IndexInfo{Documents: 2, Passages: 4},
			Took:   1234 * time.Millisecond,
			Failed: []briefbot.Failure{{Source: "docs/scan.pdf", Reason: "unsupported format .pdf"}},
			Shared: shared,
		}, nil
	}
	var modRole string
	e := startBot(t, setup{svc: svc, opts: func(o *Options, f *discordfake.Server) {
		r, err := f.AddRole(f.GuildID, discordfake.Role{Name: "moderators"})
		if err != nil {
			t.Fatal(err)
		}
		modRole = r.ID
		o.ModeratorRoleIDs = []string{r.ID}
	}})
	modUser := addMember(t, e.fake, modRole)

	t.Run("refused for a member", func(t *testing.T) {
		// Discord itself hides the command from plain members...
		if _, err := e.fake.TryInteract(e.ctx, discordfake.InteractionSpec{CommandName: "reindex"}); err == nil {
			t.Error("the fake dispatched /reindex to a member without Manage Server")
		}
		// ...unless a server admin granted it to everyone: the bot checks
		// again.
		it := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "reindex", IgnoreCommandPermissions: true})
		msg := e.final(it)
		if !msg.Ephemeral() || !strings.Contains(msg.Text(), "Only moderators") {
			t.Errorf("member got ephemeral=%v %q", msg.Ephemeral(), msg.Text())
		}
		if r, _ := counts(); r != 0 {
			t.Errorf("a member started a rebuild")
		}
	})

	t.Run("moderators share one rebuild", func(t *testing.T) {
		owner := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "reindex", UserID: e.fake.OwnerID})
		if cb := e.callback(owner); cb.Type != discordfake.CallbackDeferredChannelMessage {
			t.Fatalf("callback %d, want a deferral", cb.Type)
		}
		g.arrived(t, e.ctx)
		// Progress shows while the rebuild runs.
		if _, err := owner.WaitMessage(e.ctx, func(m discordfake.Message) bool { return strings.Contains(m.Content, "3/10 passages") }); err != nil {
			t.Fatal(err)
		}
		// Questions are still answered meanwhile.
		if msg := e.final(e.ask("", "What does Article 9 call for?")); !strings.Contains(msg.Text(), "unblocking") {
			t.Errorf("answer during the rebuild: %q", msg.Text())
		}
		// A moderator by role asks too and joins the running rebuild.
		mod := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "reindex", UserID: modUser, IgnoreCommandPermissions: true})
		e.callback(mod)
		close(g.release)
		for _, it := range []*discordfake.Interaction{owner, mod} {
			ev, err := it.WaitMessage(e.ctx, func(m discordfake.Message) bool { return strings.Contains(m.Content, "Index rebuilt") })
			if err != nil {
				t.Fatal(err)
			}
			m := ev.Message
			if !m.Ephemeral() || !strings.Contains(m.Content, "2 documents, 4 passages in 1.234s") ||
				!strings.Contains(m.Content, "docs/scan.pdf: unsupported format .pdf") {
				t.Errorf("result = %q", m.Content)
			}
			if it == mod && !strings.Contains(m.Content, "joined a rebuild") {
				t.Errorf("second request's result does not say it joined: %q", m.Content)
			}
		}
		if r, j := counts(); r != 1 || j != 1 {
			t.Errorf("rebuilds=%d joins=%d, want 1 and 1", r, j)
		}
	})
}

// TestReindexRealLibrary rebuilds the real library's index over a corpus
// folder with an unreadable file.
func TestReindexRealLibrary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.md", "# Convoys\n\n## Logistics\n\nThe convoy reached Gyumri on Tuesday after a long delay at the checkpoint near the border.\n")
	lib := openLibrary(t, dir)
	e := startBot(t, setup{svc: lib})
	write("b.md", "# Pipelines\n\n## Energy\n\nThe pipeline through Georgia carries gas to Turkey and beyond every winter season.\n")
	write("bad.jsonl", "{broken\n")
	ev, err := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "reindex", UserID: e.fake.OwnerID}).WaitMessage(e.ctx, func(m discordfake.Message) bool {
		return !strings.Contains(m.Content, "Rebuilding")
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := ev.Message
	if !strings.Contains(msg.Content, "Index rebuilt: 2 documents") || !strings.Contains(msg.Content, "bad.jsonl:1") || !strings.Contains(msg.Content, "1 document failed") {
		t.Errorf("result = %q", msg.Content)
	}
	if msg := e.final(e.ask("", "Which pipeline carries gas through Georgia to Turkey?")); !strings.Contains(msg.Text(), "Turkey") {
		t.Errorf("new document not answered from: %q", msg.Text())
	}
	// The library lists documents without their texts (the index keeps
	// them apart): the card's lead is looked up.
	card := embedOf(t, e.final(e.command("brief", discordfake.Opt("document", "b"))))
	if !strings.HasPrefix(card.Description, "The pipeline through Georgia carries gas") {
		t.Errorf("/brief lead = %q", card.Description)
	}
}

// TestAskRealLibrary is /ask end to end on the built-in brief.
func TestAskRealLibrary(t *testing.T) {
	t.Parallel()
	lib := openLibrary(t)
	e := startBot(t, setup{svc: lib})
	it := e.ask("", "What does Article 9 of the ceasefire agreement call for?")
	if cb := e.callback(it); cb.Type != discordfake.CallbackDeferredChannelMessage {
		t.Fatalf("callback %d", cb.Type)
	}
	msg := e.final(it)
	em := embedOf(t, msg)
	if !strings.Contains(em.Description, "unblocking") {
		t.Errorf("answer lacks the quote: %q", em.Description)
	}
	if len(em.Fields) == 0 || !strings.Contains(em.Fields[0].Value, "Azerbaijani-Iranian Border Tensions: Why Now?") || !strings.Contains(em.Fields[0].Value, "](https://www.washingtoninstitute.org/") {
		t.Errorf("sources = %+v", em.Fields)
	}
	if !strings.HasPrefix(em.Footer.Text, "Quoted from ") || em.Fields[len(em.Fields)-1].Name != "Index updated" {
		t.Errorf("footer = %q, fields %+v", em.Footer.Text, em.Fields)
	}
	shown := e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: msg.CustomIDs()[1], MessageID: msg.ID}))
	if !strings.Contains(shown.Text(), "Nakhchivan") {
		t.Errorf("passages = %q", shown.Text())
	}
	// Autocomplete offers the question just answered and the section.
	if values := choiceValues(e.autocomplete("ask", "question", "why n")); !slices.Contains(values, "Azerbaijani-Iranian Border Tensions: Why Now?") {
		t.Errorf("autocomplete for \"why n\" = %v", values)
	}
	if values := choiceValues(e.autocomplete("ask", "question", "article 9")); !slices.Contains(values, "What does Article 9 of the ceasefire agreement call for?") {
		t.Errorf("autocomplete for \"article 9\" = %v, want the answered question", values)
	}
	search := e.final(e.command("search", discordfake.Opt("query", "Zangezur corridor")))
	if !strings.Contains(embedOf(t, search).Description, "**Under this provision") {
		t.Errorf("search = %q", embedOf(t, search).Description)
	}
}

func TestAutocompleteLimits(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	svc.suggest = func(typed string, _ []string, n int) []string {
		var out []string
		for i := range 40 {
			out = append(out, strings.Repeat("long suggestion ", 10)+string(rune('a'+i%26))+typed)
		}
		return out
	}
	e := startBot(t, setup{svc: svc})
	cb := e.autocomplete("ask", "question", "x")
	if len(cb.Choices) == 0 || len(cb.Choices) > 25 {
		t.Fatalf("%d choices, want 1-25", len(cb.Choices))
	}
	for _, c := range cb.Choices {
		if runeLen(c.Name) > 100 || runeLen(c.Value.(string)) > 100 {
			t.Errorf("choice too long: %q", c.Name)
		}
	}
}

// gatedService answers at once, except the question "slow one", which
// waits for g to open.
func gatedService(t *testing.T, g *gate) *fakeService {
	svc := newFakeService(t)
	svc.ask = func(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
		if req.Question == "slow one" {
			if err := g.wait(ctx, req.Question); err != nil {
				return briefbot.Answer{}, err
			}
		}
		return svc.cannedAnswer("What does Article 9 call for?"), nil
	}
	return svc
}

func TestCooldownAndInFlightCap(t *testing.T) {
	t.Parallel()
	g := newGate()
	svc := gatedService(t, g)
	e := startBot(t, setup{svc: svc, opts: func(o *Options, _ *discordfake.Server) {
		o.Cooldown = 30 * time.Second
		o.MaxInFlight = 1
		o.QueueWait = 10 * time.Millisecond
	}})
	other := addMember(t, e.fake)

	slow := e.ask("", "slow one")
	e.callback(slow)
	g.arrived(t, e.ctx)
	// The one slot is taken and stays so beyond queue_wait: another user
	// is told to come back.
	busy := e.shown(e.ask(other, "What does Article 9 call for?"))
	if !busy.Ephemeral() || !strings.Contains(busy.Text(), "answering many questions") {
		t.Errorf("busy reply = ephemeral %v %q", busy.Ephemeral(), busy.Text())
	}
	// The same user, within the cooldown, is asked to slow down.
	again := e.final(e.ask("", "What does Article 9 call for?"))
	if !again.Ephemeral() || !strings.Contains(again.Text(), "Slow down a little: you can ask again in 30 s") {
		t.Errorf("cooldown reply = ephemeral %v %q", again.Ephemeral(), again.Text())
	}
	close(g.release)
	if msg := e.final(slow); !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("slow answer = %q", msg.Text())
	}
	// Refused for being busy did not cost the other user a cooldown.
	if msg := e.final(e.ask(other, "What does Article 9 call for?")); !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("retry after busy = %q", msg.Text())
	}
	e.clock.Advance(31 * time.Second)
	if msg := e.final(e.ask("", "What does Article 9 call for?")); !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("after the cooldown = %q", msg.Text())
	}
}

func TestAnswerDeadline(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	svc.ask = func(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
		<-stuck // ignores its context, like a hung dependency
		return briefbot.Answer{}, errors.New("too late")
	}
	e := startBot(t, setup{svc: svc, opts: func(o *Options, _ *discordfake.Server) { o.AnswerTimeout = 300 * time.Millisecond }})
	it := e.ask("", "What does Article 9 call for?")
	msg := e.final(it)
	if !strings.Contains(msg.Text(), "took too long") {
		t.Errorf("deadline message = %q", msg.Text())
	}
	if o, _ := it.Original(); o.Deleted || o.Deferred {
		t.Errorf("original deleted=%v deferred=%v; want it replaced", o.Deleted, o.Deferred)
	}
}

func TestFailuresBecomeShortEphemeralMessages(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	svc.ask = func(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
		switch req.Question {
		case "error":
			return briefbot.Answer{}, errors.New("index shard 3 is corrupt at /srv/secret/path")
		case "panic":
			panic("nil map in answerer")
		}
		return svc.cannedAnswer(req.Question), nil
	}
	svc.passage = func(id string) (briefbot.Passage, bool) { panic("passage lookup exploded") }
	svc.docsHook = func() { panic("documents exploded") }
	e := startBot(t, setup{svc: svc})

	cases := []struct {
		name, question string
		private        bool
		want           string
	}{
		{"service error", "error", false, "could not answer that right now"},
		{"service panic", "panic", false, "Something went wrong on our side"},
		{"handler panic", "What does Article 9 call for?", false, "Something went wrong on our side"},
		{"private error", "error", true, "could not answer that right now"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var extra []discordfake.Option
			if c.private {
				extra = append(extra, discordfake.Opt("private", true))
			}
			it := e.ask("", c.question, extra...)
			var shown discordfake.Message
			if c.private {
				shown = e.final(it)
			} else {
				// The public "thinking…" is removed and the asker alone
				// is told.
				if _, err := it.WaitEvent(e.ctx, func(ev discordfake.Event) bool { return ev.Kind == discordfake.EventDelete }); err != nil {
					t.Fatal(err)
				}
				ev, err := it.WaitFollowup(e.ctx, func(discordfake.Message) bool { return true })
				if err != nil {
					t.Fatal(err)
				}
				shown = ev.Message
			}
			if !shown.Ephemeral() || !strings.Contains(shown.Text(), c.want) {
				t.Errorf("shown ephemeral=%v %q, want %q", shown.Ephemeral(), shown.Text(), c.want)
			}
			if strings.Contains(shown.Text(), "corrupt") || strings.Contains(shown.Text(), "nil map") || strings.Contains(shown.Text(), "exploded") {
				t.Errorf("internal detail shown to the user: %q", shown.Text())
			}
		})
	}
	t.Run("panic before acknowledging", func(t *testing.T) {
		msg := e.final(e.command("sources"))
		if !msg.Ephemeral() || !strings.Contains(msg.Text(), "Something went wrong") {
			t.Errorf("sources panic: ephemeral=%v %q", msg.Ephemeral(), msg.Text())
		}
		// Autocomplete cannot show a message; it offers no choices.
		cb := e.autocomplete("brief", "document", "x")
		if cb.Type != discordfake.CallbackAutocompleteResult || len(cb.Choices) != 0 {
			t.Errorf("autocomplete after a panic: %d %+v", cb.Type, cb.Choices)
		}
	})
	if !strings.Contains(e.logs.String(), "nil map in answerer") {
		t.Error("the panic is not in the log")
	}
}

// TestSlowCommandDefers: a command that takes longer than its budget is
// deferred in time and completed by an edit.
func TestSlowCommandDefers(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	g := newGate()
	svc.search = func(ctx context.Context, q string, k int) ([]briefbot.Hit, error) {
		if err := g.wait(ctx, q); err != nil {
			return nil, err
		}
		return nil, nil
	}
	e := startBot(t, setup{svc: svc, tweak: func(b *Bot) { b.ackBudget = 10 * time.Millisecond }})
	it := e.command("search", discordfake.Opt("query", "anything"))
	g.arrived(t, e.ctx)
	if cb := e.callback(it); cb.Type != discordfake.CallbackDeferredChannelMessage {
		t.Fatalf("callback %d, want a deferral while the search runs", cb.Type)
	}
	close(g.release)
	if msg := e.final(it); !strings.Contains(msg.Text(), "No passage matches") {
		t.Errorf("final = %q", msg.Text())
	}
}

// TestRateLimitedEditDoesNotDelayOthers: each interaction's edits have
// their own bucket, so a 429 on one answer's edit does not hold up another
// answer (discordgo v0.29 would share one bucket, issue #1384).
func TestRateLimitedEditDoesNotDelayOthers(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	gates := map[string]chan struct{}{"first": make(chan struct{}), "second": make(chan struct{})}
	svc.ask = func(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
		select {
		case <-gates[req.Question]:
		case <-ctx.Done():
			return briefbot.Answer{}, ctx.Err()
		}
		return svc.cannedAnswer("What does Article 9 call for?"), nil
	}
	e := startBot(t, setup{svc: svc})
	other := addMember(t, e.fake)
	a := e.ask("", "first")
	b := e.ask(other, "second")
	e.callback(a)
	e.callback(b)

	const retryAfter = 2 * time.Second
	e.fake.FailNext("PATCH", "/webhooks/*/*/messages/@original", 429, retryAfter, 1)
	close(gates["first"])
	limited, err := e.fake.WaitRequest(e.ctx, func(r discordfake.Request) bool { return r.Injected && r.Status == 429 })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(limited.Path, a.Token) {
		t.Fatalf("the 429 hit %s, want the first interaction's edit", limited.Path)
	}
	close(gates["second"])
	bFinal, err := b.WaitFinal(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The first answer is still waiting out its retry_after...
	if o, _ := a.Original(); !o.Deferred {
		t.Fatalf("first answer edited before the second; the second queued behind it")
	}
	// ...and lands after it, once retried.
	aFinal, err := a.WaitFinal(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bFinal.Message.Deferred || !strings.Contains(bFinal.Message.Text(), "unblocking") {
		t.Errorf("second answer = %q", bFinal.Message.Text())
	}
	if !strings.Contains(aFinal.Message.Text(), "unblocking") {
		t.Errorf("first answer after the retry = %q", aFinal.Message.Text())
	}
	if wait := time.Since(limited.Wall); wait < retryAfter-200*time.Millisecond {
		t.Errorf("the retry came %v after the 429, before retry_after %v", wait, retryAfter)
	}
}

func TestGatewayReconnectResumes(t *testing.T) {
	t.Parallel()
	e := startBot(t, setup{})
	if _, err := e.fake.WaitGatewayEvent(e.ctx, func(ev discordfake.GatewayEvent) bool { return ev.Kind == discordfake.GatewayHeartbeat }); err != nil {
		t.Fatal(err)
	}
	e.fake.DropConnections()
	if _, err := e.fake.WaitGatewayEvent(e.ctx, func(ev discordfake.GatewayEvent) bool { return ev.Kind == discordfake.GatewayResumed }); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Identifies()); n != 1 {
		t.Errorf("identified %d times; want the session resumed", n)
	}
	if msg := e.final(e.ask("", "What does Article 9 call for?")); !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("answer after the reconnect = %q", msg.Text())
	}
}

// TestFatalCloseStopsRun: Discord closing the gateway with a code that
// reconnecting cannot fix stops Run with a clear error, and nothing
// reconnects afterwards.
func TestFatalCloseStopsRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		code   int
		reason string
		// cause makes Discord close with the code.
		cause func(e *env)
	}{
		{"4004 after ready", 4004, "token was rejected", func(e *env) { e.fake.CloseWith(4004) }},
		{"4014 after ready", 4014, "disallowed intents", func(e *env) { e.fake.CloseWith(4014) }},
		{"token rejected on reconnect", 4004, "token was rejected", func(e *env) {
			// The token was reset in the Developer Portal while the bot
			// ran: the connection drops and resuming is refused.
			e.bot.session.Lock()
			e.bot.session.Token = "Bot not-the-token"
			e.bot.session.Identify.Token = "Bot not-the-token"
			e.bot.session.Unlock()
			e.fake.DropConnections()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := startBot(t, setup{})
			if _, err := e.fake.WaitGatewayEvent(e.ctx, func(ev discordfake.GatewayEvent) bool { return ev.Kind == discordfake.GatewayHeartbeat }); err != nil {
				t.Fatal(err)
			}
			c.cause(e)
			err := e.result()
			var fatal *FatalCloseError
			if !errors.As(err, &fatal) || fatal.Code != c.code || !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("Run = %v, want a FatalCloseError %d (%s)", err, c.code, c.reason)
			}
			connects := 0
			for _, ev := range e.fake.GatewayEvents() {
				if ev.Kind == discordfake.GatewayConnect {
					connects++
				}
			}
			if want := map[bool]int{true: 2, false: 1}[c.name == "token rejected on reconnect"]; connects != want {
				t.Errorf("%d gateway connections, want %d", connects, want)
			}
		})
	}
}

func TestTokenRejectedAtFirstIdentify(t *testing.T) {
	t.Parallel()
	e := startBot(t, setup{noReady: true, tweak: func(b *Bot) { b.session.Identify.Token = "Bot not-the-token" }})
	err := e.result()
	var fatal *FatalCloseError
	if !errors.As(err, &fatal) || fatal.Code != 4004 {
		t.Fatalf("Run = %v, want FatalCloseError 4004", err)
	}
	if n := len(e.fake.Identifies()); n != 1 {
		t.Errorf("%d IDENTIFY attempts, want 1 (no retry with a rejected token)", n)
	}
}

func TestRESTUnauthorizedAtStartup(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t, discordfake.Options{})
	const bad = "bm90LXRoZS10b2tlbg.secret-part"
	e := startBotOn(t, fake, setup{noReady: true, opts: func(o *Options, _ *discordfake.Server) { o.Token = bad }})
	err := e.result()
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Fatalf("Run = %v, want a clear 401 error", err)
	}
	if strings.Contains(err.Error(), bad) || strings.Contains(e.logs.String(), bad) {
		t.Errorf("the token leaked: %v", err)
	}
	if len(fake.Identifies()) != 0 || len(fake.Registrations()) != 0 {
		t.Error("the bot went on after the token was rejected")
	}
	for _, v := range fake.TakeViolations() {
		if v.Kind != discordfake.ViolationUnauthorized {
			t.Errorf("unexpected violation %v", v)
		}
	}
}

// TestConcurrentAsks is a burst of 50 /ask from 50 users on the real
// library with few answers computed at once: each is acknowledged in time
// and answered, none is told the bot is busy (each waits for a slot).
func TestConcurrentAsks(t *testing.T) {
	t.Parallel()
	lib := openLibrary(t)
	e := startBot(t, setup{svc: lib, opts: func(o *Options, _ *discordfake.Server) {
		o.MaxInFlight = 4
		o.Cooldown = 5 * time.Second
	}})
	const n = 50
	users := make([]string, n)
	for i := range users {
		users[i] = addMember(t, e.fake)
	}
	lat, refused := runConcurrentAsks(t, e, users)
	if refused > 0 {
		t.Errorf("%d of %d asks were told the bot is busy, want none", refused, n)
	}
	for i, l := range lat {
		if l.ack >= discordfake.AckDeadline {
			t.Errorf("ask %d acknowledged after %v", i, l.ack)
		}
	}
	acks, answers := latencies(lat)
	t.Logf("%d asks answered, max_in_flight 4: ack p50 %v p99 %v, answer p50 %v p99 %v", len(acks),
		percentile(acks, 50), percentile(acks, 99), percentile(answers, 50), percentile(answers, 99))
}

type askLatency struct {
	ack, answer time.Duration
	busy        bool // told the bot is busy instead of answered
}

// latencies splits the acknowledgement and answer times of the asks that
// were answered.
func latencies(lat []askLatency) (acks, answers []time.Duration) {
	for _, l := range lat {
		if !l.busy {
			acks = append(acks, l.ack)
			answers = append(answers, l.answer)
		}
	}
	return acks, answers
}

// runConcurrentAsks sends one /ask per user at once and checks each is
// acknowledged in time and answered, or told the bot is busy; it returns
// the latencies and how many were refused as busy.
func runConcurrentAsks(t testing.TB, e *env, users []string) (lat []askLatency, refused int) {
	t.Helper()
	its := make([]*discordfake.Interaction, len(users))
	done := make(chan int, len(users))
	for i, u := range users {
		go func() {
			its[i] = e.ask(u, "What does Article 9 of the ceasefire agreement call for?")
			done <- i
		}()
	}
	for range users {
		<-done
	}
	lat = make([]askLatency, len(users))
	for i, it := range its {
		cb, err := it.WaitCallback(e.ctx)
		if err != nil {
			t.Fatalf("ask %d: %v", i, err)
		}
		ev, err := shownEvent(e.ctx, it)
		if err != nil {
			t.Fatalf("ask %d: %v", i, err)
		}
		lat[i] = askLatency{ack: cb.Latency, answer: ev.Latency}
		switch text := ev.Message.Text(); {
		case strings.Contains(text, "answering many questions"):
			lat[i].busy = true
			refused++
		case cb.Type != discordfake.CallbackDeferredChannelMessage:
			t.Fatalf("ask %d: callback %d", i, cb.Type)
		case !strings.Contains(text, "unblocking"):
			t.Fatalf("ask %d answered %q", i, text)
		}
	}
	return lat, refused
}

// TestStreamingAnswerEdits: a model answer written bit by bit shows in the
// message as it comes, at most once per edit interval, and then the final
// answer replaces it.
func TestStreamingAnswerEdits(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	g := newGate()
	svc.ask = func(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
		req.OnPartial("Elsewhere, Article 9 calls")
		req.OnPartial("Elsewhere, Article 9 calls for") // within the interval: dropped
		if err := g.wait(ctx, "first part shown"); err != nil {
			return briefbot.Answer{}, err
		}
		return svc.cannedAnswer("What does Article 9 call for?"), nil
	}
	e := startBot(t, setup{svc: svc, opts: func(o *Options, _ *discordfake.Server) { o.EditInterval = time.Minute }})
	it := e.ask("", "What does Article 9 call for?")
	g.arrived(t, e.ctx)
	ev, err := it.WaitMessage(e.ctx, func(m discordfake.Message) bool { return strings.Contains(m.Text(), "Article 9 calls …") })
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Message.CustomIDs()) != 0 {
		t.Error("a partial answer has buttons")
	}
	close(g.release)
	final, err := it.WaitMessage(e.ctx, func(m discordfake.Message) bool { return len(m.CustomIDs()) == 4 })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(final.Message.Text(), "unblocking") {
		t.Errorf("final = %q", final.Message.Text())
	}
	edits := 0
	for _, ev := range it.Events() {
		if ev.Kind == discordfake.EventEdit {
			edits++
		}
	}
	if edits != 2 {
		t.Errorf("%d edits, want 2 (one partial within the interval, one final)", edits)
	}
}

// TestServerErrorOnFinalEditIsRetried: a Discord 5xx on the answer's edit
// does not leave the user with "thinking…".
func TestServerErrorOnFinalEditIsRetried(t *testing.T) {
	t.Parallel()
	e := startBot(t, setup{})
	e.fake.FailNext("PATCH", "/webhooks/*/*/messages/@original", 503, 0, 2)
	it := e.ask("", "What does Article 9 call for?")
	if msg := e.final(it); !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("answer after two 503s = %q", msg.Text())
	}
	failed := 0
	for _, r := range e.fake.Requests() {
		if r.Injected && r.Status == 503 {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("%d injected 503s seen, want 2", failed)
	}
}

// TestQueueIsBounded: questions queue for a slot, but past MaxQueued
// waiting ones a new question is told at once that the bot is busy, and
// the queued ones are still answered.
func TestQueueIsBounded(t *testing.T) {
	t.Parallel()
	g := newGate()
	e := startBot(t, setup{svc: gatedService(t, g), opts: func(o *Options, _ *discordfake.Server) {
		o.MaxInFlight = 1
		o.MaxQueued = 1
		o.QueueWait = time.Minute
	}})
	second, third := addMember(t, e.fake), addMember(t, e.fake)
	slow := e.ask("", "slow one")
	g.arrived(t, e.ctx)
	queued := e.ask(second, "What does Article 9 call for?")
	e.callback(queued)
	for e.bot.waiting.Load() != 1 {
		select {
		case <-e.ctx.Done():
			t.Fatal("the second question never queued")
		case <-time.After(time.Millisecond):
		}
	}
	if msg := e.shown(e.ask(third, "What does Article 9 call for?")); !strings.Contains(msg.Text(), "answering many questions") {
		t.Errorf("past the queue: %q", msg.Text())
	}
	close(g.release)
	for _, it := range []*discordfake.Interaction{slow, queued} {
		if msg := e.final(it); !strings.Contains(msg.Text(), "unblocking") {
			t.Errorf("%s: %q", it.ID, msg.Text())
		}
	}
}
