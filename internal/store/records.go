package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/briefbot/briefbot"
)

var _ briefbot.Records = (*Store)(nil)

// appendFill is the fill of pages split by appending keys in order.
const appendFill = 0.9

// PutAnswer stores an answer record, replacing one with the same ID. A zero
// r.Time is set to now: retention counts from it.
func (s *Store) PutAnswer(ctx context.Context, r briefbot.AnswerRecord) error {
	if err := checkID("answer", r.ID); err != nil {
		return err
	}
	if r.Time.IsZero() {
		r.Time = s.now()
	}
	val, err := encodeAnswer(r)
	if err != nil {
		return fmt.Errorf("store: encode answer %q: %w", r.ID, err)
	}
	id := []byte(r.ID)
	err = s.batch(ctx, func(tx *bolt.Tx) error {
		answers, byTime := tx.Bucket(bucketAnswers), tx.Bucket(bucketAnswersByTime)
		// Answer IDs and time keys grow with time: appended, pages are
		// best filled up (bbolt splits them half full otherwise).
		answers.FillPercent, byTime.FillPercent = appendFill, appendFill
		if old := answers.Get(id); old != nil {
			// The old record's time key must go, or the answer would be
			// listed twice and pruned by its old time.
			if prev, err := decodeAnswer(id, old); err == nil {
				if err := byTime.Delete(timeKey(prev.Time, r.ID)); err != nil {
					return err
				}
			} else if err := deleteTimeKeysOf(byTime, r.ID); err != nil {
				return err
			}
		}
		if err := answers.Put(id, val); err != nil {
			return err
		}
		return byTime.Put(timeKey(r.Time, r.ID), []byte{})
	})
	if err != nil {
		return fmt.Errorf("store: put answer %q: %w", r.ID, err)
	}
	return nil
}

// deleteTimeKeysOf removes the time keys of answer id whatever their time,
// for when the old record is unreadable and its time unknown. It scans the
// whole bucket, which only a corrupt record makes necessary.
func deleteTimeKeysOf(byTime *bolt.Bucket, id string) error {
	var dead [][]byte
	err := byTime.ForEach(func(k, _ []byte) error {
		if _, kid, err := parseTimeKey(k); err == nil && kid == id {
			dead = append(dead, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range dead {
		if err := byTime.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Answer returns the record with the given ID; ok is false when there is
// none or it is older than the retention (even if not yet pruned). A value
// that cannot be decoded is a *CorruptError.
func (s *Store) Answer(ctx context.Context, id string) (briefbot.AnswerRecord, bool, error) {
	var r briefbot.AnswerRecord
	found := false
	err := s.view(ctx, func(tx *bolt.Tx) error {
		answers := tx.Bucket(bucketAnswers)
		if answers == nil {
			return nil
		}
		val := answers.Get([]byte(id))
		if val == nil {
			return nil
		}
		var err error
		r, err = decodeAnswer([]byte(id), val)
		found = err == nil
		return err
	})
	if err != nil {
		return briefbot.AnswerRecord{}, false, err
	}
	if !found || r.Time.Before(s.answerCutoff()) {
		return briefbot.AnswerRecord{}, false, nil
	}
	return r, true, nil
}

// answerCutoff is the time before which answers have expired.
func (s *Store) answerCutoff() time.Time { return s.now().Add(-s.opts.AnswerRetention) }

// turnCutoff is the time before which conversation turns have expired.
func (s *Store) turnCutoff() time.Time { return s.now().Add(-s.opts.ConversationTTL) }

// Vote records a user's vote on an answer, replacing the user's earlier
// vote on it, which is returned (nil when this is the first, or when the
// earlier one was unreadable: the new vote then repairs it). A zero v.Time
// is set to now. A reason is only for an unhelpful vote, and must be one of
// briefbot's Reason constants.
func (s *Store) Vote(ctx context.Context, v briefbot.Vote) (*briefbot.Vote, error) {
	if err := checkID("answer", v.AnswerID); err != nil {
		return nil, err
	}
	if err := checkID("user", v.UserID); err != nil {
		return nil, err
	}
	switch v.Reason {
	case "":
	case briefbot.ReasonWrongSource, briefbot.ReasonIncomplete, briefbot.ReasonNotInDocuments, briefbot.ReasonOther:
		if v.Helpful {
			return nil, fmt.Errorf("store: vote of %q on %q: a reason (%q) is only for an unhelpful vote", v.UserID, v.AnswerID, v.Reason)
		}
	default:
		return nil, fmt.Errorf("store: vote of %q on %q: unknown reason %q", v.UserID, v.AnswerID, v.Reason)
	}
	if v.Time.IsZero() {
		v.Time = s.now()
	}
	val, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: encode vote: %w", err)
	}
	key := voteKey(v.AnswerID, v.UserID)
	var previous *briefbot.Vote
	err = s.update(ctx, func(tx *bolt.Tx) error {
		votes := tx.Bucket(bucketVotes)
		if old := votes.Get(key); old != nil {
			prev, err := decodeVote(key, old)
			if err != nil {
				s.log.Warn("replacing an unreadable vote", "err", err)
			} else {
				previous = &prev
			}
		}
		return votes.Put(key, val)
	})
	if err != nil {
		return nil, fmt.Errorf("store: vote of %q on %q: %w", v.UserID, v.AnswerID, err)
	}
	return previous, nil
}

// AppendTurn adds a turn to a conversation, keeping the newest MaxTurns
// turns that are within ConversationTTL. A zero t.Time is set to now.
func (s *Store) AppendTurn(ctx context.Context, conversationID string, t briefbot.Turn) error {
	if err := checkID("conversation", conversationID); err != nil {
		return err
	}
	if t.Time.IsZero() {
		t.Time = s.now()
	}
	key := []byte(conversationID)
	cutoff := s.turnCutoff()
	err := s.update(ctx, func(tx *bolt.Tx) error {
		convs := tx.Bucket(bucketConversations)
		var c conversation
		if old := convs.Get(key); old != nil {
			var err error
			if c, err = decodeConversation(key, old); err != nil {
				// Losing an unreadable context is better than a
				// conversation that can never be continued.
				s.log.Warn("replacing an unreadable conversation", "err", err)
			}
		}
		c.Turns = append(liveTurns(c.Turns, cutoff), t)
		if n := len(c.Turns) - s.opts.MaxTurns; n > 0 {
			c.Turns = c.Turns[n:]
		}
		val, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encode: %w", err)
		}
		return convs.Put(key, val)
	})
	if err != nil {
		return fmt.Errorf("store: append turn to conversation %q: %w", conversationID, err)
	}
	return nil
}

// liveTurns returns the turns from cutoff on, in a new slice.
func liveTurns(turns []briefbot.Turn, cutoff time.Time) []briefbot.Turn {
	var live []briefbot.Turn
	for _, t := range turns {
		if !t.Time.Before(cutoff) {
			live = append(live, t)
		}
	}
	return live
}

// Conversation returns a conversation's turns within ConversationTTL,
// oldest first, at most MaxTurns; none when it is unknown or has expired.
func (s *Store) Conversation(ctx context.Context, conversationID string) ([]briefbot.Turn, error) {
	var c conversation
	key := []byte(conversationID)
	err := s.view(ctx, func(tx *bolt.Tx) error {
		convs := tx.Bucket(bucketConversations)
		if convs == nil {
			return nil
		}
		val := convs.Get(key)
		if val == nil {
			return nil
		}
		var err error
		c, err = decodeConversation(key, val)
		return err
	})
	if err != nil {
		return nil, err
	}
	turns := liveTurns(c.Turns, s.turnCutoff())
	// MaxTurns may have been lowered since the turns were stored.
	if n := len(turns) - s.opts.MaxTurns; n > 0 {
		turns = turns[n:]
	}
	return turns, nil
}

// checkEvery is how many records a scan reads between looks at its
// context, so that a long listing can be stopped.
const checkEvery = 256

// Answers returns the answers stored at or after since and within the
// retention, oldest first. An unreadable record is skipped and logged with
// its key: one bad value must not hide all the feedback.
func (s *Store) Answers(ctx context.Context, since time.Time) ([]briefbot.AnswerRecord, error) {
	if cutoff := s.answerCutoff(); since.Before(cutoff) {
		since = cutoff
	}
	var out []briefbot.AnswerRecord
	err := s.view(ctx, func(tx *bolt.Tx) error {
		answers, byTime := tx.Bucket(bucketAnswers), tx.Bucket(bucketAnswersByTime)
		if answers == nil || byTime == nil {
			return nil
		}
		c := byTime.Cursor()
		n := 0
		for k, _ := c.Seek(timeKey(since, "")); k != nil; k, _ = c.Next() {
			if n++; n%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			_, id, err := parseTimeKey(k)
			if err != nil {
				s.log.Warn("skipping an unreadable key", "err", err)
				continue
			}
			val := answers.Get([]byte(id))
			if val == nil {
				continue
			}
			r, err := decodeAnswer([]byte(id), val)
			if err != nil {
				s.log.Warn("skipping an unreadable answer", "err", err)
				continue
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list answers: %w", err)
	}
	return out, nil
}

// Votes returns the votes cast at or after since and within the retention,
// oldest first (ties by answer and user, so that the order is stable).
// Unreadable votes are skipped and logged with their key.
func (s *Store) Votes(ctx context.Context, since time.Time) ([]briefbot.Vote, error) {
	// A read-only store is never pruned: the bound is applied here too.
	if cutoff := s.answerCutoff(); since.Before(cutoff) {
		since = cutoff
	}
	var out []briefbot.Vote
	err := s.view(ctx, func(tx *bolt.Tx) error {
		votes := tx.Bucket(bucketVotes)
		if votes == nil {
			return nil
		}
		n := 0
		return votes.ForEach(func(k, val []byte) error {
			if n++; n%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			v, err := decodeVote(k, val)
			if err != nil {
				s.log.Warn("skipping an unreadable vote", "err", err)
				return nil
			}
			if !v.Time.Before(since) {
				out = append(out, v)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: list votes: %w", err)
	}
	slices.SortFunc(out, func(a, b briefbot.Vote) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.AnswerID, b.AnswerID), cmp.Compare(a.UserID, b.UserID))
	})
	return out, nil
}
