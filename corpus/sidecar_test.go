package corpus

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSidecarOverridesAndResolvesLinks(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "memo.md")
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(doc, "# Memo\n\nThe [annex](/annex/1) lists every checkpoint along the northern road in detail.\n")
	write(doc+SidecarSuffix, `{"url":"https://example.org/memos/7","title":"Memo 7","authors":["R. Analyst"],"published":"2024-02-29"}`)
	docs, fails, err := Load(context.Background(), []string{dir}, Options{})
	if err != nil || len(fails) != 0 || len(docs) != 1 {
		t.Fatalf("docs=%d fails=%v err=%v (the sidecar must not be read as a document)", len(docs), fails, err)
	}
	d := docs[0]
	if d.URL != "https://example.org/memos/7" || d.Title != "Memo 7" || len(d.Authors) != 1 || !d.Published.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("metadata = %+v", d)
	}
	if l := d.Passages[0].Links; len(l) != 1 || l[0].URL != "https://example.org/annex/1" {
		t.Errorf("links = %+v, want the relative link resolved against the sidecar url", l)
	}
}

func TestSidecarErrorsAreReported(t *testing.T) {
	tests := []struct{ meta, want string }{
		{`{"url":"example.org/x"}`, "absolute"},
		{`{"published":"someday"}`, "published"},
		{`{"link":"https://x"}`, "unknown field"},
		{`{`, "unexpected EOF"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		doc := filepath.Join(dir, "a.md")
		os.WriteFile(doc, []byte("# A\n\nSome text that is long enough to be a passage of its own here.\n"), 0o644)
		os.WriteFile(doc+SidecarSuffix, []byte(tt.meta), 0o644)
		os.WriteFile(filepath.Join(dir, "b.md"), []byte("# B\n\nAnother document that still loads although its neighbour fails.\n"), 0o644)
		docs, fails, err := Load(context.Background(), []string{dir}, Options{})
		if err != nil || len(docs) != 1 || len(fails) != 1 || !strings.Contains(fails[0].Error(), tt.want) || !strings.Contains(fails[0].Source, "a.md") {
			t.Errorf("%s: docs=%d fails=%v err=%v; want a.md reported with %q", tt.meta, len(docs), fails, err, tt.want)
		}
	}
}
