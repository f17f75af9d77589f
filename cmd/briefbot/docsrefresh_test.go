package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// corpus.urls from the command line: fetched when the store lacks it,
// then 'docs refresh' costs a 304 until the page changes.
func TestDocsRefreshConfiguredURL(t *testing.T) {
	var version, downloads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		etag := fmt.Sprintf(`"v%d"`, version.Load())
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		downloads.Add(1)
		w.Header().Set("ETag", etag)
		body := pipesMarkdown
		if version.Load() > 0 {
			body = strings.ReplaceAll(body, "Turkey", "Bulgaria")
		}
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	data := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "briefbot.yaml")
	conf := fmt.Sprintf("corpus:\n  allow_private_urls: true\n  urls: [%s/pipes.md]\n", srv.URL)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	step := func(want string, args ...string) {
		t.Helper()
		code, out, errs := runCLI(t, data, "", append(args, "--config", cfg)...)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("%q: exit %d, stdout %q, stderr %q; want %q", args, code, out, errs, want)
		}
	}
	step("refreshed: 0 changed, 1 unchanged, 0 failed", "docs", "refresh")
	step("url "+srv.URL+"/pipes.md", "docs", "list")
	version.Store(1)
	step("refreshed: 1 changed, 0 unchanged, 0 failed; changed: "+srv.URL+"/pipes.md", "docs", "refresh")
	step("Bulgaria", "search", "pipeline gas Bulgaria")
	if n := downloads.Load(); n != 2 {
		t.Errorf("%d downloads, want 2 (the first, then the change)", n)
	}
}
