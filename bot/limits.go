package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Discord's message limits, in characters (code points).
const (
	maxContent          = 2000
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFields      = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooterText       = 2048
	maxEmbedsTotal      = 6000
	maxEmbeds           = 10
	maxCustomID         = 100
	maxChoices          = 25
	maxChoiceName       = 100
	maxChoiceValue      = 100
)

// cutText shortens s to at most max characters. It prefers the end of a
// sentence, then the end of a word, and marks a cut inside a sentence with an
// ellipsis, so a shortened answer never ends mid-word.
func cutText(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	head := string(runes[:max])
	// A sentence end: terminal punctuation, optionally followed by a closing
	// quote, bracket or a citation marker like " [2]", then a space.
	if i := lastSentenceEnd(head); i > len(head)/3 {
		return strings.TrimRightFunc(head[:i], unicode.IsSpace)
	}
	head = string(runes[:max-1])
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i > len(head)/2 {
		head = head[:i]
	}
	return strings.TrimRightFunc(head, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ']' && r != ')' }) + "…"
}

// lastSentenceEnd returns the byte offset just past the last complete
// sentence in s (including a trailing citation marker), or -1.
func lastSentenceEnd(s string) int {
	ends := sentenceEnds(s)
	if len(ends) == 0 {
		return -1
	}
	return ends[len(ends)-1]
}

// sentenceEnds returns the byte offsets just past each sentence of s: after
// terminal punctuation, closing quotes and brackets, and citation markers
// like " [1]" or " [1][2]" that belong to the sentence, where a space, a
// line break or the end of s follows.
func sentenceEnds(s string) []int {
	var ends []int
	for i, r := range s {
		if r != '.' && r != '!' && r != '?' {
			continue
		}
		j := i + utf8.RuneLen(r)
		for j < len(s) {
			c, size := utf8.DecodeRuneInString(s[j:])
			if c == '"' || c == '\'' || c == '”' || c == '’' || c == ')' || c == '»' {
				j += size
				continue
			}
			break
		}
		k := j
		for {
			m := k
			for m < len(s) && s[m] == ' ' {
				m++
			}
			if m < len(s) && s[m] == '[' {
				e := strings.IndexByte(s[m:], ']')
				if e > 0 && isCitationBody(s[m+1:m+e]) {
					k = m + e + 1
					continue
				}
			}
			break
		}
		j = k
		if j == len(s) || s[j] == ' ' || s[j] == '\n' {
			if len(ends) == 0 || ends[len(ends)-1] != j {
				ends = append(ends, j)
			}
		}
	}
	return ends
}

func isCitationBody(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) && r != ',' && r != ' ' {
			return false
		}
	}
	return true
}

// escapeMarkdown keeps document text from being read as Discord markdown
// (bold, italics, links, spoilers, code) when it is shown inside a message.
// Quote, heading and list markers only mean something at the start of a
// line, so only there are they escaped; "<@&123>" stays readable.
func escapeMarkdown(s string) string { return escapeMarkdownAt(s, true) }

// escapeMarkdownAt is escapeMarkdown for a piece of a longer text: lineStart
// says whether the piece begins a line, so that a "-" after a citation
// marker is not escaped as if it opened a list.
func escapeMarkdownAt(s string, lineStart bool) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '[', ']':
			b.WriteByte('\\')
		case '>', '#', '-':
			if lineStart {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
		switch {
		case r == '\n':
			lineStart = true
		case r != ' ' && r != '\t':
			lineStart = false
		}
	}
	return b.String()
}

// runeLen counts characters as Discord does.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
