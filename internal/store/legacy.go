package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/boundedfile"
)

// LegacyFeedbackFile is where versions before the store appended votes, in
// the data folder. Open imports it once and renames it with the suffix
// ImportedSuffix, which keeps it for reference and stops a second import.
const (
	LegacyFeedbackFile = "feedback.jsonl"
	ImportedSuffix     = ".imported"
)

// maxLegacyLine bounds one line of feedback.jsonl. The old bot wrote lines
// of a few kilobytes (question, answer text, passage IDs) and read them
// back with a 1 MiB limit; a longer line is not one of its votes.
const maxLegacyLine = 1 << 20

// legacyVote is one line of feedback.jsonl, as the old bot wrote it (see
// vote in bot/state.go before the store).
type legacyVote struct {
	Time         time.Time `json:"time"`
	AnswerID     string    `json:"answer_id"`
	UserID       string    `json:"user_id"`
	Helpful      bool      `json:"helpful"`
	Question     string    `json:"question"`
	Answer       string    `json:"answer"`
	Mode         string    `json:"mode"`
	Passages     []string  `json:"passages"`
	IndexVersion string    `json:"index_version"`
}

// parseLegacyVote reads one line of feedback.jsonl; an error says why the
// line is not a vote.
func parseLegacyVote(line []byte) (legacyVote, error) {
	var v legacyVote
	if err := json.Unmarshal(line, &v); err != nil {
		return legacyVote{}, err
	}
	if err := checkID("answer", v.AnswerID); err != nil {
		return legacyVote{}, err
	}
	if err := checkID("user", v.UserID); err != nil {
		return legacyVote{}, err
	}
	if v.Time.IsZero() {
		return legacyVote{}, errors.New("no time")
	}
	// A time JSON cannot write back (an offset beyond ±24h) would fail
	// the whole import's transaction, not just this line.
	if _, err := v.Time.MarshalJSON(); err != nil {
		return legacyVote{}, err
	}
	return v, nil
}

// record is the least answer record a legacy vote allows: the old file kept
// the question, the answer's text and mode, the cited passages' IDs and the
// index version, but neither the asker nor whether the answer was private.
// It is marked private, since it may have been: 'briefbot feedback' then
// shows its question only with --include-private. Only answered questions
// had vote buttons, so it is answerable.
func (v legacyVote) record() briefbot.AnswerRecord {
	r := briefbot.AnswerRecord{
		ID: v.AnswerID, Time: v.Time, Question: v.Question, Private: true,
		Answer: briefbot.Answer{
			Question: v.Question, Text: v.Answer, Answerable: true, Mode: v.Mode,
			Index: briefbot.IndexInfo{Version: v.IndexVersion},
		},
	}
	for i, p := range v.Passages {
		r.Answer.Citations = append(r.Answer.Citations, briefbot.Citation{N: i + 1, PassageID: p})
	}
	return r
}

// importLegacy imports the votes of feedback.jsonl next to the store, with
// an answer record for each answer voted on, in one transaction, then
// renames the file. The old file's rule holds: a user's first vote on an
// answer stands, and a vote already in the store (an import interrupted
// before the rename, or a vote changed since) is kept over the file's.
// Lines that are not votes are skipped and counted in the log. A file that
// cannot be read is left for the next start, with a warning: nothing in it
// is lost, and the bot still starts.
func (s *Store) importLegacy(ctx context.Context) error {
	path := filepath.Join(filepath.Dir(s.path), LegacyFeedbackFile)
	f, err := boundedfile.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		s.log.Warn("cannot import earlier votes; trying again at the next start", "file", path, "err", err)
		return nil
	}
	defer f.Close()

	var st importStats
	err = s.update(ctx, func(tx *bolt.Tx) error {
		st = importStats{}
		return importVotes(tx, f, &st)
	})
	if err != nil {
		s.log.Warn("cannot import earlier votes; trying again at the next start", "file", path, "err", err)
		return nil
	}
	to, err := renameAside(path)
	if err != nil {
		// The votes are in; a later import skips them as already there.
		s.log.Error("imported earlier votes but cannot rename the file", "file", path, "err", err)
		return nil
	}
	level := slog.LevelInfo
	if st.bad > 0 {
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "imported earlier votes", "file", path, "renamed_to", to,
		"votes", st.votes, "answers", st.answers, "already_stored", st.kept, "repeated", st.repeated,
		"skipped_lines", st.bad, "first_skipped_line", st.firstBad, "first_skip_reason", st.firstReason)
	return nil
}

type importStats struct {
	votes, answers, kept, repeated, bad int
	firstBad                            int
	firstReason                         string
}

func (st *importStats) skip(line int, reason string) {
	st.bad++
	if st.firstBad == 0 {
		st.firstBad, st.firstReason = line, reason
	}
}

// importVotes reads the file's lines into tx.
func importVotes(tx *bolt.Tx, r io.Reader, st *importStats) error {
	votes, answers, byTime := tx.Bucket(bucketVotes), tx.Bucket(bucketAnswers), tx.Bucket(bucketAnswersByTime)
	seen := map[string]bool{}
	// New answer records, kept until the end so that each takes the time
	// of its earliest vote whatever the order of the lines.
	records := map[string]*briefbot.AnswerRecord{}
	var order []string
	line := 0
	err := boundedfile.ReadLines(r, maxLegacyLine, func(b []byte) error {
		line++
		if len(bytes.TrimSpace(b)) == 0 {
			return nil
		}
		v, err := parseLegacyVote(b)
		if err != nil {
			st.skip(line, err.Error())
			return nil
		}
		key := voteKey(v.AnswerID, v.UserID)
		switch {
		case seen[string(key)]:
			st.repeated++
			return nil
		case votes.Get(key) != nil:
			seen[string(key)] = true
			st.kept++
			return nil
		}
		seen[string(key)] = true
		val, err := json.Marshal(briefbot.Vote{AnswerID: v.AnswerID, UserID: v.UserID, Helpful: v.Helpful, Time: v.Time})
		if err == nil {
			err = votes.Put(key, val)
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		st.votes++
		if rec, ok := records[v.AnswerID]; ok {
			if v.Time.Before(rec.Time) {
				rec.Time = v.Time
			}
		} else if answers.Get([]byte(v.AnswerID)) == nil {
			rec := v.record()
			records[v.AnswerID] = &rec
			order = append(order, v.AnswerID)
		}
		return nil
	}, func() {
		line++
		st.skip(line, fmt.Sprintf("longer than %d bytes", maxLegacyLine))
	})
	if err != nil {
		return err
	}
	for _, id := range order {
		rec := records[id]
		val, err := encodeAnswer(*rec)
		if err != nil {
			return fmt.Errorf("encode answer %q: %w", id, err)
		}
		if err := answers.Put([]byte(id), val); err != nil {
			return err
		}
		if err := byTime.Put(timeKey(rec.Time, id), []byte{}); err != nil {
			return err
		}
		st.answers++
	}
	return nil
}

// renameAside renames path to path+ImportedSuffix, or to the first free
// name path+ImportedSuffix+".N" when an earlier import left that name: an
// old file is evidence, never overwritten.
func renameAside(path string) (string, error) {
	to := path + ImportedSuffix
	for n := 2; ; n++ {
		if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if n > 1000 {
			return "", fmt.Errorf("no free name for %s%s", path, ImportedSuffix)
		}
		to = fmt.Sprintf("%s%s.%d", path, ImportedSuffix, n)
	}
	if err := os.Rename(path, to); err != nil {
		return "", err
	}
	return to, nil
}
