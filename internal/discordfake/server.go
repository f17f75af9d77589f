package discordfake

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Discord's timing rules for interactions.
const (
	// AckDeadline is how long after dispatch the initial callback may arrive.
	AckDeadline = 3 * time.Second
	// TokenLifetime is how long an interaction token accepts webhook calls.
	TokenLifetime = 15 * time.Minute
)

// Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
const (
	IntentGuilds         int64 = 1 << 0
	IntentGuildMembers   int64 = 1 << 1
	IntentGuildPresences int64 = 1 << 8
	IntentGuildMessages  int64 = 1 << 9
	IntentDirectMessages int64 = 1 << 12
	IntentMessageContent int64 = 1 << 15
	// PrivilegedIntents are refused: the bot must work without them.
	PrivilegedIntents = IntentGuildMembers | IntentGuildPresences | IntentMessageContent
)

// Permission bits used by the fake's permission computation.
const (
	PermCreateInstantInvite    int64 = 1 << 0
	PermKickMembers            int64 = 1 << 1
	PermAdministrator          int64 = 1 << 3
	PermManageChannels         int64 = 1 << 4
	PermManageGuild            int64 = 1 << 5
	PermAddReactions           int64 = 1 << 6
	PermViewChannel            int64 = 1 << 10
	PermSendMessages           int64 = 1 << 11
	PermManageMessages         int64 = 1 << 13
	PermEmbedLinks             int64 = 1 << 14
	PermAttachFiles            int64 = 1 << 15
	PermReadMessageHistory     int64 = 1 << 16
	PermMentionEveryone        int64 = 1 << 17
	PermUseExternalEmojis      int64 = 1 << 18
	PermUseApplicationCommands int64 = 1 << 31
	PermCreatePublicThreads    int64 = 1 << 35
	PermSendMessagesInThreads  int64 = 1 << 38
	// AllPermissions is what owners and administrators get.
	AllPermissions int64 = 1<<51 - 1
	// DefaultEveryonePermissions approximates what Discord gives @everyone
	// in a new guild (Discord's default also has Create Public Threads, so a
	// bot starts threads without a role unless a test takes it away).
	DefaultEveryonePermissions = PermCreateInstantInvite | PermAddReactions | PermViewChannel |
		PermSendMessages | PermEmbedLinks | PermAttachFiles | PermReadMessageHistory |
		PermUseExternalEmojis | PermUseApplicationCommands | PermCreatePublicThreads | PermSendMessagesInThreads
)

// Channel types.
const (
	ChannelGuildText          = 0
	ChannelDM                 = 1
	ChannelGuildVoice         = 2
	ChannelGuildCategory      = 4
	ChannelGuildAnnouncement  = 5
	ChannelAnnouncementThread = 10
	ChannelPublicThread       = 11
	ChannelPrivateThread      = 12
	ChannelGuildForum         = 15
)

// IsThread reports whether a channel type is a thread.
func IsThread(channelType int) bool {
	return channelType == ChannelAnnouncementThread || channelType == ChannelPublicThread || channelType == ChannelPrivateThread
}

// guildChannelTypes are the types AddGuild and AddChannel create; threads
// only come from a message (POST .../threads or StartThread) because a
// thread needs a parent, an owner and a starter message.
var guildChannelTypes = []int{ChannelGuildText, ChannelGuildVoice, ChannelGuildCategory, ChannelGuildAnnouncement, ChannelGuildForum}

// Options configures a Server. The zero value is usable.
type Options struct {
	// Token is the bot token; requests must send "Authorization: Bot <Token>".
	Token string
	// ApplicationID is also the bot user's ID, as for every modern app.
	ApplicationID string
	// BotName is the bot user's username.
	BotName string
	// Now is the clock for Discord's deadlines (3 s acknowledgement, 15 min
	// tokens) and for timestamps. Use a *Clock to expire without sleeping.
	// Rate-limit windows always use the wall clock because the client sleeps
	// on them.
	Now func() time.Time
	// HeartbeatInterval is sent in HELLO (default 41.25 s, Discord's value).
	// discordgo sends one heartbeat right after connecting and then one per
	// interval. Keep it above 1 s in tests that reconnect: discordgo's
	// Session.Close sleeps 1 s, and an old heartbeat goroutine that ticks
	// during that sleep writes to the dead socket and closes the new one.
	HeartbeatInterval time.Duration
	// SpecPath overrides the location of Discord's openapi.json.
	SpecPath string
	// RateLimit is the default per-route bucket (default 5 per second).
	RateLimit RateLimit
	// RouteRateLimits overrides RateLimit per route, keyed by method and
	// spec template: "POST /channels/{channel_id}/messages".
	RouteRateLimits map[string]RateLimit
	// Guilds and Users to create. When Guilds is nil a default guild with
	// one text channel, an owner and a plain member is created (see
	// Server.GuildID, ChannelID, UserID, OwnerID).
	Guilds []Guild
	Users  []User
	// AllowUnregisteredCommands lets Interact dispatch commands the bot never
	// registered (Discord itself never does).
	AllowUnregisteredCommands bool
	// GrantedIntents are the privileged intents the application is
	// approved for (the Developer Portal's switches); others are refused.
	GrantedIntents int64
	// AllowViolations stops the cleanup check that fails the test when
	// violations were recorded and not taken with TakeViolations.
	AllowViolations bool
	// RequireAPIVersion, when set (e.g. "10"), records a violation for REST
	// calls and gateway connections using another version. discordgo
	// v0.29.0 builds REST URLs with /api/v9/ and dials the gateway with v=9.
	RequireAPIVersion string
	// Logger receives one line per request and gateway event (default: discard).
	Logger *slog.Logger
	// RecommendedShards is the shard count GET /gateway/bot recommends
	// (default 1). Events of a guild go to the session of its shard,
	// (guild_id >> 22) % shard_count, and DMs to shard 0, as on Discord.
	RecommendedShards int
	// MaxConcurrency is GET /gateway/bot's
	// session_start_limit.max_concurrency (default 1): how many shards may
	// identify per 5 s. The fake does not enforce it; Identifies records
	// when each shard identified.
	MaxConcurrency int
}

// RateLimit describes a bucket: Limit requests per Window.
type RateLimit struct {
	Limit  int
	Window time.Duration
}

// User is a Discord user.
type User struct {
	ID         string
	Username   string
	GlobalName string
	Bot        bool
}

// Role is a guild role. The @everyone role has the guild's ID.
type Role struct {
	ID          string
	Name        string
	Permissions int64
	Position    int
}

// Channel is a guild channel, a DM channel (GuildID empty) or a thread.
type Channel struct {
	ID      string
	GuildID string
	Name    string
	// Type is ChannelGuildText when zero; AddGuild and AddChannel also
	// create voice, category, announcement and forum channels. Threads
	// (ChannelPublicThread, ChannelAnnouncementThread) are started from a
	// message and take its ID, as on Discord.
	Type        int
	RecipientID string // DM channels only

	// Thread fields.
	ParentID            string         // the channel the starter message is in
	OwnerID             string         // who started the thread
	Members             []ThreadMember // the owner, then each user who posted in it
	AutoArchiveDuration int            // minutes: 60, 1440, 4320 or 10080 (the fake never archives)
	RateLimitPerUser    int            // slowmode seconds, as sent (not enforced)
	CreatedAt           time.Time
}

// ThreadMember is a user who joined a thread: its owner, or a user who
// posted in it (Discord adds posters to the thread).
type ThreadMember struct {
	UserID   string
	JoinedAt time.Time
}

func cloneChannel(c *Channel) Channel {
	cp := *c
	cp.Members = slices.Clone(c.Members)
	return cp
}

// Member is a user's membership in a guild.
type Member struct {
	UserID   string
	Roles    []string
	Nick     string
	JoinedAt time.Time
}

// Guild is a server with its roles, channels and members.
type Guild struct {
	ID       string
	Name     string
	OwnerID  string
	Roles    []Role
	Channels []Channel
	Members  []Member
}

// Server is a running fake. Its exported fields are set by New and must not
// be changed.
type Server struct {
	BaseURL       string // http://127.0.0.1:PORT, the replacement for https://discord.com
	GatewayURL    string // ws://127.0.0.1:PORT/
	ApplicationID string
	Token         string
	Bot           User
	PublicKeyHex  string // ed25519 key that verifies signed HTTP interactions
	// Defaults created when Options.Guilds is nil (else GuildID/ChannelID
	// are the first configured guild and channel).
	GuildID, ChannelID, UserID, OwnerID string

	t       testing.TB
	opts    Options
	now     func() time.Time
	log     *slog.Logger
	spec    *apiSpec
	hs      *httptest.Server
	priv    ed25519.PrivateKey
	pub     ed25519.PublicKey
	wg      sync.WaitGroup
	idMu    sync.Mutex
	lastID  uint64
	upgrade websocket.Upgrader

	mu            sync.Mutex
	closed        bool
	changed       chan struct{}
	users         map[string]*User
	guilds        map[string]*Guild
	guildOrder    []string
	channels      map[string]*Channel
	threadOrder   []string // thread IDs, oldest first
	messages      map[string]*Message
	msgOrder      []string
	commands      map[string][]*storedCommand // by guild ID, "" = global
	registrations []Registration
	interactions  map[string]*Interaction
	byToken       map[string]*Interaction
	requests      []Request
	violations    []Violation
	faults        []*fault
	files         map[string]*stored // by attachment ID: what the CDN serves
	cdnKey        []byte             // signs ephemeral CDN links
	buckets       map[string]*bucket
	gw            gatewayState
}

// Registration records one bulk overwrite (or single create) of commands.
type Registration struct {
	GuildID  string // "" for global commands
	Names    []string
	Changed  bool // false when the body matched what was stored (idempotent)
	At       time.Time
	Commands []Command
}

// ViolationKind classifies a Violation.
type ViolationKind string

// Violation kinds.
const (
	ViolationInvalidBody         ViolationKind = "invalid_body"         // 400 50035: spec or hand rule
	ViolationInvalidJSON         ViolationKind = "invalid_json"         // 400 50109
	ViolationEmptyMessage        ViolationKind = "empty_message"        // 400 50006
	ViolationUnexpectedRequest   ViolationKind = "unexpected_request"   // route the fake (or Discord) does not serve
	ViolationUnauthorized        ViolationKind = "unauthorized"         // 401 on a bot-token route
	ViolationUnknownWebhook      ViolationKind = "unknown_webhook"      // webhook call before the callback or with a bad/expired token
	ViolationUnknownInteraction  ViolationKind = "unknown_interaction"  // callback to an unknown interaction
	ViolationAlreadyAcknowledged ViolationKind = "already_acknowledged" // 400 40060
	ViolationLateAck             ViolationKind = "late_ack"             // callback after 3 s: 404 10062
	ViolationNoAck               ViolationKind = "no_ack"               // no callback and the 3 s deadline passed
	ViolationCallbackType        ViolationKind = "callback_type"        // callback type invalid for the interaction
	ViolationRateLimit           ViolationKind = "rate_limit"           // request sent into an exhausted bucket
	ViolationPrivilegedIntent    ViolationKind = "privileged_intent"    // IDENTIFY asked for a privileged intent
	ViolationGateway             ViolationKind = "gateway"              // gateway protocol error
	ViolationAPIVersion          ViolationKind = "api_version"          // see Options.RequireAPIVersion
)

// Violation is one thing the bot did that Discord rejects or the project
// forbids.
type Violation struct {
	Kind   ViolationKind
	Method string
	Path   string
	Route  string
	Detail string
	Errors []string // "path: CODE: message" for invalid bodies
	Body   string   // request body, truncated to 2 KiB
	At     time.Time
}

// Has reports whether one of the violation's field errors has the code.
func (v Violation) Has(code string) bool {
	for _, e := range v.Errors {
		if strings.Contains(e, ": "+code+": ") {
			return true
		}
	}
	return false
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]", v.Kind)
	if v.Method != "" {
		fmt.Fprintf(&b, " %s %s", v.Method, v.Path)
	}
	if v.Detail != "" {
		b.WriteString(": " + v.Detail)
	}
	for _, e := range v.Errors {
		b.WriteString("\n\t\t" + e)
	}
	if v.Body != "" {
		b.WriteString("\n\t\tbody: " + v.Body)
	}
	return b.String()
}

// New starts a fake on 127.0.0.1 and stops it when the test ends. It skips
// the test when Discord's OpenAPI document is absent.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	specPath := opts.SpecPath
	if specPath == "" {
		var err error
		specPath, err = findSpec()
		if err != nil {
			t.Skipf("discordfake: skipping, Discord OpenAPI spec unavailable: %v", err)
		}
	}
	spec, err := loadSpec(specPath)
	if err != nil {
		t.Fatalf("discordfake: %v", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("discordfake: generate key: %v", err)
	}
	s := &Server{
		t:            t,
		opts:         opts,
		spec:         spec,
		pub:          pub,
		priv:         priv,
		PublicKeyHex: hex.EncodeToString(pub),
		changed:      make(chan struct{}),
		users:        map[string]*User{},
		guilds:       map[string]*Guild{},
		channels:     map[string]*Channel{},
		messages:     map[string]*Message{},
		commands:     map[string][]*storedCommand{},
		interactions: map[string]*Interaction{},
		byToken:      map[string]*Interaction{},
		buckets:      map[string]*bucket{},
		files:        map[string]*stored{},
		cdnKey:       []byte(randomHex(32)),
		upgrade:      websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
	s.now = opts.Now
	if s.now == nil {
		s.now = time.Now
	}
	s.log = opts.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.opts.HeartbeatInterval <= 0 {
		s.opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	if s.opts.RecommendedShards <= 0 {
		s.opts.RecommendedShards = 1
	}
	if s.opts.MaxConcurrency <= 0 {
		s.opts.MaxConcurrency = 1
	}
	if s.opts.RateLimit.Limit <= 0 {
		s.opts.RateLimit.Limit = 5
	}
	if s.opts.RateLimit.Window <= 0 {
		s.opts.RateLimit.Window = time.Second
	}
	s.gw.init()

	s.Token = opts.Token
	if s.Token == "" {
		s.Token = "discordfake." + hex.EncodeToString(pub[:8])
	}
	s.ApplicationID = opts.ApplicationID
	if s.ApplicationID == "" {
		s.ApplicationID = s.newID()
	}
	name := opts.BotName
	if name == "" {
		name = "briefbot-test"
	}
	s.Bot = User{ID: s.ApplicationID, Username: name, Bot: true}
	s.users[s.Bot.ID] = &s.Bot

	for _, u := range opts.Users {
		s.AddUser(u)
	}
	if opts.Guilds == nil {
		owner := s.AddUser(User{Username: "owner"})
		user := s.AddUser(User{Username: "tester"})
		g := s.AddGuild(Guild{
			Name:     "Test Guild",
			OwnerID:  owner.ID,
			Channels: []Channel{{Name: "general"}},
			Members:  []Member{{UserID: owner.ID}, {UserID: user.ID}},
		})
		s.OwnerID, s.UserID = owner.ID, user.ID
		s.GuildID, s.ChannelID = g.ID, g.Channels[0].ID
	} else {
		for _, g := range opts.Guilds {
			g = s.AddGuild(g)
			if s.GuildID == "" {
				s.GuildID = g.ID
				if len(g.Channels) > 0 {
					s.ChannelID = g.Channels[0].ID
				}
			}
		}
	}

	s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.BaseURL = s.hs.URL
	s.GatewayURL = "ws://" + s.hs.Listener.Addr().String() + "/"
	t.Cleanup(s.shutdown)
	return s
}

func (s *Server) shutdown() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.closeAllConns()
	s.hs.Close()
	s.wg.Wait()
	if s.opts.AllowViolations {
		return
	}
	if vs := s.Violations(); len(vs) > 0 {
		s.t.Errorf("discordfake: %d violation(s) recorded and not taken (use TakeViolations in tests that expect them):%s", len(vs), formatViolations(vs))
	}
}

func formatViolations(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("\n\t" + v.String())
	}
	return b.String()
}

// Transport returns a RoundTripper that sends https://discord.com (and
// discordapp.com) API calls and CDN fetches to the fake, and refuses every
// other host so a test can never reach the network.
func (s *Server) Transport() http.RoundTripper {
	base, _ := url.Parse(s.BaseURL)
	next := http.DefaultTransport.(*http.Transport).Clone()
	next.Proxy = nil
	return &rewriteTransport{base: base, next: next}
}

// HTTPClient is an http.Client using Transport, for discordgo's Session.Client.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: 20 * time.Second}
}

// Dialer returns a WebSocket dialer that connects to the fake whatever host
// the URL names. discordgo does not need it (the fake's /gateway answer
// already points at the fake); it is for code that hard-codes
// wss://gateway.discord.gg.
func (s *Server) Dialer() *websocket.Dialer {
	addr := s.hs.Listener.Addr().String()
	return &websocket.Dialer{
		NetDial: func(network, _ string) (net.Conn, error) {
			return net.Dial(network, addr)
		},
		HandshakeTimeout: 10 * time.Second,
	}
}

type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

func (rt *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := strings.ToLower(req.URL.Hostname())
	prefix := ""
	switch host {
	case "discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com":
	case "cdn.discordapp.com", "media.discordapp.net":
		prefix = "/cdn"
	default:
		if req.URL.Host == rt.base.Host {
			return rt.next.RoundTrip(req)
		}
		return nil, fmt.Errorf("discordfake: refusing request to %s: only Discord hosts are rewritten to the fake", req.URL.Host)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = rt.base.Scheme
	r.URL.Host = rt.base.Host
	r.URL.Path = prefix + req.URL.Path
	if req.URL.RawPath != "" {
		r.URL.RawPath = prefix + req.URL.RawPath
	}
	r.Host = ""
	return rt.next.RoundTrip(r)
}

// Clock is a manual clock for Options.Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at start (a fixed date when zero).
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	}
	return &Clock{now: start}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

const discordEpochMS = 1420070400000

// newID makes a snowflake from the fake clock, strictly increasing.
func (s *Server) newID() string {
	ms := uint64(0)
	if t := s.now().UnixMilli() - discordEpochMS; t > 0 {
		ms = uint64(t)
	}
	s.idMu.Lock()
	defer s.idMu.Unlock()
	id := ms<<22 | 1<<17
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatUint(id, 10)
}

// GuildIDOnShard returns a new snowflake for a guild whose events go to
// shard when the bot runs count shards (see ShardOf); pass it as Guild.ID.
func (s *Server) GuildIDOnShard(shard, count int) string {
	if count < 1 || shard < 0 || shard >= count {
		panic(fmt.Sprintf("discordfake: GuildIDOnShard(%d, %d): want 0 <= shard < count", shard, count))
	}
	base, _ := strconv.ParseUint(s.newID(), 10, 64)
	id := base
	for int((id>>22)%uint64(count)) != shard {
		id += 1 << 22
	}
	s.idMu.Lock()
	defer s.idMu.Unlock()
	// Later IDs come after this one, so none can repeat it.
	s.lastID = max(s.lastID, id)
	return strconv.FormatUint(id, 10)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("discordfake: crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}

// notifyLocked wakes every waiter; callers hold s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until check (run under s.mu) returns true.
func (s *Server) waitFor(ctx context.Context, what string, check func() bool) error {
	for {
		s.mu.Lock()
		ok := check()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("discordfake: waiting for %s: %w", what, ctx.Err())
		case <-ch:
		}
	}
}

func (s *Server) recordViolationLocked(v Violation) {
	if v.At.IsZero() {
		v.At = s.now()
	}
	if len(v.Body) > 2048 {
		v.Body = v.Body[:2048] + "…"
	}
	s.violations = append(s.violations, v)
	s.log.Warn("discordfake violation", "kind", v.Kind, "method", v.Method, "path", v.Path, "detail", v.Detail, "errors", v.Errors)
	s.notifyLocked()
}

// Violations returns the violations recorded so far, plus one no_ack
// violation per interaction whose 3 s deadline passed without a callback.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs, _ := s.violationsLocked()
	return vs
}

func (s *Server) violationsLocked() ([]Violation, []*Interaction) {
	out := slices.Clone(s.violations)
	var unanswered []*Interaction
	now := s.now()
	for _, id := range s.interactionOrderLocked() {
		it := s.interactions[id]
		if it.callback == nil && !it.lateReported && now.Sub(it.DispatchedAt) > AckDeadline {
			out = append(out, Violation{Kind: ViolationNoAck, Detail: fmt.Sprintf("interaction %s (%s) got no callback within %v", it.ID, it.describe(), AckDeadline), At: now})
			unanswered = append(unanswered, it)
		}
	}
	return out, unanswered
}

// TakeViolations returns the violations and forgets them, for tests that
// provoke violations on purpose. An interaction reported as no_ack is
// reported once.
func (s *Server) TakeViolations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs, unanswered := s.violationsLocked()
	s.violations = nil
	for _, it := range unanswered {
		it.lateReported = true
	}
	return vs
}

// AssertClean fails the test listing every violation recorded so far.
func (s *Server) AssertClean(t testing.TB) {
	t.Helper()
	if vs := s.Violations(); len(vs) > 0 {
		t.Errorf("discordfake: %d violation(s):%s", len(vs), formatViolations(vs))
	}
}

// WaitViolation waits for a violation matching pred and returns it.
func (s *Server) WaitViolation(ctx context.Context, pred func(Violation) bool) (Violation, error) {
	var got Violation
	err := s.waitFor(ctx, "violation", func() bool {
		for _, v := range s.violations {
			if pred(v) {
				got = v
				return true
			}
		}
		return false
	})
	return got, err
}

// AddUser registers a user (ID and Username are generated when empty).
func (s *Server) AddUser(u User) User {
	if u.ID == "" {
		u.ID = s.newID()
	}
	if u.Username == "" {
		u.Username = "user" + u.ID[len(u.ID)-4:]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := u
	s.users[u.ID] = &cp
	return u
}

// User returns a registered user.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// AddGuild registers a guild, filling IDs, the @everyone role (with
// DefaultEveryonePermissions), users for unknown member IDs and the bot's
// own membership. If the bot is connected it receives GUILD_CREATE.
func (s *Server) AddGuild(g Guild) Guild {
	if g.ID == "" {
		g.ID = s.newID()
	}
	if g.Name == "" {
		g.Name = "guild-" + g.ID
	}
	g.Roles = slices.Clone(g.Roles)
	g.Channels = slices.Clone(g.Channels)
	g.Members = slices.Clone(g.Members)
	hasEveryone := false
	for i := range g.Roles {
		if g.Roles[i].ID == "" {
			g.Roles[i].ID = s.newID()
		}
		if g.Roles[i].ID == g.ID {
			hasEveryone = true
			g.Roles[i].Name = "@everyone"
			g.Roles[i].Position = 0
		}
	}
	if !hasEveryone {
		g.Roles = append([]Role{{ID: g.ID, Name: "@everyone", Permissions: DefaultEveryonePermissions}}, g.Roles...)
	}
	for i := range g.Channels {
		if g.Channels[i].ID == "" {
			g.Channels[i].ID = s.newID()
		}
		if g.Channels[i].Name == "" {
			g.Channels[i].Name = "channel-" + g.Channels[i].ID
		}
		g.Channels[i].GuildID = g.ID
		if !slices.Contains(guildChannelTypes, g.Channels[i].Type) {
			// AddGuild has no error result; a bad type is a test bug, and
			// Errorf is safe from any goroutine.
			s.t.Errorf("discordfake: AddGuild: channel %q has type %d; AddGuild creates types %v (threads start from a message)", g.Channels[i].Name, g.Channels[i].Type, guildChannelTypes)
			g.Channels[i].Type = ChannelGuildText
		}
	}
	hasBot := false
	for i := range g.Members {
		if g.Members[i].UserID == s.Bot.ID {
			hasBot = true
		}
	}
	if !hasBot {
		g.Members = append(g.Members, Member{UserID: s.Bot.ID})
	}
	if g.OwnerID == "" {
		g.OwnerID = g.Members[0].UserID
	}
	for i := range g.Members {
		if g.Members[i].JoinedAt.IsZero() {
			g.Members[i].JoinedAt = s.now().Add(-24 * time.Hour)
		}
		if _, ok := s.User(g.Members[i].UserID); !ok {
			s.AddUser(User{ID: g.Members[i].UserID})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := g
	if _, exists := s.guilds[g.ID]; !exists {
		s.guildOrder = append(s.guildOrder, g.ID)
	}
	s.guilds[g.ID] = &cp
	for i := range cp.Channels {
		c := cp.Channels[i]
		s.channels[c.ID] = &c
	}
	if sess := s.sessionForLocked(cp.ID); sess != nil && sess.ready && sess.intents&IntentGuilds != 0 {
		s.dispatchLocked(sess, "GUILD_CREATE", s.guildCreatePayloadLocked(&cp, sess.intents))
	}
	s.notifyLocked()
	return g
}

// AddChannel registers a channel in an existing guild (a text channel
// unless Type says otherwise), or a DM channel with RecipientID when
// GuildID is empty.
func (s *Server) AddChannel(c Channel) (Channel, error) {
	if c.ID == "" {
		c.ID = s.newID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.GuildID == "" {
		if c.RecipientID == "" {
			return Channel{}, errors.New("discordfake: a DM channel needs RecipientID")
		}
		c.Type = ChannelDM
	} else {
		g, ok := s.guilds[c.GuildID]
		if !ok {
			return Channel{}, fmt.Errorf("discordfake: add channel: unknown guild %s", c.GuildID)
		}
		if !slices.Contains(guildChannelTypes, c.Type) {
			return Channel{}, fmt.Errorf("discordfake: add channel: type %d is not one of %v (threads start from a message: StartThread)", c.Type, guildChannelTypes)
		}
		if c.Name == "" {
			c.Name = "channel-" + c.ID
		}
		g.Channels = append(g.Channels, c)
	}
	cp := c
	s.channels[c.ID] = &cp
	s.notifyLocked()
	return c, nil
}

// SetMember adds or replaces a guild member (the user is created if unknown).
func (s *Server) SetMember(guildID string, m Member) error {
	if _, ok := s.User(m.UserID); !ok {
		s.AddUser(User{ID: m.UserID})
	}
	if m.JoinedAt.IsZero() {
		m.JoinedAt = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guilds[guildID]
	if !ok {
		return fmt.Errorf("discordfake: set member: unknown guild %s", guildID)
	}
	for _, r := range m.Roles {
		if s.roleLocked(g, r) == nil {
			return fmt.Errorf("discordfake: set member: unknown role %s in guild %s", r, guildID)
		}
	}
	m.Roles = slices.Clone(m.Roles)
	for i := range g.Members {
		if g.Members[i].UserID == m.UserID {
			g.Members[i] = m
			s.notifyLocked()
			return nil
		}
	}
	g.Members = append(g.Members, m)
	s.notifyLocked()
	return nil
}

// RemoveMember removes a user from a guild.
func (s *Server) RemoveMember(guildID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.guilds[guildID]; ok {
		g.Members = slices.DeleteFunc(g.Members, func(m Member) bool { return m.UserID == userID })
		s.notifyLocked()
	}
}

// AddRole adds a role to a guild (ID generated when empty).
func (s *Server) AddRole(guildID string, r Role) (Role, error) {
	if r.ID == "" {
		r.ID = s.newID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guilds[guildID]
	if !ok {
		return Role{}, fmt.Errorf("discordfake: add role: unknown guild %s", guildID)
	}
	if r.Position == 0 {
		r.Position = len(g.Roles)
	}
	g.Roles = append(g.Roles, r)
	s.notifyLocked()
	return r, nil
}

// Guild returns a copy of a guild.
func (s *Server) Guild(id string) (Guild, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guilds[id]
	if !ok {
		return Guild{}, false
	}
	cp := *g
	cp.Roles = slices.Clone(g.Roles)
	cp.Channels = slices.Clone(g.Channels)
	cp.Members = slices.Clone(g.Members)
	return cp, true
}

func (s *Server) roleLocked(g *Guild, id string) *Role {
	for i := range g.Roles {
		if g.Roles[i].ID == id {
			return &g.Roles[i]
		}
	}
	return nil
}

func (s *Server) memberLocked(g *Guild, userID string) *Member {
	for i := range g.Members {
		if g.Members[i].UserID == userID {
			return &g.Members[i]
		}
	}
	return nil
}

// MemberPermissions computes a member's guild-level permissions the way
// Discord does before channel overwrites: @everyone OR member roles, and
// everything for the owner or an administrator.
func (s *Server) MemberPermissions(guildID, userID string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.memberPermissionsLocked(guildID, userID, nil)
}

func (s *Server) memberPermissionsLocked(guildID, userID string, roles []string) (int64, error) {
	g, ok := s.guilds[guildID]
	if !ok {
		return 0, fmt.Errorf("discordfake: unknown guild %s", guildID)
	}
	m := s.memberLocked(g, userID)
	if m == nil {
		return 0, fmt.Errorf("discordfake: user %s is not a member of guild %s", userID, guildID)
	}
	if g.OwnerID == userID {
		return AllPermissions, nil
	}
	if roles == nil {
		roles = m.Roles
	}
	var p int64
	if r := s.roleLocked(g, g.ID); r != nil {
		p = r.Permissions
	}
	for _, id := range roles {
		if r := s.roleLocked(g, id); r != nil {
			p |= r.Permissions
		}
	}
	if p&PermAdministrator != 0 {
		return AllPermissions, nil
	}
	return p, nil
}
