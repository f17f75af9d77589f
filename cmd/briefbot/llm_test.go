package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/internal/openaitest"
)

// The llm.* keys reach the model client: with llm.enabled the answer is
// the model's, and when the model fails the extractive answer says why.
func TestAskWithModelFromConfig(t *testing.T) {
	srv := openaitest.New(t, openaitest.StrictFields(openaitest.MinimalFields...))
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	conf := fmt.Sprintf("llm:\n  enabled: true\n  base_url: %q\n  model: test-model\n  timeout: 2s\n  max_retries: 0\n  stream: false\n", srv.URL)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OPENAI_API_KEY", "sk-from-env-1234567890")
	const q = "What does Article 9 of the ceasefire agreement call for?"

	// The model cites the passage that holds the answer, by the number the
	// prompt gave it.
	srv.SetHandler(func(r openaitest.Request) openaitest.Reply {
		user := r.Content("user")
		n := "0"
		for _, block := range strings.Split(user, "<<<PASSAGE ")[1:] {
			if strings.Contains(block, "unblocking") {
				n = block[:strings.IndexAny(block, " >\n")]
				break
			}
		}
		return openaitest.Answer("Article 9 calls for unblocking all economic and transport connections throughout the region [" + n + "].")
	})
	code, out, errs := runCLI(t, filepath.Join(dir, "data"), "", "--config", cfg, "ask", "--json", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got askJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Mode != "llm" || !got.Answerable || len(got.Citations) != 1 || !strings.Contains(got.Citations[0].Quote, "unblocking") {
		t.Errorf("answer = %+v", got)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Chat.Model != "test-model" || !reqs[0].HasCredential("sk-from-env-1234567890") {
		t.Fatalf("model request: %d requests, %+v", len(reqs), reqs)
	}

	srv.SetHandler(func(openaitest.Request) openaitest.Reply {
		return openaitest.Unauthorized("Incorrect API key provided")
	})
	code, out, errs = runCLI(t, filepath.Join(dir, "data"), "", "--config", cfg, "ask", "--json", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Mode != "extractive" || got.FallbackReason != "unauthorized" || !got.Answerable {
		t.Errorf("answer = %+v, want the extractive answer with fallback_reason unauthorized", got)
	}
	if strings.Contains(errs, "sk-from-env-1234567890") || strings.Contains(out, "sk-from-env-1234567890") {
		t.Errorf("the API key leaked into the output")
	}
}

// Model answers that pass a naive check but must not reach the user, each
// reproduced through `ask --json` with a fake model that cites the passage
// holding the answer.
func TestAskRejectsBadModelAnswers(t *testing.T) {
	srv := openaitest.New(t, openaitest.StrictFields(openaitest.StreamUsageFields...))
	dir := t.TempDir()
	configs := map[bool]string{}
	for _, stream := range []bool{false, true} {
		configs[stream] = filepath.Join(dir, fmt.Sprintf("config-%v.yaml", stream))
		conf := fmt.Sprintf("llm:\n  enabled: true\n  base_url: %q\n  model: test-model\n  timeout: 5s\n  max_retries: 0\n  stream: %v\n", srv.URL, stream)
		if err := os.WriteFile(configs[stream], []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const (
		article9 = "What does Article 9 of the ceasefire agreement call for?"
		kremlin  = "Did the Kremlin respond to Armenia's calls for military support?"
		unblock  = "Article 9 calls for unblocking all economic and transport connections throughout the region"
	)
	tests := []struct {
		name     string
		question string
		holds    string // a phrase of the passage the fake model cites
		stream   bool
		reply    func(n string) openaitest.Reply
		reason   string // "" for a model answer
		answer   string // the model answer wanted, with N for the passage's number
	}{
		{name: "a: lower-case uncited sentence after a cited one", question: article9, holds: "unblocking",
			reply: func(n string) openaitest.Reply {
				return openaitest.Answer(unblock + " [" + n + "]. iran invaded azerbaijan yesterday.")
			},
			answer: unblock + " [N]."},
		{name: "a: lower-case cited sentence after an uncited claim", question: article9, holds: "unblocking", stream: true,
			reply: func(n string) openaitest.Reply {
				return openaitest.Answer("Iran invaded Azerbaijan yesterday. " + strings.ToLower(unblock[:1]) + unblock[1:] + " [" + n + "].")
			},
			answer: "article 9 calls for unblocking all economic and transport connections throughout the region [N]."},
		{name: "b: negated claim cited to an affirmative passage", question: article9, holds: "unblocking",
			reply: func(n string) openaitest.Reply {
				return openaitest.Answer("Article 9 does not call for unblocking economic and transport connections throughout the region [" + n + "].")
			},
			reason: "no_valid_citations"},
		{name: "b: affirmative claim cited to a negated passage", question: kremlin, holds: "did not respond",
			reply: func(n string) openaitest.Reply {
				return openaitest.Answer("The Kremlin responded to Armenia's calls for military support last September [" + n + "].")
			},
			reason: "no_valid_citations"},
		{name: "b: invented specific", question: article9, holds: "unblocking",
			reply: func(n string) openaitest.Reply {
				return openaitest.Answer("Article 9 calls for the immediate bombing of transport connections throughout the region [" + n + "].")
			},
			reason: "no_valid_citations"},
		{name: "c: 30 MB JSON reply", question: article9, holds: "unblocking",
			reply: func(n string) openaitest.Reply {
				return openaitest.Reply{Text: unblock + " [" + n + "]. ", Repeat: 30 << 20 / (len(unblock) + 6)}
			},
			reason: "too_long"},
		{name: "c: 30 MB stream", question: article9, holds: "unblocking", stream: true,
			reply: func(n string) openaitest.Reply {
				return openaitest.Reply{Text: unblock + " [" + n + "]. ", Chunks: 1, Repeat: 30 << 20 / (len(unblock) + 6)}
			},
			reason: "too_long"},
		{name: "d: 500 repeated markers", question: article9, holds: "unblocking",
			reply: func(n string) openaitest.Reply {
				return openaitest.Answer(unblock + " " + strings.Repeat("["+n+"]", 500) + ".")
			},
			answer: unblock + " [N]."},
		{name: "d: a marker repeated within a sentence", question: article9, holds: "unblocking", stream: true,
			reply: func(n string) openaitest.Reply {
				return openaitest.Answer("Article 9 calls for unblocking [" + n + "] all economic and transport connections [" + n + "][" + n + "] throughout the region [" + n + "].")
			},
			answer: "Article 9 calls for unblocking [N] all economic and transport connections throughout the region."},
		{name: "e: HTML page as a 200 JSON reply", question: article9, holds: "unblocking",
			reply: func(string) openaitest.Reply { return openaitest.HTMLPage() }, reason: "bad_response"},
		{name: "e: HTML page as a 200 stream", question: article9, holds: "unblocking", stream: true,
			reply: func(string) openaitest.Reply { return openaitest.HTMLPage() }, reason: "bad_response"},
		{name: "e: plain text as a 200 stream", question: article9, holds: "unblocking", stream: true,
			reply: func(string) openaitest.Reply {
				return openaitest.Reply{Body: "upstream connect error\n", ContentType: "text/plain"}
			}, reason: "bad_response"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n string
			srv.SetHandler(func(r openaitest.Request) openaitest.Reply {
				n = "0"
				for _, block := range strings.Split(r.Content("user"), "<<<PASSAGE ")[1:] {
					if strings.Contains(block, tc.holds) {
						n = block[:strings.IndexAny(block, " >\n")]
						break
					}
				}
				return tc.reply(n)
			})
			code, out, errs := runCLI(t, filepath.Join(dir, "data"), "", "--config", configs[tc.stream], "ask", "--json", tc.question)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var got askJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v: %.300s", err, out)
			}
			if n == "0" {
				t.Fatalf("no passage holding %q was sent", tc.holds)
			}
			if tc.reason != "" {
				if got.Mode != "extractive" || got.FallbackReason != tc.reason {
					t.Errorf("mode %q, fallback_reason %q, want the extractive answer with %q; answer %.200q", got.Mode, got.FallbackReason, tc.reason, got.Answer)
				}
				return
			}
			if want := strings.ReplaceAll(tc.answer, "[N]", "["+n+"]"); got.Mode != "llm" || got.Answer != want {
				t.Errorf("mode %q (fallback %q), answer %.300q, want %q", got.Mode, got.FallbackReason, got.Answer, want)
			}
		})
	}
}
