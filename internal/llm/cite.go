package llm

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Marker is one bracketed citation group of an answer: "[2]", "[1, 3]",
// "[1,3]" or "[1; 3]". Adjacent groups such as "[1][3]" are two markers.
type Marker struct {
	// Start and End are the byte span of the group, brackets included.
	Start, End int
	Numbers    []int
}

// maxMarkerDigits bounds a citation number; longer digit runs in brackets
// ("[2023]") are years or the like, not citations.
const maxMarkerDigits = 3

// ParseMarkers finds the citation groups of text, in order.
func ParseMarkers(text string) []Marker {
	var out []Marker
	for i := 0; i < len(text); i++ {
		if text[i] != '[' {
			continue
		}
		if m, ok := parseMarkerAt(text, i); ok {
			out = append(out, m)
			i = m.End - 1
		}
	}
	return out
}

// parseMarkerAt parses a citation group opening at text[i] == '['.
func parseMarkerAt(text string, i int) (Marker, bool) {
	m := Marker{Start: i}
	j := i + 1
	for {
		j = skipSpaces(text, j)
		k := j
		for k < len(text) && text[k] >= '0' && text[k] <= '9' {
			k++
		}
		if k == j || k-j > maxMarkerDigits {
			return Marker{}, false
		}
		n, _ := strconv.Atoi(text[j:k])
		m.Numbers = append(m.Numbers, n)
		j = skipSpaces(text, k)
		if j >= len(text) {
			return Marker{}, false
		}
		switch text[j] {
		case ']':
			m.End = j + 1
			return m, true
		case ',', ';':
			j++
		default:
			return Marker{}, false
		}
	}
}

func skipSpaces(text string, j int) int {
	for j < len(text) && text[j] == ' ' {
		j++
	}
	return j
}

// CitedNumbers returns the distinct numbers cited in text, in order of
// first appearance.
func CitedNumbers(text string) []int {
	var out []int
	for _, m := range ParseMarkers(text) {
		for _, n := range m.Numbers {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// CleanMarkers rewrites every citation group of text to the numbers keep
// accepts, one bracket per number ("[1, 7]" becomes "[1]" when 7 is
// rejected), each number once, where text first cites it ("[2][2]" becomes
// "[2]", "[1][2][1]" becomes "[1][2]"), and removes groups left empty
// together with the spaces before them. The one-number-per-bracket form
// lets a renderer map "[n]" to citations with a single pattern. The
// verifier cleans each sentence on its own, so a number appears at most
// once per sentence.
func CleanMarkers(text string, keep func(n int) bool) string {
	// Removing a group can make a new one of the text around it
	// ("[0[7]]" leaves "[0]"), so clean until nothing changes; a pass
	// either shortens the text or, once groups are in canonical form,
	// leaves it as is.
	for {
		out := cleanMarkersOnce(text, keep)
		if out == text {
			return out
		}
		text = out
	}
}

func cleanMarkersOnce(text string, keep func(n int) bool) string {
	markers := ParseMarkers(text)
	if len(markers) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	pending := "" // spaces before a removed group, owed to an adjacent kept one
	seen := map[int]bool{}
	for _, m := range markers {
		var kept []int
		for _, n := range m.Numbers {
			if !seen[n] && keep(n) {
				seen[n] = true
				kept = append(kept, n)
			}
		}
		prefix := text[last:m.Start]
		if prefix != "" {
			pending = ""
		}
		if len(kept) == 0 {
			trimmed := strings.TrimRight(prefix, " ")
			pending += prefix[len(trimmed):]
			b.WriteString(trimmed)
		} else {
			b.WriteString(pending + prefix)
			pending = ""
		}
		for _, n := range kept {
			b.WriteString("[" + strconv.Itoa(n) + "]")
		}
		last = m.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// stripMarkers removes every citation group, for word counting.
func stripMarkers(text string) string {
	return CleanMarkers(text, func(int) bool { return false })
}

// trimOpenMarker cuts a citation group still being streamed ("… [1, " with
// no closing bracket yet) off the end of text, so that a partial answer
// never shows a marker that may turn out invalid.
func trimOpenMarker(text string) string {
	i := strings.LastIndexByte(text, '[')
	if i < 0 {
		return text
	}
	for _, r := range text[i+1:] {
		if !(r >= '0' && r <= '9' || r == ' ' || r == ',' || r == ';') {
			return text
		}
	}
	return text[:i]
}

// Sentence is one sentence of an answer: a span of the original text,
// trailing whitespace included, so that the sentences of a text concatenate
// back to it.
type Sentence struct {
	Start, End int
	Text       string
}

// SplitSentences cuts text into sentences. A sentence ends at a line break
// (unless the next line starts in lower case after a line without a
// citation: a wrapped line), or at terminal punctuation followed (after
// closing quotes and citation markers, which stay with the sentence they
// close) by whitespace. A period does not end a sentence after a known
// abbreviation, a single letter (an initial) or a list number at the start
// of a line. Before a lower-case letter, an ellipsis, punctuation inside
// quotes or brackets and a period after a dotted word ("a.m.") do not end
// one either; otherwise the case of the next word does not matter, since
// models write lower-case sentences too and every sentence must carry its
// own citation. A boundary is only decided once the character after it is
// known, so the sentences of a prefix of a text, except the last, are
// sentences of the whole text: streaming relies on that.
//
// corpus.Sentences splits documents, which need none of the citation,
// list and streaming rules; this is the splitter for model answers.
func SplitSentences(text string) []Sentence {
	var out []Sentence
	start := 0
	emit := func(end int) {
		out = append(out, Sentence{Start: start, End: end, Text: text[start:end]})
		start = end
	}
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			k := skipSpace(text, i)
			if k >= len(text) {
				i = k
				continue
			}
			if strings.TrimSpace(text[start:i]) == "" {
				// Leading blank lines belong to the next sentence.
				i = k
				continue
			}
			next, _ := utf8.DecodeRuneInString(text[k:])
			if unicode.IsLower(next) && strings.Count(text[i:k], "\n") == 1 && !endsWithMarker(text[start:i]) {
				// A wrapped line, not a new sentence or list item; a line
				// ending in a citation ends its claim.
				i = k
				continue
			}
			emit(k)
			i = k
		case isTerminal(r):
			j := i + size
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !isTerminal(r2) && !isCloser(r2) {
					break
				}
				j += s2
			}
			for {
				k := skipSpaces(text, j)
				if k < len(text) && text[k] == '[' {
					if m, ok := parseMarkerAt(text, k); ok {
						j = m.End
						continue
					}
				}
				break
			}
			k := skipSpace(text, j)
			if k >= len(text) {
				i = k
				continue
			}
			if k == j && !isCJKTerminal(r) {
				i = j
				continue
			}
			next, _ := utf8.DecodeRuneInString(text[k:])
			if r == '.' && noBreakBefore(text, start, i) || unicode.IsLower(next) && continuesBefore(text, start, i, j) {
				i = j
				continue
			}
			emit(k)
			i = k
		default:
			i += size
		}
	}
	if start < len(text) {
		emit(len(text))
	}
	return out
}

// skipSpace skips all whitespace, line breaks included.
func skipSpace(text string, j int) int {
	for j < len(text) {
		r, s := utf8.DecodeRuneInString(text[j:])
		if !unicode.IsSpace(r) {
			break
		}
		j += s
	}
	return j
}

func isTerminal(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

func isCJKTerminal(r rune) bool { return r == '。' || r == '！' || r == '？' }

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', ')', ']', '*', '_':
		return true
	}
	return false
}

// abbreviations are words whose period does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true,
	"vs": true, "etc": true, "e.g": true, "i.e": true, "al": true, "fig": true,
	"no": true, "jr": true, "sr": true, "inc": true, "ltd": true, "co": true,
	"u.s": true, "u.k": true, "u.n": true, "gen": true, "sen": true, "rep": true,
	"gov": true, "approx": true, "cf": true, "ca": true,
}

// continuesBefore tells whether the terminal punctuation at text[at], whose
// run of punctuation, closers and citation markers ends at end, is inside a
// sentence that goes on in lower case: an ellipsis, punctuation closed by a
// quote or bracket ("stop!" he said), or the period of a dotted word
// ("a.m."). A citation marker in the run always ends the sentence.
func continuesBefore(text string, start, at, end int) bool {
	run := text[at:end]
	if len(ParseMarkers(run)) > 0 {
		return false
	}
	if strings.Contains(run, "…") || strings.Contains(run, "..") || strings.ContainsAny(run, "\"'”’»)") {
		return true
	}
	return text[at] == '.' && strings.Contains(wordBefore(text, start, at), ".")
}

// endsWithMarker tells whether s, trailing spaces aside, ends in a citation
// marker.
func endsWithMarker(s string) bool {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	m := ParseMarkers(s)
	return len(m) > 0 && m[len(m)-1].End == len(s)
}

// wordBefore returns the word ending at text[end], not before start.
func wordBefore(text string, start, end int) string {
	w := end
	for w > start {
		r, s := utf8.DecodeLastRuneInString(text[:w])
		if unicode.IsSpace(r) || r == '(' || r == '"' || r == '“' {
			break
		}
		w -= s
	}
	return text[w:end]
}

// noBreakBefore tells whether the period at text[dot] follows an
// abbreviation, an initial or a list number opening a line.
func noBreakBefore(text string, start, dot int) bool {
	raw := wordBefore(text, start, dot)
	w := dot - len(raw)
	word := strings.ToLower(raw)
	if word == "" {
		return false
	}
	if abbreviations[strings.TrimRight(word, ".")] {
		return true
	}
	if utf8.RuneCountInString(word) == 1 && unicode.IsLetter([]rune(word)[0]) {
		return true
	}
	if strings.Trim(word, "0123456789") == "" {
		line := strings.LastIndexByte(text[:w], '\n') + 1
		return strings.TrimLeft(text[line:w], " \t-*•") == ""
	}
	return false
}
