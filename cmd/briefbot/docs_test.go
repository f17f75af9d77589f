package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const pipesMarkdown = "# Pipelines\n\n## Energy\n\nThe pipeline through Georgia carries gas to Turkey and beyond every winter.\n"

// The whole life of a document from the command line: added, found by
// search, removed (not found), restored, purged, each step in the audit.
func TestDocsLifecycle(t *testing.T) {
	data := t.TempDir()
	file := filepath.Join(t.TempDir(), "pipes.md")
	if err := os.WriteFile(file, []byte(pipesMarkdown), 0o644); err != nil {
		t.Fatal(err)
	}
	step := func(want string, args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, data, "", args...)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("%q: exit %d, stdout %q, stderr %q; want %q", args, code, out, errs, want)
		}
		return out
	}
	found := func() bool {
		t.Helper()
		_, out, _ := runCLI(t, data, "", "search", "pipeline gas Turkey", "--json")
		return strings.Contains(out, `"doc_id":"pipes"`)
	}
	step(`added pipes: "Pipelines", 1 passage in 1 section`, "docs", "add", file)
	if !found() {
		t.Fatal("added document not found by search")
	}
	step(`"change": "unchanged"`, "docs", "add", file, "--json")
	step("removed pipes", "docs", "remove", "pipes")
	if found() {
		t.Fatal("removed document still found")
	}
	out := step("pipes [removed]", "docs", "list")
	if !strings.Contains(out, "upload pipes.md") {
		t.Errorf("list without the source: %q", out)
	}
	step("restored pipes", "docs", "restore", "pipes")
	if !found() {
		t.Fatal("restored document not found")
	}
	step("purged pipes", "docs", "purge", "pipes")
	if found() {
		t.Fatal("purged document still found")
	}
	out = step(`"entries"`, "audit", "--json", "--count", "3")
	var audit struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal([]byte(out), &audit); err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, e := range audit.Entries {
		acts = append(acts, e["action"].(string))
		if got := keys(e); !reflect.DeepEqual(got, []string{"action", "actor", "detail", "doc_id", "time"}) {
			t.Errorf("audit entry keys %q", got)
		}
	}
	if want := []string{"purge", "restore", "remove"}; !reflect.DeepEqual(acts, want) {
		t.Errorf("audit %q, want %q", acts, want)
	}
}

func TestDocsListJSONKeys(t *testing.T) {
	data := t.TempDir()
	file := filepath.Join(t.TempDir(), "pipes.md")
	if err := os.WriteFile(file, []byte(pipesMarkdown), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, data, "", "docs", "add", file, "--title", "Gas pipelines"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runCLI(t, data, "", "docs", "list", "--json")
	if code != 0 {
		t.Fatal(errs)
	}
	var got struct {
		Documents []map[string]any `json:"documents"`
		Failed    []any            `json:"failed"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Failed == nil || len(got.Documents) != 2 {
		t.Fatalf("list: %v %s", err, out)
	}
	want := []string{"added_at", "added_by", "authors", "bytes", "doc_id", "format", "hash", "pages", "passages",
		"published", "removed", "sections", "source", "source_kind", "title", "warnings"}
	for _, d := range got.Documents {
		if k := keys(d); !reflect.DeepEqual(k, want) {
			t.Errorf("document keys %q, want %q", k, want)
		}
	}
	if d := got.Documents[1]; d["doc_id"] != "gas-pipelines" || d["title"] != "Gas pipelines" || d["source_kind"] != "upload" {
		t.Errorf("added document %v", d)
	}
}

// While the bot runs it holds the store: changes say to stop it or use
// Discord, rather than wait.
func TestDocsWhileTheBotRuns(t *testing.T) {
	data := t.TempDir()
	holdStore(t, data)
	for _, args := range [][]string{{"docs", "remove", "x"}, {"audit"}} {
		code, _, errs := runCLI(t, data, "", args...)
		if code != 1 || !strings.Contains(errs, "stop the bot") || !strings.Contains(errs, "/docs") {
			t.Errorf("%q: exit %d, stderr %q; want 1 and an error saying to stop the bot", args, code, errs)
		}
	}
}

func TestDocsErrors(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{
		{"docs"},
		{"docs", "nope"},
		{"docs", "remove"},
		{"docs", "add"},
		{"docs", "list", "extra"},
		{"docs", "remove", "x", "--title", "T"},
		{"docs", "purge", "x", "--json"},
		{"audit", "--count", "-1"},
	} {
		code, _, errs := runCLI(t, data, "", args...)
		help := "Run 'briefbot " + args[0] + " --help'.\n"
		if code != 2 || strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, help) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line ending %q", args, code, errs, help)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"docs", "remove", "nope"}, "no such document"},
		{[]string{"docs", "add", filepath.Join(data, "missing.md")}, "no such file"},
		// Links go through the safe fetcher: loopback is refused by
		// default (corpus.allow_private_urls), before any request.
		{[]string{"docs", "add", "http://127.0.0.1:9/a.html"}, "127.0.0.1 is a loopback address"},
	} {
		code, _, errs := runCLI(t, data, "", c.args...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 1 and %q", c.args, code, errs, c.want)
		}
	}
}
