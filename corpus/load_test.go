package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestParseJSONL(t *testing.T) {
	data, err := os.ReadFile("testdata/load/records.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := Parse("records.jsonl", data, FormatJSONL, Options{})
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
		checkDocInvariants(t, d, Options{})
	}
	if want := []string{"rec-1", "rec-2", "beir-7"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids = %q, want %q", ids, want)
	}
	if err == nil {
		t.Fatal("no error for the bad lines")
	}
	var lines []int
	joined, ok := errors.Unwrap(err).(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %v does not wrap a joined error", err)
	}
	for _, inner := range joined.Unwrap() {
		var le *LineError
		if !errors.As(inner, &le) {
			t.Fatalf("%v is not a *LineError", inner)
		}
		lines = append(lines, le.Line)
	}
	if want := []int{3, 5, 6, 7, 9}; !reflect.DeepEqual(lines, want) {
		t.Errorf("bad lines %v, want %v (error: %v)", lines, want, err)
	}
	for _, frag := range []string{"line 3: invalid JSON", `line 5: missing "id"`, `line 6: unrecognized published date "sometime"`, `line 7: duplicate id "rec-1" (first on line 1)`, "line 9", "no text"} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error lacks %q: %v", frag, err)
		}
	}

	one, two := docs[0], docs[1]
	if one.Title != "Record One" || one.URL != "https://r.example/1" || one.Source != "records.jsonl:1" ||
		!one.Published.Equal(time.Date(2023, 3, 31, 0, 0, 0, 0, time.UTC)) || !reflect.DeepEqual(one.Authors, []string{"Jane Doe"}) {
		t.Errorf("record one: %+v", one)
	}
	if p := one.Passages[0]; p.Text != "The first record discusses sanctions and trade." || p.URL != one.URL || len(p.Links) != 1 || p.Links[0].URL != "https://t.example/" {
		t.Errorf("record one passage: %+v", p)
	}
	if two.Title != "Record Two" || !reflect.DeepEqual(two.Authors, []string{"Jane Doe", "John Roe"}) || two.Passages[0].Text != "The second record is Markdown with its own title." {
		t.Errorf("record two: %+v", two)
	}
}

func TestParseJSONLEmpty(t *testing.T) {
	if _, err := Parse("e.jsonl", []byte("\n \n"), FormatJSONL, Options{}); !errors.Is(err, ErrNoText) {
		t.Errorf("error = %v, want ErrNoText", err)
	}
}

func TestLoad(t *testing.T) {
	root := filepath.Join("testdata", "load")
	docs, fails, err := Load(context.Background(), []string{root}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	// Files in subfolders are known by their relative path, so that
	// dup/a.txt no longer collides with a.md.
	if want := []string{"a", "dup/a", "rec-1", "rec-2", "beir-7", "sub/b", "sub/c"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids = %q, want %q", ids, want)
	}
	abs, _ := filepath.Abs(filepath.Join(root, "a.md"))
	if docs[0].Source != abs || docs[6].Title != "Gamma Notes" {
		t.Errorf("a: source %q; c: title %q", docs[0].Source, docs[6].Title)
	}
	var sources []string
	for _, f := range fails {
		sources = append(sources, strings.TrimPrefix(filepath.ToSlash(f.Source), "testdata/load/"))
		if f.Err == nil || !strings.Contains(f.Error(), f.Source) {
			t.Errorf("failure %+v: bad error", f)
		}
	}
	sort.Strings(sources)
	// sub/notes.pdf is text, not a PDF: read as one and refused.
	want := []string{"empty.md", "records.jsonl:3", "records.jsonl:5", "records.jsonl:6", "records.jsonl:7", "records.jsonl:9", "sub/notes.pdf"}
	if !reflect.DeepEqual(sources, want) {
		t.Errorf("failures %q, want %q", sources, want)
	}
	for _, f := range fails {
		if strings.HasSuffix(f.Source, "empty.md") && !errors.Is(f, ErrNoText) {
			t.Errorf("empty.md failure %v is not ErrNoText", f.Err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	ctx := context.Background()
	if _, _, err := Load(ctx, []string{"testdata/does-not-exist"}, Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing path: error %v", err)
	}
	if _, fails, err := Load(ctx, []string{"testdata/load/empty.md"}, Options{}); err == nil || len(fails) != 1 {
		t.Errorf("nothing usable: error %v, failures %v", err, fails)
	}
	if _, fails, err := Load(ctx, []string{"testdata/load/sub/notes.pdf"}, Options{}); err == nil || len(fails) != 1 {
		t.Errorf("explicit unsupported file: error %v, failures %v", err, fails)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := Load(canceled, []string{"testdata/load"}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: error %v", err)
	}
}

func TestLoadSymlinks(t *testing.T) {
	dir := t.TempDir()
	target, err := filepath.Abs("testdata/load/a.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "linked.md")); err != nil {
		t.Skipf("symlinks unsupported here: %v", err)
	}
	if err := os.Symlink(filepath.Join(dir, "missing.md"), filepath.Join(dir, "dangling.md")); err != nil {
		t.Fatal(err)
	}
	docs, fails, err := Load(context.Background(), []string{dir}, Options{})
	if err != nil || len(fails) != 0 || len(docs) != 1 || docs[0].ID != "linked" {
		t.Fatalf("docs %+v, failures %v, error %v", docs, fails, err)
	}
}

func TestLoadFilesAndBuiltin(t *testing.T) {
	ctx := context.Background()
	docs, fails, err := Load(ctx, []string{"testdata/load/a.md", "testdata/load/sub/b.html", "testdata/load/a.md"}, Options{})
	if err != nil || len(fails) != 0 || len(docs) != 2 {
		t.Fatalf("docs %d, failures %v, error %v", len(docs), fails, err)
	}
	docs, fails, err = Load(ctx, nil, Options{})
	if err != nil || len(fails) != 0 || len(docs) != 1 || docs[0].ID != BuiltinName {
		t.Fatalf("builtin: docs %d, failures %v, error %v", len(docs), fails, err)
	}
}
