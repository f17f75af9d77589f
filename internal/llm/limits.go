package llm

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cache is a size-bounded LRU of finished answers.
type cache struct {
	mu  sync.Mutex
	max int
	ll  *list.List
	m   map[string]*list.Element
}

type cached struct {
	key string
	res Result
	err error // nil or ErrNotInSources: both are model outcomes worth keeping
}

func newCache(max int) *cache {
	return &cache{max: max, ll: list.New(), m: map[string]*list.Element{}}
}

func (c *cache) get(key string) (Result, error, bool) {
	if c == nil {
		return Result{}, nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return Result{}, nil, false
	}
	c.ll.MoveToFront(e)
	v := e.Value.(*cached)
	return v.res, v.err, true
}

func (c *cache) put(key string, res Result, err error) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		e.Value = &cached{key, res, err}
		c.ll.MoveToFront(e)
		return
	}
	c.m[key] = c.ll.PushFront(&cached{key, res, err})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.m, last.Value.(*cached).key)
	}
}

// NormalizeQuestion is the form of a question used in the cache key: lower
// case, single spaces, no trailing punctuation, so "What is X?" and
// "what is  x" share an answer.
func NormalizeQuestion(q string) string {
	q = strings.Join(strings.Fields(strings.ToLower(q)), " ")
	return strings.TrimRight(q, "?!.… ？！。")
}

// cacheKey identifies an answer: the normalized question, the index
// version, the server and model, the prompt version, the passages sent
// with their numbers, since the answer's [n] refer to them, and the
// earlier turns of the conversation sent with the question.
func cacheKey(question, indexVersion, baseURL, model, promptVersion string, sent []Source, turns []pastTurn) string {
	h := sha256.New()
	for _, s := range []string{NormalizeQuestion(question), indexVersion, baseURL, model, promptVersion} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, s := range sent {
		h.Write([]byte(strconv.Itoa(s.N) + "\x00" + s.DocID + "\x00" + s.PassageID + "\x00"))
	}
	// "why?" is a different question after each conversation.
	for _, t := range turns {
		h.Write([]byte("\x01" + t.question + "\x00" + t.answer + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// dailyCaps counts model calls per user per UTC day. Only the current
// day's counts are kept, so memory is bounded by a day's users.
type dailyCaps struct {
	mu     sync.Mutex
	limit  int
	day    string
	counts map[string]int
}

func (d *dailyCaps) roll(now time.Time) {
	day := now.UTC().Format(time.DateOnly)
	if day != d.day {
		d.day = day
		d.counts = map[string]int{}
	}
}

// remaining returns how many calls user has left today; -1 means no cap.
func (d *dailyCaps) remaining(user string, now time.Time) int {
	if d.limit <= 0 || user == "" {
		return -1
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.roll(now)
	return max(d.limit-d.counts[user], 0)
}

// take counts one call for user, reporting false when the cap is reached.
func (d *dailyCaps) take(user string, now time.Time) bool {
	if d.limit <= 0 || user == "" {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.roll(now)
	if d.counts[user] >= d.limit {
		return false
	}
	d.counts[user]++
	return true
}

// maxAnswerBytes is the longest answer text accepted for a max_tokens of
// maxTokens: four times the four characters a token usually is, within
// [4 KiB, 1 MiB]. max_tokens is a request servers may ignore; past this
// the reply is not read further and falls back (ErrTooLong).
func maxAnswerBytes(maxTokens int) int {
	return min(max(maxTokens*4*4, 4<<10), 1<<20)
}

// maxReplyBytes is the most of a reply's body read for a max_tokens of
// maxTokens, within [256 KiB, 16 MiB]. It is larger than maxAnswerBytes by
// what wraps the text: JSON escapes, and in a stream an event of a few
// hundred bytes per token. It also bounds what the JSON decoder and the
// stream's line reader may hold.
func maxReplyBytes(maxTokens int) int {
	return min(max(maxTokens*2<<10, 256<<10), 16<<20)
}
