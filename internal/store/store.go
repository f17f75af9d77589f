// Package store owns briefbot's embedded database, the file
// <data dir>/briefbot.db (bbolt). It is the only package that opens that
// file. It keeps what the bot must remember across restarts: the answers it
// showed (so that their buttons keep working and feedback can be read back
// with its question and sources), the votes on them, and the turns of
// conversations. *Store implements briefbot.Records.
//
// # Layout
//
// Each kind of record has its own top-level bucket; values are JSON:
//
//	meta             "schema_version" -> decimal version of the value encodings
//	answers          answer ID -> briefbot.AnswerRecord
//	answers_by_time  8-byte big-endian UnixNano | answer ID -> empty (time order, for pruning and listing)
//	votes            answer ID | 0x00 | user ID -> briefbot.Vote (one per user per answer)
//	conversations    conversation ID -> {"turns": [briefbot.Turn]}
//	documents        document ID -> DocumentRecord (metadata of an added document)
//	blobs            SHA-256 of the original bytes, hex -> the original bytes (stored once)
//	audit            8-byte big-endian UnixNano | 8-byte sequence -> briefbot.AuditEntry
//
// meta also holds "documents_version", a counter raised by every change to
// documents, so that a start-up can tell whether its index is current
// without reading them (see DocumentsVersion).
//
// # Adding buckets
//
// Documents and the audit log (documents.go, audit.go) were added so. Adding a bucket is a compatible change: add its name to the
// buckets list in store.go, which a writable Open creates when missing, and
// give it its own methods in a file of this package (documents.go,
// audit.go). Their reads must take a missing bucket as empty, since a
// read-only Open of a file an older briefbot wrote creates nothing. No
// schema version change is needed, because an older briefbot ignores
// buckets it does not know. An audit log should be keyed by time first,
// like answers_by_time, so that it reads in order and is pruned from the
// front; Prune leaves buckets it does not know alone, so their retention is
// theirs to add to it.
//
// The schema version changes only when the encoding of existing values
// changes: append a step to upgrades, which Open runs in one transaction on
// a file written by an older briefbot. A file written by a newer briefbot
// (a higher version) is refused rather than misread.
//
// # Retention
//
// Documents, their originals and the audit log are never pruned: a
// document stays until purged. Answers older than Options.AnswerRetention are removed with their votes,
// and conversations idle for longer than Options.ConversationTTL, by Prune
// (run at Open and then by RunPruner). Reads apply the same bounds, so an
// expired record is never returned even before it is pruned.
//
// # Locking
//
// bbolt locks the file: a store opened for writing holds an exclusive lock,
// one opened with Options.ReadOnly a shared lock. The two cannot be held at
// once, so a reader (briefbot feedback) cannot open the file while the bot
// runs; Open gives up after Options.LockTimeout with an error wrapping
// ErrLocked instead of waiting.
package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the store's file in the data folder.
const FileName = "briefbot.db"

// Path is the store's file in dataDir.
func Path(dataDir string) string { return filepath.Join(dataDir, FileName) }

// Defaults of Options.
const (
	DefaultAnswerRetention = 30 * 24 * time.Hour
	DefaultMaxTurns        = 8
	DefaultConversationTTL = 7 * 24 * time.Hour
	DefaultLockTimeout     = time.Second
)

// ErrLocked is wrapped by Open's error when another process holds the file.
var ErrLocked = errors.New("in use by another briefbot process")

// ErrReadOnly is wrapped by the error of a write to a store opened with
// Options.ReadOnly.
var ErrReadOnly = errors.New("the store is open read-only")

// Options configures a Store. Zero values take the defaults.
type Options struct {
	// AnswerRetention is how long answers and their votes are kept
	// (discord.answer_retention).
	AnswerRetention time.Duration
	// MaxTurns bounds the turns kept per conversation, the newest kept
	// (discord.conversation_turns).
	MaxTurns int
	// ConversationTTL is how long a turn is remembered
	// (discord.conversation_ttl); a conversation whose turns are all older
	// is gone.
	ConversationTTL time.Duration
	// LockTimeout bounds the wait for the file's lock. It is short because
	// the lock is held for as long as the other process runs: waiting
	// longer would only delay the error.
	LockTimeout time.Duration
	// ReadOnly opens with a shared lock, for reading only: nothing is
	// created, imported or pruned, and writes fail with ErrReadOnly.
	ReadOnly bool
	// Now is the clock, called from any goroutine; time.Now when nil.
	Now func() time.Time
	// Logger receives what the store does on its own (imports, pruning,
	// skipped corrupt values); slog.Default() when nil.
	Logger *slog.Logger
}

func (o *Options) setDefaults() {
	if o.AnswerRetention <= 0 {
		o.AnswerRetention = DefaultAnswerRetention
	}
	if o.MaxTurns <= 0 {
		o.MaxTurns = DefaultMaxTurns
	}
	if o.ConversationTTL <= 0 {
		o.ConversationTTL = DefaultConversationTTL
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Store is the open database. It is safe for concurrent use: bbolt runs one
// write transaction at a time and any number of reads beside it.
type Store struct {
	db   *bolt.DB
	path string
	opts Options
	log  *slog.Logger

	// afterPrune, when set (by tests), is called after each Prune of
	// RunPruner, so a test can wait for one without sleeping.
	afterPrune func(removed int, err error)
}

// Bucket names.
var (
	bucketMeta          = []byte("meta")
	bucketAnswers       = []byte("answers")
	bucketAnswersByTime = []byte("answers_by_time")
	bucketVotes         = []byte("votes")
	bucketConversations = []byte("conversations")
	bucketDocuments     = []byte("documents")
	bucketBlobs         = []byte("blobs")
	bucketAudit         = []byte("audit")
)

// buckets are created by Open when missing. Add a new kind of record here.
var buckets = [][]byte{bucketMeta, bucketAnswers, bucketAnswersByTime, bucketVotes, bucketConversations,
	bucketDocuments, bucketBlobs, bucketAudit}

var keySchemaVersion = []byte("schema_version")

// upgrades[i] brings a file's values from schema version i+1 to i+2; the
// current version is len(upgrades)+1. None yet: version 1 is the first.
var upgrades []func(tx *bolt.Tx) error

// initialMmapSize is the address space mapped for the file at open.
const initialMmapSize = 1 << 30

func schemaVersion() int { return len(upgrades) + 1 }

// Open opens the store at path (usually Path(dataDir)), creating it and its
// folder when missing, unless opts.ReadOnly. A writable open then imports
// the LegacyFeedbackFile an earlier version left next to it and prunes what
// retention no longer allows. A read-only open of a missing file fails
// with an error wrapping fs.ErrNotExist.
func Open(path string, opts Options) (*Store, error) {
	opts.setDefaults()
	s := &Store{path: path, opts: opts, log: opts.Logger}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	// The initial mapping is address space, not memory: reserved large,
	// a growing file is not remapped (every remap waits for all readers
	// and stalls all writers) until it passes 1 GiB.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly, InitialMmapSize: initialMmapSize})
	switch {
	case errors.Is(err, bolt.ErrTimeout):
		return nil, fmt.Errorf("store: %s is %w (its lock was not released within %s)", path, ErrLocked, opts.LockTimeout)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("store: %s: %w", path, fs.ErrNotExist)
	case err != nil:
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s.db = db
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	if opts.ReadOnly {
		return s, nil
	}
	ctx := context.Background()
	if err := s.importLegacy(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := s.Prune(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// init checks the schema version and, when writable, upgrades the file and
// creates missing buckets.
func (s *Store) init() error {
	check := func(tx *bolt.Tx) (int, error) {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return 0, nil
		}
		raw := meta.Get(keySchemaVersion)
		if raw == nil {
			return 0, nil
		}
		v, err := strconv.Atoi(string(raw))
		if err != nil || v < 1 {
			return 0, fmt.Errorf("store: %s: meta/schema_version: corrupt value %q", s.path, raw)
		}
		if v > schemaVersion() {
			return 0, fmt.Errorf("store: %s was written by a newer briefbot (schema version %d; this one reads up to %d)", s.path, v, schemaVersion())
		}
		return v, nil
	}
	if s.opts.ReadOnly {
		return s.db.View(func(tx *bolt.Tx) error {
			v, err := check(tx)
			if err == nil && v != 0 && v < schemaVersion() {
				// Reading old encodings as new ones could misread them;
				// a writable open upgrades the file first.
				err = fmt.Errorf("store: %s has schema version %d and needs an upgrade: start the bot (or any writable briefbot command) once", s.path, v)
			}
			return err
		})
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		v, err := check(tx)
		if err != nil {
			return err
		}
		for _, name := range buckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", name, err)
			}
		}
		if v == 0 {
			v = schemaVersion() // a new file: nothing to upgrade
		}
		for ; v < schemaVersion(); v++ {
			if err := upgrades[v-1](tx); err != nil {
				return fmt.Errorf("store: upgrade %s from schema version %d: %w", s.path, v, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, []byte(strconv.Itoa(v)))
	})
}

// Close closes the file, waiting for transactions in progress.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

func (s *Store) now() time.Time { return s.opts.Now() }

// update runs fn in a write transaction, or fails with ErrReadOnly.
func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	return s.db.Update(fn)
}

// batch is update for the writes made once per question (answers): those
// arriving together share one transaction and one sync to disk, which at
// a few hundred a second the disk could not give each. fn may run more
// than once (bbolt reruns a batch without a failed fn): it must change
// nothing but tx.
func (s *Store) batch(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	return s.db.Batch(fn)
}

// writable says why a write may not start: ctx is done, or the store is
// read-only.
func (s *Store) writable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.opts.ReadOnly {
		return fmt.Errorf("store: %s: %w", s.path, ErrReadOnly)
	}
	return nil
}

// view runs fn in a read transaction.
func (s *Store) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}
