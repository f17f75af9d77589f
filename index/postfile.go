package index

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"unsafe"

	bindex "github.com/blevesearch/bleve_index_api"
)

// A full build's postings file (postFile, beside its manifest) holds every
// term's postings in both fields as a search scores them: positions in flat,
// ascending, each with the term's frequency, and the list's maxRatio. A
// search maps the file and scores from it in place. Decoding bleve's
// postings, sorting them and finding their bound was three fifths of a
// question's time at a million passages, repeated for every question whose
// lists did not fit the postings cache; from the file a list costs a
// binary search of the terms and nothing per posting until it is scored.
//
// Only a full build serving all of its passages from one segment has one:
// an incremental build (see Update) numbers its passages across two
// segments and keeps reading bleve, as does a build without the file (of
// an older briefbot) or on a system that does not map files.
//
// Layout, little-endian:
//
//	postFileMagic                                   16 bytes
//	lists: per list, df int32 positions, then df float32 frequencies
//	per field (body, then title): its terms, ascending, concatenated
//	per field: one entry of postEntrySize bytes per term, in term order:
//	    end of the term in the field's terms   uint32
//	    df                                     uint32
//	    offset of the list in the file         uint64
//	    maxRatio                               float64 bits
//	trailer, postTrailerSize bytes:
//	    per field: terms offset, terms length, entries offset, term count   4 × uint64
//	    passages, file size, k1 and b (float64 bits) of the bounds         4 × uint64
//	    CRC-32C of the trailer before it                                    uint32, then 4 zero bytes
//
// The lists are not checksummed (that would read the whole file on every
// open); opening checks the trailer, the sizes and the bounds, and a list
// is checked (positions in range and ascending) the first time a search
// uses it, so that a damaged file gives wrong scores at worst, never a
// crash.
const (
	postFile        = "postings.bin"
	postFileMagic   = "briefbot posts1\x00"
	postEntrySize   = 24
	postTrailerSize = 2*4*8 + 4*8 + 8
)

// postFields are the fields a postings file holds, in its order.
var postFields = [2]string{fieldBody, fieldDocTitle}

// mappedPostings is an opened postings file.
type mappedPostings struct {
	data   []byte
	fields [2]postField
	// checked has a bit per list (body's entries, then title's) set once
	// the list was found sound.
	checked []atomic.Uint64
	n       int32 // passages
	// k1 and b are those the lists' bounds were worked out with.
	k1, b float64
}

type postField struct {
	terms   []byte
	entries []byte
	count   int
	first   int // index of the field's first list in checked
}

// littleEndian: the lists are read in place as int32 and float32.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// openPostings maps dir's postings file for a build of n passages, searched
// with k1 and b. It returns nil and no error when there is no file, when
// files are not mapped or not little-endian here, or when its bounds were
// worked out with another k1 or b (options an index may be opened with).
func openPostings(dir string, n int, k1, b float64) (*mappedPostings, error) {
	if !littleEndian {
		return nil, nil
	}
	f, err := os.Open(filepath.Join(dir, postFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", postFile, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", postFile, err)
	}
	if fi.Size() < int64(len(postFileMagic)+postTrailerSize) {
		return nil, fmt.Errorf("%s: %d bytes, too short", postFile, fi.Size())
	}
	data, err := mapFile(f, fi.Size())
	if err != nil {
		return nil, nil // not mapped here: bleve's postings serve
	}
	m, err := parsePostings(data, n)
	if err != nil {
		_ = unmapFile(data)
		return nil, fmt.Errorf("%s: %w", postFile, err)
	}
	if m.k1 != k1 || m.b != b {
		_ = unmapFile(data)
		return nil, nil
	}
	return m, nil
}

// parsePostings checks data's magic, trailer and sections.
func parsePostings(data []byte, n int) (*mappedPostings, error) {
	if len(data) < len(postFileMagic)+postTrailerSize || string(data[:len(postFileMagic)]) != postFileMagic {
		return nil, errors.New("not a briefbot postings file")
	}
	tr := data[len(data)-postTrailerSize:]
	if crc32.Checksum(tr[:postTrailerSize-8], crcTable) != binary.LittleEndian.Uint32(tr[postTrailerSize-8:]) {
		return nil, errors.New("trailer checksum mismatch (damaged)")
	}
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(tr[8*i:]) }
	if u(8) != uint64(n) {
		return nil, fmt.Errorf("written for %d passages, the build has %d", u(8), n)
	}
	if u(9) != uint64(len(data)) {
		return nil, fmt.Errorf("%d bytes, written as %d (cut short?)", len(data), u(9))
	}
	m := &mappedPostings{data: data, n: int32(n), k1: math.Float64frombits(u(10)), b: math.Float64frombits(u(11))}
	end := uint64(len(data) - postTrailerSize)
	lists := 0
	for f := range postFields {
		termsOff, termsLen, entriesOff, count := u(4*f), u(4*f+1), u(4*f+2), u(4*f+3)
		if termsOff > end || termsLen > end-termsOff || entriesOff > end || count > (end-entriesOff)/postEntrySize {
			return nil, fmt.Errorf("field %s: section out of bounds", postFields[f])
		}
		m.fields[f] = postField{
			terms:   data[termsOff : termsOff+termsLen],
			entries: data[entriesOff : entriesOff+count*postEntrySize],
			count:   int(count),
			first:   lists,
		}
		lists += int(count)
	}
	m.checked = make([]atomic.Uint64, (lists+63)/64)
	return m, nil
}

func (m *mappedPostings) close() error { return unmapFile(m.data) }

// term returns the field's i-th term, in place in the file.
func (f *postField) term(i int) (string, error) {
	start := uint32(0)
	if i > 0 {
		start = binary.LittleEndian.Uint32(f.entries[(i-1)*postEntrySize:])
	}
	end := binary.LittleEndian.Uint32(f.entries[i*postEntrySize:])
	if start > end || int(end) > len(f.terms) {
		return "", fmt.Errorf("term %d out of bounds", i)
	}
	return unsafe.String(unsafe.SliceData(f.terms[start:]), int(end-start)), nil
}

// list returns term's postings in field, an empty list when the field does
// not hold the term. The list's arrays are the mapped file's: nothing may
// write them, and nothing may read them once the file is closed.
func (m *mappedPostings) list(field, term string) (*postingList, error) {
	f := &m.fields[0]
	if field == fieldDocTitle {
		f = &m.fields[1]
	}
	// The terms ascend: the first not below term is term, or term is not
	// there. A damaged entry met on the way is an error.
	var bad error
	i := sort.Search(f.count, func(i int) bool {
		t, err := f.term(i)
		if err != nil {
			bad = err
			return true
		}
		return t >= term
	})
	if bad != nil {
		return nil, fmt.Errorf("%s: %s: %w", postFile, field, bad)
	}
	if i == f.count {
		return &postingList{sorted: true}, nil
	}
	if t, err := f.term(i); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", postFile, field, err)
	} else if t != term {
		return &postingList{sorted: true}, nil
	}
	e := f.entries[i*postEntrySize:]
	df := binary.LittleEndian.Uint32(e[4:])
	off := binary.LittleEndian.Uint64(e[8:])
	lists := uint64(len(m.data) - postTrailerSize)
	if off%4 != 0 || off < uint64(len(postFileMagic)) || off > lists || uint64(df)*8 > lists-off {
		return nil, fmt.Errorf("%s: list of %q in %s out of bounds", postFile, term, field)
	}
	l := &postingList{df: uint64(df), sorted: true, maxRatio: math.Float64frombits(binary.LittleEndian.Uint64(e[16:]))}
	if df > 0 {
		l.pos = unsafe.Slice((*int32)(unsafe.Pointer(&m.data[off])), df)
		l.tf = unsafe.Slice((*float32)(unsafe.Pointer(&m.data[off+4*uint64(df)])), df)
	}
	id := f.first + i
	word, bit := id/64, uint64(1)<<(id%64)
	if m.checked[word].Load()&bit == 0 {
		if err := m.check(l); err != nil {
			return nil, fmt.Errorf("%s: list of %q in %s: %w", postFile, term, field, err)
		}
		m.checked[word].Or(bit)
	}
	return l, nil
}

// check reports whether l's positions are passages' and ascend, and its
// bound and frequencies are numbers a search can score with.
func (m *mappedPostings) check(l *postingList) error {
	if math.IsNaN(l.maxRatio) || l.maxRatio < 0 || l.maxRatio > 1 {
		return fmt.Errorf("bound %v", l.maxRatio)
	}
	prev := int32(-1)
	for i, p := range l.pos {
		if p <= prev || p >= m.n {
			return fmt.Errorf("posting %d at %d after %d (of %d passages)", i, p, prev, m.n)
		}
		prev = p
		if tf := l.tf[i]; !(tf > 0) || math.IsInf(float64(tf), 0) {
			return fmt.Errorf("posting %d: frequency %v", i, tf)
		}
	}
	return nil
}

// writePostings writes the postings file of ix, a full build of one
// segment, to w: every term of both fields, from bleve's dictionaries.
// It holds one list at a time (and every term's entry).
func writePostings(ctx context.Context, ix *Index, w io.Writer) error {
	if len(ix.segs) != 1 {
		return fmt.Errorf("a postings file is for a build of one segment, not %d", len(ix.segs))
	}
	rs, closeReaders, err := ix.readers()
	if err != nil {
		return err
	}
	defer closeReaders()
	pw := &postWriter{bw: bufio.NewWriterSize(w, 1<<20), l: &postingList{}}
	if err := pw.write([]byte(postFileMagic)); err != nil {
		return err
	}
	for f, field := range postFields {
		if err := pw.lists(ctx, ix, rs, f, field); err != nil {
			return err
		}
	}
	trailer := make([]byte, 0, postTrailerSize)
	for f := range postFields {
		termsOff := pw.off
		if err := pw.write(pw.terms[f]); err != nil {
			return err
		}
		// Entries start at a multiple of 8, for tidiness.
		if pad := (8 - pw.off%8) % 8; pad > 0 {
			if err := pw.write(make([]byte, pad)); err != nil {
				return err
			}
		}
		entriesOff := pw.off
		buf := make([]byte, 0, len(pw.entries[f])*postEntrySize)
		for _, e := range pw.entries[f] {
			buf = binary.LittleEndian.AppendUint32(buf, e.end)
			buf = binary.LittleEndian.AppendUint32(buf, e.df)
			buf = binary.LittleEndian.AppendUint64(buf, e.off)
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(e.maxRatio))
		}
		if err := pw.write(buf); err != nil {
			return err
		}
		for _, v := range []uint64{termsOff, uint64(len(pw.terms[f])), entriesOff, uint64(len(pw.entries[f]))} {
			trailer = binary.LittleEndian.AppendUint64(trailer, v)
		}
	}
	for _, v := range []uint64{uint64(len(ix.flat)), pw.off + postTrailerSize, math.Float64bits(ix.opts.K1), math.Float64bits(ix.opts.B)} {
		trailer = binary.LittleEndian.AppendUint64(trailer, v)
	}
	trailer = binary.LittleEndian.AppendUint32(trailer, crc32.Checksum(trailer, crcTable))
	trailer = append(trailer, 0, 0, 0, 0)
	if err := pw.write(trailer); err != nil {
		return err
	}
	return pw.bw.Flush()
}

// postWriter is writePostings' state: where the file is, the terms and
// entries written so far, and the scratch of one list.
type postWriter struct {
	bw      *bufio.Writer
	off     uint64
	terms   [2][]byte
	entries [2][]postEntry
	l       *postingList
	buf     []byte
	keys    []uint64
}

// postEntry is a term's entry in the postings file (see postFile).
type postEntry struct {
	end, df  uint32
	off      uint64
	maxRatio float64
}

func (pw *postWriter) write(b []byte) error {
	_, err := pw.bw.Write(b)
	pw.off += uint64(len(b))
	return err
}

// lists writes the lists of every term of field, the f-th of postFields,
// in the dictionary's (ascending) order, and records their entries.
func (pw *postWriter) lists(ctx context.Context, ix *Index, rs []bindex.IndexReader, f int, field string) (err error) {
	dict, err := rs[0].FieldDict(field)
	if err != nil {
		return fmt.Errorf("dictionary of %s: %w", field, err)
	}
	defer func() {
		if cerr := dict.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("dictionary of %s: %w", field, cerr)
		}
	}()
	l, prev := pw.l, ""
	for {
		de, err := dict.Next()
		if err != nil {
			return fmt.Errorf("dictionary of %s: %w", field, err)
		}
		if de == nil {
			return nil
		}
		if len(pw.entries[f]) > 0 && de.Term <= prev {
			return fmt.Errorf("dictionary of %s: %q after %q", field, de.Term, prev)
		}
		prev = de.Term
		if len(pw.entries[f])%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := ix.decodeList(ctx, rs, field, de.Term, l); err != nil {
			return fmt.Errorf("postings of %q in %s: %w", de.Term, field, err)
		}
		if uint64(len(l.pos)) != l.df {
			return fmt.Errorf("postings of %q in %s: %d read, %d counted", de.Term, field, len(l.pos), l.df)
		}
		pw.keys = l.sortByPosWith(pw.keys)
		if uint64(len(pw.terms[f]))+uint64(len(de.Term)) > math.MaxUint32 || uint64(len(l.pos)) > math.MaxUint32 {
			return fmt.Errorf("%s: too many terms or postings for a postings file", field)
		}
		pw.terms[f] = append(pw.terms[f], de.Term...)
		pw.entries[f] = append(pw.entries[f], postEntry{end: uint32(len(pw.terms[f])), df: uint32(len(l.pos)), off: pw.off, maxRatio: l.maxRatio})
		pw.buf = pw.buf[:0]
		for _, p := range l.pos {
			pw.buf = binary.LittleEndian.AppendUint32(pw.buf, uint32(p))
		}
		for _, tf := range l.tf {
			pw.buf = binary.LittleEndian.AppendUint32(pw.buf, math.Float32bits(tf))
		}
		if err := pw.write(pw.buf); err != nil {
			return err
		}
	}
}
