package library

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/store"
)

const convoyText = "# Convoys\n\n## Logistics\n\nThe convoy reached Gyumri on Tuesday after a long delay at the checkpoint.\n"

const pipelineText = "# Pipelines\n\n## Energy\n\nThe pipeline through Georgia carries gas to Turkey and beyond every winter.\n"

// openWithStore opens a library of a one-document corpus folder and a
// store, both in dir, so that a test can reopen them.
func openWithStore(t *testing.T, dir string, logger *slog.Logger) (*Library, *store.Store) {
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
		Store: st, Logger: logger})
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

// cites asks a question and reports whether the answer cites document id.
func cites(t *testing.T, lib *Library, q, id string) bool {
	t.Helper()
	a, err := lib.Ask(context.Background(), briefbot.AskRequest{Question: q})
	if err != nil {
		t.Fatalf("ask %q: %v", q, err)
	}
	return slices.ContainsFunc(a.Citations, func(c briefbot.Citation) bool { return c.DocID == id })
}

func actions(t *testing.T, lib *Library) []string {
	t.Helper()
	es, err := lib.Audit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range slices.Backward(es) {
		out = append(out, e.Action+" "+e.DocID+" by "+e.Actor)
	}
	return out
}

func TestAddUpdateUnchangedRefuse(t *testing.T) {
	ctx := context.Background()
	lib, st := openWithStore(t, t.TempDir(), nil)
	const q = "Which pipeline carries gas to Turkey?"
	if cites(t, lib, q, "pipelines") {
		t.Fatal("cited before it was added")
	}
	res, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: "pipelines.md", Data: []byte(pipelineText), By: "42"})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Document
	if res.Change != "added" || d.ID != "pipelines" || d.Title != "Pipelines" || d.SourceKind != briefbot.SourceUpload ||
		d.Source != "pipelines.md" || d.Passages == 0 || d.AddedBy != "42" || d.Hash != store.HashOf([]byte(pipelineText)) {
		t.Fatalf("add result %+v", res)
	}
	if !cites(t, lib, q, "pipelines") {
		t.Fatal("added document not cited")
	}

	// The same bytes again: nothing to do.
	version := lib.Info().Version
	res, err = lib.AddDocument(ctx, briefbot.AddRequest{Name: "pipelines.md", Data: []byte(pipelineText), By: "43"})
	if err != nil || res.Change != "unchanged" || res.Document.ID != "pipelines" || lib.Info().Version != version {
		t.Fatalf("re-add: %+v %v (version %s -> %s)", res, err, version, lib.Info().Version)
	}

	// New content from the same file name keeps the ID.
	changed := strings.ReplaceAll(pipelineText, "Turkey", "Armenia")
	res, err = lib.AddDocument(ctx, briefbot.AddRequest{Name: "pipelines.md", Data: []byte(changed), By: "44"})
	if err != nil || res.Change != "updated" || res.Document.ID != "pipelines" {
		t.Fatalf("update: %+v %v", res, err)
	}
	if !cites(t, lib, "Which pipeline carries gas to Armenia?", "pipelines") {
		t.Error("updated content not cited")
	}
	// A different file with the same title gets an ID of its own.
	res, err = lib.AddDocument(ctx, briefbot.AddRequest{Name: "other.md", Title: "Pipelines", Data: []byte(pipelineText), By: "45"})
	if err != nil || res.Change != "added" || res.Document.ID != "pipelines-2" {
		t.Fatalf("same title: %+v %v", res, err)
	}

	// A document without text is refused and changes nothing.
	before, _ := st.DocumentsVersion(ctx)
	version = lib.Info().Version
	_, err = lib.AddDocument(ctx, briefbot.AddRequest{Name: "empty.md", Data: []byte("   \n"), By: "46"})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("empty document: %v", err)
	}
	after, _ := st.DocumentsVersion(ctx)
	if before != after || lib.Info().Version != version {
		t.Errorf("a refused document changed the store (%d -> %d) or the index", before, after)
	}
	want := []string{"add pipelines by 42", "update pipelines by 44", "add pipelines-2 by 45", "refuse  by 46"}
	if got := actions(t, lib); !slices.Equal(got, want) {
		t.Errorf("audit %q, want %q", got, want)
	}
	if _, err := lib.AddDocument(ctx, briefbot.AddRequest{URL: "https://example.org/a"}); !errors.Is(err, ErrNoFetcher) {
		t.Errorf("URL without a fetcher: %v", err)
	}
}

type fakeFetcher map[string]string

func (f fakeFetcher) Get(ctx context.Context, url string) ([]byte, string, error) {
	body, ok := f[url]
	if !ok {
		return nil, "", fmt.Errorf("404 for %s", url)
	}
	return []byte(body), url, nil
}

func TestAddFromURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(store.Path(dir), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lib, err := Open(ctx, Options{IndexDir: filepath.Join(dir, "index"), Store: st,
		Fetcher: fakeFetcher{"https://example.org/pipes.md": pipelineText}})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	res, err := lib.AddDocument(ctx, briefbot.AddRequest{URL: "https://example.org/pipes.md", By: "42"})
	if err != nil || res.Document.ID != "example-org-pipes" || res.Document.SourceKind != briefbot.SourceURL {
		t.Fatalf("add URL: %+v %v", res, err)
	}
	a, err := lib.Ask(ctx, briefbot.AskRequest{Question: "Which pipeline carries gas to Turkey?"})
	if err != nil || len(a.Citations) == 0 || !strings.HasPrefix(a.Citations[0].URL, "https://example.org/pipes.md") {
		t.Errorf("citation of a URL document: %+v %v", a.Citations, err)
	}
	if _, err := lib.AddDocument(ctx, briefbot.AddRequest{URL: "https://example.org/missing", By: "42"}); !errors.Is(err, ErrRefused) {
		t.Errorf("failed fetch: %v", err)
	}
}

func TestRemoveRestorePurgeAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lib, st := openWithStore(t, dir, nil)
	const q = "Which pipeline carries gas to Turkey?"
	if _, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: "pipelines.md", Data: []byte(pipelineText), By: "42"}); err != nil {
		t.Fatal(err)
	}
	info, err := lib.RemoveDocument(ctx, "pipelines", "7")
	if err != nil || !info.Removed {
		t.Fatalf("remove: %+v %v", info, err)
	}
	if cites(t, lib, q, "pipelines") {
		t.Error("removed document still cited")
	}
	docs, _, err := lib.ListDocuments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, fmt.Sprintf("%s/%s/removed=%v", d.ID, d.SourceKind, d.Removed))
	}
	if want := []string{"convoys/path/removed=false", "pipelines/upload/removed=true"}; !slices.Equal(ids, want) {
		t.Errorf("list %q, want %q", ids, want)
	}
	if _, err := lib.RemoveDocument(ctx, "convoys", "7"); !errors.Is(err, ErrConfigured) {
		t.Errorf("remove of a configured document: %v", err)
	}
	if _, err := lib.RemoveDocument(ctx, "nope", "7"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove of an unknown document: %v", err)
	}

	// Removed stays removed across a restart; restored comes back.
	lib.Close()
	st.Close()
	lib, st = openWithStore(t, dir, nil)
	if cites(t, lib, q, "pipelines") {
		t.Error("removed document cited after a restart")
	}
	if _, err := lib.RestoreDocument(ctx, "pipelines", "8"); err != nil {
		t.Fatal(err)
	}
	if !cites(t, lib, q, "pipelines") {
		t.Error("restored document not cited")
	}
	lib.Close()
	st.Close()
	lib, st = openWithStore(t, dir, nil)
	if !cites(t, lib, q, "pipelines") {
		t.Error("restored document not cited after a restart")
	}
	if err := lib.PurgeDocument(ctx, "pipelines", "9"); err != nil {
		t.Fatal(err)
	}
	if cites(t, lib, q, "pipelines") {
		t.Error("purged document cited")
	}
	if _, ok, _ := st.Document(ctx, "pipelines"); ok {
		t.Error("purged document still stored")
	}
	want := []string{"add pipelines by 42", "remove pipelines by 7", "restore pipelines by 8", "purge pipelines by 9"}
	if got := actions(t, lib); !slices.Equal(got, want) {
		t.Errorf("audit %q, want %q", got, want)
	}
}

// A start with nothing changed takes the documents from the index; a
// changed file or a changed store makes it parse again.
func TestStartupSkipsParsingWhenUnchanged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	skipped := func() bool {
		mu.Lock()
		defer mu.Unlock()
		s := strings.Contains(logs.String(), "corpus not parsed")
		logs.Reset()
		return s
	}
	lib, st := openWithStore(t, dir, logger)
	if skipped() {
		t.Fatal("first start skipped parsing")
	}
	if _, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: "pipelines.md", Data: []byte(pipelineText), By: "42"}); err != nil {
		t.Fatal(err)
	}
	reopen := func() {
		lib.Close()
		st.Close()
		lib, st = openWithStore(t, dir, logger)
	}
	reopen()
	if !skipped() {
		t.Error("unchanged corpus and store parsed again")
	}
	if !cites(t, lib, "Which pipeline carries gas to Turkey?", "pipelines") || !cites(t, lib, "When did the convoy reach Gyumri?", "convoys") {
		t.Error("documents not served after a start without parsing")
	}
	if _, err := lib.RemoveDocument(ctx, "pipelines", "42"); err != nil {
		t.Fatal(err)
	}
	reopen()
	if !skipped() {
		t.Error("a removal made the next start parse")
	}
	docs, _, _ := lib.ListDocuments(ctx)
	if len(docs) != 2 || docs[0].SourceKind != briefbot.SourcePath || !docs[1].Removed {
		t.Errorf("list after a start without parsing: %+v", docs)
	}
	write(t, filepath.Join(dir, "corpus", "convoys.md"), convoyText+"\nIt left for Tbilisi on Friday.\n")
	reopen()
	if skipped() {
		t.Error("a changed file was not parsed")
	}
	if hits, _ := lib.Search(ctx, "convoy left for Tbilisi", 1); len(hits) == 0 || !strings.Contains(hits[0].Passage.Text, "Tbilisi") {
		t.Errorf("changed file not served: %+v", hits)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// twentyPages is a generated document of about twenty pages (some 500
// words a page, in sections of a few paragraphs), with one fact to ask
// for on its last page.
func twentyPages() []byte {
	var b strings.Builder
	b.WriteString("# Regional Transport Survey\n\n")
	words := strings.Fields("road rail port customs border freight corridor tariff transit cargo convoy truck bridge tunnel station depot ferry pipeline grid toll")
	for page := 1; page <= 20; page++ {
		fmt.Fprintf(&b, "## Part %d\n\n", page)
		for para := range 5 {
			for w := range 100 {
				b.WriteString(words[(page*7+para*3+w*w)%len(words)])
				b.WriteByte(' ')
			}
			b.WriteString("\n\n")
		}
	}
	b.WriteString("The Zangezur survey team counted 4812 lorries at the Meghri crossing.\n")
	return []byte(b.String())
}

// TestAddThenAnswerLatency measures the moderators' promise: from the
// upload to the first answer citing it, on a twenty-page document.
func TestAddThenAnswerLatency(t *testing.T) {
	ctx := context.Background()
	lib, _ := openWithStore(t, t.TempDir(), nil)
	data := twentyPages()
	start := time.Now()
	res, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: "survey.md", Data: data, By: "42"})
	if err != nil {
		t.Fatal(err)
	}
	if !cites(t, lib, "How many lorries did the Zangezur survey team count at Meghri?", res.Document.ID) {
		t.Fatal("added document not cited")
	}
	took := time.Since(start)
	t.Logf("add → first answer citing it: %v (%d bytes, %d passages, %d-passage index)", took, len(data), res.Document.Passages, lib.Info().Passages)
	if took > 2*time.Second {
		t.Errorf("add → answer took %v, want ≤ 2s", took)
	}
}

// TestQuestionsDuringChanges: 8 askers through 20 cycles of adding,
// removing and rebuilding; no question may fail.
func TestQuestionsDuringChanges(t *testing.T) {
	ctx := context.Background()
	lib, _ := openWithStore(t, t.TempDir(), nil)
	stop := make(chan struct{})
	var asked, failed atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qs := []string{"When did the convoy reach Gyumri?", "Which pipeline carries gas to Turkey?"}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := lib.Ask(ctx, briefbot.AskRequest{Question: qs[(g+i)%2]}); err != nil {
					failed.Add(1)
					t.Errorf("question failed: %v", err)
				}
				asked.Add(1)
			}
		}()
	}
	for i := range 20 {
		text := pipelineText + fmt.Sprintf("\nRevision %d of the pipeline notes.\n", i)
		if _, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: "pipelines.md", Data: []byte(text), By: "42"}); err != nil {
			t.Fatal(err)
		}
		if _, err := lib.RemoveDocument(ctx, "pipelines", "42"); err != nil {
			t.Fatal(err)
		}
		if _, err := lib.Reindex(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d questions during 20 add/remove/rebuild cycles, %d failed", asked.Load(), failed.Load())
	if asked.Load() == 0 || failed.Load() != 0 {
		t.Errorf("%d questions, %d failed", asked.Load(), failed.Load())
	}
}
