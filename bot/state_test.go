package bot

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

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

func TestFeedbackOneVotePerUserPerAnswer(t *testing.T) {
	dir := t.TempDir()
	fs, err := openFeedback(dir)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		v                 vote
		recorded, earlier bool
	}{
		{vote{AnswerID: "a1", UserID: "u1", Helpful: true, Question: "q", IndexVersion: "v1"}, true, false},
		{vote{AnswerID: "a1", UserID: "u1", Helpful: false}, false, true},
		{vote{AnswerID: "a1", UserID: "u1", Helpful: true}, false, true},
		{vote{AnswerID: "a1", UserID: "u2", Helpful: false}, true, false},
		{vote{AnswerID: "a2", UserID: "u1", Helpful: false}, true, false},
	}
	for i, s := range steps {
		rec, earlier, err := fs.record(s.v)
		if err != nil || rec != s.recorded || earlier != s.earlier {
			t.Errorf("step %d: record = %v %v %v, want %v %v", i, rec, earlier, err, s.recorded, s.earlier)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "feedback.jsonl"))
	if n := strings.Count(string(raw), "\n"); n != 3 {
		t.Errorf("%d lines, want 3:\n%s", n, raw)
	}
	// Reopened, the store still knows who voted.
	again, err := openFeedback(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec, earlier, _ := again.record(vote{AnswerID: "a1", UserID: "u1"}); rec || !earlier {
		t.Errorf("after reopening: recorded=%v earlier=%v", rec, earlier)
	}
}

func TestAnswerCacheEvictsOldest(t *testing.T) {
	c := newAnswerCache(2)
	a := c.put(storedAnswer{})
	b := c.put(storedAnswer{})
	c.get(a) // a is now the most recent
	c.put(storedAnswer{})
	if _, ok := c.get(b); ok {
		t.Error("least recently used answer kept")
	}
	if _, ok := c.get(a); !ok {
		t.Error("recently used answer evicted")
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
	const want = 274877991936 // View Channels, Send Messages (+ in Threads), Embed Links, Read Message History
	if InvitePermissions != want {
		t.Errorf("InvitePermissions = %d, want %d", InvitePermissions, want)
	}
	u := InviteURL("123")
	if u != "https://discord.com/oauth2/authorize?client_id=123&permissions=274877991936&scope=bot+applications.commands" {
		t.Errorf("InviteURL = %s", u)
	}
	doc, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "permissions=274877991936") {
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
