package store

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/briefbot/briefbot"
)

// TestAnswersStoredCompressed: an answer with its passages' text is
// stored compressed, reads back whole, and a record stored as plain JSON
// by an earlier version still reads.
func TestAnswersStoredCompressed(t *testing.T) {
	s := open(t, t.TempDir(), newClock(), Options{})
	ctx := context.Background()
	rec := answerRecord("a1", t0)
	para := strings.Repeat("Tensions with Tehran spiked in recent months when Baku attempted to enforce two articles of the ceasefire. ", 30)
	rec.Passages = map[string]briefbot.Passage{"brief/why-now/3": {ID: "brief/why-now/3", DocID: "brief", Text: para}}
	mustPut(t, s, rec)
	plain, _ := json.Marshal(rec)
	var stored []byte
	if err := s.db.View(func(tx *bolt.Tx) error {
		stored = bytes.Clone(tx.Bucket(bucketAnswers).Get([]byte("a1")))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(stored) == 0 || stored[0] != compressedAnswer || len(stored)*3 > len(plain) {
		t.Errorf("stored %d bytes (first %#x) for %d bytes of JSON, want compressed to a third or less", len(stored), stored[:1], len(plain))
	}
	got, ok, err := s.Answer(ctx, "a1")
	if err != nil || !ok || !reflect.DeepEqual(got, rec) {
		t.Fatalf("Answer = %+v, %v, %v", got, ok, err)
	}

	// Written by an earlier version: plain JSON.
	old := answerRecord("a0", t0)
	raw, _ := json.Marshal(old)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketAnswers).Put([]byte("a0"), raw) }); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Answer(ctx, "a0"); err != nil || !ok || !reflect.DeepEqual(got, old) {
		t.Errorf("plain JSON record = %+v, %v, %v", got, ok, err)
	}
}

// TestCompressedAnswerBounds: a value that inflates past maxAnswerBytes,
// or is not flate at all, is a CorruptError, not a memory blow-up.
func TestCompressedAnswerBounds(t *testing.T) {
	var bomb bytes.Buffer
	bomb.WriteByte(compressedAnswer)
	w, _ := flate.NewWriter(&bomb, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	for range maxAnswerBytes/len(zeros) + 1 {
		w.Write(zeros)
	}
	w.Close()
	for name, val := range map[string][]byte{
		"inflates too far": bomb.Bytes(),
		"not flate":        {compressedAnswer, 0xff, 0xfe, 0x00},
		"marker only":      {compressedAnswer},
	} {
		_, err := decodeAnswer([]byte("k"), val)
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v, want a CorruptError", name, err)
		}
	}
}
