package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line progress bar on a terminal; on anything else
// (a pipe, a file, a test buffer) it draws nothing, so logs stay clean.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	label   string
	on      bool
	drawn   bool
	last    time.Time
	started time.Time
}

func newProgress(w io.Writer, label string) *progress {
	return &progress{w: w, label: label, on: isTerminal(w), started: time.Now()}
}

func (p *progress) update(done, total int) {
	if !p.on || total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	// Small corpora index in a blink: only show a bar for work that lasts.
	if now.Sub(p.started) < 300*time.Millisecond && done < total {
		return
	}
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	filled := width * done / total
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d passages", p.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total)
	p.drawn = done < total
	if !p.drawn {
		// End the line now: what comes next (a log line) must not run on.
		fmt.Fprintln(p.w)
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
