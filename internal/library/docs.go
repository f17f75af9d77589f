package library

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/index"
	"github.com/briefbot/briefbot/internal/store"
)

// Fetcher gets the document a URL names. It stands in for internal/fetch
// until that is merged.
type Fetcher interface {
	Get(ctx context.Context, url string) (data []byte, finalURL string, err error)
}

var _ briefbot.Librarian = (*Library)(nil)

// Errors of the moderators' changes, for callers to tell apart.
var (
	// ErrNoStore: the library was opened without a store, so documents
	// cannot be added, removed or audited.
	ErrNoStore = errors.New("no document store: documents can only be changed where the store is open (the bot, or the command line while the bot is stopped)")
	// ErrNoFetcher: URL documents are not configured.
	ErrNoFetcher = errors.New("adding documents from a URL is not configured")
	// ErrRefused is wrapped by the error of a document that was not
	// added (unreadable, empty, too large): nothing changed.
	ErrRefused = errors.New("document refused")
	// ErrNotFound: no document has that ID.
	ErrNotFound = errors.New("no such document")
	// ErrConfigured: the document comes from the configured paths; it is
	// changed by changing the files.
	ErrConfigured = errors.New("the document comes from the configured corpus paths: change the files, then reindex")
)

// maxDocIDLen bounds the IDs made from titles, names and URLs: IDs show in
// citations and autocomplete lists.
const maxDocIDLen = 64

// AddDocument parses an upload or a fetched URL and serves it: a new
// document is "added"; content from the same source (file name or URL) as
// a stored document replaces it under the same ID ("updated"); identical
// content is "unchanged" and changes nothing (and is not audited: the log
// records changes). A removed document added again with identical content
// is restored. A document that cannot be read is refused (the error wraps
// ErrRefused): nothing is stored or indexed, and the refusal is audited.
func (l *Library) AddDocument(ctx context.Context, req briefbot.AddRequest) (briefbot.AddResult, error) {
	st := l.opts.Store
	if st == nil {
		return briefbot.AddResult{}, ErrNoStore
	}
	if (req.URL == "") == (req.Data == nil) {
		return briefbot.AddResult{}, errors.New("add document: give either the bytes or a URL")
	}
	kind, source, name, data := briefbot.SourceUpload, req.Name, req.Name, req.Data
	var meta addMeta
	if req.URL != "" {
		if l.opts.Fetcher == nil {
			return briefbot.AddResult{}, ErrNoFetcher
		}
		kind, source = briefbot.SourceURL, req.URL
		got, final, m, err := l.fetchURL(ctx, req.URL)
		if err != nil {
			return briefbot.AddResult{}, l.refuse(ctx, req, fmt.Errorf("fetch %s: %w", req.URL, err))
		}
		data, name, meta = got, cmp.Or(final, req.URL), m
	}
	if name == "" {
		name = "upload"
	}
	return l.add(ctx, req, kind, source, name, data, meta)
}

// add stores and serves a document whose bytes are in hand: AddDocument's
// path, which a URL refresh takes too (see urls.go).
func (l *Library) add(ctx context.Context, req briefbot.AddRequest, kind, source, name string, data []byte, meta addMeta) (briefbot.AddResult, error) {
	st := l.opts.Store
	// Parsing runs outside the lock: it is the slow part, and it changes
	// nothing.
	doc, warnings, err := corpus.ParseUpload(ctx, name, data, l.opts.Corpus)
	if err != nil {
		return briefbot.AddResult{}, l.refuse(ctx, req, err)
	}
	hash := store.HashOf(data)

	l.mu.Lock()
	defer l.mu.Unlock()
	recs, err := st.Documents(ctx)
	if err != nil {
		return briefbot.AddResult{}, fmt.Errorf("add document: %w", err)
	}
	var prev *store.DocumentRecord
	for i := range recs {
		if recs[i].SourceKind == kind && recs[i].Source == source {
			prev = &recs[i]
			break
		}
	}
	change, action := "added", "add"
	var id string
	if prev != nil {
		id = prev.ID
		if prev.Hash == hash && prev.TitleOverride == req.Title {
			if !prev.Removed {
				return briefbot.AddResult{Document: prev.DocumentInfo, Change: "unchanged"}, nil
			}
			action = "restore"
		} else {
			change, action = "updated", cmp.Or(meta.action, "update")
		}
	} else {
		id = l.newDocID(cmp.Or(req.Title, name), recs)
	}
	setIdentity(&doc, id, req.Title)
	if kind == briefbot.SourceURL {
		setURL(&doc, name)
		doc.Source = name
	} else {
		doc.Source = "upload:" + name
	}
	rec := store.DocumentRecord{
		DocumentInfo: infoOf(doc, kind, source, uploadFormat(name, data)),
		Name:         name, TitleOverride: req.Title,
	}
	rec.AddedBy, rec.AddedAt, rec.Warnings = req.By, time.Now().UTC(), warnings
	rec.Hash, rec.Bytes = hash, int64(len(data))
	rec.ETag, rec.LastModified = meta.etag, meta.lastModified

	stored := maps.Clone(l.stored)
	stored[id] = doc
	ix, err := l.buildWith(ctx, stored)
	if err != nil {
		if ctx.Err() == nil {
			// The index refused the document (bad IDs): nothing changed.
			return briefbot.AddResult{}, l.refuse(ctx, req, err)
		}
		return briefbot.AddResult{}, fmt.Errorf("add document: %w", err)
	}
	if err := st.PutDocument(ctx, rec, data); err != nil {
		// Not swapped in: the served index and the store still agree.
		closeUnused(ix)
		return briefbot.AddResult{}, fmt.Errorf("add document: %w", err)
	}
	l.stored = stored
	l.serve(ctx, ix)
	l.audit(ctx, briefbot.AuditEntry{Actor: req.By, Action: action, DocID: id,
		Detail: fmt.Sprintf("%q from %s (%d passages)", rec.Title, source, rec.Passages) + changeNote(prev, rec)})
	return briefbot.AddResult{Document: rec.DocumentInfo, Change: change}, nil
}

// refuse audits a refused document and returns the error saying why.
func (l *Library) refuse(ctx context.Context, req briefbot.AddRequest, cause error) error {
	l.audit(ctx, briefbot.AuditEntry{Actor: req.By, Action: "refuse", Detail: cmp.Or(req.URL, req.Name) + ": " + cause.Error()})
	return fmt.Errorf("%w: %w", ErrRefused, cause)
}

// audit records an entry; a failure to record is logged, not returned,
// because the change it records has already happened.
func (l *Library) audit(ctx context.Context, e briefbot.AuditEntry) {
	if l.opts.Store == nil {
		return
	}
	if err := l.opts.Store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		l.log.Error("audit entry not recorded", "action", e.Action, "doc_id", e.DocID, "error", err)
	}
}

// RemoveDocument stops answering from a stored document at once; its
// original is kept until purged, so it can be restored.
func (l *Library) RemoveDocument(ctx context.Context, id, by string) (briefbot.DocumentInfo, error) {
	return l.setRemoved(ctx, id, by, true)
}

// RestoreDocument answers from a removed document again.
func (l *Library) RestoreDocument(ctx context.Context, id, by string) (briefbot.DocumentInfo, error) {
	return l.setRemoved(ctx, id, by, false)
}

func (l *Library) setRemoved(ctx context.Context, id, by string, removed bool) (briefbot.DocumentInfo, error) {
	verb := map[bool]string{true: "remove", false: "restore"}[removed]
	rec, err := l.record(ctx, id)
	if err != nil {
		return briefbot.DocumentInfo{}, fmt.Errorf("%s document: %w", verb, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if rec.Removed == removed {
		return rec.DocumentInfo, nil // nothing to do, nothing to audit
	}
	stored := maps.Clone(l.stored)
	if removed {
		delete(stored, id)
	} else {
		doc, err := l.parseRecord(ctx, rec)
		if err != nil {
			return briefbot.DocumentInfo{}, fmt.Errorf("restore document: %w", err)
		}
		stored[id] = doc
	}
	ix, err := l.buildWith(ctx, stored)
	if err != nil {
		return briefbot.DocumentInfo{}, fmt.Errorf("%s document: %w", verb, err)
	}
	if rec, err = l.opts.Store.SetRemoved(ctx, id, removed); err != nil {
		closeUnused(ix)
		return briefbot.DocumentInfo{}, fmt.Errorf("%s document: %w", verb, err)
	}
	l.stored = stored
	l.serve(ctx, ix)
	l.audit(ctx, briefbot.AuditEntry{Actor: by, Action: verb, DocID: id, Detail: strconv.Quote(rec.Title)})
	return rec.DocumentInfo, nil
}

// PurgeDocument deletes a stored document and its original for good,
// removing it from answers first if need be.
func (l *Library) PurgeDocument(ctx context.Context, id, by string) error {
	rec, err := l.record(ctx, id)
	if err != nil {
		return fmt.Errorf("purge document: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var ix *index.Index
	stored := l.stored
	if _, served := l.stored[id]; served {
		stored = maps.Clone(l.stored)
		delete(stored, id)
		if ix, err = l.buildWith(ctx, stored); err != nil {
			return fmt.Errorf("purge document: %w", err)
		}
	}
	if err := l.opts.Store.PurgeDocument(ctx, id); err != nil {
		if ix != nil {
			closeUnused(ix)
		}
		return fmt.Errorf("purge document: %w", err)
	}
	l.stored = stored
	if ix != nil {
		l.serve(ctx, ix)
	} else {
		l.restamp(l.currentIndex(), l.stamp(ctx))
	}
	l.audit(ctx, briefbot.AuditEntry{Actor: by, Action: "purge", DocID: id, Detail: strconv.Quote(rec.Title)})
	return nil
}

// record reads a stored document's record, telling a configured document
// and an unknown ID apart.
func (l *Library) record(ctx context.Context, id string) (store.DocumentRecord, error) {
	if l.opts.Store == nil {
		return store.DocumentRecord{}, ErrNoStore
	}
	rec, ok, err := l.opts.Store.Document(ctx, id)
	if err != nil {
		return store.DocumentRecord{}, err
	}
	if ok {
		return rec, nil
	}
	l.mu.Lock()
	configured := slices.ContainsFunc(l.pathDocs, func(d briefbot.Document) bool { return d.ID == id })
	l.mu.Unlock()
	if configured {
		return store.DocumentRecord{}, fmt.Errorf("%q: %w", id, ErrConfigured)
	}
	return store.DocumentRecord{}, fmt.Errorf("%q: %w", id, ErrNotFound)
}

// ListDocuments lists the stored documents (removed ones included) and the
// configured ones, by ID, and the sources that failed to load.
func (l *Library) ListDocuments(ctx context.Context) ([]briefbot.DocumentInfo, []briefbot.Failure, error) {
	var out []briefbot.DocumentInfo
	if l.opts.Store != nil {
		recs, err := l.opts.Store.Documents(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("list documents: %w", err)
		}
		for _, r := range recs {
			out = append(out, r.DocumentInfo)
		}
	}
	l.mu.Lock()
	for _, d := range l.pathDocs {
		f, _ := corpus.FormatOf(d.Source)
		out = append(out, infoOf(d, briefbot.SourcePath, d.Source, string(cmp.Or(f, corpus.FormatText))))
	}
	failed := slices.Concat(l.pathFailed, l.storeFailed, l.urls.failed)
	l.mu.Unlock()
	slices.SortStableFunc(out, func(a, b briefbot.DocumentInfo) int { return strings.Compare(a.ID, b.ID) })
	return out, failed, nil
}

// Audit returns the last n changes, newest first.
func (l *Library) Audit(ctx context.Context, n int) ([]briefbot.AuditEntry, error) {
	if l.opts.Store == nil {
		return nil, ErrNoStore
	}
	return l.opts.Store.Audit(ctx, n)
}

// buildWith builds an index of the configured documents and stored, and
// returns it opened, not yet served. The caller holds l.mu.
//
// The build is incremental (see index.Update): it indexes only the
// documents the live build's base does not hold as they are, so that one
// document's change costs about its own size beside a large corpus (the
// moderators' promise: an upload answered within 2 s), while scores stay
// those of a full build. Past a bound, or at /reindex, the whole corpus is
// indexed again. The swap is the atomic one reindexing uses.
func (l *Library) buildWith(ctx context.Context, stored map[string]briefbot.Document) (*index.Index, error) {
	if err := l.hydrate(stored); err != nil {
		return nil, err
	}
	docs, _ := compose(l.pathDocs, stored)
	// No stamp yet: the store changes after the build, and serve restamps.
	return index.Update(ctx, l.opts.IndexDir, docs, index.BuildOptions{Options: l.opts.Index,
		Failed: slices.Concat(l.pathFailed, l.storeFailed)})
}

// serve swaps in an index built by buildWith, once the store holds the
// change, and records the stamp the store and the paths now have.
func (l *Library) serve(ctx context.Context, ix *index.Index) {
	l.restamp(ix, l.stamp(ctx))
	l.live.Swap(ix)
	l.lighten(ix)
}

// restamp records stamp with ix; failing only costs the next start a parse.
func (l *Library) restamp(ix *index.Index, stamp string) {
	if stamp == "" || ix == nil {
		return
	}
	if err := ix.SetStamp(stamp); err != nil {
		l.log.Warn("index fingerprint not recorded; the next start parses the corpus", "error", err)
	}
}

// compose is the library's corpus: the configured documents, then the
// stored ones by ID. A stored document whose ID a configured one took
// since it was added is left out, and reported.
func compose(pathDocs []briefbot.Document, stored map[string]briefbot.Document) ([]briefbot.Document, []briefbot.Failure) {
	taken := make(map[string]bool, len(pathDocs))
	for _, d := range pathDocs {
		taken[d.ID] = true
	}
	served, failed := storedServed(stored, func(id string) bool { return taken[id] })
	return slices.Concat(pathDocs, served), failed
}

// storedServed is the part of compose's corpus that stored holds: its
// documents by ID, but those whose ID taken says a configured document
// has, which are reported.
func storedServed(stored map[string]briefbot.Document, taken func(id string) bool) ([]briefbot.Document, []briefbot.Failure) {
	var docs []briefbot.Document
	var failed []briefbot.Failure
	for _, id := range slices.Sorted(maps.Keys(stored)) {
		d := stored[id]
		if taken(id) {
			failed = append(failed, briefbot.Failure{Source: d.Source, Reason: fmt.Sprintf("document ID %q is also a configured document's", id)})
			continue
		}
		docs = append(docs, d)
	}
	return docs, failed
}

func closeUnused(ix *index.Index) { _ = ix.Close() }

// currentIndex is the served index, for recording its stamp; the caller
// holds l.mu, so no swap can close it meanwhile.
func (l *Library) currentIndex() *index.Index {
	ix, release, err := l.live.Acquire()
	if err != nil {
		return nil
	}
	release()
	return ix
}

// parseRecord parses a stored document's original again, as it was added.
func (l *Library) parseRecord(ctx context.Context, rec store.DocumentRecord) (briefbot.Document, error) {
	data, err := l.opts.Store.Original(ctx, rec.ID)
	if err != nil {
		return briefbot.Document{}, err
	}
	doc, _, err := corpus.ParseUpload(ctx, cmp.Or(rec.Name, rec.Source, "upload"), data, l.opts.Corpus)
	if err != nil {
		return briefbot.Document{}, err
	}
	setIdentity(&doc, rec.ID, rec.TitleOverride)
	if rec.SourceKind == briefbot.SourceURL {
		setURL(&doc, rec.Name)
		doc.Source = rec.Name
	} else {
		doc.Source = "upload:" + rec.Name
	}
	return doc, nil
}

// loadStored parses every stored document that is not removed. One that
// fails is reported and left out, never fatal: the others still serve.
func (l *Library) loadStored(ctx context.Context) (map[string]briefbot.Document, []briefbot.Failure, error) {
	stored := map[string]briefbot.Document{}
	if l.opts.Store == nil {
		return stored, nil, nil
	}
	recs, err := l.opts.Store.Documents(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("stored documents: %w", err)
	}
	var failed []briefbot.Failure
	for _, r := range recs {
		if r.Removed {
			continue
		}
		doc, err := l.parseRecord(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			failed = append(failed, briefbot.Failure{Source: r.Source, Reason: err.Error()})
			continue
		}
		stored[r.ID] = doc
	}
	return stored, failed, nil
}

// setIdentity gives a parsed document its library ID (the parser named it
// after the file) and the title a moderator chose, in its passages too.
func setIdentity(doc *briefbot.Document, id, title string) {
	old := doc.ID
	doc.ID = id
	if title != "" {
		doc.Title = title
	}
	for i := range doc.Passages {
		p := &doc.Passages[i]
		p.ID = id + strings.TrimPrefix(p.ID, old)
		p.DocID = id
		p.Title = doc.Title
	}
}

// setURL makes a fetched document's address its link, unless the page
// names its own canonical one.
func setURL(doc *briefbot.Document, url string) {
	if doc.URL != "" {
		return
	}
	doc.URL = url
	for i := range doc.Passages {
		doc.Passages[i].URL = url
	}
}

func infoOf(d briefbot.Document, kind, source, format string) briefbot.DocumentInfo {
	info := briefbot.DocumentInfo{
		ID: d.ID, Title: d.Title, Authors: d.Authors, Published: d.Published,
		SourceKind: kind, Source: source, Format: format,
		Sections: d.Sections, Passages: len(d.Passages),
	}
	for _, p := range d.Passages {
		info.Pages = max(info.Pages, p.Page)
	}
	return info
}

// newDocID makes an ID from a title, a file name or a URL that no stored
// or configured document has: lower-case words joined by "-", then "-2",
// "-3"... when taken.
func (l *Library) newDocID(from string, recs []store.DocumentRecord) string {
	taken := map[string]bool{}
	for _, r := range recs {
		taken[r.ID] = true
	}
	for _, d := range l.pathDocs {
		taken[d.ID] = true
	}
	base := slugID(from)
	id := base
	for n := 2; taken[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	return id
}

// slugID turns a title, a file name or a URL into an ID: the name without
// its extension or the URL without its scheme, letters and digits kept,
// lower-cased, other runs written "-".
func slugID(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		if j := strings.IndexAny(s, "?#"); j >= 0 {
			s = s[:j]
		}
	} else {
		s = filepath.Base(s) // a file's name, not its folders
	}
	if dot := strings.LastIndexByte(s, '.'); dot > 0 && len(s)-dot <= 5 && !strings.ContainsAny(s[dot:], " /") {
		s = s[:dot] // a file name's extension
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			if b.Len()+len(string(r)) > maxDocIDLen {
				break
			}
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	return cmp.Or(b.String(), "document")
}

// uploadFormat names the format the bytes were read in, for the
// document's metadata (detected from the bytes, as ParseUpload does).
func uploadFormat(name string, data []byte) string {
	f, err := corpus.DetectFormat(name, data)
	if err != nil {
		return ""
	}
	return string(f)
}
