package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeTinyBEIR writes a BEIR collection of n generated records and a
// judged query per record into a new folder.
func writeTinyBEIR(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny")
	if err := os.MkdirAll(filepath.Join(dir, "qrels"), 0o755); err != nil {
		t.Fatal(err)
	}
	topics := []string{"volcano lava eruption", "glacier ice retreat", "ocean current salinity", "forest fire smoke", "river delta sediment"}
	var corpus, queries, qrels strings.Builder
	qrels.WriteString("query-id\tcorpus-id\tscore\n")
	for i := range n {
		topic := topics[i%len(topics)]
		fmt.Fprintf(&corpus, `{"_id": "d%d", "title": "Report %d on %s", "text": "Record %d says that the %s was measured in the field. The %s changed the landscape of site %d."}`+"\n",
			i, i, topic, i, topic, topic, i)
		fmt.Fprintf(&queries, `{"_id": "q%d", "text": "%s site %d"}`+"\n", i, topic, i)
		fmt.Fprintf(&qrels, "q%d\td%d\t1\n", i, i)
	}
	for name, s := range map[string]string{"corpus.jsonl": corpus.String(), "queries.jsonl": queries.String(), "qrels/test.tsv": qrels.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var benchRows = []string{
	"rank/10/related", "rank/10/plain", "rank/100/related", "rank/100/plain",
	"search/10/related", "search/10/plain",
	"search/100/related", "search/100/related/shown10", "search/100/plain", "search/100/plain/shown10",
	"followup/10/related", "followup/10/plain",
}

func TestBench(t *testing.T) {
	beir := writeTinyBEIR(t, 30)
	data := t.TempDir()
	code, out, errs := runCLI(t, data, "", "bench", "--beir", beir, "--rounds", "2")
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s%s", code, out, errs)
	}
	for _, want := range append([]string{"tiny: 30 documents", "index built in", "start-up", "median of 2 rounds", "nDCG@10"}, benchRows...) {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The index is kept: a second run opens it.
	code, out, errs = runCLI(t, data, "", "bench", "--beir", beir, "--rounds", "1", "--json")
	if code != 0 {
		t.Fatalf("bench --json: exit %d\n%s%s", code, out, errs)
	}
	var got benchJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, out)
	}
	if got.Built || got.Collection != "tiny" || got.Documents != 30 || got.Queries != 30 || got.Rounds != 1 || got.StartupMS <= 0 || got.FirstQueryMS <= 0 {
		t.Errorf("bench --json: %+v", got)
	}
	if got.NDCG10 < 0.5 || got.NDCG10Plain < 0.5 {
		t.Errorf("nDCG@10 %.3f, plain %.3f: the queries name their records", got.NDCG10, got.NDCG10Plain)
	}
	if len(got.Rows) != len(benchRows) {
		t.Fatalf("rows %+v", got.Rows)
	}
	for i, r := range got.Rows {
		if r.Name != benchRows[i] || r.P50MS <= 0 || r.P99MS < r.P50MS || r.MeanMS <= 0 {
			t.Errorf("row %d: %+v", i, r)
		}
		wantShown := 0
		switch {
		case strings.HasSuffix(r.Name, "/shown10"):
			wantShown = 10
		case r.Mode == "search" || r.Mode == "followup":
			wantShown = r.Depth
		}
		if r.Shown != wantShown {
			t.Errorf("row %s: shown %d, want %d", r.Name, r.Shown, wantShown)
		}
	}
	// The field names are a contract.
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	wantKeys := "build_ms built collection cpus documents first_query_ms loadavg ndcg@10 ndcg@10_plain passages queries related_weight rounds rows startup_ms"
	if k := strings.Join(keys(raw), " "); k != wantKeys {
		t.Errorf("keys %s, want %s", k, wantKeys)
	}
	row := raw["rows"].([]any)[0].(map[string]any)
	if k := strings.Join(keys(row), " "); k != "depth mean_ms mode name p50_ms p99_ms related shown" {
		t.Errorf("row keys %s", k)
	}
}

func TestBenchErrors(t *testing.T) {
	data := t.TempDir()
	missing := filepath.Join(t.TempDir(), "nope")
	code, out, errs := runCLI(t, data, "", "bench", "--beir", missing)
	if code != 1 || out != "" || !strings.Contains(errs, "--beir "+missing) || !strings.Contains(errs, "no such file") {
		t.Errorf("missing folder: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	empty := t.TempDir()
	code, _, errs = runCLI(t, data, "", "bench", "--beir", empty)
	if code != 1 || !strings.Contains(errs, "corpus.jsonl") {
		t.Errorf("empty folder: exit %d, stderr %q", code, errs)
	}
	for _, args := range [][]string{{"bench"}, {"bench", "--beir", empty, "--rounds", "0"}, {"bench", "--beir", empty, "extra"}} {
		if code, _, errs := runCLI(t, data, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr %q", args, code, errs)
		}
	}
}

// The README's Xapian script prints the plain rows of bench, when
// python3-xapian is installed for /usr/bin/python3 (Debian's package).
func TestReadmeXapianScript(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import xapian").Run(); err != nil {
		t.Skipf("python3-xapian not installed for %s: %v", python, err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "\n```python\n")
	script, _, ok2 := strings.Cut(rest, "\n```\n")
	if !ok || !ok2 {
		t.Fatal("README has no ```python block")
	}
	out, err := exec.Command(python, "-c", script, writeTinyBEIR(t, 30), "--rounds", "1", "--json").Output()
	if err != nil {
		t.Fatalf("xapian script: %v\n%s", err, out)
	}
	var got benchJSON
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("xapian script: %v\n%s", err, out)
	}
	var names []string
	for _, r := range got.Rows {
		names = append(names, r.Name)
	}
	if want := "rank/10/plain rank/100/plain search/10/plain search/100/plain"; strings.Join(names, " ") != want || got.Documents != 30 || got.NDCG10 < 0.5 {
		t.Errorf("xapian script: rows %v (want %s), %+v", names, want, got)
	}
}
