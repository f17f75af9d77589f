package corpus

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/briefbot/briefbot"
)

// skipped elements hold no article prose: code, page chrome, forms.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Nav: true, atom.Header: true, atom.Footer: true,
	atom.Aside: true, atom.Form: true, atom.Noscript: true, atom.Template: true, atom.Svg: true,
	atom.Iframe: true, atom.Button: true, atom.Select: true, atom.Textarea: true, atom.Input: true,
	atom.Canvas: true, atom.Object: true, atom.Embed: true, atom.Dialog: true, atom.Head: true,
	atom.Math: true, atom.Audio: true, atom.Video: true, atom.Picture: true, atom.Img: true,
}

// blockElems end the current paragraph before and after their content.
var blockElems = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Blockquote: true, atom.Pre: true, atom.Dd: true, atom.Dt: true, atom.Dl: true,
	atom.Figcaption: true, atom.Figure: true, atom.Td: true, atom.Th: true, atom.Tr: true,
	atom.Table: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true, atom.Caption: true,
	atom.Ul: true, atom.Ol: true, atom.Address: true, atom.Body: true, atom.Center: true,
	atom.Details: true, atom.Summary: true, atom.Hgroup: true, atom.Fieldset: true, atom.Menu: true,
}

var headingLevel = map[atom.Atom]int{atom.H1: 1, atom.H2: 2, atom.H3: 3, atom.H4: 4, atom.H5: 5, atom.H6: 6}

// parseHTMLDoc parses an HTML page: metadata from the head (canonical
// link, author, publication date, alternate languages), the title from the
// first <h1> (else og:title, else <title>), and paragraphs, list items and
// headings from the body, leaving out page chrome.
func parseHTMLDoc(id, source string, data []byte, given meta, opts Options) (briefbot.Document, error) {
	text := sanitize(data)
	if strings.TrimSpace(text) == "" {
		return briefbot.Document{}, ErrNoText
	}
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		// x/net/html gives up on pathological pages (elements nested
		// more than 512 deep); such a page is reported, not guessed at.
		return briefbot.Document{}, fmt.Errorf("%w: %w", ErrMalformedHTML, err)
	}
	m := given.or(htmlMeta(root))
	hb := &htmlBuilder{buf: newInliner(nil)}
	hb.walk(root, hctx{kind: kPara})
	hb.flush()
	blocks := settleBlocks(hb.blocks, false)
	return assemble(id, source, blocks, m, opts)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

func textContent(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func htmlMeta(root *html.Node) meta {
	var m meta
	var h1, ogTitle, docTitle, ogURL, canonical, lang, timeAttr string
	var alternates []briefbot.Link
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				lang = strings.ToLower(attr(n, "lang"))
			case atom.Title:
				if docTitle == "" {
					docTitle = textContent(n)
				}
			case atom.H1:
				if h1 == "" {
					h1 = textContent(n)
				}
			case atom.Time:
				if timeAttr == "" {
					timeAttr = attr(n, "datetime")
				}
			case atom.Link:
				rel := strings.ToLower(attr(n, "rel"))
				switch {
				case rel == "canonical":
					canonical = attr(n, "href")
				case rel == "alternate" && attr(n, "hreflang") != "":
					if hl := strings.ToLower(attr(n, "hreflang")); hl != "x-default" {
						alternates = append(alternates, briefbot.Link{Text: attr(n, "hreflang"), URL: attr(n, "href")})
					}
				}
			case atom.Meta:
				key := strings.ToLower(attr(n, "name"))
				if key == "" {
					key = strings.ToLower(attr(n, "property"))
				}
				if key == "" {
					key = strings.ToLower(attr(n, "itemprop"))
				}
				val := attr(n, "content")
				switch key {
				case "og:title":
					ogTitle = val
				case "og:url":
					ogURL = val
				case "author", "citation_author", "dc.creator", "article:author", "parsely-author":
					if val != "" && !isAbsURL(val) {
						for _, a := range reNameSep.Split(val, -1) {
							if a = strings.TrimSpace(a); a != "" {
								m.authors = append(m.authors, a)
							}
						}
					}
				case "article:published_time", "date", "pubdate", "publish-date", "publishdate",
					"datepublished", "dc.date", "dc.date.issued", "citation_publication_date", "parsely-pub-date":
					if t, ok := parseDate(val); ok && m.published.IsZero() {
						m.published = t
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	switch {
	case h1 != "":
		m.title = h1
	case ogTitle != "":
		m.title = ogTitle
	default:
		// "Article | Site": the site's name is not part of the title.
		if k := strings.LastIndex(docTitle, " | "); k > 0 {
			docTitle = docTitle[:k]
		}
		m.title = docTitle
	}
	m.url = canonical
	if m.url == "" {
		m.url = ogURL
	}
	if m.published.IsZero() && timeAttr != "" {
		if t, ok := parseDate(timeAttr); ok {
			m.published = t
		}
	}
	for _, a := range alternates {
		hl := strings.ToLower(a.Text)
		if lang != "" && (hl == lang || strings.HasPrefix(lang, hl+"-") || strings.HasPrefix(hl, lang+"-")) {
			continue // the page itself
		}
		m.translations = append(m.translations, a)
	}
	return m
}

// hctx is the block context of the nodes being walked.
type hctx struct {
	kind  blockKind
	level int
	list  int
}

type htmlBuilder struct {
	blocks []block
	buf    *inliner
	bufCtx hctx
	lists  int
}

func (hb *htmlBuilder) flush() {
	if len(hb.buf.out) > 0 {
		b := block{kind: hb.bufCtx.kind, level: hb.bufCtx.level, text: hb.buf.text(), links: hb.buf.links, emph: hb.buf.emphasized()}
		if b.kind == kItem {
			b.list = hb.bufCtx.list
		}
		hb.blocks = append(hb.blocks, b)
	}
	hb.buf = newInliner(nil)
}

func (hb *htmlBuilder) walk(n *html.Node, ctx hctx) {
	switch n.Type {
	case html.TextNode:
		if len(hb.buf.out) == 0 {
			hb.bufCtx = ctx
		}
		hb.buf.emitString(n.Data, false)
		return
	case html.ElementNode:
	case html.DocumentNode:
		hb.children(n, ctx)
		return
	default:
		return
	}
	a := n.DataAtom
	if skipped[a] || attr(n, "hidden") != "" || strings.EqualFold(attr(n, "aria-hidden"), "true") {
		if !(a == atom.Header && hasH1(n)) {
			return
		}
		// A header holding the article's <h1>: keep just the heading.
		hb.flush()
		hb.blocks = append(hb.blocks, block{kind: kHeading, level: 1, text: textContent(findH1(n))})
		return
	}
	switch {
	case headingLevel[a] > 0:
		hb.flush()
		hb.children(n, hctx{kind: kHeading, level: headingLevel[a]})
		hb.flush()
	case a == atom.Li:
		hb.flush()
		hb.children(n, hctx{kind: kItem, list: ctx.list})
		hb.flush()
	case a == atom.Ul || a == atom.Ol:
		hb.flush()
		hb.lists++
		hb.children(n, hctx{kind: ctx.kind, list: hb.lists})
		hb.flush()
	case a == atom.Hr:
		hb.flush()
		hb.blocks = append(hb.blocks, block{kind: kHR})
	case a == atom.Br:
		hb.buf.space = true
	case blockElems[a]:
		hb.flush()
		hb.children(n, ctx)
		hb.flush()
	case a == atom.A:
		buf, before := hb.buf, len(hb.buf.out)
		hb.children(n, ctx)
		start, end := trimSpan(hb.buf.out, before, len(hb.buf.out))
		if hb.buf == buf && end > start { // no block boundary inside the link
			hb.buf.links = append(hb.buf.links, linkSpan{start: start, end: end, url: cleanURL(attr(n, "href"))})
		}
	case a == atom.Em || a == atom.I || a == atom.Strong || a == atom.B:
		hb.buf.forceEm++
		hb.children(n, ctx)
		hb.buf.forceEm--
	default:
		hb.children(n, ctx)
	}
}

func (hb *htmlBuilder) children(n *html.Node, ctx hctx) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		hb.walk(c, ctx)
	}
}

func findH1(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == atom.H1 {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if h := findH1(c); h != nil {
			return h
		}
	}
	return nil
}

func hasH1(n *html.Node) bool { return findH1(n) != nil }
