package bot

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
)

// historySpy records the history each question arrives with.
type historySpy struct {
	mu   sync.Mutex
	seen map[string][]briefbot.Turn // question -> history
}

func spyOn(svc *fakeService) *historySpy {
	h := &historySpy{seen: map[string][]briefbot.Turn{}}
	svc.ask = func(_ context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
		h.mu.Lock()
		h.seen[req.Question] = req.History
		h.mu.Unlock()
		return svc.cannedAnswer(req.Question), nil
	}
	return h
}

func (h *historySpy) questions(q string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var qs []string
	for _, t := range h.seen[q] {
		qs = append(qs, t.Question)
	}
	return qs
}

// button is the custom ID of msg's button for action.
func button(t *testing.T, msg discordfake.Message, action string) string {
	t.Helper()
	for _, id := range msg.CustomIDs() {
		if strings.HasPrefix(id, "bb:"+action+":") {
			return id
		}
	}
	t.Fatalf("no %q button among %v", action, msg.CustomIDs())
	return ""
}

// followUp presses msg's "Follow up" button as user and submits question
// in the form it opens.
func (e *env) followUp(t *testing.T, msg discordfake.Message, user, question string) *discordfake.Interaction {
	t.Helper()
	press := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: button(t, msg, actionFollowUp), MessageID: msg.ID, UserID: user})
	cb := e.callback(press)
	if cb.Type != discordfake.CallbackModal || cb.Modal == nil {
		t.Fatalf("follow up: callback %+v, want a form", cb)
	}
	return e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: cb.Modal.CustomID, UserID: user,
		ModalValues: map[string]string{inputQuestion: question}})
}

func TestFollowUpInThread(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	spy := spyOn(svc)
	e := startBot(t, setup{svc: svc})
	first := e.final(e.ask("", "What does Article 9 call for?"))
	if first.Ephemeral() {
		t.Fatal("public answer is ephemeral")
	}

	// The follow-up form: the asker is told where the answer went, and it
	// is posted in a thread started from the answer.
	done := e.final(e.followUp(t, first, e.fake.UserID, "And Article 6?"))
	if !done.Ephemeral() || !strings.Contains(done.Text(), "Answered in <#"+first.ID+">") {
		t.Errorf("follow-up acknowledgement ephemeral=%v %q", done.Ephemeral(), done.Text())
	}
	threads := e.fake.Threads(e.fake.ChannelID)
	if len(threads) != 1 || threads[0].ID != first.ID || !strings.Contains(threads[0].Name, "Article 9") {
		t.Fatalf("threads = %+v, want one started from the answer, named after its question", threads)
	}
	thread := threads[0].ID
	posted, err := e.fake.WaitMessage(e.ctx, func(m discordfake.Message) bool {
		return m.ChannelID == thread && strings.Contains(m.Text(), "Follow-up from <@"+e.fake.UserID+">")
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(posted.Text(), "Article 6") || len(posted.CustomIDs()) != 4 {
		t.Errorf("thread answer %q, buttons %v", posted.Text(), posted.CustomIDs())
	}
	if got := spy.questions("And Article 6?"); len(got) != 1 || got[0] != "What does Article 9 call for?" {
		t.Errorf("follow-up history = %v, want the first question", got)
	}

	// In the thread, a mention is a follow-up of the whole conversation;
	// a message without one is not answered (thread_replies: mention).
	plain, _ := e.fake.SendMessage(e.ctx, thread, e.fake.UserID, "what about the corridor?", nil)
	q, err := e.fake.SendMessage(e.ctx, thread, e.fake.UserID, "<@"+e.fake.Bot.ID+"> and the corridor?", nil)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := e.fake.WaitReply(e.ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if reply.ChannelID != thread || !strings.Contains(reply.Text(), "corridor") {
		t.Errorf("thread reply in %s: %q", reply.ChannelID, reply.Text())
	}
	if got := spy.questions("and the corridor?"); len(got) != 2 || got[1] != "And Article 6?" {
		t.Errorf("mention history = %v, want both earlier turns", got)
	}
	for _, m := range e.fake.Messages(thread) {
		if m.Reference != nil && m.Reference.MessageID == plain.ID {
			t.Errorf("a message without a mention was answered: %q", m.Text())
		}
	}

	// A second follow-up from the thread's answer stays in the thread.
	done = e.final(e.followUp(t, posted, e.fake.OwnerID, "What about the corridor?"))
	if !strings.Contains(done.Text(), "<#"+thread+">") || len(e.fake.Threads(e.fake.ChannelID)) != 1 {
		t.Errorf("second follow-up: %q, threads %d", done.Text(), len(e.fake.Threads(e.fake.ChannelID)))
	}
	if got := spy.questions("What about the corridor?"); len(got) != 3 {
		t.Errorf("second follow-up history = %v, want three turns", got)
	}
	e.fake.AssertClean(t)
}

func TestThreadRepliesAll(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	spy := spyOn(svc)
	// thread_replies: all needs the Message Content intent, granted here.
	e := startBot(t, setup{svc: svc, fake: discordfake.Options{GrantedIntents: discordfake.IntentMessageContent},
		opts: func(o *Options, _ *discordfake.Server) { o.ThreadReplies = ThreadRepliesAll }})
	first := e.final(e.ask("", "What does Article 9 call for?"))
	e.final(e.followUp(t, first, e.fake.UserID, "And Article 6?"))
	q, err := e.fake.SendMessage(e.ctx, first.ID, e.fake.UserID, "and the corridor?", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.WaitReply(e.ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	if got := spy.questions("and the corridor?"); len(got) != 2 {
		t.Errorf("history = %v, want two turns", got)
	}
	// Elsewhere, a message without a mention is still not a question.
	plain, _ := e.fake.SendMessage(e.ctx, e.fake.ChannelID, e.fake.UserID, "what about the corridor?", nil)
	q2, _ := e.fake.SendMessage(e.ctx, e.fake.ChannelID, e.fake.UserID, "<@"+e.fake.Bot.ID+"> the corridor?", nil)
	if _, err := e.fake.WaitReply(e.ctx, q2.ID); err != nil {
		t.Fatal(err)
	}
	for _, m := range e.fake.Messages(e.fake.ChannelID) {
		if m.Reference != nil && m.Reference.MessageID == plain.ID {
			t.Errorf("a channel message without a mention was answered: %q", m.Text())
		}
	}
}

func TestPrivateFollowUpAndShare(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	spy := spyOn(svc)
	e := startBot(t, setup{svc: svc, opts: func(o *Options, _ *discordfake.Server) { o.PrivateByDefault = true }})
	// private_by_default: no option given, the answer is private.
	first := e.final(e.ask("", "What does Article 9 call for?"))
	if !first.Ephemeral() {
		t.Fatal("with private_by_default the answer is public")
	}
	follow := e.final(e.followUp(t, first, e.fake.UserID, "And Article 6?"))
	if !follow.Ephemeral() || !strings.Contains(follow.Text(), "Article 6") {
		t.Errorf("private follow-up ephemeral=%v %q", follow.Ephemeral(), follow.Text())
	}
	if n := len(e.fake.Threads("")); n != 0 {
		t.Errorf("a private follow-up started %d threads", n)
	}
	if got := spy.questions("And Article 6?"); len(got) != 1 {
		t.Errorf("private follow-up history = %v", got)
	}

	// Sharing: only the asker; once; attributed without pinging anyone.
	share := button(t, follow, actionShare)
	shared := e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: share, MessageID: follow.ID, UserID: e.fake.UserID}))
	if shared.Ephemeral() || !strings.Contains(shared.Text(), "Shared by <@"+e.fake.UserID+">") || !strings.Contains(shared.Text(), "Article 6") {
		t.Errorf("shared answer ephemeral=%v %q", shared.Ephemeral(), shared.Text())
	}
	if ids := shared.CustomIDs(); len(ids) != 4 {
		t.Errorf("shared answer buttons %v, want no second share", ids)
	}
	again := e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: share, MessageID: follow.ID, UserID: e.fake.UserID}))
	if !again.Ephemeral() || !strings.Contains(again.Text(), "already shared") {
		t.Errorf("second share: %q", again.Text())
	}
	// The shared copy is everyone's: others may open its passages.
	others := e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: button(t, shared, actionPassages), MessageID: shared.ID, UserID: e.fake.OwnerID}))
	if !strings.Contains(others.Text(), "Article") {
		t.Errorf("the shared answer's passages: %q", others.Text())
	}
	e.fake.AssertClean(t)
}

func TestDownVoteSaysWhy(t *testing.T) {
	t.Parallel()
	e := startBot(t, setup{})
	msg := e.final(e.ask("", "What does Article 9 call for?"))
	down := button(t, msg, actionVoteDown)
	answerID := strings.TrimPrefix(down, "bb:down:")
	cb := e.callback(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: down, MessageID: msg.ID}))
	if cb.Modal == nil {
		t.Fatalf("down vote: %+v, want the form", cb)
	}
	if v := e.records.vote(answerID, e.fake.UserID); v.Helpful || v.Time.IsZero() {
		t.Errorf("vote before the form is sent = %+v, want counted at once", v)
	}
	got := e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: cb.Modal.CustomID,
		ModalSelections: map[string][]string{inputReason: {briefbot.ReasonWrongSource}},
		ModalValues:     map[string]string{inputComment: "It cites Article 6 instead."}}))
	if !got.Ephemeral() || !strings.Contains(got.Text(), "Thanks") {
		t.Errorf("form reply ephemeral=%v %q", got.Ephemeral(), got.Text())
	}
	v := e.records.vote(answerID, e.fake.UserID)
	if v.Helpful || v.Reason != briefbot.ReasonWrongSource || v.Comment != "It cites Article 6 instead." {
		t.Errorf("vote = %+v", v)
	}
	e.fake.AssertClean(t)
}

// TestButtonsSurviveRestart: the answer's buttons and its conversation are
// read from the records, not from the bot's memory.
func TestButtonsSurviveRestart(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	spy := spyOn(svc)
	fake := discordfake.New(t, discordfake.Options{})
	records := newMemoryRecords(memoryAnswers, memoryTurns)
	opts := func(o *Options, _ *discordfake.Server) { o.Records = records }
	e := startBotOn(t, fake, setup{svc: svc, opts: opts})
	msg := e.final(e.ask("", "What does Article 9 call for?"))
	e.stop()
	if err := e.result(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	e2 := startBotOn(t, fake, setup{svc: svc, opts: opts})
	got := e2.final(e2.fake.Interact(e2.ctx, discordfake.InteractionSpec{CustomID: button(t, msg, actionPassages), MessageID: msg.ID}))
	if !strings.Contains(got.Text(), "Article 9") {
		t.Errorf("passages after a restart: %q", got.Text())
	}
	e2.final(e2.followUp(t, msg, fake.UserID, "And Article 6?"))
	if got := spy.questions("And Article 6?"); len(got) != 1 {
		t.Errorf("follow-up after a restart has history %v", got)
	}
}

// TestSharedAnswerKeepsEarlierTurnsPrivate: a follow-up on a shared answer
// is read with the shared answer only, never with the private questions
// its asker asked before it.
func TestSharedAnswerKeepsEarlierTurnsPrivate(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	spy := spyOn(svc)
	e := startBot(t, setup{svc: svc})
	secret := e.final(e.ask("", "What does Article 9 call for, secretly?", discordfake.Opt("private", true)))
	follow := e.final(e.followUp(t, secret, e.fake.UserID, "And Article 6?"))
	shared := e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: button(t, follow, actionShare), MessageID: follow.ID, UserID: e.fake.UserID}))
	e.final(e.followUp(t, shared, e.fake.OwnerID, "What about the corridor?"))
	if got := spy.questions("What about the corridor?"); len(got) != 1 || got[0] != "And Article 6?" {
		t.Errorf("a follow-up on the shared answer was read with %v; want only the shared answer's question", got)
	}
}

// TestSecondFollowUpJoinsTheThread: pressing Follow up again on the
// answer a thread was started from answers in that thread, and the
// conversation there stays public.
func TestSecondFollowUpJoinsTheThread(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	spy := spyOn(svc)
	e := startBot(t, setup{svc: svc})
	first := e.final(e.ask("", "What does Article 9 call for?"))
	e.final(e.followUp(t, first, e.fake.UserID, "And Article 6?"))
	done := e.final(e.followUp(t, first, e.fake.OwnerID, "What about the corridor?"))
	if !strings.Contains(done.Text(), "<#"+first.ID+">") || len(e.fake.Threads(e.fake.ChannelID)) != 1 {
		t.Errorf("second follow-up on the answer: %q, %d threads; want it in the first thread", done.Text(), len(e.fake.Threads(e.fake.ChannelID)))
	}
	if got := spy.questions("What about the corridor?"); len(got) != 2 {
		t.Errorf("second follow-up history = %v, want the thread's two turns", got)
	}
	e.fake.AssertClean(t)
}
