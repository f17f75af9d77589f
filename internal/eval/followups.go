package eval

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot"
)

// Conversation is a short conversation whose last question is judged: the
// earlier turns are asked first, in order, and their answers become the
// last question's history, as in a Discord thread.
type Conversation struct {
	ID    string   `json:"id"`
	Turns []string `json:"turns"`
	// Gold lists the texts a right first citation of the last answer
	// holds (any one of them).
	Gold Gold `json:"gold"`
}

// LoadConversations reads a JSONL file of {"id","turns","gold"} records,
// each with at least two turns.
func LoadConversations(path string) ([]Conversation, error) {
	return loadRecords(path, "conversations", func(c Conversation) (string, error) {
		switch {
		case len(c.Turns) < 2:
			return c.ID, fmt.Errorf("%s: a conversation needs at least two turns", c.ID)
		case slices.ContainsFunc(c.Turns, func(q string) bool { return strings.TrimSpace(q) == "" }):
			return c.ID, fmt.Errorf("%s: empty turn", c.ID)
		case len(c.Gold) == 0 || slices.ContainsFunc(c.Gold, func(g string) bool { return normalize(g) == "" }):
			return c.ID, fmt.Errorf("%s: empty gold", c.ID)
		}
		return c.ID, nil
	})
}

// RunConversations asks each conversation's turns in order, each with the
// turns before it as history (their questions, answer texts and cited
// passages), and scores the answer to the last turn as RunAnswers does;
// passage looks up a cited passage's text. A miss's Query is the last
// turn.
func RunConversations(ctx context.Context, a briefbot.Answerer, passage func(id string) (briefbot.Passage, bool), convs []Conversation) (AnswerReport, error) {
	rep := AnswerReport{Questions: len(convs)}
	for _, c := range convs {
		var history []briefbot.Turn
		for _, q := range c.Turns[:len(c.Turns)-1] {
			ans, err := a.Ask(ctx, briefbot.AskRequest{Question: q, History: history})
			if err != nil {
				return AnswerReport{}, fmt.Errorf("conversation %s: %w", c.ID, err)
			}
			history = append(history, briefbot.TurnOf(ans, time.Time{}))
		}
		last := c.Turns[len(c.Turns)-1]
		ans, err := a.Ask(ctx, briefbot.AskRequest{Question: last, History: history})
		if err != nil {
			return AnswerReport{}, fmt.Errorf("conversation %s: %w", c.ID, err)
		}
		rep.add(QAItem{ID: c.ID, Query: last, Gold: c.Gold}, ans, passage)
	}
	return rep, nil
}
