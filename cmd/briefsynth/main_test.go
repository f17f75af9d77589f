package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/internal/eval"
)

// writeBEIR writes a small BEIR folder of n records of two sentences each.
func writeBEIR(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var c, q, r strings.Builder
	r.WriteString("query-id\tcorpus-id\tscore\n")
	for i := range n {
		fmt.Fprintf(&c, `{"_id":"d%d","title":"Title %d","text":"Word%d alpha beta. Gamma delta word%d."}`+"\n", i, i, i, i)
		fmt.Fprintf(&q, `{"_id":"q%d","text":"word%d"}`+"\n", i, i)
		fmt.Fprintf(&r, "q%d\td%d\t1\n", i, i)
	}
	for name, body := range map[string]string{"corpus.jsonl": c.String(), "queries.jsonl": q.String(), "qrels/test.tsv": r.String()} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSynthesizeBEIR(t *testing.T) {
	from := writeBEIR(t, 5)
	out := filepath.Join(t.TempDir(), "synth")
	var stderr bytes.Buffer
	if code := run([]string{"-from", from, "-out", out, "-records", "40", "-seed", "7"}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := eval.LoadBEIR(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Docs) != 40 || len(b.Queries) != 5 {
		t.Fatalf("%d records, %d queries; want 40 and 5", len(b.Docs), len(b.Queries))
	}
	orig, err := eval.LoadCorpus(from)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range b.Docs {
		if i < len(orig) {
			if d != orig[i] {
				t.Errorf("record %d = %+v, want the original %+v", i, d, orig[i])
			}
			continue
		}
		// A drawn record is the collection's sentences, one passage long.
		if d.ID != fmt.Sprintf("synth-%d", i) || !strings.HasPrefix(d.Title, "Title ") || !strings.HasSuffix(d.Text, ".") ||
			len(d.Text) > maxText || strings.Count(d.Text, ".") < 2 {
			t.Errorf("record %d = %+v", i, d)
		}
	}
	// The same seed writes the same bytes; another seed, others.
	again := filepath.Join(t.TempDir(), "again")
	other := filepath.Join(t.TempDir(), "other")
	run([]string{"-from", from, "-out", again, "-records", "40", "-seed", "7"}, &stderr)
	run([]string{"-from", from, "-out", other, "-records", "40", "-seed", "8"}, &stderr)
	first, _ := os.ReadFile(filepath.Join(out, "corpus.jsonl"))
	second, _ := os.ReadFile(filepath.Join(again, "corpus.jsonl"))
	third, _ := os.ReadFile(filepath.Join(other, "corpus.jsonl"))
	if len(first) == 0 || !bytes.Equal(first, second) || bytes.Equal(first, third) {
		t.Errorf("seed 7 twice equal: %v; seeds 7 and 8 differ: %v", bytes.Equal(first, second), !bytes.Equal(first, third))
	}
	// A corpus already there is not overwritten.
	if code := run([]string{"-from", from, "-out", out, "-records", "40"}, &stderr); code != 1 {
		t.Errorf("writing over %s: exit %d, want 1", out, code)
	}
}

func TestSynthesizeFiles(t *testing.T) {
	from := writeBEIR(t, 3)
	out := t.TempDir()
	var stderr bytes.Buffer
	if code := run([]string{"-from", from, "-out", out, "-records", "10", "-files", "3"}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := 0
	for i := 1; i <= 3; i++ {
		raw, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("part-%d.jsonl", i)))
		if err != nil {
			t.Fatal(err)
		}
		n := bytes.Count(raw, []byte("\n"))
		if n < 3 || n > 4 {
			t.Errorf("part-%d holds %d records, want 3 or 4", i, n)
		}
		lines += n
	}
	if lines != 10 {
		t.Errorf("%d records in all, want 10", lines)
	}
	if _, err := os.Stat(filepath.Join(out, "corpus.jsonl")); err == nil {
		t.Error("-files wrote corpus.jsonl too")
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"-from", "x"}, {"-from", "x", "-out", "y", "-records", "0"}, {"-from", "x", "-out", "y", "extra"}} {
		var stderr bytes.Buffer
		if code := run(args, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
