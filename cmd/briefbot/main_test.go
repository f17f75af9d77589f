package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/internal/eval"
)

// runCLI runs the command line in-process with its own data folder.
func runCLI(t *testing.T, data string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--data", data}, args...)
	code := run(context.Background(), full, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestAskArticle9(t *testing.T) {
	data := t.TempDir()
	code, out, errs := runCLI(t, data, "", "ask", "What does Article 9 of the ceasefire agreement call for?", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if want := []string{"answer", "answerable", "citations", "mode", "question"}; !reflect.DeepEqual(keys(got), want) {
		t.Errorf("keys = %v, want %v", keys(got), want)
	}
	if got["answerable"] != true || got["mode"] != "extractive" {
		t.Errorf("answerable=%v mode=%v", got["answerable"], got["mode"])
	}
	found := false
	for _, c := range got["citations"].([]any) {
		c := c.(map[string]any)
		if want := []string{"doc_id", "n", "passage_id", "quote", "section", "title", "url"}; !reflect.DeepEqual(keys(c), want) {
			t.Errorf("citation keys = %v, want %v", keys(c), want)
		}
		if strings.Contains(c["quote"].(string), "unblocking") && c["section"] == "Azerbaijani-Iranian Border Tensions: Why Now?" {
			found = true
			if !strings.HasPrefix(c["url"].(string), "https://") {
				t.Errorf("citation has no link: %v", c["url"])
			}
		}
	}
	if !found {
		t.Errorf("no citation quotes \"unblocking\" from the Why Now? section: %s", out)
	}
	if !strings.Contains(got["answer"].(string), "unblocking") {
		t.Errorf("answer lacks the quote: %v", got["answer"])
	}
}

func TestAskNotCovered(t *testing.T) {
	code, out, errs := runCLI(t, t.TempDir(), "", "ask", "--json", "What is the population of Canada?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got askJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Answerable || len(got.Citations) != 0 {
		t.Errorf("want not answerable and no citations, got %+v", got)
	}
}

func TestSearchBatchAndContract(t *testing.T) {
	data := t.TempDir()
	queries := `{"id":"a","query":"Zangezur corridor"}` + "\n\n" + `{"id":"b","query":"What? *:  AND OR -x"}` + "\n"
	code, out, errs := runCLI(t, data, queries, "search", "--queries", "-", "--k", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per query, got %d:\n%s", len(lines), out)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if want := []string{"id", "query", "results"}; !reflect.DeepEqual(keys(first), want) {
		t.Errorf("keys = %v, want %v", keys(first), want)
	}
	results := first["results"].([]any)
	if len(results) == 0 || len(results) > 3 {
		t.Fatalf("results = %d, want 1..3", len(results))
	}
	r := results[0].(map[string]any)
	if want := []string{"doc_id", "passage_id", "rank", "score", "section", "text", "title", "url"}; !reflect.DeepEqual(keys(r), want) {
		t.Errorf("result keys = %v, want %v", keys(r), want)
	}
	if !strings.Contains(r["text"].(string), "Zangezur") || r["rank"].(float64) != 1 {
		t.Errorf("top result = %v", r)
	}
	// A single query has no id.
	code, out, _ = runCLI(t, data, "", "search", "--json", "Zangezur")
	var single map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &single) != nil {
		t.Fatalf("exit %d: %s", code, out)
	}
	if want := []string{"query", "results"}; !reflect.DeepEqual(keys(single), want) {
		t.Errorf("keys = %v, want %v", keys(single), want)
	}
}

func TestSourcesAndPassages(t *testing.T) {
	data := t.TempDir()
	code, out, errs := runCLI(t, data, "", "sources", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var src struct {
		Documents []map[string]any `json:"documents"`
	}
	if err := json.Unmarshal([]byte(out), &src); err != nil || len(src.Documents) != 1 {
		t.Fatalf("sources: %v %s", err, out)
	}
	d := src.Documents[0]
	if want := []string{"authors", "doc_id", "passages", "published", "title", "url"}; !reflect.DeepEqual(keys(d), want) {
		t.Errorf("document keys = %v, want %v", keys(d), want)
	}
	if d["published"] != "2023-03-31" || d["title"] != "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus" {
		t.Errorf("document = %v", d)
	}
	if a := d["authors"].([]any); len(a) != 2 || a[0] != "Anna Borshchevskaya" || a[1] != "Andrew J. Tabler" {
		t.Errorf("authors = %v", a)
	}
	code, out, errs = runCLI(t, data, "", "passages", "--json", "--doc", d["doc_id"].(string))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var ps struct {
		Passages []map[string]any `json:"passages"`
	}
	if err := json.Unmarshal([]byte(out), &ps); err != nil {
		t.Fatal(err)
	}
	if float64(len(ps.Passages)) != d["passages"].(float64) {
		t.Errorf("passages = %d, sources says %v", len(ps.Passages), d["passages"])
	}
	if want := []string{"doc_id", "links", "ordinal", "passage_id", "section", "text"}; !reflect.DeepEqual(keys(ps.Passages[0]), want) {
		t.Errorf("passage keys = %v, want %v", keys(ps.Passages[0]), want)
	}
	if code, _, errs := runCLI(t, data, "", "passages", "--doc", "nope"); code != 1 || !strings.Contains(errs, "nope") {
		t.Errorf("unknown doc: exit %d, %s", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"ask"}, "question is required"},
		{[]string{"ask", "--queries", "x.jsonl", "why"}, "not both"},
		{[]string{"search", "--k", "0", "x"}, "--k"},
		{[]string{"eval"}, "exactly one of"},
		{[]string{"ask", "--bogus", "x"}, "bogus"},
	}
	for _, tt := range tests {
		code, _, errs := runCLI(t, data, "", tt.args...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.want)
		}
	}
	if code, _, _ := runCLI(t, data, ""); code != 2 {
		t.Errorf("no command: exit %d, want 2", code)
	}
}

// A bad line of --queries is named by its number, a too-long one too.
func TestQueriesErrorsNameTheLine(t *testing.T) {
	good := `{"id":"1","query":"What does Article 9 call for?"}` + "\n"
	tests := []struct {
		name, in, want string
	}{
		{"too long", good + "\n" + `{"id":"2","query":"` + strings.Repeat("a", maxQueryLine) + `"}` + "\n", "-:3: line longer than"},
		{"not JSON", good + "nope\n", "-:2: invalid character"},
		{"empty query", good + `{"id":"2"}` + "\n", "-:2: empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readQueries("-", strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("readQueries = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestBadConfigNamesKey(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("retrieval:\n  k: five\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, dir, "", "--config", cfg, "ask", "x")
	if code != 1 || !strings.Contains(errs, "retrieval.k") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestCorpusFlagIndexesGivenFiles(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "notes.md")
	if err := os.WriteFile(doc, []byte("# Field Notes\n\n## Logistics\n\nThe convoy reached Gyumri on Tuesday after a delay at the checkpoint.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "broken.jsonl")
	if err := os.WriteFile(bad, []byte("{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, filepath.Join(dir, "data"), "", "--corpus", dir, "ask", "--json", "When did the convoy reach Gyumri?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got askJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Answerable || len(got.Citations) == 0 || got.Citations[0].DocID != "notes" || got.Citations[0].Section != "Logistics" {
		t.Errorf("answer = %+v", got)
	}
	if !strings.Contains(errs, "broken.jsonl") {
		t.Errorf("the broken document is not reported: %s", errs)
	}
}

// TestQuestionSetQuality keeps the brief's question sets from slipping:
// floors just below the measured figures, so a change that makes answers
// worse fails here. Every gold text must be in some passage, or the
// question set itself is broken. brief_qa.jsonl and
// brief_unanswerable.jsonl were written with the ranker in view; the
// _holdout sets were written by someone who saw neither the ranker nor the
// first sets, and only their totals were looked at while tuning (of the
// unanswerable hold-out, the odd-numbered half served to develop the
// answer-kind rules).
func TestQuestionSetQuality(t *testing.T) {
	data := t.TempDir()
	code, out, errs := runCLI(t, data, "", "passages", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var ps struct {
		Passages []struct{ Text string } `json:"passages"`
	}
	if err := json.Unmarshal([]byte(out), &ps); err != nil {
		t.Fatal(err)
	}
	sets := []struct {
		file   string
		args   []string
		floors map[string]float64
	}{
		// answered_with_gold (any citation right) fell when later
		// citations had to clear a higher bar; answer_top1 and
		// citation_precision are what a reader sees.
		{"brief_qa.jsonl", []string{"--unanswerable", "../../testdata/brief_unanswerable.jsonl"},
			map[string]float64{"recall@1": 0.65, "recall@3": 0.84, "recall@5": 0.90, "mrr": 0.75, "answerable": 0.78, "answered_with_gold": 0.64,
				"answer_top1": 0.57, "citation_precision": 0.58, "unanswerable_refused": 0.95}},
		{"brief_qa_holdout.jsonl", []string{"--unanswerable", "../../testdata/brief_unanswerable_holdout.jsonl"},
			map[string]float64{"recall@1": 0.70, "recall@3": 0.88, "recall@5": 0.97, "mrr": 0.80, "answerable": 0.77, "answered_with_gold": 0.70,
				"answer_top1": 0.62, "citation_precision": 0.68, "unanswerable_refused": 0.72}},
		// Short questions as typed in a channel (issue 9): the first set
		// was tuned on, the hold-out was written by someone who saw
		// neither the ranker nor the first set.
		{"brief_natural.jsonl", nil,
			map[string]float64{"recall@1": 0.71, "mrr": 0.79, "answerable": 0.92, "answer_top1": 0.70, "citation_precision": 0.60}},
		{"brief_natural_holdout.jsonl", []string{"--unanswerable", "../../testdata/brief_natural_unanswerable_holdout.jsonl"},
			map[string]float64{"recall@1": 0.67, "mrr": 0.76, "answerable": 0.83, "answer_top1": 0.63, "citation_precision": 0.56, "unanswerable_refused": 0.5}},
		// Near-topic questions the brief does not answer (the ambassador
		// it never names, the size of a mission it does not give): the
		// development set of the specific-answer rules (34/42 refused).
		{"brief_qa.jsonl", []string{"--unanswerable", "../../testdata/brief_unanswerable_neartopic_dev.jsonl"},
			map[string]float64{"unanswerable_refused": 0.75}},
	}
	for _, set := range sets {
		name := set.file
		if len(set.args) > 1 {
			name += " " + strings.TrimPrefix(set.args[1], "../../testdata/")
		}
		t.Run(name, func(t *testing.T) {
			path := "../../testdata/" + set.file
			code, out, errs := runCLI(t, data, "", append([]string{"eval", "--json", "--qa", path}, set.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var got map[string]float64
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			for k, floor := range set.floors {
				if got[k] < floor {
					t.Errorf("%s = %.3f, below %.2f", k, got[k], floor)
				}
			}
			t.Logf("%v", got)

			items, err := eval.LoadQA(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range items {
				for _, g := range q.Gold {
					found := false
					for _, p := range ps.Passages {
						if eval.ContainsGold(p.Text, g) {
							found = true
							break
						}
					}
					if !found {
						t.Errorf("question %s: gold %q is in no passage", q.ID, g)
					}
				}
			}
		})
	}
}

// Control characters from file names and documents never reach the
// terminal raw: a name holding an escape sequence is shown escaped.
func TestOutputEscapesControlCharacters(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "evil\x1b[2J\x07.md")
	body := "# Evil \x1b]0;owned\x07 title\n\nThe ceasefire agreement of November 2020 ended the fighting in Nagorno-Karabakh after six weeks of war.\n"
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--corpus", dir, "sources"},
		{"--corpus", dir, "passages"},
		{"--corpus", dir, "search", "ceasefire agreement"},
		{"--corpus", dir, "ask", "When did the ceasefire end the fighting in Nagorno-Karabakh?"},
		{"--corpus", filepath.Join(dir, "missing\x1b[31m.md"), "sources"},
	} {
		_, out, errs := runCLI(t, t.TempDir(), "", args...)
		for _, s := range []string{out, errs} {
			if strings.ContainsAny(s, "\x1b\x07") {
				t.Errorf("%q printed a raw control character:\n%q", args, s)
			}
		}
	}
	var b bytes.Buffer
	w := controlEscaper{w: &b, keepCR: true}
	if _, err := w.Write([]byte("ok\r\n\tbad\x1b\xff\u0085")); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "ok\r\n\tbad\\x1b\\xff\\u0085"; got != want {
		t.Errorf("escaped %q, want %q", got, want)
	}
}
