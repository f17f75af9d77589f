package bot

import (
	"bytes"
	"encoding/hex"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/internal/discordfake"
)

// startHTTPBot runs a bot in HTTP interactions mode against a fake
// Discord, its endpoint on a loopback server; it returns the endpoint URL.
func startHTTPBot(t *testing.T, s setup) (*env, string) {
	t.Helper()
	return startHTTPBotOn(t, discordfake.New(t, s.fake), s)
}

// startHTTPBotOn is startHTTPBot on an existing fake Discord (another
// replica).
func startHTTPBotOn(t *testing.T, fake *discordfake.Server, s setup) (*env, string) {
	t.Helper()
	inner := s.opts
	s.opts = func(o *Options, f *discordfake.Server) {
		o.Mode = ModeHTTP
		o.PublicKey = strings.ToUpper(hex.EncodeToString(f.PublicKey()))
		// The fake signs with the wall clock.
		o.Now = time.Now
		if inner != nil {
			inner(o, f)
		}
	}
	e := startBotOn(t, fake, s)
	srv := httptest.NewServer(e.bot.InteractionsHandler())
	t.Cleanup(srv.Close)
	return e, srv.URL + "/interactions"
}

func readCloser(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

func TestHTTPInteractions(t *testing.T) {
	t.Parallel()
	e, url := startHTTPBot(t, setup{})
	if !e.bot.Serving() || e.bot.Connected() {
		t.Errorf("serving=%v connected=%v, want serving without a gateway", e.bot.Serving(), e.bot.Connected())
	}
	if ids := e.fake.Identifies(); len(ids) != 0 {
		t.Errorf("%d gateway identifies in http mode, want none", len(ids))
	}
	if err := e.fake.PostSignedPing(e.ctx, url); err != nil {
		t.Fatalf("PING: %v", err)
	}

	post := func(spec discordfake.InteractionSpec) *discordfake.Interaction {
		t.Helper()
		it, err := e.fake.PostSignedInteraction(e.ctx, url, spec)
		if err != nil {
			t.Fatalf("%s%s: %v", spec.CommandName, spec.CustomID, err)
		}
		return it
	}

	// /ask: deferred in the HTTP answer, finished over REST.
	ask := post(discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
		discordfake.Opt("question", "What does Article 9 call for?"), discordfake.Opt("private", false)}})
	if cb := e.callback(ask); cb.Type != discordfake.CallbackDeferredChannelMessage {
		t.Errorf("/ask answered with type %d, want a deferral", cb.Type)
	}
	answer := e.final(ask)
	if !strings.Contains(answer.Text(), "unblocking") || answer.Ephemeral() {
		t.Fatalf("answer ephemeral=%v %q", answer.Ephemeral(), answer.Text())
	}

	// A quick command is answered inline, in full.
	sources := post(discordfake.InteractionSpec{CommandName: "sources"})
	if cb := e.callback(sources); cb.Type != discordfake.CallbackChannelMessage {
		t.Errorf("/sources answered with type %d, want the message itself", cb.Type)
	}

	// Autocomplete inline.
	auto := post(discordfake.InteractionSpec{CommandName: "ask", Focused: "question", Options: []discordfake.Option{discordfake.Opt("question", "Border")}})
	if cb := e.callback(auto); cb.Type != discordfake.CallbackAutocompleteResult || len(cb.Choices) == 0 {
		t.Errorf("autocomplete = type %d, %d choices", cb.Type, len(cb.Choices))
	}

	// A button, and the form it opens, then the form's submit.
	ids := answer.CustomIDs()
	passages := post(discordfake.InteractionSpec{CustomID: ids[1], MessageID: answer.ID})
	if msg := e.final(passages); !msg.Ephemeral() || !strings.Contains(msg.Text(), "Article 6") {
		t.Errorf("passages ephemeral=%v %q", msg.Ephemeral(), msg.Text())
	}
	down := post(discordfake.InteractionSpec{CustomID: ids[3], MessageID: answer.ID})
	cb := e.callback(down)
	if cb.Type != discordfake.CallbackModal || cb.Modal == nil {
		t.Fatalf("down vote = %+v, want the form", cb)
	}
	why := post(discordfake.InteractionSpec{CustomID: cb.Modal.CustomID, MessageID: answer.ID,
		ModalSelections: map[string][]string{inputReason: {"wrong_source"}}, ModalValues: map[string]string{inputComment: "cites the wrong ¶"}})
	if msg := e.final(why); !strings.Contains(msg.Text(), "Thanks") {
		t.Errorf("form submit: %q", msg.Text())
	}
	answerID := strings.TrimPrefix(ids[3], "bb:down:")
	if v := e.records.vote(answerID, e.fake.UserID); v.Helpful || v.Reason != "wrong_source" || v.Comment != "cites the wrong ¶" {
		t.Errorf("vote = %+v", v)
	}
	e.fake.AssertClean(t)
}

// countingObserver counts the interactions endpoint's results.
type countingObserver struct {
	mu      sync.Mutex
	results map[string]int
}

func (c *countingObserver) Question(string, string, time.Duration) {}
func (c *countingObserver) Retrieval(time.Duration)                {}
func (c *countingObserver) Interaction(result string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.results[result]++
}

func TestHTTPInteractionRefusals(t *testing.T) {
	t.Parallel()
	obs := &countingObserver{results: map[string]int{}}
	e, url := startHTTPBot(t, setup{opts: func(o *Options, _ *discordfake.Server) { o.Observer = obs }})
	ctx := e.ctx
	valid := []byte(`{"type":1,"id":"1","token":"t","application_id":"` + e.fake.ApplicationID + `","version":1}`)

	send := func(req *http.Request) int {
		t.Helper()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	signed := func(body []byte) *http.Request {
		t.Helper()
		req, err := e.fake.SignedRequest(ctx, url, body)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	signedAt := func(body []byte, at time.Time) *http.Request {
		req := signed(body)
		ts := strconv.FormatInt(at.Unix(), 10)
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", e.fake.Sign(ts, body))
		return req
	}
	cases := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"valid ping", func() *http.Request { return signed(valid) }, http.StatusOK},
		{"no signature", func() *http.Request {
			req := signed(valid)
			req.Header.Del("X-Signature-Ed25519")
			return req
		}, http.StatusUnauthorized},
		{"signature of another body", func() *http.Request {
			req := signed(valid)
			other := bytes.Replace(valid, []byte(`"1"`), []byte(`"2"`), 1)
			req.Body, req.ContentLength = readCloser(other), int64(len(other))
			return req
		}, http.StatusUnauthorized},
		{"signature not hex", func() *http.Request {
			req := signed(valid)
			req.Header.Set("X-Signature-Ed25519", "zz")
			return req
		}, http.StatusUnauthorized},
		{"timestamp not a number", func() *http.Request {
			req := signed(valid)
			req.Header.Set("X-Signature-Timestamp", "soon")
			req.Header.Set("X-Signature-Ed25519", e.fake.Sign("soon", valid))
			return req
		}, http.StatusUnauthorized},
		{"timestamp changed after signing", func() *http.Request {
			req := signed(valid)
			req.Header.Set("X-Signature-Timestamp", strconv.FormatInt(time.Now().Unix()+1, 10))
			return req
		}, http.StatusUnauthorized},
		{"replayed: signed 6 minutes ago", func() *http.Request { return signedAt(valid, time.Now().Add(-6*time.Minute)) }, http.StatusUnauthorized},
		{"signed 6 minutes ahead", func() *http.Request { return signedAt(valid, time.Now().Add(6*time.Minute)) }, http.StatusUnauthorized},
		{"signed 4 minutes ago", func() *http.Request { return signedAt(valid, time.Now().Add(-4*time.Minute)) }, http.StatusOK},
		{"timestamp in year 1", func() *http.Request { return signedAt(valid, time.Time{}) }, http.StatusUnauthorized},
		{"too large", func() *http.Request {
			return signed(append(append([]byte(`{"type":1,"pad":"`), bytes.Repeat([]byte("a"), maxInteractionBytes)...), `"}`...))
		}, http.StatusRequestEntityTooLarge},
		{"not JSON", func() *http.Request { return signed([]byte(`{"type":`)) }, http.StatusBadRequest},
		{"no type", func() *http.Request { return signed([]byte(`{"id":"1"}`)) }, http.StatusBadRequest},
		{"unknown type", func() *http.Request { return signed([]byte(`{"type":42,"id":"1","token":"t"}`)) }, http.StatusBadRequest},
		{"command without data", func() *http.Request {
			return signed([]byte(`{"type":2,"id":"1","token":"t","user":{"id":"5"}}`))
		}, http.StatusBadRequest},
		{"command without user", func() *http.Request {
			return signed([]byte(`{"type":2,"id":"1","token":"t","data":{"name":"ask"}}`))
		}, http.StatusBadRequest},
		{"button without message", func() *http.Request {
			return signed([]byte(`{"type":3,"id":"1","token":"t","user":{"id":"5"},"data":{"custom_id":"bb:up:x","component_type":2}}`))
		}, http.StatusBadRequest},
		{"GET", func() *http.Request {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			return req
		}, http.StatusMethodNotAllowed},
	}
	want := map[string]int{}
	for _, c := range cases {
		if got := send(c.req()); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
		want[map[int]string{200: "answered", 401: "unauthorized", 413: "too_large", 400: "malformed", 405: "malformed"}[c.want]]++
	}
	obs.mu.Lock()
	if !maps.Equal(obs.results, want) {
		t.Errorf("observed %v, want %v", obs.results, want)
	}
	obs.mu.Unlock()
	// Nothing refused reached the REST API.
	for _, r := range e.fake.Requests() {
		if strings.Contains(r.Route, "/interactions/") || strings.HasPrefix(r.Route, "/webhooks/") {
			t.Errorf("a refused interaction was answered: %s %s", r.Method, r.Path)
		}
	}
}

// TestHTTPShutdownRefusesNewWork: once Run stops, a new interaction is
// told, privately and at once, that the bot is restarting.
func TestHTTPShutdownRefusesNewWork(t *testing.T) {
	t.Parallel()
	e, url := startHTTPBot(t, setup{})
	e.stop()
	if err := e.result(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if e.bot.Serving() {
		t.Error("still serving after Run returned")
	}
	it, err := e.fake.PostSignedInteraction(e.ctx, url, discordfake.InteractionSpec{CommandName: "sources"})
	if err != nil {
		t.Fatal(err)
	}
	if msg := e.final(it); !msg.Ephemeral() || !strings.Contains(msg.Text(), "restarting") {
		t.Errorf("after shutdown: ephemeral=%v %q", msg.Ephemeral(), msg.Text())
	}
}

func TestNewChecksHTTPMode(t *testing.T) {
	for _, c := range []struct {
		mode, key, want string
	}{
		{ModeHTTP, "", "64 hexadecimal"},
		{ModeHTTP, "abcd", "64 hexadecimal"},
		{"webhook", "", `"webhook"`},
	} {
		_, err := New(Options{Token: "x", Mode: c.mode, PublicKey: c.key}, newFakeService(t))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("mode %q key %q: %v, want %q", c.mode, c.key, err, c.want)
		}
	}
}

// FuzzDecodeInteraction: whatever a signed request carries, decoding
// returns an error or an interaction the handlers can read (its data of
// the right kind for its type), never a panic.
func FuzzDecodeInteraction(f *testing.F) {
	for _, seed := range []string{
		`{"type":1}`,
		`{"type":2,"id":"1","token":"t","user":{"id":"5"},"data":{"name":"ask","options":[{"name":"question","type":3,"value":"Why now?"}]}}`,
		`{"type":4,"id":"1","token":"t","member":{"user":{"id":"5"}},"data":{"name":"ask","options":[{"name":"question","type":3,"value":"Bor","focused":true}]}}`,
		`{"type":3,"id":"1","token":"t","user":{"id":"5"},"message":{"id":"9"},"data":{"custom_id":"bb:up:x","component_type":2}}`,
		`{"type":5,"id":"1","token":"t","user":{"id":"5"},"data":{"custom_id":"bb:why:x","components":[{"type":18,"component":{"type":3,"custom_id":"reason","values":["other"]}}]}}`,
		`{"type":2,"data":null}`,
		`{"type":3,"id":"1","token":"t","user":{"id":"5"},"message":{"id":"9"},"data":{"component_type":99}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		i, sub, err := decodeInteraction(raw)
		if err != nil {
			if i != nil || sub != nil {
				t.Fatalf("an error with a result: %v", err)
			}
			return
		}
		if i.Type == discordgo.InteractionPing {
			return
		}
		if i.ID == "" || i.Token == "" || userOf(i) == "" {
			t.Fatalf("decoded without id, token or user: %+v", i)
		}
		switch i.Type {
		case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
			_ = i.ApplicationCommandData().Name
		case discordgo.InteractionMessageComponent:
			_ = i.MessageComponentData().CustomID
		case discordgo.InteractionModalSubmit:
			if sub == nil {
				t.Fatal("a modal submit without its values")
			}
		default:
			t.Fatalf("accepted type %d", i.Type)
		}
	})
}
