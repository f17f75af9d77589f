package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// controlEscaper writes text with control characters and invalid UTF-8
// shown as escapes (\x1b, \u0085), so that a file name or a document title
// holding an escape sequence cannot rewrite the user's terminal or hide a
// line. Line feeds and tabs pass, and carriage returns where the progress
// bar needs them. JSON output is unaffected: its encoder already escapes
// every control character.
type controlEscaper struct {
	w      io.Writer
	keepCR bool
}

func (c controlEscaper) Write(p []byte) (int, error) {
	if !c.needsEscape(p) {
		return c.w.Write(p)
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, p[i])
		case c.escapes(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case c.escapes(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.Write(p[i : i+size])
		}
		i += size
	}
	if _, err := io.WriteString(c.w, b.String()); err != nil {
		return 0, err
	}
	// The caller's bytes were all consumed, whatever their escaped length.
	return len(p), nil
}

func (c controlEscaper) escapes(r rune) bool {
	switch r {
	case '\n', '\t':
		return false
	case '\r':
		return !c.keepCR
	}
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

func (c controlEscaper) needsEscape(p []byte) bool {
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			if c.escapes(rune(p[i])) {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if (r == utf8.RuneError && size == 1) || c.escapes(r) {
			return true
		}
		i += size
	}
	return false
}
