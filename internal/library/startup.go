package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/index"
	"github.com/briefbot/briefbot/internal/store"
)

// stamp fingerprints what the corpus is read from without reading it: the
// configured paths' files (path, size, modification time), the store's
// documents version, the parsing and index settings, and the program
// itself (a new briefbot may parse the same files differently). An index
// recorded under the same stamp holds what parsing everything again would
// give, so start-up can skip parsing (see openIfUnchanged). Empty when a
// part cannot be read: then nothing is taken as unchanged.
func (l *Library) stamp(ctx context.Context) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	_ = enc.Encode([]any{"v1", exe, fi.Size(), fi.ModTime().UnixNano(), l.opts.Corpus, l.opts.Index, l.opts.CorpusPaths})
	var ver uint64
	if l.opts.Store != nil {
		if ver, err = l.opts.Store.DocumentsVersion(ctx); err != nil {
			return ""
		}
		_ = enc.Encode([]any{"store", l.opts.Store.Path(), ver})
	}
	for _, root := range l.opts.CorpusPaths {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := os.Stat(p) // follows links, as loading does
			if err != nil {
				return err
			}
			if !info.IsDir() {
				_ = enc.Encode([]any{p, info.Size(), info.ModTime().UnixNano()})
			}
			return nil
		})
		if err != nil {
			return ""
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// openIfUnchanged opens the live index when it was built under the stamp
// the corpus has now, taking the parsed documents from its manifest rather
// than parsing the sources: start-up then costs the same whatever the
// corpus size. It returns nil when the index must be checked the long way.
//
// A corrupt index is set aside here, so that the long way rebuilds it.
func (l *Library) openIfUnchanged(ctx context.Context) *index.Index {
	ix, err := index.Open(l.opts.IndexDir, l.opts.Index)
	switch {
	case errors.Is(err, index.ErrCorrupt):
		l.setAsideCorrupt(ctx, err)
		return nil
	case errors.Is(err, index.ErrNoIndex):
		return nil
	case err != nil:
		l.log.Warn("index unreadable; rebuilding it", "dir", l.opts.IndexDir, "error", err)
		return nil
	}
	if want := l.stamp(ctx); want == "" || ix.Stamp() != want {
		closeUnused(ix)
		return nil
	}
	var recs []store.DocumentRecord
	if l.opts.Store != nil {
		if recs, err = l.opts.Store.Documents(ctx); err != nil {
			closeUnused(ix)
			return nil
		}
	}
	docs := ix.Documents()
	l.pathDocs, l.stored = make([]briefbot.Document, 0, len(docs)), map[string]briefbot.Document{}
	for _, d := range docs {
		if i := slices.IndexFunc(recs, func(r store.DocumentRecord) bool { return r.ID == d.ID }); i >= 0 && isStored(d, recs[i]) {
			l.stored[d.ID] = d
		} else {
			l.pathDocs = append(l.pathDocs, d)
		}
	}
	// Which failures were configured sources' does not matter to anyone:
	// both lists are shown together.
	l.pathFailed, l.storeFailed = ix.Failed(), nil
	l.light = true
	l.log.Debug("index current; corpus not parsed", "dir", ix.Dir(), "documents", len(ix.Documents()))
	return ix
}

// isStored tells a stored document from a configured one with the same
// ID, by the source parseRecord gives it.
func isStored(d briefbot.Document, r store.DocumentRecord) bool {
	return !r.Removed && (d.Source == "upload:"+r.Name || d.Source == r.Name)
}

// setAsideCorrupt moves the corrupt live index aside (see index.SetAside)
// so that Open builds a new one from the configured paths and the store,
// and says so in one line: an operator must learn that the index was lost
// and where the damaged copy is, not find a silently slower start.
func (l *Library) setAsideCorrupt(ctx context.Context, openErr error) {
	dir, err := index.SetAside(ctx, l.opts.IndexDir, l.opts.Index)
	switch {
	case err != nil:
		// Building still replaces it; the damaged build is removed by a
		// later build instead of being kept for inspection.
		l.log.Error("index corrupt and could not be set aside; rebuilding it from the configured documents and the store",
			"dir", l.opts.IndexDir, "error", openErr, "set_aside_error", err)
	case dir != "":
		l.log.Warn("index corrupt; set aside and rebuilding it from the configured documents and the store",
			"dir", l.opts.IndexDir, "set_aside", dir, "error", openErr)
	}
}

// removeAbandonedBuilds deletes what rebuilds killed midway left behind
// (see index.RemoveAbandonedBuilds): they were never served, and may be as
// large as the index.
func (l *Library) removeAbandonedBuilds() {
	for _, dir := range index.RemoveAbandonedBuilds(l.opts.IndexDir) {
		l.log.Info("removed an unfinished index build (a rebuild was interrupted)", "dir", dir)
	}
}
