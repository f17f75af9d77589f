// Package index owns the search index: it is the only package that imports
// bleve. It builds a Scorch index of passages into a fresh directory and
// switches to it atomically, ranks passages with standard BM25 computed from
// the index's own postings (bleve's built-in "bm25" model is not standard
// BM25), picks the quote that best answers a query, and serves one index at a
// time to concurrent searchers while a rebuilt one is swapped in.
package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bindex "github.com/blevesearch/bleve_index_api"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/memo"
)

// Default BM25 parameters: the textbook k1=1.2, b=0.75. Measured with the
// eval package (whole records as passages), they beat Anserini's BEIR
// setting (k1=0.9, b=0.4) here: nDCG@10 0.682 vs 0.669 on SciFact, 0.390 vs
// 0.375 on Cranfield.
// Query terms repeated in a question count once per occurrence, as in
// Anserini; deduplicating them measured within 0.001 on both.
const (
	DefaultK1          = 1.2
	DefaultB           = 0.75
	DefaultBoltTimeout = 2 * time.Second
)

// Options are the query-time settings of an index. They are part of its
// Version because they change how it answers, but changing them does not
// require rebuilding it.
type Options struct {
	K1, B float64
	// BoltTimeout bounds the wait for the index's bolt file lock: opening an
	// index held by a writer would otherwise block forever.
	BoltTimeout time.Duration
	// Synonyms is the weight, relative to the question's own words, of the
	// words related to them (WordNet synonyms, a capital's country); 0
	// searches the question's words only.
	Synonyms float64
	// PostingsCache bounds the bytes of decoded postings an open index
	// keeps for the terms it has scored (see postingsCache); 0 means
	// DefaultPostingsCache, a negative value keeps none. It changes
	// speed and memory only, never an answer.
	PostingsCache int64
}

func (o Options) withDefaults() Options {
	if o.K1 == 0 {
		o.K1 = DefaultK1
	}
	if o.B == 0 {
		o.B = DefaultB
	}
	if o.BoltTimeout <= 0 {
		o.BoltTimeout = DefaultBoltTimeout
	}
	if o.PostingsCache == 0 {
		o.PostingsCache = DefaultPostingsCache
	}
	return o
}

func (o Options) validate() error {
	if o.K1 < 0 || math.IsNaN(o.K1) || math.IsInf(o.K1, 0) {
		return fmt.Errorf("bm25 k1 %v: must be a finite number >= 0", o.K1)
	}
	if o.B < 0 || o.B > 1 || math.IsNaN(o.B) {
		return fmt.Errorf("bm25 b %v: must be within [0, 1]", o.B)
	}
	if o.Synonyms < 0 || o.Synonyms > 1 || math.IsNaN(o.Synonyms) {
		return fmt.Errorf("synonym weight %v: must be within [0, 1]", o.Synonyms)
	}
	return nil
}

// ErrNoIndex reports that the root directory holds no built index yet.
var ErrNoIndex = errors.New("no index built yet")

// ErrCorrupt reports a live build that exists but cannot be read: CURRENT
// names no build, or the build's manifest, Scorch files or length table are
// damaged or missing. Only a rebuild cures it (see SetAside). Contention (a
// build lock held, a bolt time-out), permissions and a manifest of another
// format are not corruption: setting the build aside would not help, or
// would destroy a build that a newer briefbot reads fine.
var ErrCorrupt = errors.New("index corrupt")

// ErrClosed reports a search on a closed index.
var ErrClosed = errors.New("index closed")

// Index is one opened build. Search is safe for concurrent use; the
// metadata methods (Info, Documents, Passage, Analyze) stay usable after
// Close because they only read the manifest.
type Index struct {
	dir  string // the build directory
	opts Options
	info briefbot.IndexInfo
	docs []briefbot.Document
	// format is the build's manifest format (see manifest.go).
	format int
	// stamp and failed are the builder's, recorded in the manifest (see
	// BuildOptions).
	stamp  string
	failed []briefbot.Failure
	flat   []briefbot.Passage // all passages in manifest order
	// byID maps passage IDs to positions in flat; see positions.
	byID     map[string]int
	byIDOnce sync.Once
	roles    []role // role of the passage at each position in flat
	// aboutDF counts, per analyzed term, the about-the-authors passages
	// holding it (see onlyAbout).
	aboutDF map[string]uint64
	// acronyms maps initials to the capitalised phrase of the corpus they
	// stand for (see corpusAcronyms), learned once.
	acronyms     map[string]string
	acronymsOnce sync.Once
	// acronymTable is the build's encoded table of them (see
	// decodeAcronyms); empty for a build of an older format.
	acronymTable string
	// names lists, sorted, the words the corpus writes as names (see
	// IsName), decoded or learned once.
	names     []string
	namesOnce sync.Once
	// namesTable is the build's encoded list of names; empty for a build
	// of an older format.
	namesTable string
	n          float64 // number of passages served
	avgdl      float64 // mean analyzed length of the body field
	// lengthNorm[pos] is k1*(1 - b + b*dl/avgdl) for the passage at pos.
	lengthNorm []float64
	// textAt locates each passage's text when the build keeps texts
	// apart (see textsFile); nil when flat holds them.
	textAt []textRef

	// segs are the bleve indexes the passages are in: the build's own for
	// a full build; for an incremental one (see Update) its base build's,
	// then its own holding the documents added or changed since the base.
	segs []segment
	// deletedDF counts, per field and analyzed term, the passages holding
	// it that a segment still indexes but the build no longer serves (the
	// base's removed and replaced documents): document frequencies are
	// the segments' postings counts less these, so that BM25 sees exactly
	// the statistics of a full build of the served documents.
	deletedDF map[string]map[string]uint64
	an        analysis.Analyzer
	lock      *dirLock

	accPool sync.Pool
	// exhaustive turns rankTop's pruning off, for the tests that compare;
	// prunes counts the searches it pruned; minPrune is minPrunePostings
	// but in tests.
	exhaustive bool
	// wholeGroups turns splitGroup off, for the test that compares.
	wholeGroups bool
	prunes      atomic.Int64
	minPrune    float64
	// chunkBits is chunkBits but in tests; chunkPool holds chunkScratch
	// of its size; chunkedRanks counts the searches ranked in chunks.
	chunkBits    uint
	chunkPool    sync.Pool
	chunkedRanks atomic.Int64
	// describers holds the describers of finished searches, for their
	// scratch space.
	describers sync.Pool
	postCache  postingsCache
	dfCache    sync.Map // term -> uint64 body document frequency; the index is immutable
	// related caches the analyzed terms of thesaurus phrases (the
	// thesaurus is fixed), by phrase.
	related memo.Map[string, []string]
	// spans caches what expand makes of a span of a question (see
	// spanExpansion), by span and words.
	spans memo.Map[string, *spanExpansion]
	// tokTerms caches the term the analyzer makes of a raw token (as its
	// tokenizer cuts it; "" for a stop word), for describe; tokMu guards
	// it, and maxCachedTokens caps it.
	tokMu    sync.RWMutex
	tokTerms map[string]string
	closed   atomic.Bool
	// posts is the build's postings file, mapped (see postFile); nil when
	// searches read bleve's postings.
	posts *mappedPostings
	// mapMu is held for reading while a passage's text is read and while
	// a search ranks, for writing while the segments close: a mapped texts
	// or postings file is unmapped only once no read of it is in flight.
	mapMu sync.RWMutex
}

// Open opens the live build under root, the one CURRENT names. It returns an
// error wrapping ErrNoIndex when nothing was built yet.
func Open(root string, opts Options) (*Index, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	name, err := readCurrent(root)
	if err != nil {
		return nil, err
	}
	return openBuild(filepath.Join(root, buildsDir, name), opts)
}

func openBuild(dir string, opts Options) (*Index, error) {
	lock, err := lockShared(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	ix, err := loadBuild(dir, opts)
	if err != nil {
		lock.unlock()
		return nil, classifyLoadError(err)
	}
	ix.lock = lock
	return ix, nil
}

// classifyLoadError marks a failure to load a build as ErrCorrupt unless it
// comes from something a rebuild would not fix (see ErrCorrupt).
func classifyLoadError(err error) error {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, bolterrors.ErrTimeout) || errors.Is(err, errManifestFormat) ||
		errors.Is(err, ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, err)
}

// segment is one bleve index of a build.
type segment struct {
	dir  string // the build directory holding it
	bidx bleve.Index
	adv  bindex.Index
	ord  []int32 // internal doc number -> position in flat, -1 for none
	// local maps internal doc numbers to positions in the segment's own
	// documents, as its order file records (see orderFile); kept only when
	// it was read from bleve, for a new build to record.
	local []int32
	// ordered reports that local came from the order file.
	ordered bool
	// texts is the segment's texts file; nil for a build holding its
	// texts in its manifest.
	texts *textsReader
	lock  *dirLock
}

// segmentSpec is what loadBuild opens as a segment: the bleve index under
// dir, indexing docs' passages in order; passages of documents keep
// rejects are indexed but no longer served.
type segmentSpec struct {
	dir  string
	docs []briefbot.Document
	keep func(docID string) bool
	// all marks the segment of a full build: its docs are the build's.
	all bool
	// sums records the texts of docs' passages, in order, in the texts
	// file in dir; nil when the passages hold their texts.
	sums []textSum
}

// loadBuild opens the build in dir; the caller takes care of its lock (the
// lock of an incremental build's base is taken here).
func loadBuild(dir string, opts Options) (_ *Index, err error) {
	man, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	ix := &Index{
		dir:    dir,
		opts:   opts,
		docs:   man.Documents,
		format: man.Format, stamp: man.Stamp, failed: man.Failed,
		deletedDF: map[string]map[string]uint64{fieldBody: {}, fieldDocTitle: {}},
	}
	defer func() {
		if err != nil {
			ix.closeSegments()
		}
	}()
	ix.flat = man.flat
	if ix.flat == nil {
		ix.flat = flattenDocs(man.Documents)
	}
	if man.TextSums != nil {
		ix.textAt = make([]textRef, len(ix.flat))
	}
	specs, err := segmentSpecs(dir, man)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	lengths := make([]uint32, len(ix.flat))
	served := 0
	for _, sp := range specs {
		k, err := ix.loadSegment(sp, lengths)
		if err != nil {
			return nil, fmt.Errorf("open index %s: %w", sp.dir, err)
		}
		served += k
	}
	if served != len(ix.flat) {
		return nil, fmt.Errorf("open index %s: index holds %d passages, manifest %d", dir, served, len(ix.flat))
	}
	ix.setLengths(lengths)
	if der := man.Derived; der != nil {
		if len(der.Roles) != len(ix.flat) {
			return nil, fmt.Errorf("open index %s: manifest holds %d roles for %d passages", dir, len(der.Roles), len(ix.flat))
		}
		ix.roles, ix.aboutDF, ix.acronymTable, ix.namesTable = der.Roles, der.AboutDF, der.Acronyms, der.Names
	} else {
		ix.classifyRoles()
	}
	// The version reflects the options this index answers with, which may
	// differ from those it was built with; a build from an older mapping
	// gets a version no current corpus has, so EnsureCurrent rebuilds it.
	ix.info = man.Info
	ix.info.Version = version(man.CorpusHash, man.Mapping, opts)
	ix.postCache.budget = opts.PostingsCache
	ix.related.Max, ix.spans.Max = maxCachedRelated, maxCachedSpans
	size := len(ix.flat)
	ix.accPool.New = func() any { return newAccumulator(size) }
	ix.minPrune = minPrunePostings
	ix.setChunkBits(chunkBits)
	if len(specs) == 1 && specs[0].all {
		// A file that does not open costs speed, not answers: bleve's
		// postings serve.
		if ix.posts, err = openPostings(dir, len(ix.flat), opts.K1, opts.B); err != nil {
			slog.Warn("index postings file unusable; reading postings from the index", "dir", dir, "error", err)
		}
	}
	return ix, nil
}

// segmentSpecs lists the segments of the build in dir: its own index for
// a full build; for an incremental one, its base's index serving the
// documents that did not change since, then its own.
func segmentSpecs(dir string, man manifest) ([]segmentSpec, error) {
	all := func(string) bool { return true }
	if man.TextSums != nil && len(man.TextSums) != len(man.flat) {
		return nil, fmt.Errorf("manifest records %d texts for %d passages", len(man.TextSums), len(man.flat))
	}
	if man.Base == "" {
		return []segmentSpec{{dir: dir, docs: man.Documents, keep: all, all: true, sums: man.TextSums}}, nil
	}
	baseDir := filepath.Join(filepath.Dir(dir), man.Base)
	base, err := readManifest(baseDir)
	if err != nil {
		return nil, fmt.Errorf("base build: %w", err)
	}
	if base.Base != "" || base.Mapping != man.Mapping || base.Format != man.Format {
		return nil, fmt.Errorf("base build %s is not a full build of mapping %s, format %d", man.Base, man.Mapping, man.Format)
	}
	if base.TextSums != nil && len(base.TextSums) != len(base.flat) {
		return nil, fmt.Errorf("base build %s records %d texts for %d passages", man.Base, len(base.TextSums), len(base.flat))
	}
	inDelta := make(map[string]bool, len(man.Delta))
	for _, id := range man.Delta {
		inDelta[id] = true
	}
	served := make(map[string]bool, len(man.Documents))
	var delta []briefbot.Document
	var deltaSums []textSum
	pos := 0
	for _, d := range man.Documents {
		served[d.ID] = true
		if inDelta[d.ID] {
			delta = append(delta, d)
			if man.TextSums != nil {
				deltaSums = append(deltaSums, man.TextSums[pos:pos+len(d.Passages)]...)
			}
		}
		pos += len(d.Passages)
	}
	if man.TextSums != nil && deltaSums == nil {
		deltaSums = []textSum{}
	}
	return []segmentSpec{
		{dir: baseDir, docs: base.Documents, keep: func(id string) bool { return served[id] && !inDelta[id] }, sums: base.TextSums},
		{dir: dir, docs: delta, keep: all, sums: deltaSums},
	}, nil
}

// loadSegment opens a segment, maps its internal document numbers to
// positions in flat (so that a search never looks up external IDs; the
// numbers are stable because the index is opened read-only and no merge
// can renumber documents), fills in the lengths of the passages it
// serves, and counts the terms of those it no longer serves. It returns
// how many passages it serves.
//
// The map comes from the segment's order file when it has one that agrees
// with bleve (see orderFile), else from bleve's external IDs.
func (ix *Index) loadSegment(sp segmentSpec, lengths []uint32) (int, error) {
	seg := segment{dir: sp.dir}
	if sp.dir != ix.dir {
		lock, err := lockShared(filepath.Join(sp.dir, lockFile))
		if err != nil {
			return 0, err
		}
		seg.lock = lock
	}
	bidx, err := bleve.OpenUsing(filepath.Join(sp.dir, indexSubdir), map[string]interface{}{
		"read_only":    true,
		"bolt_timeout": ix.opts.BoltTimeout.String(),
	})
	if err != nil {
		seg.lock.unlock()
		return 0, err
	}
	seg.bidx = bidx
	// Registered before anything else can fail, so that closeSegments
	// releases it.
	ix.segs = append(ix.segs, seg)
	s := &ix.segs[len(ix.segs)-1]
	if s.adv, err = bidx.Advanced(); err != nil {
		return 0, err
	}
	if ix.an == nil {
		if ix.an = bidx.Mapping().AnalyzerNamed(analyzerName); ix.an == nil {
			return 0, fmt.Errorf("analyzer %q missing", analyzerName)
		}
	}
	segFlat := ix.flat
	if !sp.all {
		segFlat = flattenDocs(sp.docs)
	}
	r, err := s.adv.Reader()
	if err != nil {
		return 0, fmt.Errorf("reader: %w", err)
	}
	defer r.Close()
	n, err := r.DocCount()
	if err != nil {
		return 0, fmt.Errorf("doc count: %w", err)
	}
	if int(n) != len(segFlat) {
		return 0, fmt.Errorf("index holds %d passages, manifest %d", n, len(segFlat))
	}
	raw, err := r.GetInternal([]byte(lengthsKey))
	if err != nil {
		return 0, fmt.Errorf("read lengths: %w", err)
	}
	segLengths, err := decodeLengths(raw, int(n))
	if err != nil {
		return 0, err
	}
	local, err := readOrder(sp.dir, len(segFlat))
	s.ordered = err == nil && orderAgrees(r, local, segFlat)
	if !s.ordered {
		if err != nil {
			slog.Warn("index order file unusable; reading the order from the index", "dir", sp.dir, "error", err)
		}
		if local, err = deriveOrder(r, segFlat); err != nil {
			return 0, err
		}
	}
	if !s.ordered {
		s.local = local // for writeBuild, which records it
	}
	var offs []int64
	if sp.sums != nil {
		if len(sp.sums) != len(segFlat) {
			return 0, fmt.Errorf("manifest records %d texts for %d passages", len(sp.sums), len(segFlat))
		}
		if s.texts, offs, err = openTexts(sp.dir, sp.sums); err != nil {
			return 0, err
		}
	}
	segIdx := int32(len(ix.segs) - 1)
	var byID map[string]int
	if !sp.all {
		byID = ix.positions()
	}
	s.ord = make([]int32, len(local))
	served := 0
	for num, sp0 := range local {
		s.ord[num] = -1
		if sp0 < 0 {
			continue
		}
		p := segFlat[sp0]
		var ref textRef
		if offs != nil {
			ref = textRef{off: offs[sp0], sum: sp.sums[sp0], seg: segIdx}
		}
		if !sp.keep(p.DocID) {
			if offs != nil {
				if p.Text, err = readText(s.texts, ref); err != nil {
					return 0, err
				}
			}
			ix.countDeleted(p)
			continue
		}
		pos := int(sp0)
		if !sp.all {
			var ok bool
			if pos, ok = byID[p.ID]; !ok || ix.flat[pos].DocID != p.DocID {
				return 0, fmt.Errorf("passage %q of document %q is indexed but not served", p.ID, p.DocID)
			}
		}
		s.ord[num] = int32(pos)
		lengths[pos] = segLengths[sp0]
		if offs != nil {
			ix.textAt[pos] = ref
		}
		served++
	}
	return served, nil
}

// orderAgrees reports whether local, a segment's order file read for the
// passages segFlat, covers each passage once and agrees with bleve's
// external IDs at orderChecks numbers spread over it. A nil local agrees
// with nothing.
func orderAgrees(r bindex.IndexReader, local []int32, segFlat []briefbot.Passage) bool {
	if local == nil {
		return false
	}
	seen := make([]bool, len(segFlat))
	count := 0
	for _, sp0 := range local {
		if sp0 < 0 {
			continue
		}
		if seen[sp0] {
			return false
		}
		seen[sp0] = true
		count++
	}
	if count != len(segFlat) {
		return false
	}
	if len(local) == 0 {
		return true
	}
	var id bindex.IndexInternalID
	for k := range orderChecks {
		num := k * (len(local) - 1) / max(orderChecks-1, 1)
		for num < len(local) && local[num] < 0 {
			num++
		}
		if num == len(local) {
			continue
		}
		id = bindex.NewIndexInternalID(id[:0], uint64(num))
		ext, err := r.ExternalID(id)
		if err != nil || ext != segFlat[local[num]].ID {
			return false
		}
	}
	return true
}

// deriveOrder maps a segment's internal document numbers to positions in
// segFlat, the passages it indexes, by their external IDs.
func deriveOrder(r bindex.IndexReader, segFlat []briefbot.Passage) ([]int32, error) {
	segByID := make(map[string]int, len(segFlat))
	for i, p := range segFlat {
		segByID[p.ID] = i
	}
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return nil, fmt.Errorf("doc ids: %w", err)
	}
	defer ids.Close()
	var local []int32
	for {
		id, err := ids.Next()
		if err != nil {
			return nil, fmt.Errorf("doc ids: %w", err)
		}
		if id == nil {
			break
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			return nil, fmt.Errorf("external id: %w", err)
		}
		sp0, ok := segByID[ext]
		if !ok {
			return nil, fmt.Errorf("passage %q of document %q is indexed but not in the manifest", ext, storedDocID(r, ext))
		}
		num := id.Value()
		if num > math.MaxInt32 {
			return nil, fmt.Errorf("internal id %d out of range", num)
		}
		for uint64(len(local)) <= num {
			local = append(local, -1)
		}
		local[num] = int32(sp0)
	}
	return local, nil
}

// countDeleted adds the terms of a passage indexed but no longer served to
// deletedDF, field by field as passageDocument indexes them.
func (ix *Index) countDeleted(p briefbot.Passage) {
	count := func(field, text string) {
		seen := map[string]bool{}
		for _, t := range ix.Analyze(text) {
			if !seen[t] {
				seen[t] = true
				ix.deletedDF[field][t]++
			}
		}
	}
	count(fieldBody, bodyText(p))
	if titleApart(p) {
		count(fieldDocTitle, p.Title)
	}
}

// setLengths derives N, the mean length and each passage's length part of
// BM25's denominator, which depends on the passage alone.
func (ix *Index) setLengths(lengths []uint32) {
	var total float64
	for _, l := range lengths {
		total += float64(l)
	}
	ix.n = float64(len(lengths))
	if len(lengths) > 0 {
		ix.avgdl = total / ix.n
	}
	ix.lengthNorm = make([]float64, len(lengths))
	for i, l := range lengths {
		ix.lengthNorm[i] = ix.opts.K1 * (1 - ix.opts.B + ix.opts.B*float64(l)/ix.avgdl)
	}
}

// flattenDocs lists docs' passages in order.
func flattenDocs(docs []briefbot.Document) []briefbot.Passage {
	n := 0
	for _, d := range docs {
		n += len(d.Passages)
	}
	flat := make([]briefbot.Passage, 0, n)
	for _, d := range docs {
		flat = append(flat, d.Passages...)
	}
	return flat
}

// positions maps each passage ID to its position in flat, built at the
// first call: opening an index whose order files agree needs no map.
func (ix *Index) positions() map[string]int {
	ix.byIDOnce.Do(func() {
		ix.byID = make(map[string]int, len(ix.flat))
		for i, p := range ix.flat {
			ix.byID[p.ID] = i
		}
	})
	return ix.byID
}

// storedDocID is the document ID stored with an indexed passage, for
// error messages; empty when it cannot be read.
func storedDocID(r bindex.IndexReader, id string) string {
	doc, err := r.Document(id)
	if err != nil || doc == nil {
		return ""
	}
	var docID string
	doc.VisitFields(func(f bindex.Field) {
		if f.Name() == fieldDocID {
			docID = string(f.Value())
		}
	})
	return docID
}

// Info describes the opened build.
func (ix *Index) Info() briefbot.IndexInfo { return ix.info }

// Stamp is the fingerprint its builder recorded (BuildOptions.Stamp).
func (ix *Index) Stamp() string { return ix.stamp }

// Failed lists the sources its builder could not read
// (BuildOptions.Failed).
func (ix *Index) Failed() []briefbot.Failure { return ix.failed }

// Dir is the build directory the index was opened from.
func (ix *Index) Dir() string { return ix.dir }

// Documents returns the indexed documents with their passages, as recorded
// in the manifest. The slice is shared: do not modify it. The passages'
// Text is empty when the build keeps texts apart (see textsFile): Passage
// and FullDocuments read texts.
func (ix *Index) Documents() []briefbot.Document { return ix.docs }

// FullDocuments returns the indexed documents with their passages' texts,
// read from disk when the build keeps them apart.
func (ix *Index) FullDocuments() ([]briefbot.Document, error) {
	if ix.textAt == nil {
		return ix.docs, nil
	}
	docs := slices.Clone(ix.docs)
	pos := 0
	for i := range docs {
		ps := slices.Clone(docs[i].Passages)
		for j := range ps {
			p, err := ix.passageAt(pos)
			if err != nil {
				return nil, fmt.Errorf("index %s: %w", ix.dir, err)
			}
			ps[j] = p
			pos++
		}
		docs[i].Passages = ps
	}
	return docs, nil
}

// passageAt is the passage at pos in flat, with its text.
func (ix *Index) passageAt(pos int) (briefbot.Passage, error) {
	p := ix.flat[pos]
	if ix.textAt == nil {
		return p, nil
	}
	ix.mapMu.RLock()
	defer ix.mapMu.RUnlock()
	if ix.closed.Load() {
		return briefbot.Passage{}, ErrClosed
	}
	ref := ix.textAt[pos]
	text, err := readText(ix.segs[ref.seg].texts, ref)
	if err != nil {
		return briefbot.Passage{}, fmt.Errorf("passage %s: %w", p.ID, err)
	}
	p.Text = text
	return p, nil
}

// Passage returns the indexed passage with the given ID.
func (ix *Index) Passage(id string) (briefbot.Passage, bool) {
	i, ok := ix.positions()[id]
	if !ok {
		return briefbot.Passage{}, false
	}
	p, err := ix.passageAt(i)
	if err != nil {
		slog.Warn("passage text unreadable", "dir", ix.dir, "error", err)
		return briefbot.Passage{}, false
	}
	return p, true
}

// Close releases the index. Searches after Close fail with ErrClosed.
func (ix *Index) Close() error {
	if ix.closed.Swap(true) {
		return nil
	}
	err := ix.closeSegments()
	ix.lock.unlock()
	if err != nil {
		return fmt.Errorf("close index %s: %w", ix.dir, err)
	}
	return nil
}

// closeSegments closes the segments' bleve indexes and releases the locks
// loadSegment took.
func (ix *Index) closeSegments() error {
	ix.mapMu.Lock()
	defer ix.mapMu.Unlock()
	var errs []error
	if ix.posts != nil {
		errs = append(errs, ix.posts.close())
		ix.posts = nil
	}
	for _, s := range ix.segs {
		errs = append(errs, s.bidx.Close())
		if s.texts != nil {
			errs = append(errs, s.texts.close())
		}
		s.lock.unlock()
	}
	ix.segs = nil
	return errors.Join(errs...)
}

// readers opens a reader of every segment, in order, and returns a
// function closing them.
func (ix *Index) readers() ([]bindex.IndexReader, func(), error) {
	rs := make([]bindex.IndexReader, 0, len(ix.segs))
	closeAll := func() {
		for _, r := range rs {
			_ = r.Close()
		}
	}
	for _, s := range ix.segs {
		r, err := s.adv.Reader()
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("reader: %w", err)
		}
		rs = append(rs, r)
	}
	return rs, closeAll, nil
}

// postings opens the postings of term in field in every segment (rs, from
// readers) and returns them with the term's document frequency among the
// served passages: the segments' counts less the passages no longer
// served (see deletedDF).
func (ix *Index) postings(ctx context.Context, rs []bindex.IndexReader, field, term string, freq bool) ([]bindex.TermFieldReader, uint64, error) {
	tfrs := make([]bindex.TermFieldReader, 0, len(rs))
	var df uint64
	for _, r := range rs {
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, freq, false, false)
		if err != nil {
			closePostings(tfrs)
			return nil, 0, err
		}
		tfrs = append(tfrs, tfr)
		df += tfr.Count()
	}
	if del := ix.deletedDF[field][term]; del <= df {
		df -= del
	} else {
		closePostings(tfrs)
		return nil, 0, fmt.Errorf("%d passages no longer served hold %q in %s, more than the %d indexed", del, term, field, df)
	}
	return tfrs, df, nil
}

func closePostings(tfrs []bindex.TermFieldReader) {
	for _, t := range tfrs {
		_ = t.Close()
	}
}

// Analyze returns the analyzed terms of text in order of appearance,
// repeats included: the same terms the index holds for passages.
func (ix *Index) Analyze(text string) []string {
	return analyzeWith(ix.an, text)
}

func analyzeWith(an analysis.Analyzer, text string) []string {
	toks := an.Analyze([]byte(text))
	terms := make([]string, len(toks))
	for i, t := range toks {
		terms[i] = string(t.Term)
	}
	return terms
}

// IDF is the BM25 inverse document frequency of an analyzed term,
// ln(1 + (N - df + 0.5)/(df + 0.5)); a term absent from the index gets the
// highest value.
func (ix *Index) IDF(term string) float64 {
	df, err := ix.docFreq(term)
	if err != nil {
		// A closed or broken index knows nothing: treat as absent.
		df = 0
	}
	return idf(ix.n, float64(df))
}

func idf(n, df float64) float64 {
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

func (ix *Index) docFreq(term string) (uint64, error) {
	if v, ok := ix.dfCache.Load(term); ok {
		return v.(uint64), nil
	}
	if ix.closed.Load() {
		return 0, ErrClosed
	}
	rs, closeReaders, err := ix.readers()
	if err != nil {
		return 0, err
	}
	defer closeReaders()
	tfrs, df, err := ix.postings(context.Background(), rs, fieldBody, term, false)
	if err != nil {
		return 0, fmt.Errorf("postings of %q: %w", term, err)
	}
	closePostings(tfrs)
	ix.dfCache.Store(term, df)
	return df, nil
}

// queryTerm is one distinct analyzed query term, or a term related to one
// (a synonym, the country of a capital) that the query did not use.
type queryTerm struct {
	term string
	qtf  int // occurrences in the query
	idf  float64
	// weight scales the term's contribution: 1 for the query's own terms,
	// less for related terms.
	weight float64
	// rel is how closely a related term stands for its group's term, in
	// (0, 1]; 1 for the query's own terms, and halved for relatives of a
	// word the corpus uses (see expand), whose passages lack the word.
	rel float64
	// group is the index of the query's own term that a related term
	// stands for (its own index for the query's terms), or -1.
	group int
	// alias marks a full form of an acronym the question writes in
	// capitals ("EU" -> "European Union"): the same name, so a passage
	// holding it holds the question's own word (see expand).
	alias bool
	// part is 0 for the terms of the question and i for those of the
	// i-th earlier question of its context (see SearchInContext); pw is
	// that part's weight, 1 for the question, by which coverage counts
	// the term's group.
	part int
	pw   float64
}

// phrasing holds the analyzed forms of words that shape a question rather
// than name its subject ("according to the authors", "what happened",
// "in what way", "did they manage"): matching them finds passages that
// phrase things alike, not passages that answer.
var phrasing = map[string]bool{
	"accord": true, "author": true, "happen": true, "kind": true, "wai": true, "sai": true,
	"describ": true, "explain": true, "mention": true, "tell": true, "pleas": true,
	"exactli": true, "mean": true, "might": true, "would": true, "could": true, "manag": true,
	// Question frames: "what is X's role", "what does X want", "why does X
	// matter", "what does the brief say about X".
	"role": true, "want": true, "matter": true, "brief": true,
}

// analyzeQuery returns the distinct analyzed terms of q in order of first
// appearance, with their query frequencies; question-phrasing words are
// left out unless they are all the question has.
//
// With strict (a follow-up and its context, see SearchInContext), the words
// that only carry a conversation on are left out too, and a question of
// phrasing words only has no terms: its subject is in the context.
func (ix *Index) analyzeQuery(q string, strict bool) []queryTerm {
	all := ix.Analyze(q)
	terms := slices.DeleteFunc(slices.Clone(all), func(t string) bool { return phrasing[t] || (strict && carryOn[t]) })
	if len(terms) == 0 && !strict {
		terms = all // a question of phrasing words only still asks for them
	}
	var out []queryTerm
	for _, t := range terms {
		if i := slices.IndexFunc(out, func(qt queryTerm) bool { return qt.term == t }); i >= 0 {
			out[i].qtf++
			continue
		}
		out = append(out, queryTerm{term: t, qtf: 1, weight: 1, rel: 1, group: len(out), pw: 1})
	}
	return out
}
