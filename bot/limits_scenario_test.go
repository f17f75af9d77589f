package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
)

// nextObservation waits for the next question reported to obs.
func (e *env) nextObservation(obs recordingObserver) observation {
	e.t.Helper()
	select {
	case got := <-obs.questions:
		return got
	case <-e.ctx.Done():
		e.t.Fatal("no question observed")
		return observation{}
	}
}

// TestRateLimitScenario: with user_burst 3 and a clock that does not move,
// a user's 4th quick /ask is refused, privately, with when to try again,
// and counted as limited; another user is still answered; the time the
// refusal named is enough.
func TestRateLimitScenario(t *testing.T) {
	t.Parallel()
	obs := recordingObserver{questions: make(chan observation, 16)}
	e := startBot(t, setup{opts: func(o *Options, _ *discordfake.Server) {
		o.UserRate = Rate{PerMinute: 6, Burst: 3}
		o.GuildRate = Rate{PerMinute: 60, Burst: 20}
		o.PrivateByDefault = false
		o.Observer = obs
	}})
	other := addMember(t, e.fake)
	const q = "What does Article 9 call for?"
	for i := range 3 {
		if msg := e.final(e.ask("", q)); !strings.Contains(msg.Text(), "unblocking") {
			t.Fatalf("question %d = %q, want an answer", i+1, msg.Text())
		}
		if got := e.nextObservation(obs); got != (observation{"ask", briefbot.OutcomeAnswered}) {
			t.Errorf("question %d observed as %+v", i+1, got)
		}
	}
	refused := e.final(e.ask("", q))
	if !refused.Ephemeral() || !strings.Contains(refused.Text(), "You are asking too many questions in a short time. Try again in 10 s.") {
		t.Errorf("4th question = ephemeral %v %q, want a private \"Try again in 10 s\"", refused.Ephemeral(), refused.Text())
	}
	if strings.Contains(refused.Text(), "unblocking") {
		t.Errorf("the 4th question was answered: %q", refused.Text())
	}
	if got := e.nextObservation(obs); got != (observation{"ask", briefbot.OutcomeLimited}) {
		t.Errorf("4th question observed as %+v, want ask/limited", got)
	}
	// Another user of the same server has their own bucket.
	if msg := e.final(e.ask(other, q)); !strings.Contains(msg.Text(), "unblocking") || msg.Ephemeral() {
		t.Errorf("another user's question = ephemeral %v %q, want the public answer", msg.Ephemeral(), msg.Text())
	}
	if got := e.nextObservation(obs); got != (observation{"ask", briefbot.OutcomeAnswered}) {
		t.Errorf("other user's question observed as %+v", got)
	}
	// /search draws on the same bucket.
	if msg := e.final(e.command("search", discordfake.Opt("query", "Article 9"))); !msg.Ephemeral() || !strings.Contains(msg.Text(), "Try again in 10 s") {
		t.Errorf("search over the limit = ephemeral %v %q", msg.Ephemeral(), msg.Text())
	}
	// The wait named is enough.
	e.clock.Advance(10 * time.Second)
	if msg := e.final(e.ask("", q)); !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("after the wait = %q, want an answer", msg.Text())
	}
	if got := e.nextObservation(obs); got != (observation{"ask", briefbot.OutcomeAnswered}) {
		t.Errorf("question after the wait observed as %+v", got)
	}
}

// TestMentionLimits: a mention's question is cleaned and bounded like a
// command's; one over discord.max_question_chars gets a reply naming the
// limit, and a user over the rate limit is told once per wait, not at
// every message.
func TestMentionLimits(t *testing.T) {
	t.Parallel()
	obs := recordingObserver{questions: make(chan observation, 16)}
	asked := make(chan string, 16)
	svc := newFakeService(t)
	svc.ask = func(_ context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
		asked <- req.Question
		return svc.cannedAnswer(req.Question), nil
	}
	e := startBot(t, setup{svc: svc, opts: func(o *Options, _ *discordfake.Server) {
		o.UserRate = Rate{PerMinute: 6, Burst: 1}
		o.MaxQuestionChars = 40
		o.Observer = obs
	}})
	mention := func(text string) discordfake.Message {
		t.Helper()
		m, err := e.fake.SendMessage(e.ctx, e.fake.ChannelID, e.fake.UserID, "<@"+e.fake.Bot.ID+"> "+text, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	reply := func(m discordfake.Message) discordfake.Message {
		t.Helper()
		r, err := e.fake.WaitReply(e.ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	long := mention(strings.Repeat("Article 9 ", 5)) // 49 characters once cleaned
	if got := reply(long).Text(); !strings.Contains(got, "Your question is too long (49 characters). Please keep it to at most 40 characters.") {
		t.Errorf("long mention reply = %q", got)
	}
	// Control and invisible characters are not counted, and not asked.
	sneaky := mention("What does\u202E Article\u200B 9 \x1b\t\t call   for?")
	if got := reply(sneaky).Text(); !strings.Contains(got, "unblocking") {
		t.Errorf("cleaned mention reply = %q, want the answer", got)
	}
	if got := e.nextObservation(obs); got != (observation{"mention", briefbot.OutcomeAnswered}) {
		t.Errorf("cleaned mention observed as %+v", got)
	}
	if len(asked) != 1 {
		t.Errorf("the service was asked %d questions, want 1", len(asked))
	} else if got := <-asked; got != "What does Article 9 call for?" {
		t.Errorf("the service was asked %q, want the cleaned question", got)
	}
	// The burst of 1 is spent: the next mention is refused with when to
	// come back…
	limited := mention("What does Article 9 call for?")
	if got := reply(limited).Text(); !strings.Contains(got, "Try again in 10 s") {
		t.Errorf("rate-limited mention reply = %q", got)
	}
	if got := e.nextObservation(obs); got != (observation{"mention", briefbot.OutcomeLimited}) {
		t.Errorf("rate-limited mention observed as %+v", got)
	}
	// …and the one after, within the same wait, gets no reply at all
	// (it is still counted). The report comes after the handler is done,
	// so a reply, had there been one, would be there by then.
	quiet := mention("What does Article 9 call for?")
	if got := e.nextObservation(obs); got != (observation{"mention", briefbot.OutcomeLimited}) {
		t.Errorf("second rate-limited mention observed as %+v", got)
	}
	for _, m := range e.fake.Messages(e.fake.ChannelID) {
		if m.Reference != nil && m.Reference.MessageID == quiet.ID {
			t.Errorf("a second refusal within the wait was posted: %q", m.Text())
		}
	}
	e.clock.Advance(10 * time.Second)
	if got := reply(mention("What does Article 9 call for?")).Text(); !strings.Contains(got, "unblocking") {
		t.Errorf("mention after the wait = %q, want the answer", got)
	}
}
