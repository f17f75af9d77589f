package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/syncbuf"

	"github.com/briefbot/briefbot"
)

// legacyLines are votes as the old bot wrote them, with what a file kept
// for months can hold besides.
var legacyLines = []string{
	`{"time":"2026-11-01T09:00:00Z","answer_id":"a1","user_id":"u1","helpful":true,"question":"What does Article 9 call for?","answer":"The unblocking [1].","mode":"extractive","passages":["brief/why-now/3","brief/why-now/4"],"index_version":"v1"}`,
	// The same user again: the first vote stands.
	`{"time":"2026-11-01T09:05:00Z","answer_id":"a1","user_id":"u1","helpful":false,"question":"What does Article 9 call for?","answer":"The unblocking [1].","mode":"extractive","passages":["brief/why-now/3"],"index_version":"v1"}`,
	`not json at all`,
	``,
	// Another user, earlier than the first line: the answer takes the
	// earliest time. Written on Windows (CRLF).
	`{"time":"2026-11-01T08:59:00Z","answer_id":"a1","user_id":"u2","helpful":false,"question":"What does Article 9 call for?","answer":"The unblocking [1].","mode":"extractive","passages":["brief/why-now/3"],"index_version":"v1"}` + "\r",
	`{"time":"2026-11-01T09:00:00Z","answer_id":"a2","helpful":true}`,
	`{"time":"2026-11-02T10:00:00Z","answer_id":"a2","user_id":"u1","helpful":false,"question":"Who wrote the brief?","answer":"Borshchevskaya and Tabler [1].","mode":"llm","passages":["brief/about/1"],"index_version":"v2"}`,
	`{"answer_id":"` + strings.Repeat("x", maxLegacyLine) + `"}`,
	`{"time":"2026-11-02T11:00:00Z","answer_id":"a3","user_id":"u3","helpful":true,"question":"Q3","answer":"A3","mode":"extractive","passages":[],"index_version":"v2"}`,
}

func writeLegacy(t *testing.T, dir string, lines []string) string {
	t.Helper()
	path := filepath.Join(dir, LegacyFeedbackFile)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportLegacyFeedback(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	legacy := writeLegacy(t, dir, legacyLines)
	var logs syncbuf.Buffer
	clk := newClock()
	clk.Add(3 * 24 * time.Hour)
	s := open(t, dir, clk, Options{Logger: logTo(&logs)})

	votes, err := s.Votes(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	want := []briefbot.Vote{
		{AnswerID: "a1", UserID: "u2", Helpful: false, Time: at("2026-11-01T08:59:00Z")},
		{AnswerID: "a1", UserID: "u1", Helpful: true, Time: at("2026-11-01T09:00:00Z")},
		{AnswerID: "a2", UserID: "u1", Helpful: false, Time: at("2026-11-02T10:00:00Z")},
		{AnswerID: "a3", UserID: "u3", Helpful: true, Time: at("2026-11-02T11:00:00Z")},
	}
	if !reflect.DeepEqual(votes, want) {
		t.Errorf("imported votes:\n%+v\nwant\n%+v", votes, want)
	}

	a1, ok := mustAnswer(t, s, "a1")
	wantA1 := briefbot.AnswerRecord{
		ID: "a1", Time: at("2026-11-01T08:59:00Z"), Question: "What does Article 9 call for?", Private: true,
		Answer: briefbot.Answer{Question: "What does Article 9 call for?", Text: "The unblocking [1].", Answerable: true,
			Mode: "extractive", Index: briefbot.IndexInfo{Version: "v1"},
			Citations: []briefbot.Citation{{N: 1, PassageID: "brief/why-now/3"}, {N: 2, PassageID: "brief/why-now/4"}}},
	}
	if !ok || !reflect.DeepEqual(a1, wantA1) {
		t.Errorf("imported answer a1 = %v\n%+v\nwant\n%+v", ok, a1, wantA1)
	}
	answers, err := s.Answers(ctx, time.Time{})
	if err != nil || len(answers) != 3 {
		t.Errorf("imported answers = %d, %v; want 3", len(answers), err)
	}

	if _, err := os.Stat(legacy); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("feedback.jsonl is still there after the import: %v", err)
	}
	if _, err := os.Stat(legacy + ImportedSuffix); err != nil {
		t.Errorf("feedback.jsonl was not kept as %s: %v", ImportedSuffix, err)
	}
	log := logs.String()
	for _, w := range []string{"level=WARN", `msg="imported earlier votes"`, "votes=4", "answers=3", "repeated=1",
		"skipped_lines=3", "first_skipped_line=3", "renamed_to=" + legacy + ImportedSuffix} {
		if !strings.Contains(log, w) {
			t.Errorf("the import's log line lacks %q:\n%s", w, log)
		}
	}

	// Votes changed in the store are not undone by an old file brought back
	// (a rollback to the old bot and forward again); its new votes come in.
	if _, err := s.Vote(ctx, briefbot.Vote{AnswerID: "a1", UserID: "u1", Helpful: false, Reason: briefbot.ReasonIncomplete}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	writeLegacy(t, dir, append(legacyLines,
		`{"time":"2026-11-03T10:00:00Z","answer_id":"a3","user_id":"u9","helpful":false,"question":"Q3","answer":"A3","mode":"extractive","passages":[],"index_version":"v2"}`))
	logs = syncbuf.Buffer{}
	s = open(t, dir, clk, Options{Logger: logTo(&logs)})
	votes, _ = s.Votes(ctx, time.Time{})
	if len(votes) != 5 {
		t.Errorf("after the second import, %d votes, want 5: %+v", len(votes), votes)
	}
	for _, v := range votes {
		if v.AnswerID == "a1" && v.UserID == "u1" && (v.Helpful || v.Reason != briefbot.ReasonIncomplete) {
			t.Errorf("the second import overwrote a changed vote: %+v", v)
		}
	}
	if _, err := os.Stat(legacy + ImportedSuffix + ".2"); err != nil {
		t.Errorf("the second file was not kept beside the first: %v", err)
	}
	if log := logs.String(); !strings.Contains(log, "already_stored=4") || !strings.Contains(log, "votes=1") {
		t.Errorf("second import's log: %s", log)
	}
}

// A feedback.jsonl that is not a regular file is left alone, and the store
// still opens: the bot must start.
func TestImportLegacyNotRegular(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, LegacyFeedbackFile), 0o755); err != nil {
		t.Fatal(err)
	}
	var logs syncbuf.Buffer
	open(t, dir, nil, Options{Logger: logTo(&logs)})
	if !strings.Contains(logs.String(), "cannot import earlier votes") {
		t.Errorf("no warning: %s", logs.String())
	}
}

// A read-only open never imports: it cannot write.
func TestImportNotReadOnly(t *testing.T) {
	dir := t.TempDir()
	open(t, dir, nil, Options{}).Close()
	legacy := writeLegacy(t, dir, legacyLines[:1])
	open(t, dir, nil, Options{ReadOnly: true})
	if _, err := os.Stat(legacy); err != nil {
		t.Errorf("a read-only open moved feedback.jsonl: %v", err)
	}
}
