package bot

import (
	"regexp"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/internal/discordfake"
)

// TestQuestionLogLines: each question gets one "question" log line with
// its command, outcome and request_id, the request_id on every line of
// the same interaction and a different one for the next; the question's
// text only with Options.LogQuestions.
func TestQuestionLogLines(t *testing.T) {
	t.Parallel()
	const secretish = "What does Article 9 call for?"
	for _, logQuestions := range []bool{false, true} {
		e := startBot(t, setup{opts: func(o *Options, _ *discordfake.Server) { o.LogQuestions = logQuestions }})
		first := e.ask("", secretish)
		e.final(first)
		second := e.ask("", secretish)
		e.final(second)
		// The line is written once the final message is out, just after
		// the fake saw it: stop the bot so that every line is written.
		e.stop()
		if err := e.result(); err != nil {
			t.Fatal(err)
		}
		logs := e.logs.String()
		lines := regexp.MustCompile(`(?m)^.*msg=question .*$`).FindAllString(logs, -1)
		if len(lines) != 2 {
			t.Fatalf("log_questions=%v: %d question lines, want 2:\n%s", logQuestions, len(lines), logs)
		}
		// The lines may come in either order: each is written once its
		// answer is delivered.
		ids := map[string]string{} // interaction → request ID
		for i, l := range lines {
			id := regexp.MustCompile(`request_id=([0-9a-f]{16})`).FindStringSubmatch(l)
			it := regexp.MustCompile(`interaction=(\d+)`).FindStringSubmatch(l)
			if id == nil || it == nil || !strings.Contains(l, "command=ask") || !strings.Contains(l, "outcome=answered") || !strings.Contains(l, "chars=29") {
				t.Errorf("line %d = %q", i, l)
				continue
			}
			ids[it[1]] = id[1]
		}
		if len(ids) != 2 || ids[first.ID] == "" || ids[second.ID] == "" || ids[first.ID] == ids[second.ID] {
			t.Errorf("request ids by interaction %v, want one of its own for %s and %s", ids, first.ID, second.ID)
		}
		if got := strings.Contains(logs, secretish); got != logQuestions {
			t.Errorf("log_questions=%v: question text in the log = %v", logQuestions, got)
		}
	}
}
