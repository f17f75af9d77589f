package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/briefbot/briefbot"
)

// AppendAudit records one change to the library. A zero e.Time is set to
// now. Entries are keyed by time, then by a sequence number, so that two
// entries of the same nanosecond keep the order they were appended in.
func (s *Store) AppendAudit(ctx context.Context, e briefbot.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	val, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("store: encode audit entry: %w", err)
	}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		key := binary.BigEndian.AppendUint64(nil, keyNanos(e.Time))
		key = binary.BigEndian.AppendUint64(key, seq)
		return b.Put(key, val)
	})
	if err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	return nil
}

// Audit returns the last n entries, newest first (all of them when n <= 0).
// A corrupt entry is logged and skipped.
func (s *Store) Audit(ctx context.Context, n int) ([]briefbot.AuditEntry, error) {
	var out []briefbot.AuditEntry
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && (n <= 0 || len(out) < n); k, v = c.Prev() {
			var e briefbot.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				s.log.Error("skipping corrupt audit entry", "error", corrupt(bucketAudit, k, err))
				continue
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	return out, nil
}
