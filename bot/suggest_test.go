package bot

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot/internal/discordfake"
)

// Questions the built-in brief answers (so they are remembered).
const (
	qPrivate = "What does Article 9 of the ceasefire agreement call for?"
	qDM      = "Why did Iran hold military drills near the Azerbaijani border?"
	qMention = "What is the Zangezur corridor?"
	qPublic  = "What are the policy recommendations for Washington?"
	qElse    = "How did the 2020 war change the territory?"
)

// autocompleteAs types typed into /ask's question as user in channel
// (the default guild channel when "") and returns the values offered.
func (e *env) autocompleteAs(user, channel, typed string) []string {
	e.t.Helper()
	return choiceValues(e.callback(e.fake.Interact(e.ctx, discordfake.InteractionSpec{
		CommandName: "ask", Focused: "question", UserID: user, ChannelID: channel,
		Options: []discordfake.Option{discordfake.Opt("question", typed)},
	})))
}

// askIn dispatches /ask as user in channel and waits for the answer.
func (e *env) askIn(user, channel, question string, extra ...discordfake.Option) discordfake.Message {
	e.t.Helper()
	opts := append([]discordfake.Option{discordfake.Opt("question", question)}, extra...)
	return e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "ask", UserID: user, ChannelID: channel, Options: opts}))
}

// typings are what a user may have typed on the way to q: nothing, and
// prefixes of q (never q itself, which autocomplete echoes as typed).
func typings(q string) []string {
	out := []string{""}
	words := strings.Fields(q)
	for i := 1; i < len(words); i++ {
		out = append(out, strings.Join(words[:i], " "))
	}
	out = append(out, q[:len(q)-1], strings.ToLower(words[len(words)-1]))
	return out
}

// containsFold reports whether values holds q, ignoring case.
func containsFold(values []string, q string) bool {
	for _, v := range values {
		if strings.EqualFold(strings.TrimSpace(v), q) {
			return true
		}
	}
	return false
}

// dmChannel opens a DM channel between user and the bot.
func dmChannel(t testing.TB, e *env, user string) string {
	t.Helper()
	dm, err := e.fake.AddChannel(discordfake.Channel{Type: discordfake.ChannelDM, RecipientID: user})
	if err != nil {
		t.Fatal(err)
	}
	return dm.ID
}

// mentionIn asks question by mentioning the bot in channel and waits for
// the reply.
func (e *env) mentionIn(user, channel, question string) discordfake.Message {
	e.t.Helper()
	q, err := e.fake.SendMessage(e.ctx, channel, user, "<@"+e.fake.Bot.ID+"> "+question, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	reply, err := e.fake.WaitReply(e.ctx, q.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return reply
}

// TestAutocompleteKeepsPrivateQuestionsPrivate: a question asked with
// private: true, with /ask in a DM or by a message in a DM is offered to
// its asker only, never to another user, whatever they type.
func TestAutocompleteKeepsPrivateQuestionsPrivate(t *testing.T) {
	t.Parallel()
	// Global commands, so that /ask works in DMs too.
	e := startBot(t, setup{svc: openLibrary(t), opts: func(o *Options, _ *discordfake.Server) { o.GuildIDs = nil }})
	a, b := addMember(t, e.fake), addMember(t, e.fake)
	dm := dmChannel(t, e, a)

	if msg := e.askIn(a, "", qPrivate, discordfake.Opt("private", true)); !msg.Ephemeral() || !strings.Contains(msg.Text(), "unblocking") {
		t.Fatalf("private answer: ephemeral %v %q", msg.Ephemeral(), msg.Text())
	}
	if msg := e.askIn(a, dm, qDM); !strings.Contains(msg.Text(), "drills") {
		t.Fatalf("DM answer: %q", msg.Text())
	}
	if msg := e.mentionIn(a, dm, qMention); !strings.Contains(strings.ToLower(msg.Text()), "zangezur") {
		t.Fatalf("DM mention answer: %q", msg.Text())
	}

	// Public, but this server did not opt in to sharing questions.
	if msg := e.askIn(a, "", qPublic); msg.Ephemeral() {
		t.Fatalf("public answer is ephemeral: %q", msg.Text())
	}

	leaks := 0
	for _, q := range []string{qPrivate, qDM, qMention, qPublic} {
		for _, typed := range typings(q) {
			if got := e.autocompleteAs(b, "", typed); containsFold(got, q) {
				leaks++
				t.Errorf("b typed %q and was offered a's private question %q: %q", typed, q, got)
			}
		}
	}
	t.Logf("private questions offered to another user: %d", leaks)

	// The asker sees their own, in the server and in the DM.
	for _, q := range []string{qPrivate, qDM, qMention, qPublic} {
		prefix := strings.Join(strings.Fields(q)[:3], " ")
		if got := e.autocompleteAs(a, "", prefix); !containsFold(got, q) {
			t.Errorf("a typed %q in the server and was not offered their own %q: %q", prefix, q, got)
		}
		if got := e.autocompleteAs(a, dm, prefix); !containsFold(got, q) {
			t.Errorf("a typed %q in the DM and was not offered their own %q: %q", prefix, q, got)
		}
	}
}

// TestAutocompleteSharesPublicQuestionsWhenOptedIn: with
// suggest_public_questions on, a user is offered the questions others asked
// publicly in the same server, and still never a private or DM question,
// nor one asked in another server.
func TestAutocompleteSharesPublicQuestionsWhenOptedIn(t *testing.T) {
	t.Parallel()
	fake := discordfake.New(t, discordfake.Options{})
	other := fake.AddGuild(discordfake.Guild{Name: "other", Channels: []discordfake.Channel{{Name: "general"}}})
	e := startBotOn(t, fake, setup{svc: openLibrary(t), opts: func(o *Options, _ *discordfake.Server) {
		o.GuildIDs = nil
		o.SuggestPublicQuestions = true
	}})
	a, b := addMember(t, fake), addMember(t, fake)
	if err := fake.SetMember(other.ID, discordfake.Member{UserID: a}); err != nil {
		t.Fatal(err)
	}
	otherChannel := other.Channels[0].ID
	dm := dmChannel(t, e, a)

	e.askIn(a, "", qPublic)
	e.askIn(a, "", qPrivate, discordfake.Opt("private", true))
	e.askIn(a, dm, qDM)
	e.mentionIn(a, dm, qMention)
	e.askIn(a, otherChannel, qElse)

	for _, c := range []struct {
		q     string
		shown bool
	}{{qPublic, true}, {qPrivate, false}, {qDM, false}, {qMention, false}, {qElse, false}} {
		for _, typed := range typings(c.q) {
			got := e.autocompleteAs(b, "", typed)
			if containsFold(got, c.q) != c.shown {
				t.Errorf("b typed %q: offered %q = %v, want %v; choices %q", typed, c.q, !c.shown, c.shown, got)
			}
		}
	}
	// In a DM there is no server whose questions could be shared.
	if got := e.autocompleteAs(b, dmChannel(t, e, b), ""); containsFold(got, qPublic) {
		t.Errorf("b in a DM was offered a server's question: %q", got)
	}
}
