package corpus

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// linkSpan is a link whose anchor text is out[start:end] of the text it was
// found in. An empty url is a link whose target is still unknown (the "#"
// placeholders of web-page exports), which a following URL may complete.
type linkSpan struct {
	start, end int
	url        string
}

// scanLimit bounds how far a bracket or parenthesis is searched for its
// partner, which keeps inline parsing linear on unbalanced input.
const scanLimit = 4096

// wordReach bounds how far back a URL without anchor text looks for the
// word it belongs to.
const wordReach = 256

var (
	// reTrailURL finds an anchor text ending in "(url)": the exports we
	// receive repeat the link target inside the anchor text.
	reTrailURL = regexp.MustCompile(`\s*\(\s*((?:https?://|ftp://|www\.|/)\S*?)\s*\)$`)
	reAutolink = regexp.MustCompile(`^<((?:https?|ftp)://[^<>\s]*|www\.[^<>\s]+|mailto:[^<>\s]+)>`)
	reEmailAL  = regexp.MustCompile(`^<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>`)
	reHTMLTag  = regexp.MustCompile(`^</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>`)
	reParenURL = regexp.MustCompile(`^\(\s*(?:<((?:https?|ftp)://[^<>\s]+|www\.[^<>\s]+|/[^<>\s]*)>|((?:https?://|ftp://|www\.)[^\s<>()]+|/[^\s<>()/][^\s<>()]*))\s*\)`)
	reEntity   = regexp.MustCompile(`^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)
)

type emOpen struct {
	ch  byte
	pos int
}

// inliner turns one block of Markdown inline syntax into clean text: it
// drops emphasis markers, images and HTML tags, resolves escapes and
// entities, keeps links as anchor text plus a linkSpan, and collapses
// whitespace. It also serves as the text buffer of the HTML parser.
type inliner struct {
	refs  map[string]string
	out   []byte
	space bool // a space is pending before the next visible rune
	links []linkSpan

	stack []emOpen
	// open counts the openers of each marker on the stack, so that a
	// closer without an opener does not search the stack.
	open   [2]int
	lastEm struct {
		start, end int
		ok         bool
	}
	forceEm   int // >0 while inside HTML emphasis elements
	letters   int
	emLetters int

	// leadURL is a URL-only token met before any text: debris completing
	// a link of the previous block.
	leadURL string
	// atEnd is set while a URL-only token ending the text is handled.
	atEnd bool
	// justURL is set after a URL-only token until the next visible rune,
	// so that the token's dangling ")" and the space before punctuation
	// can go too.
	justURL    bool
	parenDepth int
	// squares and parens pair the brackets of the text given to run (see
	// matchClose); nil until needed.
	squares, parens []int32

	// visible is the length of out up to its last rune that is not a
	// space or a quote: out[k:] is trivial (see onlyTrivial) when k >=
	// visible.
	visible int
}

// trivialFrom reports whether out[k:] holds nothing but spaces and quotes.
func (in *inliner) trivialFrom(k int) bool { return k >= in.visible }

func newInliner(refs map[string]string) *inliner { return &inliner{refs: refs} }

// emphasized reports whether all the letters of the text are emphasized.
func (in *inliner) emphasized() bool { return in.letters > 0 && in.emLetters == in.letters }

func (in *inliner) text() string { return string(in.out) }

func isSpaceRune(r rune) bool { return unicode.IsSpace(r) || r == 0 }

func (in *inliner) emitRune(r rune) {
	if isSpaceRune(r) {
		in.space = true
		return
	}
	if r == '\u200b' || r == '\ufeff' || r == '\u00ad' {
		return
	}
	if in.space && len(in.out) > 0 {
		if !(in.justURL && strings.ContainsRune(",.;:!?)—–”’", r)) {
			in.out = append(in.out, ' ')
		}
	}
	in.space = false
	in.justURL = false
	in.out = utf8.AppendRune(in.out, r)
	if !strings.ContainsRune(trivialRunes, r) {
		in.visible = len(in.out)
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		in.letters++
		if len(in.stack) > 0 || in.forceEm > 0 {
			in.emLetters++
		}
	}
	switch r {
	case '(':
		in.parenDepth++
	case ')':
		in.parenDepth--
	}
}

// emitString emits s and returns the byte range its visible text took in
// the output (start == end when s had none).
func (in *inliner) emitString(s string, emph bool) (int, int) {
	start := -1
	if emph {
		in.forceEm++
		defer func() { in.forceEm-- }()
	}
	for _, r := range s {
		before := len(in.out)
		in.emitRune(r)
		if start < 0 && len(in.out) > before {
			start = len(in.out) - utf8.RuneLen(r)
		}
	}
	if start < 0 {
		return len(in.out), len(in.out)
	}
	return start, len(in.out)
}

func isASCIIPunct(c byte) bool {
	return c < utf8.RuneSelf && (c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~')
}

func isPunctRune(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

// run parses s and appends its text to the output.
func (in *inliner) run(s string) {
	in.squares, in.parens = nil, nil
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && isASCIIPunct(s[i+1]) {
				in.emitRune(rune(s[i+1]))
				i += 2
				continue
			}
			in.emitRune('\\')
			i++
		case '!':
			if i+1 < len(s) && s[i+1] == '[' {
				if end := in.skipImage(s, i+1); end > 0 {
					i = end
					continue
				}
			}
			in.emitRune('!')
			i++
		case '[':
			i = in.link(s, i)
		case '<':
			i = in.angle(s, i)
		case '(':
			if m := parenURL(s[i:min(len(s), i+scanLimit)]); m != nil {
				u := m[1]
				if u == "" {
					u = m[2]
				}
				i += len(m[0])
				in.atEnd = strings.TrimSpace(s[i:]) == ""
				in.urlOnly(u)
				in.atEnd = false
				continue
			}
			in.emitRune('(')
			i++
		case ')':
			if in.justURL && in.parenDepth <= 0 {
				i++ // the dangling ")" of "<url>)" debris
				continue
			}
			in.emitRune(')')
			i++
		case '*', '_':
			i = in.emphasis(s, i)
		case '`':
			i = in.code(s, i)
		case '~':
			if strings.HasPrefix(s[i:], "~~") {
				i += 2
				continue
			}
			in.emitRune('~')
			i++
		case '&':
			if m := reEntity.FindString(s[i:min(len(s), i+40)]); m != "" {
				in.emitString(html.UnescapeString(m), false)
				i += len(m)
				continue
			}
			in.emitRune('&')
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.Is(unicode.So, r) && isolated(s, i, size) {
				i += size // ornaments such as ❖ ◆ between words
				continue
			}
			in.emitRune(r)
			i += size
		}
	}
}

// parenURL matches reParenURL at the start of s, after a cheap test of the
// byte that must follow "(": most parentheses open prose, and running the
// regular expression over the window at each of them is slow.
func parenURL(s string) []string {
	t := strings.TrimLeft(s[1:], " \t\n\v\f\r")
	if t == "" || !strings.ContainsRune("<hfw/", rune(t[0])) {
		return nil
	}
	return reParenURL.FindStringSubmatch(s)
}

// isolated reports whether the rune at s[i:i+size] stands alone between
// spaces or markup.
func isolated(s string, i, size int) bool {
	edge := func(r rune) bool { return isSpaceRune(r) || r == '*' || r == '_' }
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); !edge(r) {
			return false
		}
	}
	if i+size < len(s) {
		if r, _ := utf8.DecodeRuneInString(s[i+size:]); !edge(r) {
			return false
		}
	}
	return true
}

// matchClose returns the index of the bracket closing the one at s[i]
// (open/close given: "[]" or "()"), honouring nesting and escapes, or -1
// when there is none within scanLimit bytes. s is the text given to run:
// the pairs of all its brackets are found in one pass, the first time one
// is needed, so that a long run of unclosed brackets is not searched from
// each of them.
func (in *inliner) matchClose(s string, i int, open, close byte) int {
	t := &in.squares
	if open == '(' {
		t = &in.parens
	}
	if *t == nil {
		*t = bracketPairs(s, open, close)
	}
	j := int((*t)[i])
	if j < 0 || j >= min(len(s), i+scanLimit) {
		return -1
	}
	return j
}

// bracketPairs returns, for every opening bracket of s, the index of the
// bracket closing it (-1 when none does), skipping the byte after each
// backslash. Scanning from one opening bracket while counting depth finds
// the same partner.
func bracketPairs(s string, open, close byte) []int32 {
	pairs := make([]int32, len(s))
	var stack []int32
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case open:
			pairs[j] = -1
			stack = append(stack, int32(j))
		case close:
			if n := len(stack); n > 0 {
				pairs[stack[n-1]] = int32(j)
				stack = stack[:n-1]
			}
		}
	}
	return pairs
}

func (in *inliner) skipImage(s string, i int) int {
	end := in.matchClose(s, i, '[', ']')
	if end < 0 {
		return -1
	}
	if end+1 < len(s) && s[end+1] == '(' {
		if pend := in.matchClose(s, end+1, '(', ')'); pend > 0 {
			return pend + 1
		}
	}
	if end+1 < len(s) && s[end+1] == '[' {
		if rend := in.matchClose(s, end+1, '[', ']'); rend > 0 {
			return rend + 1
		}
	}
	return -1
}

func refKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// link handles "[": a link, reference link, footnote marker, or a literal
// bracket. It returns the index after what it consumed.
func (in *inliner) link(s string, i int) int {
	end := in.matchClose(s, i, '[', ']')
	if end < 0 {
		in.emitRune('[')
		return i + 1
	}
	label := s[i+1 : end]
	next := end + 1
	if next < len(s) && s[next] == '(' {
		if pend := in.matchClose(s, next, '(', ')'); pend > 0 {
			in.addLink(label, destination(s[next+1:pend]))
			return pend + 1
		}
	}
	if strings.HasPrefix(label, "^") {
		return end + 1 // footnote marker
	}
	if next < len(s) && s[next] == '[' {
		if rend := in.matchClose(s, next, '[', ']'); rend > 0 {
			ref := s[next+1 : rend]
			if ref == "" {
				ref = label
			}
			if u, ok := in.refs[refKey(ref)]; ok {
				in.addLink(label, u)
				return rend + 1
			}
		}
	}
	if u, ok := in.refs[refKey(label)]; ok && label != "" {
		in.addLink(label, u)
		return end + 1
	}
	in.emitRune('[')
	return i + 1
}

// destination extracts the URL of a link destination, dropping a title.
func destination(d string) string {
	d = strings.TrimSpace(d)
	if strings.HasPrefix(d, "<") {
		if j := strings.IndexByte(d, '>'); j > 0 {
			return d[1:j]
		}
	}
	if j := strings.IndexAny(d, " \t\n"); j >= 0 {
		d = d[:j]
	}
	return d
}

// cleanURL unescapes a URL and empties those useless as a citation target
// (in-page fragments, scripts).
func cleanURL(u string) string {
	u = strings.TrimSpace(strings.Trim(strings.TrimSpace(u), "<>"))
	if strings.Contains(u, `\`) {
		var b strings.Builder
		for i := 0; i < len(u); i++ {
			if u[i] == '\\' && i+1 < len(u) && isASCIIPunct(u[i+1]) {
				i++
			}
			b.WriteByte(u[i])
		}
		u = b.String()
	}
	if u == "" || strings.HasPrefix(u, "#") || strings.HasPrefix(strings.ToLower(u), "javascript:") {
		return ""
	}
	return u
}

func isAbsURL(u string) bool {
	for _, p := range []string{"http://", "https://", "ftp://", "mailto:", "www."} {
		if len(u) >= len(p) && strings.EqualFold(u[:len(p)], p) {
			return true
		}
	}
	return false
}

// chooseURL picks a link's target among the destination and the URL the
// anchor text repeated, preferring an absolute one.
func chooseURL(dest, inner string) string {
	d, n := cleanURL(dest), cleanURL(inner)
	switch {
	case isAbsURL(d):
		return d
	case isAbsURL(n):
		return n
	case d != "":
		return d
	}
	return n
}

var imageExts = []string{".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".bmp", ".tif", ".tiff", ".avif"}

func isImageURL(u string) bool {
	if j := strings.IndexAny(u, "?#"); j >= 0 {
		u = u[:j]
	}
	u = strings.ToLower(u)
	for _, e := range imageExts {
		if strings.HasSuffix(u, e) {
			return true
		}
	}
	return false
}

func (in *inliner) addLink(labelRaw, dest string) {
	child := newInliner(in.refs)
	child.run(labelRaw)
	text := child.text()
	inner := ""
	if m := reTrailURL.FindStringSubmatchIndex(text); m != nil {
		inner = text[m[2]:m[3]]
		text = strings.TrimSpace(text[:m[0]])
	}
	u := chooseURL(dest, inner)
	if strings.TrimSpace(text) == "" {
		in.urlOnly(u)
		return
	}
	start, end := in.emitString(text, child.emphasized())
	if end > start {
		in.links = append(in.links, linkSpan{start: start, end: end, url: u})
	}
}

// trivialRunes are the quotes that onlyTrivial ignores besides spaces.
const trivialRunes = `"'”’“‘»`

// onlyTrivial reports whether b holds nothing but spaces and quotes.
func onlyTrivial(b []byte) bool {
	for _, r := range string(b) {
		if !isSpaceRune(r) && !strings.ContainsRune(trivialRunes, r) {
			return false
		}
	}
	return true
}

// covered reports whether [start, end) overlaps a link. Links are disjoint
// and found in reading order, so the search stops at the first link that
// ends before start.
func (in *inliner) covered(start, end int) bool {
	for k := len(in.links) - 1; k >= 0; k-- {
		l := in.links[k]
		if l.start < end && start < l.end {
			return true
		}
		if l.end <= start {
			return false
		}
	}
	return false
}

// urlOnly handles a URL that came without anchor text: debris such as
// "(<url>)" after a bold phrase, "<url>)" or "[\(url\)](url)" completing a
// "#" link, or "Label (/path)" navigation lines. The URL goes to the text it
// belongs to, never into the output.
func (in *inliner) urlOnly(u string) {
	defer func() { in.justURL = true }()
	u = cleanURL(u)
	if u == "" || isImageURL(u) {
		return
	}
	// A bold or italic phrase right before: "**challenging** (<url>)".
	if in.lastEm.ok && in.lastEm.end <= len(in.out) && in.trivialFrom(in.lastEm.end) {
		s, e := trimSpan(in.out, in.lastEm.start, in.lastEm.end)
		if e > s && !in.covered(s, e) {
			in.links = append(in.links, linkSpan{start: s, end: e, url: u})
			return
		}
	}
	if n := len(in.links); n > 0 && in.trivialFrom(in.links[n-1].end) {
		if in.links[n-1].url == "" {
			in.links[n-1].url = u
		}
		return // completes the link, or repeats its URL
	}
	if len(in.out) == 0 {
		if in.leadURL == "" {
			in.leadURL = u
		}
		return
	}
	// "Energy & Economics (/policy-analysis/energy-economics)".
	if in.atEnd && len(in.links) == 0 && len(in.out) <= scanLimit && len(strings.Fields(string(in.out))) <= 6 && !endsTerminal(string(in.out)) {
		s, e := trimSpan(in.out, 0, len(in.out))
		if e > s {
			in.links = append(in.links, linkSpan{start: s, end: e, url: u})
		}
		return
	}
	// Otherwise the word right before, when there is one within reach
	// (searching further back at every URL would make debris such as a
	// long run of punctuation quadratic).
	floor := max(0, len(in.out)-wordReach)
	e := len(in.out)
	for e > floor {
		r, size := utf8.DecodeLastRune(in.out[:e])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		e -= size
	}
	s := e
	for s > floor {
		r, size := utf8.DecodeLastRune(in.out[:s])
		if isSpaceRune(r) || r == '(' || r == '"' || r == '“' {
			break
		}
		s -= size
	}
	if s == floor && floor > 0 {
		return // no word within reach
	}
	if e == floor && floor > 0 {
		return
	}
	if e > s && !in.covered(s, e) {
		in.links = append(in.links, linkSpan{start: s, end: e, url: u})
	}
}

// trimSpan narrows [s,e) of b to exclude spaces and quotes at its edges.
func trimSpan(b []byte, s, e int) (int, int) {
	for s < e {
		r, size := utf8.DecodeRune(b[s:e])
		if !isSpaceRune(r) && !strings.ContainsRune(`"'”’“‘`, r) {
			break
		}
		s += size
	}
	for e > s {
		r, size := utf8.DecodeLastRune(b[s:e])
		if !isSpaceRune(r) && !strings.ContainsRune(`"'”’“‘`, r) {
			break
		}
		e -= size
	}
	return s, e
}

func (in *inliner) angle(s string, i int) int {
	rest := s[i:min(len(s), i+scanLimit)]
	if len(rest) < 3 || !(rest[1] == '/' || rest[1] == '!' || isASCIILetter(rest[1])) {
		// Neither an autolink, an e-mail address, a comment nor a tag,
		// which all need a letter, "/" or "!" after "<".
		// An address is short: a window spares the regular expression
		// a long search at each "<".
		w := rest[:min(len(rest), 320)]
		if m := reEmailAL.FindStringSubmatch(w); m != nil {
			in.emitString(m[1], false)
			return i + len(m[0])
		}
		in.emitRune('<')
		return i + 1
	}
	if m := reAutolink.FindStringSubmatch(rest); m != nil {
		in.atEnd = strings.TrimSpace(strings.TrimLeft(s[i+len(m[0]):], ")")) == ""
		in.urlOnly(m[1])
		in.atEnd = false
		return i + len(m[0])
	}
	if m := reEmailAL.FindStringSubmatch(rest); m != nil {
		in.emitString(m[1], false)
		return i + len(m[0])
	}
	if strings.HasPrefix(rest, "<!--") {
		if j := strings.Index(rest, "-->"); j >= 0 {
			return i + j + 3
		}
	}
	if m := reHTMLTag.FindString(rest); m != "" {
		in.space = true
		return i + len(m)
	}
	in.emitRune('<')
	return i + 1
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func (in *inliner) code(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	fence := s[i : i+n]
	rest := s[i+n : min(len(s), i+n+scanLimit)]
	for off := 0; off < len(rest); {
		j := strings.Index(rest[off:], fence)
		if j < 0 {
			break
		}
		j += off
		k := j + n
		if k < len(rest) && rest[k] == '`' {
			for k < len(rest) && rest[k] == '`' {
				k++
			}
			off = k
			continue
		}
		in.emitString(rest[:j], false)
		return i + n + k
	}
	in.emitString(fence, false)
	return i + n
}

func emIndex(ch byte) int {
	if ch == '_' {
		return 1
	}
	return 0
}

// emphasis handles a run of '*' or '_' using CommonMark's flanking rules:
// markers are dropped, literal asterisks and snake_case survive.
func (in *inliner) emphasis(s string, i int) int {
	ch := s[i]
	n := 0
	for i+n < len(s) && s[i+n] == ch {
		n++
	}
	prev, next := ' ', ' '
	if i > 0 {
		prev, _ = utf8.DecodeLastRuneInString(s[:i])
	}
	if i+n < len(s) {
		next, _ = utf8.DecodeRuneInString(s[i+n:])
	}
	left := !isSpaceRune(next) && (!isPunctRune(next) || isSpaceRune(prev) || isPunctRune(prev))
	right := !isSpaceRune(prev) && (!isPunctRune(prev) || isSpaceRune(next) || isPunctRune(next))
	canOpen, canClose := left, right
	if ch == '_' {
		canOpen = left && (!right || isPunctRune(prev))
		canClose = right && (!left || isPunctRune(next))
	}
	literal := func() int {
		for k := 0; k < n; k++ {
			in.emitRune(rune(ch))
		}
		return i + n
	}
	if !canOpen && !canClose {
		return literal()
	}
	if canClose && in.open[emIndex(ch)] > 0 {
		for k := len(in.stack) - 1; k >= 0; k-- {
			if in.stack[k].ch == ch {
				in.lastEm.start, in.lastEm.end, in.lastEm.ok = in.stack[k].pos, len(in.out), true
				for _, o := range in.stack[k:] {
					in.open[emIndex(o.ch)]--
				}
				in.stack = in.stack[:k]
				return i + n
			}
		}
	}
	if canOpen {
		// An opener without any closer ahead is a literal character.
		if strings.IndexByte(s[i+n:], ch) < 0 {
			return literal()
		}
		in.stack = append(in.stack, emOpen{ch: ch, pos: len(in.out)})
		in.open[emIndex(ch)]++
		return i + n
	}
	return i + n // a stray closer is markup debris
}
