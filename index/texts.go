package index

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"unsafe"
)

// The texts of a build's passages are kept apart from its manifest, in its
// texts file (textsFile), and read when a passage is shown: opening an
// index reads no text, and its memory does not grow with the corpus's
// text. The manifest (format 3) records each passage's text length and
// CRC-32C; the file holds textsMagic and then the texts of the passages the
// build's own bleve index holds (all of them for a full build, the delta's
// for an incremental one; see Update), one after the other in manifest
// order, so each text's offset is the sum of the lengths before it.
const (
	textsFile  = "texts.bin"
	textsMagic = "briefbot texts\x00"
	// maxTextLen bounds one passage's text; the corpus splits far below.
	maxTextLen = 1 << 26
)

// textSum is what the manifest records of a passage's text.
type textSum struct{ Len, CRC uint32 }

// textSumOf is what the manifest records of text.
func textSumOf(text string) textSum {
	return textSum{Len: uint32(len(text)), CRC: crc32.Update(0, crcTable, unsafe.Slice(unsafe.StringData(text), len(text)))}
}

// textRef locates a passage's text: in the texts file of segment seg, at
// off.
type textRef struct {
	off int64
	sum textSum
	seg int32
}

// textsReader reads a segment's texts file: from memory when the system
// maps files (unix), which spares a system call per passage shown, else
// by ReadAt. The file never changes while a build is served; were it cut
// short or unreadable underneath, the fault becomes an error of the read
// (readAt), not the end of the process.
type textsReader struct {
	f    *os.File
	data []byte // the whole file, mapped; nil when not mapped
}

// readAt fills p from the file at off.
func (t *textsReader) readAt(p []byte, off int64) (err error) {
	if t.data == nil {
		_, err = t.f.ReadAt(p, off)
		return err
	}
	if off < 0 || off > int64(len(t.data)) || int64(len(p)) > int64(len(t.data))-off {
		return io.ErrUnexpectedEOF
	}
	// A page the disk cannot give, or past a file truncated since it was
	// mapped, raises a fault: Go turns it into a panic on this
	// goroutine, recovered here.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("read %s at %d: unreadable or cut short: %v", t.f.Name(), off, r)
		}
	}()
	copy(p, t.data[off:])
	return nil
}

func (t *textsReader) close() error {
	var err error
	if t.data != nil {
		err = unmapFile(t.data)
		t.data = nil
	}
	return errors.Join(err, t.f.Close())
}

// openTexts opens the texts file in dir, which must hold the texts sums
// describe; it returns the file and each text's offset.
func openTexts(dir string, sums []textSum) (*textsReader, []int64, error) {
	f, err := os.Open(filepath.Join(dir, textsFile))
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", textsFile, err)
	}
	fi, err := f.Stat()
	if err == nil {
		magic := make([]byte, len(textsMagic))
		if _, err = io.ReadFull(io.NewSectionReader(f, 0, int64(len(magic))), magic); err == nil && string(magic) != textsMagic {
			err = errors.New("not a briefbot texts file")
		}
	}
	offs := make([]int64, len(sums))
	off := int64(len(textsMagic))
	for i, s := range sums {
		offs[i] = off
		off += int64(s.Len)
	}
	if err == nil && fi.Size() != off {
		err = fmt.Errorf("%d bytes, the manifest's texts take %d", fi.Size(), off)
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, fmt.Errorf("open %s: %w", filepath.Join(dir, textsFile), err)
	}
	t := &textsReader{f: f}
	if data, err := mapFile(f, fi.Size()); err != nil {
		slog.Debug("texts read from the file, not mapped", "file", f.Name(), "err", err)
	} else {
		t.data = data
	}
	return t, offs, nil
}

// readText reads the text ref locates from t, checking its CRC.
func readText(t *textsReader, ref textRef) (string, error) {
	if ref.sum.Len > maxTextLen || ref.off < 0 || ref.off > math.MaxInt64-int64(ref.sum.Len) {
		return "", fmt.Errorf("%w: text of %d bytes at %d out of range", ErrCorrupt, ref.sum.Len, ref.off)
	}
	buf := make([]byte, ref.sum.Len)
	if err := t.readAt(buf, ref.off); err != nil {
		return "", fmt.Errorf("read passage text: %w", err)
	}
	if crc32.Update(0, crcTable, buf) != ref.sum.CRC {
		return "", fmt.Errorf("%w: passage text at %d of %s: checksum mismatch", ErrCorrupt, ref.off, t.f.Name())
	}
	// The buffer is this text's alone and never written again: the
	// string shares it rather than copying every shown passage twice.
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
}
