package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ReadOnly reports whether the store was opened with Options.ReadOnly, so
// that callers can skip work whose result they could not keep.
func (s *Store) ReadOnly() bool { return s.opts.ReadOnly }

// SetValidators records new HTTP validators for a URL document whose
// content did not change (a server may renew its ETag on a 304, or start
// sending one). The documents version is not bumped: validators are not
// part of the corpus, and a bump would make the next start parse
// everything again for nothing.
func (s *Store) SetValidators(ctx context.Context, id, etag, lastModified string) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocuments)
		val := docs.Get([]byte(id))
		if val == nil {
			return ErrNoDocument
		}
		r, err := decodeDocument([]byte(id), val)
		if err != nil {
			return err
		}
		if r.ETag == etag && r.LastModified == lastModified {
			return nil
		}
		r.ETag, r.LastModified = etag, lastModified
		if val, err = json.Marshal(r); err != nil {
			return err
		}
		return docs.Put([]byte(id), val)
	})
	if err != nil {
		return fmt.Errorf("store: set validators of %q: %w", id, err)
	}
	return nil
}
