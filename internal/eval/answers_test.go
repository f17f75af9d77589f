package eval

import (
	"context"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
)

// fixedAnswerer answers each question by citing the passages listed for
// it, in order; no list is a refusal.
type fixedAnswerer map[string][]string

func (f fixedAnswerer) Ask(_ context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
	ids, ok := f[req.Question]
	a := briefbot.Answer{Question: req.Question, Answerable: ok}
	for i, id := range ids {
		a.Citations = append(a.Citations, briefbot.Citation{N: i + 1, PassageID: id})
	}
	return a, nil
}

func TestRunAnswersByHand(t *testing.T) {
	texts := map[string]string{
		"p1": "The answer is forty-two.",
		"p2": "Another passage says forty–two too.",
		"p3": "Noise about something else.",
	}
	passage := func(id string) (briefbot.Passage, bool) {
		text, ok := texts[id]
		return briefbot.Passage{ID: id, Text: text}, ok
	}
	a := fixedAnswerer{
		"right first":     {"p1", "p3"}, // top-1; 1 of 2 right
		"right second":    {"p3", "p2"}, // not top-1; 1 of 2 right
		"all right":       {"p2", "p1"}, // top-1; 2 of 2 (second gold text)
		"wrong":           {"p3"},       // 0 of 1
		"unknown passage": {"gone"},     // 0 of 1
	}
	qs := []QAItem{
		{ID: "1", Query: "right first", Gold: Gold{"answer is forty-two"}},
		{ID: "2", Query: "right second", Gold: Gold{"says forty-two"}},
		{ID: "3", Query: "all right", Gold: Gold{"the answer is forty-two", "says forty-two"}},
		{ID: "4", Query: "wrong", Gold: Gold{"forty-two"}},
		{ID: "5", Query: "unknown passage", Gold: Gold{"forty-two"}},
		{ID: "6", Query: "refused", Gold: Gold{"forty-two"}},
	}
	rep, err := RunAnswers(context.Background(), a, passage, qs)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 6 || rep.Answered != 5 || rep.Top1 != 2 || rep.WithGold != 3 ||
		rep.Citations != 8 || rep.RightCitations != 4 {
		t.Fatalf("report %+v", rep)
	}
	for name, got := range map[string][2]float64{
		"top-1": {rep.Top1Rate(), 2.0 / 6}, "precision": {rep.CitationPrecision(), 4.0 / 8},
		"answered": {rep.AnsweredRate(), 5.0 / 6}, "with gold": {rep.WithGoldRate(), 3.0 / 6},
	} {
		if !near(got[0], got[1]) {
			t.Errorf("%s = %.4f, want %.4f", name, got[0], got[1])
		}
	}
	var ids []string
	for _, m := range rep.Misses {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "2,4,5,6" {
		t.Errorf("misses %v, want 2,4,5,6", ids)
	}
	if out := rep.MissesString(); !strings.Contains(out, `6 "refused": refused`) || !strings.Contains(out, "[1] p3; 1 of 2 citations right") {
		t.Errorf("misses text:\n%s", out)
	}
	if out := rep.String(); !strings.Contains(out, "top-1 0.333") || !strings.Contains(out, "citation precision 0.500 (4 of 8 citations)") {
		t.Errorf("report text: %s", out)
	}
	if (AnswerReport{}).CitationPrecision() != 0 {
		t.Error("precision without citations is not 0")
	}
}
