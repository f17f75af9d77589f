package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/briefbot/briefbot"
)

// QAItem is one question with the texts that a right answer passage
// contains.
type QAItem struct {
	ID    string `json:"id"`
	Query string `json:"query"`
	Gold  Gold   `json:"gold"`
}

// Gold lists the acceptable gold texts of a question: a passage holding
// any of them answers it. In JSON it is a string or a list of strings.
type Gold []string

// UnmarshalJSON reads a string or a list of strings.
func (g *Gold) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*g = Gold{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New(`"gold" must be a string or a list of strings`)
	}
	*g = many
	return nil
}

// In reports whether text holds one of the gold texts.
func (g Gold) In(text string) bool {
	for _, s := range g {
		if ContainsGold(text, s) {
			return true
		}
	}
	return false
}

func (g Gold) String() string { return strings.Join(g, " | ") }

// LoadQA reads a JSONL file of {"id","query","gold"} records.
func LoadQA(path string) ([]QAItem, error) {
	return loadRecords(path, "questions", func(it QAItem) (string, error) {
		switch {
		case strings.TrimSpace(it.Query) == "":
			return it.ID, fmt.Errorf("%s: empty query", it.ID)
		case len(it.Gold) == 0:
			return it.ID, fmt.Errorf("%s: empty gold", it.ID)
		case slices.ContainsFunc(it.Gold, func(g string) bool { return normalize(g) == "" }):
			return it.ID, fmt.Errorf("%s: empty gold text", it.ID)
		}
		return it.ID, nil
	})
}

// loadRecords reads a JSONL file of records with an "id", strictly (an
// unknown field is an error): check returns a record's ID and what is
// wrong with it; IDs must be present and unique, and the file must hold
// at least one record (called noun in the error).
func loadRecords[T any](path, noun string, check func(T) (string, error)) ([]T, error) {
	var out []T
	seen := make(map[string]bool)
	err := readJSONL(path, func(raw []byte) error {
		var rec T
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			return err
		}
		id, err := check(rec)
		switch {
		case id == "":
			return errors.New(`missing "id"`)
		case err != nil:
			return err
		case seen[id]:
			return fmt.Errorf("duplicate id %s", id)
		}
		seen[id] = true
		out = append(out, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("load %s: no %s", path, noun)
	}
	return out, nil
}

// QAReport holds Recall@1/3/5 (the share of questions with an answering
// passage in the top 1, 3, 5) and MRR over the top k, plus every question
// not answered at rank 1.
type QAReport struct {
	Recall1, Recall3, Recall5, MRR float64
	Queries                        int
	K                              int
	Misses                         []QAMiss
}

// QAMiss is a question whose first answering passage is not ranked first.
type QAMiss struct {
	ID, Query string
	Gold      Gold
	// Rank of the first answering passage, 0 when none is in the top k.
	Rank int
	// Top is the passage ranked first, with its quote, to see what won.
	TopPassage string
	TopQuote   string
}

func (r QAReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "QA: Recall@1 %.3f  Recall@3 %.3f  Recall@5 %.3f  MRR@%d %.3f  (%d questions, %d misses)",
		r.Recall1, r.Recall3, r.Recall5, r.K, r.MRR, r.Queries, len(r.Misses))
	for _, m := range r.Misses {
		rank := "not found"
		if m.Rank > 0 {
			rank = fmt.Sprintf("rank %d", m.Rank)
		}
		fmt.Fprintf(&b, "\n  %s %q: gold %s; top %s %q", m.ID, m.Query, rank, m.TopPassage, m.TopQuote)
	}
	return b.String()
}

// RunQA searches each question with s (top k, at least 5) and checks where
// the first passage containing the gold text ranks.
func RunQA(ctx context.Context, s briefbot.Searcher, qs []QAItem, k int) (QAReport, error) {
	k = max(k, 5)
	rep := QAReport{Queries: len(qs), K: k}
	if len(qs) == 0 {
		return rep, nil
	}
	for _, q := range qs {
		hits, err := s.Search(ctx, q.Query, k)
		if err != nil {
			return QAReport{}, fmt.Errorf("question %s: %w", q.ID, err)
		}
		rank := AnswerRank(hits, q.Gold)
		if rank == 1 {
			rep.Recall1++
		}
		if rank >= 1 && rank <= 3 {
			rep.Recall3++
		}
		if rank >= 1 && rank <= 5 {
			rep.Recall5++
		}
		if rank > 0 {
			rep.MRR += 1 / float64(rank)
		}
		if rank != 1 {
			m := QAMiss{ID: q.ID, Query: q.Query, Gold: q.Gold, Rank: rank}
			if len(hits) > 0 {
				m.TopPassage, m.TopQuote = hits[0].Passage.ID, hits[0].Quote
			}
			rep.Misses = append(rep.Misses, m)
		}
	}
	n := float64(len(qs))
	rep.Recall1, rep.Recall3, rep.Recall5, rep.MRR = rep.Recall1/n, rep.Recall3/n, rep.Recall5/n, rep.MRR/n
	return rep, nil
}

// AnswerRank is the 1-based rank of the first hit whose passage text
// contains a gold text (after normalization), 0 when none does.
func AnswerRank(hits []briefbot.Hit, gold Gold) int {
	for i, h := range hits {
		if gold.In(h.Passage.Text) {
			return i + 1
		}
	}
	return 0
}

// ContainsGold reports whether text contains gold, after normalization; an
// empty gold is in no text.
func ContainsGold(text, gold string) bool {
	g := normalize(gold)
	return g != "" && strings.Contains(normalize(text), g)
}

// typography maps curly quotes, dashes and other look-alikes to their
// plain forms, so gold text typed on a keyboard matches published text.
var typography = strings.NewReplacer(
	"‘", "'", "’", "'", "‚", "'", "‛", "'", "′", "'",
	"“", `"`, "”", `"`, "„", `"`, "‟", `"`, "″", `"`, "«", `"`, "»", `"`,
	"‐", "-", "‑", "-", "‒", "-", "–", "-", "—", "-", "―", "-", "−", "-",
	"…", "...",
)

// normalize lower-cases s, replaces typographic quotes and dashes and
// collapses whitespace runs (non-breaking spaces included) to one space.
func normalize(s string) string {
	s = typography.Replace(strings.ToLower(s))
	return strings.Join(strings.Fields(s), " ")
}
