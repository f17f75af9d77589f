package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// defaultMaxQuestionChars is discord.max_question_chars's default, and the
// most Discord lets a user type into /ask and /search unless configured.
const defaultMaxQuestionChars = 500

// maxOptionLength is the most characters Discord lets a string option be
// given (max_length).
const maxOptionLength = 6000

// removedRune reports the characters a question is cleaned of: control
// characters other than line breaks and tabs (which become spaces), the
// bidirectional embeddings, overrides and isolates that can make a text
// read differently from what it says, and the zero-width characters that
// hide in a word.
func removedRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case unicode.Is(unicode.Cc, r):
		return true
	case r >= 0x202A && r <= 0x202E: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r >= 0x200B && r <= 0x200D, r == 0xFEFF: // ZWSP, ZWNJ, ZWJ, BOM
		return true
	}
	return false
}

// cleanQuestion is a question as the bot reads it, from whichever path it
// came (a command, a form, a mention, a thread reply): the characters of
// removedRune and invalid UTF-8 dropped, each run of white space one
// space, and none at either end. Applying it twice changes nothing.
func cleanQuestion(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			// Invalid UTF-8: dropped, like a control character.
		case removedRune(r):
		case unicode.IsSpace(r):
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// questionRefusal checks a cleaned question: "" when it may be asked,
// otherwise what to tell the asker (nothing typed, too long). search
// words it for /search.
func questionRefusal(l lang, question string, maxChars int, search bool) string {
	n := runeLen(question)
	switch {
	case n == 0 && search:
		return l.T("Please type something to search for.")
	case n == 0:
		return l.T("Please type a question.")
	case n > maxChars && search:
		return l.T("Your search is too long (%d characters). Please keep it to at most %d characters.", n, maxChars)
	case n > maxChars:
		return l.T("Your question is too long (%d characters). Please keep it to at most %d characters.", n, maxChars)
	}
	return ""
}
