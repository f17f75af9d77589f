package bot

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway close codes after which reconnecting cannot help: discordgo v0.29
// ignores them and reconnects forever, so the bot watches for them itself.
var fatalCloseCodes = map[int]string{
	4004: "authentication failed: the bot token was rejected (check DISCORD_TOKEN or discord.token)",
	4010: "invalid shard",
	4011: "sharding required",
	4012: "invalid API version",
	4013: "invalid intents",
	4014: "disallowed intents: the bot asked for a privileged intent the Developer Portal does not allow",
}

// FatalCloseError is returned by Run when Discord closed the gateway with a
// code that reconnecting cannot fix.
type FatalCloseError struct {
	Code   int
	Reason string
	// Shard is the shard Discord closed (0 when the bot is not sharded).
	Shard int
}

func (e *FatalCloseError) Error() string {
	return fmt.Sprintf("discord gateway closed with %d: %s", e.Code, e.Reason)
}

// closeWatcher receives the close codes seen on a shard's gateway
// connections.
type closeWatcher struct {
	shard int // set before the shard connects
	once  sync.Once
	ch    chan *FatalCloseError
}

func newCloseWatcher() *closeWatcher { return &closeWatcher{ch: make(chan *FatalCloseError, 1)} }

// fatal returns the fatal close seen, if any, without waiting.
func (w *closeWatcher) fatal() *FatalCloseError {
	select {
	case f := <-w.ch:
		return f
	default:
		return nil
	}
}

func (w *closeWatcher) seen(code int, text string) {
	reason, fatal := fatalCloseCodes[code]
	if !fatal {
		return
	}
	if text != "" {
		reason += " (" + text + ")"
	}
	w.once.Do(func() { w.ch <- &FatalCloseError{Code: code, Reason: reason, Shard: w.shard} })
}

// dialer makes the websocket dialer for the gateway. Its connections report
// the close frames they receive to the watcher; the TLS handshake is done
// here so that the frames can be read after decryption.
func dialer(w *closeWatcher) *websocket.Dialer {
	var nd net.Dialer
	wrap := func(c net.Conn) net.Conn { return &frameSniffer{Conn: c, onClose: w.seen} }
	return &websocket.Dialer{
		HandshakeTimeout: 15 * time.Second,
		Proxy:            http.ProxyFromEnvironment,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return wrap(c), nil
		},
		NetDialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			raw, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			host, _, _ := net.SplitHostPort(addr)
			tc := tls.Client(raw, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12})
			if err := tc.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, err
			}
			return wrap(tc), nil
		},
	}
}

// frameSniffer follows the server-to-client websocket frames after the HTTP
// upgrade and reports the status code of a close frame. It never changes the
// bytes it passes on.
type frameSniffer struct {
	net.Conn
	onClose func(code int, text string)

	upgraded bool   // past the HTTP response headers
	hdrBuf   []byte // partial HTTP headers or frame header
	// current frame
	inFrame   bool
	opcode    byte
	remaining uint64
	payload   []byte // close frame payload being collected
}

func (f *frameSniffer) Read(p []byte) (int, error) {
	n, err := f.Conn.Read(p)
	if n > 0 {
		f.feed(p[:n])
	}
	return n, err
}

func (f *frameSniffer) feed(b []byte) {
	for len(b) > 0 {
		if !f.upgraded {
			f.hdrBuf = append(f.hdrBuf, b...)
			i := strings.Index(string(f.hdrBuf), "\r\n\r\n")
			if i < 0 {
				if len(f.hdrBuf) > 64<<10 {
					f.hdrBuf = f.hdrBuf[len(f.hdrBuf)-4:]
				}
				return
			}
			b = f.hdrBuf[i+4:]
			f.hdrBuf = nil
			f.upgraded = true
			continue
		}
		if !f.inFrame {
			f.hdrBuf = append(f.hdrBuf, b...)
			b = nil
			h := f.hdrBuf
			if len(h) < 2 {
				return
			}
			need := 2
			l := uint64(h[1] & 0x7f)
			switch l {
			case 126:
				need += 2
			case 127:
				need += 8
			}
			masked := h[1]&0x80 != 0
			if masked {
				need += 4
			}
			if len(h) < need {
				return
			}
			switch l {
			case 126:
				l = uint64(binary.BigEndian.Uint16(h[2:4]))
			case 127:
				l = binary.BigEndian.Uint64(h[2:10])
			}
			f.opcode = h[0] & 0x0f
			f.remaining = l
			f.inFrame = true
			f.payload = f.payload[:0]
			b = h[need:]
			f.hdrBuf = nil
			if l == 0 {
				f.endFrame()
			}
			continue
		}
		take := uint64(len(b))
		if take > f.remaining {
			take = f.remaining
		}
		if f.opcode == websocket.CloseMessage && len(f.payload) < 125 {
			f.payload = append(f.payload, b[:take]...)
		}
		f.remaining -= take
		b = b[take:]
		if f.remaining == 0 {
			f.endFrame()
		}
	}
}

func (f *frameSniffer) endFrame() {
	f.inFrame = false
	if f.opcode == websocket.CloseMessage && len(f.payload) >= 2 {
		f.onClose(int(binary.BigEndian.Uint16(f.payload[:2])), string(f.payload[2:]))
	}
}

// originTransport sends requests for Discord's API origin to another origin
// (a REST proxy, or the fake Discord in tests), keeping the path. Rewriting
// requests here leaves discordgo's global endpoint variables alone.
// originTransport sends what is meant for Discord (its API origin and its
// attachment CDN) to discord.api_base instead, for a stand-in such as the
// project's fake Discord.
type originTransport struct {
	from string // "https://discord.com"
	to   *url.URL
	base http.RoundTripper
}

func newOriginTransport(apiBase string, base http.RoundTripper) (http.RoundTripper, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	if apiBase == "" || strings.TrimRight(apiBase, "/") == discordOrigin {
		return base, nil
	}
	u, err := url.Parse(apiBase)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("discord.api_base %q: want an origin such as https://discord.com", apiBase)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return &originTransport{from: discordOrigin, to: u, base: base}, nil
}

const discordOrigin = "https://discord.com"

func (t *originTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	prefix := ""
	switch {
	case r.URL.Scheme+"://"+r.URL.Host == t.from:
	case r.URL.Scheme == "https" && attachmentHosts[r.URL.Host]:
		// Attachments come from Discord's CDN, which a stand-in for
		// Discord serves under /cdn on its own origin.
		prefix = "/cdn"
	default:
		return t.base.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	r2.URL.Scheme = t.to.Scheme
	r2.URL.Host = t.to.Host
	r2.URL.Path = t.to.Path + prefix + r.URL.Path
	if r.URL.RawPath != "" {
		r2.URL.RawPath = t.to.Path + prefix + r.URL.RawPath
	}
	r2.Host = t.to.Host
	return t.base.RoundTrip(r2)
}
