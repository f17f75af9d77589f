package library

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/fetch"
	"github.com/briefbot/briefbot/internal/store"
)

// page is a web page that changes when a test says so: it answers
// If-None-Match with a 304 when validators is set, and 503 while down.
type page struct {
	mu         sync.Mutex
	body       string
	version    int
	validators bool
	down       bool
	hits       int // requests answered 200
	notMod     int // requests answered 304
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	etag := fmt.Sprintf(`"v%d"`, p.version)
	if p.validators {
		if r.Header.Get("If-None-Match") == etag {
			p.notMod++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
	}
	p.hits++
	w.Header().Set("Content-Type", "text/markdown")
	fmt.Fprint(w, p.body)
}

func (p *page) set(f func(p *page)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

func (p *page) counts() (hits, notMod int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits, p.notMod
}

// testFetcher is cmd/briefbot's urlFetcher: the real fetcher, allowed to
// reach the loopback test server.
type testFetcher struct{ f *fetch.Fetcher }

func newTestFetcher() testFetcher {
	return testFetcher{fetch.New(fetch.Options{AllowPrivate: true, Timeout: 10 * time.Second})}
}

func (t testFetcher) Get(ctx context.Context, url string) ([]byte, string, error) {
	r, err := t.f.Get(ctx, url, fetch.Conditional{})
	return r.Data, r.URL, err
}

func (t testFetcher) GetConditional(ctx context.Context, url string, cond fetch.Conditional) (fetch.Result, error) {
	return t.f.Get(ctx, url, cond)
}

const armeniaText = "# Pipelines\n\n## Energy\n\nThe pipeline through Armenia carries oil to Iran since the spring of last year.\n"

// openURLs opens a library of a one-document corpus folder, a store and
// the configured urls, all in dir, so that a test can reopen them.
func openURLs(t *testing.T, dir string, urls ...string) (*Library, *store.Store) {
	t.Helper()
	corpusDir := filepath.Join(dir, "corpus")
	if _, err := os.Stat(corpusDir); err != nil {
		if err := os.Mkdir(corpusDir, 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(corpusDir, "convoys.md"), convoyText)
	}
	st, err := store.Open(store.Path(dir), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lib, err := Open(context.Background(), Options{IndexDir: filepath.Join(dir, "index"), CorpusPaths: []string{corpusDir},
		Store: st, Fetcher: newTestFetcher(), URLs: urls, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		lib.Close()
		st.Close()
	})
	return lib, st
}

// citesText reports whether the best hit of a query holds text.
func citesText(t *testing.T, lib *Library, q, text string) bool {
	t.Helper()
	hits, err := lib.Search(context.Background(), q, 3)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(hits, func(h briefbot.Hit) bool { return strings.Contains(h.Passage.Text, text) })
}

func urlRecord(t *testing.T, st *store.Store, url string) store.DocumentRecord {
	t.Helper()
	recs, err := st.Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.SourceKind == briefbot.SourceURL && r.Source == url {
			return r
		}
	}
	t.Fatalf("no stored document from %s", url)
	return store.DocumentRecord{}
}

// A configured URL is fetched once, kept with its ETag, not fetched again
// on restart; a refresh costs a 304 while it is unchanged, updates it in
// place when it changes, and keeps serving it while the server is down.
func TestConfiguredURLLifecycle(t *testing.T) {
	ctx := context.Background()
	p := &page{body: pipelineText, validators: true}
	srv := httptest.NewServer(p)
	defer srv.Close()
	url := srv.URL + "/pipes.md"
	dir := t.TempDir()

	lib, st := openURLs(t, dir, url)
	rec := urlRecord(t, st, url)
	if rec.ETag != `"v0"` || rec.AddedBy != configuredBy {
		t.Fatalf("stored record: etag %q, added by %q", rec.ETag, rec.AddedBy)
	}
	if !cites(t, lib, "Which pipeline carries gas to Turkey?", rec.ID) {
		t.Fatal("configured URL not cited")
	}
	lib.Close()
	st.Close()

	lib, st = openURLs(t, dir, url)
	if hits, _ := p.counts(); hits != 1 {
		t.Fatalf("%d downloads after a restart, want 1", hits)
	}
	before, version := actions(t, lib), lib.Info().Version

	rep, err := lib.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, notMod := p.counts(); notMod != 1 || len(rep.Changed) != 0 || len(rep.Failed) != 0 || rep.Rebuilt ||
		!slices.Equal(rep.Unchanged, []string{url, foldersName}) {
		t.Fatalf("unchanged refresh: %+v (304s %d)", rep, notMod)
	}
	if got := actions(t, lib); !slices.Equal(got, before) || lib.Info().Version != version {
		t.Fatalf("unchanged refresh changed something: audit %q, version %s → %s", got, version, lib.Info().Version)
	}

	p.set(func(p *page) { p.body, p.version = armeniaText, 1 })
	rep, err = lib.Refresh(ctx)
	if err != nil || !slices.Equal(rep.Changed, []string{url}) {
		t.Fatalf("changed refresh: %+v %v", rep, err)
	}
	if after := urlRecord(t, st, url); after.ID != rec.ID || after.ETag != `"v1"` {
		t.Errorf("updated record: ID %q (was %q), etag %q", after.ID, rec.ID, after.ETag)
	}
	if !citesText(t, lib, "pipeline Armenia oil Iran", "Armenia") || citesText(t, lib, "pipeline gas Turkey", "Turkey") {
		t.Error("the refreshed text is not the one cited")
	}
	es, err := lib.Audit(ctx, 1)
	if err != nil || len(es) != 1 || es[0].Action != "refresh" || es[0].DocID != rec.ID || !strings.Contains(es[0].Detail, "changed: passages 1 → 1, bytes") {
		t.Errorf("refresh audit: %+v %v", es, err)
	}

	p.set(func(p *page) { p.down = true })
	rep, err = lib.Refresh(ctx)
	if err != nil || len(rep.Failed) != 1 || rep.Failed[0].Source != url || !strings.Contains(rep.Failed[0].Reason, "503") {
		t.Fatalf("refresh with the server down: %+v %v", rep, err)
	}
	if !citesText(t, lib, "pipeline Armenia oil Iran", "Armenia") {
		t.Error("the last good content is no longer served while the server is down")
	}
	if !strings.Contains(rep.String(), "0 changed, 1 unchanged, 1 failed; failed: "+url) {
		t.Errorf("summary: %s", rep)
	}
}

// A configured URL that cannot be fetched at start is listed as failed and
// does not stop the start; the next refresh adds it once it answers.
func TestConfiguredURLFailingAtStart(t *testing.T) {
	ctx := context.Background()
	p := &page{body: pipelineText, down: true}
	srv := httptest.NewServer(p)
	defer srv.Close()
	url := srv.URL + "/pipes.md"

	lib, _ := openURLs(t, t.TempDir(), url)
	_, failed, err := lib.ListDocuments(ctx)
	if err != nil || len(failed) != 1 || failed[0].Source != url || !strings.Contains(failed[0].Reason, "503") {
		t.Fatalf("failures after start: %+v %v", failed, err)
	}
	if !cites(t, lib, "When did the convoy reach Gyumri?", "convoys") {
		t.Error("the configured files are not served")
	}

	p.set(func(p *page) { p.down = false })
	rep, err := lib.Refresh(ctx)
	if err != nil || !slices.Equal(rep.Changed, []string{url}) {
		t.Fatalf("refresh once up: %+v %v", rep, err)
	}
	if _, failed, _ := lib.ListDocuments(ctx); len(failed) != 0 {
		t.Errorf("still listed as failed: %+v", failed)
	}
	if !citesText(t, lib, "pipeline gas Turkey", "Turkey") {
		t.Error("the URL document is not served after the refresh")
	}
}

// A server that sends no validators answers 200 every time: the same
// bytes are unchanged all the same (no update, no audit). Documents
// moderators added by URL are refreshed too.
func TestRefreshSameBytesWithoutValidators(t *testing.T) {
	ctx := context.Background()
	p := &page{body: pipelineText}
	srv := httptest.NewServer(p)
	defer srv.Close()
	url := srv.URL + "/pipes.md"
	lib, _ := openURLs(t, t.TempDir())
	if _, err := lib.AddDocument(ctx, briefbot.AddRequest{URL: url, By: "42"}); err != nil {
		t.Fatal(err)
	}
	before := actions(t, lib)
	rep, err := lib.Refresh(ctx)
	if err != nil || !slices.Equal(rep.Unchanged, []string{url, foldersName}) || len(rep.Changed)+len(rep.Failed) != 0 {
		t.Fatalf("refresh: %+v %v", rep, err)
	}
	if hits, _ := p.counts(); hits != 2 {
		t.Errorf("%d downloads, want 2", hits)
	}
	if got := actions(t, lib); !slices.Equal(got, before) {
		t.Errorf("audit changed: %q", got)
	}
}

// New files in a configured folder rebuild the index on refresh.
func TestRefreshRebuildsChangedFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lib, _ := openURLs(t, dir)
	write(t, filepath.Join(dir, "corpus", "pipes.md"), armeniaText)
	rep, err := lib.Refresh(ctx)
	if err != nil || !rep.Rebuilt || !slices.Equal(rep.Changed, []string{foldersName}) {
		t.Fatalf("refresh: %+v %v", rep, err)
	}
	if !citesText(t, lib, "pipeline Armenia oil Iran", "Armenia") {
		t.Error("the new file is not served")
	}
	if rep, err = lib.Refresh(ctx); err != nil || rep.Rebuilt {
		t.Errorf("second refresh rebuilt again: %+v %v", rep, err)
	}
}

// The schedule refreshes on every tick and stops with its context.
func TestRunRefreshOnTicks(t *testing.T) {
	lib, _ := openURLs(t, t.TempDir())
	reports := make(chan RefreshReport)
	lib.urls.onRefresh = func(r RefreshReport, err error) {
		if err != nil {
			t.Error(err)
		}
		reports <- r
	}
	ctx, cancel := context.WithCancel(context.Background())
	ticks, done := make(chan time.Time), make(chan struct{})
	go func() {
		lib.runRefresh(ctx, ticks)
		close(done)
	}()
	for range 2 {
		ticks <- time.Time{}
		if r := <-reports; !slices.Equal(r.Unchanged, []string{foldersName}) {
			t.Errorf("scheduled refresh: %+v", r)
		}
	}
	cancel()
	<-done
}
