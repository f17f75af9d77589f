package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/syncbuf"

	"github.com/briefbot/briefbot/internal/discordfake"
)

// TestServeHTTPMode runs `briefbot serve` as an Interactions Endpoint:
// Discord's signed PING and /ask reach POST /interactions on http.listen,
// the answer is finished over REST, no gateway connection is opened, and
// /readyz says ready without one.
func TestServeHTTPMode(t *testing.T) {
	fake := discordfake.New(t, discordfake.Options{})
	t.Setenv("DISCORD_TOKEN", fake.Token)
	t.Setenv("DISCORD_APPLICATION_ID", fake.ApplicationID)
	t.Setenv("DISCORD_PUBLIC_KEY", hex.EncodeToString(fake.PublicKey()))
	addr := freeAddr(t)
	cfg := writeConfig(t, fmt.Sprintf("discord:\n  mode: http\n  api_base: %q\n  guild_ids: [%q]\n  cooldown: 0s\nhttp:\n  listen: %q\n", fake.BaseURL, fake.GuildID, addr))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errb, stop := serveInBackground(t, ctx, "--data", t.TempDir(), "--config", cfg, "--log-format", "json")
	waitReady(ctx, t, "http://"+addr+"/readyz")

	endpoint := "http://" + addr + "/interactions"
	if err := fake.PostSignedPing(ctx, endpoint); err != nil {
		t.Fatalf("PING: %v\n%s", err, errb.String())
	}
	it, err := fake.PostSignedInteraction(ctx, endpoint, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
		discordfake.Opt("question", "What does Article 9 of the ceasefire agreement call for?"), discordfake.Opt("private", false)}})
	if err != nil {
		t.Fatalf("/ask: %v\n%s", err, errb.String())
	}
	ev, err := it.WaitFinal(ctx)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.Contains(ev.Message.Text(), "unblocking") {
		t.Errorf("answer = %q", ev.Message.Text())
	}
	if ids := fake.Identifies(); len(ids) != 0 {
		t.Errorf("%d gateway identifies in http mode", len(ids))
	}
	metrics := scrapeUntil(ctx, t, "http://"+addr+"/metrics", []string{`briefbot_questions_total{command="ask",outcome="answered"} 1`})
	if !metrics[`briefbot_questions_total{command="ask",outcome="answered"} 1`] {
		t.Error("/metrics did not count the /ask")
	}

	if code := stop(); code != 0 {
		t.Errorf("serve exited %d: %s", code, errb.String())
	}
	log := errb.String()
	for name, secret := range map[string]string{"token": fake.Token, "interaction token": it.Token} {
		if strings.Contains(log, secret) {
			t.Errorf("the %s appears in the log", name)
		}
	}
	fake.AssertClean(t)
}

// serveInBackground runs `briefbot <args> serve` until the test ends or
// stop is called; stop returns the exit code. The log is stderr.
func serveInBackground(t *testing.T, ctx context.Context, args ...string) (log *syncbuf.Buffer, stop func() int) {
	t.Helper()
	runCtx, cancel := context.WithCancel(ctx)
	log = &syncbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(runCtx, append(args, "serve"), strings.NewReader(""), &bytes.Buffer{}, log)
	}()
	var code int
	var once sync.Once
	stop = func() int {
		once.Do(func() {
			cancel()
			code = <-done
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return log, stop
}

// waitReady polls url until it answers 200 or ctx ends.
func waitReady(ctx context.Context, t *testing.T, url string) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never ready: %v", url, ctx.Err())
		case <-tick.C:
		}
	}
}
