// Package bot is briefbot on Discord: it connects over the gateway,
// registers the slash commands and answers interactions and mentions with
// cited passages. It is the only package that imports discordgo; everything
// it answers with comes from a Service.
//
// The package owns what Discord demands of a bot and discordgo leaves to it:
// acknowledging every interaction within 3 s, staying within the message
// limits, never pinging anyone, one rate-limit bucket per interaction, and
// stopping (instead of reconnecting forever) when Discord refuses the token.
package bot

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// Service is what the bot needs from the rest of briefbot.
type Service interface {
	// Ask answers a question. req.OnPartial, when not nil, receives the
	// answer text as it is written (model answers only).
	Ask(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error)
	Search(ctx context.Context, query string, k int) ([]briefbot.Hit, error)
	Documents() []briefbot.Document
	Passage(id string) (briefbot.Passage, bool)
	Info() briefbot.IndexInfo
	// Suggest offers at most n completions of what a user has typed so
	// far, best first: what they typed, then the matching questions among
	// those given (the ones this user may see, best first), then matching
	// document titles and section headings.
	Suggest(typed string, questions []string, n int) []string
	// Reindex rebuilds the index from the corpus while the old one keeps
	// serving; concurrent calls share one rebuild.
	Reindex(ctx context.Context, progress func(done, total int)) (briefbot.ReindexReport, error)
}

// Options configure the bot; they mirror the discord.* configuration keys.
type Options struct {
	Token            string
	ApplicationID    string
	APIBase          string // origin of the REST API, default https://discord.com
	GuildIDs         []string
	ModeratorRoleIDs []string
	Cooldown         time.Duration // per user, between questions
	MaxInFlight      int           // answers computed at once
	// QueueWait is how long an acknowledged question waits for one of the
	// MaxInFlight slots before the user is told the bot is busy; 0 refuses
	// at once. The wait ends at the answer deadline and at shutdown.
	QueueWait time.Duration
	// MaxQueued bounds the questions waiting for a slot (default 64 per
	// slot); past it a question is told the bot is busy at once.
	MaxQueued     int
	AnswerTimeout time.Duration // counted from the question; an answer still running then is replaced by a clear message
	// Records keeps answers, votes and conversations across restarts;
	// nil keeps them in memory only.
	Records briefbot.Records
	// AnswerRetention is how long answers are kept
	// (discord.answer_retention). A button whose answer's record is
	// missing works from its message (stateless.go) until its answer is
	// this old, and then says the answer expired; 0 never says so.
	AnswerRetention time.Duration
	// PrivateByDefault answers /ask privately unless the user sets
	// private:false (discord.private_by_default).
	PrivateByDefault bool
	// ThreadReplies says which messages in a thread the bot started are
	// follow-ups: "mention" (default) or "all" (needs the Message Content
	// intent, which the bot then requests).
	ThreadReplies string
	// Model names the language model, kept with its answers.
	Model string
	// Librarian changes the library for /docs and /audit; nil leaves the
	// library as configured (the commands say so).
	Librarian briefbot.Librarian
	// MaxUploadBytes bounds an attachment given to /docs add
	// (corpus.max_document_bytes; default 25 MB).
	MaxUploadBytes int64
	Logger         *slog.Logger
	// Transport is the HTTP transport under the origin rewrite (tests).
	Transport http.RoundTripper
	// Now is the clock for cooldowns, edit pacing and vote times (tests).
	Now func() time.Time
	// EditInterval is the least time between two progress edits of one
	// message (default 1.5 s).
	EditInterval time.Duration
	// SuggestPublicQuestions makes /ask's autocomplete offer the questions
	// others asked publicly in the same server (never private ones or DMs);
	// each user is always offered their own.
	SuggestPublicQuestions bool
	// Observer hears each question's command, outcome and latency
	// (metrics); nil hears nothing.
	Observer briefbot.Observer
	// Mode is how interactions arrive: ModeGateway (default) or ModeHTTP
	// (InteractionsHandler serves Discord's POSTs; no gateway connection,
	// so no mentions or thread replies).
	Mode string
	// PublicKey is the application's public key, 64 hex characters;
	// required in ModeHTTP to verify requests.
	PublicKey string
	// LogQuestions writes each question's text in its log line
	// (log.questions); off, only its length is logged.
	LogQuestions bool
	// ShutdownTimeout bounds how long Run, once told to stop, lets the
	// answers in flight finish (default 10 s); the users whose answers
	// did not are then told the bot is restarting.
	ShutdownTimeout time.Duration
	// UserRate and GuildRate limit the questions (/ask, /search,
	// mentions, follow-ups) of each user and of each server
	// (discord.rate_limit); a zero Rate is no limit. They apply besides
	// Cooldown.
	UserRate, GuildRate Rate
	// MaxRateKeys bounds the buckets kept in memory (default 20000).
	MaxRateKeys int
	// MaxQuestionChars is the longest question or search accepted, in
	// characters after cleaning (discord.max_question_chars; default
	// 500); longer ones are refused. It is also the max_length of /ask's
	// and /search's text options.
	MaxQuestionChars int
	// ShardCount is the number of gateway shards (discord.shard_count);
	// 0 reads Discord's recommendation from GET /gateway/bot.
	ShardCount int
	// Shards are the shards this process runs (discord.shard_id): nil
	// runs every shard of ShardCount; otherwise ShardCount must be set.
	// DMs arrive on shard 0 only.
	Shards []int
}

// Values of Options.Mode.
const (
	ModeGateway = "gateway"
	ModeHTTP    = "http"
)

// Values of Options.ThreadReplies.
const (
	ThreadRepliesMention = "mention"
	ThreadRepliesAll     = "all"
)

// Bounds of the in-memory records used without a store.
const (
	memoryAnswers = 2000
	memoryTurns   = 8
)

// InvitePermissions is what the bot needs in a channel: View Channels, Send
// Messages, Create Public Threads (follow-ups), Send Messages in Threads,
// Embed Links and Read Message History.
const InvitePermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads |
	discordgo.PermissionEmbedLinks | discordgo.PermissionReadMessageHistory

// InviteURL is the link that adds the application to a server with the
// scopes and permissions the bot needs.
func InviteURL(applicationID string) string {
	q := url.Values{}
	q.Set("client_id", applicationID)
	q.Set("scope", "bot applications.commands")
	q.Set("permissions", fmt.Sprint(InvitePermissions))
	return discordOrigin + "/oauth2/authorize?" + q.Encode()
}

// ackBudget is how long a quick command may work before it defers its
// reply, well inside Discord's 3 s.
const ackBudget = 1500 * time.Millisecond

// Bot is a Discord bot; Run connects it.
type Bot struct {
	opts Options
	svc  Service
	// publicKey verifies HTTP interactions (ModeHTTP only).
	publicKey ed25519.PublicKey
	log       *slog.Logger
	session   *discordgo.Session
	// rest is the shard of session, the first shard this process runs;
	// its session is also the one REST calls go through (shards.go).
	rest *shard

	// shards and gate are set once by Run before any shard connects; gwMu
	// guards them against the event handlers, and the shards' state.
	gwMu   sync.Mutex
	shards []*shard
	gate   *identifyGate
	// identifyNow and identifySleep pace IDENTIFYs (replaced by tests).
	identifyNow   func() time.Time
	identifySleep func(context.Context, time.Duration) error

	cooldown *cooldowns
	limits   *rateLimiter
	inFlight chan struct{}
	// waiting counts the questions waiting for an inFlight slot.
	waiting   atomic.Int64
	questions *askedQuestions
	records   briefbot.Records
	// sharing holds the IDs of answers being shared right now.
	sharing sync.Map
	// refs finds passages by the refs on buttons (stateless.go).
	refs    refIndex
	buckets *bucketPool

	// ackBudget is ackBudget, shortened by tests.
	ackBudget time.Duration

	mu      sync.Mutex
	botUser string
	// botName is the bot's name as users see it, for the help text.
	botName string

	ready     chan struct{}
	readyOnce sync.Once
	connected atomic.Bool // every shard is connected
	// serving: in ModeHTTP, the commands are registered and interactions
	// are answered.
	serving atomic.Bool
	started atomic.Bool

	// stopping is cancelled when Run is told to stop: no new work, and
	// long waits (a slot, a reindex) end then.
	stopping context.Context
	stop     context.CancelFunc
	// halt is cancelled ShutdownTimeout later: the answers still running
	// are abandoned, and their users told.
	halt     context.Context
	haltNow  context.CancelFunc
	handlers tracker
}

// New checks the options and prepares the bot; Run connects it.
func New(opts Options, svc Service) (*Bot, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("discord.token is empty: set DISCORD_TOKEN or discord.token")
	}
	if svc == nil {
		return nil, errors.New("bot: no service to answer from")
	}
	if opts.APIBase == "" {
		opts.APIBase = discordOrigin
	}
	if opts.Cooldown < 0 {
		opts.Cooldown = 0
	}
	if opts.QueueWait < 0 {
		opts.QueueWait = 0
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = 8
	}
	if opts.MaxQueued <= 0 {
		opts.MaxQueued = 64 * opts.MaxInFlight
	}
	if opts.AnswerTimeout <= 0 {
		opts.AnswerTimeout = 20 * time.Second
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if opts.EditInterval <= 0 {
		opts.EditInterval = 1500 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	tr, err := newOriginTransport(opts.APIBase, opts.Transport)
	if err != nil {
		return nil, err
	}
	var publicKey ed25519.PublicKey
	switch opts.Mode {
	case "":
		opts.Mode = ModeGateway
	case ModeGateway:
	case ModeHTTP:
		if publicKey, err = ParsePublicKey(opts.PublicKey); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("discord.mode is %q: want %q or %q", opts.Mode, ModeGateway, ModeHTTP)
	}
	switch opts.ThreadReplies {
	case "":
		opts.ThreadReplies = ThreadRepliesMention
	case ThreadRepliesMention, ThreadRepliesAll:
	default:
		return nil, fmt.Errorf("discord.thread_replies is %q: want %q or %q", opts.ThreadReplies, ThreadRepliesMention, ThreadRepliesAll)
	}
	if opts.MaxQuestionChars <= 0 {
		opts.MaxQuestionChars = defaultMaxQuestionChars
	}
	// Discord refuses a longer max_length, and so the commands.
	opts.MaxQuestionChars = min(opts.MaxQuestionChars, maxOptionLength)
	if opts.UserRate.PerMinute < 0 || opts.GuildRate.PerMinute < 0 {
		return nil, errors.New("bot: a negative rate limit (discord.rate_limit)")
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if opts.Records == nil {
		opts.Records = newMemoryRecords(memoryAnswers, memoryTurns)
	}
	if err := checkShards(opts.ShardCount, opts.Shards); err != nil {
		return nil, err
	}
	token := "Bot " + strings.TrimPrefix(strings.TrimSpace(opts.Token), "Bot ")
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	stopping, stop := context.WithCancel(context.Background())
	halt, haltNow := context.WithCancel(context.Background())
	b := &Bot{
		opts:        opts,
		publicKey:   publicKey,
		svc:         svc,
		log:         opts.Logger,
		session:     s,
		rest:        newShard(s),
		cooldown:    newCooldowns(opts.Cooldown, opts.Now),
		limits:      newRateLimiter(opts.UserRate, opts.GuildRate, opts.Now, opts.MaxRateKeys),
		inFlight:    make(chan struct{}, opts.MaxInFlight),
		questions:   newAskedQuestions(maxQuestionsPerUser, maxQuestionUsers),
		records:     opts.Records,
		buckets:     newBucketPool(s.Ratelimiter),
		ackBudget:   ackBudget,
		ready:       make(chan struct{}),
		identifyNow: time.Now,
		stopping:    stopping,
		stop:        stop,
		halt:        halt,
		haltNow:     haltNow,
	}
	b.identifySleep = sleep
	s.Client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	b.setupSession(b.rest)
	return b, nil
}

// setupSession prepares a shard's session: its dialer reports close codes
// to the shard's watcher, and its events go to the bot's handlers.
func (b *Bot) setupSession(sh *shard) {
	s := sh.session
	s.Dialer = dialer(sh.closes)
	// No privileged intent: mentions carry their content without
	// MESSAGE_CONTENT, and the bot never needs the member list.
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	if b.opts.ThreadReplies == ThreadRepliesAll {
		// Messages in threads that do not mention the bot arrive without
		// their text unless the privileged intent is granted.
		s.Identify.Intents |= discordgo.IntentMessageContent
	}
	// discordgo's own reconnect loop retries forever, even after Discord
	// rejected the token; Run reconnects instead and can stop.
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 3
	s.LogLevel = discordgo.LogWarning
	s.AddHandler(b.onReady)
	s.AddHandler(b.onConnect)
	s.AddHandler(b.onResumed)
	s.AddHandler(b.onDisconnect)
	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
	s.AddHandler(b.onEvent)
}

func init() {
	// discordgo logs with the standard logger unless told otherwise; send
	// its lines to the process's structured log instead.
	discordgo.Logger = func(level, _ int, format string, a ...any) {
		l := slog.LevelDebug
		switch level {
		case discordgo.LogError:
			l = slog.LevelError
		case discordgo.LogWarning:
			l = slog.LevelWarn
		case discordgo.LogInformational:
			l = slog.LevelInfo
		}
		slog.Default().Log(context.Background(), l, redactTokens(fmt.Sprintf(format, a...)), "component", "discordgo")
	}
}

// Run connects to Discord, registers the commands and serves until ctx is
// done (it then returns nil) or Discord refuses the bot for good (a
// *FatalCloseError, or an error explaining a rejected token).
func (b *Bot) Run(ctx context.Context) error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("bot: Run may be called only once")
	}
	defer b.shutdown()
	me, err := b.session.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		var netErr net.Error
		if errors.As(err, &netErr) {
			return fmt.Errorf("discord: cannot reach the API at %s (check the network or discord.api_base): %w", b.opts.APIBase, b.explain(err))
		}
		return fmt.Errorf("discord: check the token: %w", b.explain(err))
	}
	appID := b.opts.ApplicationID
	if appID == "" {
		appID = me.ID // a bot user's ID is its application's ID
	} else if appID != me.ID {
		b.log.Warn("discord.application_id differs from the bot user's ID; command registration may fail", "application_id", appID, "bot_user", me.ID)
	}
	b.opts.ApplicationID = appID
	b.mu.Lock()
	b.botUser, b.botName = me.ID, me.Username
	b.mu.Unlock()
	if err := b.registerCommands(ctx); err != nil {
		return err
	}
	if b.opts.Mode == ModeHTTP {
		// Discord POSTs interactions to InteractionsHandler; there is
		// no connection to keep.
		b.serving.Store(true)
		b.readyOnce.Do(func() { close(b.ready) })
		b.log.Info("serving discord interactions over HTTP", "application_id", appID, "user", me.Username, "guilds", len(b.opts.GuildIDs), "invite", InviteURL(appID))
		<-ctx.Done()
		b.serving.Store(false)
		return nil
	}
	// One session per shard (shards.go); they reconnect on their own.
	if err := b.openShards(ctx); err != nil || ctx.Err() != nil {
		return err
	}
	b.log.Info("discord connected", "application_id", appID, "user", me.Username, "guilds", len(b.opts.GuildIDs), "shards", len(b.shards), "invite", InviteURL(appID))
	return b.serveShards(ctx)
}

// reconnect opens a shard's gateway connection again (discordgo resumes
// the session when it can), backing off while it fails. It gives up only
// when ctx is done or Discord closed with a code reconnecting cannot fix.
func (b *Bot) reconnect(ctx context.Context, sh *shard) error {
	wait := time.Second
	for {
		if ctx.Err() != nil {
			return nil
		}
		// The close that ended the connection may have been fatal; its
		// frame is read before discordgo reports the lost connection.
		if fatal := sh.closes.fatal(); fatal != nil {
			return b.refused(fatal)
		}
		// Shards may have to IDENTIFY again: they keep to the identify
		// rate (a lone shard's backoff is slower than it).
		if len(b.shards) > 1 {
			if d := b.gate.reserve(sh.id); d > 0 && b.identifySleep(ctx, d) != nil {
				return nil
			}
		}
		err := sh.session.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		if fatal := sh.closes.fatal(); fatal != nil {
			return b.refused(fatal)
		}
		b.log.Warn("discord gateway reconnect failed; retrying", append(shardAttrs(sh), "err", b.explain(err), "in", wait)...)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case fatal := <-sh.closes.ch:
			t.Stop()
			return b.refused(fatal)
		case <-t.C:
		}
		wait = min(wait*2, 2*time.Minute)
	}
}

// refused logs that Discord refused the bot for good and returns fatal.
func (b *Bot) refused(fatal *FatalCloseError) error {
	b.log.Error("discord refused the bot; stopping", "code", fatal.Code, "reason", fatal.Reason, "shard", fatal.Shard)
	return fatal
}

// Ready is closed once every shard's gateway session has been ready.
func (b *Bot) Ready() <-chan struct{} { return b.ready }

// Connected reports whether the gateway connections of every shard this
// process runs are up now (never in ModeHTTP, which has none).
func (b *Bot) Connected() bool { return b.connected.Load() }

// Serving reports whether the bot answers interactions now: the gateway
// is connected, or in ModeHTTP the commands are registered.
func (b *Bot) Serving() bool {
	if b.stopping.Err() != nil {
		// Told to stop: send no more work here.
		return false
	}
	if b.opts.Mode == ModeHTTP {
		return b.serving.Load()
	}
	return b.connected.Load()
}

func (b *Bot) onReady(s *discordgo.Session, r *discordgo.Ready) {
	b.mu.Lock()
	if r.User != nil {
		b.botUser, b.botName = r.User.ID, r.User.Username
	}
	b.mu.Unlock()
	sh := b.shardUp(s, true, true)
	b.log.Info("discord shard ready", append(shardAttrs(sh), "guilds", len(r.Guilds))...)
}

func (b *Bot) onConnect(s *discordgo.Session, _ *discordgo.Connect) { b.shardUp(s, true, false) }

func (b *Bot) onResumed(s *discordgo.Session, _ *discordgo.Resumed) {
	sh := b.shardUp(s, true, false)
	b.log.Info("discord session resumed", shardAttrs(sh)...)
}

func (b *Bot) onDisconnect(s *discordgo.Session, _ *discordgo.Disconnect) {
	sh := b.shardUp(s, false, false)
	if b.stopping.Err() != nil || sh == nil {
		return
	}
	b.log.Warn("discord gateway connection lost; reconnecting", shardAttrs(sh)...)
	select {
	case sh.disconnects <- struct{}{}:
	default:
	}
}

// explain turns discordgo's errors into messages that say what to do, with
// tokens redacted. The original error stays reachable with errors.As.
func (b *Bot) explain(err error) error {
	if err == nil {
		return nil
	}
	var msg string
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		switch rest.Response.StatusCode {
		case http.StatusUnauthorized:
			msg = "401 Unauthorized: Discord rejected the bot token (check DISCORD_TOKEN or discord.token; reset the token in the Developer Portal's Bot tab if it leaked)"
		case http.StatusForbidden:
			msg = "403 Forbidden: the bot lacks access (invite it with the scopes \"bot applications.commands\" and check discord.application_id and discord.guild_ids): " + restMessage(rest)
		case http.StatusNotFound:
			msg = "404 Not Found: " + restMessage(rest) + " (check discord.application_id and discord.guild_ids)"
		default:
			msg = fmt.Sprintf("%d %s", rest.Response.StatusCode, restMessage(rest))
		}
	} else {
		msg = redactTokens(err.Error())
		if tok := strings.TrimPrefix(strings.TrimSpace(b.opts.Token), "Bot "); tok != "" {
			msg = strings.ReplaceAll(msg, tok, "[REDACTED]")
		}
	}
	return &discordError{err: err, msg: msg}
}

// discordError is a Discord failure explained for people.
type discordError struct {
	err error
	msg string
}

func (e *discordError) Error() string { return e.msg }
func (e *discordError) Unwrap() error { return e.err }

func restMessage(rest *discordgo.RESTError) string {
	if rest.Message != nil && rest.Message.Message != "" {
		return fmt.Sprintf("%s (code %d)", rest.Message.Message, rest.Message.Code)
	}
	return http.StatusText(rest.Response.StatusCode)
}

// tokenInURL finds interaction and webhook tokens in request URLs.
var tokenInURL = regexp.MustCompile(`(/(?:webhooks|interactions)/\d+/)[A-Za-z0-9_.\-]+`)

func redactTokens(s string) string { return tokenInURL.ReplaceAllString(s, "${1}[token]") }

// commands are the slash commands; registered with one bulk overwrite.
// Names and descriptions are written in English here, and localizeCommands
// adds their translations from the catalogue (i18n.go). The English names
// stay the ones the handlers read.
func commands() []*discordgo.ApplicationCommand { return commandsWith(defaultMaxQuestionChars) }

// commandsWith is commands with /ask's question and /search's query
// bounded to maxQuestion characters (discord.max_question_chars).
func commandsWith(maxQuestion int) []*discordgo.ApplicationCommand {
	manageGuild := int64(discordgo.PermissionManageGuild)
	minResults, maxResults, maxAudit := float64(1), float64(10), float64(maxAuditCount)
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	return localizeCommands([]*discordgo.ApplicationCommand{
		{
			Name:        "ask",
			Description: "Ask a question about the documents; the answer cites its passages",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true, Autocomplete: true, MaxLength: maxQuestion},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Only you see the answer"},
			},
		},
		{
			Name:        "search",
			Description: "Ranked passages for a query, without a summary",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "query", Description: "What to look for", Required: true, MaxLength: maxQuestion},
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "results", Description: "How many passages (1-10)", MinValue: &minResults, MaxValue: maxResults},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Only you see the results"},
			},
		},
		{Name: "sources", Description: "The documents the bot answers from"},
		{
			Name:        "brief",
			Description: "A document's card: authors, date, lead and sections",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "document", Description: "Which document (default: the first)", Autocomplete: true},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Only you see the card"},
			},
		},
		{
			Name:                     "docs",
			Description:              "Manage the documents the bot answers from (moderators)",
			DefaultMemberPermissions: &manageGuild,
			Contexts:                 &guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Add a document: a file (PDF, Word, Markdown, text, HTML) or a link", Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "The document file"},
					{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "A link to the document", MaxLength: 2000},
					{Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "A title to use instead of the document's own", MaxLength: 200},
				}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Stop answering from a document (it can be restored)", Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionString, Name: "document", Description: "Which document", Required: true, Autocomplete: true},
				}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "restore", Description: "Answer from a removed document again", Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionString, Name: "document", Description: "Which document", Required: true, Autocomplete: true},
				}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "purge", Description: "Delete a removed document for good", Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionString, Name: "document", Description: "Which document", Required: true, Autocomplete: true},
				}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "The documents, where they came from, and the ones that failed"},
			},
		},
		{
			Name:                     "audit",
			Description:              "The last changes to the library (moderators)",
			DefaultMemberPermissions: &manageGuild,
			Contexts:                 &guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "count", Description: "How many changes (1-25)", MinValue: &minResults, MaxValue: maxAudit},
			},
		},
		{
			Name:        "reindex",
			Description: "Rebuild the index from the configured documents (moderators)",
			// Sent as a numeric string ("32"), as Discord requires;
			// discordgo's field is tagged ",string".
			DefaultMemberPermissions: &manageGuild,
			Contexts:                 &guildOnly,
		},
	})
}

// registerCommands overwrites the commands in bulk: per guild when guilds
// are configured (instant), globally otherwise. Overwriting with the same
// set is idempotent, so restarts are safe.
func (b *Bot) registerCommands(ctx context.Context) error {
	cmds := commandsWith(b.opts.MaxQuestionChars)
	if len(b.opts.GuildIDs) == 0 {
		if _, err := b.session.ApplicationCommandBulkOverwrite(b.opts.ApplicationID, "", cmds, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("register global commands: %w", b.explain(err))
		}
		return nil
	}
	for _, g := range b.opts.GuildIDs {
		if _, err := b.session.ApplicationCommandBulkOverwrite(b.opts.ApplicationID, g, cmds, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("register commands in guild %s: %w", g, b.explain(err))
		}
	}
	return nil
}

// shutdown ends Run: no new work is taken, the answers in flight get
// ShutdownTimeout to finish, then the rest are abandoned and their users
// told the bot is restarting (those last messages get shutdownTellWait).
func (b *Bot) shutdown() {
	b.stop()
	b.serving.Store(false)
	b.closeShards()
	if b.handlers.stopWithin(b.opts.ShutdownTimeout) {
		b.haltNow()
		return
	}
	b.log.Warn("answers still running at the shutdown timeout; telling their users", "shutdown_timeout", b.opts.ShutdownTimeout, "handlers", b.handlers.running())
	b.haltNow()
	if !b.handlers.stopWithin(shutdownTellWait) {
		b.log.Error("handlers still running after the shutdown; stopping without them", "handlers", b.handlers.running())
	}
}

// shutdownTellWait bounds the wait for the messages telling users their
// answers could not finish before the bot stopped.
const shutdownTellWait = 5 * time.Second

// tracker counts the handlers at work so that Run can wait for them, and
// refuses new ones once Run is stopping (a WaitGroup alone may not grow
// while it is waited on).
type tracker struct {
	mu       sync.Mutex
	stopping bool
	n        int
	wg       sync.WaitGroup
	// idle is closed once every handler ended after stopping.
	once sync.Once
	idle chan struct{}
}

func (t *tracker) begin() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopping {
		return false
	}
	t.wg.Add(1)
	t.n++
	return true
}

func (t *tracker) done() {
	t.mu.Lock()
	t.n--
	t.mu.Unlock()
	t.wg.Done()
}

// running is how many handlers are at work.
func (t *tracker) running() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// stopWithin refuses new handlers and waits up to d for those at work;
// it reports whether they all ended.
func (t *tracker) stopWithin(d time.Duration) bool {
	t.mu.Lock()
	t.stopping = true
	t.mu.Unlock()
	t.once.Do(func() {
		t.idle = make(chan struct{})
		go func() {
			t.wg.Wait()
			close(t.idle)
		}()
	})
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-t.idle:
		return true
	case <-timer.C:
		return false
	}
}
