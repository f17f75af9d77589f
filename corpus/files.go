package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/briefbot/briefbot/internal/boundedfile"
)

// ErrNotText is returned for a file with a text extension whose bytes are
// not text (an executable, an archive, random data).
var ErrNotText = errors.New("not text")

// maxSidecarBytes bounds a metadata file.
const maxSidecarBytes = 1 << 20

// maxDocIDBytes bounds the document IDs made from file names: the bot
// offers them as Discord choice values (at most 100 characters).
const maxDocIDBytes = 100

// readLimited reads the regular file at path, at most limit bytes (see
// boundedfile.Read). Its errors leave the path out: every caller's error
// already names the file.
func readLimited(path string, limit int64) ([]byte, error) {
	data, err := boundedfile.Read(path, limit)
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return nil, pe.Err
	}
	return data, err
}

// magics start common binary formats.
var magics = []string{
	"\x7fELF", "\x1f\x8b", "PK\x03\x04", "%PDF-", "\x89PNG", "\xff\xd8\xff", "GIF87a", "GIF89a",
	"\xfd7zXZ\x00", "7z\xbc\xaf\x27\x1c", "\x28\xb5\x2f\xfd", "\xca\xfe\xba\xbe", "\x00asm",
	"SQLite format 3\x00", "BZh91AY&SY", "Rar!\x1a\x07",
}

// decodeText returns data as UTF-8 text, or ErrNotText when it is binary.
// A byte order mark decides the encoding (UTF-8, UTF-16 LE or BE). Data
// with a known binary signature, a NUL byte or many control bytes is not
// text. Data that is not UTF-8 and holds no multi-byte UTF-8 sequence at
// all is read as Latin-1, the usual encoding of such files, so that "café"
// keeps its accent; otherwise the invalid bytes are left to sanitize,
// which replaces them.
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		data = data[3:]
	case bytes.HasPrefix(data, []byte("\xff\xfe")):
		return decodeUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte("\xfe\xff")):
		return decodeUTF16(data[2:], true)
	}
	for _, m := range magics {
		if bytes.HasPrefix(data, []byte(m)) {
			return nil, ErrNotText
		}
	}
	controls, multi, invalid := 0, 0, 0
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c == 0 {
				return nil, ErrNotText
			}
			if c < 0x20 && !strings.ContainsRune("\t\n\r\f\v\x1b", rune(c)) || c == 0x7f {
				controls++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else {
			multi++
		}
		i += size
	}
	// Random bytes hold about one control byte in eight, text almost none.
	if controls*100 > len(data) {
		return nil, ErrNotText
	}
	if invalid > 0 && multi == 0 {
		return latin1(data), nil
	}
	if invalid*4 > len(data) {
		return nil, ErrNotText
	}
	return data, nil
}

func latin1(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/8)
	for _, c := range data {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

func decodeUTF16(data []byte, bigEndian bool) ([]byte, error) {
	units := make([]uint16, len(data)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	var out []byte
	for _, r := range utf16.Decode(units) {
		if r == 0 {
			return nil, ErrNotText
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// docIDFromPath makes a document ID of a file's path relative to its
// corpus folder (or of its base name when it was named directly): the path
// without the extension, with "/" between folders. IDs are valid UTF-8
// whatever the name: bytes that are not UTF-8 and control characters are
// written %XX (a Latin-1 "résumé" is "r%E9sum%E9"), the same way each
// time, so that names differing only in such bytes stay apart. An ID
// longer than maxDocIDBytes keeps its start and ends with a hash of the
// whole.
func docIDFromPath(rel string) string {
	rel = filepath.ToSlash(rel)
	rel = strings.TrimSuffix(rel, filepath.Ext(rel))
	id := escapeID(rel)
	if len(id) <= maxDocIDBytes {
		return id
	}
	h := fnv.New64a()
	h.Write([]byte(rel))
	suffix := "~" + strconv.FormatUint(h.Sum64(), 16)
	cut := maxDocIDBytes - len(suffix)
	for cut > 0 && !utf8.RuneStart(id[cut]) {
		cut--
	}
	return id[:cut] + suffix
}

// escapeID writes the bytes of s that are not UTF-8, and its control
// characters, as %XX.
func escapeID(s string) string {
	if !needsQuoting(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unicode.IsControl(r) {
			for _, c := range []byte(s[i : i+size]) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// displayName is how a path is shown in failures: as it is, or quoted Go
// style when it holds control characters or bytes that are not UTF-8, so
// that a name cannot break a log line or a terminal.
func displayName(p string) string {
	if needsQuoting(p) {
		return strconv.Quote(p)
	}
	return p
}

func needsQuoting(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	return strings.ContainsFunc(s, unicode.IsControl)
}

// escapedError shows its cause with control characters and invalid bytes
// escaped (error texts often repeat the file name).
type escapedError struct{ err error }

func (e escapedError) Error() string {
	s := e.err.Error()
	if !needsQuoting(s) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

func (e escapedError) Unwrap() error { return e.err }

// failure makes the Failure of path p, both printable.
func failure(p string, err error) Failure {
	return Failure{Source: displayName(p), Err: escapedError{err}}
}
