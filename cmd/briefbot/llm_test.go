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
