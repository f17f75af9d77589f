package index

import (
	"unicode/utf8"

	wordseg "github.com/blevesearch/segment"

	"github.com/briefbot/briefbot"
)

// appendTokens appends to dst the byte spans of the tokens bleve's unicode
// tokenizer (the English analyzer's) cuts text into, in order, and returns
// the extended slice.
//
// Quoting a hit re-tokenizes its passage, and the tokenizer's Unicode
// word-boundary machine was most of the time a search spent on quotes.
// Text is cut into pieces at ASCII white space, across which no
// word-boundary rule joins anything; a piece of ASCII is cut here by the
// same rules (UAX #29 as the segment package implements them, restricted
// to ASCII), and only a piece holding other bytes goes through the segment
// package. FuzzAppendTokens holds the two to the same output. (The segment
// package stops at the first invalid UTF-8, so such text goes to it whole.)
//
// A token is a run of letters, digits and underscores, joined across one
// middle character (: . ') between two letters, or (, ; . ') between two
// digits; every other byte stands alone and is no token.
func appendTokens(dst []briefbot.Span, text string) []briefbot.Span {
	return appendTokensIf(dst, text, nil)
}

// appendTokensIf is appendTokens appending only the tokens sigs lets
// through (all when sigs is nil): describe looks at no other, and most
// tokens are no query term.
func appendTokensIf(dst []briefbot.Span, text string, sigs *termSigs) []briefbot.Span {
	first := len(dst)
	piece, mark := 0, len(dst) // the current piece's start, and its first token's index in dst
	for i := 0; i < len(text); {
		switch c := asciiClasses[text[i]]; c {
		case spaceClass:
			i++
			piece, mark = i, len(dst)
			continue
		case beyondASCII:
			if !utf8.ValidString(text[i:]) {
				return sift(appendSegmentTokens(dst[:first], text, 0, len(text)), first, text, sigs)
			}
			end := i
			for end < len(text) && asciiClasses[text[end]] != spaceClass {
				end++
			}
			dst = sift(appendSegmentTokens(dst[:mark], text, piece, end), mark, text, sigs)
			i = end
			continue
		case letterClass, digitClass, extendNumLet:
		default:
			i++
			continue
		}
		j := i + 1
		for j < len(text) {
			c := asciiClasses[text[j]]
			if isWordClass(c) {
				j++
				continue
			}
			// Most tokens end at white space or punctuation that joins
			// nothing: only a middle character needs its neighbours.
			if c < midLetter || c > midNumLet || j+1 >= len(text) {
				break
			}
			prev, next := asciiClasses[text[j-1]], asciiClasses[text[j+1]]
			joins := (prev == letterClass && next == letterClass && (c == midLetter || c == midNumLet)) ||
				(prev == digitClass && next == digitClass && (c == midNum || c == midNumLet))
			if !joins {
				break
			}
			j += 2
		}
		if sigs == nil || sigs.mayMatch(text[i:j]) {
			dst = append(dst, briefbot.Span{Start: i, End: j})
		}
		i = j
	}
	return dst
}

// sift keeps, of the tokens of text dst[from:], those sigs lets through
// (all when sigs is nil).
func sift(dst []briefbot.Span, from int, text string, sigs *termSigs) []briefbot.Span {
	if sigs == nil {
		return dst
	}
	keep := dst[:from]
	for _, tok := range dst[from:] {
		if sigs.mayMatch(text[tok.Start:tok.End]) {
			keep = append(keep, tok)
		}
	}
	return keep
}

// isWordClass reports whether c is letterClass, digitClass or
// extendNumLet, in one comparison (the three are consecutive).
func isWordClass(c asciiClass) bool { return c-letterClass <= extendNumLet-letterClass }

// isASCIISpace reports whether b is an ASCII space, tab or line break.
func isASCIISpace(b byte) bool { return asciiClasses[b] == spaceClass }

// asciiClass is a byte's UAX #29 word-break property, for ASCII.
type asciiClass uint8

const (
	otherClass   asciiClass = iota
	letterClass             // ALetter: A-Z a-z
	digitClass              // Numeric: 0-9
	extendNumLet            // ExtendNumLet: _
	midLetter               // MidLetter: :
	midNum                  // MidNum: , ;
	midNumLet               // MidNumLet and Single_Quote: . '
	spaceClass              // white space and line breaks (Other, CR, LF, Newline)
	beyondASCII             // a byte of a multi-byte character
)

var asciiClasses = func() (t [256]asciiClass) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = letterClass
		t[c-'a'+'A'] = letterClass
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = digitClass
	}
	t['_'] = extendNumLet
	t[':'] = midLetter
	t[','], t[';'] = midNum, midNum
	t['.'], t['\''] = midNumLet, midNumLet
	for _, c := range " \t\n\v\f\r" {
		t[c] = spaceClass
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = beyondASCII
	}
	return t
}()

// appendSegmentTokens appends the tokens of text[start:end] as the
// segment package cuts them.
func appendSegmentTokens(dst []briefbot.Span, text string, start, end int) []briefbot.Span {
	seg := wordseg.NewWordSegmenterDirect([]byte(text[start:end]))
	at := start
	for seg.Segment() {
		n := len(seg.Bytes())
		if seg.Type() != wordseg.None {
			dst = append(dst, briefbot.Span{Start: at, End: at + n})
		}
		at += n
	}
	return dst
}
