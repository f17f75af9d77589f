package index

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
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
	// passages indexed so far and their total (see BuildFrom for a total
	// not known before the end); the last call has done == total.
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
	return writeBuild(ctx, root, sliceSource(docs), buildPlan{total: passageCount(docs)}, opts)
}

// Source yields the documents of a corpus to yield one at a time, in
// corpus order, and stops at yield's first error, returning it. It returns
// the sources it could not read, which the build records after
// BuildOptions.Failed. A build owns the documents a Source yields: it
// drops their texts once written, so that it never holds them all.
type Source func(ctx context.Context, yield func(briefbot.Document) error) ([]briefbot.Failure, error)

// sliceSource yields docs. Their texts are the caller's: a build from it
// keeps them (see buildPlan.slice).
func sliceSource(docs []briefbot.Document) Source {
	return func(_ context.Context, yield func(briefbot.Document) error) ([]briefbot.Failure, error) {
		for _, d := range docs {
			if err := yield(d); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
}

func passageCount(docs []briefbot.Document) int {
	n := 0
	for _, d := range docs {
		n += len(d.Passages)
	}
	return n
}

// buildPlan says what writeBuild makes of the documents its source yields.
type buildPlan struct {
	// base names the full build an incremental one serves unchanged
	// documents from; own then tells the documents the new build indexes
	// itself. Empty for a full build, which indexes every document.
	base string
	own  func(id string) bool
	// hashes holds docHash of each document when the caller worked them
	// out already; nil, writeBuild does.
	hashes [][sha256.Size]byte
	// total is the number of passages to index, for Progress; 0 when not
	// known before the source has been read.
	total int
	// streamed marks documents that validateDocs has not checked and that
	// nobody else holds: each is checked as it comes, and its texts are
	// dropped once written.
	streamed bool
}

// writeBuild writes a build serving the documents src yields, whose own
// bleve index and texts file hold those plan says it indexes, and makes it
// the live one, as buildUnchecked does.
//
// A document is held whole only while it is indexed: the build keeps of
// each what the manifest records (passages without texts, once streamed),
// and bleve one batch. Passages' texts go to the texts file, and what the
// manifest derives from them (roles, acronyms, names) is counted as they
// pass.
func writeBuild(ctx context.Context, root string, src Source, plan buildPlan, opts BuildOptions) (_ *Index, err error) {
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

	an := newMapping().AnalyzerNamed(analyzerName)
	if an == nil {
		return nil, fmt.Errorf("build index: analyzer %q missing", analyzerName)
	}
	b := &builder{plan: plan, dv: newDeriver(func(text string) []string { return analyzeWith(an, text) })}
	if plan.streamed {
		b.val = newValidator()
	}
	failed, err := b.write(ctx, dir, src, opts)
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	hash := corpusHash(b.hashes)
	info := briefbot.IndexInfo{
		Version:   version(hash, mappingVersion, opts.Options),
		BuiltAt:   time.Now().UTC(),
		Documents: len(b.docs),
		Passages:  len(b.sums),
	}
	man := manifest{Format: manifestFormat, Mapping: mappingVersion, CorpusHash: hash, Info: info, Documents: b.docs,
		Stamp: opts.Stamp, Failed: slices.Concat(opts.Failed, failed), Base: plan.base, Delta: b.delta,
		TextSums: b.sums, DocHashes: b.hashes, Derived: b.dv.result()}
	if err := writeManifest(dir, man); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	// Written: the build opened below holds its own copy.
	b, man = nil, manifest{}
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
	if plan.base == "" {
		err := replaceFileWith(dir, postFile, func(w io.Writer) error { return writePostings(ctx, ix, w) })
		// Reading every list of bleve's index makes garbage at a high
		// rate (bleve's readers, one per term): returned now, before the
		// caller's first allocations, it is not the base they grow on
		// (100k passages: peak 315 MB without this, 292 MB with it; 287 MB without a postings file).
		debug.FreeOSMemory()
		if err != nil {
			return nil, fmt.Errorf("build index: %w", err)
		}
		if ix.posts, err = openPostings(dir, len(ix.flat), ix.opts.K1, ix.opts.B); err != nil {
			return nil, fmt.Errorf("build index: verify build %s: %w", dir, err)
		}
	}
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
	removeOldBuilds(root, []string{name, plan.base}, prev)
	return ix, nil
}

// builder is what writeBuild keeps of the documents its source yielded.
type builder struct {
	plan   buildPlan
	val    *validator // nil when the caller validated the documents
	dv     *deriver
	docs   []briefbot.Document
	hashes [][sha256.Size]byte
	sums   []textSum // of every passage, in order
	delta  []string  // IDs of the documents indexed, for an incremental build
}

// write reads src into the bleve index and texts file under dir and
// returns what src could not read.
func (b *builder) write(ctx context.Context, dir string, src Source, opts BuildOptions) (failed []briefbot.Failure, err error) {
	f, err := os.OpenFile(filepath.Join(dir, textsFile), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", textsFile, cerr)
		}
	}()
	texts := bufio.NewWriterSize(f, 1<<16)
	if _, err := texts.WriteString(textsMagic); err != nil {
		return nil, fmt.Errorf("write %s: %w", textsFile, err)
	}
	err = writeIndex(ctx, filepath.Join(dir, indexSubdir), b.plan.total, opts, func(index func(briefbot.Passage) error) error {
		failed, err = src(ctx, func(d briefbot.Document) error {
			return b.add(d, texts, index)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := texts.Flush(); err != nil {
		return nil, fmt.Errorf("write %s: %w", textsFile, err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("write %s: %w", textsFile, err)
	}
	return failed, nil
}

// add takes the source's next document.
func (b *builder) add(d briefbot.Document, texts *bufio.Writer, index func(briefbot.Passage) error) error {
	i := len(b.docs)
	if b.val != nil {
		if err := b.val.check(i, d); err != nil {
			return err
		}
	}
	if b.plan.hashes != nil {
		if i >= len(b.plan.hashes) {
			return fmt.Errorf("document %q: more documents than hashes", d.ID)
		}
		b.hashes = append(b.hashes, b.plan.hashes[i])
	} else {
		b.hashes = append(b.hashes, docHash(d))
	}
	own := b.plan.own == nil || b.plan.own(d.ID)
	if own && b.plan.base != "" {
		b.delta = append(b.delta, d.ID)
	}
	for _, p := range d.Passages {
		b.sums = append(b.sums, textSumOf(p.Text))
		b.dv.add(p)
		if !own {
			continue
		}
		if _, err := texts.WriteString(p.Text); err != nil { // validated: bounded
			return fmt.Errorf("write %s: %w", textsFile, err)
		}
		if err := index(p); err != nil {
			return err
		}
	}
	if b.plan.streamed {
		for j := range d.Passages {
			d.Passages[j].Text = ""
		}
	}
	b.docs = append(b.docs, d)
	return nil
}

// validateDocs refuses documents whose IDs the index cannot hold: empty,
// repeated, or not valid UTF-8 (JSON output cannot hold other bytes, nor
// could the manifest of format 1). IDs are quoted in errors, so that the
// bytes of a bad one show as escapes.
func validateDocs(docs []briefbot.Document) error {
	v := newValidator()
	for i, d := range docs {
		if err := v.check(i, d); err != nil {
			return err
		}
	}
	return nil
}

// validator is validateDocs one document at a time, for a streamed build
// (see BuildFrom).
type validator struct {
	docIDs, seen map[string]bool
}

func newValidator() *validator {
	return &validator{docIDs: map[string]bool{}, seen: map[string]bool{}}
}

// check validates d, the corpus's document i (from 0), against the
// documents checked before it.
func (v *validator) check(i int, d briefbot.Document) error {
	switch {
	case d.ID == "":
		return fmt.Errorf("document %d (source %q) has no ID", i+1, d.Source)
	case !utf8.ValidString(d.ID):
		return fmt.Errorf("document ID %q is not valid UTF-8 (source %q)", d.ID, d.Source)
	case v.docIDs[d.ID]:
		return fmt.Errorf("document ID %q is not unique (source %q)", d.ID, d.Source)
	}
	v.docIDs[d.ID] = true
	for j, p := range d.Passages {
		var err error
		switch {
		case p.ID == "":
			err = fmt.Errorf("passage %d has no ID", j+1)
		case !utf8.ValidString(p.ID):
			err = fmt.Errorf("passage ID %q is not valid UTF-8", p.ID)
		case v.seen[p.ID]:
			err = fmt.Errorf("passage ID %q is not unique", p.ID)
		case !utf8.ValidString(p.DocID):
			err = fmt.Errorf("passage %q has document ID %q, not valid UTF-8", p.ID, p.DocID)
		case len(p.Text) > maxTextLen:
			err = fmt.Errorf("passage %q: text of %d bytes exceeds %d", p.ID, len(p.Text), maxTextLen)
		}
		if err != nil {
			return fmt.Errorf("document %q (source %q): %w", d.ID, d.Source, err)
		}
		v.seen[p.ID] = true
	}
	return nil
}

// writeIndex creates the bleve index at path and indexes the passages feed
// hands to its argument, batch by batch; total is their number, for
// Progress, or 0 when not known.
func writeIndex(ctx context.Context, path string, total int, opts BuildOptions, feed func(index func(briefbot.Passage) error) error) (err error) {
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
	// flush applies the batch. The last one tells Progress the total when
	// it was not known (0), as done: a build whose size is learnt as it
	// reads still ends with done == total.
	flush := func(last bool) error {
		n := len(bodies)
		if n > 0 {
			if err := idx.Batch(batch); err != nil {
				return fmt.Errorf("index batch: %w", err)
			}
			// Analysis ran inside Batch and left each body's length
			// behind: keeping them spares searches decoding lengths from
			// norms.
			for _, b := range bodies {
				lengths = append(lengths, uint32(b.AnalyzedLength()))
			}
			done += n
			bodies = bodies[:0]
			batch.Reset()
		}
		if opts.Progress != nil {
			switch {
			case last && total <= 0 && done > 0:
				opts.Progress(done, done)
			case n > 0:
				opts.Progress(done, total)
			}
		}
		// Fail early: every batch after a failed write would be lost too.
		select {
		case err := <-asyncErrs:
			return fmt.Errorf("persist index: %w", err)
		default:
		}
		return nil
	}
	err = feed(func(p briefbot.Passage) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		doc, body := passageDocument(p, an, kw)
		if err := batch.IndexAdvanced(doc); err != nil {
			return fmt.Errorf("index passage %s: %w", p.ID, err)
		}
		bodies = append(bodies, body)
		if len(bodies) >= size {
			return flush(false)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(true); err != nil {
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

// BuildFrom is BuildOpen for a corpus read as it is built: src's documents
// are checked as they come (a document validateDocs would refuse fails the
// build, which is then removed), and each is held whole only while it is
// indexed, so that a build's memory is what the manifest keeps and one
// batch, not every text. Progress is told 0 for the total, which is not
// known before the last batch, and then told it.
func BuildFrom(ctx context.Context, root string, src Source, opts BuildOptions) (*Index, error) {
	ix, _, err := buildFrom(ctx, root, src, opts, false)
	return ix, err
}

// EnsureCurrentFrom is EnsureCurrent for a corpus read as it is built (see
// BuildFrom). When there is a live build, src is read once first to work
// out its Version, one document at a time: an unchanged corpus then costs
// a parse, not a build, and a changed one a second read.
func EnsureCurrentFrom(ctx context.Context, root string, src Source, opts BuildOptions) (*Index, bool, error) {
	return buildFrom(ctx, root, src, opts, true)
}

func buildFrom(ctx context.Context, root string, src Source, opts BuildOptions, keepCurrent bool) (*Index, bool, error) {
	opts.Options = opts.Options.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, false, fmt.Errorf("build index: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(root, buildsDir), 0o755); err != nil {
		return nil, false, fmt.Errorf("build index: %w", err)
	}
	rl, err := lockExclusiveWait(ctx, filepath.Join(root, rootLockFile))
	if err != nil {
		return nil, false, fmt.Errorf("build index: %w", err)
	}
	defer rl.unlock()
	if keepCurrent {
		if ix, err := Open(root, opts.Options); err == nil {
			// Held open only while src is hashed: a build removes the
			// builds in use by nobody.
			want, err := sourceVersion(ctx, src, opts.Options)
			if err == nil && want == ix.Info().Version {
				return ix, false, nil
			}
			if cerr := ix.Close(); cerr != nil {
				slog.Warn("close stale index", "err", cerr)
			}
			if err != nil {
				return nil, false, fmt.Errorf("build index: %w", err)
			}
		}
	}
	slog.Info("building index", "root", root, "streamed", true)
	ix, err := writeBuild(ctx, root, src, buildPlan{streamed: true}, opts)
	if err != nil {
		return nil, false, err
	}
	return ix, true, nil
}

// sourceVersion is the Version of a build from src, read for it alone.
func sourceVersion(ctx context.Context, src Source, o Options) (string, error) {
	var hashes [][sha256.Size]byte
	_, err := src(ctx, func(d briefbot.Document) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		hashes = append(hashes, docHash(d))
		return nil
	})
	if err != nil {
		return "", err
	}
	return version(corpusHash(hashes), mappingVersion, o), nil
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
