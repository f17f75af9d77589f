package bot

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
)

func TestCooldowns(t *testing.T) {
	clock := discordfake.NewClock(time.Time{})
	c := newCooldowns(10*time.Second, clock.Now)
	steps := []struct {
		advance time.Duration
		user    string
		want    time.Duration
	}{
		{0, "a", 0},
		{0, "b", 0},
		{3 * time.Second, "a", 7 * time.Second},
		{7 * time.Second, "a", 0},
		{time.Second, "a", 9 * time.Second},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		if got := c.take(s.user); got != s.want {
			t.Errorf("step %d: take(%s) = %v, want %v", i, s.user, got, s.want)
		}
	}
	c.forget("a")
	if got := c.take("a"); got != 0 {
		t.Errorf("after forget: %v", got)
	}
	if got := newCooldowns(0, clock.Now).take("a"); got != 0 {
		t.Errorf("no cooldown: %v", got)
	}
}

func TestMemoryRecords(t *testing.T) {
	ctx := context.Background()
	m := newMemoryRecords(2, 3)
	for _, id := range []string{"a", "b", "c"} {
		if err := m.PutAnswer(ctx, briefbot.AnswerRecord{ID: id, Question: "q " + id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := m.Answer(ctx, "a"); ok {
		t.Error("the oldest answer is kept beyond the bound")
	}
	if r, ok, _ := m.Answer(ctx, "c"); !ok || r.Question != "q c" {
		t.Errorf("Answer(c) = %+v, %v", r, ok)
	}
	// One vote per user per answer; voting again replaces it.
	if prev, _ := m.Vote(ctx, briefbot.Vote{AnswerID: "c", UserID: "u", Helpful: true}); prev != nil {
		t.Errorf("first vote has a previous one: %+v", prev)
	}
	prev, _ := m.Vote(ctx, briefbot.Vote{AnswerID: "c", UserID: "u", Helpful: false, Reason: briefbot.ReasonIncomplete})
	if prev == nil || !prev.Helpful {
		t.Errorf("changed vote: previous = %+v, want the helpful one", prev)
	}
	if prev, _ := m.Vote(ctx, briefbot.Vote{AnswerID: "c", UserID: "other"}); prev != nil {
		t.Errorf("another user's vote replaced one: %+v", prev)
	}
	// Turns are bounded, oldest dropped.
	for i := range 5 {
		if err := m.AppendTurn(ctx, "conv", briefbot.Turn{Question: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	turns, _ := m.Conversation(ctx, "conv")
	if len(turns) != 3 || turns[0].Question != "2" || turns[2].Question != "4" {
		t.Errorf("turns = %+v, want the last 3", turns)
	}
	// Conversations are bounded too.
	for _, id := range []string{"x", "y", "z"} {
		_ = m.AppendTurn(ctx, id, briefbot.Turn{Question: id})
	}
	if n := len(m.conversa); n > 2 {
		t.Errorf("%d conversations kept, bound 2", n)
	}
}

func TestBucketPoolReusesKeys(t *testing.T) {
	rl := discordgo.NewRatelimiter()
	p := newBucketPool(rl)
	k1, k2 := p.get(), p.get()
	if k1 == k2 {
		t.Fatal("two interactions at work share a bucket")
	}
	// An exhausted bucket is fresh again for the next interaction.
	b := rl.GetBucket(k1)
	b.Lock()
	b.Remaining = 0
	b.Unlock()
	p.put(k1)
	if k3 := p.get(); k3 != k1 {
		t.Errorf("key not reused: %s", k3)
	}
	if wait := rl.GetWaitTime(rl.GetBucket(k1), 1); wait != 0 {
		t.Errorf("reused bucket waits %v", wait)
	}
}

func TestInviteURL(t *testing.T) {
	const want = 309237730304 // View Channels, Send Messages (+ in Threads), Embed Links, Read Message History
	if InvitePermissions != want {
		t.Errorf("InvitePermissions = %d, want %d", InvitePermissions, want)
	}
	u := InviteURL("123")
	if u != "https://discord.com/oauth2/authorize?client_id=123&permissions=309237730304&scope=bot+applications.commands" {
		t.Errorf("InviteURL = %s", u)
	}
	doc, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "permissions=309237730304") {
		t.Error("the README does not give the same permissions integer")
	}
}

func TestOriginTransport(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Host+r.URL.Path)
	}))
	defer srv.Close()
	tr, err := newOriginTransport(srv.URL+"/proxy/", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: tr}
	resp, err := c.Get("https://discord.com/api/v9/users/@me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := strings.TrimPrefix(srv.URL, "http://") + "/proxy/api/v9/users/@me"; len(got) != 1 || got[0] != want {
		t.Errorf("requests = %v, want %s", got, want)
	}
	for _, bad := range []string{"discord.com", "ftp:/x", "://"} {
		if _, err := newOriginTransport(bad, nil); err == nil {
			t.Errorf("api_base %q accepted", bad)
		}
	}
	if tr, _ := newOriginTransport("https://discord.com/", http.DefaultTransport); tr != http.DefaultTransport {
		t.Error("the default origin should not be rewritten")
	}
}

// wsStream is a server's side of a websocket connection as the client reads
// it: the HTTP upgrade response, then frames.
func wsStream(frames ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	for _, f := range frames {
		b.Write(f)
	}
	return b.Bytes()
}

func wsFrame(opcode byte, payload []byte) []byte {
	b := []byte{0x80 | opcode}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

func closeFrame(code int, reason string) []byte {
	return wsFrame(8, append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...))
}

func TestFrameSnifferFindsCloseCodes(t *testing.T) {
	stream := wsStream(
		wsFrame(2, bytes.Repeat([]byte{0x88, 0x02}, 70)), // binary data that looks like close frames
		wsFrame(1, bytes.Repeat([]byte("x"), 300)),       // 16-bit length
		wsFrame(2, bytes.Repeat([]byte{1}, 70000)),       // 64-bit length
		wsFrame(9, nil), // ping
		closeFrame(4004, "Authentication failed."),
	)
	// Every way of splitting the stream into two reads gives the same
	// answer; so do small fixed-size reads.
	splits := []int{1, 2, 3, 70, 71, 72, len(stream) - 3, len(stream) - 1}
	for _, at := range splits {
		var codes []int
		var texts []string
		f := &frameSniffer{onClose: func(c int, text string) { codes = append(codes, c); texts = append(texts, text) }}
		f.feed(stream[:at])
		f.feed(stream[at:])
		if len(codes) != 1 || codes[0] != 4004 || texts[0] != "Authentication failed." {
			t.Errorf("split at %d: codes %v %q", at, codes, texts)
		}
	}
	var codes []int
	f := &frameSniffer{onClose: func(c int, _ string) { codes = append(codes, c) }}
	for i := 0; i < len(stream); i += 7 {
		f.feed(stream[i:min(i+7, len(stream))])
	}
	if len(codes) != 1 || codes[0] != 4004 {
		t.Errorf("7-byte reads: codes %v", codes)
	}
}

func TestCloseWatcherIgnoresRecoverableCodes(t *testing.T) {
	w := newCloseWatcher()
	for _, c := range []int{1000, 1001, 1006, 4000, 4007, 4009} {
		w.seen(c, "")
	}
	if f := w.fatal(); f != nil {
		t.Fatalf("recoverable codes reported fatal: %v", f)
	}
	w.seen(4014, "Disallowed intent(s).")
	w.seen(4004, "") // only the first fatal code counts
	f := w.fatal()
	if f == nil || f.Code != 4014 || !strings.Contains(f.Error(), "disallowed intents") {
		t.Fatalf("fatal = %v", f)
	}
}

func TestExplainRedacts(t *testing.T) {
	b := &Bot{opts: Options{Token: "Bot sekrit.token"}}
	err := b.explain(io.ErrUnexpectedEOF)
	if err.Error() != io.ErrUnexpectedEOF.Error() {
		t.Errorf("explain = %v", err)
	}
	msg := b.explain(&testError{"Post https://discord.com/api/v9/interactions/123/aW50ZXJhY3Rpb24abc/callback: sekrit.token"}).Error()
	if strings.Contains(msg, "sekrit") || strings.Contains(msg, "aW50ZXJhY3Rpb24abc") {
		t.Errorf("secrets left in %q", msg)
	}
}

type testError struct{ s string }

func (e *testError) Error() string { return e.s }

func FuzzFrameSniffer(f *testing.F) {
	f.Add(wsStream(closeFrame(4004, "x")), 5)
	f.Add(wsStream(wsFrame(2, []byte{1, 2, 3}), closeFrame(1000, "")), 1)
	f.Add([]byte("HTTP/1.1 101\r\n\r\n\xff\x7f"), 3)
	f.Fuzz(func(t *testing.T, stream []byte, chunk int) {
		chunk = int(uint(chunk)%64) + 1
		f := &frameSniffer{onClose: func(int, string) {}}
		for i := 0; i < len(stream); i += chunk {
			f.feed(stream[i:min(i+chunk, len(stream))])
		}
	})
}

// vote is the vote of user on an answer (tests).
func (m *memoryRecords) vote(answerID, user string) briefbot.Vote {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.votes[answerID+"/"+user]
}

// TestNewIDSortsByTime: IDs made later sort later as strings (the store
// appends answers in key order), each fits a custom_id, and two made at
// the same time differ.
func TestNewIDSortsByTime(t *testing.T) {
	at := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	prev := newIDAt(at)
	for _, step := range []time.Duration{time.Millisecond, time.Second, 24 * time.Hour, 3650 * 24 * time.Hour} {
		at = at.Add(step)
		id := newIDAt(at)
		if id <= prev {
			t.Errorf("ID at +%v %q sorts before the earlier %q", step, id, prev)
		}
		if len(id) != 23 || strings.Trim(id, "0123456789abcdefghijklmnopqrstuv") != "" {
			t.Errorf("ID %q: want 23 characters of base32hex", id)
		}
		prev = id
	}
	if a, b := newIDAt(at), newIDAt(at); a == b {
		t.Errorf("two IDs at the same time are equal: %q", a)
	}
	if n := len(customID(actionPassages, newID())); n > maxCustomID {
		t.Errorf("custom_id of %d characters", n)
	}
}
