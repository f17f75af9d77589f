package index

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/briefbot/briefbot"
)

// On-disk layout under a root directory:
//
//	root/CURRENT                 name of the live build, replaced by rename
//	root/LOCK                    held while a build runs, so builds queue
//	root/builds/<name>/.lock     exclusive while building, shared while open
//	root/builds/<name>/manifest.bin  see manifest.go
//	root/builds/<name>/manifest.json for older readers (see manifest.go)
//	root/builds/<name>/bleve/    the Scorch index
const (
	buildsDir    = "builds"
	currentFile  = "CURRENT"
	rootLockFile = "LOCK"
	lockFile     = ".lock"
	indexSubdir  = "bleve"
)

// Fields. body (title, section and text together) is the only field indexed
// for search: Anserini's "flat" BM25 (title+text as one field) beats scoring
// fields separately on SciFact. title, section and text are mapped (bleve's
// own queries in the benchmarks analyze them alike) but neither indexed nor
// stored: the manifest and the texts file hold what passages show, and a
// second copy in bleve's store only cost disk and build time.
const (
	fieldDocID   = "doc_id"
	fieldTitle   = "title"
	fieldSection = "section"
	fieldText    = "text"
	fieldBody    = "body"
	// fieldDocTitle holds the title of passages whose body leaves it out
	// (see bodyText); it is scored on its own statistics.
	fieldDocTitle = "doctitle"
	analyzerName  = en.AnalyzerName
	lengthsKey    = "briefbot/lengths"
	// mappingVersion names the analysis and field layout; bump it whenever
	// either changes so that existing builds read as stale.
	mappingVersion = "5"
	// manifestFormat is the format builds are written in; builds of
	// inlineTextsFormat (passages' texts in the manifest) still open.
	manifestFormat    = 3
	inlineTextsFormat = 2
)

// DefaultBatchSize is the number of passages per bleve batch.
const DefaultBatchSize = 1000

// DefaultPersistTimeout bounds the wait, once every passage is indexed, for
// the index to reach the disk.
const DefaultPersistTimeout = 10 * time.Minute

// BuildOptions configure Build.
type BuildOptions struct {
	Options
	// Progress, when set, is called after each batch with the number of
	// passages indexed so far.
	Progress  func(done, total int)
	BatchSize int
	// Stamp is recorded with the build and read back by Index.Stamp: the
	// caller's fingerprint of where docs came from, so that it can tell an
	// index current without reading docs again.
	Stamp string
	// Failed is recorded with the build and read back by Index.Failed: the
	// sources that could not be read into docs.
	Failed []briefbot.Failure
}

// Scorch writes the index in background goroutines and reports their
// failures (a full disk) only through a callback named in its
// configuration, retrying the write meanwhile; a build that waited for the
// write alone would wait forever. Callbacks are registered by name once,
// and routed to the build whose index path the failure names.
const asyncErrorCallback = "briefbot-build"

var buildErrs sync.Map // scorch index path -> chan error

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = routeAsyncError
}

func routeAsyncError(err error, path string) {
	if errors.Is(err, scorch.ErrCleanup) {
		// Removing obsolete files failed: the index itself is sound.
		slog.Warn("index cleanup", "path", path, "err", err)
		return
	}
	buildErrs.Range(func(k, v any) bool {
		if p := k.(string); path == p || strings.HasPrefix(path, p+string(filepath.Separator)) {
			select {
			case v.(chan error) <- err:
			default: // the build already has an error to report
			}
		}
		return true
	})
}

// watchAsyncErrors returns a channel that receives the background write
// failures of the index at path, and a function that stops watching.
func watchAsyncErrors(path string) (<-chan error, func()) {
	ch := make(chan error, 1)
	buildErrs.Store(path, ch)
	return ch, func() { buildErrs.Delete(path) }
}

// encodeLengths stores each passage's analyzed body length, in manifest
// order, as little-endian uint32s.
func encodeLengths(lengths []uint32) []byte {
	raw := make([]byte, 0, 4*len(lengths))
	for _, l := range lengths {
		raw = binary.LittleEndian.AppendUint32(raw, l)
	}
	return raw
}

func decodeLengths(raw []byte, n int) ([]uint32, error) {
	if len(raw) != 4*n {
		return nil, fmt.Errorf("length table holds %d bytes, want %d for %d passages", len(raw), 4*n, n)
	}
	lengths := make([]uint32, n)
	for i := range lengths {
		lengths[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	return lengths, nil
}

// VersionOf is the Version an index of docs gets with default options.
// Compare it with Info().Version to detect a stale index.
func VersionOf(docs []briefbot.Document) string {
	return VersionWith(docs, Options{})
}

// VersionWith is the Version an index of docs gets with opts.
func VersionWith(docs []briefbot.Document, opts Options) string {
	return version(corpusHash(docHashes(docs)), mappingVersion, opts.withDefaults())
}

// corpusHash covers every field of every document and passage, in order,
// through the documents' hashes (docHash).
func corpusHash(hashes [][sha256.Size]byte) string {
	h := sha256.New()
	for _, dh := range hashes {
		h.Write(dh[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func version(corpus, mapping string, o Options) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00mapping=%s\x00k1=%s\x00b=%s\x00synonyms=%s", corpus, mapping,
		strconv.FormatFloat(o.K1, 'g', -1, 64), strconv.FormatFloat(o.B, 'g', -1, 64), strconv.FormatFloat(o.Synonyms, 'g', -1, 64))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func newMapping() *mapping.IndexMappingImpl {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = analyzerName
	text.Store = true
	text.IncludeTermVectors = false
	text.DocValues = false
	id := bleve.NewKeywordFieldMapping()
	id.Store = true
	id.IncludeInAll = false
	id.DocValues = false

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fieldDocID, id)
	dm.AddFieldMappingsAt(fieldTitle, text)
	dm.AddFieldMappingsAt(fieldSection, text)
	dm.AddFieldMappingsAt(fieldText, text)

	m := bleve.NewIndexMapping()
	m.DefaultMapping = dm
	m.DefaultAnalyzer = analyzerName
	// Documents are built by hand (IndexAdvanced); the mapping records the
	// same layout so that bleve's own queries analyze alike. body is not
	// mapped and falls back to DefaultAnalyzer.
	m.DefaultField = fieldBody
	return m
}

// Build indexes docs into a new build directory under root and makes it the
// live one by replacing root/CURRENT, once the build opens as Open would
// open it. A failed or cancelled build (a full disk included) removes its
// directory and leaves CURRENT untouched. Documents and passages need IDs
// that are non-empty, unique and valid UTF-8; Build refuses others before
// writing anything. Builds under the same root are serialized by a lock
// file.
func Build(ctx context.Context, root string, docs []briefbot.Document, opts BuildOptions) (briefbot.IndexInfo, error) {
	ix, err := BuildOpen(ctx, root, docs, opts)
	if err != nil {
		return briefbot.IndexInfo{}, err
	}
	info := ix.Info()
	return info, ix.Close()
}

// BuildOpen is Build that returns the new build opened, as Open would open
// it: the build is loaded once, to check it and to serve it.
func BuildOpen(ctx context.Context, root string, docs []briefbot.Document, opts BuildOptions) (*Index, error) {
	opts.Options = opts.Options.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(root, buildsDir), 0o755); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	rl, err := lockExclusiveWait(ctx, filepath.Join(root, rootLockFile))
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	defer rl.unlock()
	return build(ctx, root, docs, opts)
}

// build does BuildOpen's work; the caller holds the root lock. Nothing is
// written unless docs pass validateDocs.
func build(ctx context.Context, root string, docs []briefbot.Document, opts BuildOptions) (*Index, error) {
	if err := validateDocs(docs); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	return buildUnchecked(ctx, root, docs, opts)
}

// buildUnchecked writes a build of docs, which validateDocs accepted, and
// makes it the live one once it opens and holds what was indexed. Until
// then CURRENT names the previous build, and a failed build is removed.
func buildUnchecked(ctx context.Context, root string, docs []briefbot.Document, opts BuildOptions) (*Index, error) {
	return writeBuild(ctx, root, docs, "", docs, nil, opts)
}

// writeBuild writes a build serving docs whose own bleve index holds the
// documents indexed (all of docs for a full build; for an incremental one,
// those that base, a full build, does not hold as they are) and makes it
// the live one, as buildUnchecked does.
//
// hashes holds docHash of each of docs when the caller worked them out
// already; nil, writeBuild does.
func writeBuild(ctx context.Context, root string, docs []briefbot.Document, base string, indexed []briefbot.Document, hashes [][sha256.Size]byte, opts BuildOptions) (_ *Index, err error) {
	total := 0
	for _, d := range docs {
		total += len(d.Passages)
	}
	builds := filepath.Join(root, buildsDir)
	stamp := time.Now().UTC().Format("20060102T150405.000Z")
	dir, err := os.MkdirTemp(builds, strings.ReplaceAll(stamp, ".", "")+"-*")
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	lock, err := lockExclusive(filepath.Join(dir, lockFile))
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("build index: %w", err)
	}
	defer func() {
		lock.unlock()
		if err != nil {
			if rmErr := os.RemoveAll(dir); rmErr != nil {
				slog.Warn("remove failed index build", "dir", dir, "err", rmErr)
			}
		}
	}()

	if hashes == nil {
		hashes = docHashes(docs)
	}
	hash := corpusHash(hashes)
	info := briefbot.IndexInfo{
		Version:   version(hash, mappingVersion, opts.Options),
		BuiltAt:   time.Now().UTC(),
		Documents: len(docs),
		Passages:  total,
	}
	man := manifest{Format: manifestFormat, Mapping: mappingVersion, CorpusHash: hash, Info: info, Documents: docs,
		Stamp: opts.Stamp, Failed: opts.Failed, Base: base}
	indexedTotal := 0
	for _, d := range indexed {
		indexedTotal += len(d.Passages)
		if base != "" {
			man.Delta = append(man.Delta, d.ID)
		}
	}
	if err := writeIndex(ctx, filepath.Join(dir, indexSubdir), indexed, indexedTotal, opts); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	if err := writeTexts(dir, indexed); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	man.TextSums = make([]textSum, 0, total)
	man.DocHashes = hashes
	for _, d := range docs {
		for _, p := range d.Passages {
			man.TextSums = append(man.TextSums, textSumOf(p.Text))
		}
	}
	an := newMapping().AnalyzerNamed(analyzerName)
	if an == nil {
		return nil, fmt.Errorf("build index: analyzer %q missing", analyzerName)
	}
	flat := flattenDocs(docs)
	man.Derived = deriveFrom(flat, func(text string) []string { return analyzeWith(an, text) })
	if err := writeManifest(dir, man); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	// Open the build as a reader would before anyone can: a build that does
	// not open must never become the live one.
	ix, err := loadBuild(dir, opts.Options)
	if err != nil {
		return nil, fmt.Errorf("build index: verify build %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			_ = ix.Close()
		}
	}()
	// The build's own segment is the last one it opened.
	own := &ix.segs[len(ix.segs)-1]
	if err := replaceFile(dir, orderFile, encodeOrder(own.local)); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	own.local = nil // written; not needed to serve
	prev, cerr := readCurrent(root)
	if cerr != nil && !errors.Is(cerr, ErrNoIndex) {
		slog.Warn("previous index unreadable; replacing it", "root", root, "err", cerr)
	}
	name := filepath.Base(dir)
	if err := writeCurrent(root, name); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	// Trade the builder's exclusive lock for a reader's, as Open holds.
	lock.unlock()
	if ix.lock, err = lockShared(filepath.Join(dir, lockFile)); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	removeOldBuilds(root, []string{name, base}, prev)
	return ix, nil
}

// validateDocs refuses documents whose IDs the index cannot hold: empty,
// repeated, or not valid UTF-8 (JSON output cannot hold other bytes, nor
// could the manifest of format 1). IDs are quoted in errors, so that the
// bytes of a bad one show as escapes.
func validateDocs(docs []briefbot.Document) error {
	docIDs := make(map[string]bool, len(docs))
	seen := make(map[string]bool)
	for i, d := range docs {
		switch {
		case d.ID == "":
			return fmt.Errorf("document %d (source %q) has no ID", i+1, d.Source)
		case !utf8.ValidString(d.ID):
			return fmt.Errorf("document ID %q is not valid UTF-8 (source %q)", d.ID, d.Source)
		case docIDs[d.ID]:
			return fmt.Errorf("document ID %q is not unique (source %q)", d.ID, d.Source)
		}
		docIDs[d.ID] = true
		for j, p := range d.Passages {
			var err error
			switch {
			case p.ID == "":
				err = fmt.Errorf("passage %d has no ID", j+1)
			case !utf8.ValidString(p.ID):
				err = fmt.Errorf("passage ID %q is not valid UTF-8", p.ID)
			case seen[p.ID]:
				err = fmt.Errorf("passage ID %q is not unique", p.ID)
			case !utf8.ValidString(p.DocID):
				err = fmt.Errorf("passage %q has document ID %q, not valid UTF-8", p.ID, p.DocID)
			case len(p.Text) > maxTextLen:
				err = fmt.Errorf("passage %q: text of %d bytes exceeds %d", p.ID, len(p.Text), maxTextLen)
			}
			if err != nil {
				return fmt.Errorf("document %q (source %q): %w", d.ID, d.Source, err)
			}
			seen[p.ID] = true
		}
	}
	return nil
}

func writeIndex(ctx context.Context, path string, docs []briefbot.Document, total int, opts BuildOptions) (err error) {
	m := newMapping()
	// Batches return once applied in memory rather than once fsynced: with
	// disks shared by other work, waiting for each batch's fsyncs made
	// builds I/O-bound (10k passages: 11 s wall for 1.2 s of CPU). The last
	// batch below waits until everything is persisted, or a background
	// write fails.
	asyncErrs, unwatch := watchAsyncErrors(path)
	defer unwatch()
	idx, err := bleve.NewUsing(path, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore,
		map[string]interface{}{"unsafe_batch": true, "asyncErrorCallbackName": asyncErrorCallback})
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if cerr := idx.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", path, cerr)
		}
	}()
	an := m.AnalyzerNamed(analyzerName)
	kw := m.AnalyzerNamed(keyword.Name)
	if an == nil || kw == nil {
		return errors.New("analyzers missing from the bleve registry")
	}
	size := opts.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	var (
		batch   = idx.NewBatch()
		bodies  []*document.TextField
		lengths = make([]uint32, 0, total)
		done    int
	)
	flush := func() error {
		if len(bodies) == 0 {
			return nil
		}
		if err := idx.Batch(batch); err != nil {
			return fmt.Errorf("index batch: %w", err)
		}
		// Analysis ran inside Batch and left each body's length behind:
		// keeping them spares searches decoding lengths from norms.
		for _, b := range bodies {
			lengths = append(lengths, uint32(b.AnalyzedLength()))
		}
		done += len(bodies)
		bodies = bodies[:0]
		batch.Reset()
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
		// Fail early: every batch after a failed write would be lost too.
		select {
		case err := <-asyncErrs:
			return fmt.Errorf("persist index: %w", err)
		default:
		}
		return nil
	}
	for _, d := range docs {
		for _, p := range d.Passages {
			if err := ctx.Err(); err != nil {
				return err
			}
			doc, body := passageDocument(p, an, kw)
			if err := batch.IndexAdvanced(doc); err != nil {
				return fmt.Errorf("index passage %s: %w", p.ID, err)
			}
			bodies = append(bodies, body)
			if len(bodies) >= size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	// Persistence is in order: once this last batch is persisted, so is
	// every passage before it.
	persisted := make(chan error, 1)
	batch.SetInternal([]byte(lengthsKey), encodeLengths(lengths))
	batch.SetPersistedCallback(func(err error) { persisted <- err })
	if err := idx.Batch(batch); err != nil {
		return fmt.Errorf("store lengths: %w", err)
	}
	timer := time.NewTimer(DefaultPersistTimeout)
	defer timer.Stop()
	select {
	case err := <-persisted:
		if err != nil {
			return fmt.Errorf("persist index: %w", err)
		}
		return nil
	case err := <-asyncErrs:
		return fmt.Errorf("persist index: %w", err)
	case <-timer.C:
		return fmt.Errorf("persist index: not written out after %v", DefaultPersistTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func passageDocument(p briefbot.Passage, an, kw analysis.Analyzer) (*document.Document, *document.TextField) {
	doc := document.NewDocument(p.ID)
	doc.AddField(document.NewTextFieldCustom(fieldDocID, nil, []byte(p.DocID), bindex.IndexField|bindex.StoreField, kw))
	body := document.NewTextFieldCustom(fieldBody, nil, []byte(bodyText(p)), bindex.IndexField, an)
	doc.AddField(body)
	if titleApart(p) {
		doc.AddField(document.NewTextFieldCustom(fieldDocTitle, nil, []byte(p.Title), bindex.IndexField, an))
	}
	return doc, body
}

// bodyText is what a passage is scored on: its section heading and text.
// The document title is left out unless the passage has no section of its
// own (the lead of a document, plain-text and BEIR sources): every
// passage of a document shares its title, so in a corpus of few documents
// the title's words would look common and lose their weight wherever the
// text uses them. Such passages index the title in fieldDocTitle instead,
// where its words weigh what they tell apart: documents, not passages.
// The line break keeps tokens from running across the parts.
func bodyText(p briefbot.Passage) string {
	if titleApart(p) {
		return p.Section + "\n" + p.Text
	}
	return p.Title + "\n" + p.Text
}

// titleApart reports whether a passage's title is scored in fieldDocTitle
// rather than in its body: when the passage has a section of its own.
func titleApart(p briefbot.Passage) bool {
	return p.Section != "" && p.Section != p.Title
}

// readCurrent returns the name of the live build.
func readCurrent(root string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(root, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", root, ErrNoIndex)
	}
	if err != nil {
		return "", fmt.Errorf("read current build: %w", err)
	}
	name := strings.TrimSpace(string(raw))
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("read current build: %w: bad build name %q in %s", ErrCorrupt, name, filepath.Join(root, currentFile))
	}
	return name, nil
}

// writeCurrent replaces CURRENT by renaming a complete temporary file over
// it, so that a reader sees either the old name or the new one.
func writeCurrent(root, name string) error {
	if err := replaceFile(root, currentFile, []byte(name+"\n")); err != nil {
		return fmt.Errorf("switch build: %w", err)
	}
	syncDir(root)
	return nil
}

// syncDir makes renames in dir durable where the platform allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// removeOldBuilds deletes every build except the live one and the one it
// replaced, skipping builds still open elsewhere (they hold a shared lock).
// The previous build is kept because a reader may have read CURRENT just
// before the switch and be opening it now. The base of a kept incremental
// build (see Update) is kept with it: it serves most of its documents.
// live holds the live build and its base ("" for a full build), known to
// the caller; only prev's base is read from its manifest.
func removeOldBuilds(root string, live []string, prev string) {
	builds := filepath.Join(root, buildsDir)
	keep := append(slices.Clone(live), prev)
	if prev != "" {
		if man, err := readManifest(filepath.Join(builds, prev)); err == nil && man.Base != "" {
			keep = append(keep, man.Base)
		}
	}
	entries, err := os.ReadDir(builds)
	if err != nil {
		slog.Warn("list index builds", "dir", builds, "err", err)
		return
	}
	for _, e := range entries {
		if !e.IsDir() || slices.Contains(keep, e.Name()) {
			continue
		}
		dir := filepath.Join(builds, e.Name())
		l, err := lockExclusive(filepath.Join(dir, lockFile))
		if err != nil {
			slog.Debug("old index build in use; kept", "dir", dir, "err", err)
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			slog.Warn("remove old index build", "dir", dir, "err", err)
		}
		l.unlock()
	}
}

// EnsureCurrent opens the live build under root, rebuilding it from docs
// first when there is none, it cannot be opened, or its Version differs from
// docs' (stale corpus or mapping). The bool reports a rebuild.
func EnsureCurrent(ctx context.Context, root string, docs []briefbot.Document, opts BuildOptions) (*Index, bool, error) {
	opts.Options = opts.Options.withDefaults()
	want := VersionWith(docs, opts.Options)
	if ix, _ := openIfCurrent(root, want, opts.Options); ix != nil {
		return ix, false, nil
	}
	if err := os.MkdirAll(filepath.Join(root, buildsDir), 0o755); err != nil {
		return nil, false, fmt.Errorf("ensure index: %w", err)
	}
	rl, err := lockExclusiveWait(ctx, filepath.Join(root, rootLockFile))
	if err != nil {
		return nil, false, fmt.Errorf("ensure index: %w", err)
	}
	defer rl.unlock()
	// Check again: another process may have built it while we waited.
	ix, why := openIfCurrent(root, want, opts.Options)
	if ix != nil {
		return ix, false, nil
	}
	slog.Info("building index", "root", root, "reason", why)
	ix, err = build(ctx, root, docs, opts)
	if err != nil {
		return nil, false, err
	}
	return ix, true, nil
}

// openIfCurrent opens the live build if it has Version want, or says why not.
func openIfCurrent(root, want string, opts Options) (*Index, string) {
	ix, err := Open(root, opts)
	switch {
	case errors.Is(err, ErrNoIndex):
		return nil, "no index yet"
	case err != nil:
		return nil, "unreadable: " + err.Error()
	case ix.Info().Version != want:
		why := fmt.Sprintf("stale: version %s, want %s", ix.Info().Version, want)
		if err := ix.Close(); err != nil {
			slog.Warn("close stale index", "err", err)
		}
		return nil, why
	case ix.format < manifestFormat:
		// Current, but of a format that holds every text in its manifest:
		// rebuilt once, so that opening it no longer reads them all.
		why := fmt.Sprintf("format %d, want %d (texts kept apart)", ix.format, manifestFormat)
		if err := ix.Close(); err != nil {
			slog.Warn("close index of an older format", "err", err)
		}
		return nil, why
	}
	return ix, ""
}

// SetStamp records a new stamp with the opened build (see
// BuildOptions.Stamp), for when what the stamp fingerprints changed after
// the build without changing what it holds. The manifest is replaced by a
// rename, so a reader sees the old one or the new one.
func (ix *Index) SetStamp(stamp string) error {
	man, err := readManifest(ix.dir)
	if err != nil {
		return fmt.Errorf("set stamp: %w", err)
	}
	man.Stamp = stamp
	if man.Derived == nil {
		// A build of format 1: written again in the current format, with
		// what this open derived from its passages.
		man.Derived = &derived{Roles: ix.roles, AboutDF: ix.aboutDF, Acronyms: encodeAcronyms(ix.corpusAcronyms())}
	}
	if err := writeManifest(ix.dir, man); err != nil {
		return fmt.Errorf("set stamp: %w", err)
	}
	ix.stamp = stamp
	return nil
}
