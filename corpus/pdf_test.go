package corpus

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/briefbot/briefbot"
)

// pdfTestBound is how long any single parse in these tests may take; a
// hostile file must be refused well within it, never hang.
const pdfTestBound = 30 * time.Second

// genPDF writes a report of n pages: a running head, a "Page N of M" foot,
// a chapter heading per page in larger type, a marker sentence naming the
// page, a word broken at a line end ("infor-mation"), a compound broken at
// a line end that the text also spells whole ("long-term"), and on every
// third page two columns.
func genPDF(t testing.TB, n int, title string) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	if title != "" {
		pdf.SetTitle(title, true)
		pdf.SetAuthor("Jane Doe, John Roe", true)
	}
	pdf.SetCreationDate(time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC))
	pdf.SetHeaderFunc(func() {
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(0, 8, "Field Notes - Internal Draft", "", 1, "C", false, 0, "")
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(0, 8, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AliasNbPages("")
	rivers := []string{"Rhine", "Danube", "Loire", "Elbe", "Oder", "Tagus", "Ebro", "Po", "Vistula", "Seine"}
	for p := 1; p <= n; p++ {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "B", 16)
		pdf.CellFormat(0, 10, fmt.Sprintf("The %s Basin", rivers[(p-1)%len(rivers)]), "", 1, "L", false, 0, "")
		pdf.SetFont("Times", "", 11)
		pdf.CellFormat(0, 5, fmt.Sprintf("Marker %d: the committee gathered infor-", p), "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 5, "mation about well-known reservoirs and their long-", "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 5, "term storage, since long-term planning needs it.", "", 1, "L", false, 0, "")
		pdf.Ln(4)
		for k := 1; k <= 2; k++ {
			pdf.MultiCell(0, 5, fmt.Sprintf("Paragraph %d on page %d. Water managers balance irrigation demand against municipal supply, and the seasonal snowpack determines how much can be stored. Ecological flows matter for fish, which need cold water in late summer.", k, p), "", "J", false)
			pdf.Ln(3)
		}
		if p%3 == 0 {
			y := pdf.GetY()
			pdf.SetXY(10, y)
			pdf.MultiCell(90, 5, fmt.Sprintf("Left column %d about aquifers: groundwater recharge is slow and pumping lowers the water table over decades.", p), "", "L", false)
			pdf.SetXY(110, y)
			pdf.MultiCell(90, 5, fmt.Sprintf("Right column %d about canals: lined canals lose less water to seepage than earthen ones do.", p), "", "L", false)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// parsePDFBounded parses within pdfTestBound and fails the test when the
// bound is exceeded.
func parsePDFBounded(t testing.TB, name string, data []byte, opts Options) (briefbot.Document, []string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pdfTestBound)
	defer cancel()
	start := time.Now()
	doc, warnings, err := parsePDF(ctx, docIDFromName(name), name, data, opts)
	if time.Since(start) >= pdfTestBound || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s: parse took %v: %v", name, time.Since(start), err)
	}
	return doc, warnings, err
}

func passageWith(doc briefbot.Document, s string) (briefbot.Passage, bool) {
	for _, p := range doc.Passages {
		if strings.Contains(p.Text, s) {
			return p, true
		}
	}
	return briefbot.Passage{}, false
}

func allText(doc briefbot.Document) string {
	var b strings.Builder
	for _, p := range doc.Passages {
		b.WriteString(p.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestPDFPassagesCarryPages(t *testing.T) {
	const n = 7
	doc, warnings, err := parsePDFBounded(t, "field-notes.pdf", genPDF(t, n, "Field Notes on Water Policy"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %q", warnings)
	}
	if doc.ID != "field-notes" || doc.Title != "Field Notes on Water Policy" {
		t.Errorf("id %q title %q", doc.ID, doc.Title)
	}
	if want := []string{"Jane Doe", "John Roe"}; fmt.Sprint(doc.Authors) != fmt.Sprint(want) {
		t.Errorf("authors %q, want %q", doc.Authors, want)
	}
	if got := doc.Published.Format("2006-01-02"); got != "2024-03-05" {
		t.Errorf("published %s", got)
	}
	for p := 1; p <= n; p++ {
		for _, marker := range []string{fmt.Sprintf("Marker %d:", p), fmt.Sprintf("Paragraph 2 on page %d.", p)} {
			ps, ok := passageWith(doc, marker)
			if !ok {
				t.Errorf("no passage holds %q", marker)
				continue
			}
			if ps.Page != p {
				t.Errorf("%q cited on page %d, want %d", marker, ps.Page, p)
			}
		}
	}
	text := allText(doc)
	for _, gone := range []string{"Internal Draft", "of 7", "infor-", "informa tion"} {
		if strings.Contains(text, gone) {
			t.Errorf("text holds %q", gone)
		}
	}
	for _, kept := range []string{
		"the committee gathered information about well-known reservoirs and their long-term storage, since long-term planning",
		"Left column 3 about aquifers: groundwater recharge is slow and pumping lowers the water table over decades.",
		"Right column 6 about canals",
	} {
		if !strings.Contains(text, kept) {
			t.Errorf("text lacks %q:\n%s", kept, text)
		}
	}
	// Chapter headings (larger type) are sections, each on its page.
	if len(doc.Sections) != n || doc.Sections[1] != "The Danube Basin" {
		t.Errorf("sections %q", doc.Sections)
	}
	if ps, _ := passageWith(doc, "Marker 2:"); ps.Section != "The Danube Basin" {
		t.Errorf("marker 2 in section %q", ps.Section)
	}
}

func TestPDFTitleFallbacks(t *testing.T) {
	// Without metadata, the first heading is the title...
	doc, _, err := parsePDFBounded(t, "report.pdf", genPDF(t, 2, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "The Rhine Basin" {
		t.Errorf("title %q, want the first heading", doc.Title)
	}
	// ...and without a heading, the file name.
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Times", "", 11)
	pdf.MultiCell(0, 5, "Just one paragraph of plain body text that goes on for a while, so that it is not mistaken for a title line of any kind at all.", "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	doc, _, err = parsePDFBounded(t, "memo-7.pdf", buf.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "memo-7" || len(doc.Passages) != 1 || doc.Passages[0].Page != 1 {
		t.Errorf("title %q, passages %+v", doc.Title, doc.Passages)
	}
}

// TestPDFRealFHS reads the Filesystem Hierarchy Standard 3.0 as Debian's
// debian-policy package ships it (LaTeX-free DocBook output, no one here
// wrote it).
func TestPDFRealFHS(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "pdf", "fhs-3.0.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	doc, warnings, err := parsePDFBounded(t, "fhs-3.0.pdf", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Filesystem Hierarchy Standard" || doc.Published.Format("2006-01-02") != "2015-05-18" {
		t.Errorf("title %q, published %v", doc.Title, doc.Published)
	}
	t.Logf("%d passages, %d sections, warnings %q", len(doc.Passages), len(doc.Sections), warnings)
	cases := []struct {
		text string
		page int
	}{
		{"This standard consists of a set of requirements and guidelines for file and directory placement", 2},
		{"This release is dedicated to the memory of Christopher Yeoh", 3},
	}
	for _, c := range cases {
		ps, ok := passageWith(doc, c.text)
		if !ok || ps.Page != c.page {
			t.Errorf("%q: found %v on page %d, want page %d", c.text, ok, ps.Page, c.page)
		}
	}
	last := 0
	for _, p := range doc.Passages {
		if p.Page < last || p.Page < 1 || p.Page > 50 {
			t.Fatalf("passage %s on page %d after page %d", p.ID, p.Page, last)
		}
		last = p.Page
	}
	if last < 45 {
		t.Errorf("last passage on page %d of 50", last)
	}
	if !strings.Contains(allText(doc), "/usr/share/man") {
		t.Error("the manual pages folder is not named")
	}
}

func TestPDFRefusals(t *testing.T) {
	five := genPDF(t, 5, "Five")
	if _, _, err := parsePDFBounded(t, "five.pdf", five, Options{MaxPDFPages: 4}); !errors.Is(err, ErrTooManyPages) || !strings.Contains(err.Error(), "5 pages, the limit is 4") {
		t.Errorf("page limit: %v", err)
	}
	if _, _, err := parsePDFBounded(t, "five.pdf", five, Options{MaxPDFPages: 5}); err != nil {
		t.Errorf("at the page limit: %v", err)
	}

	locked := fpdf.New("P", "mm", "A4", "")
	locked.SetProtection(fpdf.CnProtectPrint, "secret", "owner")
	locked.AddPage()
	locked.SetFont("Times", "", 11)
	locked.Cell(0, 5, "Secret text.")
	var buf bytes.Buffer
	if err := locked.Output(&buf); err != nil {
		t.Fatal(err)
	}
	if _, _, err := parsePDFBounded(t, "locked.pdf", buf.Bytes(), Options{}); !errors.Is(err, ErrEncryptedPDF) || err.Error() != "encrypted PDF: remove the password first" {
		t.Errorf("encrypted: %v", err)
	}

	// Pages without text: a scanned document has none at all.
	blank := fpdf.New("P", "mm", "A4", "")
	blank.AddPage()
	blank.Rect(20, 20, 50, 50, "F")
	blank.AddPage()
	buf.Reset()
	if err := blank.Output(&buf); err != nil {
		t.Fatal(err)
	}
	_, warnings, err := parsePDFBounded(t, "scan.pdf", buf.Bytes(), Options{})
	if !errors.Is(err, ErrNoText) || fmt.Sprint(warnings) != "[no text layer: scanned PDF?]" {
		t.Errorf("scanned: %v %q", err, warnings)
	}

	some := fpdf.New("P", "mm", "A4", "")
	some.SetFont("Times", "", 11)
	some.AddPage()
	some.MultiCell(0, 5, strings.Repeat("A first page with enough text to make a passage: the reservoir was full in spring and low in autumn. ", 3), "", "L", false)
	some.AddPage()
	some.AddPage()
	some.AddPage()
	some.MultiCell(0, 5, strings.Repeat("A fourth page with text again, after two blank pages that held only pictures in the original. ", 3), "", "L", false)
	buf.Reset()
	if err := some.Output(&buf); err != nil {
		t.Fatal(err)
	}
	doc, warnings, err := parsePDFBounded(t, "some.pdf", buf.Bytes(), Options{})
	if err != nil || fmt.Sprint(warnings) != "[2 pages without text]" {
		t.Errorf("blank pages: %v %q", err, warnings)
	}
	if ps, ok := passageWith(doc, "A fourth page"); !ok || ps.Page != 4 {
		t.Errorf("fourth page's passage: %+v", ps)
	}
}

func TestPDFContextCancelled(t *testing.T) {
	data := genPDF(t, 3, "Cancelled")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := parsePDF(ctx, "c", "c.pdf", data, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled parse: %v", err)
	}
	// The reader still works for the next document.
	if _, _, err := parsePDFBounded(t, "after.pdf", data, Options{}); err != nil {
		t.Errorf("after a cancelled parse: %v", err)
	}
}

// hostilePDFs are corrupt or malicious files: each must be refused or read
// without a panic, a hang or unbounded memory.
func hostilePDFs(t testing.TB) map[string][]byte {
	good := genPDF(t, 3, "Good")
	flipped := bytes.Clone(good)
	for i := 200; i < len(flipped); i += 97 {
		flipped[i] ^= 0x5a
	}
	return map[string][]byte{
		"empty":       {},
		"header-only": []byte("%PDF-1.7\n"),
		"garbage":     bytes.Repeat([]byte("not a pdf at all \x00\xff"), 1000),
		"truncated":   good[:len(good)/2],
		"flipped":     flipped,
		"cyclic":      cyclicPDF(),
		"bomb":        bombPDF(t, 1<<30),
		"deep-arrays": minimalPDF("BT /F1 12 Tf 72 700 Td " + strings.Repeat("[", 100000) + " ET"),
		"huge-count":  []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 2000000000>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"),
	}
}

// minimalPDF is a one-page PDF whose page has the given content stream;
// PDFium rebuilds the missing cross-reference table.
func minimalPDF(content string) []byte {
	return fmt.Appendf(nil, "%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"+
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>endobj\n"+
		"4 0 obj<</Length %d>>stream\n%s\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n", len(content), content)
}

// cyclicPDF's page tree is its own child.
func cyclicPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[2 0 R 3 0 R]/Count 2>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 3 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
}

// bombPDF's content stream inflates to size bytes from about size/1000:
// a deflate block of zeros is repeated (the checksum is wrong, which a
// decoder notices only at the end).
func bombPDF(t testing.TB, size int) []byte {
	t.Helper()
	const chunk = 1 << 20
	var block bytes.Buffer
	w, _ := zlib.NewWriterLevel(&block, zlib.BestCompression)
	if _, err := w.Write(make([]byte, chunk)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	b := block.Bytes()
	head, body := b[:2], b[2:] // the zlib header, then sync-flushed blocks
	var stream bytes.Buffer
	stream.Write(head)
	for range size / chunk {
		stream.Write(body)
	}
	stream.Write([]byte{0x03, 0x00, 0, 0, 0, 0}) // final empty block, bad checksum
	var out bytes.Buffer
	fmt.Fprintf(&out, "%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"+
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n4 0 obj<</Length %d/Filter/FlateDecode>>stream\n", stream.Len())
	out.Write(stream.Bytes())
	out.WriteString("\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	return out.Bytes()
}

func TestPDFBombRefused(t *testing.T) {
	bomb := bombPDF(t, 1<<30)
	start := time.Now()
	_, _, err := parsePDFBounded(t, "bomb.pdf", bomb, Options{})
	// Refused by the inflate check (0.2 s; 5 s under the race
	// detector), long before the one-minute time-out would stop it.
	if !errors.Is(err, ErrPDFTooLarge) || time.Since(start) > 20*time.Second {
		t.Errorf("a 1 GiB bomb: %v after %v", err, time.Since(start))
	}
	// Below the bound, the same construction is read (and has no text).
	if _, _, err := parsePDFBounded(t, "small-bomb.pdf", bombPDF(t, 4<<20), Options{}); !errors.Is(err, ErrNoText) {
		t.Errorf("a 4 MiB stream of zeros: %v", err)
	}
}

func TestPDFHostile(t *testing.T) {
	for name, data := range hostilePDFs(t) {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			doc, warnings, err := parsePDFBounded(t, name+".pdf", data, Options{})
			t.Logf("%v: %d passages, warnings %q, err %v", time.Since(start).Round(time.Millisecond), len(doc.Passages), warnings, err)
			if err == nil && len(doc.Passages) == 0 {
				t.Error("no error and no passages")
			}
		})
	}
}

func TestPDFThroughParseAndLoad(t *testing.T) {
	data := genPDF(t, 2, "Loaded Notes")
	if f, ok := FormatOf("x/Report.PDF"); !ok || f != FormatPDF {
		t.Fatalf("FormatOf: %q %v", f, ok)
	}
	docs, err := Parse("notes.pdf", data, FormatPDF, Options{})
	if err != nil || len(docs) != 1 || docs[0].Passages[0].Page != 1 {
		t.Fatalf("Parse: %v %+v", err, docs)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.pdf"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.pdf"), data[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	docs, failures, err := Load(context.Background(), []string{dir}, Options{})
	if err != nil || len(docs) != 1 || docs[0].Title != "Loaded Notes" {
		t.Fatalf("Load: %v %+v", err, docs)
	}
	if len(failures) != 1 || !errors.Is(failures[0].Err, ErrBadPDF) {
		t.Errorf("failures %v", failures)
	}
}

func TestPDFMendHyphen(t *testing.T) {
	vocab := map[string]bool{"long-term": true, "well-known": true, "wellknown": true}
	cases := []struct{ left, right, want string }{
		{"infor", "mation about", "information about"},
		{"their long", "term plans", "their long-term plans"},
		{"a well", "known fact", "a wellknown fact"}, // both spellings: join
		{"Franco", "German ties", "Franco-German ties"},
		{"COVID", "19 cases", "COVID-19 cases"},
	}
	for _, c := range cases {
		if got := pdfMendHyphen(c.left, c.right, vocab); got != c.want {
			t.Errorf("mend(%q, %q) = %q, want %q", c.left, c.right, got, c.want)
		}
	}
}

func BenchmarkPDF(b *testing.B) {
	data := genPDF(b, 50, "Bench")
	if _, _, err := parsePDFBounded(b, "bench.pdf", data, Options{}); err != nil {
		b.Fatal(err) // also starts the reader outside the timing
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := parsePDF(context.Background(), "bench", "bench.pdf", data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(50/sec, "pages/s")
	b.ReportMetric(float64(len(data))/1e6/sec, "MB/s")
}

// FuzzPDF feeds mutations of small PDFs (testdata/pdf/seed-*.pdf: a
// generated report, a hand-written page, a cyclic page tree) to parsePDF:
// it must answer within the bound, without panicking, and any document it
// returns must be well formed, its pages in order.
func FuzzPDF(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "pdf", "seed-*.pdf"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _, err := parsePDFBounded(t, "fuzz.pdf", data, Options{})
		if err != nil {
			return
		}
		checkDocInvariants(t, doc, Options{})
		last := 1
		for _, p := range doc.Passages {
			if p.Page < last {
				t.Errorf("passage %s on page %d after page %d", p.ID, p.Page, last)
			}
			last = p.Page
		}
	})
}
