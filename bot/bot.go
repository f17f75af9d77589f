// Package bot is briefbot on Discord: it connects over the gateway,
// registers the slash commands and answers interactions and mentions with
// cited passages. It is the only package that imports discordgo; everything
// it answers with comes from a Service.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// Service is what the bot needs from the rest of briefbot.
type Service interface {
	// Ask answers a question. onPartial, when not nil, receives the answer
	// text as it is written (model answers only).
	Ask(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error)
	Search(ctx context.Context, query string, k int) ([]briefbot.Hit, error)
	Documents() []briefbot.Document
	Passage(id string) (briefbot.Passage, bool)
	Info() briefbot.IndexInfo
	// Suggest returns questions and section titles matching what a user
	// has typed so far, best first.
	Suggest(typed string, n int) []string
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
	AnswerTimeout    time.Duration // an answer still running then is replaced by a clear message
	DataDir          string        // feedback votes are kept here
	Logger           *slog.Logger
	// Transport is the HTTP transport under the origin rewrite (tests).
	Transport http.RoundTripper
	// Now is the clock (tests).
	Now func() time.Time
	// EditInterval is the least time between two streaming edits of one
	// answer (default 1.5 s).
	EditInterval time.Duration
}

// Bot is a running Discord bot.
type Bot struct {
	opts    Options
	svc     Service
	log     *slog.Logger
	session *discordgo.Session
	closes  *closeWatcher

	cooldown *cooldowns
	inFlight chan struct{}
	answers  *answerCache
	feedback *feedbackStore

	mu      sync.Mutex
	botUser string
	ready   chan struct{}
	readyMu sync.Once

	wg sync.WaitGroup // interaction handlers in progress
}

// New checks the options and prepares the bot; Run connects it.
func New(opts Options, svc Service) (*Bot, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("discord.token is empty: set DISCORD_TOKEN or discord.token")
	}
	if opts.APIBase == "" {
		opts.APIBase = discordOrigin
	}
	if opts.Cooldown < 0 {
		opts.Cooldown = 0
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = 8
	}
	if opts.AnswerTimeout <= 0 {
		opts.AnswerTimeout = 20 * time.Second
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
	fb, err := openFeedback(opts.DataDir)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + strings.TrimPrefix(opts.Token, "Bot "))
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	b := &Bot{
		opts:     opts,
		svc:      svc,
		log:      opts.Logger,
		session:  s,
		closes:   newCloseWatcher(),
		cooldown: newCooldowns(opts.Cooldown, opts.Now),
		inFlight: make(chan struct{}, opts.MaxInFlight),
		answers:  newAnswerCache(2000),
		feedback: fb,
		ready:    make(chan struct{}),
	}
	s.Client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	s.Dialer = dialer(b.closes)
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	s.ShouldReconnectOnError = true
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 3
	s.LogLevel = discordgo.LogError
	s.AddHandler(b.onReady)
	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
	return b, nil
}

// Run connects to Discord, registers the commands and serves until ctx is
// done or Discord refuses the bot for good.
func (b *Bot) Run(ctx context.Context) error {
	me, err := b.session.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: check token: %w", b.explain(err))
	}
	appID := b.opts.ApplicationID
	if appID == "" {
		appID = me.ID // a bot user's ID is its application's ID
	}
	b.opts.ApplicationID = appID
	b.mu.Lock()
	b.botUser = me.ID
	b.mu.Unlock()
	if err := b.registerCommands(ctx); err != nil {
		return err
	}
	if err := b.session.Open(); err != nil {
		select {
		case fatal := <-b.closes.ch:
			return fatal
		default:
		}
		return fmt.Errorf("discord gateway: %w", b.explain(err))
	}
	b.log.Info("discord connected", "application_id", appID, "user", me.Username, "guilds", len(b.opts.GuildIDs))
	var runErr error
	select {
	case <-ctx.Done():
	case fatal := <-b.closes.ch:
		runErr = fatal
		b.log.Error("discord refused the bot; stopping", "code", fatal.Code, "reason", fatal.Reason)
	}
	b.session.Close()
	b.wg.Wait()
	return runErr
}

// Ready is closed once the gateway session is ready (tests).
func (b *Bot) Ready() <-chan struct{} { return b.ready }

func (b *Bot) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	b.mu.Lock()
	if r.User != nil {
		b.botUser = r.User.ID
	}
	b.mu.Unlock()
	b.readyMu.Do(func() { close(b.ready) })
}

// explain turns discordgo's errors into messages that say what to do, with
// the token redacted.
func (b *Bot) explain(err error) error {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		switch rest.Response.StatusCode {
		case http.StatusUnauthorized:
			return errors.New("401 Unauthorized: the bot token was rejected (check DISCORD_TOKEN)")
		case http.StatusForbidden:
			return errors.New("403 Forbidden: the bot lacks access (check the application's scopes: bot applications.commands)")
		}
	}
	msg := strings.ReplaceAll(err.Error(), b.opts.Token, "[REDACTED]")
	return errors.New(msg)
}

// commands are the slash commands; registered with one bulk overwrite.
func commands() []*discordgo.ApplicationCommand {
	manageGuild := int64(discordgo.PermissionManageGuild)
	minResults, maxResults := float64(1), float64(10)
	return []*discordgo.ApplicationCommand{
		{
			Name:        "ask",
			Description: "Ask a question about the documents; the answer cites its passages",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true, Autocomplete: true, MaxLength: 500},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Only you see the answer"},
			},
		},
		{
			Name:        "search",
			Description: "Ranked passages for a query, without a summary",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "query", Description: "What to look for", Required: true, MaxLength: 500},
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "results", Description: "How many passages (1-10)", MinValue: &minResults, MaxValue: maxResults},
			},
		},
		{Name: "sources", Description: "The documents the bot answers from", Options: []*discordgo.ApplicationCommandOption{}},
		{
			Name:        "brief",
			Description: "A document's card: authors, date, lead and sections",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "document", Description: "Which document (default: the first)", Autocomplete: true},
			},
		},
		{
			Name:                     "reindex",
			Description:              "Rebuild the index from the configured documents (moderators)",
			DefaultMemberPermissions: &manageGuild,
			Options:                  []*discordgo.ApplicationCommandOption{},
		},
	}
}

// registerCommands overwrites the commands in bulk: per guild when guilds
// are configured (instant), globally otherwise. Overwriting with the same
// set is idempotent, so restarts are safe.
func (b *Bot) registerCommands(ctx context.Context) error {
	cmds := commands()
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
