package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/briefbot/briefbot"
)

// progress tells a person at a terminal that the index is being built: one
// plain line on stderr ("Building the index: 1 document, 57 passages… done
// in 0.4 s"), redrawn while a large corpus is indexed. It replaces the log
// records of the build, which are for machines; when stderr is not a
// terminal, or --log-format asks for records, it draws nothing and the
// records are written instead.
type progress struct {
	line    *statusLine // nil: nothing is drawn
	now     func() time.Time
	started time.Time

	mu       sync.Mutex
	building bool // a build reported progress, so the line is owed an end
	last     time.Time
}

// newProgress starts timing what may be a build. While it runs, a terminal's
// log handler leaves out the informational records the line stands for.
func (e *env) newProgress() *progress {
	p := &progress{now: time.Now}
	if e.human() {
		p.line = e.line
		p.line.setQuiet(true)
	}
	p.started = p.now()
	return p
}

// update is the index build's progress callback. Nothing is drawn until it
// is first called: opening a current index builds nothing and says nothing.
// A total of 0 is a build that learns its size as it reads the corpus.
func (p *progress) update(done, total int) {
	if p.line == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	first := !p.building
	p.building = true
	// The last batch is drawn by finish, with the document count; between
	// batches a redraw every 100 ms is as fast as anyone reads.
	if (total > 0 && done >= total) || (!first && now.Sub(p.last) < 100*time.Millisecond) {
		return
	}
	p.last = now
	if total <= 0 {
		p.line.draw(fmt.Sprintf("Building the index: %s…", plural(done, "passage")))
		return
	}
	p.line.draw(fmt.Sprintf("Building the index: %d/%d passages…", done, total))
}

// finish ends the line with what was built, if anything was. An index
// built before the progress started is one kept because the new build
// failed (the library logs why, as an error, and serves it): the line says
// so rather than "done".
func (p *progress) finish(info briefbot.IndexInfo) {
	if info.BuiltAt.Before(p.started) {
		p.fail()
		return
	}
	p.end(fmt.Sprintf("Building the index: %s, %s… done in %.1f s", plural(info.Documents, "document"),
		plural(info.Passages, "passage"), p.now().Sub(p.started).Seconds()))
}

// fail ends the line of a build that did not complete; the error follows
// on a line of its own.
func (p *progress) fail() { p.end("Building the index… failed") }

func (p *progress) end(text string) {
	if p.line == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.building {
		p.line.finish(text)
		p.building = false
	}
	p.line.setQuiet(false)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
