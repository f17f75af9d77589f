package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/internal/config"
	"github.com/briefbot/briefbot/internal/metrics"
	"github.com/briefbot/briefbot/internal/store"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("serve", "", `Run the Discord bot: register the slash commands and answer until
interrupted, over the gateway (discord.mode: gateway) or as the
application's Interactions Endpoint URL (discord.mode: http, POST
/interactions on http.listen). The token comes from DISCORD_TOKEN (or
discord.token). On http.listen: GET /healthz (alive), GET /readyz (index
open and gateway connected or endpoint serving) and GET /metrics
(Prometheus).`)
	if err := parseNoArgs(fs, args, ""); err != nil {
		return err
	}
	cfg, err := e.config()
	if err != nil {
		return err
	}
	if err := cfg.CheckDiscord(); err != nil {
		return err
	}
	httpMode := cfg.Discord.Mode == config.ModeHTTP
	records, err := store.Open(store.Path(cfg.DataDir), store.Options{
		AnswerRetention: cfg.Discord.AnswerRetention.Duration(),
		MaxTurns:        cfg.Discord.ConversationTurns,
		ConversationTTL: cfg.Discord.ConversationTTL.Duration(),
		Logger:          e.log,
	})
	if err != nil {
		return fmt.Errorf("open the answers and feedback store: %w", err)
	}
	defer records.Close()
	// The library serves the documents moderators added, kept in the
	// same store, and records their changes there.
	e.store = records
	m := metrics.New()
	e.observer = m
	lib, err := e.library(ctx)
	if err != nil {
		return err
	}
	opts := botOptions(cfg, e)
	opts.Records = records
	opts.Librarian = lib
	opts.Observer = m
	b, err := bot.New(opts, lib)
	if err != nil {
		return err
	}
	m.WatchIndex(lib.Info)
	if !httpMode {
		m.WatchGateway(b.Connected)
	}
	ctx, cancel := context.WithCancel(ctx)
	// The background work writes to the store: it ends before the store
	// closes (deferred above, so it runs after this).
	var background sync.WaitGroup
	defer func() {
		cancel()
		background.Wait()
	}()
	// Retention is kept while the bot runs, not only at start-up.
	background.Go(func() { records.RunPruner(ctx, store.DefaultPruneEvery) })
	// URL documents and watched folders are re-checked every
	// corpus.refresh (off when 0), until the bot stops.
	background.Go(func() { lib.RunRefresh(ctx, cfg.Corpus.Refresh.Duration()) })
	if cfg.HTTP.Listen != "" {
		mux := healthMux(lib, b, m.Handler())
		if httpMode {
			mux.Handle("POST /interactions", b.InteractionsHandler())
		}
		stop, err := serveHealth(cfg.HTTP.Listen, mux)
		if err != nil {
			return err
		}
		defer stop()
	}
	err = b.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func botOptions(cfg *config.Config, e *env) bot.Options {
	d := cfg.Discord
	// discord.shard_id -1 runs every shard: no list.
	var shards []int
	if d.ShardID >= 0 {
		shards = []int{d.ShardID}
	}
	return bot.Options{
		Token:            d.Token,
		ApplicationID:    d.ApplicationID,
		APIBase:          d.APIBase,
		GuildIDs:         d.GuildIDs,
		ModeratorRoleIDs: d.ModeratorRoleIDs,
		Cooldown:         d.Cooldown.Duration(),
		MaxInFlight:      d.MaxInFlight,
		QueueWait:        d.QueueWait.Duration(),
		AnswerTimeout:    d.AnswerTimeout.Duration(),
		AnswerRetention:  d.AnswerRetention.Duration(),
		Logger:           e.log,

		SuggestPublicQuestions: d.SuggestPublicQuestions,
		PrivateByDefault:       d.PrivateByDefault,
		ThreadReplies:          d.ThreadReplies,
		Model:                  cfg.LLM.Model,
		MaxUploadBytes:         int64(cfg.Corpus.MaxDocumentBytes),
		Mode:                   d.Mode,
		ShutdownTimeout:        d.ShutdownTimeout.Duration(),
		LogQuestions:           cfg.Log.Questions,
		PublicKey:              d.PublicKey,

		UserRate:         bot.Rate{PerMinute: d.RateLimit.UserPerMinute, Burst: d.RateLimit.UserBurst},
		GuildRate:        bot.Rate{PerMinute: d.RateLimit.GuildPerMinute, Burst: d.RateLimit.GuildBurst},
		MaxQuestionChars: d.MaxQuestionChars,
		ShardCount:       d.ShardCount,
		Shards:           shards,
	}
}

// serveHealth serves the operators' endpoints on addr (see healthMux).
func serveHealth(addr string, h http.Handler) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http.listen %s: %w", addr, err)
	}
	// Bounded in time as in size (POST /interactions reads at most
	// 1 MiB): a client that sends slowly, or never reads, is cut off.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	go srv.Serve(ln)
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}, nil
}

// indexState is what the readiness probe reads of the library.
type indexState interface{ Info() briefbot.IndexInfo }

// gatewayState is what the readiness probe reads of the bot: whether it
// answers interactions (gateway connected, or HTTP endpoint serving).
type gatewayState interface{ Serving() bool }

// healthMux answers GET /healthz with 200 while the process serves (a
// liveness probe: restarting a process that waits for Discord would not
// help) and GET /readyz with 200 once the index is open and the gateway
// connected, 503 otherwise (a readiness probe: send no work before). Both
// return {"ready":…,"index":{…}}, the body /healthz always had. metrics,
// when set, answers GET /metrics.
func healthMux(lib indexState, gw gatewayState, metrics http.Handler) *http.ServeMux {
	state := func() (bool, briefbot.IndexInfo) {
		info := lib.Info()
		// The library's Info is the zero value once the index is closed.
		return info.Version != "" && gw.Serving(), info
	}
	write := func(w http.ResponseWriter, status int, ready bool, info briefbot.IndexInfo) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"ready": ready, "index": info})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ready, info := state()
		write(w, http.StatusOK, ready, info)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ready, info := state()
		status := http.StatusOK
		if !ready {
			status = http.StatusServiceUnavailable
		}
		write(w, status, ready, info)
	})
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	return mux
}
