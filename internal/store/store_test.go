package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/briefbot/briefbot/internal/syncbuf"

	bolt "go.etcd.io/bbolt"

	"github.com/briefbot/briefbot"
)

// t0 is the tests' start of time; UTC, so that records compare equal after
// a JSON round trip.
var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// clock is a settable clock shared by a test and its store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logTo returns a logger writing to a buffer the test can read.
func logTo(buf *syncbuf.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// open opens a store in dir with the test's clock, closed at the end of
// the test.
func open(t *testing.T, dir string, clk *clock, opts Options) *Store {
	t.Helper()
	if clk != nil {
		opts.Now = clk.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	s, err := Open(Path(dir), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	// Durability against power loss is bbolt's to test; without an fsync
	// per transaction the tests that write a thousand records stay fast.
	// Everything is still written to the file, so reopening sees it.
	s.db.NoSync = true
	// Nor wait for other answers to share a transaction.
	s.db.MaxBatchDelay = 0
	t.Cleanup(func() { s.Close() })
	return s
}

func answerRecord(id string, at time.Time) briefbot.AnswerRecord {
	return briefbot.AnswerRecord{
		ID: id, Time: at, Question: "What does Article 9 call for? (" + id + ")",
		Answer: briefbot.Answer{
			Question: "What does Article 9 call for?", Text: "The unblocking of transport links [1].", Answerable: true,
			Mode: briefbot.ModeExtractive,
			Citations: []briefbot.Citation{{N: 1, DocID: "brief", PassageID: "brief/why-now/3", Title: "Iran's Tensions",
				Section: "Why Now?", Paragraph: 3, URL: "https://example.org/brief", Quote: "unblocking"}},
			Index: briefbot.IndexInfo{Version: "v1", BuiltAt: t0, Documents: 1, Passages: 40},
		},
		Passages:  map[string]briefbot.Passage{"brief/why-now/3": {ID: "brief/why-now/3", DocID: "brief", Text: "…unblocking…"}},
		UserID:    "111",
		GuildID:   "222",
		ChannelID: "333",
	}
}

func mustPut(t *testing.T, s *Store, r briefbot.AnswerRecord) {
	t.Helper()
	if err := s.PutAnswer(context.Background(), r); err != nil {
		t.Fatalf("PutAnswer(%s): %v", r.ID, err)
	}
}

func mustVote(t *testing.T, s *Store, v briefbot.Vote) *briefbot.Vote {
	t.Helper()
	prev, err := s.Vote(context.Background(), v)
	if err != nil {
		t.Fatalf("Vote(%+v): %v", v, err)
	}
	return prev
}

func mustAnswer(t *testing.T, s *Store, id string) (briefbot.AnswerRecord, bool) {
	t.Helper()
	r, ok, err := s.Answer(context.Background(), id)
	if err != nil {
		t.Fatalf("Answer(%s): %v", id, err)
	}
	return r, ok
}

func mustTurns(t *testing.T, s *Store, conv string) []briefbot.Turn {
	t.Helper()
	turns, err := s.Conversation(context.Background(), conv)
	if err != nil {
		t.Fatalf("Conversation(%s): %v", conv, err)
	}
	return turns
}

func questions(turns []briefbot.Turn) []string {
	var qs []string
	for _, t := range turns {
		qs = append(qs, t.Question)
	}
	return qs
}

// The point of the store: what the bot showed before a restart is still
// there after it, so old answers' buttons keep working.
func TestReopenKeepsRecords(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clk := newClock()
	s := open(t, dir, clk, Options{})
	rec := answerRecord("a1", t0)
	rec.Private, rec.ConversationID, rec.Model = true, "thread-1", "gpt-4o-mini"
	mustPut(t, s, rec)
	vote := briefbot.Vote{AnswerID: "a1", UserID: "u1", Helpful: false, Time: t0.Add(time.Minute), Reason: briefbot.ReasonIncomplete, Comment: "misses Russia"}
	mustVote(t, s, vote)
	turns := []briefbot.Turn{
		{Question: "What is Iran's leverage over Baku?", Answer: "Trade [1].", Passages: []string{"p1"}, Time: t0},
		{Question: "And Russia's?", Answer: "Peacekeepers [1].", Passages: []string{"p2"}, Time: t0.Add(time.Minute)},
	}
	for _, turn := range turns {
		if err := s.AppendTurn(ctx, "thread-1", turn); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Within the 30-day retention of answers; the conversation's TTL is
	// raised so that its turns are kept too (their expiry is tested apart).
	clk.Add(29 * 24 * time.Hour)
	s = open(t, dir, clk, Options{ConversationTTL: 60 * 24 * time.Hour})
	got, ok := mustAnswer(t, s, "a1")
	if !ok || !reflect.DeepEqual(got, rec) {
		t.Errorf("after reopening, Answer(a1) = %v\n%+v\nwant\n%+v", ok, got, rec)
	}
	votes, err := s.Votes(ctx, time.Time{})
	if err != nil || len(votes) != 1 || !reflect.DeepEqual(votes[0], vote) {
		t.Errorf("after reopening, Votes = %+v, %v; want [%+v]", votes, err, vote)
	}
	if got := mustTurns(t, s, "thread-1"); !reflect.DeepEqual(got, turns) {
		t.Errorf("after reopening, Conversation = %+v, want %+v", got, turns)
	}
	// The vote can still be changed, and the change reports the old one.
	prev := mustVote(t, s, briefbot.Vote{AnswerID: "a1", UserID: "u1", Helpful: true})
	if prev == nil || !reflect.DeepEqual(*prev, vote) {
		t.Errorf("changing the vote after reopening returned %+v, want %+v", prev, vote)
	}
}

func TestVoteReplacesAndReturnsPrevious(t *testing.T) {
	s := open(t, t.TempDir(), newClock(), Options{})
	mustPut(t, s, answerRecord("a1", t0))
	up := briefbot.Vote{AnswerID: "a1", UserID: "u1", Helpful: true, Time: t0}
	down := briefbot.Vote{AnswerID: "a1", UserID: "u1", Helpful: false, Time: t0.Add(time.Second), Reason: briefbot.ReasonWrongSource}
	other := briefbot.Vote{AnswerID: "a1", UserID: "u2", Helpful: true, Time: t0.Add(2 * time.Second)}
	steps := []struct {
		name string
		vote briefbot.Vote
		prev *briefbot.Vote
	}{
		{"first vote", up, nil},
		{"changed to not helpful", down, &up},
		{"another user's first vote", other, nil},
		{"changed back", up, &down},
	}
	for _, st := range steps {
		prev := mustVote(t, s, st.vote)
		if !reflect.DeepEqual(prev, st.prev) {
			t.Errorf("%s: previous = %+v, want %+v", st.name, prev, st.prev)
		}
	}
	votes, err := s.Votes(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []briefbot.Vote{up, other}; !reflect.DeepEqual(votes, want) {
		t.Errorf("Votes = %+v, want %+v (one per user, in time order)", votes, want)
	}
}

func TestVoteRefusesBadInput(t *testing.T) {
	s := open(t, t.TempDir(), newClock(), Options{})
	tests := []struct {
		name string
		vote briefbot.Vote
		want string
	}{
		{"no answer", briefbot.Vote{UserID: "u"}, "empty answer ID"},
		{"no user", briefbot.Vote{AnswerID: "a"}, "empty user ID"},
		{"NUL in ID", briefbot.Vote{AnswerID: "a\x00b", UserID: "u"}, "NUL"},
		{"long ID", briefbot.Vote{AnswerID: strings.Repeat("a", 300), UserID: "u"}, "at most 256"},
		{"unknown reason", briefbot.Vote{AnswerID: "a", UserID: "u", Reason: "boring"}, `unknown reason "boring"`},
		{"reason on a helpful vote", briefbot.Vote{AnswerID: "a", UserID: "u", Helpful: true, Reason: briefbot.ReasonOther}, "only for an unhelpful vote"},
	}
	for _, tt := range tests {
		_, err := s.Vote(context.Background(), tt.vote)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	if err := s.PutAnswer(context.Background(), briefbot.AnswerRecord{}); err == nil {
		t.Error("PutAnswer accepted a record without an ID")
	}
}

func TestConversationBounds(t *testing.T) {
	hour := time.Hour
	tests := []struct {
		name string
		// gaps[i] is the time between turn i-1 and turn i ("q<i>").
		gaps []time.Duration
		// after is the time from the last turn to the read.
		after time.Duration
		want  []string
	}{
		{"fewer than the bound", []time.Duration{0, hour}, 0, []string{"q0", "q1"}},
		{"the newest turns are kept", []time.Duration{0, 0, 0, 0, 0}, 0, []string{"q2", "q3", "q4"}},
		{"turns older than the TTL are dropped", []time.Duration{0, 30 * hour, hour}, 0, []string{"q1", "q2"}},
		{"an idle conversation is gone", []time.Duration{0, hour}, 25 * hour, nil},
		{"just within the TTL", []time.Duration{0}, 24 * hour, []string{"q0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := open(t, t.TempDir(), clk, Options{MaxTurns: 3, ConversationTTL: 24 * hour})
			for i, gap := range tt.gaps {
				clk.Add(gap)
				if err := s.AppendTurn(context.Background(), "c", briefbot.Turn{Question: fmt.Sprintf("q%d", i)}); err != nil {
					t.Fatal(err)
				}
			}
			clk.Add(tt.after)
			if got := questions(mustTurns(t, s, "c")); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("turns = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConversationUnknown(t *testing.T) {
	s := open(t, t.TempDir(), newClock(), Options{})
	if turns := mustTurns(t, s, "never"); len(turns) != 0 {
		t.Errorf("unknown conversation has turns %v", turns)
	}
	if err := s.AppendTurn(context.Background(), "", briefbot.Turn{}); err == nil {
		t.Error("AppendTurn accepted an empty conversation ID")
	}
}

func TestPruneRetention(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clk := newClock()
	s := open(t, dir, clk, Options{AnswerRetention: 30 * 24 * time.Hour, ConversationTTL: 7 * 24 * time.Hour})
	day := 24 * time.Hour
	mustPut(t, s, answerRecord("old", t0))
	mustPut(t, s, answerRecord("recent", t0.Add(10*day)))
	mustVote(t, s, briefbot.Vote{AnswerID: "old", UserID: "u1", Helpful: true, Time: t0.Add(time.Hour)})
	mustVote(t, s, briefbot.Vote{AnswerID: "old", UserID: "u2", Helpful: false, Time: t0.Add(25 * day)})
	mustVote(t, s, briefbot.Vote{AnswerID: "recent", UserID: "u1", Helpful: true, Time: t0.Add(10 * day)})
	// A vote on an answer that was never stored still ages out.
	mustVote(t, s, briefbot.Vote{AnswerID: "ghost", UserID: "u1", Helpful: true, Time: t0})
	if err := s.AppendTurn(ctx, "idle", briefbot.Turn{Question: "q", Time: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendTurn(ctx, "active", briefbot.Turn{Question: "q", Time: t0.Add(30 * day)}); err != nil {
		t.Fatal(err)
	}

	clk.Add(31 * day)
	// Expired records are not returned even before they are pruned.
	if _, ok := mustAnswer(t, s, "old"); ok {
		t.Error("Answer(old) found past the retention, before pruning")
	}
	removed, err := s.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// old, its two votes, the ghost vote and the idle conversation.
	if removed != 5 {
		t.Errorf("Prune removed %d records, want 5", removed)
	}
	if _, ok := mustAnswer(t, s, "recent"); !ok {
		t.Error("Answer(recent) was pruned within the retention")
	}
	votes, err := s.Votes(ctx, time.Time{})
	if err != nil || len(votes) != 1 || votes[0].AnswerID != "recent" {
		t.Errorf("Votes after pruning = %+v, %v; want the vote on recent only", votes, err)
	}
	answers, err := s.Answers(ctx, time.Time{})
	if err != nil || len(answers) != 1 || answers[0].ID != "recent" {
		t.Errorf("Answers after pruning = %v, %v", answers, err)
	}
	if got := mustTurns(t, s, "active"); len(got) != 1 {
		t.Errorf("the active conversation lost its turn: %v", got)
	}
	if again, err := s.Prune(ctx); err != nil || again != 0 {
		t.Errorf("a second Prune removed %d, %v; want 0", again, err)
	}

	// Open prunes too: "recent" expires 30 days after t0+10d.
	s.Close()
	clk.Add(10 * day)
	s = open(t, dir, clk, Options{})
	if answers, _ := s.Answers(ctx, time.Time{}); len(answers) != 0 {
		t.Errorf("Open did not prune: %v", answers)
	}
	s.db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketAnswers, bucketAnswersByTime, bucketVotes} {
			if n := tx.Bucket(b).Stats().KeyN; n != 0 {
				t.Errorf("bucket %s keeps %d keys after pruning", b, n)
			}
		}
		return nil
	})
}

// Pruning removes answers in batches; a backlog larger than one batch is
// removed whole.
func TestPruneBacklog(t *testing.T) {
	clk := newClock()
	s := open(t, t.TempDir(), clk, Options{})
	n := pruneBatch*2 + 7
	for i := range n {
		mustPut(t, s, answerRecord(fmt.Sprintf("a%04d", i), t0.Add(time.Duration(i)*time.Second)))
	}
	mustPut(t, s, answerRecord("kept", t0.Add(40*24*time.Hour)))
	clk.Add(45 * 24 * time.Hour)
	removed, err := s.Prune(context.Background())
	if err != nil || removed != n {
		t.Fatalf("Prune = %d, %v; want %d", removed, err, n)
	}
	if _, ok := mustAnswer(t, s, "kept"); !ok {
		t.Error("the answer within retention was pruned")
	}
}

func TestAnswersListing(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := open(t, t.TempDir(), clk, Options{})
	// Stored out of order; one replaced with a new time.
	for _, r := range []briefbot.AnswerRecord{answerRecord("b", t0.Add(2*time.Hour)), answerRecord("a", t0.Add(time.Hour)),
		answerRecord("c", t0.Add(3*time.Hour)), answerRecord("a", t0.Add(4*time.Hour))} {
		mustPut(t, s, r)
	}
	clk.Add(5 * time.Hour)
	tests := []struct {
		since time.Time
		want  []string
	}{
		{time.Time{}, []string{"b", "c", "a"}},
		{t0.Add(2 * time.Hour), []string{"b", "c", "a"}},
		{t0.Add(2*time.Hour + 1), []string{"c", "a"}},
		{t0.Add(5 * time.Hour), nil},
	}
	for _, tt := range tests {
		got, err := s.Answers(ctx, tt.since)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		if !reflect.DeepEqual(ids, tt.want) {
			t.Errorf("Answers(since %s) = %v, want %v", tt.since.Format(time.TimeOnly), ids, tt.want)
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Answers(canceled, time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Answers with a canceled context: %v", err)
	}
}

func TestSecondOpenFailsFast(t *testing.T) {
	dir := t.TempDir()
	first := open(t, dir, nil, Options{})
	for _, ro := range []bool{false, true} {
		start := time.Now()
		s, err := Open(Path(dir), Options{LockTimeout: 100 * time.Millisecond, ReadOnly: ro})
		if err == nil {
			s.Close()
			t.Fatalf("second Open (read-only %v) succeeded while the file is held", ro)
		}
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), Path(dir)+" is in use by another briefbot process") {
			t.Errorf("second Open (read-only %v): %v; want ErrLocked naming the file", ro, err)
		}
		// Generous: the point is that it does not wait for the holder.
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("second Open took %s", took)
		}
	}
	first.Close()
	// Readers share the file once the writer is gone.
	r1 := open(t, dir, nil, Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	r2 := open(t, dir, nil, Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	if _, _, err := r1.Answer(context.Background(), "x"); err != nil {
		t.Error(err)
	}
	if _, err := r2.Votes(context.Background(), time.Time{}); err != nil {
		t.Error(err)
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(Path(dir), Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read-only Open of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(Path(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read-only Open created the file")
	}
	w := open(t, dir, nil, Options{})
	mustPut(t, w, answerRecord("a", time.Now()))
	w.Close()

	s := open(t, dir, nil, Options{ReadOnly: true})
	if _, ok := mustAnswer(t, s, "a"); !ok {
		t.Error("read-only store does not find the answer")
	}
	writes := map[string]error{
		"PutAnswer":  s.PutAnswer(ctx, answerRecord("b", time.Now())),
		"AppendTurn": s.AppendTurn(ctx, "c", briefbot.Turn{}),
	}
	_, writes["Vote"] = s.Vote(ctx, briefbot.Vote{AnswerID: "a", UserID: "u"})
	_, writes["Prune"] = s.Prune(ctx)
	for name, err := range writes {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: %v, want ErrReadOnly", name, err)
		}
	}
}

// A read-only store cannot prune, so its reads apply the retention.
func TestReadOnlyHidesExpired(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clk := newClock()
	w := open(t, dir, clk, Options{})
	mustPut(t, w, answerRecord("a", t0))
	mustVote(t, w, briefbot.Vote{AnswerID: "a", UserID: "u", Helpful: true, Time: t0})
	w.Close()
	clk.Add(31 * 24 * time.Hour)
	s := open(t, dir, clk, Options{ReadOnly: true})
	answers, err := s.Answers(ctx, time.Time{})
	if err != nil || len(answers) != 0 {
		t.Errorf("Answers = %v, %v; want none past the retention", answers, err)
	}
	votes, err := s.Votes(ctx, time.Time{})
	if err != nil || len(votes) != 0 {
		t.Errorf("Votes = %v, %v; want none past the retention", votes, err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, nil, Options{})
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, []byte("99"))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, ro := range []bool{false, true} {
		_, err := Open(Path(dir), Options{ReadOnly: ro})
		if err == nil || !strings.Contains(err.Error(), "newer briefbot (schema version 99") {
			t.Errorf("Open (read-only %v) of a newer file: %v", ro, err)
		}
	}
}

func TestFileMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")
	open(t, dir, nil, Options{})
	info, err := os.Stat(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	// Questions and user IDs are nobody else's business on the machine.
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("file mode %v, want no access for group and others", perm)
	}
}

// Many goroutines use one store at once, as the bot's handlers do; run
// with -race.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir(), nil, Options{MaxTurns: 1000})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*5+1) // every send below, so none blocks
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				errs <- s.PutAnswer(ctx, answerRecord(id, time.Time{}))
				_, err := s.Vote(ctx, briefbot.Vote{AnswerID: id, UserID: "u", Helpful: i%2 == 0})
				errs <- err
				_, _, err = s.Answer(ctx, id)
				errs <- err
				errs <- s.AppendTurn(ctx, "shared", briefbot.Turn{Question: id})
				_, err = s.Answers(ctx, time.Time{})
				errs <- err
			}
		})
	}
	wg.Go(func() {
		_, err := s.Prune(ctx)
		errs <- err
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	answers, err := s.Answers(ctx, time.Time{})
	if err != nil || len(answers) != workers*each {
		t.Errorf("Answers = %d, %v; want %d", len(answers), err, workers*each)
	}
	votes, err := s.Votes(ctx, time.Time{})
	if err != nil || len(votes) != workers*each {
		t.Errorf("Votes = %d, %v; want %d", len(votes), err, workers*each)
	}
	if turns := mustTurns(t, s, "shared"); len(turns) != workers*each {
		t.Errorf("shared conversation has %d turns, want %d (no append lost)", len(turns), workers*each)
	}
}

// A corrupt value is reported with its key, never a panic, and never hides
// the other records.
func TestCorruptValues(t *testing.T) {
	ctx := context.Background()
	var logs syncbuf.Buffer
	s := open(t, t.TempDir(), newClock(), Options{Logger: logTo(&logs)})
	mustPut(t, s, answerRecord("good", t0))
	mustPut(t, s, answerRecord("bad", t0))
	mustVote(t, s, briefbot.Vote{AnswerID: "good", UserID: "u1", Helpful: true})
	err := s.db.Update(func(tx *bolt.Tx) error {
		return errors.Join(
			tx.Bucket(bucketAnswers).Put([]byte("bad"), []byte(`{"id":"bad","time":"yesterday"`)),
			tx.Bucket(bucketAnswers).Put([]byte("other"), []byte(`{"id":"good"}`)),
			tx.Bucket(bucketAnswersByTime).Put(timeKey(t0, "other"), []byte{}),
			tx.Bucket(bucketAnswersByTime).Put([]byte("short"), []byte{}),
			tx.Bucket(bucketVotes).Put(voteKey("good", "u2"), []byte{0xff, 0xfe}),
			tx.Bucket(bucketVotes).Put(voteKey("good", "u3"), []byte(`{"answer_id":"good","user_id":"u4"}`)),
			tx.Bucket(bucketConversations).Put([]byte("c1"), []byte(`{"turns":"many"}`)),
		)
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, id := range []string{"bad", "other"} {
		_, _, err := s.Answer(ctx, id)
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Bucket != "answers" || ce.Key != id || !strings.Contains(err.Error(), `answers/"`+id+`"`) {
			t.Errorf("Answer(%s) = %v, want a *CorruptError naming answers/%q", id, err, id)
		}
	}
	if _, err := s.Conversation(ctx, "c1"); err == nil || !strings.Contains(err.Error(), `conversations/"c1"`) {
		t.Errorf("Conversation(c1) = %v, want an error naming the key", err)
	}
	answers, err := s.Answers(ctx, time.Time{})
	if err != nil || len(answers) != 1 || answers[0].ID != "good" {
		t.Errorf("Answers = %v, %v; want the good one only", answers, err)
	}
	votes, err := s.Votes(ctx, time.Time{})
	if err != nil || len(votes) != 1 || votes[0].UserID != "u1" {
		t.Errorf("Votes = %v, %v; want u1's only", votes, err)
	}
	if !strings.Contains(logs.String(), `votes/\"good\\x00u2\"`) {
		t.Errorf("the skipped vote's key is not logged:\n%s", logs.String())
	}
	// Writing over a corrupt value repairs it.
	if prev := mustVote(t, s, briefbot.Vote{AnswerID: "good", UserID: "u2", Helpful: true}); prev != nil {
		t.Errorf("replacing a corrupt vote returned %+v", prev)
	}
	mustPut(t, s, answerRecord("bad", t0.Add(time.Hour)))
	if _, ok := mustAnswer(t, s, "bad"); !ok {
		t.Error("the rewritten answer is not found")
	}
	if err := s.AppendTurn(ctx, "c1", briefbot.Turn{Question: "again"}); err != nil {
		t.Fatal(err)
	}
	if got := questions(mustTurns(t, s, "c1")); !reflect.DeepEqual(got, []string{"again"}) {
		t.Errorf("conversation after repair = %v", got)
	}
	answers, _ = s.Answers(ctx, time.Time{})
	if len(answers) != 2 || answers[0].ID != "good" || answers[1].ID != "bad" {
		t.Errorf("after the rewrite, Answers = %v; want good then bad, once each", answers)
	}
}

func TestRunPrunerStops(t *testing.T) {
	s := open(t, t.TempDir(), newClock(), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.RunPruner(ctx, time.Hour)
		close(done)
	}()
	cancel()
	<-done // the test times out if RunPruner does not return
}

// RunPruner prunes on its own, every interval. The bubble's clock moves
// only when every goroutine waits, so the test sees each round complete.
func TestRunPrunerPrunes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := open(t, t.TempDir(), nil, Options{AnswerRetention: 2*time.Hour + 30*time.Minute})
		mustPut(t, s, answerRecord("a", time.Now()))
		// synctest.Wait orders nothing for the race detector: the rounds
		// are read under a lock.
		var mu sync.Mutex
		var rounds []int
		s.afterPrune = func(removed int, err error) {
			if err != nil {
				t.Errorf("prune: %v", err)
			}
			mu.Lock()
			rounds = append(rounds, removed)
			mu.Unlock()
		}
		roundsSoFar := func() []int {
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(rounds)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			s.RunPruner(ctx, time.Hour)
			close(done)
		}()
		time.Sleep(2*time.Hour + time.Minute)
		synctest.Wait()
		if _, ok := mustAnswer(t, s, "a"); !ok {
			t.Error("the answer was pruned within its retention")
		}
		if got, want := roundsSoFar(), []int{0, 0}; !reflect.DeepEqual(got, want) {
			t.Errorf("after two hours, rounds removed %v, want %v", got, want)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if got, want := roundsSoFar(), []int{0, 0, 1}; !reflect.DeepEqual(got, want) {
			t.Errorf("rounds removed %v, want %v", got, want)
		}
		cancel()
		<-done
	})
}
