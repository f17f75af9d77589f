package library

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/store"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, corpusDir string) *Library {
	t.Helper()
	opts := Options{IndexDir: filepath.Join(t.TempDir(), "index")}
	if corpusDir != "" {
		opts.CorpusPaths = []string{corpusDir}
	}
	lib, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

func TestReindexSwapsAndKeepsServingOnFailure(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.md"), "# Convoys\n\n## Logistics\n\nThe convoy reached Gyumri on Tuesday after a long delay at the checkpoint.\n")
	lib := open(t, dir)
	before := lib.Info()

	// A new document is searchable after a reindex.
	write(t, filepath.Join(dir, "b.md"), "# Pipelines\n\n## Energy\n\nThe pipeline through Georgia carries gas to Turkey and beyond every winter.\n")
	rep, err := lib.Reindex(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Info.Documents != 2 || rep.Info.Version == before.Version || lib.Info().Version != rep.Info.Version {
		t.Fatalf("report %+v, served %+v", rep, lib.Info())
	}
	if hits, _ := lib.Search(ctx, "pipeline Georgia gas", 3); len(hits) == 0 || hits[0].Passage.DocID != "b" {
		t.Errorf("new document not served: %+v", hits)
	}

	// When nothing can be read, the rebuild fails and the index serves on.
	write(t, filepath.Join(dir, "a.md"), "")
	write(t, filepath.Join(dir, "b.md"), "   \n")
	if _, err := lib.Reindex(ctx, nil); err == nil {
		t.Fatal("reindex of an unreadable corpus succeeded")
	}
	if lib.Info().Version != rep.Info.Version {
		t.Errorf("served index changed after a failed rebuild")
	}
	if hits, _ := lib.Search(ctx, "convoy Gyumri", 3); len(hits) == 0 {
		t.Errorf("old index stopped serving")
	}
}

func TestReindexReportsBrokenDocuments(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.md"), "# Convoys\n\nThe convoy reached Gyumri on Tuesday after a long delay at the checkpoint.\n")
	lib := open(t, dir)
	write(t, filepath.Join(dir, "bad.jsonl"), "{broken\n")
	rep, err := lib.Reindex(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].Source != filepath.Join(dir, "bad.jsonl")+":1" || rep.Failed[0].Reason == "" {
		t.Errorf("failed = %+v", rep.Failed)
	}
	if rep.Info.Documents != 1 {
		t.Errorf("documents = %d, want the good one", rep.Info.Documents)
	}
}

func TestConcurrentReindexSharesOneRebuild(t *testing.T) {
	lib := open(t, "")
	var wg sync.WaitGroup
	reps := make([]briefbot.ReindexReport, 4)
	errs := make([]error, 4)
	start := make(chan struct{})
	for i := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			reps[i], errs[i] = lib.Reindex(context.Background(), nil)
		}()
	}
	close(start)
	wg.Wait()
	builds := map[string]bool{}
	for i, r := range reps {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		builds[r.Info.BuiltAt.String()] = true
	}
	// Requests that overlap join the running rebuild; requests that come
	// after it ended start their own. Every request got a rebuild, and
	// joiners say so.
	shared := 0
	for _, r := range reps {
		if r.Shared {
			shared++
		}
	}
	if len(builds)+shared != len(reps) {
		t.Errorf("%d distinct builds and %d shared for %d requests", len(builds), shared, len(reps))
	}
}

func TestJoinerOfRunningRebuildIsShared(t *testing.T) {
	lib := open(t, "")
	started := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	first := make(chan briefbot.ReindexReport, 1)
	go func() {
		rep, err := lib.Reindex(context.Background(), func(done, total int) {
			once.Do(func() { close(started) })
			<-release
		})
		if err != nil {
			t.Error(err)
		}
		first <- rep
	}()
	<-started // the first rebuild is running and holds in its progress callback
	joined := make(chan struct{})
	lib.flightMu.Lock()
	lib.onJoin = func() { close(joined) }
	lib.flightMu.Unlock()
	second := make(chan briefbot.ReindexReport, 1)
	go func() {
		rep, err := lib.Reindex(context.Background(), nil)
		if err != nil {
			t.Error(err)
		}
		second <- rep
	}()
	<-joined
	close(release)
	a, b := <-first, <-second
	if a.Shared || !b.Shared || a.Info.BuiltAt != b.Info.BuiltAt {
		t.Errorf("first shared=%v second shared=%v builds %v / %v; want one rebuild, joined", a.Shared, b.Shared, a.Info.BuiltAt, b.Info.BuiltAt)
	}
}

func TestSuggest(t *testing.T) {
	lib := open(t, "")
	const (
		article = "What does Article 9 of the ceasefire agreement call for?"
		drills  = "Why did Iran hold military drills near the Azerbaijani border?"
		heading = "Azerbaijani-Iranian Border Tensions: Why Now?"
		title   = "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus"
	)
	for _, c := range []struct {
		name      string
		typed     string
		questions []string
		n         int
		want      []string // in this order, among the first len(want)
		absent    []string
	}{
		{"typed first, then a heading", "why n", nil, 25, []string{"why n", heading}, nil},
		{"questions before headings", "why", []string{drills}, 25, []string{"why", drills, heading}, nil},
		{"only matching questions", "artic", []string{drills, article}, 25, []string{"artic", article}, []string{drills}},
		{"nothing typed: questions, then titles", "", []string{article, drills}, 25, []string{article, drills, title}, nil},
		{"same question once, whatever the case", "what", []string{article, strings.ToUpper(article)}, 25, []string{"what", article}, []string{strings.ToUpper(article)}},
		{"no match: only what was typed", "zzzz", []string{article}, 25, []string{"zzzz"}, []string{article}},
		{"at most n", "", []string{article, drills}, 1, []string{article}, []string{drills}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := lib.Suggest(c.typed, c.questions, c.n)
			if len(got) > c.n || len(got) < len(c.want) || !slices.Equal(got[:len(c.want)], c.want) {
				t.Errorf("Suggest(%q, %q, %d) = %q, want %q first", c.typed, c.questions, c.n, got, c.want)
			}
			for _, a := range c.absent {
				if slices.Contains(got, a) {
					t.Errorf("Suggest(%q, %q, %d) = %q, offers %q", c.typed, c.questions, c.n, got, a)
				}
			}
		})
	}
}

// TestAskKeepsNoQuestions: the library does not remember questions, so
// nothing it was asked can be suggested to someone else.
func TestAskKeepsNoQuestions(t *testing.T) {
	lib := open(t, "")
	q := "What does Article 9 of the ceasefire agreement call for?"
	if a, err := lib.Ask(context.Background(), briefbot.AskRequest{Question: q, UserID: "1"}); err != nil || !a.Answerable {
		t.Fatalf("ask: %v %+v", err, a)
	}
	if got := lib.Suggest("artic", nil, 25); slices.Contains(got, q) {
		t.Errorf("Suggest offers a question it was only asked: %q", got)
	}
}

// generatedCorpus writes a Markdown file of n sections, one passage each,
// so that a build of it spans several batches.
func generatedCorpus(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# Depots\n\n")
	for i := range n {
		fmt.Fprintf(&b, "## Depot %d\n\nDepot%d on route%d keeps cargo%d for the valley of river%d; its stock is counted every %d days by the team of warden%d.\n\n",
			i, i, i*7, i*13, i%97, 1+i%30, i%211)
	}
	write(t, path, b.String())
}

// openData opens the library on dir's corpus folder and store, as the bot
// would after a restart.
func openData(dir string, opts Options) (*Library, *store.Store, error) {
	st, err := store.Open(store.Path(dir), store.Options{})
	if err != nil {
		return nil, nil, err
	}
	opts.IndexDir = filepath.Join(dir, "index")
	opts.CorpusPaths = []string{filepath.Join(dir, "corpus")}
	opts.Store = st
	lib, err := Open(context.Background(), opts)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return lib, st, nil
}
