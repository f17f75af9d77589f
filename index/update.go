package index

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/briefbot/briefbot"
)

// Bounds of an incremental build's delta (see Update): the passages it
// indexes plus those of its base it no longer serves. Each update indexes
// its delta anew and each open analyzes the passages no longer served, so
// both grow with it; past the bound a full build folds the delta into a
// new base. A tenth of the corpus keeps an update well below a full build's
// cost; the floor keeps small corpora incremental for a few dozen
// documents, the ceiling bounds an update's cost beside a large corpus.
const (
	minDeltaLimit = 1000
	maxDeltaLimit = 4000
)

func deltaLimit(total int) int {
	return min(max(total/10, minDeltaLimit), maxDeltaLimit)
}

// Update makes docs the live build as Build does, but incrementally when it
// can: the new build keeps the live one's base (the live build itself when
// it is a full build) and indexes only the documents the base does not
// hold as they are (added or changed since); the base's passages of
// removed and changed documents stay in its index, unserved. Searches
// score with the statistics of the documents served (see Index.deletedDF),
// so every score is the one a full build of docs gives, and a passage's
// rank among equal scores too: passages keep docs' order.
//
// Update builds in full when there is no live build to start from, or
// when the delta would exceed deltaLimit. The new build opens, switches
// and is cleaned up like a full one, and it persists: Open serves it after
// a restart.
func Update(ctx context.Context, root string, docs []briefbot.Document, opts BuildOptions) (*Index, error) {
	opts.Options = opts.Options.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("update index: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(root, buildsDir), 0o755); err != nil {
		return nil, fmt.Errorf("update index: %w", err)
	}
	rl, err := lockExclusiveWait(ctx, filepath.Join(root, rootLockFile))
	if err != nil {
		return nil, fmt.Errorf("update index: %w", err)
	}
	defer rl.unlock()
	if err := validateDocs(docs); err != nil {
		return nil, fmt.Errorf("update index: %w", err)
	}
	hashes := docHashes(docs)
	base, delta, why := planDelta(root, docs, hashes)
	if base == "" {
		slog.Debug("index update builds in full", "root", root, "reason", why)
		return writeBuild(ctx, root, sliceSource(docs), buildPlan{hashes: hashes, total: passageCount(docs)}, opts)
	}
	own := make(map[string]bool, len(delta))
	for _, d := range delta {
		own[d.ID] = true
	}
	return writeBuild(ctx, root, sliceSource(docs), buildPlan{base: base, own: func(id string) bool { return own[id] },
		hashes: hashes, total: passageCount(delta)}, opts)
}

// planDelta picks the base an incremental build of docs starts from and
// the documents it must index itself; an empty base, and why, when docs
// must be built in full.
// hashes holds docHash of each of docs.
func planDelta(root string, docs []briefbot.Document, hashes [][sha256.Size]byte) (base string, delta []briefbot.Document, why string) {
	cur, err := readCurrent(root)
	if err != nil {
		return "", nil, err.Error()
	}
	builds := filepath.Join(root, buildsDir)
	man, err := readManifest(filepath.Join(builds, cur))
	if err != nil {
		return "", nil, err.Error()
	}
	base = cur
	if man.Base != "" {
		base = man.Base
		if man, err = readManifest(filepath.Join(builds, base)); err != nil {
			return "", nil, err.Error()
		}
	}
	if man.Mapping != mappingVersion {
		return "", nil, "base build of mapping " + man.Mapping
	}
	if man.Format != manifestFormat || len(man.DocHashes) != len(man.Documents) {
		return "", nil, fmt.Sprintf("base build of format %d", man.Format)
	}
	held := make(map[string][sha256.Size]byte, len(man.Documents))
	baseLen := make(map[string]int, len(man.Documents))
	for i, d := range man.Documents {
		held[d.ID] = man.DocHashes[i]
		baseLen[d.ID] = len(d.Passages)
	}
	total, changed := 0, 0
	kept := make(map[string]bool, len(docs))
	for i, d := range docs {
		total += len(d.Passages)
		if h, ok := held[d.ID]; ok && h == hashes[i] {
			kept[d.ID] = true
			continue
		}
		delta = append(delta, d)
		changed += len(d.Passages)
	}
	for id, n := range baseLen {
		if !kept[id] {
			changed += n // indexed in the base, no longer served
		}
	}
	if limit := deltaLimit(total); changed > limit {
		return "", nil, fmt.Sprintf("delta of %d passages exceeds %d", changed, limit)
	}
	return base, delta, ""
}

// docHashes is docHash of each of docs.
func docHashes(docs []briefbot.Document) [][sha256.Size]byte {
	hs := make([][sha256.Size]byte, len(docs))
	for i, d := range docs {
		hs[i] = docHash(d)
	}
	return hs
}

// docHash covers every field of a document and its passages: a document
// the base holds with the same hash is served from the base as it is.
func docHash(d briefbot.Document) [sha256.Size]byte {
	h := sha256.New()
	// Encoding a struct of strings, times and slices cannot fail.
	_ = json.NewEncoder(h).Encode(d)
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
