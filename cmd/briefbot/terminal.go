package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
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

// isTerminal reports whether w is an interactive terminal. It is env's
// default terminal check; tests put a fake in its place.
func isTerminal(w io.Writer) bool {
	if c, ok := w.(controlEscaper); ok {
		w = c.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// statusLine is stderr. Everything written to stderr goes through it, so
// that a log line or an error never runs on after a progress line that is
// drawn but not yet ended.
type statusLine struct {
	mu    sync.Mutex
	w     io.Writer
	drawn int // runes of a line drawn without its end; 0 when none
	quiet bool
}

// Write ends a drawn line first.
func (s *statusLine) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drawn > 0 {
		s.drawn = 0
		if _, err := io.WriteString(s.w, "\n"); err != nil {
			return 0, err
		}
	}
	return s.w.Write(p)
}

// draw replaces the line drawn last with text, left open for the next draw.
func (s *statusLine) draw(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drawn = s.redraw(text)
}

// finish replaces the line drawn last with text and ends it.
func (s *statusLine) finish(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redraw(text)
	io.WriteString(s.w, "\n")
	s.drawn = 0
}

// redraw goes back to the start of the line and writes text, padded with
// spaces over what a longer line before it left (an erase sequence would be
// escaped by controlEscaper, and spaces work on every terminal). It returns
// the width now covered on screen.
func (s *statusLine) redraw(text string) int {
	n := utf8.RuneCountInString(text)
	prefix, pad := "", ""
	if s.drawn > 0 {
		prefix = "\r"
	}
	if s.drawn > n {
		pad = strings.Repeat(" ", s.drawn-n)
		n = s.drawn
	}
	io.WriteString(s.w, prefix+text+pad)
	return n
}

// setQuiet holds back informational log records while the progress line
// tells the same story in words (see humanHandler).
func (s *statusLine) setQuiet(q bool) {
	s.mu.Lock()
	s.quiet = q
	s.mu.Unlock()
}

func (s *statusLine) isQuiet() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quiet
}

// humanHandler writes log records for a person at a terminal: the message
// and its attributes on one line, "warning: " or "error: " in front when it
// is one, no time stamp and no level names. Attributes are formatted by a
// slog.TextHandler, so their quoting, groups and redaction are the same as
// in the records written for machines.
type humanHandler struct {
	line  *statusLine
	level slog.Leveler
	out   *humanBuffer
	attrs slog.Handler // writes only the attributes, into out.buf
}

// humanBuffer is shared by a handler and those derived from it (WithAttrs,
// WithGroup), which format into the same buffer one record at a time.
type humanBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newHumanHandler(line *statusLine, opts *slog.HandlerOptions) *humanHandler {
	out := &humanBuffer{}
	replace := opts.ReplaceAttr
	attrOpts := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
			return slog.Attr{}
		}
		if replace != nil {
			return replace(groups, a)
		}
		return a
	}}
	level := opts.Level
	if level == nil {
		level = slog.LevelInfo
	}
	return &humanHandler{line: line, level: level, out: out, attrs: slog.NewTextHandler(&out.buf, attrOpts)}
}

func (h *humanHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

func (h *humanHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn && h.line.isQuiet() {
		return nil
	}
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	h.out.buf.Reset()
	if err := h.attrs.Handle(ctx, r); err != nil {
		return err
	}
	var b strings.Builder
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString("error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString("warning: ")
	}
	b.WriteString(r.Message)
	if attrs := strings.TrimSpace(h.out.buf.String()); attrs != "" {
		b.WriteString(": ")
		b.WriteString(attrs)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(h.line, b.String())
	return err
}

func (h *humanHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = h.attrs.WithAttrs(attrs)
	return &c
}

func (h *humanHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.attrs = h.attrs.WithGroup(name)
	return &c
}
