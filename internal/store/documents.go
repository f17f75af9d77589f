package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/briefbot/briefbot"
)

// DocumentRecord is what the store keeps of an added document besides its
// original bytes: what moderators see of it, and what is needed to parse
// the original again the same way (the index is rebuilt from it).
type DocumentRecord struct {
	briefbot.DocumentInfo
	// Name is the uploaded file's name, or the URL after redirects: the
	// parser's hint, given again on every re-parse.
	Name string `json:"name,omitempty"`
	// TitleOverride is the title the moderator gave, which replaces the
	// document's own on every re-parse; empty when none was given.
	TitleOverride string `json:"title_override,omitempty"`
	// ETag and LastModified are the HTTP validators of a URL document's
	// original, sent on refresh so that an unchanged page costs a 304.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// ErrNoDocument is wrapped by the errors of changes to a document the store
// does not hold.
var ErrNoDocument = errors.New("no such document")

var keyDocumentsVersion = []byte("documents_version")

// HashOf is the Hash of a document's original bytes: SHA-256, hex.
func HashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// PutDocument stores a document's record and original bytes, replacing the
// record with the same ID. The original is stored under its hash, once
// whatever the number of documents holding it; r.Hash is set from data. An
// original no document refers to any more (the replaced content) is
// deleted.
func (s *Store) PutDocument(ctx context.Context, r DocumentRecord, data []byte) error {
	if err := checkID("document", r.ID); err != nil {
		return err
	}
	r.Hash = HashOf(data)
	r.Bytes = int64(len(data))
	val, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: encode document %q: %w", r.ID, err)
	}
	err = s.update(ctx, func(tx *bolt.Tx) error {
		docs, blobs := tx.Bucket(bucketDocuments), tx.Bucket(bucketBlobs)
		var oldHash string
		if old := docs.Get([]byte(r.ID)); old != nil {
			if prev, err := decodeDocument([]byte(r.ID), old); err == nil {
				oldHash = prev.Hash
			}
		}
		if blobs.Get([]byte(r.Hash)) == nil {
			if err := blobs.Put([]byte(r.Hash), data); err != nil {
				return err
			}
		}
		if err := docs.Put([]byte(r.ID), val); err != nil {
			return err
		}
		if oldHash != "" && oldHash != r.Hash {
			if err := dropBlobIfUnused(docs, blobs, oldHash); err != nil {
				return err
			}
		}
		return bumpDocumentsVersion(tx)
	})
	if err != nil {
		return fmt.Errorf("store: put document %q: %w", r.ID, err)
	}
	return nil
}

// Document returns the record of a document; false when there is none.
func (s *Store) Document(ctx context.Context, id string) (DocumentRecord, bool, error) {
	var r DocumentRecord
	var found bool
	err := s.view(ctx, func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocuments)
		if docs == nil {
			return nil // a file an older briefbot wrote, opened read-only
		}
		val := docs.Get([]byte(id))
		if val == nil {
			return nil
		}
		var err error
		r, err = decodeDocument([]byte(id), val)
		found = err == nil
		return err
	})
	if err != nil {
		return DocumentRecord{}, false, fmt.Errorf("store: document %q: %w", id, err)
	}
	return r, found, nil
}

// Original returns the original bytes of a document.
func (s *Store) Original(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := s.view(ctx, func(tx *bolt.Tx) error {
		docs, blobs := tx.Bucket(bucketDocuments), tx.Bucket(bucketBlobs)
		if docs == nil || blobs == nil {
			return ErrNoDocument
		}
		val := docs.Get([]byte(id))
		if val == nil {
			return ErrNoDocument
		}
		r, err := decodeDocument([]byte(id), val)
		if err != nil {
			return err
		}
		raw := blobs.Get([]byte(r.Hash))
		if raw == nil {
			return corrupt(bucketBlobs, []byte(r.Hash), fmt.Errorf("original of document %q missing", id))
		}
		// bbolt's memory is valid only inside the transaction.
		data = bytes.Clone(raw)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: original of %q: %w", id, err)
	}
	return data, nil
}

// Documents returns every document record, removed ones included, by ID.
// A corrupt record is logged and skipped rather than hiding the others.
func (s *Store) Documents(ctx context.Context) ([]DocumentRecord, error) {
	var out []DocumentRecord
	err := s.view(ctx, func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocuments)
		if docs == nil {
			return nil
		}
		return docs.ForEach(func(k, v []byte) error {
			r, err := decodeDocument(k, v)
			if err != nil {
				s.log.Error("skipping corrupt document record", "error", err)
				return nil
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: documents: %w", err)
	}
	return out, nil
}

// SetRemoved marks a document removed (not answered from, original kept)
// or restores it, and returns its record as changed.
func (s *Store) SetRemoved(ctx context.Context, id string, removed bool) (DocumentRecord, error) {
	var r DocumentRecord
	err := s.update(ctx, func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocuments)
		val := docs.Get([]byte(id))
		if val == nil {
			return ErrNoDocument
		}
		var err error
		if r, err = decodeDocument([]byte(id), val); err != nil {
			return err
		}
		if r.Removed == removed {
			return nil
		}
		r.Removed = removed
		if val, err = json.Marshal(r); err != nil {
			return err
		}
		if err := docs.Put([]byte(id), val); err != nil {
			return err
		}
		return bumpDocumentsVersion(tx)
	})
	if err != nil {
		return DocumentRecord{}, fmt.Errorf("store: set removed %q: %w", id, err)
	}
	return r, nil
}

// PurgeDocument deletes a document's record, and its original unless
// another document holds the same bytes.
func (s *Store) PurgeDocument(ctx context.Context, id string) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		docs, blobs := tx.Bucket(bucketDocuments), tx.Bucket(bucketBlobs)
		val := docs.Get([]byte(id))
		if val == nil {
			return ErrNoDocument
		}
		r, derr := decodeDocument([]byte(id), val)
		if err := docs.Delete([]byte(id)); err != nil {
			return err
		}
		if derr == nil {
			if err := dropBlobIfUnused(docs, blobs, r.Hash); err != nil {
				return err
			}
		}
		return bumpDocumentsVersion(tx)
	})
	if err != nil {
		return fmt.Errorf("store: purge document %q: %w", id, err)
	}
	return nil
}

// DocumentsVersion is a number that changes whenever a document is put,
// removed, restored or purged: equal numbers mean the same documents.
func (s *Store) DocumentsVersion(ctx context.Context) (uint64, error) {
	var v uint64
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bucketMeta); meta != nil {
			if raw := meta.Get(keyDocumentsVersion); len(raw) == 8 {
				v = binary.BigEndian.Uint64(raw)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: documents version: %w", err)
	}
	return v, nil
}

func bumpDocumentsVersion(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	var v uint64
	if raw := meta.Get(keyDocumentsVersion); len(raw) == 8 {
		v = binary.BigEndian.Uint64(raw)
	}
	return meta.Put(keyDocumentsVersion, binary.BigEndian.AppendUint64(nil, v+1))
}

// dropBlobIfUnused deletes the original with hash unless a document still
// refers to it. It reads every record: documents are few (a library, not a
// web crawl), and a reference count could drift from the records.
func dropBlobIfUnused(docs, blobs *bolt.Bucket, hash string) error {
	used := false
	err := docs.ForEach(func(k, v []byte) error {
		// A cheap test first: only records naming the hash are decoded.
		if !used && bytes.Contains(v, []byte(hash)) {
			if r, err := decodeDocument(k, v); err == nil && r.Hash == hash {
				used = true
			}
		}
		return nil
	})
	if err != nil || used {
		return err
	}
	return blobs.Delete([]byte(hash))
}

func decodeDocument(key, val []byte) (DocumentRecord, error) {
	var r DocumentRecord
	if err := json.Unmarshal(val, &r); err != nil {
		return DocumentRecord{}, corrupt(bucketDocuments, key, err)
	}
	if r.ID != string(key) {
		return DocumentRecord{}, corrupt(bucketDocuments, key, fmt.Errorf("record has ID %q", r.ID))
	}
	return r, nil
}
