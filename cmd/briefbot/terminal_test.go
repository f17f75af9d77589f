package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
)

// On a terminal the first build is one plain progress line and the logs
// are plain lines; otherwise, or with --log-format, they are records.
func TestLogFormatSelection(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	if err := os.MkdirAll(corpus, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpus, "notes.md"), []byte("# Notes\n\n## Logistics\n\nThe convoy reached Gyumri on Tuesday.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpus, "broken.jsonl"), []byte("{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	warning := `warning: document skipped: source=` + filepath.Join(corpus, "broken.jsonl") + `:1 reason="invalid JSON: `
	progress := regexp.MustCompile(`^Building the index: 1 document, 1 passage… done in \d+\.\d s$`)
	textRecord := regexp.MustCompile(`^time=\S+ level=(INFO|WARN) msg=`)
	tests := []struct {
		name  string
		tty   bool
		flags []string
		check func(t *testing.T, lines []string)
	}{
		{"terminal", true, nil, func(t *testing.T, lines []string) {
			if len(lines) != 2 || !strings.HasPrefix(lines[0], warning) || !progress.MatchString(lines[1]) {
				t.Errorf("want the warning as a plain line, then the progress line; got %q", lines)
			}
		}},
		{"not a terminal", false, nil, func(t *testing.T, lines []string) {
			if len(lines) != 3 {
				t.Errorf("want three records (skipped, building, built), got %q", lines)
			}
			for _, l := range lines {
				if !textRecord.MatchString(l) {
					t.Errorf("not a text record: %q", l)
				}
			}
		}},
		{"terminal, --log-format text", true, []string{"--log-format", "text"}, func(t *testing.T, lines []string) {
			if len(lines) != 3 || !textRecord.MatchString(lines[0]) || !strings.Contains(lines[2], `msg="index built"`) {
				t.Errorf("want three text records, got %q", lines)
			}
		}},
		{"terminal, --log-format json", true, []string{"--log-format", "json"}, func(t *testing.T, lines []string) {
			if len(lines) != 3 {
				t.Errorf("want three records, got %q", lines)
			}
			for _, l := range lines {
				var rec map[string]any
				if err := json.Unmarshal([]byte(l), &rec); err != nil || rec["msg"] == nil || rec["level"] == nil {
					t.Errorf("not a JSON record: %q", l)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			// The global flag is taken after the command too.
			args := append([]string{"--data", data, "--corpus", corpus, "sources"}, tt.flags...)
			code, _, errs := runTTY(t, tt.tty, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			tt.check(t, strings.Split(strings.TrimSuffix(errs, "\n"), "\n"))
			// The index is current now: nothing is built, nothing is said
			// of a build.
			_, _, errs = runTTY(t, tt.tty, args...)
			for _, build := range []string{"Building the index", "building index", "index built"} {
				if strings.Contains(errs, build) {
					t.Errorf("second run mentions a build (%q): %q", build, errs)
				}
			}
		})
	}
}

// The terminal's log lines: message, then attributes formatted as in text
// records (quoted, grouped, redacted); a drawn progress line is ended
// first; informational records are held back while the progress line
// speaks for them, warnings and errors never.
func TestHumanHandler(t *testing.T) {
	var b bytes.Buffer
	line := &statusLine{w: &b}
	log := slog.New(newHumanHandler(line, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == "token" {
			a.Value = slog.StringValue("[redacted]")
		}
		return a
	}})).With("component", "x")
	line.draw("Building the index: 10/20 passages…")
	log.Warn("document skipped", "source", "a b.md", "token", "secret")
	log.Debug("not at this level")
	line.setQuiet(true)
	log.Info("building index")
	log.Error("failed", "err", errors.New("boom"))
	line.setQuiet(false)
	log.WithGroup("g").Info("done", "n", 2)
	line.draw("Building the index: 10/20 passages…")
	line.draw("Building…")
	line.finish("Built.")
	want := "Building the index: 10/20 passages…\n" +
		"warning: document skipped: component=x source=\"a b.md\" token=[redacted]\n" +
		"error: failed: component=x err=boom\n" +
		"done: component=x g.n=2\n" +
		"Building the index: 10/20 passages…\rBuilding…                          \rBuilt.                             \n"
	if got := b.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// The progress line with a clock that moves as the test says: nothing
// until the build reports, a redraw while it runs, the counts and the time
// at the end; "failed" when the index served is an older one.
func TestProgressLine(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		updates [][2]int
		builtAt time.Time
		want    string
	}{
		{"built", [][2]int{{10, 57}, {20, 57}, {57, 57}}, start.Add(time.Millisecond),
			"Building the index: 10/57 passages…\rBuilding the index: 1 document, 57 passages… done in 0.4 s\n"},
		{"built, its size learnt as the corpus is read", [][2]int{{10, 0}, {20, 0}, {57, 0}}, start.Add(time.Millisecond),
			"Building the index: 10 passages…\rBuilding the index: 57 passages…\rBuilding the index: 1 document, 57 passages… done in 0.4 s\n"},
		{"current, nothing built", nil, start.Add(-time.Hour), ""},
		{"failed, the previous index kept", [][2]int{{10, 57}}, start.Add(-time.Hour),
			// padded with spaces over the longer line drawn before
			"Building the index: 10/57 passages…\rBuilding the index… failed" + strings.Repeat(" ", 35-26) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			now := start
			e := newEnv(strings.NewReader(""), io.Discard, &b)
			e.terminal = func(io.Writer) bool { return true }
			p := e.newProgress()
			p.now = func() time.Time { return now }
			p.started = start
			for _, u := range tt.updates {
				now = now.Add(50 * time.Millisecond) // the second update comes too soon to redraw
				p.update(u[0], u[1])
			}
			now = start.Add(400 * time.Millisecond)
			p.finish(briefbot.IndexInfo{Documents: 1, Passages: 57, BuiltAt: tt.builtAt})
			if got := b.String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if e.line.isQuiet() {
				t.Error("log records are still held back")
			}
		})
	}
}
