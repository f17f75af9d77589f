package corpus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"

	"github.com/briefbot/briefbot"
)

// DefaultMaxPDFPages is the page limit of a PDF when Options.MaxPDFPages
// is not set.
const DefaultMaxPDFPages = 500

// pdfTimeout bounds one PDF's parse even when the caller's context has no
// deadline (Load, Parse): a file that keeps PDFium busy longer is refused.
// A 500-page text PDF reads in a few seconds.
const pdfTimeout = time.Minute

// pdfMaxTextBytes bounds the text kept from one PDF; a file producing more
// (millions of invisible glyphs) is refused rather than held in memory.
const pdfMaxTextBytes = 32 << 20

// Errors of PDF parsing; refusals wrap them. Each is also one of the
// kinds every upload refusal is (ErrUnsupported, ErrCorrupt, ErrLimit), so
// callers need not know the format to classify a refusal.
var (
	ErrEncryptedPDF error = &kindError{"encrypted PDF: remove the password first", ErrUnsupported}
	ErrTooManyPages error = &kindError{"too many pages", ErrLimit}
	ErrBadPDF       error = &kindError{"not a readable PDF", ErrCorrupt}
	ErrPDFTooLarge  error = &kindError{"PDF too large", ErrLimit}
)

// kindError is a specific refusal that is also one of the general kinds.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// Warnings of PDF parsing, returned with the document.
const warnNoTextLayer = "no text layer: scanned PDF?"

// pdfLine is one line of text on a page, with its place: PDF coordinates
// (points, origin at the bottom left, y growing upwards).
type pdfLine struct {
	text                     string
	left, right, top, bottom float64
	page                     int // 1-based
}

func (l pdfLine) height() float64 { return l.top - l.bottom }

// pdfPage is the text of one page.
type pdfPage struct {
	lines  []pdfLine
	height float64
}

// pdfRaw is what PDFium gives us: metadata and the lines of each page.
type pdfRaw struct {
	title, author, created string
	pages                  []pdfPage
}

// parsePDF reads a PDF's text layer into a document whose passages carry
// the page they start on. Warnings say what was odd ("3 pages without
// text"); a refusal (encrypted, too many pages, corrupt, time-out) is an
// error and no document.
func parsePDF(ctx context.Context, id, source string, data []byte, opts Options) (briefbot.Document, []string, error) {
	return parsePDFMeta(ctx, id, source, data, meta{}, opts)
}

// parsePDFMeta is parsePDF with metadata that wins over the file's (a
// sidecar's).
func parsePDFMeta(ctx context.Context, id, source string, data []byte, m meta, opts Options) (briefbot.Document, []string, error) {
	opts = opts.normalized()
	if len(data) > maxFileBytes {
		return briefbot.Document{}, nil, fmt.Errorf("%w: %d bytes, more than %d", ErrPDFTooLarge, len(data), maxFileBytes)
	}
	if err := checkInflated(data, pdfMaxInflated); err != nil {
		return briefbot.Document{}, nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, pdfTimeout, fmt.Errorf("PDF took longer than %v to read", pdfTimeout))
	defer cancel()
	maxPages := opts.MaxPDFPages
	if maxPages <= 0 {
		maxPages = DefaultMaxPDFPages
	}
	raw, err := extractPDF(ctx, data, maxPages)
	if err != nil {
		return briefbot.Document{}, nil, err
	}
	var warnings []string
	empty := 0
	for _, p := range raw.pages {
		if len(p.lines) == 0 {
			empty++
		}
	}
	switch {
	case len(raw.pages) > 0 && empty == len(raw.pages):
		return briefbot.Document{}, []string{warnNoTextLayer}, fmt.Errorf("%w: %s", ErrNoText, warnNoTextLayer)
	case empty == 1:
		warnings = append(warnings, "1 page without text")
	case empty > 1:
		warnings = append(warnings, fmt.Sprintf("%d pages without text", empty))
	}
	m = m.or(pdfMetadata(raw))
	doc, err := assemblePDF(id, source, raw, m, opts)
	if err != nil {
		return briefbot.Document{}, warnings, err
	}
	return doc, warnings, nil
}

// parsePDFSingle serves Parse and Load, which have no context and no place
// for warnings: those are logged.
func parsePDFSingle(id, source string, data []byte, m meta, opts Options) (briefbot.Document, error) {
	doc, warnings, err := parsePDFMeta(context.Background(), id, source, data, m, opts)
	for _, w := range warnings {
		slog.Info("corpus: PDF warning", "source", source, "warning", w)
	}
	return doc, err
}

// pdfMetadata turns the document information dictionary into meta.
func pdfMetadata(raw pdfRaw) meta {
	m := meta{title: cleanPlain(raw.title)}
	if a := cleanPlain(raw.author); a != "" {
		m.authors = pdfSplitAuthors(a)
	}
	if t, ok := parsePDFDate(raw.created); ok {
		m.published = t
	}
	return m
}

// pdfSplitAuthors splits an Author entry ("Jane Doe, John Roe and Ann Poe").
func pdfSplitAuthors(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(strings.ReplaceAll(s, " and ", ";"), func(r rune) bool { return r == ',' || r == ';' || r == '&' }) {
		if p := strings.TrimSpace(part); p != "" && len(out) < maxAuthorsSought {
			out = append(out, p)
		}
	}
	return out
}

// parsePDFDate reads a PDF date ("D:20230131120000+01'00'"); only the day
// matters to us.
func parsePDFDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	if len(s) < 8 {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102", s[:8])
	if err != nil || t.Year() < 1900 {
		return time.Time{}, false
	}
	return t, true
}

// extractPDF opens data in PDFium and reads metadata and every page's lines.
func extractPDF(ctx context.Context, data []byte, maxPages int) (pdfRaw, error) {
	var raw pdfRaw
	err := withPDFium(ctx, func(p pdfium.Pdfium) error {
		doc, err := p.OpenDocument(&requests.OpenDocument{File: &data})
		if err != nil {
			switch {
			case errors.Is(err, pdfiumerrors.ErrPassword), errors.Is(err, pdfiumerrors.ErrSecurity):
				return ErrEncryptedPDF
			case ctx.Err() != nil:
				return err
			}
			return fmt.Errorf("%w: %w", ErrBadPDF, err)
		}
		defer p.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
		n, err := p.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
		if err != nil {
			return fmt.Errorf("%w: count pages: %w", ErrBadPDF, err)
		}
		if n.PageCount > maxPages {
			return fmt.Errorf("%w: %d pages, the limit is %d", ErrTooManyPages, n.PageCount, maxPages)
		}
		for _, tag := range []string{"Title", "Author", "CreationDate"} {
			v, err := p.FPDF_GetMetaText(&requests.FPDF_GetMetaText{Document: doc.Document, Tag: tag})
			if err != nil {
				continue // metadata is optional
			}
			switch tag {
			case "Title":
				raw.title = v.Value
			case "Author":
				raw.author = v.Value
			case "CreationDate":
				raw.created = v.Value
			}
		}
		total := 0
		for i := range n.PageCount {
			if err := ctx.Err(); err != nil {
				return err
			}
			pg, err := readPDFPage(p, doc.Document, i)
			if err != nil {
				return fmt.Errorf("%w: page %d: %w", ErrBadPDF, i+1, err)
			}
			for _, l := range pg.lines {
				total += len(l.text)
			}
			if total > pdfMaxTextBytes {
				return fmt.Errorf("%w: more than %d MB of text", ErrPDFTooLarge, pdfMaxTextBytes>>20)
			}
			raw.pages = append(raw.pages, pg)
		}
		return nil
	})
	return raw, err
}

// readPDFPage reads the lines of page i (0-based). The text comes in one
// call; the place of each line from two more, for its first and last
// characters: asking per character would cost a call per glyph.
func readPDFPage(p pdfium.Pdfium, doc references.FPDF_DOCUMENT, i int) (pdfPage, error) {
	var pg pdfPage
	size, err := p.FPDF_GetPageSizeByIndex(&requests.FPDF_GetPageSizeByIndex{Document: doc, Index: i})
	if err != nil {
		return pg, err
	}
	pg.height = size.Height
	page, err := p.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: doc, Index: i})
	if err != nil {
		return pg, err
	}
	defer p.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: page.Page})
	tp, err := p.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: requests.Page{ByReference: &page.Page}})
	if err != nil {
		return pg, err
	}
	defer p.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: tp.TextPage})
	cnt, err := p.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: tp.TextPage})
	if err != nil || cnt.Count <= 0 {
		return pg, err
	}
	if cnt.Count > pdfMaxTextBytes {
		return pg, fmt.Errorf("%d characters on one page", cnt.Count)
	}
	txt, err := p.FPDFText_GetText(&requests.FPDFText_GetText{TextPage: tp.TextPage, StartIndex: 0, Count: cnt.Count})
	if err != nil {
		return pg, err
	}
	// FPDFText_GetText writes U+FFFE where PDFium found a hyphen at a
	// line end and joined the lines (FPDFText_GetUnicode says \x02):
	// cleanPDFText keeps the mark for pdfMendHyphen to decide.
	text := txt.Text
	box := func(k int) (left, right, top, bottom float64, ok bool) {
		b, err := p.FPDFText_GetLooseCharBox(&requests.FPDFText_GetLooseCharBox{TextPage: tp.TextPage, Index: k})
		if err != nil {
			return 0, 0, 0, 0, false
		}
		return float64(b.Rect.Left), float64(b.Rect.Right), float64(b.Rect.Top), float64(b.Rect.Bottom), true
	}
	// Character indexes follow the runes of the text: PDFium writes one
	// UTF-16 unit per character except for the rare ones outside the
	// Basic Multilingual Plane, which only shifts the boxes we look up.
	idx, first, last := 0, -1, -1
	var sb strings.Builder
	flush := func() {
		t := strings.TrimSpace(cleanPDFText(sb.String()))
		sb.Reset()
		if t != "" && first >= 0 {
			l := pdfLine{text: t, page: i + 1}
			var ok bool
			if l.left, _, l.top, l.bottom, ok = box(first); ok {
				_, l.right, _, _, _ = box(last)
				pg.lines = append(pg.lines, l)
			}
		}
		first, last = -1, -1
	}
	for _, r := range text {
		switch {
		case r == '\n':
			flush()
		case r == '\r':
		default:
			if r != ' ' && r != 0 {
				if first < 0 {
					first = idx
				}
				last = idx
			}
			sb.WriteRune(r)
		}
		idx++
	}
	flush()
	return pg, nil
}

// cleanPDFText undoes typesetting in a line: ligature characters become
// their letters, PDFium's end-of-line hyphen marks (U+FFFE, \x02) and
// soft hyphens become \x02, other control characters go, and runs of
// spaces become one.
func cleanPDFText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if lig, ok := pdfLigatures[r]; ok {
			b.WriteString(lig)
			space = false
			continue
		}
		switch {
		case r == '\x02' || r == '\ufffe':
			b.WriteRune('\x02')
		case r == '\u00ad':
			b.WriteRune('\x02') // a soft hyphen is the same promise
		case r == ' ' || r == '\t' || r == '\u00a0':
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case r < 0x20 || r == 0x7f || r == '\uffff' || r == '\ufffd':
			continue
		default:
			b.WriteRune(r)
		}
		space = false
	}
	return b.String()
}

var pdfLigatures = map[rune]string{
	'\ufb00': "ff", '\ufb01': "fi", '\ufb02': "fl", '\ufb03': "ffi", '\ufb04': "ffl", '\ufb05': "st", '\ufb06': "st",
}
