package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newCache(2)
	c.put("a", Result{Text: "A"}, nil)
	c.put("b", Result{Text: "B"}, ErrNotInSources)
	if _, _, ok := c.get("a"); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	c.put("c", Result{Text: "C"}, nil)
	if _, _, ok := c.get("b"); ok {
		t.Error("b survived, though least recently used")
	}
	for _, k := range []string{"a", "c"} {
		if _, _, ok := c.get(k); !ok {
			t.Errorf("%s evicted", k)
		}
	}
	c.put("c", Result{Text: "C2"}, nil)
	if r, _, _ := c.get("c"); r.Text != "C2" || c.ll.Len() != 2 {
		t.Errorf("update: %q, %d entries", r.Text, c.ll.Len())
	}
	var off *cache
	off.put("x", Result{}, nil)
	if _, _, ok := off.get("x"); ok {
		t.Error("a disabled cache returned an entry")
	}
}

func TestNormalizeQuestion(t *testing.T) {
	tests := []struct{ a, b string }{
		{"What is X?", "  what   is x "},
		{"Why?!", "why"},
		{"Qu'est-ce que c'est ?", "qu'est-ce que c'est"},
	}
	for _, tc := range tests {
		if NormalizeQuestion(tc.a) != NormalizeQuestion(tc.b) {
			t.Errorf("%q and %q normalize apart: %q, %q", tc.a, tc.b, NormalizeQuestion(tc.a), NormalizeQuestion(tc.b))
		}
	}
	if NormalizeQuestion("who won") == NormalizeQuestion("who lost") {
		t.Error("different questions share a key")
	}
}

func TestCacheKey(t *testing.T) {
	why := []pastTurn{{question: "How does Iran pressure Baku?", answer: "Through the corridor."}}
	base := cacheKey("Q?", "idx1", "http://h/v1", "m", "v1", testSources, nil)
	for name, other := range map[string]string{
		"index":   cacheKey("Q?", "idx2", "http://h/v1", "m", "v1", testSources, nil),
		"server":  cacheKey("Q?", "idx1", "http://g/v1", "m", "v1", testSources, nil),
		"model":   cacheKey("Q?", "idx1", "http://h/v1", "m2", "v1", testSources, nil),
		"prompt":  cacheKey("Q?", "idx1", "http://h/v1", "m", "v2", testSources, nil),
		"sources": cacheKey("Q?", "idx1", "http://h/v1", "m", "v1", testSources[:2], nil),
		"history": cacheKey("Q?", "idx1", "http://h/v1", "m", "v1", testSources, why),
		"earlier answer": cacheKey("Q?", "idx1", "http://h/v1", "m", "v1", testSources,
			[]pastTurn{{question: why[0].question, answer: "Through the border."}}),
	} {
		if other == base {
			t.Errorf("a different %s gives the same key", name)
		}
	}
	if cacheKey(" q ", "idx1", "http://h/v1", "m", "v1", testSources, []pastTurn{}) != base {
		t.Error("the same normalized question gives another key")
	}
}

func TestDailyCaps(t *testing.T) {
	d := &dailyCaps{limit: 2}
	day := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)
	for i := range 2 {
		if !d.take("u", day) {
			t.Fatalf("call %d refused", i+1)
		}
	}
	if d.take("u", day) || d.remaining("u", day) != 0 {
		t.Error("third call allowed")
	}
	if !d.take("v", day) || d.remaining("v", day) != 1 {
		t.Error("another user shares the cap")
	}
	if !d.take("", day) || d.remaining("", day) != -1 {
		t.Error("the anonymous user is capped")
	}
	next := day.Add(2 * time.Hour) // next UTC day
	if !d.take("u", next) || d.remaining("u", next) != 1 {
		t.Error("the cap did not reset on the next UTC day")
	}
	if len(d.counts) != 1 {
		t.Errorf("old days kept: %v", d.counts)
	}
	off := &dailyCaps{}
	if !off.take("u", day) || off.remaining("u", day) != -1 {
		t.Error("no cap configured, yet capped")
	}
}

func TestFallbackReason(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("x: %w", ErrDailyCap), "daily_cap"},
		{fmt.Errorf("%w: %w", ErrBusy, context.DeadlineExceeded), "busy"},
		{fmt.Errorf("%w: %w", ErrTimeout, context.DeadlineExceeded), "timeout"},
		{context.DeadlineExceeded, "timeout"},
		{fmt.Errorf("%w: %w", ErrCanceled, context.Canceled), "canceled"},
		{ErrUnauthorized, "unauthorized"},
		{ErrRateLimited, "rate_limited"},
		{ErrServer, "server_error"},
		{ErrBadRequest, "bad_request"},
		{ErrUnreachable, "unreachable"},
		{ErrBadResponse, "bad_response"},
		{ErrContentFilter, "content_filter"},
		{ErrTruncated, "truncated"},
		{ErrNoValidCitation, "no_valid_citations"},
		{ErrNotInSources, "not_in_sources"},
		{ErrNoSources, "no_sources"},
		{errors.New("other"), "error"},
	}
	for _, tc := range tests {
		if got := FallbackReason(tc.err); got != tc.want {
			t.Errorf("FallbackReason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"-3", 0, false},
		{"NaN", 0, false},
		{"soon", 0, false},
		{"99999999999", maxRetryAfter, true},
		{now.Add(90 * time.Second).Format(httpTime), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(httpTime), 0, true},
	}
	for _, tc := range tests {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if d, ok := parseRetryMs("150"); !ok || d != 150*time.Millisecond {
		t.Errorf("parseRetryMs(150) = %v, %v", d, ok)
	}
	if _, ok := parseRetryMs(""); ok {
		t.Error("empty retry-after-ms accepted")
	}
}

const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"

func TestRedactor(t *testing.T) {
	r := newRedactor("sk-live-abcdef123456", map[string]string{"X-Gateway-Token": "Bearer gw-secret-999", "X-Trace": "visible-trace"})
	s := r.redact("key sk-live-abcdef123456, gateway gw-secret-999, trace visible-trace")
	for _, secret := range []string{"sk-live-abcdef123456", "gw-secret-999"} {
		if strings.Contains(s, secret) {
			t.Errorf("%q left in %q", secret, s)
		}
	}
	if !strings.Contains(s, "visible-trace") {
		t.Errorf("a harmless header value was redacted: %q", s)
	}
	if got := newRedactor("", nil).redact("nothing to hide"); got != "nothing to hide" {
		t.Errorf("empty redactor changed text: %q", got)
	}
}
