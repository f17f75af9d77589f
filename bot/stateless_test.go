package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
)

// replica is one bot of several in HTTP mode behind the same fake Discord,
// each with its own records (as each replica has its own store).
type replica struct {
	*env
	url string
	spy *historySpy
}

// startReplicas runs n bots in HTTP mode on one fake Discord; each has its
// own records and its own service on the same documents.
func startReplicas(t *testing.T, n int, ask func(*fakeService) func(context.Context, briefbot.AskRequest) (briefbot.Answer, error)) []*replica {
	t.Helper()
	fake := discordfake.New(t, discordfake.Options{})
	var rs []*replica
	for range n {
		svc := newFakeService(t)
		spy := spyOn(svc)
		if ask != nil {
			svc.ask = ask(svc)
		}
		e, url := startHTTPBotOn(t, fake, setup{svc: svc, opts: func(o *Options, _ *discordfake.Server) {
			o.AnswerRetention = 24 * time.Hour
		}})
		rs = append(rs, &replica{env: e, url: url, spy: spy})
	}
	return rs
}

// post sends an interaction to this replica, as the load balancer would.
func (r *replica) post(t *testing.T, spec discordfake.InteractionSpec) *discordfake.Interaction {
	t.Helper()
	it, err := r.fake.PostSignedInteraction(r.ctx, r.url, spec)
	if err != nil {
		t.Fatalf("%s%s: %v", spec.CommandName, spec.CustomID, err)
	}
	return it
}

// press presses msg's button for action as user on this replica.
func (r *replica) press(t *testing.T, msg discordfake.Message, action, user string) *discordfake.Interaction {
	t.Helper()
	return r.post(t, discordfake.InteractionSpec{CustomID: button(t, msg, action), MessageID: msg.ID, UserID: user})
}

// visible is what a user sees of a message: whether it is theirs alone,
// its text and the links of its embeds' titles.
func visible(m discordfake.Message) string {
	var urls []string
	for _, e := range m.Embeds {
		urls = append(urls, e.URL)
	}
	return fmt.Sprintf("ephemeral=%v\n%s\nurls=%v", m.Ephemeral(), m.Text(), urls)
}

// citedElsewhere answers as the fake does, but links each citation to a
// text fragment of its own, not the passage's URL: a replica without the
// record must take the link from the message.
func citedElsewhere(svc *fakeService) func(context.Context, briefbot.AskRequest) (briefbot.Answer, error) {
	inner := svc.ask
	return func(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
		a, err := inner(ctx, req)
		for i, c := range a.Citations {
			a.Citations[i].URL = withoutFragment(c.URL) + "#:~:text=cited-" + fmt.Sprint(c.N)
		}
		return a, err
	}
}

// TestButtonsOnAnotherReplica: the buttons of an answer replica A gave
// work on replica B, which holds no record of it, with what A would show.
func TestButtonsOnAnotherReplica(t *testing.T) {
	t.Parallel()
	rs := startReplicas(t, 2, citedElsewhere)
	a, b := rs[0], rs[1]
	fake := a.fake
	question := "What does Article 9 call for?"

	for _, private := range []bool{false, true} {
		t.Run(fmt.Sprintf("private=%v", private), func(t *testing.T) {
			msg := a.final(a.post(t, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
				discordfake.Opt("question", question), discordfake.Opt("private", private)}}))
			if msg.Ephemeral() != private || len(msg.CustomIDs()) == 0 {
				t.Fatalf("answer ephemeral=%v buttons %v", msg.Ephemeral(), msg.CustomIDs())
			}
			answerID := strings.TrimPrefix(button(t, msg, actionVoteUp), "bb:up:")
			if _, ok, _ := b.records.Answer(a.ctx, answerID); ok {
				t.Fatal("replica B holds the answer's record")
			}

			// Show passages: the same passages, links and numbers.
			onA := a.final(a.press(t, msg, actionPassages, ""))
			onB := b.final(b.press(t, msg, actionPassages, ""))
			if !strings.Contains(onA.Text(), "Article 9") {
				t.Fatalf("passages on A: %q", onA.Text())
			}
			if visible(onB) != visible(onA) {
				t.Errorf("passages on B:\n%s\nwant as on A:\n%s", visible(onB), visible(onA))
			}

			// Votes are kept by the replica that took them, by answer ID.
			up := b.final(b.press(t, msg, actionVoteUp, ""))
			if !strings.Contains(up.Text(), "Thanks") {
				t.Errorf("vote on B: %q", up.Text())
			}
			if v := b.records.vote(answerID, fake.UserID); !v.Helpful || v.Time.IsZero() {
				t.Errorf("vote on B = %+v", v)
			}
			cb := b.callback(b.press(t, msg, actionVoteDown, ""))
			if cb.Modal == nil {
				t.Fatalf("down vote on B: %+v, want the form", cb)
			}
			why := b.final(b.post(t, discordfake.InteractionSpec{CustomID: cb.Modal.CustomID,
				ModalSelections: map[string][]string{inputReason: {briefbot.ReasonIncomplete}},
				ModalValues:     map[string]string{inputComment: "more please"}}))
			if !strings.Contains(why.Text(), "Thanks") {
				t.Errorf("form on B: %q", why.Text())
			}
			if v := b.records.vote(answerID, fake.UserID); v.Helpful || v.Reason != briefbot.ReasonIncomplete || v.Comment != "more please" {
				t.Errorf("down vote on B = %+v", v)
			}

			// Follow up: B rebuilds the earlier turn from the message.
			follow := fmt.Sprintf("And Article 6, private=%v?", private)
			press := b.press(t, msg, actionFollowUp, "")
			form := b.callback(press)
			if form.Modal == nil {
				t.Fatalf("follow up on B: %+v, want the form", form)
			}
			done := b.final(b.post(t, discordfake.InteractionSpec{CustomID: form.Modal.CustomID, ModalValues: map[string]string{inputQuestion: follow}}))
			if got := b.spy.questions(follow); !slices.Equal(got, []string{question}) {
				t.Errorf("follow-up on B read with %v, want the answer's question", got)
			}
			if private {
				if !done.Ephemeral() || !strings.Contains(done.Text(), "Article 6") {
					t.Errorf("private follow-up on B: ephemeral=%v %q", done.Ephemeral(), done.Text())
				}
				if th := fake.Threads(fake.ChannelID); slices.ContainsFunc(th, func(c discordfake.Channel) bool { return c.ID == msg.ID }) {
					t.Error("a private follow-up started a thread")
				}
				// Again on B: the rebuilt conversation goes on there.
				next := "And the corridor, privately?"
				form := b.callback(b.press(t, done, actionFollowUp, ""))
				b.final(b.post(t, discordfake.InteractionSpec{CustomID: form.Modal.CustomID, ModalValues: map[string]string{inputQuestion: next}}))
				if got := b.spy.questions(next); !slices.Equal(got, []string{question, follow}) {
					t.Errorf("second private follow-up on B read with %v", got)
				}
			} else {
				if !done.Ephemeral() || !strings.Contains(done.Text(), "Answered in <#"+msg.ID+">") {
					t.Errorf("public follow-up on B: ephemeral=%v %q", done.Ephemeral(), done.Text())
				}
				posted, err := fake.WaitMessage(a.ctx, func(m discordfake.Message) bool {
					return m.ChannelID == msg.ID && strings.Contains(m.Text(), follow)
				})
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(posted.Text(), "Follow-up from <@"+fake.UserID+">") {
					t.Errorf("thread answer %q", posted.Text())
				}
				// A, which has the record but not the thread B started,
				// joins that thread rather than failing to start one.
				again := "What about the corridor?"
				form := a.callback(a.press(t, msg, actionFollowUp, fake.OwnerID))
				done := a.final(a.post(t, discordfake.InteractionSpec{CustomID: form.Modal.CustomID, UserID: fake.OwnerID, ModalValues: map[string]string{inputQuestion: again}}))
				if !strings.Contains(done.Text(), "<#"+msg.ID+">") {
					t.Errorf("second follow-up on A: %q", done.Text())
				}
				// In the thread, a follow-up on B's answer pressed on A
				// (which has no record of it) stays in the thread.
				inThread := "And Tehran in the thread?"
				form = a.callback(a.press(t, posted, actionFollowUp, ""))
				done = a.final(a.post(t, discordfake.InteractionSpec{CustomID: form.Modal.CustomID, ModalValues: map[string]string{inputQuestion: inThread}}))
				if !strings.Contains(done.Text(), "<#"+msg.ID+">") {
					t.Errorf("follow-up in the thread on A: %q", done.Text())
				}
				if got := a.spy.questions(inThread); len(got) == 0 || got[len(got)-1] != follow {
					t.Errorf("follow-up in the thread read with %v, want B's answer last", got)
				}
				if n := len(fake.Threads(fake.ChannelID)); n != 1 {
					t.Errorf("%d threads, want one", n)
				}
			}

			if !private {
				return
			}
			// Share: B posts the answer as its asker saw it, once.
			shared := b.final(b.press(t, msg, actionShare, ""))
			if shared.Ephemeral() || !strings.HasPrefix(shared.Text(), "Shared by <@"+fake.UserID+">\n") {
				t.Fatalf("shared on B: ephemeral=%v %q", shared.Ephemeral(), shared.Text())
			}
			if got, want := strings.TrimPrefix(shared.Text(), "Shared by <@"+fake.UserID+">\n"), msg.Text(); got != want {
				t.Errorf("shared answer:\n%s\nwant the private one:\n%s", got, want)
			}
			ids := shared.CustomIDs()
			if len(ids) != 4 || slices.ContainsFunc(ids, func(id string) bool { return strings.HasPrefix(id, "bb:share:") }) ||
				button(t, shared, actionPassages) != strings.Replace(button(t, msg, actionPassages), answerID, sharedID(answerID), 1) {
				t.Errorf("shared answer's buttons %v (the private one's %v)", ids, msg.CustomIDs())
			}
			again := b.final(b.press(t, msg, actionShare, ""))
			if !again.Ephemeral() || !strings.Contains(again.Text(), "already shared") {
				t.Errorf("second share on B: %q", again.Text())
			}
			// The shared copy's passages, on A, which never saw it.
			others := a.final(a.press(t, shared, actionPassages, fake.OwnerID))
			if others.Text() != onA.Text() {
				t.Errorf("shared copy's passages on A:\n%s\nwant:\n%s", others.Text(), onA.Text())
			}
		})
	}

	t.Run("related", func(t *testing.T) {
		refused := a.shown(a.post(t, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
			discordfake.Opt("question", "What is the population of Canada?")}}))
		onA := a.final(a.press(t, refused, actionRelated, ""))
		onB := b.final(b.press(t, refused, actionRelated, ""))
		if len(onA.Embeds) != 1 || len(onB.Embeds) != 1 {
			t.Fatalf("related on A %q, on B %q", onA.Text(), onB.Text())
		}
		// B does not know the question; everything else is the same.
		wantB := onA
		wantB.Embeds = slices.Clone(onA.Embeds)
		wantB.Embeds[0].Title = ""
		if !strings.Contains(onA.Embeds[0].Title, "Canada") || visible(onB) != visible(wantB) {
			t.Errorf("related on B:\n%s\nwant as on A, untitled:\n%s", visible(onB), visible(onA))
		}
	})
}

// reset empties the records, as if another replica answered.
func (m *memoryRecords) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.order.Init()
	clear(m.answers)
	clear(m.votes)
	clear(m.conversa)
}

// TestExpiredWithoutRecord: without its record, an answer's buttons work
// until the answer is older than discord.answer_retention, then say it
// expired; with no retention set, they never do.
func TestExpiredWithoutRecord(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		retention, age time.Duration
		expired        bool
	}{
		{24 * time.Hour, 0, false},
		{24 * time.Hour, 23 * time.Hour, false},
		{24 * time.Hour, 25 * time.Hour, true},
		{0, 1000 * time.Hour, false},
	} {
		t.Run(fmt.Sprintf("retention=%v,age=%v", c.retention, c.age), func(t *testing.T) {
			t.Parallel()
			e := startBot(t, setup{opts: func(o *Options, _ *discordfake.Server) { o.AnswerRetention = c.retention }})
			msg := e.final(e.ask("", "What does Article 9 call for?"))
			e.records.reset()
			e.clock.Advance(c.age)
			for _, action := range []string{actionPassages, actionVoteUp} {
				got := e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CustomID: button(t, msg, action), MessageID: msg.ID}))
				if expired := strings.Contains(got.Text(), "expired"); expired != c.expired {
					t.Errorf("%s: %q, want expired=%v", action, got.Text(), c.expired)
				}
			}
		})
	}
}

func TestIDTime(t *testing.T) {
	at := time.Date(2026, 5, 6, 7, 8, 9, 123_000_000, time.UTC)
	id := newIDAt(at)
	for _, c := range []struct {
		id   string
		want time.Time
		ok   bool
	}{
		{id, at, true},
		{sharedID(id), at, true},
		{strings.ToUpper(id), time.Time{}, false},
		{id[:22], time.Time{}, false},
		{id + "0", time.Time{}, false},
		{"not-ours", time.Time{}, false},
		{"zzzzzzzzzzzzzzzzzzzzzzz", time.Time{}, false},
		{"", time.Time{}, false},
		{strings.Repeat("0", 23), time.Time{}, false},
	} {
		got, ok := idTime(c.id)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("idTime(%q) = %v %v, want %v %v", c.id, got, ok, c.want, c.ok)
		}
	}
}

// TestCustomIDRefs: with five citations, and on a shared copy, every ref
// fits in Discord's 100 characters and reads back in order.
func TestCustomIDRefs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		at := time.UnixMilli(r.Int64N(1 << 47))
		id := newIDAt(at)
		if i%2 == 1 {
			id = sharedID(id)
		}
		var refs []string
		for j := range 5 {
			refs = append(refs, passageRef(fmt.Sprintf("doc-%d#passage-%d-%d", i, j, r.Int())))
		}
		cid := customID(actionPassages, id, refs...)
		if len(cid) > maxCustomID {
			t.Fatalf("custom_id %q has %d characters", cid, len(cid))
		}
		action, answer, raw, ok := parseCustomID(cid)
		if !ok || action != actionPassages || answer != id || !slices.Equal(splitRefs(raw), refs) {
			t.Fatalf("parseCustomID(%q) = %q %q %v %v, want %q %v", cid, action, answer, splitRefs(raw), ok, id, refs)
		}
	}
	// Refs that do not fit are left out, from the first that does not.
	var many []string
	for j := range 20 {
		many = append(many, passageRef(fmt.Sprint(j)))
	}
	id := sharedID(newID())
	cid := customID(actionPassages, id, many...)
	_, _, raw, _ := parseCustomID(cid)
	if got := splitRefs(raw); len(cid) > maxCustomID || len(got) < 5 || !slices.Equal(got, many[:len(got)]) {
		t.Errorf("custom_id %q (%d characters) keeps refs %v", cid, len(cid), got)
	}
}

func FuzzRefs(f *testing.F) {
	f.Add("caucasus-brief#why-now-1", "Tensions with Tehran spiked.", "spiked")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, passageID, text, quote string) {
		refs := relatedRefs([]briefbot.Hit{{Passage: briefbot.Passage{ID: passageID, Text: text}, Quote: quote}})
		if len(refs) != 1 || !validRef(refs[0]) || !strings.HasPrefix(refs[0], passageRef(passageID)) {
			t.Fatalf("relatedRefs = %v", refs)
		}
		if cid := customID(actionRelated, newID(), refs[0], refs[0], refs[0]); len(cid) > maxCustomID || len(splitRefs(strings.SplitN(cid, ":", 4)[3])) != 3 {
			t.Fatalf("custom_id %q", cid)
		}
		got := quoteAt(refs[0], text)
		if q := strings.TrimSpace(quote); q != "" && utf8.ValidString(q) && strings.Contains(text, q) && len(text) <= maxSpan && got != q {
			t.Fatalf("quoteAt(%q) = %q, want %q", refs[0], got, q)
		}
		if got != "" && !strings.Contains(text, got) {
			t.Fatalf("quoteAt(%q) = %q, not in the text", refs[0], got)
		}
	})
}

// TestPlainAnswer: the answer read back from its embed is the answer's
// text as numbered for display.
func TestPlainAnswer(t *testing.T) {
	svc := newFakeService(t)
	for _, q := range []string{"What does Article 9 call for?", "What about the corridor and Tehran?", "Who wrote *the* town hall notes?"} {
		a := svc.cannedAnswer(q)
		if !a.Answerable {
			t.Fatalf("%q not answered by the fake", q)
		}
		for i := range a.Citations {
			a.Citations[i].URL = "https://example.org/x#:~:text=" + fmt.Sprint(i)
		}
		m := answerMessage(langEN, a, "id")
		if got, want := plainAnswer(m.Embeds[0].Description), numberByFirstUse(a).Text; got != want {
			t.Errorf("%q: plainAnswer =\n%q\nwant\n%q", q, got, want)
		}
		urls := sourceURLs(m.Embeds[0])
		for _, c := range numberByFirstUse(a).Citations {
			if urls[c.N] != c.URL {
				t.Errorf("%q: source [%d] links %q, want %q", q, c.N, urls[c.N], c.URL)
			}
		}
	}
}

// TestRefsOnTheBrief: every passage of the real index is found by its ref
// (the built-in brief has no two passages with one ref).
func TestRefsOnTheBrief(t *testing.T) {
	t.Parallel()
	lib := openLibrary(t)
	b := &Bot{svc: lib}
	n := 0
	for _, d := range lib.Documents() {
		for _, p := range d.Passages {
			n++
			full, _ := lib.Passage(p.ID) // the listing may lack texts
			got, ok := b.passageByRef(passageRef(p.ID))
			if !ok || got.ID != p.ID || got.Text != full.Text || got.Text == "" {
				t.Fatalf("ref %s of %q finds %q, %v", passageRef(p.ID), p.ID, got.ID, ok)
			}
		}
	}
	if n == 0 || len(b.refs.byRef) != n {
		t.Errorf("%d refs for %d passages", len(b.refs.byRef), n)
	}
	if _, ok := b.passageByRef("zzzzzz"); ok {
		t.Error("an unknown ref found a passage")
	}
}

// TestRefIndexPerVersion: the ref lookup reads the documents once per
// index version.
func TestRefIndexPerVersion(t *testing.T) {
	svc := newFakeService(t)
	reads := 0
	svc.docsHook = func() { reads++ }
	b := &Bot{svc: svc}
	ref := passageRef(svc.passages()[0].ID)
	for range 3 {
		if _, ok := b.passageByRef(ref); !ok {
			t.Fatal("passage not found by its ref")
		}
	}
	svc.info.Version = "v-test-2"
	b.passageByRef(ref)
	if reads != 2 {
		t.Errorf("documents read %d times for two index versions", reads)
	}
}

// TestPassagesOnAReplicaMissingOne: a replica rebuilding an answer whose
// first cited passage has left its index since shows the other passages
// with the links the answer gave them (each its own passage's, not the
// one before it's). Their labels are numbered again from 1, as the view
// numbers citations by first use.
func TestPassagesOnAReplicaMissingOne(t *testing.T) {
	t.Parallel()
	var hidden atomic.Value // the passage ID replica B no longer has
	hidden.Store("")
	made := 0
	rs := startReplicas(t, 2, func(svc *fakeService) func(context.Context, briefbot.AskRequest) (briefbot.Answer, error) {
		if made++; made == 2 {
			svc.passage = func(id string) (briefbot.Passage, bool) {
				if id == hidden.Load().(string) {
					return briefbot.Passage{}, false
				}
				for _, p := range svc.passages() {
					if p.ID == id {
						return p, true
					}
				}
				return briefbot.Passage{}, false
			}
		}
		return citedElsewhere(svc)
	})
	a, b := rs[0], rs[1]
	msg := a.final(a.post(t, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
		discordfake.Opt("question", "What does Article 9 call for?")}}))
	answerID := strings.TrimPrefix(button(t, msg, actionVoteUp), "bb:up:")
	rec, ok, err := a.records.Answer(a.ctx, answerID)
	if err != nil || !ok || len(rec.Answer.Citations) < 2 {
		t.Fatalf("the answer cites %d passages (%v, %v); the test needs two", len(rec.Answer.Citations), ok, err)
	}
	hidden.Store(rec.Answer.Citations[0].PassageID)
	onA := a.final(a.press(t, msg, actionPassages, ""))
	onB := b.final(b.press(t, msg, actionPassages, ""))
	if len(onB.Embeds) == 0 || len(onB.Embeds) != len(onA.Embeds)-1 {
		t.Fatalf("B shows %d passages, A %d", len(onB.Embeds), len(onA.Embeds))
	}
	for i, e := range onB.Embeds {
		if w := onA.Embeds[i+1]; e.URL != w.URL || e.Description != w.Description {
			t.Errorf("passage %d on B: %s %q; as on A: %s %q", i+1, e.URL, e.Description, w.URL, w.Description)
		}
	}
}
