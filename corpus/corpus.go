// Package corpus owns turning source files into briefbot.Document values:
// it reads Markdown, plain text, HTML and JSONL sources, strips markup and
// conversion debris (link syntax, escapes, image paths, page breaks, site
// navigation), extracts metadata (title, authors, date, translations), and
// splits the prose into section-aware, paragraph-sized passages with stable
// IDs, ready for indexing and citation. It also embeds the built-in seed
// brief served when no corpus is given.
//
// Plain-text (.txt) files are parsed with the Markdown parser: plain prose is
// valid Markdown, and the texts we receive as .txt (the seed brief included)
// are usually Markdown exported from web pages, whose headings and links we
// want to understand rather than index verbatim.
//
// Sectioning: the first H1 is the title; later headings of any level
// (a second H1 included) are sections. Text before the first section
// heading, and text after a category label ending an authors' section,
// goes to a section named after the title. Author bios ("About the
// Authors" blocks, closing italic bio paragraphs) form their own section.
// A list's items are packed with the paragraph introducing them (ending
// in ":"), which is repeated ahead of the items that start a new passage.
package corpus

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/boundedfile"
)

// Format of a source file.
type Format string

// Supported formats.
const (
	FormatMarkdown Format = "markdown"
	// FormatText is parsed exactly like Markdown (see the package comment).
	FormatText  Format = "text"
	FormatHTML  Format = "html"
	FormatJSONL Format = "jsonl"
	// FormatDOCX is a Word document (Office Open XML), see docx.go.
	FormatDOCX Format = "docx"
	FormatPDF  Format = "pdf"
)

// Default passage bounds, in characters (runes). About 1000 characters is
// a long paragraph: big enough to carry a claim with its context, small
// enough to quote in a chat message.
const (
	DefaultMaxPassageChars = 1000
	DefaultMinPassageChars = 200
	// minMaxPassageChars keeps absurd settings from producing passages of a
	// word or two.
	minMaxPassageChars = 40
)

// maxFileBytes bounds what Load reads from one file; larger files are
// reported as failures rather than exhausting memory, except JSONL
// collections, read as a stream with each record bounded (streamJSONL):
// their documents are kept, as those of many files would be.
const maxFileBytes = 64 << 20

// BuiltinName is the document ID of the embedded seed brief.
const BuiltinName = "000_6eb8dac68bc97243"

//go:embed builtin/000_6eb8dac68bc97243.txt
var builtinText []byte

// builtinMeta is the brief's sidecar: the web page it was converted from,
// which the converted text does not name.
//
//go:embed builtin/000_6eb8dac68bc97243.txt.meta.json
var builtinMeta []byte

// ErrNoText is returned for a document without any indexable text.
var ErrNoText = errors.New("no text")

// ErrMalformedHTML is returned for an HTML page the HTML parser rejects.
var ErrMalformedHTML = errors.New("malformed HTML")

// Options tunes passage splitting. Zero values select the defaults.
type Options struct {
	// MaxPassageChars bounds a passage's length in characters; longer
	// paragraphs are split at sentence boundaries. Values below 40 are
	// raised to 40.
	MaxPassageChars int
	// MinPassageChars is the length below which a passage is merged with a
	// neighbour of the same section when they fit together.
	MinPassageChars int
	// MaxDocumentBytes bounds an upload's size (ParseUpload); 0 selects
	// DefaultMaxDocumentBytes.
	MaxDocumentBytes int64
	// ParseTimeout bounds the time ParseUpload spends parsing; 0 selects
	// DefaultParseTimeout.
	ParseTimeout time.Duration
	// MaxPDFPages refuses PDFs with more pages (DefaultMaxPDFPages when
	// zero): reading a page costs time and memory whether or not it holds
	// text, and a library document is rarely a whole book.
	MaxPDFPages int
}

func (o Options) normalized() Options {
	if o.MaxPassageChars <= 0 {
		o.MaxPassageChars = DefaultMaxPassageChars
	}
	if o.MaxPassageChars < minMaxPassageChars {
		o.MaxPassageChars = minMaxPassageChars
	}
	if o.MinPassageChars <= 0 {
		o.MinPassageChars = DefaultMinPassageChars
	}
	if o.MinPassageChars > o.MaxPassageChars/2 {
		o.MinPassageChars = o.MaxPassageChars / 2
	}
	return o
}

// Failure is a source that could not be used.
type Failure struct {
	Source string
	Err    error
}

func (f Failure) Error() string { return f.Source + ": " + f.Err.Error() }

// Unwrap exposes the cause to errors.Is and errors.As.
func (f Failure) Unwrap() error { return f.Err }

// LineError is a bad line of a JSONL source.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *LineError) Unwrap() error { return e.Err }

// FormatOf returns the format of a file from its extension.
func FormatOf(path string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown":
		return FormatMarkdown, true
	case ".txt", ".text":
		return FormatText, true
	case ".html", ".htm", ".xhtml":
		return FormatHTML, true
	case ".jsonl", ".ndjson":
		return FormatJSONL, true
	case ".docx":
		return FormatDOCX, true
	case ".pdf":
		return FormatPDF, true
	}
	return "", false
}

// docIDFromName is the file base name without its extension, made a valid
// ID by docIDFromPath.
func docIDFromName(name string) string {
	base := filepath.Base(name)
	if base == "." || base == string(filepath.Separator) {
		return ""
	}
	return docIDFromPath(base)
}

// Parse turns the content of one source into documents. name is the source
// path: the document ID is its base name without extension, except for
// JSONL, where every line is a document carrying its own ID. For JSONL the
// documents of the good lines are returned together with an error joining a
// *LineError for every bad line.
func Parse(name string, data []byte, f Format, opts Options) ([]briefbot.Document, error) {
	opts = opts.normalized()
	switch f {
	case FormatMarkdown, FormatText, FormatHTML, FormatDOCX, FormatPDF:
		doc, err := parseSingle(docIDFromName(name), name, data, f, meta{}, opts)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		return []briefbot.Document{doc}, nil
	case FormatJSONL:
		docs, bad := parseJSONL(name, data, opts)
		var errs []error
		for _, e := range bad {
			errs = append(errs, e)
		}
		if len(docs) == 0 && len(errs) == 0 {
			errs = append(errs, ErrNoText)
		}
		if len(errs) > 0 {
			return docs, fmt.Errorf("parse %s: %w", name, errors.Join(errs...))
		}
		return docs, nil
	}
	return nil, fmt.Errorf("parse %s: unsupported format %q", name, f)
}

// parseSingle parses a one-document source into the document id read from
// source; errors are not wrapped with the name, which the callers add.
func parseSingle(id, source string, data []byte, f Format, m meta, opts Options) (briefbot.Document, error) {
	switch f {
	case FormatPDF:
		return parsePDFSingle(id, source, data, m, opts)
	case FormatHTML:
		return parseHTMLDoc(id, source, data, m, opts)
	case FormatDOCX:
		doc, _, err := parseDOCX(context.Background(), id, source, data, m, opts)
		return doc, err
	}
	return parseMarkdownDoc(id, source, data, m, opts)
}

// Builtin returns the embedded seed brief.
func Builtin(opts Options) ([]briefbot.Document, error) {
	m, err := parseSidecar(builtinMeta)
	if err != nil {
		return nil, fmt.Errorf("builtin corpus: %w", err)
	}
	doc, err := parseSingle(BuiltinName, BuiltinName+".txt", builtinText, FormatText, m, opts.normalized())
	if err != nil {
		return nil, fmt.Errorf("builtin corpus: %w", err)
	}
	doc.Source = "builtin:" + BuiltinName
	return []briefbot.Document{doc}, nil
}

// BuiltinText returns the raw bytes of the embedded seed brief.
func BuiltinText() []byte { return bytes.Clone(builtinText) }

// PlainDocument splits plain text (no markup is interpreted) into passages:
// blank lines separate paragraphs. The section is the title, or "Text" when
// there is none. It serves collections such as BEIR corpora, whose records
// are bare title and text.
func PlainDocument(id, title, text string, opts Options) briefbot.Document {
	opts = opts.normalized()
	title = cleanPlain(title)
	section := title
	if section == "" {
		section = "Text"
	}
	var units []unit
	for _, p := range splitPlainParagraphs(text) {
		units = append(units, unit{section: section, text: p})
	}
	doc := briefbot.Document{ID: id, Title: title, Source: id}
	buildPassages(&doc, units, opts)
	return doc
}

// Load parses every path, a file or a folder walked recursively (hidden
// entries and unknown extensions are skipped). A source that fails to parse
// or cannot be read (not a regular file, too large, not text) is skipped
// and reported as a Failure; JSONL lines fail one by one, with Source
// "path:LINE". The error is non-nil only when a path cannot be read or
// nothing usable was found, and then says why for each source. Without
// paths, Load returns the built-in corpus.
//
// A document's ID is its path relative to the folder given, without the
// extension ("2023/summary"); a file at the top of the folder or named
// directly is known by its base name ("summary"). Two sources giving the
// same ID are both named in a Failure; the first is kept. Document sources
// are absolute, cleaned paths, so that the spelling of a path given does
// not change the documents.
func Load(ctx context.Context, paths []string, opts Options) ([]briefbot.Document, []Failure, error) {
	var docs []briefbot.Document
	failures, err := Each(ctx, paths, opts, func(d briefbot.Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, failures, err
	}
	return docs, failures, nil
}

// Each is Load handing each document to yield as it is read, in Load's
// order, so that a caller that keeps only part of each (an index build)
// never holds the whole corpus: memory holds one file, or one record of a
// JSONL file too large to read whole. It stops at yield's first error and
// returns it as it is; Load's other errors are Each's.
func Each(ctx context.Context, paths []string, opts Options, yield func(briefbot.Document) error) ([]Failure, error) {
	if len(paths) == 0 {
		docs, err := Builtin(opts)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if err := yield(d); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	var failures []Failure
	var files []sourceFile
	seenFile := map[string]bool{}
	addFile := func(p, id string) {
		abs, err := filepath.Abs(p)
		if err != nil {
			failures = append(failures, failure(p, err))
			return
		}
		if !seenFile[abs] {
			seenFile[abs] = true
			files = append(files, sourceFile{path: p, abs: abs, id: id})
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return failures, fmt.Errorf("load %s: %w", displayName(root), escapedError{err})
		}
		if !info.IsDir() {
			if _, ok := FormatOf(root); !ok {
				failures = append(failures, failure(root, fmt.Errorf("unsupported file type %q", filepath.Ext(root))))
				continue
			}
			addFile(root, docIDFromName(root))
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				failures = append(failures, failure(p, err))
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if p != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				// Linked files are read; linked folders are not walked,
				// which rules out cycles; dangling links are skipped.
				if info, err := os.Stat(p); err != nil || info.IsDir() {
					return nil
				}
			}
			if _, ok := FormatOf(p); !ok {
				slog.Debug("corpus: skipping file of unknown type", "path", p)
				return nil
			}
			// FIFOs and devices with a text extension are added too:
			// reading them fails with "not a regular file".
			rel, err := filepath.Rel(root, p)
			if err != nil {
				rel = filepath.Base(p)
			}
			addFile(p, docIDFromPath(rel))
			return nil
		})
		if err != nil {
			return failures, fmt.Errorf("load %s: %w", displayName(root), err)
		}
	}

	n := 0
	firstSource := map[string]string{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return failures, fmt.Errorf("load: %w", err)
		}
		fails, err := loadFile(f, opts, func(d loaded) error {
			if prev, dup := firstSource[d.doc.ID]; dup {
				failures = append(failures, Failure{Source: d.shown, Err: fmt.Errorf("duplicate document id %q (already loaded from %s)", d.doc.ID, prev)})
				return nil
			}
			firstSource[d.doc.ID] = d.shown
			n++
			return yield(d.doc)
		})
		failures = append(failures, fails...)
		if err != nil {
			return failures, err
		}
	}
	if n == 0 {
		shown := make([]string, len(paths))
		for i, p := range paths {
			shown[i] = displayName(p)
		}
		return failures, fmt.Errorf("load %s: no usable documents: %s", strings.Join(shown, ", "), failureSummary(failures))
	}
	return failures, nil
}

// maxListedFailures bounds the failures named in Load's error.
const maxListedFailures = 10

// failureSummary lists the first failures and counts the others.
func failureSummary(failures []Failure) string {
	if len(failures) == 0 {
		return "no file of a supported type (.md, .markdown, .txt, .html, .htm, .jsonl, .docx, .pdf)"
	}
	var parts []string
	for _, f := range failures[:min(len(failures), maxListedFailures)] {
		parts = append(parts, f.Error())
	}
	s := strings.Join(parts, "; ")
	if n := len(failures) - maxListedFailures; n > 0 {
		s += fmt.Sprintf("; and %d more", n)
	}
	return s
}

// sourceFile is a file to load: its path as walked or given, its absolute
// path and its document ID.
type sourceFile struct {
	path, abs, id string
}

// loaded is a parsed document with the source shown in failures.
type loaded struct {
	doc   briefbot.Document
	shown string
}

// loadFile reads the documents of one source file, handing each to emit,
// and returns the failures met; its error is emit's.
func loadFile(sf sourceFile, opts Options, emit func(loaded) error) ([]Failure, error) {
	p := sf.path
	f, _ := FormatOf(p)
	data, err := readLimited(p, maxFileBytes)
	if f == FormatJSONL && errors.Is(err, boundedfile.ErrTooLarge) {
		// A collection of many records: read as a stream, each record
		// bounded.
		return loadJSONLStream(sf, opts.normalized(), emit)
	}
	if err != nil {
		return []Failure{failure(p, err)}, nil
	}
	if !binaryFormat(f) {
		if data, err = decodeText(data); err != nil {
			return []Failure{failure(p, err)}, nil
		}
	}
	opts = opts.normalized()
	if f == FormatJSONL {
		j := jsonlEmitter{sf: sf, emit: emit}
		bad, err := eachJSONL(sf.abs, data, opts, j.doc)
		return j.failures(bad), err
	}
	m, err := readSidecar(p)
	if err != nil {
		return []Failure{failure(p, err)}, nil
	}
	doc, err := parseSingle(sf.id, sf.abs, data, f, m, opts)
	if err != nil {
		return []Failure{failure(p, err)}, nil
	}
	return nil, emit(loaded{doc: doc, shown: displayName(p)})
}

// loadJSONLStream loads a JSONL file too large to read whole, record by
// record (see streamJSONL).
func loadJSONLStream(sf sourceFile, opts Options, emit func(loaded) error) ([]Failure, error) {
	f, err := boundedfile.Open(sf.path)
	if err != nil {
		return []Failure{failure(sf.path, err)}, nil
	}
	defer f.Close()
	j := jsonlEmitter{sf: sf, emit: emit}
	bad, err := streamJSONLEach(sf.abs, f, maxJSONLRecord, opts, j.doc)
	switch {
	case j.err != nil:
		return j.failures(bad), j.err
	case err != nil:
		return []Failure{failure(sf.path, err)}, nil
	}
	return j.failures(bad), nil
}

// jsonlEmitter hands the documents of a JSONL file to emit, each with the
// source shown in failures, and counts them.
type jsonlEmitter struct {
	sf   sourceFile
	emit func(loaded) error
	n    int
	err  error // emit's
}

func (j *jsonlEmitter) doc(d briefbot.Document) error {
	j.n++
	j.err = j.emit(loaded{doc: d, shown: displayName(j.sf.path) + strings.TrimPrefix(d.Source, j.sf.abs)})
	return j.err
}

// failures is what loadFile reports for the file's bad lines, or for a
// file without a document.
func (j *jsonlEmitter) failures(bad []*LineError) []Failure {
	p := j.sf.path
	var fails []Failure
	for _, e := range bad {
		fails = append(fails, Failure{Source: fmt.Sprintf("%s:%d", displayName(p), e.Line), Err: escapedError{e.Err}})
	}
	if j.n == 0 && len(bad) == 0 {
		fails = append(fails, failure(p, ErrNoText))
	}
	return fails
}
