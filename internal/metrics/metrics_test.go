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
