// Package loadtest drives a briefbot serving Discord's HTTP interactions
// the way Discord does, and measures it: it signs interactions with an
// application key of its own, POSTs them to the bot's endpoint at a set
// rate, and stands in for Discord's REST API to receive the answers the
// bot sends back with each interaction's token. It is the engine of
// cmd/briefload and of the serve tests under load.
//
// The stand-in REST API here is deliberately minimal and fast (it checks
// no schemas; internal/discordfake does that in the scenario tests), so
// that on one machine the load generator takes as little CPU as it can
// from the bot it measures.
package loadtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Identity of the application and server the interactions come from.
const (
	ApplicationID = "1100000000000000001"
	GuildID       = "1100000000000000002"
	ChannelID     = "1100000000000000003"
	// Token is the bot token the bot under test is given; the stand-in
	// REST API checks it.
	Token = "bG9hZHRlc3Q.bot.token-for-the-load-test"
)

// delivery is what the bot sent for one interaction after its first
// response: its answer (or the reason it has none).
type delivery struct {
	at   time.Time
	body []byte
}

// Discord stands in for Discord's REST API and signs interactions with
// the application's key. Create it with NewDiscord; Close it.
type Discord struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
	ln   net.Listener
	srv  *http.Server

	mu      sync.Mutex
	waiting map[string]chan delivery // by interaction token

	// unexpected counts requests the bot should not make in HTTP mode
	// (a REST callback, an unknown route, a bad token).
	unexpected atomic.Int64
	lastOdd    atomic.Value // string
}

// NewDiscord listens on a loopback port with a fresh application key.
func NewDiscord() (*Discord, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("application key: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("stand-in Discord API: %w", err)
	}
	d := &Discord{pub: pub, priv: priv, ln: ln, waiting: map[string]chan delivery{}}
	d.srv = &http.Server{Handler: http.HandlerFunc(d.serveREST), ReadHeaderTimeout: 5 * time.Second}
	go d.srv.Serve(ln)
	return d, nil
}

// URL is the origin to give the bot as discord.api_base.
func (d *Discord) URL() string { return "http://" + d.ln.Addr().String() }

// PublicKeyHex is the application's public key, as discord.public_key.
func (d *Discord) PublicKeyHex() string { return hex.EncodeToString(d.pub) }

// Close stops the stand-in API.
func (d *Discord) Close() error { return d.srv.Close() }

// Unexpected is how many requests the bot made that Discord would not
// expect in HTTP mode, and the last of them.
func (d *Discord) Unexpected() (int64, string) {
	s, _ := d.lastOdd.Load().(string)
	return d.unexpected.Load(), s
}

// sign returns the signature headers' values for body, at now.
func (d *Discord) sign(body []byte, now time.Time) (timestamp, signature string) {
	ts := fmt.Sprint(now.Unix())
	msg := append([]byte(ts), body...)
	return ts, hex.EncodeToString(ed25519.Sign(d.priv, msg))
}

// expect registers an interaction token whose answer is awaited.
func (d *Discord) expect(token string) <-chan delivery {
	ch := make(chan delivery, 1)
	d.mu.Lock()
	d.waiting[token] = ch
	d.mu.Unlock()
	return ch
}

// forget drops a token whose answer is no longer awaited.
func (d *Discord) forget(token string) {
	d.mu.Lock()
	delete(d.waiting, token)
	d.mu.Unlock()
}

func (d *Discord) deliver(token string, body []byte) bool {
	d.mu.Lock()
	ch, ok := d.waiting[token]
	delete(d.waiting, token)
	d.mu.Unlock()
	if ok {
		ch <- delivery{at: time.Now(), body: body}
	}
	return ok
}

func (d *Discord) odd(r *http.Request, why string) {
	d.unexpected.Add(1)
	d.lastOdd.Store(r.Method + " " + r.URL.Path + ": " + why)
}

// serveREST answers the few routes a bot in HTTP mode uses: who am I,
// register commands, and the interaction webhooks (edit the original
// response, delete it, send a followup).
func (d *Discord) serveREST(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	path := r.URL.Path
	// Strip "/api/v10" (or any version) so routes read as Discord's docs.
	if i := strings.Index(path, "/api/v"); i >= 0 {
		rest := path[i+len("/api/v"):]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			path = rest[j:]
		}
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	message := map[string]any{"id": "1100000000000000009", "channel_id": ChannelID, "content": "", "type": 0,
		"timestamp": time.Now().UTC().Format(time.RFC3339), "author": map[string]any{"id": ApplicationID, "username": "briefbot"}}
	switch {
	case parts[0] == "webhooks" && len(parts) >= 3:
		token := parts[2]
		switch {
		case r.Method == http.MethodPatch && len(parts) == 5 && parts[4] == "@original":
			// The first edit is the answer (extractive answers have no
			// progress edits); a later one finds no waiter.
			d.deliver(token, body)
			writeJSON(http.StatusOK, message)
		case r.Method == http.MethodDelete && len(parts) == 5:
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPost && len(parts) == 3:
			d.deliver(token, body)
			writeJSON(http.StatusOK, message)
		default:
			d.odd(r, "webhook route")
			writeJSON(http.StatusNotFound, map[string]any{"message": "Unknown Webhook", "code": 10015})
		}
		return
	}
	if r.Header.Get("Authorization") != "Bot "+Token {
		d.odd(r, "no bot token")
		writeJSON(http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "/users/@me":
		writeJSON(http.StatusOK, map[string]any{"id": ApplicationID, "username": "briefbot", "discriminator": "0", "bot": true})
	case r.Method == http.MethodPut && parts[0] == "applications" && parts[len(parts)-1] == "commands":
		var cmds []map[string]any
		_ = json.Unmarshal(body, &cmds)
		for i, c := range cmds {
			c["id"] = fmt.Sprintf("12000000000000000%02d", i)
			c["application_id"] = ApplicationID
			c["version"] = "1"
		}
		writeJSON(http.StatusOK, cmds)
	default:
		// A REST callback would mean the first response did not go
		// into the HTTP answer.
		d.odd(r, "route not expected in http mode")
		writeJSON(http.StatusNotFound, map[string]any{"message": "404: Not Found", "code": 0})
	}
}
