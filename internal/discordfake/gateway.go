package discordfake

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway close codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
const (
	CloseUnknownError         = 4000
	CloseUnknownOpcode        = 4001
	CloseDecodeError          = 4002
	CloseNotAuthenticated     = 4003
	CloseAuthenticationFailed = 4004
	CloseAlreadyAuthenticated = 4005
	CloseInvalidSeq           = 4007
	CloseRateLimited          = 4008
	CloseSessionTimedOut      = 4009
	CloseInvalidShard         = 4010
	CloseShardingRequired     = 4011
	CloseInvalidAPIVersion    = 4012
	CloseInvalidIntents       = 4013
	CloseDisallowedIntents    = 4014
)

var closeText = map[int]string{
	CloseUnknownError:         "Unknown error.",
	CloseUnknownOpcode:        "Unknown opcode.",
	CloseDecodeError:          "Decode error.",
	CloseNotAuthenticated:     "Not authenticated.",
	CloseAuthenticationFailed: "Authentication failed.",
	CloseAlreadyAuthenticated: "Already authenticated.",
	CloseInvalidSeq:           "Invalid seq.",
	CloseRateLimited:          "Rate limited.",
	CloseSessionTimedOut:      "Session timed out.",
	CloseInvalidShard:         "Invalid shard.",
	CloseShardingRequired:     "Sharding required.",
	CloseInvalidAPIVersion:    "Invalid API version.",
	CloseInvalidIntents:       "Invalid intent(s).",
	CloseDisallowedIntents:    "Disallowed intent(s).",
}

// Closing with these codes ends the session: a later RESUME gets op 9.
var sessionEndingCodes = []int{CloseAuthenticationFailed, CloseInvalidSeq, CloseSessionTimedOut, CloseInvalidShard, CloseShardingRequired, CloseInvalidAPIVersion, CloseInvalidIntents, CloseDisallowedIntents}

// GatewayEventKind classifies a GatewayEvent.
type GatewayEventKind string

// Gateway event kinds, as observed by the fake.
const (
	GatewayConnect        GatewayEventKind = "connect"         // socket opened, HELLO sent
	GatewayIdentify       GatewayEventKind = "identify"        // valid IDENTIFY received
	GatewayReady          GatewayEventKind = "ready"           // READY dispatched
	GatewayResume         GatewayEventKind = "resume"          // RESUME received
	GatewayResumed        GatewayEventKind = "resumed"         // RESUMED dispatched after replay
	GatewayInvalidSession GatewayEventKind = "invalid_session" // op 9 sent
	GatewayReconnect      GatewayEventKind = "reconnect"       // op 7 sent
	GatewayHeartbeat      GatewayEventKind = "heartbeat"       // op 1 received (ACK sent)
	GatewayPresence       GatewayEventKind = "presence_update" // op 3 received
	GatewayRequestMembers GatewayEventKind = "request_members" // op 8 received
	GatewayClosed         GatewayEventKind = "closed"          // the fake closed the socket with Code
	GatewayDropped        GatewayEventKind = "dropped"         // the fake cut the socket without a close frame
	GatewayDisconnect     GatewayEventKind = "disconnect"      // the socket ended (Code set when the client sent a close frame)
)

// GatewayEvent is one step of the gateway protocol seen by the fake.
type GatewayEvent struct {
	N         int // 1-based position in the server's event log
	Kind      GatewayEventKind
	SessionID string
	Code      int   // close code for closed/disconnect
	Seq       int64 // sequence in heartbeat, resume and dispatch-related events
	Detail    string
	At        time.Time
}

// Identify is a recorded IDENTIFY payload.
type Identify struct {
	Token          string
	Intents        int64
	Compress       bool
	LargeThreshold int
	Shard          []int
	Properties     map[string]any
	APIVersion     string // from the ?v= query of the connection
	Encoding       string
	At             time.Time
}

type gatewayState struct {
	sessions map[string]*gwSession
	current  *gwSession
	// shards holds the session last identified or resumed per shard ID;
	// events of a guild go to its shard's session, DMs to shard 0's.
	shards     map[int]*gwSession
	conns      map[*gwConn]bool
	events     []GatewayEvent
	identifies []Identify
}

func (g *gatewayState) init() {
	g.sessions = map[string]*gwSession{}
	g.shards = map[int]*gwSession{}
	g.conns = map[*gwConn]bool{}
}

type gwSession struct {
	id       string
	shard    [2]int // [shard_id, num_shards]; [0, 1] when IDENTIFY had no shard
	intents  int64
	compress bool
	seq      int64
	sent     []sentFrame // dispatches kept for RESUME replay
	conn     *gwConn     // nil while disconnected
	ready    bool
}

type sentFrame struct {
	seq int64
	raw []byte
}

const maxReplay = 4096

type gwConn struct {
	ws         *websocket.Conn
	apiVersion string
	encoding   string
	sess       *gwSession // guarded by Server.mu
	identified bool       // guarded by Server.mu
	dropped    bool       // guarded by Server.mu

	qmu    sync.Mutex
	queue  []outFrame
	signal chan struct{}
	done   chan struct{}
	once   sync.Once
}

type outFrame struct {
	data      []byte
	binary    bool
	closeCode int // > 0: send a close frame and end the connection
	closeText string
}

func (c *gwConn) enqueue(f outFrame) {
	c.qmu.Lock()
	c.queue = append(c.queue, f)
	c.qmu.Unlock()
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

func (c *gwConn) stop() {
	c.once.Do(func() {
		close(c.done)
		c.ws.Close()
	})
}

func (c *gwConn) writer() {
	for {
		select {
		case <-c.done:
			return
		case <-c.signal:
		}
		for {
			c.qmu.Lock()
			if len(c.queue) == 0 {
				c.qmu.Unlock()
				break
			}
			f := c.queue[0]
			c.queue = c.queue[1:]
			c.qmu.Unlock()
			deadline := time.Now().Add(5 * time.Second)
			if f.closeCode > 0 {
				_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(f.closeCode, f.closeText), deadline)
				c.stop()
				return
			}
			_ = c.ws.SetWriteDeadline(deadline)
			mt := websocket.TextMessage
			if f.binary {
				mt = websocket.BinaryMessage
			}
			if err := c.ws.WriteMessage(mt, f.data); err != nil {
				c.stop()
				return
			}
		}
	}
}

func (s *Server) recordGatewayLocked(e GatewayEvent) {
	e.N = len(s.gw.events) + 1
	if e.At.IsZero() {
		e.At = s.now()
	}
	s.gw.events = append(s.gw.events, e)
	if e.Kind != GatewayHeartbeat {
		s.log.Info("discordfake gateway", "event", e.Kind, "session", e.SessionID, "code", e.Code, "seq", e.Seq, "detail", e.Detail)
	}
	s.notifyLocked()
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ws, err := s.upgrade.Upgrade(w, r, nil)
	if err != nil {
		s.log.Warn("discordfake gateway upgrade", "err", err)
		return
	}
	c := &gwConn{ws: ws, apiVersion: q.Get("v"), encoding: q.Get("encoding"), signal: make(chan struct{}, 1), done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.gw.conns[c] = true
	s.wg.Add(2)
	s.recordGatewayLocked(GatewayEvent{Kind: GatewayConnect, Detail: r.URL.RawQuery})
	if want := s.opts.RequireAPIVersion; want != "" && c.apiVersion != want {
		s.recordViolationLocked(Violation{Kind: ViolationAPIVersion, Detail: fmt.Sprintf("gateway connected with v=%q, want %q", c.apiVersion, want)})
	}
	c.enqueue(outFrame{data: mustJSON(map[string]any{"op": 10, "s": nil, "t": nil, "d": map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}})})
	switch {
	case c.encoding != "" && c.encoding != "json":
		s.closeConnLocked(c, CloseDecodeError, "discordfake only speaks encoding=json")
	case q.Get("compress") != "":
		s.recordViolationLocked(Violation{Kind: ViolationGateway, Detail: "transport compression " + q.Get("compress") + " is not implemented by discordfake"})
		s.closeConnLocked(c, CloseUnknownError, "discordfake does not implement transport compression")
	}
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		c.writer()
	}()
	go func() {
		defer s.wg.Done()
		s.readLoop(c)
	}()
}

func (s *Server) readLoop(c *gwConn) {
	defer c.stop()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			s.mu.Lock()
			code := 0
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				code = ce.Code
			}
			sid := ""
			if c.sess != nil {
				sid = c.sess.id
				if c.sess.conn == c {
					c.sess.conn = nil
				}
			}
			delete(s.gw.conns, c)
			if !c.dropped {
				s.recordGatewayLocked(GatewayEvent{Kind: GatewayDisconnect, SessionID: sid, Code: code, Detail: err.Error()})
			}
			s.mu.Unlock()
			return
		}
		s.mu.Lock()
		s.handleGatewayFrameLocked(c, data)
		s.mu.Unlock()
	}
}

type gwPayload struct {
	Op *int            `json:"op"`
	D  json.RawMessage `json:"d"`
}

func (s *Server) handleGatewayFrameLocked(c *gwConn, data []byte) {
	var p gwPayload
	if err := json.Unmarshal(data, &p); err != nil || p.Op == nil {
		s.recordViolationLocked(Violation{Kind: ViolationGateway, Detail: fmt.Sprintf("undecodable gateway payload: %.200s", data)})
		s.closeConnLocked(c, CloseDecodeError, "")
		return
	}
	op := *p.Op
	if !c.identified && op != 1 && op != 2 && op != 6 {
		s.recordViolationLocked(Violation{Kind: ViolationGateway, Detail: fmt.Sprintf("op %d before IDENTIFY", op)})
		s.closeConnLocked(c, CloseNotAuthenticated, "")
		return
	}
	switch op {
	case 1:
		var seq *int64
		_ = json.Unmarshal(p.D, &seq)
		e := GatewayEvent{Kind: GatewayHeartbeat}
		if seq != nil {
			e.Seq = *seq
		}
		if c.sess != nil {
			e.SessionID = c.sess.id
		}
		s.recordGatewayLocked(e)
		c.enqueue(outFrame{data: []byte(`{"op":11,"s":null,"t":null,"d":null}`)})
	case 2:
		s.handleIdentifyLocked(c, p.D)
	case 3:
		s.recordGatewayLocked(GatewayEvent{Kind: GatewayPresence, SessionID: c.sess.id, Detail: string(p.D)})
	case 4:
		// Voice state updates are accepted and ignored.
	case 6:
		s.handleResumeLocked(c, p.D)
	case 8:
		s.recordGatewayLocked(GatewayEvent{Kind: GatewayRequestMembers, SessionID: c.sess.id, Detail: string(p.D)})
	default:
		s.recordViolationLocked(Violation{Kind: ViolationGateway, Detail: fmt.Sprintf("unknown opcode %d", op)})
		s.closeConnLocked(c, CloseUnknownOpcode, "")
	}
}

type identifyData struct {
	Token          string         `json:"token"`
	Intents        *int64         `json:"intents"`
	Compress       bool           `json:"compress"`
	LargeThreshold int            `json:"large_threshold"`
	Shard          []int          `json:"shard"`
	Properties     map[string]any `json:"properties"`
}

func (s *Server) tokenOK(tok string) bool {
	return strings.TrimPrefix(tok, "Bot ") == s.Token
}

func (s *Server) handleIdentifyLocked(c *gwConn, raw json.RawMessage) {
	if c.identified {
		s.recordViolationLocked(Violation{Kind: ViolationGateway, Detail: "second IDENTIFY on one connection"})
		s.closeConnLocked(c, CloseAlreadyAuthenticated, "")
		return
	}
	var d identifyData
	if err := json.Unmarshal(raw, &d); err != nil {
		s.recordViolationLocked(Violation{Kind: ViolationGateway, Detail: "undecodable IDENTIFY: " + err.Error()})
		s.closeConnLocked(c, CloseDecodeError, "")
		return
	}
	id := Identify{Token: d.Token, Compress: d.Compress, LargeThreshold: d.LargeThreshold, Shard: d.Shard, Properties: d.Properties, APIVersion: c.apiVersion, Encoding: c.encoding, At: s.now()}
	if d.Intents != nil {
		id.Intents = *d.Intents
	}
	s.gw.identifies = append(s.gw.identifies, id)
	if !s.tokenOK(d.Token) {
		s.closeConnLocked(c, CloseAuthenticationFailed, "")
		return
	}
	if d.Intents == nil {
		s.recordViolationLocked(Violation{Kind: ViolationGateway, Detail: "IDENTIFY without intents"})
		s.closeConnLocked(c, CloseInvalidIntents, "")
		return
	}
	if p := *d.Intents & PrivilegedIntents &^ s.opts.GrantedIntents; p != 0 {
		s.recordViolationLocked(Violation{Kind: ViolationPrivilegedIntent, Detail: fmt.Sprintf("IDENTIFY requested privileged intents %#x (of %#x); the bot must work without GUILD_MEMBERS, GUILD_PRESENCES and MESSAGE_CONTENT", p, *d.Intents)})
		s.closeConnLocked(c, CloseDisallowedIntents, "")
		return
	}
	if len(d.Shard) == 2 && (d.Shard[1] < 1 || d.Shard[0] < 0 || d.Shard[0] >= d.Shard[1]) {
		s.closeConnLocked(c, CloseInvalidShard, "")
		return
	}
	sess := &gwSession{id: randomHex(16), shard: [2]int{0, 1}, intents: *d.Intents, compress: d.Compress, conn: c}
	detail := fmt.Sprintf("intents=%#x compress=%v", *d.Intents, d.Compress)
	if len(d.Shard) == 2 {
		sess.shard = [2]int{d.Shard[0], d.Shard[1]}
		detail += fmt.Sprintf(" shard=[%d,%d]", d.Shard[0], d.Shard[1])
	}
	s.gw.sessions[sess.id] = sess
	s.gw.current = sess
	s.gw.shards[sess.shard[0]] = sess
	c.sess = sess
	c.identified = true
	s.recordGatewayLocked(GatewayEvent{Kind: GatewayIdentify, SessionID: sess.id, Detail: detail})

	guilds := []any{}
	for _, gid := range s.guildOrder {
		if sess.hasGuild(gid) {
			guilds = append(guilds, map[string]any{"id": gid, "unavailable": true})
		}
	}
	user := s.userWireLocked(s.Bot.ID)
	user["verified"] = true
	user["mfa_enabled"] = false
	user["flags"] = 0
	user["email"] = nil
	s.dispatchLocked(sess, "READY", map[string]any{
		"v":                  10,
		"user":               user,
		"guilds":             guilds,
		"session_id":         sess.id,
		"session_type":       "normal",
		"resume_gateway_url": strings.TrimSuffix(s.GatewayURL, "/"),
		"shard":              sess.shard,
		"application":        map[string]any{"id": s.ApplicationID, "flags": 0},
		"private_channels":   []any{},
		"presences":          []any{},
		"relationships":      []any{},
		"_trace":             []string{"discordfake"},
	})
	sess.ready = true
	s.recordGatewayLocked(GatewayEvent{Kind: GatewayReady, SessionID: sess.id, Seq: sess.seq})
	if sess.intents&IntentGuilds != 0 {
		for _, gid := range s.guildOrder {
			if !sess.hasGuild(gid) {
				continue
			}
			s.dispatchLocked(sess, "GUILD_CREATE", s.guildCreatePayloadLocked(s.guilds[gid], sess.intents))
		}
	}
}

type resumeData struct {
	Token     string `json:"token"`
	SessionID string `json:"session_id"`
	Seq       int64  `json:"seq"`
}

func (s *Server) handleResumeLocked(c *gwConn, raw json.RawMessage) {
	var d resumeData
	if err := json.Unmarshal(raw, &d); err != nil {
		s.recordViolationLocked(Violation{Kind: ViolationGateway, Detail: "undecodable RESUME: " + err.Error()})
		s.closeConnLocked(c, CloseDecodeError, "")
		return
	}
	s.recordGatewayLocked(GatewayEvent{Kind: GatewayResume, SessionID: d.SessionID, Seq: d.Seq})
	if !s.tokenOK(d.Token) {
		s.closeConnLocked(c, CloseAuthenticationFailed, "")
		return
	}
	sess, ok := s.gw.sessions[d.SessionID]
	if !ok {
		s.sendInvalidSessionLocked(c, d.SessionID, false)
		return
	}
	if d.Seq > sess.seq || d.Seq < 0 {
		s.closeConnLocked(c, CloseInvalidSeq, "")
		delete(s.gw.sessions, sess.id)
		return
	}
	if len(sess.sent) > 0 && d.Seq+1 < sess.sent[0].seq {
		// Missed events fell out of the replay buffer.
		s.sendInvalidSessionLocked(c, sess.id, false)
		delete(s.gw.sessions, sess.id)
		return
	}
	if old := sess.conn; old != nil && old != c {
		old.sess = nil
		s.closeConnLocked(old, CloseUnknownError, "session resumed elsewhere")
	}
	sess.conn = c
	c.sess = sess
	c.identified = true
	s.gw.current = sess
	s.gw.shards[sess.shard[0]] = sess
	replayed := 0
	for _, f := range sess.sent {
		if f.seq > d.Seq {
			s.sendFrameLocked(sess, f.raw)
			replayed++
		}
	}
	s.dispatchLocked(sess, "RESUMED", map[string]any{"_trace": []string{"discordfake"}})
	s.recordGatewayLocked(GatewayEvent{Kind: GatewayResumed, SessionID: sess.id, Seq: sess.seq, Detail: fmt.Sprintf("replayed %d event(s) after seq %d", replayed, d.Seq)})
}

func (s *Server) sendInvalidSessionLocked(c *gwConn, sessionID string, resumable bool) {
	// After op 9 the client may IDENTIFY again on the same connection
	// (discordgo does).
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	c.sess = nil
	c.identified = false
	c.enqueue(outFrame{data: mustJSON(map[string]any{"op": 9, "s": nil, "t": nil, "d": resumable})})
	s.recordGatewayLocked(GatewayEvent{Kind: GatewayInvalidSession, SessionID: sessionID, Detail: fmt.Sprintf("resumable=%v", resumable)})
}

func (s *Server) closeConnLocked(c *gwConn, code int, text string) {
	if text == "" {
		text = closeText[code]
	}
	sid := ""
	if c.sess != nil {
		sid = c.sess.id
		if c.sess.conn == c {
			c.sess.conn = nil
		}
		if slices.Contains(sessionEndingCodes, code) {
			delete(s.gw.sessions, c.sess.id)
		}
	}
	c.dropped = true // the fake ended it; do not also log a disconnect
	delete(s.gw.conns, c)
	c.enqueue(outFrame{closeCode: code, closeText: text})
	s.recordGatewayLocked(GatewayEvent{Kind: GatewayClosed, SessionID: sid, Code: code, Detail: text})
}

// dispatchLocked sends an op-0 event on a session, buffering it for
// RESUME when the session has no live connection.
func (s *Server) dispatchLocked(sess *gwSession, event string, d any) {
	sess.seq++
	raw := mustJSON(map[string]any{"op": 0, "t": event, "s": sess.seq, "d": d})
	sess.sent = append(sess.sent, sentFrame{seq: sess.seq, raw: raw})
	if len(sess.sent) > maxReplay {
		sess.sent = sess.sent[len(sess.sent)-maxReplay:]
	}
	s.sendFrameLocked(sess, raw)
	s.notifyLocked()
}

func (s *Server) sendFrameLocked(sess *gwSession, raw []byte) {
	if sess.conn == nil {
		return
	}
	if sess.compress {
		// IDENTIFY "compress": true asks for zlib-compressed payloads, each
		// frame a complete zlib stream; discordgo inflates binary frames.
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		sess.conn.enqueue(outFrame{data: b.Bytes(), binary: true})
		return
	}
	sess.conn.enqueue(outFrame{data: raw})
}

func mustJSON(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("discordfake: marshal: %v", err))
	}
	return raw
}

func (s *Server) guildCreatePayloadLocked(g *Guild, intents int64) map[string]any {
	roles := []any{}
	for _, r := range g.Roles {
		roles = append(roles, roleWire(r))
	}
	channels := []any{}
	for _, c := range g.Channels {
		channels = append(channels, s.channelWireLocked(&c))
	}
	members := []any{}
	for i := range g.Members {
		m := &g.Members[i]
		// Without GUILD_MEMBERS only the bot's own member is sent.
		if intents&IntentGuildMembers != 0 || m.UserID == s.Bot.ID {
			members = append(members, s.memberWireLocked(g, m, true))
		}
	}
	w := s.guildWireLocked(g)
	w["roles"] = roles
	w["channels"] = channels
	w["members"] = members
	w["member_count"] = len(g.Members)
	w["joined_at"] = rfc3339(s.now())
	w["large"] = false
	w["unavailable"] = false
	w["voice_states"] = []any{}
	w["presences"] = []any{}
	// Active threads come with the guild; the fake never archives them.
	threads := []any{}
	for _, th := range s.threadsLocked(func(c *Channel) bool { return c.GuildID == g.ID }) {
		threads = append(threads, s.channelWireLocked(&th))
	}
	w["threads"] = threads
	w["stage_instances"] = []any{}
	w["guild_scheduled_events"] = []any{}
	return w
}

func roleWire(r Role) map[string]any {
	return map[string]any{
		"id": r.ID, "name": r.Name, "color": 0, "hoist": false, "icon": nil, "unicode_emoji": nil,
		"position": r.Position, "permissions": fmt.Sprint(r.Permissions), "managed": false, "mentionable": false, "flags": 0,
	}
}

func (s *Server) guildWireLocked(g *Guild) map[string]any {
	roles := []any{}
	for _, r := range g.Roles {
		roles = append(roles, roleWire(r))
	}
	return map[string]any{
		"id": g.ID, "name": g.Name, "icon": nil, "splash": nil, "discovery_splash": nil,
		"owner_id": g.OwnerID, "afk_channel_id": nil, "afk_timeout": 300, "verification_level": 0,
		"default_message_notifications": 0, "explicit_content_filter": 0, "roles": roles, "emojis": []any{},
		"features": []any{}, "mfa_level": 0, "application_id": nil, "system_channel_id": nil,
		"system_channel_flags": 0, "rules_channel_id": nil, "vanity_url_code": nil, "description": nil,
		"banner": nil, "premium_tier": 0, "preferred_locale": "en-US", "public_updates_channel_id": nil,
		"nsfw_level": 0, "premium_progress_bar_enabled": false, "stickers": []any{},
	}
}

func (s *Server) channelWireLocked(c *Channel) map[string]any {
	if IsThread(c.Type) {
		return s.threadWireLocked(c)
	}
	w := map[string]any{"id": c.ID, "type": c.Type, "last_message_id": nil, "flags": 0}
	if c.GuildID != "" {
		w["guild_id"] = c.GuildID
		w["name"] = c.Name
		w["position"] = 0
		w["permission_overwrites"] = []any{}
		w["nsfw"] = false
		w["topic"] = nil
		w["parent_id"] = nil
		w["rate_limit_per_user"] = 0
	} else {
		w["recipients"] = []any{s.userWireLocked(c.RecipientID)}
	}
	return w
}

func (s *Server) closeAllConns() {
	s.mu.Lock()
	conns := make([]*gwConn, 0, len(s.gw.conns))
	for c := range s.gw.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.stop()
	}
}

// DropConnections cuts every gateway socket without a close frame, as a
// network failure would. Sessions stay resumable; events dispatched while
// disconnected are replayed on RESUME.
func (s *Server) DropConnections() {
	s.mu.Lock()
	var conns []*gwConn
	for c := range s.gw.conns {
		c.dropped = true
		if c.sess != nil {
			if c.sess.conn == c {
				c.sess.conn = nil
			}
			s.recordGatewayLocked(GatewayEvent{Kind: GatewayDropped, SessionID: c.sess.id, Seq: c.sess.seq})
		} else {
			s.recordGatewayLocked(GatewayEvent{Kind: GatewayDropped})
		}
		delete(s.gw.conns, c)
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.stop()
	}
}

// CloseWith closes every gateway socket with a close frame carrying code.
// Codes that end a session in Discord (4004, 4007, 4009-4014) also end the
// fake session, so a RESUME afterwards gets op 9.
func (s *Server) CloseWith(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		s.closeConnLocked(c, code, "")
	}
}

// RequestReconnect sends op 7 RECONNECT on every connection.
func (s *Server) RequestReconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		c.enqueue(outFrame{data: []byte(`{"op":7,"s":null,"t":null,"d":null}`)})
		sid := ""
		if c.sess != nil {
			sid = c.sess.id
		}
		s.recordGatewayLocked(GatewayEvent{Kind: GatewayReconnect, SessionID: sid})
	}
}

// InvalidateSession sends op 9 on every connection; when !resumable the
// sessions are forgotten so the client must IDENTIFY again.
func (s *Server) InvalidateSession(resumable bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		sid := ""
		if c.sess != nil {
			sid = c.sess.id
			if !resumable {
				delete(s.gw.sessions, sid)
			}
		}
		s.sendInvalidSessionLocked(c, sid, resumable)
	}
}

// GatewayEvents returns the gateway log.
func (s *Server) GatewayEvents() []GatewayEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.gw.events)
}

// Identifies returns every IDENTIFY received, accepted or not.
func (s *Server) Identifies() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.gw.identifies)
}

// WaitGatewayEvent waits for a logged gateway event (past or future)
// matching pred.
func (s *Server) WaitGatewayEvent(ctx context.Context, pred func(GatewayEvent) bool) (GatewayEvent, error) {
	var got GatewayEvent
	err := s.waitFor(ctx, "gateway event", func() bool {
		for _, e := range s.gw.events {
			if pred(e) {
				got = e
				return true
			}
		}
		return false
	})
	return got, err
}

// WaitIdentified waits until a valid IDENTIFY has been accepted.
func (s *Server) WaitIdentified(ctx context.Context) error {
	_, err := s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.Kind == GatewayIdentify })
	return err
}

// WaitReady waits until READY has been dispatched and returns its event.
func (s *Server) WaitReady(ctx context.Context) (GatewayEvent, error) {
	return s.WaitGatewayEvent(ctx, func(e GatewayEvent) bool { return e.Kind == GatewayReady })
}

// SessionID is the current gateway session ("" before IDENTIFY).
func (s *Server) SessionID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw.current == nil {
		return ""
	}
	return s.gw.current.id
}

// Sequence is the last sequence number dispatched on the current session.
func (s *Server) Sequence() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw.current == nil {
		return 0
	}
	return s.gw.current.seq
}

// Connected reports whether the current session has a live socket.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.current != nil && s.gw.current.conn != nil
}

// ShardOf is the shard that receives a guild's events when the bot runs
// count shards: (guild_id >> 22) % count, as Discord computes it. DMs
// (guildID "") go to shard 0.
func ShardOf(guildID string, count int) int {
	if guildID == "" || count <= 1 {
		return 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// hasGuild reports whether the session's shard receives the guild's events.
func (g *gwSession) hasGuild(guildID string) bool {
	return ShardOf(guildID, g.shard[1]) == g.shard[0]
}

// sessionForLocked is the session that receives the events of guildID
// ("" for DMs, which Discord sends on shard 0 only): the session of the
// guild's shard, counted with the shard count of the last session to
// identify or resume. It is nil when that shard has no session.
func (s *Server) sessionForLocked(guildID string) *gwSession {
	if s.gw.current == nil {
		return nil
	}
	return s.gw.shards[ShardOf(guildID, s.gw.current.shard[1])]
}

// shardConnsLocked returns the live connections of sessions on shard.
func (s *Server) shardConnsLocked(shard int) []*gwConn {
	var conns []*gwConn
	for c := range s.gw.conns {
		if c.sess != nil && c.sess.shard[0] == shard {
			conns = append(conns, c)
		}
	}
	return conns
}

// DropShard cuts the gateway sockets of one shard's sessions without a
// close frame, as DropConnections does for all of them.
func (s *Server) DropShard(shard int) {
	s.mu.Lock()
	conns := s.shardConnsLocked(shard)
	for _, c := range conns {
		c.dropped = true
		if c.sess.conn == c {
			c.sess.conn = nil
		}
		s.recordGatewayLocked(GatewayEvent{Kind: GatewayDropped, SessionID: c.sess.id, Seq: c.sess.seq, Detail: fmt.Sprintf("shard %d", shard)})
		delete(s.gw.conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.stop()
	}
}

// CloseShardWith closes the gateway sockets of one shard's sessions with a
// close frame carrying code, as CloseWith does for all of them.
func (s *Server) CloseShardWith(shard, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.shardConnsLocked(shard) {
		s.closeConnLocked(c, code, "")
	}
}

// ShardConnected reports whether the session of shard has a live socket.
func (s *Server) ShardConnected(shard int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.gw.shards[shard]
	return sess != nil && sess.conn != nil
}
