package corpus

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
)

// Upload bounds (see Options).
const (
	// DefaultMaxDocumentBytes is the largest upload ParseUpload takes:
	// big enough for a long report with pictures, small enough that a
	// parse stays within memory on a small host.
	DefaultMaxDocumentBytes = 25 << 20
	// DefaultParseTimeout bounds one upload's parse.
	DefaultParseTimeout = 30 * time.Second
)

// Refusals of ParseUpload and DetectFormat, for errors.Is; the error text
// says what was refused and why.
var (
	// ErrUnsupported: the bytes are of a kind briefbot does not read (an
	// image, an archive, a spreadsheet, binary data).
	ErrUnsupported = errors.New("unsupported file")
	// ErrTooLarge: the upload is over Options.MaxDocumentBytes.
	ErrTooLarge = errors.New("too large")
	// ErrLimit: a parser's safety limit was hit (a zip bomb, an XML
	// document nested too deep).
	ErrLimit = errors.New("over a safety limit")
	// ErrCorrupt: the file is of a known kind but damaged.
	ErrCorrupt = errors.New("corrupt file")
	// ErrParseTimeout: parsing took longer than Options.ParseTimeout. It
	// wraps context.DeadlineExceeded.
	ErrParseTimeout = fmt.Errorf("parse time-out: %w", context.DeadlineExceeded)
)

// readable lists what briefbot reads, for refusal messages.
const readable = "briefbot reads PDF, Word (.docx), HTML, Markdown, plain text and JSONL"

func (o Options) maxDocumentBytes() int64 {
	if o.MaxDocumentBytes > 0 {
		return o.MaxDocumentBytes
	}
	return DefaultMaxDocumentBytes
}

func (o Options) parseTimeout() time.Duration {
	if o.ParseTimeout > 0 {
		return o.ParseTimeout
	}
	return DefaultParseTimeout
}

// binaryFormat reports whether f's bytes are not text, so that Load must
// not decode them as text. (FormatPDF joins it when the PDF parser lands.)
func binaryFormat(f Format) bool {
	return f == FormatDOCX || f == FormatPDF
}

// signatures name binary formats by their first bytes, for refusals.
// net/http.DetectContentType knows most others (images, audio, video,
// fonts, gzip, RAR).
var signatures = []struct{ magic, what string }{
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc, .xls or .ppt): save it as .docx or PDF"},
	{"{\\rtf", "an RTF document: save it as .docx or PDF"},
	{"\x7fELF", "a program (ELF)"},
	{"MZ", "a Windows program"},
	{"\xfd7zXZ\x00", "a compressed archive (xz)"},
	{"7z\xbc\xaf\x27\x1c", "a compressed archive (7z)"},
	{"\x28\xb5\x2f\xfd", "a compressed archive (zstd)"},
	{"BZh", "a compressed archive (bzip2)"},
	{"SQLite format 3\x00", "a database (SQLite)"},
	{"II*\x00", "an image (TIFF)"},
	{"MM\x00*", "an image (TIFF)"},
	{"\x00asm", "a WebAssembly module"},
	{"\xca\xfe\xba\xbe", "a program (Java class or Mach-O)"},
}

// sniffLen is how much of the start of a file text sniffing looks at.
const sniffLen = 64 << 10

// DetectFormat tells the format of a document from its bytes. name (the
// uploaded file's name) only breaks ties between text formats (".md" is
// Markdown, ".txt" text, ".html" HTML): a ".md" file that is a PDF is a
// PDF. Bytes of a kind briefbot does not read are refused with an error
// (wrapping ErrUnsupported or ErrCorrupt) that says what they look like:
// "looks like an image (PNG)", "a ZIP archive that is not a Word document".
func DetectFormat(name string, data []byte) (Format, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return "", fmt.Errorf("%w: the file is empty", ErrNoText)
	}
	if isPDF(data) {
		return FormatPDF, nil
	}
	if isZip(data) {
		return detectZip(data)
	}
	for _, s := range signatures {
		if bytes.HasPrefix(data, []byte(s.magic)) && (s.magic != "MZ" && s.magic != "BZh" || !utf8.Valid(data[:min(len(data), 512)])) {
			return "", refuse(s.what)
		}
	}
	ct := http.DetectContentType(data)
	if what := describeContentType(ct); what != "" {
		return "", refuse(what)
	}
	text, err := decodeText(data)
	if err != nil {
		return "", refuse("binary data")
	}
	// decodeText reads text without any multi-byte sequence as Latin-1
	// and leaves the invalid bytes of mixed text to be replaced; more than
	// a few of those is not text that was merely mis-encoded.
	if bad := invalidUTF8(text); bad > 4 && bad*100 > len(text) {
		return "", refuse(fmt.Sprintf("binary data (%d%% of its bytes are not UTF-8 text)", bad*100/len(text)))
	}
	ext := strings.ToLower(filepath.Ext(name))
	head := text[:min(len(text), sniffLen)]
	switch sniffHTML(head, ct) {
	case htmlStrong:
		return FormatHTML, nil
	case htmlWeak:
		if f, ok := FormatOf(name); !ok || f == FormatHTML {
			return FormatHTML, nil
		}
	}
	if isJSONL(text) {
		return FormatJSONL, nil
	}
	switch ext {
	case ".jsonl", ".ndjson":
		// Not every line is an object: parsing it as JSONL says which
		// lines are wrong, which reading it as prose would hide.
		if t := bytes.TrimSpace(head); len(t) > 0 && t[0] == '{' {
			return FormatJSONL, nil
		}
	case ".html", ".htm", ".xhtml":
		if bytes.ContainsRune(head, '<') {
			return FormatHTML, nil
		}
	case ".md", ".markdown":
		return FormatMarkdown, nil
	case ".txt", ".text":
		return FormatText, nil
	}
	if looksLikeMarkdown(head) {
		return FormatMarkdown, nil
	}
	return FormatText, nil
}

func refuse(what string) error {
	return fmt.Errorf("%w: looks like %s; %s", ErrUnsupported, what, readable)
}

// isPDF reports a PDF header. Readers accept "%PDF-" anywhere in the first
// KB (mail gateways and some generators put bytes before it); so do we
// when the file also ends like a PDF, which prose quoting the header does
// not.
func isPDF(data []byte) bool {
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return true
	}
	if !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return false
	}
	return bytes.Contains(data[max(0, len(data)-1024):], []byte("%%EOF"))
}

// isZip reports a ZIP local file header or an empty archive's end record.
func isZip(data []byte) bool {
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")) || bytes.HasPrefix(data, []byte("PK\x07\x08"))
}

// zipKinds name the ZIP-based formats people send instead of a Word
// document, by a part only they have.
var zipKinds = []struct{ part, what string }{
	{"xl/workbook.xml", "an Excel workbook"},
	{"ppt/presentation.xml", "a PowerPoint presentation"},
	{"META-INF/MANIFEST.MF", "a Java archive"},
	{"META-INF/container.xml", "an EPUB book"},
	{"content.xml", "an OpenDocument file (save it as .docx or PDF)"},
}

// detectZip tells a Word document from other ZIP archives. It reads only
// the central directory.
func detectZip(data []byte) (Format, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("%w: looks like a ZIP archive but cannot be read (truncated or damaged): %w", ErrCorrupt, err)
	}
	if len(zr.File) > maxZipEntries {
		return "", fmt.Errorf("%w: a ZIP archive of %d entries (the limit is %d)", ErrLimit, len(zr.File), maxZipEntries)
	}
	has := func(part string) bool {
		for _, f := range zr.File {
			if strings.EqualFold(strings.TrimPrefix(f.Name, "/"), part) {
				return true
			}
		}
		return false
	}
	if has("word/document.xml") {
		if !has("[Content_Types].xml") {
			return "", fmt.Errorf("%w: a ZIP archive with word/document.xml but no [Content_Types].xml is not a valid Word document", ErrCorrupt)
		}
		return FormatDOCX, nil
	}
	what := "a ZIP archive that is not a Word document"
	for _, k := range zipKinds {
		if has(k.part) {
			what += " (" + k.what + ")"
			break
		}
	}
	return "", refuse(what)
}

// describeContentType names the binary kinds net/http recognizes; "" for
// text and for what it does not know.
func describeContentType(ct string) string {
	kind, sub, _ := strings.Cut(strings.TrimSpace(strings.Split(ct, ";")[0]), "/")
	upper := strings.ToUpper(strings.TrimPrefix(sub, "x-"))
	switch kind {
	case "image":
		if sub == "x-icon" || sub == "vnd.microsoft.icon" {
			upper = "ICO"
		}
		return "an image (" + upper + ")"
	case "audio":
		return "audio (" + upper + ")"
	case "video":
		return "a video (" + upper + ")"
	case "font":
		return "a font (" + upper + ")"
	case "application":
		switch sub {
		case "x-gzip":
			return "a compressed archive (gzip)"
		case "x-rar-compressed":
			return "a compressed archive (RAR)"
		case "postscript":
			return "a PostScript file: save it as PDF"
		case "ogg":
			return "audio or video (Ogg)"
		case "wasm":
			return "a WebAssembly module"
		case "vnd.ms-fontobject":
			return "a font (EOT)"
		}
	}
	return ""
}

// invalidUTF8 counts the bytes of data that are not part of valid UTF-8.
func invalidUTF8(data []byte) int {
	n := 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			n++
		}
		i += size
	}
	return n
}

type htmlLikeness int

const (
	htmlNot htmlLikeness = iota
	// htmlWeak: the text starts with a tag net/http takes for HTML (a <p>,
	// a comment), which Markdown may do too.
	htmlWeak
	// htmlStrong: a doctype or an <html>, <head> or <body> tag.
	htmlStrong
)

var reHTMLStrong = regexp.MustCompile(`(?i)^(?:\s|<\?xml[^>]*>|<!--.*?-->)*<(?:!doctype\s+html|html|head|body)[\s>]`)

func sniffHTML(head []byte, ct string) htmlLikeness {
	t := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if reHTMLStrong.Match(t[:min(len(t), 4096)]) {
		return htmlStrong
	}
	if strings.HasPrefix(ct, "text/html") {
		return htmlWeak
	}
	return htmlNot
}

// isJSONL reports whether every non-empty line of the first sniffLen bytes
// is a JSON object. Lines are checked whole, the first one however long
// (a record may well be longer than sniffLen), so the work stays within
// sniffLen plus one line.
func isJSONL(data []byte) bool {
	lines, seen := 0, 0
	for len(data) > 0 && (lines == 0 || seen < sniffLen) {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		seen += len(line) + 1
		data = rest
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			continue
		}
		if t[0] != '{' || !json.Valid(t) {
			return false
		}
		lines++
	}
	return lines > 0
}

var reMarkdownHint = regexp.MustCompile(`(?m)^(?:#{1,6}[ \t]+\S|` + "```" + `|[-*+][ \t]+\S|\d{1,3}[.)][ \t]+\S|>[ \t]|\|.*\|[ \t]*$|(?:=+|-+)[ \t]*$)|\[[^\]\n]+\]\([^)\s]+\)|\*\*\S`)

// looksLikeMarkdown reports Markdown syntax: headings, lists, fences,
// quotes, tables, links, strong emphasis.
func looksLikeMarkdown(head []byte) bool {
	return reMarkdownHint.Match(head)
}

// ParseUpload parses a document given as bytes, an upload or a fetched
// page: it detects the format from the bytes (DetectFormat), refuses data
// over Options.MaxDocumentBytes, and parses within Options.ParseTimeout
// (or ctx's deadline when that is sooner). The document ID is name's base
// without extension, "upload" when that is empty; a JSONL upload must hold
// one record, which keeps its own ID. It returns the document, warnings
// about its content ("3 images skipped"), or an error saying why it was
// refused, wrapping ErrTooLarge, ErrUnsupported, ErrCorrupt, ErrLimit,
// ErrNoText or ErrParseTimeout as the case is.
func ParseUpload(ctx context.Context, name string, data []byte, opts Options) (briefbot.Document, []string, error) {
	shown := displayName(filepath.Base(name))
	if name == "" {
		shown = "upload"
	}
	if limit := opts.maxDocumentBytes(); int64(len(data)) > limit {
		return briefbot.Document{}, nil, fmt.Errorf("%s: %w: %s, the limit is %s", shown, ErrTooLarge, byteSize(int64(len(data))), byteSize(limit))
	}
	f, err := DetectFormat(name, data)
	if err != nil {
		return briefbot.Document{}, nil, fmt.Errorf("%s: %w", shown, err)
	}
	id := docIDFromName(name)
	if id == "" {
		id = "upload"
	}
	source := name
	if source == "" {
		source = "upload"
	}
	timeout := opts.parseTimeout()
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrParseTimeout)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return briefbot.Document{}, nil, fmt.Errorf("%s: %w", shown, context.Cause(ctx))
	}
	type result struct {
		doc      briefbot.Document
		warnings []string
		err      error
	}
	// The text parsers do not watch ctx; they are linear in their input,
	// which is bounded, so one that outlives the time-out finishes soon
	// after and its result is dropped. The DOCX and PDF parsers stop at
	// the deadline.
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("%w: the %s parser failed: %v", ErrCorrupt, f, r)}
			}
		}()
		doc, warnings, err := parseDetected(ctx, id, source, data, f, opts.normalized())
		done <- result{doc, warnings, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			// A parser stopped by the deadline says so with the cause.
			if cause := context.Cause(ctx); cause != nil && !errors.Is(r.err, cause) {
				r.err = fmt.Errorf("%w (%w)", cause, r.err)
			}
			return briefbot.Document{}, r.warnings, fmt.Errorf("%s (%s): %w", shown, f, r.err)
		}
		return r.doc, r.warnings, nil
	case <-ctx.Done():
		cause := context.Cause(ctx)
		if errors.Is(cause, ErrParseTimeout) {
			return briefbot.Document{}, nil, fmt.Errorf("%s (%s): %w: parsing took longer than %s", shown, f, cause, timeout)
		}
		return briefbot.Document{}, nil, fmt.Errorf("%s (%s): %w", shown, f, cause)
	}
}

// parseDetected runs the parser of format f.
func parseDetected(ctx context.Context, id, source string, data []byte, f Format, opts Options) (briefbot.Document, []string, error) {
	switch f {
	case FormatPDF:
		return parsePDF(ctx, id, source, data, opts)
	case FormatDOCX:
		return parseDOCX(ctx, id, source, data, meta{}, opts)
	}
	text, err := decodeText(data)
	if err != nil {
		return briefbot.Document{}, nil, err
	}
	if f == FormatJSONL {
		return parseJSONLUpload(source, text, opts)
	}
	doc, err := parseSingle(id, source, text, f, meta{}, opts)
	return doc, nil, err
}

// parseJSONLUpload takes a JSONL upload of one record. An upload is one
// document of the library (one ID to remove or refresh); a collection of
// records is a corpus, which belongs in the configured paths, so several
// records are refused rather than some silently dropped.
func parseJSONLUpload(source string, data []byte, opts Options) (briefbot.Document, []string, error) {
	records := 0
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			records++
		}
	}
	if records > 1 {
		return briefbot.Document{}, nil, fmt.Errorf("%w: JSONL with %d records: add it as a configured file instead", ErrUnsupported, records)
	}
	docs, bad := parseJSONL(source, data, opts)
	if len(bad) > 0 {
		return briefbot.Document{}, nil, bad[0]
	}
	if len(docs) == 0 {
		return briefbot.Document{}, nil, ErrNoText
	}
	return docs[0], nil, nil
}

// byteSize shows a size in B, KB or MB (powers of 1024, as the limits are).
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
