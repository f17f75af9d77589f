package bot

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
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

// newID makes an answer or conversation ID: the time in milliseconds
// then 64 random bits, base32, so that IDs made later sort later. The
// store keeps answers by ID: new ones then go to the end of its tree,
// whose pages stay full and whose older pages are left alone.
func newID() string { return newIDAt(time.Now()) }

// newIDAt is newID made at t.
// idBytes is the length of an answer ID's bytes (newIDAt): a time in
// milliseconds and random bits.
const idBytes = 14

func newIDAt(t time.Time) string {
	var b [idBytes]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	// The "extended hex" alphabet (0-9, a-v) sorts as the bytes do.
	return strings.ToLower(b32hex.EncodeToString(b[:]))
}

// memoryRecords keeps answers, votes and conversations in memory when no
// store is configured (tests, a bot without a data folder): the most
// recent answers only, and nothing survives a restart.
type memoryRecords struct {
	mu       sync.Mutex
	max      int
	turns    int
	order    *list.List // answer IDs, most recent first
	answers  map[string]*list.Element
	votes    map[string]briefbot.Vote // answerID/userID
	conversa map[string][]briefbot.Turn
}

type memoryAnswer struct {
	id string
	r  briefbot.AnswerRecord
}

func newMemoryRecords(maxAnswers, maxTurns int) *memoryRecords {
	return &memoryRecords{max: maxAnswers, turns: maxTurns, order: list.New(), answers: map[string]*list.Element{},
		votes: map[string]briefbot.Vote{}, conversa: map[string][]briefbot.Turn{}}
}

func (m *memoryRecords) PutAnswer(_ context.Context, r briefbot.AnswerRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.answers[r.ID]; ok {
		m.order.Remove(e)
	}
	m.answers[r.ID] = m.order.PushFront(memoryAnswer{id: r.ID, r: r})
	for m.order.Len() > m.max {
		last := m.order.Back()
		m.order.Remove(last)
		delete(m.answers, last.Value.(memoryAnswer).id)
	}
	return nil
}

func (m *memoryRecords) Answer(_ context.Context, id string) (briefbot.AnswerRecord, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.answers[id]
	if !ok {
		return briefbot.AnswerRecord{}, false, nil
	}
	return e.Value.(memoryAnswer).r, true, nil
}

func (m *memoryRecords) Vote(_ context.Context, v briefbot.Vote) (*briefbot.Vote, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := v.AnswerID + "/" + v.UserID
	prev, had := m.votes[key]
	m.votes[key] = v
	if !had {
		return nil, nil
	}
	return &prev, nil
}

func (m *memoryRecords) AppendTurn(_ context.Context, id string, t briefbot.Turn) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.conversa[id]; !ok && len(m.conversa) >= m.max {
		// Memory mode has no ages to go by: any one conversation makes room.
		for k := range m.conversa {
			delete(m.conversa, k)
			break
		}
	}
	turns := append(m.conversa[id], t)
	if len(turns) > m.turns {
		turns = turns[len(turns)-m.turns:]
	}
	m.conversa[id] = turns
	return nil
}

func (m *memoryRecords) Conversation(_ context.Context, id string) ([]briefbot.Turn, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]briefbot.Turn(nil), m.conversa[id]...), nil
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
