package corpus

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
)

// writeFiles creates files (relative path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadWithin runs Load with a deadline, so that a read that blocks (a
// FIFO) fails the test instead of hanging it.
func loadWithin(t *testing.T, d time.Duration, paths ...string) ([]briefbot.Document, []Failure, error) {
	t.Helper()
	type result struct {
		docs  []briefbot.Document
		fails []Failure
		err   error
	}
	done := make(chan result, 1)
	go func() {
		docs, fails, err := Load(context.Background(), paths, Options{})
		done <- result{docs, fails, err}
	}()
	select {
	case r := <-done:
		return r.docs, r.fails, r.err
	case <-time.After(d):
		t.Fatalf("Load(%q) did not return within %v", paths, d)
		return nil, nil, nil
	}
}

func failureFor(fails []Failure, suffix string) (Failure, bool) {
	for _, f := range fails {
		if strings.HasSuffix(f.Source, suffix) {
			return f, true
		}
	}
	return Failure{}, false
}

const note = "# Note\n\nThe brief covers the ceasefire talks in some detail.\n"

func TestLoadNonUTF8FileName(t *testing.T) {
	dir := t.TempDir()
	latin1 := "r\xe9sum\xe9.md"
	other := "r\xe8sum\xe8.md" // another name that a lossy repair would merge with the first
	writeFiles(t, dir, map[string]string{latin1: note, other: note, "brief.md": note})
	docs, fails, err := loadWithin(t, 10*time.Second, dir)
	if err != nil || len(fails) != 0 {
		t.Fatalf("error %v, failures %v", err, fails)
	}
	ids := map[string]bool{}
	for _, d := range docs {
		for _, s := range []string{d.ID, d.Title} {
			if !utf8.ValidString(s) {
				t.Errorf("document %q: %q is not valid UTF-8", d.ID, s)
			}
		}
		for _, p := range d.Passages {
			if !utf8.ValidString(p.ID) || !utf8.ValidString(p.DocID) || !strings.HasPrefix(p.ID, d.ID+"#") {
				t.Errorf("passage ID %q of %q", p.ID, d.ID)
			}
		}
		ids[d.ID] = true
	}
	if len(docs) != 3 || len(ids) != 3 {
		t.Fatalf("want 3 distinct documents, got IDs %q", keys(ids))
	}
	// The same name gives the same ID when indexed again.
	again, _, err := loadWithin(t, 10*time.Second, dir)
	if err != nil || !reflect.DeepEqual(docs, again) {
		t.Errorf("reloading changed the documents (error %v)", err)
	}
	if !ids["r%E9sum%E9"] || !ids["brief"] {
		t.Errorf("IDs %q, want r%%E9sum%%E9 and brief", keys(ids))
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestReadLimited(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"small.md": "0123456789", "big.md": strings.Repeat("x", 100)})
	tests := []struct {
		name, file string
		limit      int64
		want       string
		err        string
	}{
		{"fits", "small.md", 10, "0123456789", ""},
		{"too large by stat", "big.md", 10, "", "file too large"},
		{"missing", "none.md", 10, "", "no such file"},
		{"folder", ".", 10, "", "not a regular file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readLimited(filepath.Join(dir, tc.file), tc.limit)
			if tc.err == "" && (err != nil || string(got) != tc.want) {
				t.Errorf("got %q, %v", got, err)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
		})
	}
}

func TestLoadNameCollisions(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"2023/summary.md": "# Summary 2023\n\nThe 2023 talks stalled over the corridor.\n",
		"2024/summary.md": "# Summary 2024\n\nThe 2024 talks resumed in Brussels.\n",
		"summary.txt":     "# Top\n\nA top-level summary keeps its plain ID.\n",
		"a/b.md":          "# AB\n\nFolder a, file b, in the folder.\n",
		"a/b.txt":         "# AB text\n\nThe same name with another extension.\n",
	})
	docs, fails, err := loadWithin(t, 10*time.Second, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range docs {
		got[d.ID] = d.Title
	}
	want := map[string]string{"2023/summary": "Summary 2023", "2024/summary": "Summary 2024", "summary": "Top", "a/b": "AB"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents %q, want %q", got, want)
	}
	if len(fails) != 1 || !strings.Contains(fails[0].Error(), filepath.Join("a", "b.txt")) || !strings.Contains(fails[0].Error(), filepath.Join("a", "b.md")) ||
		!strings.Contains(fails[0].Error(), `duplicate document id "a/b"`) {
		t.Errorf("failures %v, want one collision naming a/b.md and a/b.txt", fails)
	}
	// A file named directly keeps its base-name ID.
	docs, _, err = loadWithin(t, 10*time.Second, filepath.Join(dir, "2023", "summary.md"))
	if err != nil || len(docs) != 1 || docs[0].ID != "summary" {
		t.Errorf("named file: docs %+v, error %v", docs, err)
	}
}

func TestDocIDFromPath(t *testing.T) {
	long := strings.Repeat("x", 150)
	tests := []struct{ rel, want string }{
		{"brief.md", "brief"},
		{"2023/summary.md", "2023/summary"},
		{"a/b/c.txt", "a/b/c"},
		{"r\xe9sum\xe9.md", "r%E9sum%E9"},
		{"line\nbreak.md", "line%0Abreak"},
		{"esc\x1b[31m.md", "esc%1B[31m"},
		{"000_6eb8dac68bc97243.txt", "000_6eb8dac68bc97243"},
	}
	for _, tc := range tests {
		if got := docIDFromPath(tc.rel); got != tc.want {
			t.Errorf("docIDFromPath(%q) = %q, want %q", tc.rel, got, tc.want)
		}
	}
	a, b := docIDFromPath(long+"a.md"), docIDFromPath(long+"b.md")
	if len(a) > maxDocIDBytes || a == b || !utf8.ValidString(a) || a != docIDFromPath(long+"a.md") {
		t.Errorf("long names: %q, %q", a, b)
	}
}

func TestLoadSourcesAbsolute(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("testdata", "load"))
	if err != nil {
		t.Fatal(err)
	}
	rel, _, err := loadWithin(t, 10*time.Second, filepath.Join("testdata", "load"))
	if err != nil {
		t.Fatal(err)
	}
	absDocs, _, err := loadWithin(t, 10*time.Second, abs+string(filepath.Separator)+".")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rel, absDocs) {
		t.Errorf("relative and absolute spellings of one folder give different documents")
	}
	for _, d := range rel {
		if !filepath.IsAbs(strings.Split(d.Source, ":")[0]) || !strings.HasPrefix(d.Source, abs) {
			t.Errorf("source %q is not absolute under %s", d.Source, abs)
		}
	}
}

func TestLoadAllFailReasons(t *testing.T) {
	dir := t.TempDir()
	var files map[string]string = map[string]string{}
	for i := range 13 {
		files[string(rune('a'+i))+".md"] = " \n"
	}
	writeFiles(t, dir, files)
	_, fails, err := loadWithin(t, 10*time.Second, dir)
	if len(fails) != 13 || err == nil {
		t.Fatalf("failures %d, error %v", len(fails), err)
	}
	msg := err.Error()
	for _, want := range []string{"no usable documents: ", "a.md: no text; ", "j.md: no text", "and 3 more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "k.md") {
		t.Errorf("error %q lists more than ten", msg)
	}
}

func TestLoadBinaryAndEncodings(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(note))
	w.Close()
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	utf16le := []byte{0xff, 0xfe}
	for _, c := range "# Notiz\n\nDas Treffen wurde auf Dienstag verschoben, sagt die Leitung.\n" {
		utf16le = append(utf16le, byte(c), byte(c>>8))
	}
	writeFiles(t, dir, map[string]string{
		"elf.md":      "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00" + strings.Repeat("\x00", 64),
		"gzip.txt":    gz.String(),
		"random.html": string(random),
		"nul.jsonl":   `{"id":"a","text":"x"}` + "\x00\x00\n",
		"bom.md":      "\ufeff# Bom\n\nA UTF-8 file with a byte order mark is text.\n",
		"utf16.txt":   string(utf16le),
		"latin1.md":   "# R\xe9sum\xe9\n\nLe caf\xe9 est ferm\xe9 le mardi, dit la direction.\n",
		"note.txt":    "Meeting moved to Tuesday 3pm",
		"note2.md":    "Meeting moved to Tuesday 3pm.",
	})
	docs, fails, err := loadWithin(t, 10*time.Second, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"elf.md", "gzip.txt", "random.html", "nul.jsonl"} {
		f, ok := failureFor(fails, b)
		if !ok || !errors.Is(f, ErrNotText) || !strings.Contains(f.Error(), "not text") {
			t.Errorf("%s: failure %v, want not text", b, f)
		}
	}
	if len(fails) != 4 {
		t.Errorf("failures %v, want the four binary files", fails)
	}
	text := map[string]string{}
	for _, d := range docs {
		var b strings.Builder
		for _, p := range d.Passages {
			b.WriteString(p.Text + " ")
		}
		text[d.ID] = d.Title + " | " + b.String()
	}
	for id, want := range map[string]string{
		"bom":    "Bom | A UTF-8 file",
		"utf16":  "Notiz | Das Treffen wurde auf Dienstag verschoben",
		"latin1": "Résumé | Le café est fermé le mardi",
		"note":   "Meeting moved to Tuesday 3pm",
		"note2":  "Meeting moved to Tuesday 3pm.",
	} {
		if !strings.Contains(text[id], want) {
			t.Errorf("%s: %q, want it to hold %q", id, text[id], want)
		}
	}
}

func TestFailureEscapesControlCharacters(t *testing.T) {
	dir := t.TempDir()
	names := []string{"new\nline.md", "esc\x1b[2J.md", "bad\xffname.md"}
	for _, n := range names {
		writeFiles(t, dir, map[string]string{n: ""})
	}
	_, fails, err := loadWithin(t, 10*time.Second, dir)
	if len(fails) != len(names) {
		t.Fatalf("failures %v, error %v", fails, err)
	}
	for _, f := range append(fails, Failure{Source: "x", Err: err}) {
		for _, s := range []string{f.Source, f.Error(), f.Err.Error()} {
			if strings.ContainsAny(s, "\n\x1b") || !utf8.ValidString(s) {
				t.Errorf("unescaped name in %q", s)
			}
		}
	}
	if f, ok := failureFor(fails, `line.md"`); !ok || f.Source != strconv.Quote(filepath.Join(dir, "new\nline.md")) {
		t.Errorf("failures %v, want the newline name quoted", fails)
	}
}

func TestJSONLIDsEscaped(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"id":"rec-1","text":"Some text."}`, "rec-1"},
		{`{"id":"a\u001b[2Jb","text":"Some text."}`, "a%1B[2Jb"},
		{`{"id":"two\nlines","text":"Some text."}`, "two%0Alines"},
		{`{"id":"caf\u00e9","text":"Some text."}`, "café"},
	}
	for _, tc := range tests {
		docs, err := Parse("r.jsonl", []byte(tc.line), FormatJSONL, Options{})
		if err != nil || len(docs) != 1 || docs[0].ID != tc.want {
			t.Errorf("%s: docs %+v, error %v, want ID %q", tc.line, docs, err, tc.want)
		}
	}
}
