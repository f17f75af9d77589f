package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/syncbuf"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
	"github.com/briefbot/briefbot/internal/library"
)

func TestMain(m *testing.M) {
	// discordgo's lines go to slog.Default (see init); keep test output
	// quiet unless asked.
	if os.Getenv("BOT_TEST_LOG") == "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	os.Exit(m.Run())
}

// testDocuments loads the fixture documents.
func testDocuments(t testing.TB) []briefbot.Document {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "documents.json"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []briefbot.Document
	if err := json.Unmarshal(raw, &docs); err != nil {
		t.Fatalf("testdata/documents.json: %v", err)
	}
	return docs
}

// fakeService is a Service whose answers, slowness and failures the test
// controls. Zero function fields take the defaults described on each.
type fakeService struct {
	docs []briefbot.Document
	info briefbot.IndexInfo

	ask      func(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error)
	search   func(ctx context.Context, q string, k int) ([]briefbot.Hit, error)
	suggest  func(typed string, questions []string, n int) []string
	reindex  func(ctx context.Context, progress func(done, total int)) (briefbot.ReindexReport, error)
	passage  func(id string) (briefbot.Passage, bool)
	docsHook func()

	asks atomic.Int32
}

func newFakeService(t testing.TB) *fakeService {
	return &fakeService{
		docs: testDocuments(t),
		info: briefbot.IndexInfo{Version: "v-test-1", BuiltAt: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC), Documents: 2, Passages: 4},
	}
}

func (f *fakeService) passages() []briefbot.Passage {
	var ps []briefbot.Passage
	for _, d := range f.docs {
		ps = append(ps, d.Passages...)
	}
	return ps
}

// cite makes a citation of a passage, quoting its first sentence when the
// passage is long.
func cite(n int, p briefbot.Passage) briefbot.Citation {
	quote := p.Text
	if i := strings.Index(quote, ". "); i > 0 && len(quote) > 200 {
		quote = quote[:i+1]
	}
	return briefbot.Citation{N: n, DocID: p.DocID, PassageID: p.ID, Title: p.Title, Section: p.Section, Paragraph: p.Paragraph, URL: p.URL, Quote: quote}
}

// cannedAnswer cites the passages whose text shares a word of four letters
// or more with the question; none means not covered.
func (f *fakeService) cannedAnswer(q string) briefbot.Answer {
	a := briefbot.Answer{Question: q, Mode: briefbot.ModeExtractive, Index: f.info}
	words := strings.Fields(strings.ToLower(strings.Trim(q, "?")))
	var texts []string
	for _, p := range f.passages() {
		low := strings.ToLower(p.Text)
		for _, w := range words {
			if len(w) >= 4 && strings.Contains(low, w) {
				c := cite(len(a.Citations)+1, p)
				a.Citations = append(a.Citations, c)
				texts = append(texts, fmt.Sprintf("%s [%d]", c.Quote, c.N))
				break
			}
		}
	}
	if len(a.Citations) == 0 {
		a.Text = "The documents do not cover this question."
		for i, p := range f.passages() {
			a.Related = append(a.Related, briefbot.Hit{Passage: p, Rank: i + 1, Quote: p.Text, Exact: 1, Coverage: 0.5, Matched: []string{"canada"}})
		}
		return a
	}
	a.Answerable = true
	a.Text = strings.Join(texts, " ")
	return a
}

func (f *fakeService) Ask(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
	f.asks.Add(1)
	if f.ask != nil {
		return f.ask(ctx, req)
	}
	return f.cannedAnswer(req.Question), nil
}

func (f *fakeService) Search(ctx context.Context, q string, k int) ([]briefbot.Hit, error) {
	if f.search != nil {
		return f.search(ctx, q, k)
	}
	var hits []briefbot.Hit
	for _, c := range f.cannedAnswer(q).Citations {
		p, _ := f.Passage(c.PassageID)
		hits = append(hits, briefbot.Hit{Passage: p, Rank: len(hits) + 1, Score: 1, Quote: c.Quote})
		if len(hits) == k {
			break
		}
	}
	return hits, nil
}

func (f *fakeService) Documents() []briefbot.Document {
	if f.docsHook != nil {
		f.docsHook()
	}
	return f.docs
}

func (f *fakeService) Passage(id string) (briefbot.Passage, bool) {
	if f.passage != nil {
		return f.passage(id)
	}
	for _, p := range f.passages() {
		if p.ID == id {
			return p, true
		}
	}
	return briefbot.Passage{}, false
}

func (f *fakeService) Info() briefbot.IndexInfo { return f.info }

func (f *fakeService) Suggest(typed string, questions []string, n int) []string {
	if f.suggest != nil {
		return f.suggest(typed, questions, n)
	}
	var out []string
	low := strings.ToLower(typed)
	for _, q := range questions {
		if strings.Contains(strings.ToLower(q), low) && len(out) < n {
			out = append(out, q)
		}
	}
	for _, d := range f.docs {
		for _, s := range d.Sections {
			if strings.Contains(strings.ToLower(s), low) && len(out) < n {
				out = append(out, s)
			}
		}
	}
	return out
}

func (f *fakeService) Reindex(ctx context.Context, progress func(done, total int)) (briefbot.ReindexReport, error) {
	if f.reindex != nil {
		return f.reindex(ctx, progress)
	}
	return briefbot.ReindexReport{Info: f.info, Took: time.Second}, nil
}

// setup describes one bot under test.
type setup struct {
	svc  Service
	opts func(*Options, *discordfake.Server)
	fake discordfake.Options
	// tweak changes the bot before it runs (internal knobs, session).
	tweak func(*Bot)
	// noReady: do not wait for the gateway (tests of startup failures).
	noReady bool
}

// env is a bot running against a fake Discord.
type env struct {
	t     testing.TB
	ctx   context.Context
	fake  *discordfake.Server
	bot   *Bot
	clock *discordfake.Clock // the bot's clock
	logs  *syncbuf.Buffer
	// records are the bot's answers, votes and conversations.
	records *memoryRecords

	stop    context.CancelFunc
	done    chan error
	errOnce sync.Once
	err     error
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startBot runs a bot against a new fake Discord and waits until it is
// connected.
func startBot(t testing.TB, s setup) *env {
	t.Helper()
	fake := discordfake.New(t, s.fake)
	return startBotOn(t, fake, s)
}

// startBotOn runs a bot against an existing fake (a restart, or a fake set
// up beforehand).
func startBotOn(t testing.TB, fake *discordfake.Server, s setup) *env {
	t.Helper()
	e := &env{t: t, ctx: testContext(t), fake: fake, clock: discordfake.NewClock(time.Time{}), logs: &syncbuf.Buffer{}, records: newMemoryRecords(memoryAnswers, memoryTurns), done: make(chan error, 1)}
	if s.svc == nil {
		s.svc = newFakeService(t)
	}
	opts := Options{
		Token:         fake.Token,
		ApplicationID: fake.ApplicationID,
		APIBase:       fake.BaseURL,
		Transport:     fake.Transport(),
		GuildIDs:      []string{fake.GuildID},
		MaxInFlight:   64,
		QueueWait:     10 * time.Second, // discord.queue_wait's default
		AnswerTimeout: 20 * time.Second,
		Records:       e.records,
		Logger:        slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           e.clock.Now,
	}
	if s.opts != nil {
		s.opts(&opts, fake)
	}
	b, err := New(opts, s.svc)
	if err != nil {
		t.Fatal(err)
	}
	e.bot = b
	if s.tweak != nil {
		s.tweak(b)
	}
	runCtx, stop := context.WithCancel(context.Background())
	e.stop = stop
	go func() { e.done <- b.Run(runCtx) }()
	// Registered after discordfake.New: runs first, so the bot stops
	// before the fake checks for violations and shuts down.
	t.Cleanup(func() {
		stop()
		if err := e.result(); err != nil && !s.noReady {
			var fatal *FatalCloseError
			if !errors.As(err, &fatal) {
				t.Errorf("Run: %v", err)
			}
		}
		checkAllowedMentions(t, fake)
		// Secrets never reach the logs: not the bot token, not an
		// interaction's token (every scenario runs this check).
		if log := e.logs.String(); strings.Contains(log, fake.Token) {
			t.Errorf("the bot token appears in the bot's log")
		} else {
			for _, it := range fake.Interactions() {
				if it.Token != "" && strings.Contains(log, it.Token) {
					t.Errorf("interaction %s's token appears in the bot's log", it.ID)
					break
				}
			}
		}
		if t.Failed() {
			t.Logf("bot log:\n%s", e.logs)
		}
	})
	if !s.noReady {
		select {
		case <-b.Ready():
		case <-e.ctx.Done():
			t.Fatalf("bot not ready: %v", e.ctx.Err())
		}
	}
	return e
}

// result waits for Run to return (at most 20 s) and gives its error.
func (e *env) result() error {
	e.errOnce.Do(func() {
		select {
		case e.err = <-e.done:
		case <-time.After(20 * time.Second):
			e.err = errors.New("Run did not return within 20 s")
		}
	})
	return e.err
}

// ask dispatches /ask as user (default user when "").
func (e *env) ask(user, question string, extra ...discordfake.Option) *discordfake.Interaction {
	opts := append([]discordfake.Option{discordfake.Opt("question", question)}, extra...)
	return e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "ask", UserID: user, Options: opts})
}

// command dispatches a slash command as the default user.
func (e *env) command(name string, opts ...discordfake.Option) *discordfake.Interaction {
	return e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: name, Options: opts})
}

// autocomplete types typed into option of command and waits for the
// choices offered.
func (e *env) autocomplete(command, option, typed string) discordfake.Callback {
	e.t.Helper()
	return e.callback(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: command, Focused: option, Options: []discordfake.Option{discordfake.Opt(option, typed)}}))
}

// choiceValues are the values of the autocomplete choices offered.
func choiceValues(cb discordfake.Callback) []string {
	var values []string
	for _, c := range cb.Choices {
		values = append(values, c.Value.(string))
	}
	return values
}

// final waits for the message the user ends up seeing.
func (e *env) final(it *discordfake.Interaction) discordfake.Message {
	e.t.Helper()
	ev, err := it.WaitFinal(e.ctx)
	if err != nil {
		e.t.Fatalf("interaction %s (%s%s): %v\nevents: %+v", it.ID, it.CommandName, it.CustomID, err, it.Events())
	}
	return ev.Message
}

// shownEvent waits for what the asker ends up reading: the final response,
// or the followup shown to them alone after a public "thinking…" was
// removed (a failure, a refusal).
func shownEvent(ctx context.Context, it *discordfake.Interaction) (discordfake.Event, error) {
	return it.WaitEvent(ctx, func(ev discordfake.Event) bool {
		if ev.Kind == discordfake.EventFollowup {
			return true
		}
		return ev.Original && ev.Kind != discordfake.EventDelete && ev.Kind != discordfake.EventRejected && !ev.Message.Deferred
	})
}

// shown is shownEvent's message.
func (e *env) shown(it *discordfake.Interaction) discordfake.Message {
	e.t.Helper()
	ev, err := shownEvent(e.ctx, it)
	if err != nil {
		e.t.Fatalf("interaction %s (%s%s): %v\nevents: %+v", it.ID, it.CommandName, it.CustomID, err, it.Events())
	}
	return ev.Message
}

// callback waits for the initial response.
func (e *env) callback(it *discordfake.Interaction) discordfake.Callback {
	e.t.Helper()
	cb, err := it.WaitCallback(e.ctx)
	if err != nil {
		e.t.Fatalf("interaction %s (%s%s): %v", it.ID, it.CommandName, it.CustomID, err)
	}
	return cb
}

// addMember makes a new guild member (plain @everyone permissions).
func addMember(t testing.TB, fake *discordfake.Server, roles ...string) string {
	t.Helper()
	u := fake.AddUser(discordfake.User{})
	if err := fake.SetMember(fake.GuildID, discordfake.Member{UserID: u.ID, Roles: roles}); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// carriesMessage reports a REST call whose body creates or edits a
// message (and so must carry allowed_mentions).
func carriesMessage(r discordfake.Request) bool {
	switch {
	case r.Method == "POST" && strings.HasSuffix(r.Route, "/callback"):
		var cb struct {
			Type int             `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		_ = json.Unmarshal(r.Body, &cb)
		return cb.Type == 4 || cb.Type == 7 || cb.Type == 5 && len(cb.Data) > 0 && string(cb.Data) != "null"
	case r.Method == "PATCH" && strings.HasPrefix(r.Route, "/webhooks/"):
		return true
	case r.Method == "POST" && strings.HasPrefix(r.Route, "/webhooks/"):
		return true
	case strings.HasSuffix(r.Route, "/threads"):
		// Starting a thread names it; no message is sent.
		return false
	case (r.Method == "POST" || r.Method == "PATCH") && strings.HasPrefix(r.Route, "/channels/") && strings.Contains(r.Route, "/messages"):
		return true
	}
	return false
}

// checkAllowedMentions proves no message the bot sent could ping anyone:
// each carries allowed_mentions with an empty parse list and no users or
// roles.
func checkAllowedMentions(t testing.TB, fake *discordfake.Server) {
	t.Helper()
	for _, r := range fake.Requests() {
		if !carriesMessage(r) {
			continue
		}
		var body struct {
			AllowedMentions *struct {
				Parse       []string `json:"parse"`
				Users       []string `json:"users"`
				Roles       []string `json:"roles"`
				RepliedUser bool     `json:"replied_user"`
			} `json:"allowed_mentions"`
			Data *struct {
				AllowedMentions *struct {
					Parse []string `json:"parse"`
				} `json:"allowed_mentions"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Errorf("%s %s: body is not JSON: %v", r.Method, r.Path, err)
			continue
		}
		if strings.HasSuffix(r.Route, "/callback") {
			if body.Data == nil || body.Data.AllowedMentions == nil || body.Data.AllowedMentions.Parse == nil || len(body.Data.AllowedMentions.Parse) != 0 {
				t.Errorf("%s %s: callback without allowed_mentions {parse: []}: %s", r.Method, r.Route, r.Body)
			}
			continue
		}
		am := body.AllowedMentions
		if am == nil || am.Parse == nil || len(am.Parse) != 0 || len(am.Users) != 0 || len(am.Roles) != 0 || am.RepliedUser {
			t.Errorf("%s %s: allowed_mentions allows pings: %s", r.Method, r.Route, r.Body)
		}
	}
}

// openLibrary opens the real library on the built-in brief (or corpus).
func openLibrary(t testing.TB, corpus ...string) *library.Library {
	t.Helper()
	lib, err := library.Open(context.Background(), library.Options{
		IndexDir:    filepath.Join(t.TempDir(), "index"),
		CorpusPaths: corpus,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

// gate lets a test hold a fake service call until it says so.
type gate struct {
	entered chan string
	release chan struct{}
}

func newGate() *gate { return &gate{entered: make(chan string, 64), release: make(chan struct{})} }

// wait records that a call arrived and blocks until released or ctx ends.
func (g *gate) wait(ctx context.Context, what string) error {
	g.entered <- what
	select {
	case <-g.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) arrived(t testing.TB, ctx context.Context) string {
	t.Helper()
	select {
	case w := <-g.entered:
		return w
	case <-ctx.Done():
		t.Fatalf("service call never arrived: %v", ctx.Err())
		return ""
	}
}
