package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pruneBatch bounds the answers removed per write transaction, so that a
// large backlog (the first start after a long stop) never holds the write
// lock long enough to delay an answer being stored.
const pruneBatch = 500

// DefaultPruneEvery is how often RunPruner prunes when given no interval.
const DefaultPruneEvery = time.Hour

// Prune removes the answers older than AnswerRetention with their votes,
// votes older than that whose answer is gone (or was never stored), and
// conversations whose every turn is older than ConversationTTL (or that
// cannot be read). It returns how many records (answers, votes and
// conversations) it removed. Buckets it does not know are left alone.
func (s *Store) Prune(ctx context.Context) (removed int, err error) {
	if s.opts.ReadOnly {
		return 0, fmt.Errorf("store: prune %s: %w", s.path, ErrReadOnly)
	}
	answers, votes, convs := 0, 0, 0
	defer func() {
		if removed > 0 {
			s.log.Info("pruned the store", "answers", answers, "votes", votes, "conversations", convs,
				"answer_retention", s.opts.AnswerRetention, "conversation_ttl", s.opts.ConversationTTL)
		}
	}()
	cutoff := s.answerCutoff()
	for {
		a, v, more, err := s.pruneAnswers(ctx, cutoff)
		answers, votes, removed = answers+a, votes+v, removed+a+v
		if err != nil {
			return removed, fmt.Errorf("store: prune answers: %w", err)
		}
		if !more {
			break
		}
	}
	v, err := s.pruneVotes(ctx, cutoff)
	votes, removed = votes+v, removed+v
	if err != nil {
		return removed, fmt.Errorf("store: prune votes: %w", err)
	}
	convs, err = s.pruneConversations(ctx, s.turnCutoff())
	removed += convs
	if err != nil {
		return removed, fmt.Errorf("store: prune conversations: %w", err)
	}
	return removed, nil
}

// pruneAnswers removes up to pruneBatch answers older than cutoff, with
// their votes; more says whether older answers remain. It reads only the
// time keys, so an unreadable answer is removed on time like any other.
func (s *Store) pruneAnswers(ctx context.Context, cutoff time.Time) (answers, votes int, more bool, err error) {
	end := timeKey(cutoff, "")
	// A look first, so that a store with nothing to prune is not written
	// (a write transaction syncs the file even when it changes nothing).
	due := false
	err = s.view(ctx, func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketAnswersByTime).Cursor().First()
		due = k != nil && bytes.Compare(k, end) < 0
		return nil
	})
	if err != nil || !due {
		return 0, 0, false, err
	}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		answers, votes, more = 0, 0, false
		ab, byTime, vb := tx.Bucket(bucketAnswers), tx.Bucket(bucketAnswersByTime), tx.Bucket(bucketVotes)
		// Keys are collected before deleting: a bbolt cursor may skip
		// the key after one deleted under it.
		var dead [][]byte
		c := byTime.Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			if len(dead) == pruneBatch {
				more = true
				break
			}
			dead = append(dead, bytes.Clone(k))
		}
		for _, k := range dead {
			if err := byTime.Delete(k); err != nil {
				return err
			}
			_, id, err := parseTimeKey(k)
			if err != nil {
				s.log.Warn("removed an unreadable key", "err", err)
				continue
			}
			if err := ab.Delete([]byte(id)); err != nil {
				return err
			}
			answers++
			n, err := deletePrefix(vb, votePrefix(id))
			if err != nil {
				return err
			}
			votes += n
		}
		return nil
	})
	return answers, votes, more, err
}

func deletePrefix(b *bolt.Bucket, prefix []byte) (int, error) {
	var dead [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		dead = append(dead, bytes.Clone(k))
	}
	for _, k := range dead {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(dead), nil
}

// pruneVotes removes votes cast before cutoff. Their answers are older
// still and pruneAnswers removed the votes with them; what is left here are
// votes whose answer was never stored. An unreadable vote is kept (and
// logged): its answer's pruning removes it by key.
func (s *Store) pruneVotes(ctx context.Context, cutoff time.Time) (int, error) {
	return s.deleteStale(ctx, bucketVotes, func(k, val []byte) (bool, error) {
		v, err := decodeVote(k, val)
		if err != nil {
			return false, err
		}
		return v.Time.Before(cutoff), nil
	})
}

// pruneConversations removes the conversations with no turn from cutoff on,
// and those that cannot be read (a conversation is context for follow-ups,
// worth nothing unreadable).
func (s *Store) pruneConversations(ctx context.Context, cutoff time.Time) (int, error) {
	return s.deleteStale(ctx, bucketConversations, func(k, val []byte) (bool, error) {
		c, err := decodeConversation(k, val)
		if err != nil {
			return true, err
		}
		return len(liveTurns(c.Turns, cutoff)) == 0, nil
	})
}

// deleteStale removes the records of a bucket for which stale holds. They
// are found in a read transaction, so that decoding the whole bucket never
// holds the write lock, then checked again and removed in a write
// transaction, so that a record rewritten in between (a vote changed, a
// turn appended) is kept. Errors of stale (unreadable values) are logged.
func (s *Store) deleteStale(ctx context.Context, name []byte, stale func(k, v []byte) (bool, error)) (int, error) {
	var found [][]byte
	err := s.view(ctx, func(tx *bolt.Tx) error {
		n := 0
		return tx.Bucket(name).ForEach(func(k, v []byte) error {
			if n++; n%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			dead, err := stale(k, v)
			if err != nil {
				s.log.Warn("unreadable record", "remove", dead, "err", err)
			}
			if dead {
				found = append(found, bytes.Clone(k))
			}
			return nil
		})
	})
	if err != nil || len(found) == 0 {
		return 0, err
	}
	removed := 0
	err = s.update(ctx, func(tx *bolt.Tx) error {
		removed = 0
		b := tx.Bucket(name)
		for _, k := range found {
			v := b.Get(k)
			if v == nil {
				continue
			}
			if dead, _ := stale(k, v); !dead {
				continue
			}
			if err := b.Delete(k); err != nil {
				return err
			}
			removed++
		}
		return nil
	})
	return removed, err
}

// RunPruner prunes every interval (DefaultPruneEvery when every <= 0) until
// ctx is done. Errors are logged: the next round tries again, and a store
// that cannot prune still serves.
func (s *Store) RunPruner(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultPruneEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		removed, err := s.Prune(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("pruning the store failed", "err", err)
		}
		if s.afterPrune != nil {
			s.afterPrune(removed, err)
		}
	}
}
