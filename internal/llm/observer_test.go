package llm

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/openaitest"
)

// recorder is a briefbot.ModelObserver that keeps what it hears.
type recorder struct {
	mu        sync.Mutex
	calls     []briefbot.ModelCall
	fallbacks []string
}

func (r *recorder) ModelCall(c briefbot.ModelCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *recorder) ModelFallback(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fallbacks = append(r.fallbacks, reason)
}

func (r *recorder) heard() ([]briefbot.ModelCall, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls), slices.Clone(r.fallbacks)
}

// oneCall returns the only call r heard, failing t otherwise.
func (r *recorder) oneCall(t *testing.T) briefbot.ModelCall {
	t.Helper()
	calls, _ := r.heard()
	if len(calls) != 1 {
		t.Fatalf("heard %d model calls, want 1: %+v", len(calls), calls)
	}
	return calls[0]
}

func observed(t *testing.T, srv *openaitest.Server, mod func(*Options)) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	c, _ := newClient(t, srv, func(o *Options) {
		// Generous: these tests time what they see, not how fast; a
		// test of timeouts sets its own.
		o.Observer, o.Timeout = rec, 10*time.Second
		if mod != nil {
			mod(o)
		}
	})
	return c, rec
}

// TestObserverHearsAnswers: a model answer is reported with its latency,
// its time to first token when streamed, and the tokens of the server's
// usage (asked for with stream_options on a stream); a server that reports
// no usage counts no tokens.
func TestObserverHearsAnswers(t *testing.T) {
	usage := &openaitest.Usage{PromptTokens: 812, CompletionTokens: 57}
	const delay, chunkDelay, chunks = 60 * time.Millisecond, 50 * time.Millisecond, 4
	for _, tc := range []struct {
		name                 string
		stream               bool
		apiVersion           string
		noUsage              bool
		wantOptions          bool // stream_options.include_usage sent
		wantPrompt, wantComp int
	}{
		{name: "json", wantPrompt: 812, wantComp: 57},
		{name: "json without usage", noUsage: true},
		{name: "stream", stream: true, wantOptions: true, wantPrompt: 812, wantComp: 57},
		{name: "stream without usage", stream: true, noUsage: true, wantOptions: true},
		{name: "azure stream", stream: true, apiVersion: "2024-10-21", wantOptions: true, wantPrompt: 812, wantComp: 57},
		{name: "old azure stream", stream: true, apiVersion: "2024-06-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := strictServer(t)
			srv.Enqueue(openaitest.Reply{Text: grounded, Delay: delay, Chunks: chunks, ChunkDelay: chunkDelay, Usage: usage, NoUsage: tc.noUsage})
			c, rec := observed(t, srv, func(o *Options) {
				o.Stream = tc.stream
				if tc.apiVersion != "" {
					o.BaseURL, o.APIVersion = srv.Root, tc.apiVersion
				}
			})
			var firstPartial time.Duration // since start; called on Answer's goroutine
			start := time.Now()
			onPartial := func(string) {
				if firstPartial == 0 {
					firstPartial = time.Since(start)
				}
			}
			if _, err := c.Answer(t.Context(), "u1", "q", "idx1", testSources, onPartial); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			r := srv.Requests()[0]
			if got := r.Chat.StreamOptions != nil && r.Chat.StreamOptions.IncludeUsage; got != tc.wantOptions {
				t.Errorf("include_usage sent %v, want %v (fields %v)", got, tc.wantOptions, r.Fields)
			}

			call := rec.oneCall(t)
			if call.Error != "" || call.Retries != 0 {
				t.Errorf("error %q after %d retries", call.Error, call.Retries)
			}
			if call.PromptTokens != tc.wantPrompt || call.CompletionTokens != tc.wantComp {
				t.Errorf("tokens %d+%d, want %d+%d", call.PromptTokens, call.CompletionTokens, tc.wantPrompt, tc.wantComp)
			}
			if call.Duration < delay || call.Duration > elapsed {
				t.Errorf("duration %v, want between the server's delay %v and the call's %v", call.Duration, delay, elapsed)
			}
			switch {
			case !tc.stream && call.FirstToken != 0:
				t.Errorf("first token %v for an answer not streamed", call.FirstToken)
			case tc.stream && call.FirstToken < delay:
				t.Errorf("first token after %v, before the server's delay %v", call.FirstToken, delay)
			case tc.stream && (firstPartial == 0 || call.FirstToken > firstPartial):
				// The first text comes before the first partial answer
				// made of it.
				t.Errorf("first token after %v, the first partial answer after %v", call.FirstToken, firstPartial)
			}
			if _, fallbacks := rec.heard(); len(fallbacks) != 0 {
				t.Errorf("fallbacks %q for a model answer", fallbacks)
			}

			// The same question again is cached: no model call.
			if res, err := c.Answer(t.Context(), "u1", "q", "idx1", testSources, nil); err != nil || !res.Cached {
				t.Fatalf("second answer cached %v, %v", res.Cached, err)
			}
			rec.oneCall(t)
		})
	}
}

// TestObserverHearsErrors: a failed model call is reported with its
// reason from the fixed set, and the extractive answer it leads to as a
// fallback with the answer's fallback reason.
func TestObserverHearsErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stream   bool
		replies  []openaitest.Reply
		timeout  time.Duration
		retries  int
		want     string // the call's error
		fallback string
	}{
		{name: "429", replies: []openaitest.Reply{openaitest.RateLimited("")}, want: "rate_limited", fallback: "rate_limited"},
		{name: "429 on every attempt", stream: true, replies: []openaitest.Reply{openaitest.RetryAfterMillis(1), openaitest.RetryAfterMillis(1)},
			retries: 1, want: "rate_limited", fallback: "rate_limited"},
		{name: "500", replies: []openaitest.Reply{openaitest.ServerError()}, want: "server", fallback: "server_error"},
		{name: "500 streamed", stream: true, replies: []openaitest.Reply{openaitest.ServerError()}, want: "server", fallback: "server_error"},
		{name: "401", replies: []openaitest.Reply{openaitest.Unauthorized("bad key")}, want: "client", fallback: "unauthorized"},
		{name: "404", replies: []openaitest.Reply{openaitest.Status(http.StatusNotFound, "invalid_request_error", "no such model")}, want: "client", fallback: "bad_request"},
		{name: "timeout", replies: []openaitest.Reply{openaitest.Hang()}, timeout: 200 * time.Millisecond, want: "timeout", fallback: "timeout"},
		{name: "stream timeout", stream: true, replies: []openaitest.Reply{openaitest.Hang()}, timeout: 200 * time.Millisecond, want: "timeout", fallback: "timeout"},
		{name: "stream cut before [DONE]", stream: true, replies: []openaitest.Reply{{Text: grounded, Chunks: 6, Cut: true, CutAfter: 3}},
			want: "truncated", fallback: "truncated"},
		{name: "stream connection reset", stream: true, replies: []openaitest.Reply{{Text: grounded, Chunks: 6, Cut: true, CutAfter: 3, Abort: true}},
			want: "truncated", fallback: "truncated"},
		{name: "mid-stream error event", stream: true, replies: []openaitest.Reply{{Text: grounded, Chunks: 6, CutAfter: 3,
			StreamError: &openaitest.APIError{Message: "overloaded", Type: "server_error"}}}, want: "server", fallback: "server_error"},
		{name: "web page", replies: []openaitest.Reply{openaitest.HTMLPage()}, want: "bad_response", fallback: "bad_response"},
		// Answers received but unusable are no call error, only fallbacks.
		{name: "no valid citation", replies: []openaitest.Reply{openaitest.Answer("The conflict is very old [7].")}, want: "", fallback: "no_valid_citations"},
		{name: "not in sources", stream: true, replies: []openaitest.Reply{openaitest.Answer(NotInSourcesToken)}, want: "", fallback: "not_in_sources"},
		// A call that succeeds on a retry is no error.
		{name: "500 then success", replies: []openaitest.Reply{openaitest.ServerError(), openaitest.Answer(grounded)}, retries: 2, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := strictServer(t)
			srv.Enqueue(tc.replies...)
			c, rec := observed(t, srv, func(o *Options) {
				o.Stream, o.MaxRetries = tc.stream, tc.retries
				if tc.timeout > 0 {
					o.Timeout = tc.timeout
				}
			})
			_, err := c.Answer(t.Context(), "u1", "q", "idx1", testSources, nil)
			if FallbackReason(err) != tc.fallback {
				t.Fatalf("fallback reason %q (%v), want %q", FallbackReason(err), err, tc.fallback)
			}
			call := rec.oneCall(t)
			if call.Error != tc.want {
				t.Errorf("call error %q, want %q (%v)", call.Error, tc.want, err)
			}
			if want := len(tc.replies) - 1; call.Retries != want {
				t.Errorf("%d retries, want %d", call.Retries, want)
			}
			// The timeout also covers what comes before the call (the
			// cache, a call slot), which takes far less than half of it.
			if call.Duration <= 0 || (tc.timeout > 0 && call.Duration < tc.timeout/2) {
				t.Errorf("duration %v (timeout %v)", call.Duration, tc.timeout)
			}
			if call.PromptTokens != 0 && tc.want != "" {
				t.Errorf("%d prompt tokens counted for a failed call", call.PromptTokens)
			}
			var want []string
			if tc.fallback != "" {
				want = []string{tc.fallback}
			}
			if _, fallbacks := rec.heard(); !slices.Equal(fallbacks, want) {
				t.Errorf("fallbacks %q, want %q", fallbacks, want)
			}
		})
	}
}

// TestObserverHearsRefusals: a daily cap refusal makes no model call but
// is a fallback; a caller who gives up makes a canceled call and no
// fallback (nobody gets an answer); a nil observer is fine.
func TestObserverHearsRefusals(t *testing.T) {
	srv := strictServer(t)
	srv.Enqueue(openaitest.Answer(grounded))
	c, rec := observed(t, srv, func(o *Options) { o.DailyCapPerUser = 1 })
	if _, err := c.Answer(t.Context(), "alice", "q1", "idx1", testSources, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Answer(t.Context(), "alice", "q2", "idx1", testSources, nil); FallbackReason(err) != "daily_cap" {
		t.Fatalf("second question: %v", err)
	}
	if calls, fallbacks := rec.heard(); len(calls) != 1 || !slices.Equal(fallbacks, []string{"daily_cap"}) {
		t.Errorf("heard %d calls and fallbacks %q, want 1 and daily_cap", len(calls), fallbacks)
	}

	srv = strictServer(t)
	release := make(chan struct{})
	defer close(release)
	srv.Enqueue(openaitest.Reply{Text: grounded, Wait: release})
	c, rec = observed(t, srv, nil)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		if srv.WaitRequests(ctx, 1) == nil {
			cancel()
		}
	}()
	if _, err := c.Answer(ctx, "u1", "q", "idx1", testSources, nil); FallbackReason(err) != "canceled" {
		t.Fatalf("canceled call: %v", err)
	}
	if call := rec.oneCall(t); call.Error != briefbot.ModelErrorCanceled {
		t.Errorf("call error %q, want canceled", call.Error)
	}
	if _, fallbacks := rec.heard(); len(fallbacks) != 0 {
		t.Errorf("fallbacks %q for a canceled question", fallbacks)
	}

	srv = strictServer(t)
	srv.Enqueue(openaitest.ServerError())
	c, _ = newClient(t, srv, func(o *Options) { o.MaxRetries = 0 })
	if _, err := c.Answer(t.Context(), "u1", "q", "idx1", testSources, nil); FallbackReason(err) != "server_error" {
		t.Errorf("without an observer: %v", err)
	}
}
