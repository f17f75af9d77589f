// Package openaitest owns a fake OpenAI-compatible chat completion server for
// tests: it answers POST /v1/chat/completions (and Azure's
// /openai/deployments/{d}/chat/completions) in OpenAI's exact JSON and SSE
// shapes, plays scripted failures (status errors, slowness, hangs, cut
// streams, mid-stream errors, replies of many megabytes, web pages and
// other bodies that are no chat completion), records every request, and
// checks each one
// against OpenAI's published OpenAPI document, so that a client tested
// against it sends only what real servers accept.
package openaitest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// MinimalFields are the request fields that OpenAI, Azure OpenAI, Ollama,
// vLLM, llama.cpp's server and LM Studio all accept. Use them with
// StrictFields to check that a client sends nothing else.
var MinimalFields = []string{"model", "messages", "max_tokens", "temperature", "stream"}

// StreamUsageFields adds "stream_options" to MinimalFields: a stream's
// {"include_usage": true}, which those servers accept or ignore, except
// Azure's api-versions before 2024-10-21. The server reports it as a
// violation on a request that does not stream (the spec says to set it
// only with stream: true).
var StreamUsageFields = append(MinimalFields[:len(MinimalFields):len(MinimalFields)], "stream_options")

// Server is a running fake. Create it with New; it closes itself when the
// test ends.
type Server struct {
	// URL is the OpenAI-style base URL, ending in /v1.
	URL string
	// Root is the server's root URL, the base URL of Azure-style clients.
	Root string

	t       testing.TB
	ts      *httptest.Server
	spec    *spec
	allowed []string // nil: any field the spec accepts
	lenient bool
	done    chan struct{}
	closing sync.Once

	mu         sync.Mutex
	queue      []Reply
	handler    func(Request) Reply
	requests   []Request
	violations []string
	arrived    chan struct{} // closed and replaced on each request
	seq        int

	written atomic.Int64 // response body bytes written, all requests
}

// Option configures a Server.
type Option func(*Server)

// StrictFields makes any top-level request field outside fields a
// violation, even when the spec allows it.
func StrictFields(fields ...string) Option {
	return func(s *Server) { s.allowed = slices.Clone(fields) }
}

// AllowViolations stops the server from failing the test at cleanup when
// it saw violations; for tests that send bad requests on purpose.
func AllowViolations() Option { return func(s *Server) { s.lenient = true } }

// WithHandler sets the function that scripts replies once the queue is
// empty.
func WithHandler(h func(Request) Reply) Option { return func(s *Server) { s.handler = h } }

// New starts a server. It skips the test when the OpenAI spec cannot be
// found (see specPath) and fails it when the spec does not load. Unless
// AllowViolations is given, the test fails at cleanup if any request broke
// the spec.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	path, err := specPath()
	if err != nil {
		t.Skipf("openaitest: the OpenAI spec is needed, the fake server validates every request against it: %v", err)
	}
	sp, err := loadSpec(path)
	if err != nil {
		t.Fatalf("openaitest: %v", err)
	}
	s := &Server{t: t, spec: sp, done: make(chan struct{}), arrived: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Root = s.ts.URL
	s.URL = s.ts.URL + "/v1"
	t.Cleanup(s.Close)
	t.Cleanup(func() {
		if !s.lenient {
			s.AssertClean(t)
		}
	})
	return s
}

// Enqueue adds replies, used in order, one per request.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// SetHandler sets the function that scripts replies once the queue is empty.
func (s *Server) SetHandler(h func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = h
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Violations returns the spec violations seen so far.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// AssertClean fails t if any request broke the spec, the strict field list
// or the server's routes, or arrived with no reply scripted.
func (s *Server) AssertClean(t testing.TB) {
	t.Helper()
	for _, v := range s.Violations() {
		t.Errorf("openaitest: %s", v)
	}
}

// WaitRequests blocks until the server has received at least n requests,
// or ctx ends.
func (s *Server) WaitRequests(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, ch := len(s.requests), s.arrived
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d requests (got %d): %w", n, got, ctx.Err())
		}
	}
}

// BytesWritten returns the response body bytes written so far, over all
// requests: a test serving a huge reply can check that the client stopped
// reading early (the server stops writing once the client leaves; what the
// connection buffered counts as written).
func (s *Server) BytesWritten() int64 { return s.written.Load() }

// countingWriter counts the body bytes written through it.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func (c countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Close releases held requests and stops the server. It is safe to call
// more than once.
func (s *Server) Close() {
	s.closing.Do(func() {
		close(s.done)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

var azurePath = regexp.MustCompile(`^/openai/deployments/([^/]+)/chat/completions$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		s.violation("read body of %s %s: %v", r.Method, r.URL.Path, err)
		return
	}
	header, creds := redactHeader(r.Header)
	req := Request{
		Time:        time.Now(),
		Method:      r.Method,
		Path:        r.URL.Path,
		Query:       r.URL.Query(),
		Header:      header,
		Body:        body,
		Fields:      topLevelFields(body),
		credentials: creds,
	}
	_ = json.Unmarshal(body, &req.Chat) // problems are reported by the spec check

	var problems []string
	switch m := azurePath.FindStringSubmatch(r.URL.Path); {
	case r.URL.Path == "/v1/chat/completions":
	case m != nil:
		req.Deployment = m[1]
		if r.URL.Query().Get("api-version") == "" {
			problems = append(problems, "Azure request without api-version")
		}
	default:
		problems = append(problems, fmt.Sprintf("unexpected path %s", r.URL.Path))
	}
	if r.Method != http.MethodPost {
		problems = append(problems, fmt.Sprintf("unexpected method %s", r.Method))
	}
	if len(problems) == 0 {
		problems = append(problems, s.spec.validateChat(body, r.Header.Get("Content-Type"))...)
		if req.Chat.StreamOptions != nil && !req.Streaming() {
			problems = append(problems, "stream_options without stream: true")
		}
		if s.allowed != nil {
			for _, f := range req.Fields {
				if !slices.Contains(s.allowed, f) {
					problems = append(problems, fmt.Sprintf("field %q is not in the strict list %v", f, s.allowed))
				}
			}
		}
	}

	reply, scripted := s.record(&req, problems)
	switch {
	case len(problems) > 0:
		writeError(w, http.StatusBadRequest, &APIError{Message: strings.Join(problems, "; "), Type: "invalid_request_error"})
		return
	case !scripted:
		writeError(w, http.StatusInternalServerError, &APIError{Message: "openaitest: no reply scripted", Type: "server_error"})
		return
	}
	s.reply(countingWriter{w, &s.written}, r, req, reply)
}

// record stores the request and its problems and takes its reply.
func (s *Server) record(req *Request, problems []string) (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	req.Seq = s.seq
	for _, p := range problems {
		s.violations = append(s.violations, fmt.Sprintf("request %d (%s %s): %s", req.Seq, req.Method, req.Path, p))
	}
	s.requests = append(s.requests, *req)
	close(s.arrived)
	s.arrived = make(chan struct{})
	if len(problems) > 0 {
		return Reply{}, false
	}
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		return r, true
	}
	if s.handler != nil {
		return s.handler(*req), true
	}
	s.violations = append(s.violations, fmt.Sprintf("request %d: no reply scripted", req.Seq))
	return Reply{}, false
}

func (s *Server) violation(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

// pause waits d, or until the client leaves or the server closes; it says
// whether to go on. A closing server resets the connection rather than
// let net/http finish the response as an empty 200.
func (s *Server) pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	return s.hold(ctx, t.C)
}

// hold waits for ch, the client leaving or the server closing.
func (s *Server) hold(ctx context.Context, ch <-chan time.Time) bool {
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request, req Request, rep Reply) {
	ctx := r.Context()
	if rep.Hang {
		s.hold(ctx, nil)
		return
	}
	if !s.pause(ctx, rep.Delay) {
		return
	}
	if rep.Wait != nil {
		released := make(chan time.Time)
		go func() {
			select {
			case <-rep.Wait:
				close(released)
			case <-ctx.Done():
			}
		}()
		if !s.hold(ctx, released) {
			return
		}
	}
	for k, vs := range rep.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if rep.Body != "" {
		ct := rep.ContentType
		if ct == "" {
			ct = "text/html; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(rep.statusOK())
		_, _ = io.WriteString(w, rep.Body)
		return
	}
	if rep.Status >= 400 {
		e := rep.Error
		if e == nil {
			e = &APIError{Message: http.StatusText(rep.Status), Type: "server_error"}
		}
		writeError(w, rep.Status, e)
		return
	}
	model := rep.Model
	if model == "" {
		model = req.Chat.Model
	}
	finish := rep.FinishReason
	if finish == "" {
		finish = "stop"
	}
	id := fmt.Sprintf("chatcmpl-openaitest%d", req.Seq)
	created := time.Now().Unix()
	if req.Streaming() {
		var u any // usage asked for: null but in the last chunk
		if req.Chat.StreamOptions != nil && req.Chat.StreamOptions.IncludeUsage && !rep.NoUsage {
			u = json.RawMessage("null")
		}
		s.stream(w, r, rep, req, id, created, model, finish, u)
		return
	}
	content := rep.Text
	if rep.Repeat > 1 {
		content = repeatMark
	}
	resp := completion{
		ID: id, Object: "chat.completion", Created: created, Model: model,
		SystemFingerprint: "fp_openaitest",
		Choices: []choice{{
			Index:        0,
			Message:      &message{Role: "assistant", Content: content},
			FinishReason: &finish,
		}},
	}
	if !rep.NoUsage {
		resp.Usage = rep.usage(req)
	}
	b, _ := json.Marshal(resp)
	w.Header().Set("Content-Type", "application/json")
	if rep.Repeat > 1 {
		writeRepeated(w, rep.statusOK(), b, rep.Text, rep.Repeat)
		return
	}
	if rep.Cut {
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		w.WriteHeader(rep.statusOK())
		_, _ = w.Write(b[:len(b)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(rep.statusOK())
	_, _ = w.Write(b)
}

func (rep Reply) statusOK() int {
	if rep.Status != 0 {
		return rep.Status
	}
	return http.StatusOK
}

// stream writes rep as server-sent events. A non-nil usage (JSON null) is
// set on every chunk, and a last chunk without choices carries the
// request's usage, before [DONE], as OpenAI does with include_usage.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, rep Reply, req Request, id string, created int64, model, finish string, usage any) {
	ctx := r.Context()
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(rep.statusOK())
	send := func(v any) bool {
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	chunk := func(d delta, fin *string) completion {
		return completion{
			ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			SystemFingerprint: "fp_openaitest",
			Choices:           []choice{{Index: 0, Delta: &d, FinishReason: fin}},
			Usage:             usage,
		}
	}
	empty := ""
	if !send(chunk(delta{Role: "assistant", Content: &empty}, nil)) {
		return
	}
	pieces := split(rep.Text, rep.Chunks)
	for r := range max(rep.Repeat, 1) {
		for i, p := range pieces {
			if (rep.Cut || rep.StreamError != nil) && i == rep.CutAfter {
				break
			}
			if (r > 0 || i > 0) && !s.pause(ctx, rep.ChunkDelay) {
				return
			}
			if !send(chunk(delta{Content: &p}, nil)) {
				return
			}
		}
	}
	if rep.StreamError != nil {
		send(map[string]any{"error": rep.StreamError})
		return
	}
	if rep.Cut {
		if rep.Abort {
			panic(http.ErrAbortHandler)
		}
		return
	}
	if !send(chunk(delta{}, &finish)) {
		return
	}
	if usage != nil {
		if !send(completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			SystemFingerprint: "fp_openaitest", Choices: []choice{}, Usage: rep.usage(req)}) {
			return
		}
	}
	_, _ = io.WriteString(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// repeatMark stands for the content of a repeated reply in its marshalled
// JSON, to be replaced by the repetitions as they are written.
const repeatMark = "\x00openaitest-repeat\x00"

// writeRepeated writes the marshalled completion b with its content
// (repeatMark) replaced by text repeated n times, piece by piece, and stops
// at the first failed write (the client left).
func writeRepeated(w http.ResponseWriter, status int, b []byte, text string, n int) {
	quoted, _ := json.Marshal(repeatMark)
	mark := string(quoted[1 : len(quoted)-1])
	head, tail, _ := strings.Cut(string(b), mark)
	escaped, _ := json.Marshal(text)
	piece := escaped[1 : len(escaped)-1]
	w.WriteHeader(status)
	if _, err := io.WriteString(w, head); err != nil {
		return
	}
	for range n {
		if _, err := w.Write(piece); err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, tail)
}

// split cuts text into n pieces of about equal rune counts (n <= 0: one
// piece per word, each with its leading space).
func split(text string, n int) []string {
	if text == "" {
		return nil
	}
	if n <= 0 {
		var out []string
		start := 0
		for i := 1; i < len(text); i++ {
			if text[i] == ' ' && text[i-1] != ' ' {
				out = append(out, text[start:i])
				start = i
			}
		}
		return append(out, text[start:])
	}
	runes := []rune(text)
	if n > len(runes) {
		n = len(runes)
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, string(runes[i*len(runes)/n:(i+1)*len(runes)/n]))
	}
	return out
}

func writeError(w http.ResponseWriter, status int, e *APIError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]*APIError{"error": e})
}

// approxTokens is a rough token count, enough for a plausible usage block.
func approxTokens(s string) int { return (utf8.RuneCountInString(s) + 3) / 4 }

// usage is the usage reported for req: Reply.Usage, else a rough count.
func (rep Reply) usage(req Request) *usage {
	u := &usage{PromptTokens: approxTokens(string(req.Body)), CompletionTokens: approxTokens(rep.Text) * max(rep.Repeat, 1)}
	if rep.Usage != nil {
		u.PromptTokens, u.CompletionTokens = rep.Usage.PromptTokens, rep.Usage.CompletionTokens
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

// The response shapes, with the exact field names and nullability of
// OpenAI's API.
type completion struct {
	ID                string   `json:"id"`
	Object            string   `json:"object"`
	Created           int64    `json:"created"`
	Model             string   `json:"model"`
	SystemFingerprint string   `json:"system_fingerprint"`
	Choices           []choice `json:"choices"`
	// Usage is a *usage, or in a stream chunk, when asked for, JSON null
	// but in the last chunk; absent when nil.
	Usage any `json:"usage,omitempty"`
}

type choice struct {
	Index        int       `json:"index"`
	Message      *message  `json:"message,omitempty"`
	Delta        *delta    `json:"delta,omitempty"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason *string   `json:"finish_reason"`
}

type message struct {
	Role    string  `json:"role"`
	Content string  `json:"content"`
	Refusal *string `json:"refusal"`
}

type delta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}
