package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestRefresh(t *testing.T) {
	var version atomic.Value
	version.Store("v1")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/validated":
			w.Header().Set("ETag", `"e1"`)
			if r.Header.Get("If-None-Match") == `"e1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			io.WriteString(w, "stable")
		case "/no-validators":
			io.WriteString(w, "same bytes")
		case "/edited":
			w.Header().Set("Last-Modified", "Wed, 04 Mar 2026 09:00:00 GMT")
			io.WriteString(w, version.Load().(string))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	f, _ := fetcherFor(t, srv, Options{})
	r := &Refresher{Getter: f}

	sources := []Source{
		{URL: "http://docs.example/validated"},
		{URL: "http://docs.example/no-validators"},
		{URL: "http://docs.example/edited"},
		{URL: "http://docs.example/gone?token=abcdef"},
		{URL: "http://127.0.0.1/private"},
	}
	first := r.Refresh(t.Context(), sources)
	want := []Outcome{Changed, Changed, Changed, Failed, Failed}
	checkOutcomes(t, "first", first, want)
	if string(first[0].Result.Data) != "stable" || first[0].Hash != Hash([]byte("stable")) || first[0].Result.ETag != `"e1"` {
		t.Errorf("first fetch: %+v", first[0])
	}
	if !errors.Is(first[3].Err, ErrStatus) || !errors.Is(first[4].Err, ErrRefused) {
		t.Errorf("failures: %v; %v", first[3].Err, first[4].Err)
	}

	// Store what the reports say, edit one document, refresh again.
	for i, rep := range first {
		if rep.Outcome != Failed {
			sources[i] = Source{URL: rep.Source.URL, ETag: rep.Result.ETag, LastModified: rep.Result.LastModified, Hash: rep.Hash}
		}
	}
	version.Store("v2")
	second := r.Refresh(t.Context(), sources)
	checkOutcomes(t, "second", second, []Outcome{Unchanged, Unchanged, Changed, Failed, Failed})
	if !second[0].Result.NotModified || second[0].Hash != sources[0].Hash || second[0].Result.ETag != `"e1"` {
		t.Errorf("304: %+v", second[0])
	}
	if second[1].Result.NotModified || second[1].Result.Data != nil || second[1].Hash != sources[1].Hash {
		t.Errorf("same bytes without validators: %+v", second[1])
	}
	if string(second[2].Result.Data) != "v2" || second[2].Hash != Hash([]byte("v2")) {
		t.Errorf("edited: %+v", second[2])
	}
	sum := Summary(second)
	for _, w := range []string{"5 URL sources: 1 changed, 2 unchanged, 2 failed",
		"http://docs.example/gone?token=REDACTED: HTTP 404 Not Found", "http://127.0.0.1/private: refused: 127.0.0.1 is a loopback address"} {
		if !strings.Contains(sum, w) {
			t.Errorf("Summary = %q, lacks %q", sum, w)
		}
	}
	if strings.Contains(sum, "abcdef") {
		t.Errorf("Summary leaks the token: %q", sum)
	}
}

// Once the context is done, nothing more is fetched.
func TestRefreshCancelled(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "x")
	}))
	t.Cleanup(srv.Close)
	f, _ := fetcherFor(t, srv, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	reps := (&Refresher{Getter: f}).Refresh(ctx, []Source{{URL: "http://a.example/1"}, {URL: "http://a.example/2?sig=secret-value"}})
	checkOutcomes(t, "cancelled", reps, []Outcome{Failed, Failed})
	if hits.Load() != 0 {
		t.Errorf("%d requests after cancellation", hits.Load())
	}
	if !errors.Is(reps[1].Err, context.Canceled) || strings.Contains(reps[1].Err.Error(), "secret-value") {
		t.Errorf("error %v", reps[1].Err)
	}
	if got := Summary(reps[:1]); !strings.HasPrefix(got, "1 URL source: 0 changed, 0 unchanged, 1 failed") {
		t.Errorf("Summary = %q", got)
	}
}

func checkOutcomes(t *testing.T, what string, reps []Report, want []Outcome) {
	t.Helper()
	if len(reps) != len(want) {
		t.Fatalf("%s: %d reports, want %d", what, len(reps), len(want))
	}
	for i, r := range reps {
		if r.Outcome != want[i] {
			t.Errorf("%s: %s is %s (%v), want %s", what, r.Source.URL, r.Outcome, r.Err, want[i])
		}
	}
}
