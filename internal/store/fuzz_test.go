package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/briefbot/briefbot"
)

// FuzzDecode feeds arbitrary bytes to every decoder of stored data: none
// may panic, every failure is a *CorruptError naming the key, and what is
// accepted belongs to its key.
func FuzzDecode(f *testing.F) {
	rec, _ := json.Marshal(answerRecord("a1", t0))
	vote, _ := json.Marshal(briefbot.Vote{AnswerID: "a1", UserID: "u1", Time: t0, Reason: briefbot.ReasonOther})
	conv, _ := json.Marshal(conversation{Turns: []briefbot.Turn{{Question: "q", Time: t0}}})
	packed, _ := encodeAnswer(answerRecord("a1", t0))
	seeds := []struct{ key, val []byte }{
		{[]byte("a1"), rec},
		{[]byte("a1"), packed},
		{[]byte("a1"), packed[:len(packed)/2]},
		{voteKey("a1", "u1"), vote},
		{[]byte("c1"), conv},
		{timeKey(t0, "a1"), nil},
		{[]byte("a1"), rec[:len(rec)/2]},
		{[]byte(""), []byte("null")},
		{[]byte("a1\x00"), []byte(`{"answer_id":"a1","user_id":""}`)},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'x'}, []byte(`{"turns":[{"time":"0000-01-01T00:00:00Z"}]}`)},
		{[]byte("k"), []byte(`{"time":"2026-13-45T25:61:61Z"}`)},
	}
	for _, s := range seeds {
		f.Add(s.key, s.val)
	}
	f.Fuzz(func(t *testing.T, key, val []byte) {
		check := func(name string, err error) {
			t.Helper()
			if err == nil {
				return
			}
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Key != string(key) {
				t.Fatalf("%s: error %v is not a *CorruptError for key %q", name, err, key)
			}
		}
		r, err := decodeAnswer(key, val)
		check("decodeAnswer", err)
		if err == nil && r.ID != string(key) {
			t.Fatalf("decodeAnswer accepted answer %q under key %q", r.ID, key)
		}
		v, err := decodeVote(key, val)
		check("decodeVote", err)
		if err == nil && !bytes.Equal(voteKey(v.AnswerID, v.UserID), key) {
			t.Fatalf("decodeVote accepted %q/%q under key %q", v.AnswerID, v.UserID, key)
		}
		c, err := decodeConversation(key, val)
		check("decodeConversation", err)
		_ = liveTurns(c.Turns, t0)
		at, id, err := parseTimeKey(key)
		check("parseTimeKey", err)
		if err == nil && !bytes.Equal(timeKey(at, id), key) {
			t.Fatalf("parseTimeKey(%x) = %v, %q, which does not write back the same key", key, at, id)
		}
	})
}

// FuzzLegacyLine feeds arbitrary lines to the reader of the old
// feedback.jsonl: no panic, and what is accepted is a vote the store takes.
func FuzzLegacyLine(f *testing.F) {
	for _, l := range legacyLines {
		if len(l) < 4096 {
			f.Add([]byte(l))
		}
	}
	f.Add([]byte(`{"time":"2026-11-01T09:00:00Z","answer_id":"a\u0000b","user_id":"u"}`))
	f.Add([]byte(`{"time":"2026-11-01T09:00:00Z","answer_id":"a","user_id":"u","passages":null}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		v, err := parseLegacyVote(line)
		if err != nil {
			return
		}
		if checkID("answer", v.AnswerID) != nil || checkID("user", v.UserID) != nil || v.Time.IsZero() {
			t.Fatalf("accepted a vote the store would refuse: %+v", v)
		}
		r := v.record()
		if r.ID != v.AnswerID || len(r.Answer.Citations) != len(v.Passages) || !r.Private {
			t.Fatalf("record() = %+v from %+v", r, v)
		}
		// A line accepted but not stored would fail the whole import.
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("the record does not encode: %v", err)
		}
		if _, err := json.Marshal(briefbot.Vote{AnswerID: v.AnswerID, UserID: v.UserID, Time: v.Time}); err != nil {
			t.Fatalf("the vote does not encode: %v", err)
		}
	})
}
