package corpus

// Word documents (.docx, Office Open XML) are read with archive/zip and
// encoding/xml alone: the text, styles and numbering are a few XML parts
// of a ZIP archive, and a streaming token walk over them is linear in
// their size, bounded (see the limits below) and needs no dependency.
// What is read:
//
//   - paragraphs, with their style: Heading 1–9 (by style name, style ID or
//     outline level, inherited through "based on") become sections; the
//     first Title-styled paragraph is the title;
//   - list paragraphs (numbering of the paragraph or of its style) become
//     list items written "• item" or with their number ("1.", "a.", "1.2.");
//   - tables, one line per row, cells joined with " | ";
//   - hyperlinks (their targets from the relationships part);
//   - text boxes, best effort: their paragraphs follow the paragraph that
//     anchors them (the Choice branch of mc:AlternateContent; the VML
//     Fallback repeats the same text and is skipped);
//   - footnotes and endnotes, as a "Notes" section at the end, with
//     "[n]" marks in the text where they are referenced;
//   - metadata from docProps/core.xml: dc:title (the title when no Title
//     paragraph or opening Heading 1 gives one), dc:creator (authors,
//     ";"-separated), dcterms:created (else dcterms:modified) as the date.
//
// Deleted revisions, field codes, comments, headers and footers are left
// out.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot"
)

// Zip-bomb and XML limits. A long real report (hundreds of pages, many
// pictures) is far within each; the limits are checked on the central
// directory before anything is decompressed, and again while reading,
// since a directory can lie.
const (
	// maxZipEntries bounds the archive's entries (a Word document has a
	// few dozen, plus its pictures).
	maxZipEntries = 10_000
	// maxDOCXUncompressed bounds the declared size of all entries, and the
	// bytes actually decompressed.
	maxDOCXUncompressed = 100 << 20
	// maxDOCXRatio bounds the compression ratio of an entry larger than
	// ratioFloor: real document XML compresses 5–30 times (a generated
	// one of repeated paragraphs measured 240), deflate at most about
	// 1000, which a bomb of repeated bytes reaches.
	maxDOCXRatio = 500
	ratioFloor   = 1 << 20
	// maxXMLDepth bounds element nesting; Word nests a few dozen deep
	// (tables in tables, text boxes).
	maxXMLDepth = 256
	// maxXMLTokens bounds the XML tokens of all parts together (about 15
	// bytes of XML each; a 500-page document has a few million).
	maxXMLTokens = 20_000_000
)

// OOXML namespaces: transitional and strict spellings.
const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsWStrict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	nsR       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRStrict = "http://purl.oclc.org/ooxml/officeDocument/relationships"
	nsMC      = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

func isW(n xml.Name) bool { return n.Space == nsW || n.Space == nsWStrict }

// wAttr returns the w:-namespaced attribute local of se ("val").
func wAttr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && (isW(a.Name) || a.Name.Space == "") {
			return a.Value
		}
	}
	return ""
}

func rAttr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && (a.Name.Space == nsR || a.Name.Space == nsRStrict) {
			return a.Value
		}
	}
	return ""
}

// docxReader holds the archive and the budgets shared by its parts.
type docxReader struct {
	ctx    context.Context
	files  map[string]*zip.File // by lower-cased name
	read   int64                // bytes decompressed so far
	tokens int
	limits docxLimits
}

// docxLimits are the limits above; tests lower them.
type docxLimits struct {
	entries      int
	uncompressed int64
	ratio        uint64
	depth        int
	tokens       int
}

var defaultDOCXLimits = docxLimits{entries: maxZipEntries, uncompressed: maxDOCXUncompressed, ratio: maxDOCXRatio, depth: maxXMLDepth, tokens: maxXMLTokens}

// parseDOCX parses a Word document. m holds metadata known from outside
// (a sidecar), which wins over the document's own. Warnings say what was
// left out.
func parseDOCX(ctx context.Context, id, source string, data []byte, m meta, opts Options) (briefbot.Document, []string, error) {
	return parseDOCXLimited(ctx, id, source, data, m, opts, defaultDOCXLimits)
}

func parseDOCXLimited(ctx context.Context, id, source string, data []byte, m meta, opts Options, lim docxLimits) (briefbot.Document, []string, error) {
	opts = opts.normalized()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return briefbot.Document{}, nil, fmt.Errorf("%w: not a readable ZIP archive (truncated or damaged): %w", ErrCorrupt, err)
	}
	if len(zr.File) > lim.entries {
		return briefbot.Document{}, nil, fmt.Errorf("%w: the archive has %d entries, the limit is %d", ErrLimit, len(zr.File), lim.entries)
	}
	r := &docxReader{ctx: ctx, files: map[string]*zip.File{}, limits: lim}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(lim.uncompressed) {
			return briefbot.Document{}, nil, fmt.Errorf("%w: the archive unpacks to more than %s (a zip bomb?)", ErrLimit, byteSize(lim.uncompressed))
		}
		if f.UncompressedSize64 > ratioFloor && f.UncompressedSize64 > lim.ratio*max(f.CompressedSize64, 1) {
			return briefbot.Document{}, nil, fmt.Errorf("%w: %s is compressed %d times, the limit is %d (a zip bomb?)", ErrLimit, quotePart(f.Name), f.UncompressedSize64/max(f.CompressedSize64, 1), lim.ratio)
		}
		r.files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	if r.files["word/document.xml"] == nil {
		return briefbot.Document{}, nil, fmt.Errorf("%w: no word/document.xml: not a Word document", ErrCorrupt)
	}

	w := &docxWalker{styles: map[string]*docxStyle{}, nums: map[string]*docxNum{}, abstract: map[string]*docxAbstract{},
		links: map[string]string{}, listIDs: map[string]int{}, counters: map[string]*[9]int{}, notes: map[string]int{}}
	if err := r.styles(w); err != nil {
		return briefbot.Document{}, nil, err
	}
	if err := r.numbering(w); err != nil {
		return briefbot.Document{}, nil, err
	}
	if err := r.relationships(w); err != nil {
		return briefbot.Document{}, nil, err
	}
	core, err := r.core()
	if err != nil {
		return briefbot.Document{}, nil, err
	}
	if err := r.walk("word/document.xml", w.token); err != nil {
		return briefbot.Document{}, nil, err
	}
	w.flushAll()
	body := w.blocks
	var notes []block
	for _, part := range []string{"word/footnotes.xml", "word/endnotes.xml"} {
		nb, err := r.notes(w, part)
		if err != nil {
			return briefbot.Document{}, nil, err
		}
		notes = append(notes, nb...)
	}
	if len(notes) > 0 {
		body = append(body, block{kind: kHeading, level: 1, text: "Notes"})
		body = append(body, notes...)
	}

	m = m.or(docxTitle(w, body, core))
	blocks := settleBlocks(body, false)
	var warnings []string
	if w.images > 0 {
		warnings = append(warnings, fmt.Sprintf("%d %s not read (only text is)", w.images, plural(w.images, "picture", "pictures")))
	}
	doc, err := assemble(id, source, blocks, m, opts)
	if err != nil {
		return briefbot.Document{}, warnings, err
	}
	return doc, warnings, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// quotePart shows an entry name, which the archive's author chose.
func quotePart(name string) string {
	return strconv.Quote(name[:min(len(name), 100)])
}

// docxTitle chooses the title: the first Title-styled paragraph, else the
// first Heading 1 when it opens the document (assemble takes it then),
// else dc:title. Authors and date come from docProps/core.xml.
func docxTitle(w *docxWalker, blocks []block, core meta) meta {
	m := meta{authors: core.authors, published: core.published}
	if w.title != "" {
		m.title = w.title
		return m
	}
	for i, b := range blocks {
		if i >= frontLimit || b.kind == kPara && wordCount(b.text) >= 25 {
			break
		}
		if b.kind == kHeading {
			if b.level == 1 {
				return m // assemble takes it
			}
			break
		}
	}
	m.title = core.title
	return m
}

// open returns a reader of part name bounded by the archive's budget, or
// nil when there is no such part.
func (r *docxReader) open(name string) (io.ReadCloser, error) {
	f := r.files[name]
	if f == nil {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	}
	return &budgetReader{r: r, rc: rc, name: name}, nil
}

// budgetReader counts the bytes decompressed against the archive's
// budget: archive/zip stops at an entry's declared size, this stops at
// the total.
type budgetReader struct {
	r    *docxReader
	rc   io.ReadCloser
	name string
}

func (b *budgetReader) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.r.read += int64(n)
	if b.r.read > b.r.limits.uncompressed {
		return n, fmt.Errorf("%w: the archive unpacks to more than %s (a zip bomb?)", ErrLimit, byteSize(b.r.limits.uncompressed))
	}
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %s: %w", ErrCorrupt, b.name, err)
	}
	return n, err
}

func (b *budgetReader) Close() error { return b.rc.Close() }

// walk streams the XML tokens of part name to fn, within the depth and
// token limits and ctx. A missing part is no tokens.
func (r *docxReader) walk(name string, fn func(xml.Token) error) error {
	rc, err := r.open(name)
	if err != nil || rc == nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if errors.Is(err, ErrLimit) || errors.Is(err, ErrCorrupt) {
				return err
			}
			return fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
		}
		r.tokens++
		if r.tokens > r.limits.tokens {
			return fmt.Errorf("%w: more than %d XML tokens", ErrLimit, r.limits.tokens)
		}
		if r.tokens%4096 == 0 {
			if err := r.ctx.Err(); err != nil {
				return fmt.Errorf("%s: %w", name, context.Cause(r.ctx))
			}
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth > r.limits.depth {
				return fmt.Errorf("%w: %s nests XML elements more than %d deep", ErrLimit, name, r.limits.depth)
			}
		case xml.EndElement:
			depth--
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
}

// docxStyle is a paragraph style of word/styles.xml.
type docxStyle struct {
	name, basedOn string
	outline       int // 1-based outline level; 0 none
	numID, ilvl   string
}

// styleInfo resolves a paragraph style: its heading level (0 none), whether
// it is the Title style, and its numbering. Properties are inherited
// through basedOn, at most a few steps (cycles end there).
func (w *docxWalker) styleInfo(id string) (level int, title bool, numID, ilvl string) {
	for step, cur := 0, id; cur != "" && step < 16; step++ {
		s := w.styles[cur]
		if s == nil {
			if step == 0 {
				level, title = styleByID(cur)
			}
			break
		}
		name := strings.ToLower(strings.TrimSpace(s.name))
		if step == 0 && name == "title" {
			title = true
		}
		if level == 0 {
			if n, ok := strings.CutPrefix(name, "heading "); ok {
				if k, err := strconv.Atoi(n); err == nil && k >= 1 && k <= 9 {
					level = k
				}
			}
			if level == 0 && s.outline > 0 {
				level = s.outline
			}
		}
		if numID == "" && s.numID != "" {
			numID, ilvl = s.numID, s.ilvl
		}
		cur = s.basedOn
	}
	return level, title, numID, ilvl
}

// styleByID reads the built-in style IDs of a document without styles.xml.
func styleByID(id string) (int, bool) {
	l := strings.ToLower(id)
	if l == "title" {
		return 0, true
	}
	if n, ok := strings.CutPrefix(l, "heading"); ok {
		if k, err := strconv.Atoi(n); err == nil && k >= 1 && k <= 9 {
			return k, false
		}
	}
	return 0, false
}

func (r *docxReader) styles(w *docxWalker) error {
	var cur *docxStyle
	inPPr := false
	return r.walk("word/styles.xml", func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			if !isW(t.Name) {
				return nil
			}
			switch t.Name.Local {
			case "style":
				cur = nil
				if wAttr(t, "type") == "paragraph" || wAttr(t, "type") == "" {
					cur = &docxStyle{}
					w.styles[wAttr(t, "styleId")] = cur
				}
			case "name":
				if cur != nil {
					cur.name = wAttr(t, "val")
				}
			case "basedOn":
				if cur != nil {
					cur.basedOn = wAttr(t, "val")
				}
			case "pPr":
				inPPr = true
			case "outlineLvl":
				if cur != nil && inPPr {
					if k, err := strconv.Atoi(wAttr(t, "val")); err == nil && k >= 0 && k < 9 {
						cur.outline = k + 1
					}
				}
			case "numId":
				if cur != nil && inPPr {
					cur.numID = wAttr(t, "val")
				}
			case "ilvl":
				if cur != nil && inPPr {
					cur.ilvl = wAttr(t, "val")
				}
			}
		case xml.EndElement:
			if isW(t.Name) && t.Name.Local == "pPr" {
				inPPr = false
			}
		}
		return nil
	})
}

// docxAbstract is an abstract numbering: per level, the number format and
// the text pattern ("%1.").
type docxAbstract struct {
	fmt   [9]string
	text  [9]string
	start [9]int
}

type docxNum struct{ abstract string }

func (r *docxReader) numbering(w *docxWalker) error {
	var abs *docxAbstract
	var num *docxNum
	lvl := -1
	return r.walk("word/numbering.xml", func(tok xml.Token) error {
		t, ok := tok.(xml.StartElement)
		if !ok || !isW(t.Name) {
			return nil
		}
		switch t.Name.Local {
		case "abstractNum":
			abs, num, lvl = &docxAbstract{}, nil, -1
			for i := range abs.start {
				abs.start[i] = 1
			}
			w.abstract[wAttr(t, "abstractNumId")] = abs
		case "num":
			abs, num = nil, &docxNum{}
			w.nums[wAttr(t, "numId")] = num
		case "abstractNumId":
			if num != nil {
				num.abstract = wAttr(t, "val")
			}
		case "lvl":
			lvl = -1
			if k, err := strconv.Atoi(wAttr(t, "ilvl")); err == nil && k >= 0 && k < 9 {
				lvl = k
			}
		case "numFmt":
			if abs != nil && lvl >= 0 {
				abs.fmt[lvl] = wAttr(t, "val")
			}
		case "lvlText":
			if abs != nil && lvl >= 0 {
				abs.text[lvl] = wAttr(t, "val")
			}
		case "start":
			if abs != nil && lvl >= 0 {
				if k, err := strconv.Atoi(wAttr(t, "val")); err == nil && k >= 0 && k < 1_000_000 {
					abs.start[lvl] = k
				}
			}
		}
		return nil
	})
}

func (r *docxReader) relationships(w *docxWalker) error {
	return r.walk("word/_rels/document.xml.rels", func(tok xml.Token) error {
		t, ok := tok.(xml.StartElement)
		if !ok || t.Name.Local != "Relationship" {
			return nil
		}
		var id, target, typ string
		for _, a := range t.Attr {
			switch a.Name.Local {
			case "Id":
				id = a.Value
			case "Target":
				target = a.Value
			case "Type":
				typ = a.Value
			}
		}
		if strings.HasSuffix(typ, "/hyperlink") && isAbsURL(target) {
			w.links[id] = target
		}
		return nil
	})
}

// maxCoreText bounds a metadata field's text.
const maxCoreText = 4096

func (r *docxReader) core() (meta, error) {
	var m meta
	var field string
	var text strings.Builder
	var created, modified time.Time
	err := r.walk("docprops/core.xml", func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			field = t.Name.Local
			text.Reset()
		case xml.CharData:
			if field != "" && text.Len() < maxCoreText {
				text.Write(t[:min(len(t), maxCoreText)])
			}
		case xml.EndElement:
			v := strings.Join(strings.Fields(text.String()), " ")
			switch t.Name.Local {
			case "title":
				m.title = v
			case "creator":
				for a := range strings.SplitSeq(v, ";") {
					if a = strings.TrimSpace(a); a != "" && !placeholderAuthor(a) {
						m.authors = append(m.authors, a)
					}
				}
			case "created":
				created, _ = time.Parse(time.RFC3339, v)
			case "modified":
				modified, _ = time.Parse(time.RFC3339, v)
			}
			field = ""
			text.Reset()
		}
		return nil
	})
	m.published = created
	if m.published.IsZero() {
		m.published = modified
	}
	if placeholderTitle(m.title) {
		m.title = ""
	}
	return m, err
}

// placeholderAuthor: the names tools write when nobody set one.
func placeholderAuthor(a string) bool {
	switch strings.ToLower(a) {
	case "python-docx", "microsoft office user", "unknown", "user", "administrator", "admin", "author", "pandoc":
		return true
	}
	return false
}

func placeholderTitle(t string) bool {
	l := strings.ToLower(t)
	return l == "" || strings.HasPrefix(l, "document") && len(l) <= 10 || l == "untitled" || l == "title"
}

// docxWalker turns the tokens of word/document.xml (and of the notes
// parts) into blocks.
type docxWalker struct {
	styles   map[string]*docxStyle
	nums     map[string]*docxNum
	abstract map[string]*docxAbstract
	links    map[string]string // hyperlink relationship ID → URL

	blocks   []block
	title    string
	images   int
	lists    int                // list ids given out, to lists and tables
	listIDs  map[string]int     // numId → list id of its items
	counters map[string]*[9]int // numId → current number per level
	notes    map[string]int     // note ID → the number shown for it

	depth int
	// skip is the depth of an element whose content is left out (0 when
	// none): deleted text, field codes, the VML fallback of text boxes.
	skip int
	// inText is set inside w:t.
	inText bool
	// containers are the body and the text boxes being read: each has
	// its own paragraph and table state.
	containers []*docxContainer
}

// docxContainer is the body or a text box.
type docxContainer struct {
	paras []*docxPara
	// tables counts the tables open; the outermost one's rows are
	// written to row.
	tables  int
	row     *inliner
	newCell bool // a cell started and has no text yet
	// table is the list id of the outermost table's rows: rows are list
	// items, so that a passage holding several keeps them apart with ";"
	// and repeats the paragraph introducing the table.
	table int
}

// docxPara is a paragraph being read.
type docxPara struct {
	buf           *inliner // own, or the row of the table it is in
	own           bool
	style         string
	outline       int
	numID, ilvl   string
	inPPr         bool
	links         []docxLinkStart
	sawNumPr      bool
	hyperlinkOpen int
}

type docxLinkStart struct {
	at  int
	url string
}

func (w *docxWalker) cont() *docxContainer {
	if len(w.containers) == 0 {
		w.containers = append(w.containers, &docxContainer{})
	}
	return w.containers[len(w.containers)-1]
}

func (w *docxWalker) para() *docxPara {
	c := w.cont()
	if len(c.paras) == 0 {
		return nil
	}
	return c.paras[len(c.paras)-1]
}

// emit writes text to the current paragraph, or to the table row when
// text sits outside any paragraph (rare, but valid). The first text of a
// table cell is preceded by " | " unless it opens the row.
func (w *docxWalker) emit(s string) {
	c := w.cont()
	var buf *inliner
	if p := w.para(); p != nil {
		buf = p.buf
	} else if c.row != nil {
		buf = c.row
	} else {
		return
	}
	if buf == c.row && c.newCell && strings.TrimSpace(s) != "" {
		if len(buf.out) > 0 {
			buf.space = true
			buf.emitString("|", false)
			buf.space = true
		}
		c.newCell = false
	}
	buf.emitString(s, false)
}

func (w *docxWalker) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		w.depth++
		if w.skip > 0 {
			return nil
		}
		w.start(t)
	case xml.EndElement:
		if w.skip > 0 {
			if w.depth == w.skip {
				w.skip = 0
			}
			w.depth--
			return nil
		}
		w.depth--
		w.end(t)
	case xml.CharData:
		if w.skip == 0 && w.inText {
			w.emit(string(t))
		}
	}
	return nil
}

func (w *docxWalker) start(t xml.StartElement) {
	if t.Name.Space == nsMC && t.Name.Local == "Fallback" {
		w.skip = w.depth
		return
	}
	if !isW(t.Name) {
		if t.Name.Local == "pic" || t.Name.Local == "imagedata" {
			w.images++
		}
		return
	}
	c := w.cont()
	p := w.para()
	switch t.Name.Local {
	case "del", "delText", "instrText", "rPr", "sectPr", "commentReference", "annotationRef", "footnotePr", "endnotePr":
		w.skip = w.depth
	case "p":
		np := &docxPara{}
		if c.tables > 0 && c.row != nil {
			np.buf = c.row
			if len(c.paras) > 0 || len(c.row.out) > 0 {
				c.row.space = true
			}
		} else {
			np.buf, np.own = newInliner(nil), true
		}
		c.paras = append(c.paras, np)
	case "pPr":
		if p != nil {
			p.inPPr = true
		}
	case "pStyle":
		if p != nil && p.inPPr {
			p.style = wAttr(t, "val")
		}
	case "outlineLvl":
		if p != nil && p.inPPr {
			if k, err := strconv.Atoi(wAttr(t, "val")); err == nil && k >= 0 && k < 9 {
				p.outline = k + 1
			}
		}
	case "numPr":
		if p != nil && p.inPPr {
			p.sawNumPr = true
		}
	case "numId":
		if p != nil && p.inPPr {
			p.numID = wAttr(t, "val")
		}
	case "ilvl":
		if p != nil && p.inPPr {
			p.ilvl = wAttr(t, "val")
		}
	case "t":
		w.inText = true
	case "tab", "ptab":
		w.emit(" ")
	case "br", "cr":
		w.emit(" ")
	case "noBreakHyphen":
		w.emit("-")
	case "hyperlink":
		if p != nil {
			p.links = append(p.links, docxLinkStart{at: len(p.buf.out), url: w.links[rAttr(t, "id")]})
		}
	case "footnoteReference", "endnoteReference":
		// Footnotes and endnotes number their IDs apart.
		id := t.Name.Local[:1] + wAttr(t, "id")
		n, ok := w.notes[id]
		if !ok {
			n = len(w.notes) + 1
			w.notes[id] = n
		}
		w.emit("[" + strconv.Itoa(n) + "]")
	case "txbxContent":
		w.containers = append(w.containers, &docxContainer{})
	case "tbl":
		c.tables++
		if c.tables == 1 {
			w.lists++
			c.table = w.lists
		}
	case "tr":
		if c.tables == 1 {
			c.row = newInliner(nil)
		}
	case "tc":
		if c.tables == 1 {
			c.newCell = true
		} else if c.row != nil {
			c.row.space = true
		}
	}
}

func (w *docxWalker) end(t xml.EndElement) {
	if !isW(t.Name) {
		return
	}
	c := w.cont()
	p := w.para()
	switch t.Name.Local {
	case "t":
		w.inText = false
	case "pPr":
		if p != nil {
			p.inPPr = false
		}
	case "hyperlink":
		if p != nil && len(p.links) > 0 {
			l := p.links[len(p.links)-1]
			p.links = p.links[:len(p.links)-1]
			if start, end := trimSpan(p.buf.out, min(l.at, len(p.buf.out)), len(p.buf.out)); l.url != "" && end > start {
				p.buf.links = append(p.buf.links, linkSpan{start: start, end: end, url: l.url})
			}
		}
	case "p":
		if p != nil {
			c.paras = c.paras[:len(c.paras)-1]
			w.endPara(p)
		}
	case "txbxContent":
		if len(w.containers) > 1 {
			w.flushContainer(c)
			w.containers = w.containers[:len(w.containers)-1]
		}
	case "tr":
		if c.tables == 1 && c.row != nil {
			if len(c.row.out) > 0 {
				w.blocks = append(w.blocks, block{kind: kItem, list: c.table, text: c.row.text(), links: c.row.links, table: true})
			}
			c.row = nil
		}
	case "tbl":
		if c.tables > 0 {
			c.tables--
		}
	}
}

// endPara turns a finished paragraph into a block.
func (w *docxWalker) endPara(p *docxPara) {
	if !p.own {
		return
	}
	level, title, numID, ilvl := w.styleInfo(p.style)
	if p.outline > 0 && level == 0 {
		level = p.outline
	}
	if p.sawNumPr || p.numID != "" {
		numID, ilvl = p.numID, p.ilvl
	}
	text := p.buf.text()
	if strings.TrimSpace(text) == "" {
		return
	}
	switch {
	case title && w.title == "":
		w.title = strings.Join(strings.Fields(text), " ")
		return
	case level > 0:
		w.blocks = append(w.blocks, block{kind: kHeading, level: min(level, 6), text: text})
		return
	}
	b := block{kind: kPara, text: text, links: p.buf.links}
	if numID != "" && numID != "0" {
		prefix := w.listMarker(numID, ilvl)
		if prefix != "" {
			prefix += " "
		}
		b.kind, b.list = kItem, w.listID(numID)
		b.text = prefix + text
		b.links = make([]linkSpan, len(p.buf.links))
		for i, l := range p.buf.links {
			l.start += len(prefix)
			l.end += len(prefix)
			b.links[i] = l
		}
	}
	w.blocks = append(w.blocks, b)
}

func (w *docxWalker) listID(numID string) int {
	id, ok := w.listIDs[numID]
	if !ok {
		w.lists++
		id = w.lists
		w.listIDs[numID] = id
	}
	return id
}

// listMarker advances the numbering of list numID at level ilvl and
// returns the marker shown: "•" for bullets, the number otherwise, per
// the level's pattern ("%1.", "%1.%2.", "(%1)").
func (w *docxWalker) listMarker(numID, ilvlS string) string {
	ilvl, err := strconv.Atoi(ilvlS)
	if err != nil || ilvl < 0 || ilvl > 8 {
		ilvl = 0
	}
	var abs *docxAbstract
	if n := w.nums[numID]; n != nil {
		abs = w.abstract[n.abstract]
	}
	if abs == nil {
		return "•"
	}
	cnt := w.counters[numID]
	if cnt == nil {
		cnt = &[9]int{}
		w.counters[numID] = cnt
	}
	if cnt[ilvl] == 0 {
		cnt[ilvl] = abs.start[ilvl]
	} else {
		cnt[ilvl]++
	}
	for k := ilvl + 1; k < 9; k++ {
		cnt[k] = 0
	}
	switch abs.fmt[ilvl] {
	case "bullet", "":
		return "•"
	case "none":
		return ""
	}
	pattern := abs.text[ilvl]
	if pattern == "" {
		pattern = "%" + strconv.Itoa(ilvl+1) + "."
	}
	var out strings.Builder
	for i := 0; i < len(pattern) && out.Len() < 64; i++ {
		if pattern[i] == '%' && i+1 < len(pattern) && pattern[i+1] >= '1' && pattern[i+1] <= '9' {
			k := int(pattern[i+1] - '1')
			n := cnt[k]
			if n == 0 {
				n = abs.start[k]
			}
			out.WriteString(formatNumber(n, abs.fmt[k]))
			i++
			continue
		}
		out.WriteByte(pattern[i])
	}
	return strings.TrimSpace(out.String())
}

// formatNumber writes n in a Word number format.
func formatNumber(n int, format string) string {
	switch format {
	case "lowerLetter", "upperLetter":
		s := alphaNumber(n)
		if format == "upperLetter" {
			s = strings.ToUpper(s)
		}
		return s
	case "lowerRoman", "upperRoman":
		s := roman(n)
		if format == "lowerRoman" {
			s = strings.ToLower(s)
		}
		return s
	}
	return strconv.Itoa(n)
}

// alphaNumber: 1 a, 26 z, 27 aa (Word repeats the letter).
func alphaNumber(n int) string {
	if n <= 0 {
		return strconv.Itoa(n)
	}
	return strings.Repeat(string(rune('a'+(n-1)%26)), min((n-1)/26+1, 10))
}

func roman(n int) string {
	if n <= 0 || n >= 4000 {
		return strconv.Itoa(n)
	}
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// flushContainer ends what a container left open (malformed nesting).
func (w *docxWalker) flushContainer(c *docxContainer) {
	for len(c.paras) > 0 {
		p := c.paras[len(c.paras)-1]
		c.paras = c.paras[:len(c.paras)-1]
		w.endPara(p)
	}
	if c.row != nil && len(c.row.out) > 0 {
		w.blocks = append(w.blocks, block{kind: kItem, list: c.table, text: c.row.text(), links: c.row.links, table: true})
	}
	c.row = nil
}

func (w *docxWalker) flushAll() {
	for len(w.containers) > 0 {
		w.flushContainer(w.containers[len(w.containers)-1])
		w.containers = w.containers[:len(w.containers)-1]
	}
}

// notes reads the footnotes or endnotes part: each referenced note's
// paragraphs, the first marked "[n]", in the order of their numbers.
func (r *docxReader) notes(w *docxWalker, part string) ([]block, error) {
	if r.files[part] == nil || len(w.notes) == 0 {
		return nil, nil
	}
	saved := w.blocks
	w.blocks = nil
	w.containers = nil
	w.depth, w.skip, w.inText = 0, 0, false
	type note struct {
		n      int
		blocks []block
	}
	var out []note
	cur := -1
	from := 0
	err := r.walk(part, func(tok xml.Token) error {
		if t, ok := tok.(xml.StartElement); ok && isW(t.Name) && (t.Name.Local == "footnote" || t.Name.Local == "endnote") && w.skip == 0 {
			cur = -1
			if n, ok := w.notes[t.Name.Local[:1]+wAttr(t, "id")]; ok && wAttr(t, "type") == "" {
				cur = n
			}
			from = len(w.blocks)
		}
		if err := w.token(tok); err != nil {
			return err
		}
		if t, ok := tok.(xml.EndElement); ok && isW(t.Name) && (t.Name.Local == "footnote" || t.Name.Local == "endnote") && w.skip == 0 {
			w.flushAll()
			if cur > 0 && len(w.blocks) > from {
				bs := append([]block(nil), w.blocks[from:]...)
				mark := "[" + strconv.Itoa(cur) + "] "
				bs[0].text = mark + bs[0].text
				bs[0].links = append([]linkSpan(nil), bs[0].links...)
				for i := range bs[0].links {
					bs[0].links[i].start += len(mark)
					bs[0].links[i].end += len(mark)
				}
				if bs[0].kind == kHeading {
					bs[0].kind = kPara
				}
				out = append(out, note{n: cur, blocks: bs})
			}
			w.blocks = w.blocks[:from]
		}
		return nil
	})
	w.blocks = saved
	if err != nil {
		return nil, err
	}
	// Notes are shown in the order of their numbers, i.e. of their first
	// reference.
	byN := map[int][]block{}
	for _, n := range out {
		byN[n.n] = n.blocks
	}
	var blocks []block
	for n := 1; n <= len(w.notes); n++ {
		blocks = append(blocks, byN[n]...)
	}
	return blocks, nil
}
