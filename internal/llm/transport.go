package llm

import (
	"context"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// transport adds the configured headers to every request and notes the
// status and Retry-After of each response: go-openai's errors keep the
// status but drop the headers, and the retry loop needs Retry-After.
type transport struct {
	base    http.RoundTripper
	headers map[string]string
	// maxBody caps the bytes read of each response body (see
	// maxReplyBytes); reading past it fails with ErrTooLong.
	maxBody int64
}

// exchange is what transport saw of one attempt; the retry loop puts a
// fresh one in the request context of each attempt.
type exchange struct {
	mu         sync.Mutex
	status     int
	retryAfter string
	retryMs    string
	read       int64  // body bytes read
	head       []byte // the body's first bytes, spaces skipped
}

// headSize is how much of a reply's start is kept to tell what it is.
const headSize = 64

type exchangeKey struct{}

func withExchange(ctx context.Context) (context.Context, *exchange) {
	x := &exchange{}
	return context.WithValue(ctx, exchangeKey{}, x), x
}

func (x *exchange) get() (status int, retryAfter, retryMs string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status, x.retryAfter, x.retryMs
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(t.headers) > 0 {
		req = req.Clone(req.Context())
		for k, v := range t.headers {
			req.Header.Set(k, v)
		}
	}
	resp, err := t.base.RoundTrip(req)
	x, ok := req.Context().Value(exchangeKey{}).(*exchange)
	if !ok || resp == nil {
		return resp, err
	}
	x.mu.Lock()
	x.status = resp.StatusCode
	x.retryAfter = resp.Header.Get("Retry-After")
	x.retryMs = resp.Header.Get("Retry-After-Ms")
	x.mu.Unlock()
	if resp.StatusCode/100 == 2 {
		if ct := resp.Header.Get("Content-Type"); isPage(ct) {
			// A proxy's or captive portal's page in place of the answer.
			resp.Body.Close()
			return nil, fmt.Errorf("%w: a %d reply of type %q, not a chat completion (a proxy or login page in front of the model server?)", ErrBadResponse, resp.StatusCode, ct)
		}
	}
	if resp.StatusCode/100 != 2 {
		// An error reply is classified by its status; its body only adds
		// detail, so a huge one is cut short quietly rather than turned
		// into ErrTooLong, which would hide the status and skip retries.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(resp.Body, maxErrorBody), resp.Body}
	}
	resp.Body = &countedBody{rc: resp.Body, x: x, limit: t.maxBody}
	return resp, nil
}

// maxErrorBody bounds what is read of an error reply's body.
const maxErrorBody = 64 << 10

// isPage tells whether a Content-Type is a web page's.
func isPage(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}

// countedBody notes in its exchange how much of a reply was read and how
// the reply begins, and fails with ErrTooLong once more than limit bytes
// (when positive) would be read, never reading more than one byte past it.
type countedBody struct {
	rc    io.ReadCloser
	x     *exchange
	limit int64
}

func (b *countedBody) Read(p []byte) (int, error) {
	b.x.mu.Lock()
	read := b.x.read
	b.x.mu.Unlock()
	if b.limit > 0 {
		if read > b.limit {
			return 0, fmt.Errorf("%w: the reply passed %d bytes", ErrTooLong, b.limit)
		}
		p = p[:min(int64(len(p)), b.limit+1-read)]
	}
	n, err := b.rc.Read(p)
	b.x.mu.Lock()
	b.x.read += int64(n)
	for _, c := range p[:n] {
		if len(b.x.head) >= headSize {
			break
		}
		if len(b.x.head) > 0 || !unicode.IsSpace(rune(c)) {
			b.x.head = append(b.x.head, c)
		}
	}
	b.x.mu.Unlock()
	return n, err
}

func (b *countedBody) Close() error { return b.rc.Close() }

// eventStream tells whether the reply read so far begins like a
// server-sent event stream (a "data:", "event:", "id:" or "retry:" field,
// or a ":" comment), or is still empty.
func (x *exchange) eventStream() (bool, string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	head := string(x.head)
	if head == "" || strings.HasPrefix(head, ":") {
		return true, head
	}
	for _, f := range []string{"data", "event", "id", "retry"} {
		if rest, ok := strings.CutPrefix(head, f); ok && (rest == "" || rest[0] == ':') {
			return true, head
		}
	}
	return false, head
}

// ParseRetryAfter reads a Retry-After value: delay seconds (OpenAI and
// most servers; fractions accepted) or an HTTP date, relative to now. A
// date in the past gives 0. It reports false for anything else.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
			return 0, false
		}
		if secs > maxRetryAfter.Seconds() {
			return maxRetryAfter, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return min(d, maxRetryAfter), true
	}
	return 0, false
}

// maxRetryAfter caps absurd values; any of them exceeds the timeout anyway.
const maxRetryAfter = 24 * time.Hour

// parseRetryMs reads OpenAI's retry-after-ms header.
func parseRetryMs(v string) (time.Duration, bool) {
	ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || ms < 0 || math.IsNaN(ms) || math.IsInf(ms, 0) {
		return 0, false
	}
	return min(time.Duration(ms*float64(time.Millisecond)), maxRetryAfter), true
}

// redactor removes secrets from text bound for errors and logs. Servers
// and proxies may echo the key in error messages.
type redactor []string

func newRedactor(apiKey string, headers map[string]string) redactor {
	var r redactor
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) >= 4 {
			r = append(r, s)
			if after, ok := strings.CutPrefix(s, "Bearer "); ok && len(after) >= 4 {
				r = append(r, after)
			}
		}
	}
	add(apiKey)
	for k, v := range headers {
		if sensitiveHeader(k) {
			add(v)
		}
	}
	return r
}

func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"auth", "key", "token", "secret", "cookie", "password"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func (r redactor) redact(s string) string {
	for _, secret := range r {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}
