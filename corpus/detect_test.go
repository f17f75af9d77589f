package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDetectFormat(t *testing.T) {
	docx := docxOf(t, wp("", "Hello."))
	pdf := "%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
	long := `{"id":"a","text":"` + strings.Repeat("word ", 20_000) + `"}`
	tests := []struct {
		name string
		data string
		want Format
		err  error
		msg  string
	}{
		{"a.pdf", pdf, FormatPDF, nil, ""},
		{"notes.md", pdf, FormatPDF, nil, ""},
		{"x.bin", "garbage from a mailer\n" + pdf, FormatPDF, nil, ""},
		{"quote.txt", "The header is %PDF-1.7, as the spec says.", FormatText, nil, ""},
		{"r.docx", string(docx), FormatDOCX, nil, ""},
		{"r.txt", string(docx), FormatDOCX, nil, ""},
		{"s.xlsx", string(zipParts(t, part{"[Content_Types].xml", contentTypes}, part{"xl/workbook.xml", "<x/>"})), "", ErrUnsupported, "looks like a ZIP archive that is not a Word document (an Excel workbook)"},
		{"o.odt", string(zipParts(t, part{"mimetype", "application/vnd.oasis.opendocument.text"}, part{"content.xml", "<x/>"})), "", ErrUnsupported, "OpenDocument"},
		{"a.zip", string(zipParts(t, part{"a.txt", "hi"})), "", ErrUnsupported, "a ZIP archive that is not a Word document;"},
		{"no-ct.docx", string(zipParts(t, part{"word/document.xml", wdoc("")})), "", ErrCorrupt, "no [Content_Types].xml"},
		{"cut.docx", string(docx[:len(docx)-30]), "", ErrCorrupt, "cannot be read"},
		{"p.md", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "", ErrUnsupported, "looks like an image (PNG)"},
		{"j.jpg", "\xff\xd8\xff\xe0\x00\x10JFIF\x00", "", ErrUnsupported, "an image (JPEG)"},
		{"g.gif", "GIF89a\x01\x00\x01\x00", "", ErrUnsupported, "an image (GIF)"},
		{"prog", "\x7fELF\x02\x01\x01\x00\x00", "", ErrUnsupported, "a program (ELF)"},
		{"old.doc", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "", ErrUnsupported, "save it as .docx"},
		{"r.rtf", `{\rtf1\ansi Hello}`, "", ErrUnsupported, "RTF"},
		{"n.txt", "text\x00with a NUL byte", "", ErrUnsupported, "binary data"},
		{"mixed.txt", "caf\xc3\xa9 " + strings.Repeat("some words \xff ", 30), "", ErrUnsupported, "not UTF-8 text"},
		{"latin1.txt", "caf\xe9 cr\xe8me br\xfbl\xe9e, a dessert.", FormatText, nil, ""},
		{"empty.md", " \n\t\n", "", ErrNoText, "empty"},
		{"page", "<!DOCTYPE html><html><body><p>Hi</p></body></html>", FormatHTML, nil, ""},
		{"page.md", "\n  <!-- saved --><html lang=en><p>Hi", FormatHTML, nil, ""},
		{"page.txt", "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>x</body></html>", FormatHTML, nil, ""},
		{"frag", "<p>A fragment of a page.</p>", FormatHTML, nil, ""},
		{"frag.md", "<p>Markdown may open with a tag.</p>\n\n# Title\n", FormatMarkdown, nil, ""},
		{"frag.html", "A page without tags at the start <b>bold</b>.", FormatHTML, nil, ""},
		{"d.jsonl", `{"id":"a","text":"x"}` + "\n\n" + `{"id":"b","text":"y"}` + "\n", FormatJSONL, nil, ""},
		{"d", long + "\n" + long, FormatJSONL, nil, ""},
		{"d.jsonl", `{"id":"a","text":"x"}` + "\nnot json\n", FormatJSONL, nil, ""},
		{"d.txt", `{"id":"a","text":"x"}` + "\nnot json\n", FormatText, nil, ""},
		{"note", "# Title\n\nSome *text* with a [link](https://x.example).\n", FormatMarkdown, nil, ""},
		{"note.txt", "# Title\n\nSome text.\n", FormatText, nil, ""},
		{"note", "Just a few lines\nof plain prose.\n", FormatText, nil, ""},
		{"note.md", "Just a few lines\nof plain prose.\n", FormatMarkdown, nil, ""},
		{"utf16.txt", "\xff\xfeH\x00i\x00!\x00", FormatText, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := DetectFormat(tc.name, []byte(tc.data))
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("DetectFormat = %q, %v; want %v with %q", f, err, tc.err, tc.msg)
				}
				return
			}
			if err != nil || f != tc.want {
				t.Errorf("DetectFormat = %q, %v; want %q", f, err, tc.want)
			}
		})
	}
}

func TestParseUpload(t *testing.T) {
	ctx := context.Background()
	doc, warnings, err := ParseUpload(ctx, "Quarterly Report.docx", docxOf(t, reportBody), Options{})
	if err != nil || doc.ID != "Quarterly Report" || doc.Source != "Quarterly Report.docx" || len(warnings) != 1 {
		t.Errorf("docx: ID %q source %q warnings %q err %v", doc.ID, doc.Source, warnings, err)
	}
	doc, _, err = ParseUpload(ctx, "", []byte("# Notes\n\nThe meeting moved to Tuesday.\n"), Options{})
	if err != nil || doc.ID != "upload" || doc.Title != "Notes" {
		t.Errorf("unnamed: ID %q title %q err %v", doc.ID, doc.Title, err)
	}
	doc, _, err = ParseUpload(ctx, "rec.jsonl", []byte(`{"id":"r1","title":"One","text":"The only record."}`), Options{})
	if err != nil || doc.ID != "r1" {
		t.Errorf("one record: ID %q err %v", doc.ID, err)
	}
	refusals := []struct {
		name string
		data []byte
		opts Options
		want error
		msg  string
	}{
		{"big.md", []byte(strings.Repeat("word ", 300)), Options{MaxDocumentBytes: 1000}, ErrTooLarge, "big.md: too large: 1.5 KB, the limit is 1000 B"},
		{"scan.pdf", []byte("%PDF-1.4\n"), Options{}, ErrCorrupt, "scan.pdf (pdf): not a readable PDF"},
		{"pic.docx", []byte("\x89PNG\r\n\x1a\n\x00\x00"), Options{}, ErrUnsupported, "pic.docx: unsupported file: looks like an image (PNG)"},
		{"recs.jsonl", []byte("{\"id\":1,\"text\":\"a\"}\n{\"id\":2,\"text\":\"b\"}\n{\"id\":3,\"text\":\"c\"}\n"), Options{}, ErrUnsupported, "JSONL with 3 records: add it as a configured file instead"},
		{"bad.jsonl", []byte(`{"text":"no id"}`), Options{}, nil, `missing "id"`},
		{"bomb.docx", zipRaw(t, "word/document.xml", 200<<20, []byte{3, 0}, part{"[Content_Types].xml", contentTypes}), Options{}, ErrLimit, "zip bomb"},
		{"slow.md", []byte("# T\n\nText."), Options{ParseTimeout: time.Nanosecond}, ErrParseTimeout, "parse time-out"},
		{"empty.txt", nil, Options{}, ErrNoText, "empty"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseUpload(ctx, tc.name, tc.data, tc.opts)
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want %v with %q", err, tc.want, tc.msg)
			}
		})
	}
	if !errors.Is(ErrParseTimeout, context.DeadlineExceeded) {
		t.Error("ErrParseTimeout does not wrap context.DeadlineExceeded")
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := ParseUpload(canceled, "a.md", []byte("Text."), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

// TestLoadDOCX: a Word file in a configured folder is read like the
// others, its bytes not taken for broken text.
func TestLoadDOCX(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "report.docx"), docxOf(t, reportBody), 0o644); err != nil {
		t.Fatal(err)
	}
	docs, failures, err := Load(context.Background(), []string{dir}, Options{})
	if err != nil || len(failures) > 0 || len(docs) != 1 || docs[0].ID != "report" || len(docs[0].Passages) == 0 {
		t.Fatalf("docs %d failures %v err %v", len(docs), failures, err)
	}
}

func FuzzParseUpload(f *testing.F) {
	f.Add("a.md", []byte("# T\n\nText with a [link](https://x)."))
	f.Add("a.html", []byte("<!doctype html><title>T</title><p>Hi"))
	f.Add("a.jsonl", []byte(`{"id":"a","text":"x"}`))
	f.Add("a.docx", docxOf(f, reportBody))
	f.Add("a.pdf", []byte("%PDF-1.4\n"))
	f.Add("a.png", []byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		f, err := DetectFormat(name, data)
		doc, _, uerr := ParseUpload(context.Background(), name, data, Options{})
		if (err != nil) && uerr == nil {
			t.Fatalf("DetectFormat refused (%v) what ParseUpload took", err)
		}
		if uerr != nil {
			var le *LineError
			for _, known := range []error{ErrUnsupported, ErrCorrupt, ErrLimit, ErrNoText, ErrMalformedHTML, ErrTooLarge} {
				if errors.Is(uerr, known) {
					return
				}
			}
			if errors.As(uerr, &le) {
				return
			}
			t.Fatalf("unexpected error (format %q): %v", f, uerr)
		}
		checkDocInvariants(t, doc, Options{})
	})
}
