package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/store"
)

// seedFeedback fills a store in data with answers and votes of the last
// days, as the bot would have, and closes it.
func seedFeedback(t *testing.T, data string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	s, err := store.Open(store.Path(data), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	answer := func(id, q string, ago time.Duration, answerable, private bool, cites ...briefbot.Citation) {
		t.Helper()
		r := briefbot.AnswerRecord{ID: id, Time: now.Add(-ago), Question: q, Private: private, UserID: "100",
			Answer: briefbot.Answer{Question: q, Text: "…", Answerable: answerable, Mode: briefbot.ModeExtractive, Citations: cites}}
		if err := s.PutAnswer(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	vote := func(answerID, user string, ago time.Duration, helpful bool, reason, comment string) {
		t.Helper()
		if _, err := s.Vote(ctx, briefbot.Vote{AnswerID: answerID, UserID: user, Time: now.Add(-ago), Helpful: helpful, Reason: reason, Comment: comment}); err != nil {
			t.Fatal(err)
		}
	}
	title := "Iran's Tensions with Azerbaijan"
	answer("a1", "What does Article 9 of the ceasefire agreement call for?", 2*time.Hour, true, false,
		briefbot.Citation{N: 1, DocID: "brief", PassageID: "brief/why-now/3", Title: title, Section: "Why Now?", Paragraph: 3, URL: "https://example.org/b"},
		briefbot.Citation{N: 2, DocID: "brief", PassageID: "brief/recommendations/2", Title: title, Section: "Recommendations", Paragraph: 2})
	vote("a1", "u1", time.Hour, true, "", "")
	vote("a1", "u2", 50*time.Minute, false, briefbot.ReasonWrongSource, "Cites\nthe wrong article")
	answer("a2", "What is our secret budget for Baku?", 3*time.Hour, true, true,
		briefbot.Citation{N: 1, PassageID: "brief/x/1", Title: title, Section: "Secret section", Paragraph: 1})
	vote("a2", "u3", 150*time.Minute, false, briefbot.ReasonIncomplete, "a secret comment")
	answer("r1", "What is the population of Canada?", 5*time.Hour, false, false)
	answer("r2", "what is the  population of canada", 4*time.Hour, false, false)
	answer("r3", "Who won the 2022 World Cup?", 4*time.Hour, false, false)
	answer("r5", "What is the population of Canada?", 3*time.Hour, false, false)
	answer("r4", "Secret refused question about payroll?", 4*time.Hour, false, true)
	answer("old", "An old question from last week?", 10*24*time.Hour, true, false)
	vote("old", "u1", 9*24*time.Hour, true, "", "")
	// A vote whose answer is not kept.
	vote("gone", "u4", 30*time.Minute, true, "", "")
}

func TestFeedbackText(t *testing.T) {
	data := t.TempDir()
	seedFeedback(t, data)
	code, out, errs := runCLI(t, data, "", "feedback")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Votes in the last 30d (all that is kept): 5 (1 on private answers, not shown; --include-private shows them)",
		"Q: What does Article 9 of the ceasefire agreement call for?",
		"  [1] Iran's Tensions with Azerbaijan — Why Now? ¶3\n  [2] Iran's Tensions with Azerbaijan — Recommendations ¶2\n",
		`not helpful (wrong source): "Cites the wrong article"`,
		"(answer gone is no longer kept)",
		"answers             8 (2 private)",
		"answers with votes  3",
		"votes               5: 3 helpful, 2 not helpful (helpful rate 60%)",
		"why not helpful     wrong source 1, incomplete 1",
		"questions refused   5",
		"Most frequent refused questions (what the documents are missing):\n    3  What is the population of Canada?\n    1  Who won the 2022 World Cup?\n  (1 private, not shown",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, private := range []string{"secret", "payroll"} {
		if strings.Contains(strings.ToLower(out), private) {
			t.Errorf("a private question or its vote shows without --include-private (%q):\n%s", private, out)
		}
	}

	code, out, errs = runCLI(t, data, "", "feedback", "--include-private")
	if code != 0 {
		t.Fatalf("--include-private: exit %d: %s", code, errs)
	}
	for _, want := range []string{"Q (private): What is our secret budget for Baku?", `not helpful (incomplete): "a secret comment"`,
		"Secret refused question about payroll?", "Votes in the last 30d (all that is kept): 5\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("--include-private: output lacks %q:\n%s", want, out)
		}
	}
}

func TestFeedbackJSON(t *testing.T) {
	data := t.TempDir()
	seedFeedback(t, data)
	code, out, errs := runCLI(t, data, "", "feedback", "--json", "--since", "7d")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if want := []string{"since", "summary", "votes"}; !reflect.DeepEqual(keys(raw), want) {
		t.Errorf("keys = %v, want %v", keys(raw), want)
	}
	summaryKeys := []string{"answers", "answers_with_votes", "helpful", "helpful_rate", "not_helpful", "private_answers",
		"private_refused_hidden", "private_votes_hidden", "reasons", "refused", "top_refused", "votes"}
	if got := keys(raw["summary"].(map[string]any)); !reflect.DeepEqual(got, summaryKeys) {
		t.Errorf("summary keys = %v, want %v", got, summaryKeys)
	}
	voteKeys := []string{"answer_id", "answer_kept", "answerable", "citations", "comment", "helpful", "mode", "private", "question", "reason", "time"}
	citationKeys := []string{"doc_id", "n", "paragraph", "passage_id", "section", "title", "url"}
	for _, v := range raw["votes"].([]any) {
		v := v.(map[string]any)
		if got := keys(v); !reflect.DeepEqual(got, voteKeys) {
			t.Errorf("vote keys = %v, want %v", got, voteKeys)
		}
		for _, c := range v["citations"].([]any) {
			if got := keys(c.(map[string]any)); !reflect.DeepEqual(got, citationKeys) {
				t.Errorf("citation keys = %v, want %v", got, citationKeys)
			}
		}
	}
	if strings.Contains(strings.ToLower(out), "secret") || strings.Contains(out, "payroll") {
		t.Errorf("private questions in the JSON without --include-private:\n%s", out)
	}

	var got feedbackJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Since == nil || time.Since(*got.Since) < 7*24*time.Hour-time.Minute || time.Since(*got.Since) > 7*24*time.Hour+time.Minute {
		t.Errorf("since = %v, want 7 days ago", got.Since)
	}
	s := got.Summary
	rate := 0.5
	want := feedbackSummaryJSON{Answers: 7, PrivateAnswers: 2, AnswersWithVotes: 2, Votes: 4, Helpful: 2, NotHelpful: 2, HelpfulRate: &rate,
		Reasons:            map[string]int{"wrong_source": 1, "incomplete": 1, "not_in_documents": 0, "other": 0, "none": 0},
		PrivateVotesHidden: 1, Refused: 5, PrivateRefusedHidden: 1}
	s.TopRefused = nil
	if !reflect.DeepEqual(s, want) {
		t.Errorf("summary = %+v\nwant      %+v", s, want)
	}
	var top []string
	for _, r := range got.Summary.TopRefused {
		top = append(top, fmt.Sprintf("%s|%s|%d", r.Question, r.Normalized, r.Count))
	}
	// The wording asked most often stands for its group.
	if want := []string{"What is the population of Canada?|what is the population of canada|3", "Who won the 2022 World Cup?|who won the 2022 world cup|1"}; !reflect.DeepEqual(top, want) {
		t.Errorf("top_refused = %v, want %v", top, want)
	}
	var ids []string
	for _, v := range got.Votes {
		ids = append(ids, v.AnswerID)
	}
	if want := []string{"a1", "a1", "gone"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("votes on %v, want %v (oldest first, private hidden, the old one before --since)", ids, want)
	}
	if v := got.Votes[1]; v.Reason != "wrong_source" || v.Comment != "Cites\nthe wrong article" || !v.AnswerKept || len(v.Citations) != 2 || v.Citations[0].Paragraph != 3 {
		t.Errorf("second vote = %+v", v)
	}

	code, out, _ = runCLI(t, data, "", "feedback", "--json", "--include-private")
	if code != 0 || !strings.Contains(out, "What is our secret budget for Baku?") || !strings.Contains(out, "payroll") {
		t.Errorf("--include-private --json lacks the private questions (exit %d):\n%s", code, out)
	}
	if !strings.Contains(out, `"since": null`) {
		t.Errorf("without --since, since is not null:\n%s", out)
	}
}

// With nothing stored there is nothing to report, and nothing is created.
func TestFeedbackEmpty(t *testing.T) {
	data := t.TempDir()
	code, out, errs := runCLI(t, data, "", "feedback", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got feedbackJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Summary.Votes != 0 || got.Votes == nil || got.Summary.HelpfulRate != nil {
		t.Errorf("empty report = %+v, %v\n%s", got, err, out)
	}
	if _, err := os.Stat(store.Path(data)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("feedback created the store: %v", err)
	}
}

// The votes an earlier version appended to feedback.jsonl are imported and
// shown; the old file did not say which answers were private, so their
// questions count as private.
func TestFeedbackImportsLegacyVotes(t *testing.T) {
	data := t.TempDir()
	line := `{"time":"` + time.Now().UTC().Add(-time.Hour).Format(time.RFC3339) + `","answer_id":"x","user_id":"u","helpful":true,"question":"Who wrote it?","answer":"A [1].","mode":"extractive","passages":["brief/about/1"],"index_version":"v"}`
	if err := os.WriteFile(filepath.Join(data, store.LegacyFeedbackFile), []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, data, "", "feedback", "--include-private")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "Q (private): Who wrote it?\n  [1] brief/about/1\n") || !strings.Contains(out, "1 helpful") {
		t.Errorf("imported vote not shown:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(data, store.LegacyFeedbackFile+store.ImportedSuffix)); err != nil {
		t.Errorf("feedback.jsonl not renamed after the import: %v", err)
	}
}

// While the bot runs it holds the store, and bbolt lets no reader in: the
// command says so and what to do instead of waiting.
func TestFeedbackWhileTheBotRuns(t *testing.T) {
	data := t.TempDir()
	holdStore(t, data)
	code, _, errs := runCLI(t, data, "", "feedback")
	if code != 1 || !strings.Contains(errs, "is in use by another briefbot process") || !strings.Contains(errs, "stop the bot") {
		t.Errorf("exit %d, stderr %q; want 1 and an error saying to stop the bot", code, errs)
	}
}

func TestFeedbackUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"feedback", "--since", "last week"},
		{"feedback", "--since", "-3d"},
		{"feedback", "extra"},
	} {
		code, _, errs := runCLI(t, t.TempDir(), "", args...)
		// One line, ending with where the help is (see TestUsageErrorOneLine).
		if code != 2 || strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "Run 'briefbot feedback --help'.\n") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, errs)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 10, 15, 30, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"", time.Time{}, ""},
		{"7d", now.Add(-7 * 24 * time.Hour), ""},
		{"24h", now.Add(-24 * time.Hour), ""},
		{"1d12h", now.Add(-36 * time.Hour), ""},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local), ""},
		{"2026-11-01T08:00:00Z", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), ""},
		{"-1h", time.Time{}, "negative"},
		{"7", time.Time{}, "a duration such as 7d"},
		{"2026-13-01", time.Time{}, "a date such as 2026-11-01"},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now)
		if tt.wantErr != "" {
			if err == nil || !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseSince(%q) error = %v, want a usage error with %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeQuestion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"What is the population of Canada?", "what is the population of canada"},
		{"  what is the\tpopulation of   CANADA!!", "what is the population of canada"},
		{"Who's Aliyev?", "who s aliyev"},
		{"¿Qué es el corredor de Zangezur?", "qué es el corredor de zangezur"},
		{"???", ""},
	}
	for _, tt := range tests {
		if got := normalizeQuestion(tt.in); got != tt.want {
			t.Errorf("normalizeQuestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// holdStore opens the store in data as the running bot does, for the rest
// of the test, and makes the commands give up on its lock quickly.
func holdStore(t *testing.T, data string) {
	t.Helper()
	held, err := store.Open(store.Path(data), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { held.Close() })
	old := storeLockTimeout
	storeLockTimeout = 50 * time.Millisecond
	t.Cleanup(func() { storeLockTimeout = old })
}
