package corpus

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
)

// part is one entry of a test archive.
type part struct{ name, body string }

// zipParts writes an archive of parts, deflated.
func zipParts(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"`

const contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`

const testStyles = `<?xml version="1.0" encoding="UTF-8"?><w:styles ` + wNS + `>
<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Titre"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>
<w:style w:type="paragraph" w:styleId="MyChapter"><w:name w:val="Chapter"/><w:basedOn w:val="Heading2"/></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/></w:style>
</w:styles>`

const testNumbering = `<?xml version="1.0" encoding="UTF-8"?><w:numbering ` + wNS + `>
<w:abstractNum w:abstractNumId="10"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val=""/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="11"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1.%2)"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="11"/></w:num>
</w:numbering>`

const testRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/site" TargetMode="External"/><Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`

const testCore = `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Core Title</dc:title><dc:creator>Jane Doe; John Roe</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2024-02-03T10:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2024-05-06T10:00:00Z</dcterms:modified></cp:coreProperties>`

const testFootnotes = `<?xml version="1.0" encoding="UTF-8"?><w:footnotes ` + wNS + `><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="7"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> The survey ran from March to May.</w:t></w:r></w:p></w:footnote><w:footnote w:id="8"><w:p><w:r><w:t>An unreferenced note.</w:t></w:r></w:p></w:footnote></w:footnotes>`

// wp is a paragraph of style (none when "") holding runs of text.
func wp(style string, runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	if style != "" {
		b.WriteString(`<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`)
	}
	for _, r := range runs {
		b.WriteString(`<w:r><w:t xml:space="preserve">` + r + `</w:t></w:r>`)
	}
	b.WriteString("</w:p>")
	return b.String()
}

// wli is a list paragraph of numbering numID at level ilvl.
func wli(numID, ilvl, text string) string {
	return `<w:p><w:pPr><w:numPr><w:ilvl w:val="` + ilvl + `"/><w:numId w:val="` + numID + `"/></w:numPr></w:pPr><w:r><w:t>` + text + `</w:t></w:r></w:p>`
}

func wdoc(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wNS + `><w:body>` + body + `<w:sectPr><w:pgSz w:w="12240"/></w:sectPr></w:body></w:document>`
}

// docxOf builds a Word document of body with the test styles, numbering,
// relationships, metadata and footnotes; extra parts are added or replace
// those of the same name.
func docxOf(t testing.TB, body string, extra ...part) []byte {
	t.Helper()
	parts := []part{
		{"[Content_Types].xml", contentTypes},
		{"word/document.xml", wdoc(body)},
		{"word/styles.xml", testStyles},
		{"word/numbering.xml", testNumbering},
		{"word/_rels/document.xml.rels", testRels},
		{"word/footnotes.xml", testFootnotes},
		{"docProps/core.xml", testCore},
	}
	for _, e := range extra {
		replaced := false
		for i := range parts {
			if parts[i].name == e.name {
				parts[i], replaced = e, true
			}
		}
		if !replaced {
			parts = append(parts, e)
		}
	}
	var kept []part
	for _, p := range parts {
		if p.body != "\x00drop" {
			kept = append(kept, p)
		}
	}
	return zipParts(t, kept...)
}

// drop removes a part from docxOf's archive.
func drop(name string) part { return part{name, "\x00drop"} }

var reportBody = wp("Titre", "Quarterly Report: Café Ünïcode ✓") +
	`<w:p><w:r><w:t xml:space="preserve">This report is published on </w:t></w:r><w:hyperlink r:id="rId5"><w:r><w:t>our site</w:t></w:r></w:hyperlink><w:r><w:t xml:space="preserve"> every quarter, in three languages.</w:t></w:r></w:p>` +
	wp("berschrift1", "Background") +
	`<w:p><w:r><w:t xml:space="preserve">Sales grew in every region</w:t></w:r><w:r><w:footnoteReference w:id="7"/></w:r><w:r><w:t xml:space="preserve"> except one. </w:t></w:r><w:del w:id="1"><w:r><w:delText>DELETED WORDS</w:delText></w:r></w:del><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>HYPERLINK "x"</w:instrText></w:r><w:r><w:t>日本語のテキスト 🎉</w:t></w:r></w:p>` +
	wp("", "The steps are:") +
	wli("2", "0", "Collect the figures") +
	wli("2", "1", "Check the totals") +
	wli("2", "0", "Publish the report") +
	wp("ListBullet", "A bullet from the style") +
	wli("1", "0", "Another bullet") +
	wp("MyChapter", "Figures") +
	`<w:tbl><w:tr><w:tc>` + wp("", "Region") + `</w:tc><w:tc>` + wp("", "Sales") + `</w:tc></w:tr>` +
	`<w:tr><w:tc>` + wp("", "Nord") + `</w:tc><w:tc></w:tc><w:tc>` + wp("", "12") + wp("", "units") + `</w:tc></w:tr></w:tbl>` +
	`<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>` + wp("", "Boxed note text.") + `</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent>` + wp("", "Boxed note text.") + `</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>The anchor paragraph.</w:t></w:r></w:p>` +
	`<w:p><w:r><w:drawing><pic:pic/></w:drawing></w:r></w:p>`

func TestDOCXReport(t *testing.T) {
	data := docxOf(t, reportBody)
	opts := Options{MinPassageChars: 1}
	doc, warnings, err := parseDOCX(context.Background(), "report", "report.docx", data, meta{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkDocInvariants(t, doc, opts)
	if doc.Title != "Quarterly Report: Café Ünïcode ✓" {
		t.Errorf("title %q", doc.Title)
	}
	if want := []string{"Jane Doe", "John Roe"}; !reflect.DeepEqual(doc.Authors, want) {
		t.Errorf("authors %q", doc.Authors)
	}
	if !doc.Published.Equal(time.Date(2024, 2, 3, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("published %v", doc.Published)
	}
	if want := []string{"Quarterly Report: Café Ünïcode ✓", "Background", "Figures", "Notes"}; !reflect.DeepEqual(doc.Sections, want) {
		t.Errorf("sections %q", doc.Sections)
	}
	if want := []string{"1 picture not read (only text is)"}; !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings %q", warnings)
	}
	all := ""
	for _, p := range doc.Passages {
		all += p.Section + ": " + p.Text + "\n"
	}
	for _, bad := range []string{"DELETED", "HYPERLINK", "Core Title"} {
		if strings.Contains(all, bad) {
			t.Errorf("%q in the text:\n%s", bad, all)
		}
	}
	if n := strings.Count(all, "Boxed note text."); n != 1 {
		t.Errorf("text box read %d times:\n%s", n, all)
	}
	tests := []struct{ needle, section, contains string }{
		{"This report is published on our site every quarter", "Quarterly Report: Café Ünïcode ✓", ""},
		{"Sales grew in every region[1] except one. 日本語のテキスト 🎉", "Background", ""},
		{"1. Collect the figures; 1.a) Check the totals; 2. Publish the report", "Background", "The steps are:"},
		{"• A bullet from the style; • Another bullet", "Background", ""},
		{"Region | Sales; Nord | 12 units", "Figures", ""},
		{"Boxed note text.", "Figures", ""},
		{"[1] The survey ran from March to May.", "Notes", ""},
	}
	for _, tc := range tests {
		ps := passagesWith(doc, tc.needle)
		if len(ps) != 1 {
			t.Errorf("%d passages hold %q:\n%s", len(ps), tc.needle, all)
			continue
		}
		if ps[0].Section != tc.section {
			t.Errorf("%q in section %q, want %q", tc.needle, ps[0].Section, tc.section)
		}
		if !strings.Contains(ps[0].Text, tc.contains) {
			t.Errorf("passage with %q lacks %q: %s", tc.needle, tc.contains, ps[0].Text)
		}
	}
	if strings.Contains(all, "unreferenced") {
		t.Errorf("unreferenced footnote read:\n%s", all)
	}
	ps := passagesWith(doc, "our site")
	if len(ps) == 1 && !reflect.DeepEqual(ps[0].Links, []briefbot.Link{{Text: "our site", URL: "https://example.org/site"}}) {
		t.Errorf("links %q", ps[0].Links)
	}
}

func TestDOCXTitleFallbacks(t *testing.T) {
	long := "This paragraph has enough words to be prose rather than a title line, and it says nothing at all of interest to anyone."
	tests := []struct {
		name, body string
		extra      []part
		title      string
		sections   []string
	}{
		{"first heading 1", wp("berschrift1", "Annual Review") + wp("", long) + wp("berschrift1", "Method") + wp("", long), nil,
			"Annual Review", []string{"Annual Review", "Method"}},
		{"core title", wp("", long) + wp("Heading2", "Method") + wp("", long), nil,
			"Core Title", []string{"Core Title", "Method"}},
		{"placeholder core title, no styles part", wp("Heading1", "Plan") + wp("", long),
			[]part{drop("word/styles.xml"), {"docProps/core.xml", strings.Replace(testCore, "Core Title", "Document1", 1)}},
			"Plan", []string{"Plan"}},
		{"outline level without a heading style", wp("", long) + `<w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>Scope</w:t></w:r></w:p>` + wp("", long), []part{drop("docProps/core.xml")},
			"doc", []string{"doc", "Scope"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, _, err := parseDOCX(context.Background(), "doc", "doc.docx", docxOf(t, tc.body, tc.extra...), meta{}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tc.title || !reflect.DeepEqual(doc.Sections, tc.sections) {
				t.Errorf("title %q, sections %q; want %q, %q", doc.Title, doc.Sections, tc.title, tc.sections)
			}
		})
	}
}

// zipRaw writes one stored-as-given entry whose header declares size
// bytes, whatever the data holds.
func zipRaw(t testing.TB, name string, declared uint64, deflated []byte, extra ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range extra {
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.body))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: uint64(len(deflated)), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deflated compresses data as a zip entry would.
func deflated(t testing.TB, data []byte) []byte {
	t.Helper()
	z := zipParts(t, part{"x", string(data)})
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.ReadFrom(rc)
	return out.Bytes()
}

func TestDOCXRefusals(t *testing.T) {
	ct := part{"[Content_Types].xml", contentTypes}
	// 8 MB of spaces inside the document element compress about 1000 times.
	bombXML := []byte(wdoc(wp("", "x") + strings.Repeat(" ", 8<<20)))
	bomb := deflated(t, bombXML)
	good := docxOf(t, wp("", "Some text."))
	tests := []struct {
		name string
		data []byte
		lim  docxLimits
		want error
		msg  string
	}{
		{"zip bomb by ratio", zipRaw(t, "word/document.xml", uint64(len(bombXML)), bomb, ct), defaultDOCXLimits, ErrLimit, "compressed"},
		{"declared size over the total", zipRaw(t, "word/document.xml", 200<<20, bomb, ct), defaultDOCXLimits, ErrLimit, "unpacks to more than 100.0 MB"},
		{"entry larger than declared", zipRaw(t, "word/document.xml", 1000, bomb, ct), defaultDOCXLimits, ErrCorrupt, ""},
		{"too many entries", good, docxLimits{entries: 3, uncompressed: 1 << 30, ratio: 1000, depth: 100, tokens: 1 << 20}, ErrLimit, "entries"},
		{"read beyond the total", good, docxLimits{entries: 100, uncompressed: 2000, ratio: 1000, depth: 100, tokens: 1 << 20}, ErrLimit, "unpacks"},
		{"too many tokens", good, docxLimits{entries: 100, uncompressed: 1 << 30, ratio: 1000, depth: 100, tokens: 20}, ErrLimit, "tokens"},
		{"XML nested too deep", docxOf(t, strings.Repeat("<w:sdt>", 50_000)+wp("", "deep")+strings.Repeat("</w:sdt>", 50_000)), defaultDOCXLimits, ErrLimit, "deep"},
		{"XML not well-formed", docxOf(t, "<w:p><w:r><w:t>open"), defaultDOCXLimits, ErrCorrupt, "document.xml"},
		{"truncated archive", good[:len(good)/2], defaultDOCXLimits, ErrCorrupt, "truncated"},
		{"no document part", zipParts(t, ct), defaultDOCXLimits, ErrCorrupt, "word/document.xml"},
		{"no text", docxOf(t, wp("", "  ")), defaultDOCXLimits, ErrNoText, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseDOCXLimited(context.Background(), "x", "x.docx", tc.data, meta{}, Options{}, tc.lim)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want %v with %q", err, tc.want, tc.msg)
			}
		})
	}
}

func TestDOCXStopsWhenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := docxOf(t, strings.Repeat(wp("", "A sentence of the long document."), 2000))
	if _, _, err := parseDOCX(ctx, "x", "x.docx", data, meta{}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if _, _, err := parseDOCX(context.Background(), "x", "x.docx", data, meta{}, Options{}); err != nil {
		t.Errorf("error %v", err)
	}
}

func TestDOCXSidecarWins(t *testing.T) {
	docs, err := Parse("dir/report.docx", docxOf(t, reportBody), FormatDOCX, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if docs[0].ID != "report" || docs[0].Title != "Quarterly Report: Café Ünïcode ✓" {
		t.Errorf("ID %q title %q", docs[0].ID, docs[0].Title)
	}
	doc, _, err := parseDOCX(context.Background(), "r", "r.docx", docxOf(t, reportBody), meta{title: "Given", authors: []string{"X Y"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Given" || !reflect.DeepEqual(doc.Authors, []string{"X Y"}) {
		t.Errorf("title %q authors %q", doc.Title, doc.Authors)
	}
}

func FuzzDOCX(f *testing.F) {
	f.Add([]byte(reportBody), true, uint16(0))
	f.Add([]byte(`<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl><w:p><w:r><w:footnoteReference w:id="7"/><w:txbxContent><w:p><w:r><w:t>b</w:t></w:r></w:txbxContent></w:r></w:p>`), true, uint16(45))
	f.Add(docxOf(f, reportBody), false, uint16(300))
	f.Fuzz(func(t *testing.T, data []byte, asBody bool, max uint16) {
		if asBody {
			// Most fuzzed bytes are not a ZIP archive: wrapping them as
			// the document's body reaches the XML walker.
			data = docxOf(t, string(data))
		}
		opts := fuzzOpts(max)
		doc, _, err := parseDOCX(context.Background(), "fuzz", "fuzz.docx", data, meta{}, opts)
		if err != nil {
			if !errors.Is(err, ErrNoText) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrLimit) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		checkParsed(t, []briefbot.Document{doc}, opts)
	})
}
