package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("scrape = %d %s", rec.Code, body)
	}
	return string(body)
}

// TestExposition: the observed questions and searches, and the index and
// gateway as they are at the scrape, not as they were at registration.
func TestExposition(t *testing.T) {
	m := New()
	info := briefbot.IndexInfo{Version: "abc123", Documents: 3, Passages: 42}
	connected := false
	m.WatchIndex(func() briefbot.IndexInfo { return info })
	m.WatchGateway(func() bool { return connected })
	m.Question("ask", briefbot.OutcomeAnswered, 300*time.Millisecond)
	m.Question("ask", briefbot.OutcomeAnswered, 20*time.Millisecond)
	m.Question("followup", briefbot.OutcomeBusy, time.Millisecond)
	m.Retrieval(2 * time.Millisecond)

	out := scrape(t, m)
	for _, want := range []string{
		`briefbot_questions_total{command="ask",outcome="answered"} 2`,
		`briefbot_questions_total{command="followup",outcome="busy"} 1`,
		"briefbot_answer_seconds_count 3",
		`briefbot_answer_seconds_bucket{le="0.25"} 2`,
		"briefbot_retrieval_seconds_count 1",
		"briefbot_index_documents 3",
		"briefbot_index_passages 42",
		`briefbot_index_info{version="abc123"} 1`,
		"briefbot_gateway_connected 0",
		"go_goroutines ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}

	// A rebuilt index and a connected gateway show at the next scrape;
	// a closed index (zero Info) has no version series.
	info, connected = briefbot.IndexInfo{Version: "def456", Documents: 4, Passages: 50}, true
	out = scrape(t, m)
	if !strings.Contains(out, `briefbot_index_info{version="def456"} 1`) || strings.Contains(out, "abc123") ||
		!strings.Contains(out, "briefbot_gateway_connected 1") || !strings.Contains(out, "briefbot_index_passages 50") {
		t.Errorf("second scrape:\n%s", out)
	}
	info = briefbot.IndexInfo{}
	if out = scrape(t, m); strings.Contains(out, "briefbot_index_info{") || !strings.Contains(out, "briefbot_index_documents 0") {
		t.Errorf("closed index:\n%s", out)
	}
}

// TestModelExposition: model requests show as latency histograms, tokens
// by kind, retries and errors by reason; fallbacks by reason. The fixed
// label values are there at 0 before anything happened.
func TestModelExposition(t *testing.T) {
	m := New()
	out := scrape(t, m)
	for _, want := range []string{
		"# TYPE briefbot_model_request_seconds histogram",
		"# TYPE briefbot_model_first_token_seconds histogram",
		"# HELP briefbot_model_tokens_total ",
		`briefbot_model_tokens_total{kind="prompt"} 0`,
		`briefbot_model_tokens_total{kind="completion"} 0`,
		`briefbot_model_errors_total{reason="rate_limited"} 0`,
		`briefbot_model_errors_total{reason="truncated"} 0`,
		"briefbot_model_request_seconds_count 0",
		"briefbot_model_retries_total 0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("fresh scrape lacks %q", want)
		}
	}
	if strings.Contains(out, "briefbot_model_fallbacks_total{") {
		t.Error("a fallback series before any fallback")
	}

	// A streamed answer, a JSON answer whose server reported no usage, a
	// call rate limited after two retries and one failing with a reason
	// outside the set.
	m.ModelCall(briefbot.ModelCall{Duration: 1200 * time.Millisecond, FirstToken: 300 * time.Millisecond, PromptTokens: 812, CompletionTokens: 95})
	m.ModelCall(briefbot.ModelCall{Duration: 4 * time.Second})
	m.ModelCall(briefbot.ModelCall{Duration: 700 * time.Millisecond, Retries: 2, Error: briefbot.ModelErrorRateLimited})
	m.ModelCall(briefbot.ModelCall{Duration: 50 * time.Millisecond, Error: "weird"})
	m.ModelFallback("daily_cap")
	m.ModelFallback("daily_cap")
	m.ModelFallback("rate_limited")

	out = scrape(t, m)
	for _, want := range []string{
		"briefbot_model_request_seconds_count 4",
		`briefbot_model_request_seconds_bucket{le="0.1"} 1`,
		`briefbot_model_request_seconds_bucket{le="1"} 2`,
		`briefbot_model_request_seconds_bucket{le="2"} 3`,
		`briefbot_model_request_seconds_bucket{le="5"} 4`,
		`briefbot_model_request_seconds_bucket{le="30"} 4`,
		"briefbot_model_request_seconds_sum 5.95",
		"briefbot_model_first_token_seconds_count 1",
		`briefbot_model_first_token_seconds_bucket{le="0.25"} 0`,
		`briefbot_model_first_token_seconds_bucket{le="0.5"} 1`,
		`briefbot_model_tokens_total{kind="prompt"} 812`,
		`briefbot_model_tokens_total{kind="completion"} 95`,
		"briefbot_model_retries_total 2",
		`briefbot_model_errors_total{reason="rate_limited"} 1`,
		`briefbot_model_errors_total{reason="other"} 1`,
		`briefbot_model_errors_total{reason="timeout"} 0`,
		`briefbot_model_fallbacks_total{reason="daily_cap"} 2`,
		`briefbot_model_fallbacks_total{reason="rate_limited"} 1`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if strings.Contains(out, "weird") {
		t.Error("an error reason outside the set became a label")
	}
}

// TestInteractionResults: every result of the interactions endpoint is
// exported from the start, at 0, and counted.
func TestInteractionResults(t *testing.T) {
	m := New()
	out := scrape(t, m)
	for _, r := range briefbot.Interactions() {
		if want := `briefbot_interactions_total{result="` + r + `"} 0`; !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	m.Interaction(briefbot.InteractionUnauthorized)
	m.Interaction(briefbot.InteractionUnauthorized)
	if out := scrape(t, m); !strings.Contains(out, `briefbot_interactions_total{result="unauthorized"} 2`) {
		t.Error("two unauthorized requests not counted")
	}
}
