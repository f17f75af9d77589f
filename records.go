package briefbot

import (
	"context"
	"time"
)

// Turn is one earlier exchange of a conversation: what was asked and what
// the bot answered with. Follow-up questions are read in the light of the
// turns before them.
type Turn struct {
	Question string `json:"question"`
	// Answer is the answer's text as shown, citation markers included.
	Answer string `json:"answer"`
	// Passages are the IDs of the passages the answer cited, in order.
	Passages []string  `json:"passages,omitempty"`
	Time     time.Time `json:"time"`
}

// TurnOf is the turn an answer makes in its conversation: its question,
// text and cited passages, at the given time.
func TurnOf(a Answer, at time.Time) Turn {
	t := Turn{Question: a.Question, Answer: a.Text, Time: at}
	for _, c := range a.Citations {
		t.Passages = append(t.Passages, c.PassageID)
	}
	return t
}

// AnswerRecord is one answer as it was shown to a user, kept so that its
// buttons keep working after a restart and so that feedback can be read
// back with the question and the sources it was about.
type AnswerRecord struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Question string    `json:"question"`
	Answer   Answer    `json:"answer"`
	// Passages holds the full text of every cited passage, for the "Show
	// passages" button, keyed by passage ID.
	Passages map[string]Passage `json:"passages,omitempty"`
	// Model names the language model that wrote the answer; empty for an
	// extractive answer.
	Model     string `json:"model,omitempty"`
	UserID    string `json:"user_id"`
	GuildID   string `json:"guild_id,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	// Private is true for an answer only its asker saw (an ephemeral reply
	// or a direct message).
	Private bool `json:"private"`
	// ConversationID groups the turns of one conversation (a thread, or a
	// private chain of follow-ups); empty for a question on its own.
	ConversationID string `json:"conversation_id,omitempty"`
}

// Reasons a user can give for an unhelpful answer.
const (
	ReasonWrongSource    = "wrong_source"
	ReasonIncomplete     = "incomplete"
	ReasonNotInDocuments = "not_in_documents"
	ReasonOther          = "other"
)

// Vote is one user's feedback on one answer. A user has one vote per answer;
// voting again replaces it.
type Vote struct {
	AnswerID string    `json:"answer_id"`
	UserID   string    `json:"user_id"`
	Helpful  bool      `json:"helpful"`
	Time     time.Time `json:"time"`
	// Reason is one of the Reason constants for an unhelpful answer, empty
	// when none was given.
	Reason string `json:"reason,omitempty"`
	// Comment is the user's own words on what was wrong, optional.
	Comment string `json:"comment,omitempty"`
}

// Records keeps what the bot must remember across restarts: the answers it
// showed (for their buttons and for feedback), the votes on them, and the
// turns of conversations. Implementations are safe for concurrent use and
// bound what they keep (age, turns per conversation).
type Records interface {
	// PutAnswer stores an answer record, replacing one with the same ID.
	PutAnswer(ctx context.Context, r AnswerRecord) error
	// Answer returns the record with the given ID; ok is false when there
	// is none (never stored, or expired).
	Answer(ctx context.Context, id string) (r AnswerRecord, ok bool, err error)
	// Vote records a user's vote on an answer, replacing the user's earlier
	// vote on it, which is returned (nil when this is the first).
	Vote(ctx context.Context, v Vote) (previous *Vote, err error)
	// AppendTurn adds a turn to a conversation, dropping the oldest turns
	// beyond the store's bound.
	AppendTurn(ctx context.Context, conversationID string, t Turn) error
	// Conversation returns a conversation's turns, oldest first; none when
	// it is unknown or has expired.
	Conversation(ctx context.Context, conversationID string) ([]Turn, error)
}
