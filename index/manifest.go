package index

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unsafe"

	"github.com/briefbot/briefbot"
)

// The manifest of a build is binary (manifestFile, format 3): decoding it
// is a walk over lengths whose strings share the one buffer read from
// disk, where decoding the JSON manifest of format 1 (legacyManifestFile,
// a second copy of every passage's text) was most of the time of a CLI
// call. It keeps what a build derives from its passages (their roles, the
// acronyms the corpus spells out, the words it writes as names) so that no
// open and no question pays for deriving it again, and records each
// passage's text, which the texts file holds (see textsFile). Format 2 held
// the texts in the manifest.
//
// A binary build also holds a legacyManifestFile saying only {"format":
// N}: a briefbot that reads format 1 only then takes the build for one of
// another version and rebuilds, rather than for a corrupt one. Builds of
// formats 1 and 2 still open (deriving at open what they lack), are
// rewritten in format 2 by SetStamp, and are rebuilt by EnsureCurrent.
//
// Layout: manifestMagic, then uvarints, zigzag varints for ints, strings
// as a uvarint length and the bytes, lists as a uvarint count+1 (0 for a
// nil list), times as a uvarint length and time.MarshalBinary (length 0 for
// the zero time); last, the CRC-32C of everything before it, 4 bytes
// little-endian.
const (
	manifestFile       = "manifest.bin"
	legacyManifestFile = "manifest.json"
	legacyFormat       = 1
	manifestMagic      = "briefbot manifest\x00"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

type manifest struct {
	Format     int                 `json:"format"`
	Mapping    string              `json:"mapping"`
	CorpusHash string              `json:"corpus_hash"`
	Info       briefbot.IndexInfo  `json:"info"`
	Documents  []briefbot.Document `json:"documents"`
	Stamp      string              `json:"stamp,omitempty"`
	Failed     []briefbot.Failure  `json:"failed,omitempty"`
	// Base names the full build an incremental one (see Update) serves
	// the unchanged documents from; Delta lists the IDs of the documents
	// its own bleve index holds. Both are empty for a full build, whose
	// index holds every document.
	Base  string   `json:"base,omitempty"`
	Delta []string `json:"delta,omitempty"`
	// Derived is what the build derived from its passages; nil for a
	// manifest of format 1, which lacks it.
	Derived *derived `json:"-"`
	// TextSums records each passage's text, in the order of flat, for a
	// build keeping its texts apart (format 3, see textsFile); nil when
	// the passages hold their texts (formats 1 and 2).
	TextSums []textSum `json:"-"`
	// DocHashes is docHash of each document, for Update to tell which
	// documents a build holds as they are without their texts; nil for
	// formats 1 and 2.
	DocHashes [][sha256.Size]byte `json:"-"`
	// flat is every document's passages in order, decoded into one array
	// the documents' Passages share; nil for a manifest of format 1.
	flat []briefbot.Passage
}

// derived is what a build derives from its passages, in manifest order.
type derived struct {
	Roles   []role            // see classifyRoles
	AboutDF map[string]uint64 // see classifyRoles
	// Acronyms is the encoded table of corpusAcronyms, decoded by the
	// first question that needs it (see decodeAcronyms).
	Acronyms string
	// Names is the encoded list of the words the corpus writes as names
	// (see IsName), decoded by the first question that needs it; empty
	// for formats 1 and 2, whose open learns them from the texts.
	Names string
}

// deriver derives what a build keeps of its passages one passage at a
// time, in manifest order, so that a streamed build need not hold them
// all (see BuildFrom).
type deriver struct {
	analyze  func(string) []string
	roles    []role
	aboutDF  map[string]uint64
	acronyms map[string]string
	names    map[string]caseCount
}

func newDeriver(analyze func(string) []string) *deriver {
	return &deriver{analyze: analyze, aboutDF: map[string]uint64{}, acronyms: map[string]string{}, names: map[string]caseCount{}}
}

// add takes the next passage, with its text.
func (dv *deriver) add(p briefbot.Passage) {
	dv.roles = append(dv.roles, classifyOne(p, dv.analyze, dv.aboutDF))
	addAcronyms(dv.acronyms, p.Text)
	countNames(dv.names, p.Text)
}

func (dv *deriver) result() *derived {
	return &derived{Roles: dv.roles, AboutDF: dv.aboutDF, Acronyms: encodeAcronyms(dv.acronyms), Names: encodeNames(dv.names)}
}

// encodeAcronyms encodes an acronym table, keys sorted.
func encodeAcronyms(m map[string]string) string {
	var e encoder
	e.count(len(m), false)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		e.str(k)
		e.str(m[k])
	}
	return string(e.b)
}

// decodeAcronyms decodes what encodeAcronyms encoded.
func decodeAcronyms(s string) (map[string]string, error) {
	d := decoder{s: s}
	n, _ := d.count(2)
	m := make(map[string]string, n)
	for range n {
		k := d.str()
		m[k] = d.str()
	}
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("acronyms: %w", err)
	}
	return m, nil
}

// writeManifest writes man into the build directory dir, in format 3 when
// it records texts apart and else in format 2, replacing any manifest there
// by renames: the binary one first, then the stub for older readers.
func writeManifest(dir string, man manifest) error {
	man.Format = inlineTextsFormat
	if man.TextSums != nil {
		man.Format = manifestFormat
	}
	if err := replaceFile(dir, manifestFile, encodeManifest(man)); err != nil {
		return err
	}
	stub, _ := json.Marshal(map[string]any{"format": man.Format, "manifest": manifestFile})
	return replaceFile(dir, legacyManifestFile, append(stub, '\n'))
}

// replaceFile writes data to dir/name through a synced temporary file
// renamed over it, so that a reader sees the old file or the new one.
func replaceFile(dir, name string, data []byte) error {
	return replaceFileWith(dir, name, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// replaceFileWith is replaceFile for content that write streams.
func replaceFileWith(dir, name string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	werr := f.Chmod(0o644)
	if werr == nil {
		werr = write(f)
	}
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, filepath.Join(dir, name))
	}
	if werr != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), werr)
	}
	return nil
}

// readManifest reads the manifest of the build in dir, binary or, for a
// build of format 1, JSON.
func readManifest(dir string) (manifest, error) {
	path := filepath.Join(dir, manifestFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return readLegacyManifest(dir)
	}
	if err != nil {
		return manifest{}, fmt.Errorf("read manifest: %w", err)
	}
	if len(raw) == 0 {
		return manifest{}, fmt.Errorf("read manifest %s: empty", path)
	}
	// The buffer is ours alone and never written again: its strings are
	// shared, not copied.
	man, err := decodeManifest(unsafe.String(unsafe.SliceData(raw), len(raw)))
	if err != nil {
		return manifest{}, fmt.Errorf("read manifest %s: %w", path, err)
	}
	return man, nil
}

// readLegacyManifest reads a JSON manifest: all of one of format 1, the
// stub of one of format 2 whose binary manifest is missing.
func readLegacyManifest(dir string) (manifest, error) {
	var man manifest
	path := filepath.Join(dir, legacyManifestFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return man, fmt.Errorf("read manifest: %w", err)
	}
	if err := json.Unmarshal(raw, &man); err != nil {
		return man, fmt.Errorf("read manifest %s: %w", path, err)
	}
	switch man.Format {
	case legacyFormat:
		return man, nil
	case inlineTextsFormat, manifestFormat:
		return man, fmt.Errorf("read manifest %s: format %d but %s is missing", path, man.Format, manifestFile)
	}
	return man, fmt.Errorf("read manifest %s: %w %d, want %d", path, errManifestFormat, man.Format, manifestFormat)
}

func encodeManifest(man manifest) []byte {
	e := encoder{b: make([]byte, 0, 1<<16)}
	e.b = append(e.b, manifestMagic...)
	e.uint(uint64(man.Format))
	e.str(man.Mapping)
	e.str(man.CorpusHash)
	e.str(man.Info.Version)
	e.time(man.Info.BuiltAt)
	e.int(man.Info.Documents)
	e.int(man.Info.Passages)
	e.str(man.Stamp)
	e.count(len(man.Failed), man.Failed == nil)
	for _, f := range man.Failed {
		e.str(f.Source)
		e.str(f.Reason)
	}
	e.str(man.Base)
	e.strs(man.Delta)
	e.count(len(man.Documents), man.Documents == nil)
	var sums []textSum
	if man.Format == manifestFormat {
		sums = man.TextSums
	}
	for _, d := range man.Documents {
		sums = e.document(d, man.Format, sums)
	}
	if man.Format == manifestFormat {
		e.count(len(man.DocHashes), man.DocHashes == nil)
		for _, h := range man.DocHashes {
			e.b = append(e.b, h[:]...)
		}
	}
	if man.Derived == nil {
		e.uint(0)
	} else {
		e.uint(1)
		e.count(len(man.Derived.Roles), false)
		for _, r := range man.Derived.Roles {
			e.b = append(e.b, byte(r))
		}
		e.count(len(man.Derived.AboutDF), false)
		for _, k := range slices.Sorted(maps.Keys(man.Derived.AboutDF)) {
			e.str(k)
			e.uint(man.Derived.AboutDF[k])
		}
		e.str(man.Derived.Acronyms)
		if man.Format == manifestFormat {
			e.str(man.Derived.Names)
		}
	}
	return binary.LittleEndian.AppendUint32(e.b, crc32.Checksum(e.b, crcTable))
}

// decodeManifest decodes what encodeManifest encoded. Its strings share
// s. It never allocates more than len(s) justifies: every count is
// checked against the bytes left before anything is allocated for it.
func decodeManifest(s string) (manifest, error) {
	if len(s) < len(manifestMagic)+4 || s[:len(manifestMagic)] != manifestMagic {
		return manifest{}, errors.New("not a briefbot manifest")
	}
	body, sum := s[:len(s)-4], s[len(s)-4:]
	if crc32.Update(0, crcTable, unsafe.Slice(unsafe.StringData(body), len(body))) != binary.LittleEndian.Uint32([]byte(sum)) {
		return manifest{}, errors.New("checksum mismatch (damaged)")
	}
	return decodeManifestBody(body[len(manifestMagic):])
}

// decodeManifestBody decodes a manifest after its magic and before its
// checksum.
func decodeManifestBody(s string) (manifest, error) {
	d := decoder{s: s}
	var man manifest
	format := d.uint()
	if d.err == nil && format != manifestFormat && format != inlineTextsFormat {
		return manifest{}, fmt.Errorf("%w %d, want %d", errManifestFormat, format, manifestFormat)
	}
	apart := format == manifestFormat
	man.Format = int(format)
	man.Mapping = d.str()
	man.CorpusHash = d.str()
	man.Info.Version = d.str()
	man.Info.BuiltAt = d.time()
	man.Info.Documents = d.int()
	man.Info.Passages = d.int()
	man.Stamp = d.str()
	if n, isNil := d.count(2); !isNil {
		man.Failed = make([]briefbot.Failure, n)
		for i := range man.Failed {
			man.Failed[i] = briefbot.Failure{Source: d.str(), Reason: d.str()}
		}
	}
	man.Base = d.str()
	man.Delta = d.strs()
	if n, isNil := d.count(minDocument); !isNil {
		man.Documents = make([]briefbot.Document, n)
		// The stated count of passages only sizes the array, within
		// what the bytes left can hold: a wrong one costs a copy.
		man.flat = make([]briefbot.Passage, 0, min(max(man.Info.Passages, 0), len(d.s)/minPassage))
		if apart {
			man.TextSums = make([]textSum, 0, cap(man.flat))
		}
		for i := range man.Documents {
			man.Documents[i], man.flat, man.TextSums = d.document(man.flat, apart, man.TextSums)
		}
	}
	if apart {
		if n, isNil := d.count(sha256.Size); !isNil {
			man.DocHashes = make([][sha256.Size]byte, n)
			for i := range man.DocHashes {
				copy(man.DocHashes[i][:], d.take(sha256.Size))
			}
		}
	}
	if d.uint() == 1 {
		der := &derived{}
		n, _ := d.count(1)
		if raw := d.take(n); d.err == nil {
			der.Roles = make([]role, n)
			for i := range n {
				if der.Roles[i] = role(raw[i]); der.Roles[i] > roleAdvice {
					d.fail("role %d out of range", raw[i])
				}
			}
		}
		n, _ = d.count(2)
		der.AboutDF = make(map[string]uint64, n)
		for range n {
			k := d.str()
			der.AboutDF[k] = d.uint()
		}
		der.Acronyms = d.str()
		if apart {
			der.Names = d.str()
		}
		man.Derived = der
	}
	if err := d.end(); err != nil {
		return manifest{}, err
	}
	return man, nil
}

// The fewest bytes an encoded document and passage take: one per field.
const (
	minDocument = 9
	minPassage  = 10
)

type encoder struct{ b []byte }

func (e *encoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) int(v int)     { e.b = binary.AppendVarint(e.b, int64(v)) }
func (e *encoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// count writes a list's length, 0 standing for a nil list.
func (e *encoder) count(n int, isNil bool) {
	if isNil {
		e.uint(0)
		return
	}
	e.uint(uint64(n) + 1)
}

func (e *encoder) strs(ss []string) {
	e.count(len(ss), ss == nil)
	for _, s := range ss {
		e.str(s)
	}
}

// ref writes s, or an empty string standing for ref when s is ref: most
// passages repeat their document's ID, title and URL.
func (e *encoder) ref(s, ref string) {
	if s == ref {
		e.uint(0)
		return
	}
	e.uint(uint64(len(s)) + 1)
	e.b = append(e.b, s...)
}

func (e *encoder) time(t time.Time) {
	if t.IsZero() && t.Location() == time.UTC {
		e.uint(0)
		return
	}
	raw, err := t.MarshalBinary()
	if err != nil {
		// An offset that is not a whole minute: keep the instant.
		raw, _ = t.UTC().MarshalBinary()
	}
	e.str(string(raw))
}

func (e *encoder) links(ls []briefbot.Link) {
	e.count(len(ls), ls == nil)
	for _, l := range ls {
		e.str(l.Text)
		e.str(l.URL)
	}
}

// document encodes d; in format 3 its passages' texts are recorded by the
// first of sums, and it returns the rest.
func (e *encoder) document(d briefbot.Document, format int, sums []textSum) []textSum {
	e.str(d.ID)
	e.str(d.Title)
	e.strs(d.Authors)
	e.time(d.Published)
	e.str(d.URL)
	e.str(d.Source)
	e.links(d.Translations)
	e.strs(d.Sections)
	e.count(len(d.Passages), d.Passages == nil)
	section := d.Title
	for _, p := range d.Passages {
		e.ref(p.ID, "")
		e.ref(p.DocID, d.ID)
		e.ref(p.Title, d.Title)
		if format == manifestFormat {
			// Passages mostly repeat the section before them, and a
			// document without headings names its one after its title.
			e.ref(p.Section, section)
			section = p.Section
		} else {
			e.str(p.Section)
		}
		e.int(p.Ordinal)
		e.int(p.Paragraph)
		e.int(p.Page)
		if format == manifestFormat {
			var s textSum
			if len(sums) > 0 {
				s, sums = sums[0], sums[1:]
			}
			e.uint(uint64(s.Len))
			e.b = binary.LittleEndian.AppendUint32(e.b, s.CRC)
		} else {
			e.str(p.Text)
		}
		e.ref(p.URL, d.URL)
		e.links(p.Links)
	}
	return sums
}

// decoder reads what encoder wrote from s; the first error sticks, and
// every read after it returns zero values.
type decoder struct {
	s   string
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) end() error {
	if d.err == nil && len(d.s) > 0 {
		d.fail("%d bytes after the end", len(d.s))
	}
	return d.err
}

func (d *decoder) uint() uint64 {
	if d.err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < len(d.s) && i < binary.MaxVarintLen64; i++ {
		b := d.s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				break
			}
			d.s = d.s[i+1:]
			return v | uint64(b)<<(7*i)
		}
		v |= uint64(b&0x7f) << (7 * i)
	}
	d.fail("bad or truncated number")
	return 0
}

func (d *decoder) int() int {
	u := d.uint()
	return int(int64(u>>1) ^ -int64(u&1))
}

// take returns the next n bytes.
func (d *decoder) take(n int) string {
	if d.err != nil {
		return ""
	}
	if n > len(d.s) {
		d.fail("truncated: %d bytes wanted, %d left", n, len(d.s))
		return ""
	}
	v := d.s[:n]
	d.s = d.s[n:]
	return v
}

// size reads a length of bytes that must follow.
func (d *decoder) size() int {
	n := d.uint()
	if d.err == nil && n > uint64(len(d.s)) {
		d.fail("length %d beyond the %d bytes left", n, len(d.s))
		return 0
	}
	return int(n)
}

func (d *decoder) str() string { return d.take(d.size()) }

// count reads a list's length, each element taking at least min bytes of
// what is left; isNil reports a nil list.
func (d *decoder) count(min int) (n int, isNil bool) {
	v := d.uint()
	if d.err != nil || v == 0 {
		return 0, true
	}
	if v-1 > uint64(len(d.s)/min) {
		d.fail("%d elements cannot fit in the %d bytes left", v-1, len(d.s))
		return 0, true
	}
	return int(v - 1), false
}

func (d *decoder) strs() []string {
	n, isNil := d.count(1)
	if isNil {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.str()
	}
	return ss
}

func (d *decoder) ref(ref string) string {
	n := d.uint()
	if d.err != nil || n == 0 {
		return ref
	}
	if n-1 > uint64(len(d.s)) {
		d.fail("length %d beyond the %d bytes left", n-1, len(d.s))
		return ""
	}
	return d.take(int(n - 1))
}

func (d *decoder) time() time.Time {
	raw := d.str()
	var t time.Time
	if d.err != nil || raw == "" {
		return t
	}
	if err := t.UnmarshalBinary([]byte(raw)); err != nil {
		d.fail("time: %w", err)
	}
	return t
}

func (d *decoder) links() []briefbot.Link {
	n, isNil := d.count(2)
	if isNil {
		return nil
	}
	ls := make([]briefbot.Link, n)
	for i := range ls {
		ls[i] = briefbot.Link{Text: d.str(), URL: d.str()}
	}
	return ls
}

// document decodes a document, appending its passages to flat; its
// Passages share flat's array. With apart (format 3) the passages' texts
// are left empty and what the manifest records of them is appended to sums.
func (d *decoder) document(flat []briefbot.Passage, apart bool, sums []textSum) (briefbot.Document, []briefbot.Passage, []textSum) {
	var doc briefbot.Document
	doc.ID = d.str()
	doc.Title = d.str()
	doc.Authors = d.strs()
	doc.Published = d.time()
	doc.URL = d.str()
	doc.Source = d.str()
	doc.Translations = d.links()
	doc.Sections = d.strs()
	if n, isNil := d.count(minPassage); !isNil {
		start := len(flat)
		flat = slices.Grow(flat, n)[:start+n]
		doc.Passages = flat[start : start+n : start+n]
		section := doc.Title
		for i := range doc.Passages {
			p := &doc.Passages[i]
			p.ID = d.ref("")
			p.DocID = d.ref(doc.ID)
			p.Title = d.ref(doc.Title)
			if apart {
				p.Section = d.ref(section)
				section = p.Section
			} else {
				p.Section = d.str()
			}
			p.Ordinal = d.int()
			p.Paragraph = d.int()
			p.Page = d.int()
			if apart {
				n := d.uint()
				if n > maxTextLen {
					d.fail("text of %d bytes", n)
				}
				raw := d.take(4)
				if d.err == nil {
					sums = append(sums, textSum{Len: uint32(n), CRC: binary.LittleEndian.Uint32([]byte(raw))})
				}
			} else {
				p.Text = d.str()
			}
			p.URL = d.ref(doc.URL)
			p.Links = d.links()
		}
	}
	return doc, flat, sums
}
