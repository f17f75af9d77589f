package eval

import (
	"context"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot"
)

// AnswerReport measures the answers a user reads, not only the ranking:
// whether citation [1] is a right passage (top-1), what share of all
// citations shown are right (precision), and how many questions were
// answered at all.
type AnswerReport struct {
	Questions int
	// Answered counts the questions marked answerable.
	Answered int
	// Top1 counts the answers whose citation [1] holds a gold text.
	Top1 int
	// WithGold counts the answers with any citation holding a gold text.
	WithGold int
	// Citations and RightCitations count the citations shown over all
	// answers, and those whose passage holds a gold text.
	Citations, RightCitations int
	// Misses are the questions whose citation [1] is not right, refusals
	// included.
	Misses []AnswerMiss
}

// AnswerMiss is a question whose answer does not open with a right
// citation.
type AnswerMiss struct {
	ID, Query string
	Gold      Gold
	Refused   bool
	// First is the passage of citation [1], "" when there is none.
	First string
	// Cited and Right count the answer's citations and the right ones.
	Cited, Right int
}

// Top1Rate is the share of questions whose answer's citation [1] is right.
func (r AnswerReport) Top1Rate() float64 { return ratio(r.Top1, r.Questions) }

// CitationPrecision is the share of the citations shown that are right; 0
// when none was shown.
func (r AnswerReport) CitationPrecision() float64 { return ratio(r.RightCitations, r.Citations) }

// AnsweredRate is the share of questions answered (not refused).
func (r AnswerReport) AnsweredRate() float64 { return ratio(r.Answered, r.Questions) }

// WithGoldRate is the share of questions answered citing a right passage
// anywhere among the citations.
func (r AnswerReport) WithGoldRate() float64 { return ratio(r.WithGold, r.Questions) }

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func (r AnswerReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Answers: top-1 %.3f, citation precision %.3f (%d of %d citations), answered %d/%d (%d citing a gold passage)",
		r.Top1Rate(), r.CitationPrecision(), r.RightCitations, r.Citations, r.Answered, r.Questions, r.WithGold)
	return b.String()
}

// MissesString lists the questions whose answer does not open with a right
// citation.
func (r AnswerReport) MissesString() string {
	var b strings.Builder
	for _, m := range r.Misses {
		if m.Refused {
			fmt.Fprintf(&b, "  %s %q: refused\n", m.ID, m.Query)
			continue
		}
		fmt.Fprintf(&b, "  %s %q: [1] %s; %d of %d citations right\n", m.ID, m.Query, m.First, m.Right, m.Cited)
	}
	return b.String()
}

// RunAnswers asks each question and checks the citations of its answer
// against the gold texts; passage looks up a cited passage's text.
func RunAnswers(ctx context.Context, a briefbot.Answerer, passage func(id string) (briefbot.Passage, bool), qs []QAItem) (AnswerReport, error) {
	rep := AnswerReport{Questions: len(qs)}
	for _, q := range qs {
		ans, err := a.Ask(ctx, briefbot.AskRequest{Question: q.Query})
		if err != nil {
			return AnswerReport{}, fmt.Errorf("question %s: %w", q.ID, err)
		}
		rep.add(q, ans, passage)
	}
	return rep, nil
}

// add scores the answer to q.
func (rep *AnswerReport) add(q QAItem, ans briefbot.Answer, passage func(id string) (briefbot.Passage, bool)) {
	miss := AnswerMiss{ID: q.ID, Query: q.Query, Gold: q.Gold, Refused: !ans.Answerable}
	if ans.Answerable {
		rep.Answered++
		first := false
		for _, c := range ans.Citations {
			right := false
			if p, ok := passage(c.PassageID); ok {
				right = q.Gold.In(p.Text)
			}
			miss.Cited++
			if right {
				miss.Right++
			}
			if c.N == 1 {
				miss.First, first = c.PassageID, right
			}
		}
		rep.Citations += miss.Cited
		rep.RightCitations += miss.Right
		if miss.Right > 0 {
			rep.WithGold++
		}
		if first {
			rep.Top1++
			return
		}
	}
	rep.Misses = append(rep.Misses, miss)
}
