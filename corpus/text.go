package corpus

import (
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// sanitize makes the input valid UTF-8 with "\n" line ends and without
// control characters, so that the parsers never see broken runes.
func sanitize(data []byte) string {
	s := strings.ToValidUTF8(string(data), "\uFFFD")
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\u2028' || r == '\u2029':
			return '\n'
		case unicode.IsControl(r):
			return ' '
		case r == '\u200b' || r == '\ufeff' || r == '\u00ad':
			return -1
		}
		return r
	}, s)
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

func wordCount(s string) int { return len(strings.Fields(s)) }

// hasWords reports whether s has at least n words, looking no further than
// the n-th.
func hasWords(s string, n int) bool {
	words, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
			continue
		}
		if !in {
			if words++; words >= n {
				return true
			}
			in = true
		}
	}
	return n <= 0
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(strings.TrimSpace(s))
	return r
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimSpace(s))
	return r
}

// endsTerminal reports whether s ends like a finished sentence or a
// lead-in (".", "!", "?", ":", a closing quote or bracket).
func endsTerminal(s string) bool {
	return strings.ContainsRune(terminalRunes, lastRune(s))
}

// terminalRunes end a finished sentence or a lead-in.
const terminalRunes = `.!?:;…"'”’)]»`

// maxBylineBytes is the longest a byline can be: parseByline takes at most
// 250 runes, of at most 4 bytes each.
const maxBylineBytes = 250 * utf8.UTFMax

// isLabelText reports whether s is a short label line, such as a category
// kicker ("Brief Analysis") or a navigation marker: at most five words, no
// sentence-final punctuation, starting with a capital.
func isLabelText(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || runeLen(s) > 40 || wordCount(s) > 5 || endsTerminal(s) || isDateLine(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			return unicode.IsUpper(r)
		}
		if unicode.IsDigit(r) {
			return false
		}
	}
	return false
}

// isAllCaps reports whether every letter of s is upper case (and s has
// some).
func isAllCaps(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			n++
		}
	}
	return n > 0
}

var dateLayouts = []string{
	"Jan 2, 2006", "January 2, 2006", "Jan. 2, 2006", "Jan 2 2006", "January 2 2006",
	"2 January 2006", "2 Jan 2006", "2 Jan. 2006",
	"Monday, January 2, 2006", "Mon, Jan 2, 2006", "Monday, Jan 2, 2006", "Mon, January 2, 2006",
	"2006-01-02", "2006/01/02",
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z0700",
	time.RFC1123, time.RFC1123Z,
}

var (
	reSept       = regexp.MustCompile(`\bSept\b`)
	reDatePrefix = regexp.MustCompile(`(?i)^(?:published|posted|date|publication date)\s*(?:on)?\s*:?\s*`)
)

// parseDate understands the usual ways of writing a publication date.
func parseDate(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimSuffix(s, ".")
	s = reSept.ReplaceAllString(s, "Sep")
	// Every layout holds a year: a line without digits is no date, and
	// saying so early spares twenty failed parses on every short line.
	if s == "" || len(s) > 40 || !strings.ContainsAny(s, "0123456789") {
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// dateOfLine parses a line holding only a date, possibly after a
// "Published:" label.
func dateOfLine(s string) (time.Time, bool) {
	return parseDate(reDatePrefix.ReplaceAllString(strings.TrimSpace(s), ""))
}

func isDateLine(s string) bool {
	_, ok := dateOfLine(s)
	return ok
}

var (
	reBy      = regexp.MustCompile(`^(?i:by)[:\s]\s*(.+?)[.\s]*$`)
	reNameSep = regexp.MustCompile(`\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s*;\s*|\s+\|\s+`)
	particles = map[string]bool{"de": true, "da": true, "del": true, "della": true, "der": true, "den": true,
		"van": true, "von": true, "al": true, "bin": true, "ibn": true, "la": true, "le": true, "di": true, "du": true, "dos": true, "y": true}
)

// parseByline returns the author names of a "by A, B and C" line, or nil
// when the line is not a byline.
func parseByline(s string) []string {
	s = strings.TrimSpace(s)
	if len(s) > maxBylineBytes || runeLen(s) > 250 {
		return nil
	}
	m := reBy.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	var names []string
	for i, part := range reNameSep.Split(m[1], -1) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !looksLikeName(part) {
			if i == 0 {
				return nil
			}
			continue // a trailing role such as "senior fellow"
		}
		names = append(names, part)
	}
	return names
}

func looksLikeName(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 6 || runeLen(s) > 60 {
		return false
	}
	capitals := 0
	for _, w := range words {
		r := firstRune(w)
		switch {
		case unicode.IsUpper(r):
			capitals++
		case particles[strings.ToLower(strings.TrimRight(w, "-"))] || strings.HasPrefix(w, "al-") || strings.HasPrefix(w, "el-"):
		default:
			return false
		}
		for _, c := range w {
			if unicode.IsDigit(c) {
				return false
			}
		}
	}
	return capitals > 0
}

// surname is the last word of a name, used to spot a person in prose.
func surname(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[len(f)-1], ".,")
}

func mentionsAny(text string, names []string) bool {
	for _, n := range names {
		if s := surname(n); len(s) > 1 && containsWord(text, s) {
			return true
		}
	}
	return false
}

func containsWord(text, w string) bool {
	for off := 0; ; {
		j := strings.Index(text[off:], w)
		if j < 0 {
			return false
		}
		j += off
		before, _ := utf8.DecodeLastRuneInString(text[:j])
		after, _ := utf8.DecodeRuneInString(text[j+len(w):])
		if (j == 0 || !unicode.IsLetter(before)) && (j+len(w) == len(text) || !unicode.IsLetter(after)) {
			return true
		}
		off = j + len(w)
	}
}

var smallWords = map[string]bool{"a": true, "an": true, "and": true, "as": true, "at": true, "but": true, "by": true,
	"for": true, "from": true, "in": true, "into": true, "of": true, "on": true, "or": true, "the": true, "to": true, "vs": true, "with": true}

// normalizeHeading cleans a heading and turns SHOUTED headings into title
// case ("ABOUT THE AUTHORS" -> "About the Authors"), keeping acronyms.
func normalizeHeading(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimSpace(strings.TrimSuffix(s, ":"))
	if !isAllCaps(s) {
		return s
	}
	long := 0
	for _, w := range strings.Fields(s) {
		if runeLen(strings.Trim(w, ".,:;!?&")) >= 4 {
			long++
		}
	}
	if long < 1 || len(strings.Fields(s)) < 2 {
		return s
	}
	words := strings.Fields(s)
	for i, w := range words {
		lw := strings.ToLower(w)
		switch {
		case i > 0 && smallWords[lw]:
			words[i] = lw
		case strings.Contains(w, ".") || runeLen(w) <= 3 && !smallWords[lw]:
			// U.S., UN, EU: acronyms stay.
		default:
			r, size := utf8.DecodeRuneInString(w)
			words[i] = string(r) + strings.ToLower(w[size:])
		}
	}
	return strings.Join(words, " ")
}

// slug makes an ASCII identifier of a section name for passage IDs:
// lowercase letters and digits, other runs turned into one '-', at most
// 60 bytes cut at a word boundary. Names without ASCII letters get a hash.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’':
			// "Iran's" -> "irans"
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > 60 {
		cut := strings.LastIndexByte(out[:61], '-')
		if cut < 20 {
			cut = 60
		}
		out = out[:cut]
	}
	if out == "" {
		h := fnv.New32a()
		h.Write([]byte(s))
		return "s" + strconv.FormatUint(uint64(h.Sum32()), 16)
	}
	return out
}

// cleanPlain collapses whitespace of text that carries no markup.
func cleanPlain(s string) string {
	return strings.Join(strings.Fields(sanitize([]byte(s))), " ")
}

var reBlankLine = regexp.MustCompile(`\n[ \t]*\n`)

// splitPlainParagraphs splits plain text at blank lines.
func splitPlainParagraphs(text string) []string {
	var out []string
	for _, p := range reBlankLine.Split(sanitize([]byte(text)), -1) {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// linkDominated reports whether most of b's text is link anchors, as in
// navigation lines.
func linkDominated(b block) bool {
	if len(b.links) == 0 {
		return false
	}
	n := 0
	for _, l := range b.links {
		n += runeLen(b.text[l.start:l.end])
	}
	letters := 0
	for _, r := range b.text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			letters++
		}
	}
	return n*10 >= runeLen(b.text)*6 || letters <= n
}
