package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot"
)

// CorruptError is a stored value (or key) that cannot be read back: a disk
// fault, a hand edit, or a bug of an earlier version. It names the bucket
// and key so that the record can be found and removed.
type CorruptError struct {
	Bucket string
	Key    string
	Err    error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("store: %s/%q: corrupt: %v", e.Bucket, e.Key, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

func corrupt(bucket []byte, key []byte, err error) error {
	return &CorruptError{Bucket: string(bucket), Key: string(key), Err: err}
}

// maxIDLen bounds the IDs used in keys. Discord's and the bot's own IDs are
// a few dozen bytes; bbolt would take 32 KiB, and a longer ID is a bug
// better reported than stored.
const maxIDLen = 256

// checkID refuses IDs that cannot be keys: empty, too long, or holding the
// NUL byte that separates the parts of a vote's key.
func checkID(kind, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("store: empty %s ID", kind)
	case len(id) > maxIDLen:
		return fmt.Errorf("store: %s ID of %d bytes (at most %d)", kind, len(id), maxIDLen)
	case strings.IndexByte(id, 0) >= 0:
		return fmt.Errorf("store: %s ID %q contains a NUL byte", kind, id)
	}
	return nil
}

// maxKeyTime is the latest time a time key can hold.
var maxKeyTime = time.Unix(0, math.MaxInt64)

// timeKey is the answers_by_time key of an answer: its time as 8 big-endian
// bytes, so that bbolt's byte order is time order, then its ID, so that two
// answers of the same nanosecond both have a key.
func timeKey(t time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, keyNanos(t))
	return append(k, id...)
}

// keyNanos is t in nanoseconds since 1970, clamped to the range a time key
// holds (1970 to 2262): a time outside it is a bug of the caller, and
// clamping keeps the key order right for every other record.
func keyNanos(t time.Time) uint64 {
	switch {
	case t.Before(time.Unix(0, 0)):
		return 0
	case t.After(maxKeyTime):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}

// parseTimeKey reads a key written by timeKey.
func parseTimeKey(k []byte) (time.Time, string, error) {
	if len(k) <= 8 {
		return time.Time{}, "", corrupt(bucketAnswersByTime, k, fmt.Errorf("key of %d bytes; want 8 bytes of time and an ID", len(k)))
	}
	n := binary.BigEndian.Uint64(k)
	if n > math.MaxInt64 {
		return time.Time{}, "", corrupt(bucketAnswersByTime, k, errors.New("time out of range"))
	}
	return time.Unix(0, int64(n)), string(k[8:]), nil
}

// voteKey is the votes key of a user's vote on an answer; the answer's
// votes share the prefix votePrefix(answerID), so that they are found and
// removed together.
func voteKey(answerID, userID string) []byte {
	return []byte(answerID + "\x00" + userID)
}

func votePrefix(answerID string) []byte { return []byte(answerID + "\x00") }

// conversation is the stored value of a conversation.
type conversation struct {
	Turns []briefbot.Turn `json:"turns"`
}

// An answer record is stored as JSON, compressed when that saves space:
// with the full text of its passages it is several kilobytes, of plain
// prose, and flate at its fastest takes two thirds of that away. The
// store's file, and the memory its mapping takes, shrink as much. A
// compressed value starts with compressedAnswer, never the "{" of JSON,
// so records written before compression still read.
const compressedAnswer = 0x01

// maxAnswerBytes bounds an answer record once decompressed: far above any
// real one (a few passages of a few thousand characters), it keeps a
// corrupt value from inflating without end.
const maxAnswerBytes = 8 << 20

// answerWriters keeps the compressors of encodeAnswer between writes.
var answerWriters = sync.Pool{New: func() any {
	w, err := flate.NewWriter(nil, flate.BestSpeed)
	if err != nil {
		panic(err) // only for an invalid level
	}
	return w
}}

func encodeAnswer(r briefbot.AnswerRecord) ([]byte, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(raw)/2 + 16)
	buf.WriteByte(compressedAnswer)
	// A compressor holds hundreds of KB of tables: one per answer written
	// would be most of the write's cost.
	w := answerWriters.Get().(*flate.Writer)
	defer answerWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if buf.Len() >= len(raw) {
		return raw, nil
	}
	return buf.Bytes(), nil
}

// answerReaders pools decompressors as answerWriters pools compressors:
// listing answers decodes many, and each new reader allocates tens of
// kilobytes.
var answerReaders sync.Pool

// inflate decompresses an answer's bytes, at most maxAnswerBytes+1 of them.
func inflate(comp []byte) ([]byte, error) {
	src := bytes.NewReader(comp)
	fr, ok := answerReaders.Get().(io.ReadCloser)
	if ok {
		if err := fr.(flate.Resetter).Reset(src, nil); err != nil {
			return nil, err
		}
	} else {
		fr = flate.NewReader(src)
	}
	defer answerReaders.Put(fr)
	return io.ReadAll(io.LimitReader(fr, maxAnswerBytes+1))
}

func decodeAnswer(key, val []byte) (briefbot.AnswerRecord, error) {
	var r briefbot.AnswerRecord
	if len(val) > 0 && val[0] == compressedAnswer {
		raw, err := inflate(val[1:])
		switch {
		case err != nil:
			return briefbot.AnswerRecord{}, corrupt(bucketAnswers, key, fmt.Errorf("decompress: %w", err))
		case len(raw) > maxAnswerBytes:
			return briefbot.AnswerRecord{}, corrupt(bucketAnswers, key, fmt.Errorf("decompresses past %d bytes", maxAnswerBytes))
		}
		val = raw
	}
	if err := json.Unmarshal(val, &r); err != nil {
		return briefbot.AnswerRecord{}, corrupt(bucketAnswers, key, err)
	}
	if r.ID != string(key) {
		return briefbot.AnswerRecord{}, corrupt(bucketAnswers, key, fmt.Errorf("holds answer %q", r.ID))
	}
	return r, nil
}

func decodeVote(key, val []byte) (briefbot.Vote, error) {
	var v briefbot.Vote
	if err := json.Unmarshal(val, &v); err != nil {
		return briefbot.Vote{}, corrupt(bucketVotes, key, err)
	}
	if !bytes.Equal(voteKey(v.AnswerID, v.UserID), key) {
		return briefbot.Vote{}, corrupt(bucketVotes, key, fmt.Errorf("holds the vote of user %q on answer %q", v.UserID, v.AnswerID))
	}
	return v, nil
}

func decodeConversation(key, val []byte) (conversation, error) {
	var c conversation
	if err := json.Unmarshal(val, &c); err != nil {
		return conversation{}, corrupt(bucketConversations, key, err)
	}
	return c, nil
}
