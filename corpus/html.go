package corpus

import (
	"fmt"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
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
// headings of the page's main content (see mainContent), leaving out page
// chrome.
func parseHTMLDoc(id, source string, data []byte, given meta, opts Options) (briefbot.Document, error) {
	return parseHTMLWith(id, source, data, given, opts, true)
}

// parseHTMLWith is parseHTMLDoc, with the readability pass optional so
// that tests can measure what it changes.
func parseHTMLWith(id, source string, data []byte, given meta, opts Options, readable bool) (briefbot.Document, error) {
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
	blocks := pageBlocks(root)
	if readable {
		if main := mainContent(root, m, blocks); main != nil {
			blocks = main
		}
	}
	blocks = settleBlocks(blocks, false)
	return assemble(id, source, blocks, m, opts)
}

// pageBlocks walks the page (or the part of it at n) into blocks.
func pageBlocks(n *html.Node) []block {
	hb := &htmlBuilder{buf: newInliner(nil)}
	hb.walk(n, hctx{kind: kPara})
	hb.flush()
	return hb.blocks
}

// maxReadableElems bounds the pages given to readability, whose scoring
// passes (up to four over the page) are the costliest step; bigger pages
// keep the plain walk alone, which is linear. Measured: a 730 KB page of
// 18,800 elements takes 76 ms with the plain walk and 200 ms with
// readability; 400 nested <div>s (x/net/html refuses more than 512) add
// 70 ms.
const maxReadableElems = 20_000

// mainContent returns the blocks of the page's main content as found by
// codeberg.org/readeck/go-readability (a port of Firefox's Reader View),
// or nil to keep all the page's blocks (ours), which already leave out
// <nav>, <header>, <footer>, <aside> and forms but not the menus, cookie
// banners, "most read" lists, related links and comments that sites put
// in <div>s.
//
// Measured on the four pages of testdata/pages (TestHTMLMainContent: a
// news story, a blog post with comments, a documentation page, a policy
// report), counting phrases of page chrome left in the passages: the
// plain walk leaves 13 of 16, 9 of 12, 10 of 10 and 5 of 9; with
// readability 0, 0, 2 (a feedback question and an edit link inside
// <main>) and 1 (a newsletter box inside <main>), and every article
// sentence, section heading and link stays. testdata/article.html keeps
// its expectations (TestHTMLArticle).
//
// Readability can also settle on the wrong block (the comments, one part
// of a page whose content it does not score, such as a <dl>), so its
// result is used only when it keeps most of the prose: at least a half of
// ours, or a quarter when the page marks its content with <article> or
// <main>, which readability then follows (TestHTMLMainContentFallback).
// Its h1 becomes h2 (Reader View shows the title apart): a heading
// repeating the title is dropped here, as assemble would.
func mainContent(root *html.Node, m meta, ours []block) (main []block) {
	elems, marked := 0, false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			elems++
			marked = marked || n.DataAtom == atom.Article || n.DataAtom == atom.Main
		}
		for c := n.FirstChild; c != nil && elems <= maxReadableElems; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if elems > maxReadableElems {
		return nil
	}
	defer func() {
		// A third-party heuristic must not take the page down with it:
		// the plain walk stands.
		if recover() != nil {
			main = nil
		}
	}()
	p := readability.NewParser()
	p.MaxElemsToParse = maxReadableElems
	p.DisableJSONLD = true
	var base *url.URL
	if u, err := url.Parse(m.url); err == nil && u.IsAbs() {
		base = u
	}
	// The page is not needed after this: ours and m are taken from it.
	art, err := p.ParseAndMutate(root, base)
	if err != nil || art.Node == nil {
		return nil
	}
	theirs := pageBlocks(art.Node)
	title := strings.Join(strings.Fields(m.title), " ")
	kept := theirs[:0]
	for _, b := range theirs {
		if b.kind == kHeading && strings.EqualFold(strings.Join(strings.Fields(b.text), " "), title) {
			continue
		}
		kept = append(kept, b)
	}
	n, all := proseRunes(kept), proseRunes(ours)
	if n == 0 || marked && n*4 < all || !marked && n*2 < all {
		return nil
	}
	return kept
}

// proseRunes counts the characters of paragraphs and list items.
func proseRunes(blocks []block) int {
	n := 0
	for _, b := range blocks {
		if b.kind == kPara || b.kind == kItem {
			n += runeLen(b.text)
		}
	}
	return n
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
