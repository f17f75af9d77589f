package library

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/fetch"
	"github.com/briefbot/briefbot/internal/store"
)

// This file keeps URL documents and watched folders current: the
// configured URLs (corpus.urls) are fetched at start when the store lacks
// them, and Refresh re-checks every URL document and the configured paths
// (corpus.refresh runs it on a schedule).

// ConditionalFetcher is a Fetcher that can also send the validators of the
// copy in hand, so that refreshing an unchanged page costs a 304 rather
// than a download. Without one, a refresh downloads every URL and compares
// hashes.
type ConditionalFetcher interface {
	Fetcher
	GetConditional(ctx context.Context, url string, cond fetch.Conditional) (fetch.Result, error)
}

// configuredBy is the audit actor of configured URLs fetched at start, and
// refreshBy that of refreshes: no person asked for either.
const (
	configuredBy = "config"
	refreshBy    = "refresh"
)

// foldersName stands for the configured paths in a RefreshReport.
const foldersName = "corpus paths"

// addMeta is what add stores beside a document's bytes that AddRequest
// does not carry: a fetched document's validators, and the audit action
// of an update when it is not a moderator's ("refresh").
type addMeta struct {
	etag, lastModified string
	action             string
}

// urlState is the Library's share for this file.
type urlState struct {
	// refreshMu makes refreshes take turns: two at once would fetch
	// everything twice and race to store the same updates.
	refreshMu sync.Mutex
	// failed lists the configured URLs the store lacks because their last
	// fetch failed, for ListDocuments. Guarded by Library.mu.
	failed []briefbot.Failure
	// onRefresh, in tests, hears of every scheduled refresh's report.
	onRefresh func(RefreshReport, error)
}

// RefreshReport says what a refresh found. Names are URLs (with secrets
// masked) and "corpus paths" for the configured folders and files.
type RefreshReport struct {
	// Changed were updated (or, for a configured URL the store lacked,
	// added); Unchanged were current; Failed could not be checked or
	// updated, and still serve what they served before.
	Changed   []string
	Unchanged []string
	Failed    []briefbot.Failure
	// Rebuilt is true when the configured paths changed and the index was
	// rebuilt from them.
	Rebuilt bool
	Took    time.Duration
}

// String sums the report up in one line, for the log and the command line.
func (r RefreshReport) String() string {
	s := fmt.Sprintf("%d changed, %d unchanged, %d failed", len(r.Changed), len(r.Unchanged), len(r.Failed))
	if len(r.Changed) > 0 {
		s += "; changed: " + strings.Join(r.Changed, ", ")
	}
	if len(r.Failed) > 0 {
		var fs []string
		for _, f := range r.Failed {
			fs = append(fs, f.Source+": "+f.Reason)
		}
		s += "; failed: " + strings.Join(fs, "; ")
	}
	return s
}

type getterFunc func(ctx context.Context, url string, cond fetch.Conditional) (fetch.Result, error)

func (f getterFunc) Get(ctx context.Context, url string, cond fetch.Conditional) (fetch.Result, error) {
	return f(ctx, url, cond)
}

// getter adapts the library's Fetcher to what fetch.Refresher needs.
func (l *Library) getter() fetch.Getter {
	if cf, ok := l.opts.Fetcher.(ConditionalFetcher); ok {
		return getterFunc(cf.GetConditional)
	}
	return getterFunc(func(ctx context.Context, url string, _ fetch.Conditional) (fetch.Result, error) {
		data, final, err := l.opts.Fetcher.Get(ctx, url)
		if err != nil {
			return fetch.Result{}, err
		}
		return fetch.Result{URL: cmp.Or(final, url), Status: 200, Data: data}, nil
	})
}

// fetchURL fetches a document unconditionally (there is no copy yet), with
// the validators to store for its next refresh.
func (l *Library) fetchURL(ctx context.Context, url string) ([]byte, string, addMeta, error) {
	res, err := l.getter().Get(ctx, url, fetch.Conditional{})
	if err != nil {
		return nil, "", addMeta{}, err
	}
	return res.Data, res.URL, addMeta{etag: res.ETag, lastModified: res.LastModified}, nil
}

// canKeepURLs reports whether URL documents can be fetched and kept: the
// read-only store of the command line's questions cannot keep them, and
// fetching on every 'briefbot ask' would be slow and rude to the servers.
func (l *Library) canKeepURLs() bool {
	return l.opts.Store != nil && !l.opts.Store.ReadOnly() && l.opts.Fetcher != nil
}

// addConfiguredURLs fetches at start the configured URLs the store lacks.
// One that fails is logged and listed among the failed documents, like a
// file that cannot be read, and never stops the start: the next refresh
// tries it again.
func (l *Library) addConfiguredURLs(ctx context.Context) {
	if len(l.opts.URLs) == 0 {
		return
	}
	if !l.canKeepURLs() {
		l.log.Debug("corpus.urls not fetched: no writable document store here", "urls", len(l.opts.URLs))
		return
	}
	if _, _, err := l.syncConfigured(ctx); err != nil {
		l.log.Error("corpus.urls not fetched", "error", err)
	}
}

// syncConfigured adds the configured URLs the store lacks and returns
// their names, added and failed, and which URLs it fetched.
func (l *Library) syncConfigured(ctx context.Context) ([]string, []briefbot.Failure, error) {
	recs, err := l.opts.Store.Documents(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("configured URLs: %w", err)
	}
	have := map[string]bool{}
	for _, r := range recs {
		if r.SourceKind == briefbot.SourceURL {
			// Removed ones too: a moderator's removal stands until they
			// restore the document.
			have[r.Source] = true
		}
	}
	var added []string
	var failed []briefbot.Failure
	for _, u := range l.opts.URLs {
		if have[u] {
			continue
		}
		have[u] = true // a URL configured twice is fetched once
		name := fetch.RedactURL(u)
		res, err := l.addURL(ctx, u)
		if err != nil {
			if ctx.Err() != nil {
				return added, failed, fmt.Errorf("configured URLs: %w", ctx.Err())
			}
			l.log.Warn("document skipped", "source", name, "reason", err.Error())
			failed = append(failed, briefbot.Failure{Source: name, Reason: err.Error()})
			continue
		}
		l.log.Info("configured URL added", "source", name, "doc_id", res.Document.ID, "passages", res.Document.Passages)
		added = append(added, name)
	}
	l.mu.Lock()
	l.urls.failed = failed
	l.mu.Unlock()
	return added, failed, nil
}

// addURL fetches and adds a configured URL. A fetch failure is not audited
// (it is no one's action, and a server down would fill the log at every
// start); a document that cannot be read is refused and audited as
// AddDocument refuses it.
func (l *Library) addURL(ctx context.Context, url string) (briefbot.AddResult, error) {
	data, final, meta, err := l.fetchURL(ctx, url)
	if err != nil {
		return briefbot.AddResult{}, fmt.Errorf("fetch: %w", err)
	}
	return l.add(ctx, briefbot.AddRequest{URL: url, By: configuredBy}, briefbot.SourceURL, url, cmp.Or(final, url), data, meta)
}

// Refresh re-checks the URL documents, configured or added by moderators
// (removed ones are left alone), and the configured paths. A URL is
// fetched with the validators of the stored copy: a 304, or the same bytes
// again, is unchanged; new content updates the document through the path
// of a moderator's update (same ID, index swapped atomically), audited as
// "refresh". A configured path whose files changed (by the fingerprint
// start-up uses) rebuilds the index. A failure to fetch or to parse leaves
// the old content served and is reported; the error is for a store that
// cannot be read or ctx ending. One summary line is logged.
func (l *Library) Refresh(ctx context.Context) (RefreshReport, error) {
	l.urls.refreshMu.Lock()
	defer l.urls.refreshMu.Unlock()
	start := time.Now()
	var rep RefreshReport
	if l.canKeepURLs() {
		if err := l.refreshURLs(ctx, &rep); err != nil {
			return rep, err
		}
	}
	if len(l.opts.CorpusPaths) > 0 {
		l.refreshFolders(ctx, &rep)
	}
	rep.Took = time.Since(start)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("refresh: %w", err)
	}
	l.log.Info("refresh: "+rep.String(), "took", rep.Took.Round(time.Millisecond))
	return rep, nil
}

func (l *Library) refreshURLs(ctx context.Context, rep *RefreshReport) error {
	added, failed, err := l.syncConfigured(ctx)
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	rep.Changed = append(rep.Changed, added...)
	rep.Failed = append(rep.Failed, failed...)
	fresh := map[string]bool{}
	for _, a := range added {
		fresh[a] = true
	}
	recs, err := l.opts.Store.Documents(ctx)
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	var sources []fetch.Source
	byURL := map[string]store.DocumentRecord{}
	for _, r := range recs {
		if r.SourceKind != briefbot.SourceURL || r.Removed || fresh[fetch.RedactURL(r.Source)] {
			continue
		}
		sources = append(sources, fetch.Source{URL: r.Source, ETag: r.ETag, LastModified: r.LastModified, Hash: r.Hash})
		byURL[r.Source] = r
	}
	reports := (&fetch.Refresher{Getter: l.getter()}).Refresh(ctx, sources)
	for _, r := range reports {
		name, rec := fetch.RedactURL(r.Source.URL), byURL[r.Source.URL]
		switch r.Outcome {
		case fetch.Unchanged:
			rep.Unchanged = append(rep.Unchanged, name)
			// A server may renew its validators without changing the
			// content; keeping the new ones keeps the next check a 304.
			if r.Result.ETag != rec.ETag || r.Result.LastModified != rec.LastModified {
				if err := l.opts.Store.SetValidators(ctx, rec.ID, r.Result.ETag, r.Result.LastModified); err != nil {
					l.log.Warn("validators not recorded; the next refresh downloads the document again", "doc_id", rec.ID, "error", err)
				}
			}
		case fetch.Changed:
			meta := addMeta{etag: r.Result.ETag, lastModified: r.Result.LastModified, action: "refresh"}
			req := briefbot.AddRequest{URL: r.Source.URL, Title: rec.TitleOverride, By: refreshBy}
			res, err := l.add(ctx, req, briefbot.SourceURL, r.Source.URL, cmp.Or(r.Result.URL, r.Source.URL), r.Result.Data, meta)
			switch {
			case err != nil:
				rep.Failed = append(rep.Failed, briefbot.Failure{Source: name, Reason: err.Error()})
			case res.Change == "unchanged":
				rep.Unchanged = append(rep.Unchanged, name)
			default:
				rep.Changed = append(rep.Changed, name)
			}
		default:
			reason := "failed"
			if r.Err != nil {
				reason = r.Err.Error()
			}
			rep.Failed = append(rep.Failed, briefbot.Failure{Source: name, Reason: reason})
		}
	}
	return nil
}

// refreshFolders rebuilds the index when the configured paths' fingerprint
// (the stamp start-up compares) is no longer the served index's. URL
// updates restamp the index as they swap it in, so only changed files (or
// settings) tell the two apart here.
func (l *Library) refreshFolders(ctx context.Context, rep *RefreshReport) {
	l.mu.Lock()
	served := ""
	if ix := l.currentIndex(); ix != nil {
		served = ix.Stamp()
	}
	l.mu.Unlock()
	now := l.stamp(ctx)
	switch {
	case now == "":
		rep.Failed = append(rep.Failed, briefbot.Failure{Source: foldersName, Reason: "the files cannot be fingerprinted"})
	case now == served:
		rep.Unchanged = append(rep.Unchanged, foldersName)
	default:
		if _, err := l.ReindexBy(ctx, refreshBy, nil); err != nil {
			rep.Failed = append(rep.Failed, briefbot.Failure{Source: foldersName, Reason: err.Error()})
			return
		}
		rep.Changed = append(rep.Changed, foldersName)
		rep.Rebuilt = true
	}
}

// RunRefresh refreshes every interval until ctx ends (corpus.refresh; 0
// or less does nothing). A refresh that fails is logged; the next one
// tries again.
func (l *Library) RunRefresh(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	l.runRefresh(ctx, t.C)
}

// runRefresh is RunRefresh with the ticks given, so tests need no clock.
func (l *Library) runRefresh(ctx context.Context, ticks <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		rep, err := l.Refresh(ctx)
		if err != nil && !errors.Is(err, context.Canceled) {
			l.log.Error("refresh failed", "error", err)
		}
		if l.urls.onRefresh != nil {
			l.urls.onRefresh(rep, err)
		}
	}
}

// changeNote says in the audit log what an update changed; "" for a new
// document or the same content.
func changeNote(prev *store.DocumentRecord, rec store.DocumentRecord) string {
	if prev == nil || prev.Hash == rec.Hash {
		return ""
	}
	parts := []string{fmt.Sprintf("passages %d → %d", prev.Passages, rec.Passages),
		fmt.Sprintf("bytes %d → %d", prev.Bytes, rec.Bytes)}
	if prev.Title != rec.Title {
		parts = append(parts, fmt.Sprintf("title %q → %q", prev.Title, rec.Title))
	}
	return "; changed: " + strings.Join(parts, ", ")
}
