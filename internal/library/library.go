// Package library is the set of documents briefbot answers from, as a
// running service: the configured corpus, its live index, the answerer, and
// rebuilding the index on request while the old one keeps serving. The CLI's
// long-running commands and the Discord bot both use it.
package library

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/index"
	"github.com/briefbot/briefbot/internal/answer"
	"github.com/briefbot/briefbot/internal/store"
)

// Options say where the documents and the index are and how to answer.
type Options struct {
	IndexDir    string
	CorpusPaths []string // empty: the built-in brief
	Corpus      corpus.Options
	Index       index.Options
	Answer      answer.Options
	Logger      *slog.Logger
	// Progress, when set, is told how the first build goes.
	Progress func(done, total int)
	// Rebuild makes Open build the index even when it is current (index
	// --force), as its one build.
	Rebuild bool
	// Summarizer, when set, writes answers from the passages (a model);
	// the extractive answer stands in whenever it fails.
	Summarizer answer.Summarizer
	// MaxPassages bounds the passages offered to the Summarizer.
	MaxPassages int
	// Store, when set, holds the documents moderators add, which the
	// library serves beside the configured ones, and the audit log.
	// Without it the library serves the configured documents only and
	// refuses changes with ErrNoStore.
	Store *store.Store
	// Fetcher gets URL documents; nil refuses them with ErrNoFetcher.
	Fetcher Fetcher
	// URLs are documents fetched at start when the store lacks them, then
	// kept there and refreshed like those moderators add by URL (urls.go).
	URLs []string
	// Observer, when set, hears how long each search for an answer took.
	Observer briefbot.Observer
}

// Library serves questions from the live index.
type Library struct {
	opts Options
	log  *slog.Logger
	live *index.Live

	// mu serializes changes to the set of documents (adds, removals,
	// rebuilds), each of which builds an index from that set and swaps
	// it in: two at once would each swap in an index lacking the other's
	// change. Questions never take it.
	mu          sync.Mutex
	pathDocs    []briefbot.Document          // the configured documents, parsed
	pathFailed  []briefbot.Failure           // configured sources that failed
	stored      map[string]briefbot.Document // stored documents served, by ID
	storeFailed []briefbot.Failure           // stored documents that failed
	// light marks pathDocs and stored as taken from the index at start-up
	// (see openIfUnchanged), whose passages may lack their texts: the
	// index keeps them apart, and hydrate reads them before a build.
	light bool
	urls  urlState // configured URLs and refreshes (urls.go)

	flightMu sync.Mutex
	flight   *rebuild
	// onJoin, in tests, hears of a request joining a running rebuild.
	onJoin func()
}

type rebuild struct {
	by   string // who started it, for the audit log
	done chan struct{}
	rep  briefbot.ReindexReport
	err  error
	// progress listeners of everyone waiting on this rebuild
	mu        sync.Mutex
	listeners []func(done, total int)
}

// Open loads the corpus and opens its index, building it when it is missing
// or stale.
func Open(ctx context.Context, opts Options) (*Library, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	l := &Library{opts: opts, log: opts.Logger}
	l.removeAbandonedBuilds()
	if !opts.Rebuild {
		if ix := l.openIfUnchanged(ctx); ix != nil {
			l.live = index.NewLive(ix)
			l.addConfiguredURLs(ctx)
			return l, nil
		}
	}
	stored, storeFailed, err := l.loadStored(ctx)
	if err != nil {
		return nil, err
	}
	src := l.newCorpusSource(stored, storeFailed)
	bo := l.buildOptions(ctx, opts.Progress)
	bo.Failed = nil // the source reports them
	var ix *index.Index
	rebuilt, stale := true, false
	if opts.Rebuild {
		ix, err = index.BuildFrom(ctx, opts.IndexDir, src.read, bo)
	} else {
		ix, rebuilt, err = index.EnsureCurrentFrom(ctx, opts.IndexDir, src.read, bo)
	}
	for _, f := range src.failed() {
		l.log.Warn("document skipped", "source", f.Source, "reason", f.Reason)
	}
	if src.err != nil {
		return nil, src.err
	}
	if err != nil && ctx.Err() == nil && !opts.Rebuild {
		// A failed build never went live (index.Build removes it), so
		// the index built before it is intact: serving it, stale,
		// beats serving nothing until the disk or the file is fixed.
		if old, oerr := index.Open(opts.IndexDir, opts.Index); oerr == nil {
			l.log.Error("index rebuild failed; serving the previous index", "error", err,
				"version", old.Info().Version, "built_at", old.Info().BuiltAt)
			ix, rebuilt, stale, err = old, false, true, nil
		}
	}
	if err != nil {
		return nil, err
	}
	switch {
	case stale:
		// Not what the corpus makes: its fingerprint must not be the
		// corpus's, or the next start would serve it without rebuilding.
		// Changes made meanwhile build from the corpus as it is now.
		if _, err := l.loadAll(ctx); err != nil {
			closeUnused(ix)
			return nil, err
		}
	case rebuilt:
		info := ix.Info()
		l.log.Info("index built", "dir", opts.IndexDir, "documents", info.Documents, "passages", info.Passages)
		src.settle(ix)
	default:
		if ix.Stamp() != bo.Stamp {
			// Current, but recorded under another fingerprint (a file
			// touched, its content the same): record this one, or every
			// start would parse the corpus again to find it unchanged.
			l.restamp(ix, bo.Stamp)
		}
		src.settle(ix)
	}
	l.live = index.NewLive(ix)
	l.addConfiguredURLs(ctx)
	return l, nil
}

// loadAll reads the configured documents and the stored ones into l and
// returns the corpus they make.
func (l *Library) loadAll(ctx context.Context) ([]briefbot.Document, error) {
	pathDocs, pathFailed, err := l.load(ctx)
	if err != nil {
		for _, f := range pathFailed {
			l.log.Warn("document skipped", "source", f.Source, "reason", f.Reason)
		}
		return nil, err
	}
	stored, storeFailed, err := l.loadStored(ctx)
	if err != nil {
		return nil, err
	}
	docs, clashes := compose(pathDocs, stored)
	l.pathDocs, l.pathFailed = pathDocs, pathFailed
	l.stored, l.storeFailed = stored, slices.Concat(storeFailed, clashes)
	l.light = false
	return docs, nil
}

// corpusSource reads the library's corpus, compose's, for a build that
// never holds every text: the configured documents parsed one at a time,
// then the stored ones (already parsed: moderators' documents are few) by
// ID. It records what it read, for settle; a build may read it twice.
type corpusSource struct {
	l           *Library
	stored      map[string]briefbot.Document
	storeFailed []briefbot.Failure

	// what the last read found
	pathIDs    map[string]bool // the configured documents' IDs
	pathFailed []briefbot.Failure
	clashes    []briefbot.Failure // stored documents compose leaves out
	// err is the corpus unreadable (load's errors): not the build's
	// fault, so no reason to serve the previous index.
	err error
}

func (l *Library) newCorpusSource(stored map[string]briefbot.Document, storeFailed []briefbot.Failure) *corpusSource {
	return &corpusSource{l: l, stored: stored, storeFailed: storeFailed}
}

// read is an index.Source.
func (s *corpusSource) read(ctx context.Context, yield func(briefbot.Document) error) ([]briefbot.Failure, error) {
	s.pathIDs, s.pathFailed, s.clashes, s.err = map[string]bool{}, nil, nil, nil
	var yieldErr error
	failures, err := corpus.Each(ctx, s.l.opts.CorpusPaths, s.l.opts.Corpus, func(d briefbot.Document) error {
		s.pathIDs[d.ID] = true
		yieldErr = yield(d)
		return yieldErr
	})
	for _, f := range failures {
		s.pathFailed = append(s.pathFailed, briefbot.Failure{Source: f.Source, Reason: f.Err.Error()})
	}
	switch {
	case err != nil && err == yieldErr: // the build's own error, as it gave it
		return nil, err
	case err != nil:
		s.err = fmt.Errorf("corpus: %w", err)
		return nil, s.err
	case len(s.pathIDs) == 0:
		s.err = errors.New("corpus: no document could be read")
		return nil, s.err
	}
	var served []briefbot.Document
	served, s.clashes = storedServed(s.stored, func(id string) bool { return s.pathIDs[id] })
	for _, d := range served {
		// The build drops the texts of what it reads; these stay the
		// library's until settle.
		d.Passages = slices.Clone(d.Passages)
		if err := yield(d); err != nil {
			return nil, err
		}
	}
	return s.failed(), nil
}

// failed is what the last read skipped, as compose and the build report it.
func (s *corpusSource) failed() []briefbot.Failure {
	return slices.Concat(s.pathFailed, s.storeFailed, s.clashes)
}

// settle makes ix, built from (or found current for) what s read, the
// source of l's documents, as lighten does; the caller holds l.mu, or l is
// not shared yet.
func (s *corpusSource) settle(ix *index.Index) {
	l := s.l
	l.pathDocs = nil
	for _, d := range ix.Documents() {
		if s.pathIDs[d.ID] {
			l.pathDocs = append(l.pathDocs, d)
		}
	}
	l.pathFailed = s.pathFailed
	l.stored, l.storeFailed = s.stored, slices.Concat(s.storeFailed, s.clashes)
	l.lighten(ix)
}

// lighten replaces the documents of l.pathDocs and l.stored by those of
// ix, built from them, whose passages may lack their texts (the index
// keeps them apart and hydrate reads them back): a serving library then
// does not hold every text in memory. A document of l's that ix does not
// hold as it (another source with its ID) is kept. The caller holds l.mu,
// or l is not shared yet.
func (l *Library) lighten(ix *index.Index) {
	docs := ix.Documents()
	byID := make(map[string]briefbot.Document, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
	}
	light := func(d briefbot.Document) briefbot.Document {
		if x, ok := byID[d.ID]; ok && x.Source == d.Source && len(x.Passages) == len(d.Passages) {
			return x
		}
		return d
	}
	for i, d := range l.pathDocs {
		l.pathDocs[i] = light(d)
	}
	for id, d := range l.stored {
		l.stored[id] = light(d)
	}
	l.light = true
}

// hydrate gives the documents taken from the index at start-up their
// passages' texts, read from the live index, in l.pathDocs, l.stored and
// stored (the caller's changed copy of l.stored): a build needs them. A
// document is taken for one of those when its passages are the index's
// own, not a copy, so that a document added or replaced since keeps its
// new passages. The caller holds l.mu.
func (l *Library) hydrate(stored map[string]briefbot.Document) error {
	if !l.light {
		return nil
	}
	ix, release, err := l.live.Acquire()
	if err != nil {
		return fmt.Errorf("read the documents' texts: %w", err)
	}
	defer release()
	full, err := ix.FullDocuments()
	if err != nil {
		return fmt.Errorf("read the documents' texts: %w", err)
	}
	type entry struct {
		first *briefbot.Passage // the index's own first passage
		full  briefbot.Document
	}
	byID := make(map[string]entry, len(full))
	for i, d := range ix.Documents() {
		if len(d.Passages) > 0 {
			byID[d.ID] = entry{&d.Passages[0], full[i]}
		}
	}
	fill := func(d briefbot.Document) briefbot.Document {
		if e, ok := byID[d.ID]; ok && len(d.Passages) > 0 && &d.Passages[0] == e.first {
			return e.full
		}
		return d
	}
	for i, d := range l.pathDocs {
		l.pathDocs[i] = fill(d)
	}
	for _, m := range []map[string]briefbot.Document{l.stored, stored} {
		for id, d := range m {
			m[id] = fill(d)
		}
	}
	l.light = false
	return nil
}

func (l *Library) buildOptions(ctx context.Context, progress func(done, total int)) index.BuildOptions {
	return index.BuildOptions{Options: l.opts.Index, Progress: progress, Stamp: l.stamp(ctx),
		Failed: slices.Concat(l.pathFailed, l.storeFailed)}
}

func (l *Library) load(ctx context.Context) ([]briefbot.Document, []briefbot.Failure, error) {
	docs, failures, err := corpus.Load(ctx, l.opts.CorpusPaths, l.opts.Corpus)
	var failed []briefbot.Failure
	for _, f := range failures {
		failed = append(failed, briefbot.Failure{Source: f.Source, Reason: f.Err.Error()})
	}
	if err != nil {
		return nil, failed, fmt.Errorf("corpus: %w", err)
	}
	if len(docs) == 0 {
		return nil, failed, errors.New("corpus: no document could be read")
	}
	return docs, failed, nil
}

// Close stops serving.
func (l *Library) Close() error { return l.live.Close() }

// Info describes the index being served.
func (l *Library) Info() briefbot.IndexInfo { return l.live.Info() }

// Search ranks passages.
func (l *Library) Search(ctx context.Context, q string, k int) ([]briefbot.Hit, error) {
	return l.live.Search(ctx, q, k)
}

// Documents lists the documents of the index being served.
func (l *Library) Documents() []briefbot.Document {
	ix, release, err := l.live.Acquire()
	if err != nil {
		return nil
	}
	defer release()
	return ix.Documents()
}

// Passage finds a passage of the index being served.
func (l *Library) Passage(id string) (briefbot.Passage, bool) {
	ix, release, err := l.live.Acquire()
	if err != nil {
		return briefbot.Passage{}, false
	}
	defer release()
	return ix.Passage(id)
}

// Ask answers a question. It keeps nothing of it: who may be offered a
// question again is for the caller to decide (see Suggest).
func (l *Library) Ask(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
	// One index for the whole answer: a reindex swapping in meanwhile must
	// not mix hits of one index with the version of another, nor close the
	// index under a model call that is still citing from it.
	ix, release, err := l.live.Acquire()
	if err != nil {
		return briefbot.Answer{}, fmt.Errorf("ask: %w", err)
	}
	defer release()
	var docs answer.Documents = ix
	if l.opts.Observer != nil {
		docs = timedIndex{ix, l.opts.Observer}
	}
	return answer.New(docs, l.opts.Answer, l.opts.Summarizer, l.opts.MaxPassages).Ask(ctx, req)
}

// timedIndex reports the time of each search an answer makes. It embeds
// the index so that the answer still finds every other method it looks
// for (Leads, UnknownNames, ...).
type timedIndex struct {
	*index.Index
	obs briefbot.Observer
}

func (t timedIndex) Search(ctx context.Context, q string, k int) ([]briefbot.Hit, error) {
	defer t.observe(time.Now())
	return t.Index.Search(ctx, q, k)
}

func (t timedIndex) SearchInContext(ctx context.Context, q string, earlier []index.Weighted, k int) ([]briefbot.Hit, error) {
	defer t.observe(time.Now())
	return t.Index.SearchInContext(ctx, q, earlier, k)
}

func (t timedIndex) observe(start time.Time) { t.obs.Retrieval(time.Since(start)) }

// Suggest offers at most n completions of what a user typed so far, best
// first: what they typed, then the given questions that match (the caller
// passes only those this user may see, best first), then matching document
// titles and section headings. A candidate matches when every typed word
// starts one of its words; candidates differing only in case are offered
// once.
func (l *Library) Suggest(typed string, questions []string, n int) []string {
	if n <= 0 {
		return nil
	}
	words := strings.FieldsFunc(strings.ToLower(typed), splitWord)
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		key := strings.ToLower(s)
		if len(out) < n && s != "" && !seen[key] && matchesPrefixes(s, words) {
			seen[key] = true
			out = append(out, s)
		}
	}
	if t := strings.TrimSpace(typed); t != "" {
		// What the user typed is always a valid choice of its own.
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	for _, q := range questions {
		add(q)
	}
	var sections []string
	for _, d := range l.Documents() {
		sections = append(sections, d.Sections...)
		add(d.Title)
	}
	for _, s := range sections {
		add(s)
	}
	return out
}

func splitWord(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

func matchesPrefixes(candidate string, words []string) bool {
	cw := strings.FieldsFunc(strings.ToLower(candidate), splitWord)
	for _, w := range words {
		ok := false
		for _, c := range cw {
			if strings.HasPrefix(c, w) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Reindex rebuilds the index from the corpus and swaps it in; questions are
// answered from the old index until then, and from the old one still if the
// rebuild fails. A call while a rebuild runs joins it instead of starting
// another.
func (l *Library) Reindex(ctx context.Context, progress func(done, total int)) (briefbot.ReindexReport, error) {
	return l.ReindexBy(ctx, "", progress)
}

// ReindexBy is Reindex recording who asked for it in the audit log (the
// one who started the rebuild, when several join it).
func (l *Library) ReindexBy(ctx context.Context, by string, progress func(done, total int)) (briefbot.ReindexReport, error) {
	l.flightMu.Lock()
	f := l.flight
	shared := f != nil
	if !shared {
		f = &rebuild{by: by, done: make(chan struct{})}
		l.flight = f
	}
	if progress != nil {
		f.mu.Lock()
		f.listeners = append(f.listeners, progress)
		f.mu.Unlock()
	}
	if shared && l.onJoin != nil {
		l.onJoin()
	}
	l.flightMu.Unlock()
	if !shared {
		// The rebuild is shared, so no single caller's cancellation may
		// stop it; it has its own bound instead.
		go func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Minute)
			defer cancel()
			f.rep, f.err = l.rebuild(rctx, f)
			l.flightMu.Lock()
			l.flight = nil
			l.flightMu.Unlock()
			close(f.done)
		}()
	}
	select {
	case <-f.done:
		rep := f.rep
		rep.Shared = shared
		return rep, f.err
	case <-ctx.Done():
		return briefbot.ReindexReport{}, fmt.Errorf("reindex: %w", ctx.Err())
	}
}

func (l *Library) rebuild(ctx context.Context, f *rebuild) (briefbot.ReindexReport, error) {
	start := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	stored, storeFailed, err := l.loadStored(ctx)
	if err != nil {
		return briefbot.ReindexReport{}, err
	}
	notify := func(done, total int) {
		f.mu.Lock()
		ls := slices.Clone(f.listeners)
		f.mu.Unlock()
		for _, fn := range ls {
			fn(done, total)
		}
	}
	src := l.newCorpusSource(stored, storeFailed)
	bo := l.buildOptions(ctx, notify)
	bo.Failed = nil // the source reports them
	ix, err := index.BuildFrom(ctx, l.opts.IndexDir, src.read, bo)
	rep := briefbot.ReindexReport{Failed: src.failed()}
	if src.err != nil {
		err = src.err
	}
	if err != nil {
		// l is untouched: the served index still matches what it was
		// built from.
		return rep, err
	}
	l.live.Swap(ix)
	src.settle(ix)
	rep.Info = ix.Info()
	rep.Took = time.Since(start)
	l.audit(ctx, briefbot.AuditEntry{Actor: f.by, Action: "reindex",
		Detail: fmt.Sprintf("%d documents, %d passages, %d failed", rep.Info.Documents, rep.Info.Passages, len(rep.Failed))})
	l.log.Info("index rebuilt", "documents", rep.Info.Documents, "passages", rep.Info.Passages, "failed", len(rep.Failed), "took", rep.Took)
	return rep, nil
}
