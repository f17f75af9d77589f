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

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/internal/config"
	"github.com/briefbot/briefbot/internal/library"
	"github.com/briefbot/briefbot/internal/store"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("serve", "", `Run the Discord bot: connect over the gateway, register the slash
commands and answer until interrupted. The token comes from DISCORD_TOKEN
(or discord.token); GET /healthz on http.listen reports readiness.`)
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
	if cfg.Discord.Mode != config.ModeGateway {
		return fmt.Errorf("discord.mode %q: only %q is supported so far", cfg.Discord.Mode, config.ModeGateway)
	}
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
	lib, err := e.library(ctx)
	if err != nil {
		return err
	}
	opts := botOptions(cfg, e)
	opts.Records = records
	opts.Librarian = lib
	b, err := bot.New(opts, lib)
	if err != nil {
		return err
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
		stop, err := serveHealth(cfg.HTTP.Listen, lib, b)
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
		Logger:           e.log,

		SuggestPublicQuestions: d.SuggestPublicQuestions,
		PrivateByDefault:       d.PrivateByDefault,
		ThreadReplies:          d.ThreadReplies,
		Model:                  cfg.LLM.Model,
		MaxUploadBytes:         int64(cfg.Corpus.MaxDocumentBytes),
	}
}

// serveHealth answers GET /healthz: 200 with the index once the bot is
// connected, 503 before.
func serveHealth(addr string, lib *library.Library, b *bot.Bot) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http.listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ready := b.Connected()
		w.Header().Set("Content-Type", "application/json")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(map[string]any{"ready": ready, "index": lib.Info()})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}, nil
}
