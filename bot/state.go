package bot

import (
	"bufio"
	"container/list"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot"
)

// cooldowns enforces the least time between two questions of one user.
type cooldowns struct {
	mu   sync.Mutex
	gap  time.Duration
	now  func() time.Time
	last map[string]time.Time
}

func newCooldowns(gap time.Duration, now func() time.Time) *cooldowns {
	return &cooldowns{gap: gap, now: now, last: map[string]time.Time{}}
}

// take records a question by user and returns 0, or how long the user must
// still wait (the question is then not recorded).
func (c *cooldowns) take(user string) time.Duration {
	if c.gap <= 0 {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if t, ok := c.last[user]; ok {
		if wait := c.gap - now.Sub(t); wait > 0 {
			return wait
		}
	}
	c.last[user] = now
	// Forget users whose cooldown is long over, so the map stays small.
	if len(c.last) > 10000 {
		for u, t := range c.last {
			if now.Sub(t) > c.gap {
				delete(c.last, u)
			}
		}
	}
	return 0
}

// storedAnswer is an answer kept for its buttons.
type storedAnswer struct {
	Answer   briefbot.Answer
	Passages map[string]briefbot.Passage
}

// answerCache keeps the most recent answers so that "Show passages" and the
// votes can find them; older ones expire.
type answerCache struct {
	mu    sync.Mutex
	max   int
	order *list.List
	items map[string]*list.Element
}

type cacheEntry struct {
	id string
	a  storedAnswer
}

func newAnswerCache(max int) *answerCache {
	return &answerCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *answerCache) put(a storedAnswer) string {
	id := newID()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items[id] = c.order.PushFront(cacheEntry{id: id, a: a})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(cacheEntry).id)
	}
	return id
}

func (c *answerCache) get(id string) (storedAnswer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[id]
	if !ok {
		return storedAnswer{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(cacheEntry).a, true
}

// newID is a short random identifier that fits in a custom_id.
func newID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// vote is one user's feedback on one answer, as stored in feedback.jsonl.
type vote struct {
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

// feedbackStore appends votes to a JSONL file in the data folder, one vote
// per user per answer (a later different vote replaces the earlier one).
type feedbackStore struct {
	mu    sync.Mutex
	path  string
	votes map[string]bool // answerID/userID -> helpful
}

func openFeedback(dataDir string) (*feedbackStore, error) {
	fs := &feedbackStore{votes: map[string]bool{}}
	if dataDir == "" {
		return fs, nil
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	fs.path = filepath.Join(dataDir, "feedback.jsonl")
	f, err := os.Open(fs.path)
	if os.IsNotExist(err) {
		return fs, nil
	}
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		var v vote
		if json.Unmarshal(sc.Bytes(), &v) == nil && v.AnswerID != "" {
			fs.votes[v.AnswerID+"/"+v.UserID] = v.Helpful
		}
	}
	return fs, nil
}

// record stores a vote; it reports whether the vote is new, changed, or the
// same as before (then nothing is written).
func (fs *feedbackStore) record(v vote) (string, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	key := v.AnswerID + "/" + v.UserID
	prev, had := fs.votes[key]
	if had && prev == v.Helpful {
		return "same", nil
	}
	if fs.path != "" {
		f, err := os.OpenFile(fs.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return "", fmt.Errorf("feedback: %w", err)
		}
		line, _ := json.Marshal(v)
		_, werr := f.Write(append(line, '\n'))
		cerr := f.Close()
		if werr != nil || cerr != nil {
			return "", fmt.Errorf("feedback %s: %v %v", fs.path, werr, cerr)
		}
	}
	fs.votes[key] = v.Helpful
	if had {
		return "changed", nil
	}
	return "new", nil
}
