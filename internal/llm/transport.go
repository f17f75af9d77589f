package llm

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// transport adds the configured headers to every request and notes the
// status and Retry-After of each response: go-openai's errors keep the
// status but drop the headers, and the retry loop needs Retry-After.
type transport struct {
	base    http.RoundTripper
	headers map[string]string
}

// exchange is what transport saw of one attempt; the retry loop puts a
// fresh one in the request context of each attempt.
type exchange struct {
	mu         sync.Mutex
	status     int
	retryAfter string
	retryMs    string
}

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
	if x, ok := req.Context().Value(exchangeKey{}).(*exchange); ok && resp != nil {
		x.mu.Lock()
		x.status = resp.StatusCode
		x.retryAfter = resp.Header.Get("Retry-After")
		x.retryMs = resp.Header.Get("Retry-After-Ms")
		x.mu.Unlock()
	}
	return resp, err
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
