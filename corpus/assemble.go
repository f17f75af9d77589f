package corpus

import (
	"regexp"
	"slices"
	"strings"

	"github.com/briefbot/briefbot"
)

// frontLimit bounds how many leading blocks may hold the byline, date and
// translation links.
const frontLimit = 12

var (
	reAlsoAvailable = regexp.MustCompile(`(?i)^(?:also\s+)?(?:available|read(?: this)?)\s+in\b:?`)
	reBiosHeading   = regexp.MustCompile(`(?i)^(?:about|meet)\s+(?:the\s+)?(?:authors?|contributors?|experts?)$|^(?:the\s+)?authors?$|^contributors?$`)
	reNavWords      = regexp.MustCompile(`(?i)^(?:recommended|related\b.*|read more|more (?:from|on|in|like)\b.*|see also|you (?:may|might) also like|most (?:popular|read)|popular|trending|latest|tags|topics|share(?: this)?|explore\b.*|keep reading|up next)$`)
	reBioSentence   = regexp.MustCompile(`^\p{Lu}[\p{L}.'’-]*(?: \p{Lu}[\p{L}.'’-]*){0,3} (?:is|was|serves as|has been) (?:a|an|the) `)
)

// maxAuthorsSought bounds the authors looked for in the bios, and the
// name lines waiting for the bio they link to.
const maxAuthorsSought = 32

// unit is one paragraph or list item of a section, ready to be cut into
// passages.
type unit struct {
	section string
	text    string
	links   []linkSpan
	item    bool
	list    int  // list id of an item, or of the lead-in of that list
	leadIn  bool // a paragraph ending in ":" that introduces a list
	emph    bool
}

// assemble turns cleaned blocks into a document: it takes the metadata out
// of the head of the text, drops trailing site navigation, assigns blocks to
// sections and cuts the sections into passages.
func assemble(id, source string, blocks []block, m meta, opts Options) (briefbot.Document, error) {
	doc := briefbot.Document{ID: id, Source: source, URL: m.url}

	title := strings.Join(strings.Fields(m.title), " ")
	// The first H1 is the title when it opens the document.
	for i, b := range blocks {
		if i >= frontLimit || b.kind == kPara && wordCount(b.text) >= 25 {
			break
		}
		if b.kind == kHeading {
			t := strings.Join(strings.Fields(b.text), " ")
			if b.level == 1 && (title == "" || strings.EqualFold(t, title)) {
				if title == "" {
					title = t
				}
				blocks = slices.Delete(slices.Clone(blocks), i, i+1)
			}
			break
		}
	}
	// Without one, a short first line is the title of a plain text,
	// unless it is all the text (a one-line note).
	if title == "" && len(blocks) > 1 {
		if b := blocks[0]; b.kind == kPara && wordCount(b.text) <= 15 && runeLen(b.text) <= 150 &&
			!strings.ContainsRune(".:;", lastRune(b.text)) && parseByline(b.text) == nil && !isDateLine(b.text) {
			title = b.text
			blocks = blocks[1:]
		}
	}
	if title == "" {
		title = id
	}
	doc.Title = title

	blocks = takeFrontMatter(blocks, &m)
	doc.Authors = m.authors
	doc.Published = m.published
	doc.Translations = dedupeLinks(m.translations, doc.URL)

	blocks = cutTrailingNav(blocks)
	// Spotting the authors in the text looks for each of them in each
	// paragraph of the bios: a few dozen are plenty, and a record listing
	// thousands must not make that quadratic.
	units := sectionUnits(blocks, title, m.authors[:min(len(m.authors), maxAuthorsSought)])
	buildPassages(&doc, units, opts)
	if len(doc.Passages) == 0 {
		return briefbot.Document{}, ErrNoText
	}
	return doc, nil
}

// takeFrontMatter removes the byline, the date line and the translation
// links from the head of the document into m (filling only what m lacks).
func takeFrontMatter(blocks []block, m *meta) []block {
	keep := make([]block, 0, len(blocks))
	front, seen, translations := true, 0, false
	for _, b := range blocks {
		if front && (b.kind == kHeading || seen >= frontLimit || b.kind == kPara && wordCount(b.text) >= 15) {
			front = false
		}
		if !front || b.kind != kPara {
			translations = false
			keep = append(keep, b)
			continue
		}
		seen++
		if translations && linkOnly(b) {
			m.translations = append(m.translations, blockLinks(b)...)
			continue
		}
		translations = false
		if names := parseByline(b.text); names != nil {
			if len(m.authors) == 0 {
				m.authors = names
			}
			continue
		}
		if t, ok := dateOfLine(b.text); ok {
			if m.published.IsZero() {
				m.published = t
			}
			continue
		}
		if loc := reAlsoAvailable.FindStringIndex(b.text); loc != nil && (linkOnly(b) || loc[1] == len(b.text)) {
			translations = true
			m.translations = append(m.translations, blockLinks(b)...)
			continue
		}
		keep = append(keep, b)
	}
	return keep
}

// linkOnly reports whether b is nothing but links and separators.
func linkOnly(b block) bool {
	if len(b.links) == 0 {
		return false
	}
	rest := []byte(b.text)
	for _, l := range b.links {
		for k := l.start; k < l.end; k++ {
			rest[k] = ' '
		}
	}
	s := reAlsoAvailable.ReplaceAllString(strings.TrimSpace(string(rest)), "")
	return strings.Trim(s, " /|,·•-–—") == ""
}

func blockLinks(b block) []briefbot.Link {
	var out []briefbot.Link
	for _, l := range b.links {
		if l.url != "" {
			out = append(out, briefbot.Link{Text: strings.TrimSpace(b.text[l.start:l.end]), URL: l.url})
		}
	}
	return out
}

func dedupeLinks(links []briefbot.Link, base string) []briefbot.Link {
	var out []briefbot.Link
	seen := map[string]bool{}
	for _, l := range links {
		l.URL = resolveURL(base, l.URL)
		if l.URL == "" || seen[l.URL] {
			continue
		}
		seen[l.URL] = true
		out = append(out, l)
	}
	return out
}

// cutTrailingNav drops the site navigation that web-page exports append
// after the article: everything after a horizontal rule when what follows
// is introduced by a navigation marker ("RECOMMENDED") or holds no prose,
// then trailing sections without content ("TOPICS", "REGIONS").
func cutTrailingNav(blocks []block) []block {
	// The tail after a rule is navigation when the first block after it
	// is a navigation marker or when no prose follows; both are known for
	// every position from one pass from the end, so that many rules do
	// not each look at all that follows.
	nextNonHR := make([]int, len(blocks)+1)
	proseAfter := make([]bool, len(blocks)+1)
	nextNonHR[len(blocks)] = len(blocks)
	for i := len(blocks) - 1; i >= 0; i-- {
		b := blocks[i]
		nextNonHR[i] = nextNonHR[i+1]
		if b.kind != kHR {
			nextNonHR[i] = i
		}
		proseAfter[i] = proseAfter[i+1] || (b.kind == kPara || b.kind == kItem) && endsTerminal(b.text) && hasWords(b.text, 25)
	}
	marker := map[int]bool{}
	for i, b := range blocks {
		if b.kind != kHR {
			continue
		}
		j := nextNonHR[i+1]
		if j == len(blocks) {
			blocks = blocks[:i]
			break
		}
		isMarker, seen := marker[j]
		if !seen {
			isMarker = navMarker(blocks, j)
			marker[j] = isMarker
		}
		if isMarker || !proseAfter[i+1] {
			blocks = blocks[:i]
			break
		}
	}
	out := make([]block, 0, len(blocks))
	for _, b := range blocks {
		if b.kind != kHR {
			out = append(out, b)
		}
	}
	// firstContent is the first block with content: what comes before a
	// heading has content when it is before the heading.
	firstContent := slices.IndexFunc(out, func(b block) bool { return hasContent([]block{b}) })
	for {
		h := -1
		for j := len(out) - 1; j >= 0; j-- {
			if out[j].kind == kHeading {
				h = j
				break
			}
		}
		// A short document whose sections all look thin keeps them.
		if h < 0 || hasContent(out[h+1:]) || firstContent < 0 || firstContent >= h {
			return out
		}
		out = out[:h]
	}
}

// navMarker reports whether blocks[j] is a navigation marker: a short
// capitalized or emphasized label that another rule follows or whose words
// say so ("RECOMMENDED").
func navMarker(blocks []block, j int) bool {
	b := blocks[j]
	if b.kind == kPara && !hasWords(b.text, 5) && !endsTerminal(b.text) && (isAllCaps(b.text) || b.emph) {
		return j+1 < len(blocks) && blocks[j+1].kind == kHR || reNavWords.MatchString(strings.TrimSpace(b.text))
	}
	return false
}

// hasContent reports whether blocks hold something worth indexing: a
// sentence, a long paragraph, or a list item that is not a bare link.
func hasContent(blocks []block) bool {
	for _, b := range blocks {
		if b.kind == kHeading || b.kind == kHR || linkDominated(b) || isDateLine(b.text) {
			continue
		}
		n := wordCount(b.text)
		if b.kind == kItem && n >= 4 {
			return true
		}
		if n >= 12 || n >= 6 && strings.ContainsRune(`.!?"”`, lastRune(b.text)) {
			return true
		}
	}
	return false
}

// sectionUnits assigns blocks to sections. Text before the first heading
// belongs to the lead section, named after the title. An authors' section
// ("About the Authors") holds the author-name lines, whose links go to the
// bio that follows, and the bios; a short label line ("Brief Analysis") or
// a paragraph about no author ends it and hands over to the lead section.
// A closing italic bio paragraph joins the authors' section too.
func sectionUnits(blocks []block, title string, authors []string) []unit {
	var units []unit
	section, bios, inLead := title, false, true
	biosName := ""
	var names []briefbot.Link
	hadName := false
	for i, b := range blocks {
		if b.kind == kHeading {
			name := normalizeHeading(b.text)
			if name == "" {
				continue
			}
			section, inLead = name, false
			bios = reBiosHeading.MatchString(name)
			if bios {
				biosName = name
			}
			names, hadName = nil, false
			continue
		}
		label := b.kind == kPara && !b.table && len(b.links) == 0 && isLabelText(b.text)
		if bios {
			switch {
			case b.kind == kPara && (isNameLine(b, authors) || namesNext(b, blocks[i+1:])):
				names = append(names, blockLinks(b)...)
				if len(names) > maxAuthorsSought {
					names = names[len(names)-maxAuthorsSought:]
				}
				hadName = true
				continue
			case label:
				section, bios, inLead = title, false, true
				continue
			case len(authors) > 0 && !hadName && !mentionsAny(b.text, authors):
				section, bios, inLead = title, false, true
			default:
				for _, n := range names {
					if k := strings.Index(b.text, n.Text); k >= 0 && n.Text != "" {
						b.links = append(slices.Clone(b.links), linkSpan{start: k, end: k + len(n.Text), url: n.URL})
					}
				}
				names, hadName = nil, false
			}
		}
		if inLead && label && i+1 < len(blocks) && blocks[i+1].kind == kPara && !isLabelText(blocks[i+1].text) {
			continue // a category kicker above the lead
		}
		u := unit{section: section, text: b.text, links: b.links, item: b.kind == kItem, emph: b.emph}
		if u.item {
			u.list = b.list
		}
		units = append(units, u)
	}

	// Closing italic bios, at most a few, at the very end.
	for k := len(units) - 1; k >= 0 && k >= len(units)-3; k-- {
		u := &units[k]
		if u.item || !u.emph || u.section == biosName || runeLen(u.text) > 1200 {
			break
		}
		if !mentionsAny(u.text, authors) && !reBioSentence.MatchString(u.text) {
			break
		}
		if biosName == "" {
			biosName = "About the Authors"
		}
		u.section = biosName
	}

	// A paragraph ending in ":" right before a list is the list's lead-in.
	for k := 1; k < len(units); k++ {
		p, u := &units[k-1], units[k]
		if u.item && !p.item && p.section == u.section && lastRune(p.text) == ':' {
			p.leadIn, p.list = true, u.list
		}
	}
	return units
}

// isNameLine reports whether b is a line naming one author, as the bios
// sections of web pages show above each bio.
func isNameLine(b block, authors []string) bool {
	t := strings.TrimSpace(b.text)
	if wordCount(t) > 6 || endsTerminal(t) || !looksLikeName(t) {
		return false
	}
	if linkDominated(b) {
		return true
	}
	for _, a := range authors {
		if strings.EqualFold(a, t) {
			return true
		}
	}
	return false
}

// namesNext reports whether b is a bare name that the next paragraph talks
// about ("Jane Doe" above "Jane Doe is a fellow...").
func namesNext(b block, rest []block) bool {
	t := strings.TrimSpace(b.text)
	if len(rest) == 0 || rest[0].kind != kPara || wordCount(t) > 6 || endsTerminal(t) || !looksLikeName(t) {
		return false
	}
	return mentionsAny(rest[0].text, []string{t})
}
