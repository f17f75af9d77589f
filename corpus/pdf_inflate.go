package corpus

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// pdfMaxInflated bounds what the compressed streams of one PDF may inflate
// to, all together. PDFium inflates inside its memory-capped sandbox, but
// a one-megabyte file inflating to a gigabyte of page content would keep
// it busy for minutes: such a file is refused up front, in well under a
// second. Real documents stay far below this (the 50-page FHS: 1.5 MB).
const pdfMaxInflated = 256 << 20

// checkInflated inflates every zlib stream of data (the FlateDecode ones:
// content, fonts, object streams, most images) into io.Discard, counting
// the bytes, and refuses data whose streams inflate to more than limit.
// It looks for the "stream" keyword rather than parsing objects, which is
// enough: what PDFium would inflate is a zlib stream following one. Each
// byte of data is inflated at most once (the search resumes after the
// stream read), so the cost is linear in the input and bounded by limit.
func checkInflated(data []byte, limit int64) error {
	var total int64
	kw := []byte("stream")
	for i := 0; i < len(data); {
		k := bytes.Index(data[i:], kw)
		if k < 0 {
			return nil
		}
		start := i + k + len(kw)
		// The keyword ends its line; "endstream" is no stream start.
		if start < len(data) && data[start] == '\r' {
			start++
		}
		if start >= len(data) || data[start] != '\n' {
			i = start
			continue
		}
		start++
		r := bytes.NewReader(data[start:])
		zr, err := zlib.NewReader(r)
		if err != nil {
			i = start // not zlib: an image, an unfiltered stream
			continue
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(zr, limit-total+1))
		total += n
		if total > limit {
			return fmt.Errorf("%w: its compressed streams inflate to more than %d MB", ErrPDFTooLarge, limit>>20)
		}
		// Resume after what the stream consumed (a bytes.Reader is read
		// byte-exactly by the inflater), and at least past the keyword.
		i = max(start, len(data)-r.Len())
	}
	return nil
}
