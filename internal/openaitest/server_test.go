package openaitest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

const okBody = `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"max_tokens":50,"temperature":0.2,"stream":false}`

func post(t *testing.T, ctx context.Context, url, body string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestJSONReplyMatchesSpec(t *testing.T) {
	srv := New(t, StrictFields(MinimalFields...))
	srv.Enqueue(Answer("Baku named an ambassador [1]."))
	resp := post(t, t.Context(), srv.URL+"/chat/completions", okBody, map[string]string{"Authorization": "Bearer sk-test-123"})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if err := srv.spec.validateSchema("CreateChatCompletionResponse", body); err != nil {
		t.Errorf("response breaks the spec: %v", err)
	}
	var got struct {
		Object  string `json:"object"`
		Model   string `json:"model"`
		Choices []struct {
			Message      Message `json:"message"`
			FinishReason string  `json:"finish_reason"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || got.Model != "gpt-4o-mini" || len(got.Choices) != 1 ||
		got.Choices[0].Message.Content != "Baku named an ambassador [1]." || got.Choices[0].FinishReason != "stop" {
		t.Errorf("unexpected reply %+v", got)
	}

	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("recorded %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if !r.HasCredential("sk-test-123") || r.HasCredential("sk-other") {
		t.Error("HasCredential does not recognise the key sent")
	}
	if strings.Contains(r.Header.Get("Authorization"), "sk-test") {
		t.Errorf("the key is stored in clear: %q", r.Header.Get("Authorization"))
	}
	if r.Content("system") != "be brief" || r.Content("user") != "hi" || r.Streaming() {
		t.Errorf("decoded request wrong: %+v", r.Chat)
	}
	if want := []string{"model", "messages", "max_tokens", "temperature", "stream"}; !slices.Equal(r.Fields, want) {
		t.Errorf("fields %v, want %v", r.Fields, want)
	}
}

func TestViolationsAreReported(t *testing.T) {
	tests := []struct {
		name, body, path, ctype string
		want                    string
	}{
		{"temperature out of range", `{"model":"m","messages":[{"role":"user","content":"q"}],"temperature":5}`, "/v1/chat/completions", "application/json", "temperature"},
		{"no messages", `{"model":"m","messages":[]}`, "/v1/chat/completions", "application/json", "messages"},
		{"no model", `{"messages":[{"role":"user","content":"q"}]}`, "/v1/chat/completions", "application/json", "model"},
		{"unknown role", `{"model":"m","messages":[{"role":"boss","content":"q"}]}`, "/v1/chat/completions", "application/json", "role"},
		{"not JSON", `model=m`, "/v1/chat/completions", "application/x-www-form-urlencoded", "Content-Type"},
		{"field outside the strict list", `{"model":"m","messages":[{"role":"user","content":"q"}],"top_p":0.5}`, "/v1/chat/completions", "application/json", `"top_p"`},
		{"wrong path", okBody, "/v1/completions", "application/json", "unexpected path"},
		{"Azure without api-version", okBody, "/openai/deployments/d1/chat/completions", "application/json", "api-version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := New(t, StrictFields(MinimalFields...), AllowViolations())
			srv.Enqueue(Answer("unused"))
			resp := post(t, t.Context(), srv.Root+tc.path, tc.body, map[string]string{"Content-Type": tc.ctype})
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
			body, _ := io.ReadAll(resp.Body)
			if err := srv.spec.validateSchema("ErrorResponse", body); err != nil {
				t.Errorf("error body breaks the spec: %v", err)
			}
			v := srv.Violations()
			if len(v) == 0 || !strings.Contains(strings.ToLower(strings.Join(v, "\n")), strings.ToLower(tc.want)) {
				t.Errorf("violations %q do not mention %q", v, tc.want)
			}
		})
	}
}

func TestUnscriptedRequestIsAViolation(t *testing.T) {
	srv := New(t, AllowViolations())
	resp := post(t, t.Context(), srv.URL+"/chat/completions", okBody, nil)
	if resp.StatusCode != http.StatusInternalServerError || len(srv.Violations()) != 1 {
		t.Errorf("status %d, violations %q", resp.StatusCode, srv.Violations())
	}
}

func TestAzurePath(t *testing.T) {
	srv := New(t)
	srv.Enqueue(Answer("ok"))
	resp := post(t, t.Context(), srv.Root+"/openai/deployments/brief-gpt4o/chat/completions?api-version=2024-06-01", okBody, map[string]string{"api-key": "azkey-1"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	r := srv.Requests()[0]
	if r.Deployment != "brief-gpt4o" || !r.HasCredential("azkey-1") || r.Header.Get("Api-Key") != "[redacted]" {
		t.Errorf("deployment %q, credential %v, header %q", r.Deployment, r.HasCredential("azkey-1"), r.Header.Get("Api-Key"))
	}
}

func TestErrorReplies(t *testing.T) {
	tests := []struct {
		reply      Reply
		status     int
		header     string
		headerWant string
	}{
		{RateLimited("7"), 429, "Retry-After", "7"},
		{RetryAfterMillis(150), 429, "Retry-After-Ms", "150"},
		{ServerError(), 500, "", ""},
		{Unauthorized("Incorrect API key provided"), 401, "", ""},
		{Reply{Status: 503}, 503, "", ""},
	}
	for _, tc := range tests {
		srv := New(t)
		srv.Enqueue(tc.reply)
		resp := post(t, t.Context(), srv.URL+"/chat/completions", okBody, nil)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.status {
			t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
		}
		if err := srv.spec.validateSchema("ErrorResponse", body); err != nil {
			t.Errorf("%d: error body breaks the spec: %v", tc.status, err)
		}
		if tc.header != "" && resp.Header.Get(tc.header) != tc.headerWant {
			t.Errorf("%s = %q, want %q", tc.header, resp.Header.Get(tc.header), tc.headerWant)
		}
	}
}

// event is one SSE data line.
type event struct {
	data string
}

func readEvents(t *testing.T, r io.Reader) ([]event, error) {
	t.Helper()
	var out []event
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Errorf("line without data prefix: %q", line)
			continue
		}
		out = append(out, event{data})
	}
	return out, sc.Err()
}

type streamChunk struct {
	Object  string `json:"object"`
	Choices []struct {
		Delta struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
}

func streamBody() string { return strings.Replace(okBody, `"stream":false`, `"stream":true`, 1) }

func TestStreamMatchesSpec(t *testing.T) {
	const text = "Iran watches the South Caucasus [1][2]. Baku and Israel grew closer [3]."
	srv := New(t)
	srv.Enqueue(Streamed(text, 7, 0))
	resp := post(t, t.Context(), srv.URL+"/chat/completions", streamBody(), nil)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("content type %q", ct)
	}
	events, err := readEvents(t, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1+7+1+1 || events[len(events)-1].data != "[DONE]" {
		t.Fatalf("got %d events, last %q; want role, 7 pieces, finish, [DONE]", len(events), events[len(events)-1].data)
	}
	var content strings.Builder
	var finishes []string
	for i, e := range events[:len(events)-1] {
		if err := srv.spec.validateSchema("CreateChatCompletionStreamResponse", []byte(e.data)); err != nil {
			t.Errorf("chunk %d breaks the spec: %v", i, err)
		}
		var c streamChunk
		if err := json.Unmarshal([]byte(e.data), &c); err != nil {
			t.Fatal(err)
		}
		if c.Object != "chat.completion.chunk" || len(c.Choices) != 1 {
			t.Fatalf("chunk %d: %s", i, e.data)
		}
		if i == 0 && c.Choices[0].Delta.Role != "assistant" {
			t.Errorf("first chunk has no assistant role: %s", e.data)
		}
		content.WriteString(c.Choices[0].Delta.Content)
		if f := c.Choices[0].FinishReason; f != nil {
			finishes = append(finishes, *f)
		}
	}
	if content.String() != text {
		t.Errorf("streamed %q, want %q", content.String(), text)
	}
	if !slices.Equal(finishes, []string{"stop"}) {
		t.Errorf("finish reasons %q, want one stop on the last chunk", finishes)
	}
}

func TestCutAndFailingStreams(t *testing.T) {
	tests := []struct {
		name      string
		reply     Reply
		wantErr   bool // the body read fails (connection reset)
		wantError bool // an error event arrives
	}{
		{"cut cleanly", Reply{Text: "a b c d", Cut: true, CutAfter: 2}, false, false},
		{"connection reset", Reply{Text: "a b c d", Cut: true, CutAfter: 2, Abort: true}, true, false},
		{"error event", Reply{Text: "a b c d", CutAfter: 1, StreamError: &APIError{Message: "overloaded", Type: "server_error"}}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := New(t)
			srv.Enqueue(tc.reply)
			resp := post(t, t.Context(), srv.URL+"/chat/completions", streamBody(), nil)
			events, err := readEvents(t, resp.Body)
			if (err != nil) != tc.wantErr {
				t.Errorf("read error %v, want error %v", err, tc.wantErr)
			}
			sawError := false
			for _, e := range events {
				if e.data == "[DONE]" {
					t.Error("a failing stream sent [DONE]")
					continue
				}
				if strings.HasPrefix(e.data, `{"error":`) {
					sawError = true
					if err := srv.spec.validateSchema("ErrorResponse", []byte(e.data)); err != nil {
						t.Errorf("error event breaks the spec: %v", err)
					}
					continue
				}
				var c streamChunk
				if err := json.Unmarshal([]byte(e.data), &c); err != nil {
					t.Fatal(err)
				}
				if c.Choices[0].FinishReason != nil {
					t.Errorf("a failing stream sent finish_reason %q", *c.Choices[0].FinishReason)
				}
			}
			if sawError != tc.wantError {
				t.Errorf("error event %v, want %v", sawError, tc.wantError)
			}
		})
	}
}

func TestCutJSONReply(t *testing.T) {
	srv := New(t)
	srv.Enqueue(Reply{Text: "some answer", Cut: true})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(okBody))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && json.Valid(b) {
		t.Errorf("a cut reply read whole: %q", b)
	}
}

func TestHeldRequestsEndWithTheClientOrTheServer(t *testing.T) {
	t.Run("client gives up", func(t *testing.T) {
		srv := New(t)
		srv.Enqueue(Hang())
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(okBody))
		req.Header.Set("Content-Type", "application/json")
		_, err := http.DefaultClient.Do(req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err %v, want a deadline", err)
		}
	})
	t.Run("server closes", func(t *testing.T) {
		srv := New(t)
		srv.Enqueue(Hang())
		done := make(chan error, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(okBody))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		if err := srv.WaitRequests(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		srv.Close() // returns only once the held handler has returned
		if err := <-done; err == nil {
			t.Error("a hung request got a reply")
		}
	})
	t.Run("wait channel", func(t *testing.T) {
		srv := New(t)
		release := make(chan struct{})
		srv.Enqueue(Reply{Text: "late", Wait: release})
		got := make(chan int, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(okBody))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				got <- 0
				return
			}
			resp.Body.Close()
			got <- resp.StatusCode
		}()
		if err := srv.WaitRequests(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		select {
		case <-got:
			t.Fatal("replied before release")
		default:
		}
		close(release)
		if s := <-got; s != http.StatusOK {
			t.Errorf("status %d after release", s)
		}
	})
}

func TestHandlerScriptsRepliesAfterTheQueue(t *testing.T) {
	srv := New(t, WithHandler(func(r Request) Reply { return Answer("from handler " + r.Chat.Model) }))
	srv.Enqueue(Answer("from queue"))
	var texts []string
	for range 2 {
		resp := post(t, t.Context(), srv.URL+"/chat/completions", okBody, nil)
		var c struct {
			Choices []struct{ Message Message } `json:"choices"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, c.Choices[0].Message.Content)
	}
	if want := []string{"from queue", "from handler gpt-4o-mini"}; !slices.Equal(texts, want) {
		t.Errorf("got %q, want %q", texts, want)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		text string
		n    int
		want []string
	}{
		{"", 3, nil},
		{"a bc d", 0, []string{"a", " bc", " d"}},
		{"abcdef", 3, []string{"ab", "cd", "ef"}},
		{"ab", 5, []string{"a", "b"}},
		{"é[12]", 2, []string{"é[", "12]"}},
	}
	for _, tc := range tests {
		got := split(tc.text, tc.n)
		if !slices.Equal(got, tc.want) {
			t.Errorf("split(%q, %d) = %q, want %q", tc.text, tc.n, got, tc.want)
		}
		if strings.Join(got, "") != tc.text {
			t.Errorf("split(%q, %d) loses text", tc.text, tc.n)
		}
	}
}

func TestMessageContentParts(t *testing.T) {
	var m Message
	if err := json.Unmarshal([]byte(`{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.Content != "ab" {
		t.Errorf("content %q", m.Content)
	}
	if !bytes.Equal([]byte(m.Role), []byte("user")) {
		t.Errorf("role %q", m.Role)
	}
}

func TestRepeatedReplies(t *testing.T) {
	const text = "Baku named an ambassador [1]. "
	t.Run("json", func(t *testing.T) {
		srv := New(t)
		srv.Enqueue(Reply{Text: text, Repeat: 3})
		resp := post(t, t.Context(), srv.URL+"/chat/completions", okBody, nil)
		body, _ := io.ReadAll(resp.Body)
		if err := srv.spec.validateSchema("CreateChatCompletionResponse", body); err != nil {
			t.Errorf("response breaks the spec: %v", err)
		}
		var got struct {
			Choices []struct {
				Message Message `json:"message"`
			} `json:"choices"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Choices) != 1 || got.Choices[0].Message.Content != strings.Repeat(text, 3) {
			t.Errorf("content %+v, want the text 3 times", got.Choices)
		}
		if n := srv.BytesWritten(); n != int64(len(body)) {
			t.Errorf("BytesWritten %d, the body has %d", n, len(body))
		}
	})
	t.Run("stream", func(t *testing.T) {
		srv := New(t)
		srv.Enqueue(Reply{Text: text, Chunks: 2, Repeat: 3})
		resp := post(t, t.Context(), srv.URL+"/chat/completions", streamBody(), nil)
		events, err := readEvents(t, resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		var content strings.Builder
		for _, e := range events[:len(events)-1] {
			var c streamChunk
			if err := json.Unmarshal([]byte(e.data), &c); err != nil {
				t.Fatal(err)
			}
			content.WriteString(c.Choices[0].Delta.Content)
		}
		if len(events) != 1+3*2+1+1 || content.String() != strings.Repeat(text, 3) {
			t.Errorf("%d events streaming %q", len(events), content.String())
		}
	})
	t.Run("the server stops when the client leaves", func(t *testing.T) {
		srv := New(t)
		srv.Enqueue(Reply{Text: strings.Repeat("x", 1000), Repeat: 30_000}) // 30 MB
		resp := post(t, t.Context(), srv.URL+"/chat/completions", okBody, nil)
		if _, err := io.CopyN(io.Discard, resp.Body, 64<<10); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close() // waits for the handler
		if n := srv.BytesWritten(); n >= 30_000_000 {
			t.Errorf("the server wrote %d bytes to a client that left", n)
		}
	})
}

func TestRawBodyReplies(t *testing.T) {
	for _, stream := range []bool{false, true} {
		srv := New(t)
		srv.Enqueue(HTMLPage())
		body := okBody
		if stream {
			body = streamBody()
		}
		resp := post(t, t.Context(), srv.URL+"/chat/completions", body, nil)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
			t.Errorf("stream %v: %d %q %q", stream, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
}

// TestStreamUsage: a stream asked for usage ends with a chunk without
// choices that carries it, before [DONE], the other chunks saying null;
// NoUsage plays a server that ignores the request; and stream_options on
// a request that does not stream is a violation.
func TestStreamUsage(t *testing.T) {
	const text = "Iran watches the South Caucasus [1][2]."
	body := strings.Replace(streamBody(), `"stream":true`, `"stream":true,"stream_options":{"include_usage":true}`, 1)
	srv := New(t, StrictFields(StreamUsageFields...))
	srv.Enqueue(Reply{Text: text, Chunks: 3, Usage: &Usage{PromptTokens: 120, CompletionTokens: 17}}, Reply{Text: text, Chunks: 3, NoUsage: true})

	resp := post(t, t.Context(), srv.URL+"/chat/completions", body, nil)
	events, err := readEvents(t, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1+3+1+1+1 || events[len(events)-1].data != "[DONE]" {
		t.Fatalf("got %d events; want role, 3 pieces, finish, usage, [DONE]", len(events))
	}
	for i, e := range events[:len(events)-1] {
		if err := srv.spec.validateSchema("CreateChatCompletionStreamResponse", []byte(e.data)); err != nil {
			t.Errorf("chunk %d breaks the spec: %v", i, err)
		}
		var c struct {
			Choices []json.RawMessage `json:"choices"`
			Usage   *struct {
				Prompt     int `json:"prompt_tokens"`
				Completion int `json:"completion_tokens"`
				Total      int `json:"total_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal([]byte(e.data), &c); err != nil {
			t.Fatal(err)
		}
		last := i == len(events)-2
		switch {
		case !strings.Contains(e.data, `"usage":`):
			t.Errorf("chunk %d has no usage key: %s", i, e.data)
		case last && (len(c.Choices) != 0 || c.Usage == nil || c.Usage.Prompt != 120 || c.Usage.Completion != 17 || c.Usage.Total != 137):
			t.Errorf("last chunk %s, want no choices and the usage", e.data)
		case !last && c.Usage != nil:
			t.Errorf("chunk %d carries usage: %s", i, e.data)
		}
	}

	resp = post(t, t.Context(), srv.URL+"/chat/completions", body, nil)
	events, err = readEvents(t, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if strings.Contains(e.data, `"usage"`) {
			t.Errorf("NoUsage sent usage: %s", e.data)
		}
	}
	srv.AssertClean(t)

	lax := New(t, AllowViolations())
	lax.Enqueue(Answer("x"))
	post(t, t.Context(), lax.URL+"/chat/completions", strings.Replace(okBody, `"stream":false`, `"stream":false,"stream_options":{"include_usage":true}`, 1), nil)
	if v := lax.Violations(); len(v) != 1 || !strings.Contains(v[0], "stream_options without stream") {
		t.Errorf("violations %q", v)
	}
}
