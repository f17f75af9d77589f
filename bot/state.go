package bot

import (
	"bufio"
	"container/list"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

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

// forget undoes take for a question that was refused for another reason
// (too many answers in flight), so the user may retry at once.
func (c *cooldowns) forget(user string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.last, user)
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

// feedbackStore appends votes to feedback.jsonl in the data folder. Each
// user votes once per answer: the first vote stands, so every line of the
// file is one user's one vote.
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
			key := v.AnswerID + "/" + v.UserID
			if _, seen := fs.votes[key]; !seen {
				fs.votes[key] = v.Helpful
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("feedback %s: %w", fs.path, err)
	}
	return fs, nil
}

// record stores a vote unless the user already voted on that answer; it
// returns whether the vote was recorded and, if not, the earlier vote.
func (fs *feedbackStore) record(v vote) (recorded, earlier bool, err error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	key := v.AnswerID + "/" + v.UserID
	if prev, had := fs.votes[key]; had {
		return false, prev, nil
	}
	if fs.path != "" {
		line, err := json.Marshal(v)
		if err != nil {
			return false, false, fmt.Errorf("feedback: %w", err)
		}
		f, err := os.OpenFile(fs.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return false, false, fmt.Errorf("feedback: %w", err)
		}
		_, werr := f.Write(append(line, '\n'))
		cerr := f.Close()
		if err := errors.Join(werr, cerr); err != nil {
			return false, false, fmt.Errorf("feedback %s: %w", fs.path, err)
		}
	}
	fs.votes[key] = v.Helpful
	return true, false, nil
}

// bucketPool hands out discordgo rate-limit bucket keys, one per interaction
// at work. discordgo v0.29 keys every interaction edit to one bucket (its
// issue #1384), so a slow or rate-limited answer would hold up all the
// others; Discord itself limits each interaction token on its own. Keys are
// reused once an interaction is done, because discordgo never forgets a
// bucket.
type bucketPool struct {
	rl   *discordgo.RateLimiter
	mu   sync.Mutex
	free []string
	n    int
}

func newBucketPool(rl *discordgo.RateLimiter) *bucketPool { return &bucketPool{rl: rl} }

func (p *bucketPool) get() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		k := p.free[n-1]
		p.free = p.free[:n-1]
		return k
	}
	p.n++
	return fmt.Sprintf("briefbot/interaction/%d", p.n)
}

// put returns a key. The bucket forgets its last interaction's remaining
// count, which said nothing about the next interaction's token.
func (p *bucketPool) put(key string) {
	b := p.rl.GetBucket(key)
	b.Lock()
	b.Remaining = 1
	b.Unlock()
	p.mu.Lock()
	p.free = append(p.free, key)
	p.mu.Unlock()
}
