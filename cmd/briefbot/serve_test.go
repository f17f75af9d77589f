package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/internal/config"
	"github.com/briefbot/briefbot/internal/discordfake"
	"github.com/briefbot/briefbot/internal/openaitest"
	"github.com/briefbot/briefbot/internal/store"
)

// writeServeConfig writes a configuration pointing discord.api_base at the
// fake Discord.
func writeServeConfig(t *testing.T, fake *discordfake.Server, listen string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	text := fmt.Sprintf("discord:\n  api_base: %q\n  guild_ids: [%q]\n  cooldown: 0s\n  rate_limit: {user_per_minute: 0, guild_per_minute: 0}\nhttp:\n  listen: %q\n", fake.BaseURL, fake.GuildID, listen)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeAnswersOnDiscord runs `briefbot serve` against the fake Discord
// with the built-in brief: commands registered, /ask answered with cited
// passages, /healthz and /readyz ready, and a clean stop.
func TestServeAnswersOnDiscord(t *testing.T) {
	fake := discordfake.New(t, discordfake.Options{})
	t.Setenv("DISCORD_TOKEN", fake.Token)
	t.Setenv("DISCORD_APPLICATION_ID", fake.ApplicationID)
	addr := freeAddr(t)
	cfg := writeServeConfig(t, fake, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(runCtx, []string{"--data", t.TempDir(), "--config", cfg, "serve"}, strings.NewReader(""), &out, &errb)
	}()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			stop()
			<-done
		}
	})

	if _, err := fake.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	it := fake.Interact(ctx, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
		discordfake.Opt("question", "What does Article 9 of the ceasefire agreement call for?")}})
	ev, err := it.WaitFinal(ctx)
	if err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, errb.String())
	}
	if text := ev.Message.Text(); !strings.Contains(text, "unblocking") || !strings.Contains(text, "Azerbaijani-Iranian Border Tensions: Why Now?") {
		t.Errorf("answer = %q", text)
	}
	if regs := fake.Registrations(); len(regs) != 1 || regs[0].GuildID != fake.GuildID {
		t.Errorf("registrations = %+v", regs)
	}

	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		var health struct {
			Ready bool `json:"ready"`
			Index struct {
				Documents int `json:"documents"`
			} `json:"index"`
		}
		err = json.NewDecoder(resp.Body).Decode(&health)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !health.Ready || health.Index.Documents != 1 {
			t.Errorf("%s = %d %+v %v", path, resp.StatusCode, health, err)
		}
	}

	// The /ask above, counted once, and the index and gateway read at
	// the scrape. The bot counts a question once Discord has taken its
	// final edit, which is just after the fake reports that edit, so
	// the scrape is repeated until the count shows or the test's
	// deadline passes.
	wants := []string{
		`briefbot_questions_total{command="ask",outcome="answered"} 1`,
		`briefbot_answer_seconds_count 1`,
		`briefbot_index_documents 1`,
		`briefbot_gateway_connected 1`,
	}
	metrics := scrapeUntil(ctx, t, "http://"+addr+"/metrics", wants)
	for _, want := range wants {
		if !metrics[want] {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if !hasPrefixLine(metrics, `briefbot_index_info{version="`) || hasPrefixLine(metrics, "briefbot_retrieval_seconds_count 0") ||
		!hasPrefixLine(metrics, "briefbot_retrieval_seconds_count ") || hasPrefixLine(metrics, "briefbot_index_passages 0") {
		t.Errorf("/metrics: index info, passages or retrieval missing:\n%v", metrics)
	}

	stop()
	stopped = true
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after a stop: %s", code, errb.String())
		}
	case <-ctx.Done():
		t.Fatal("serve did not stop")
	}
	if strings.Contains(errb.String(), fake.Token) {
		t.Error("the token was logged")
	}
}

// TestServeRejectedToken: a token Discord refuses stops serve at once with
// a message saying what to do, without the token.
func TestServeRejectedToken(t *testing.T) {
	fake := discordfake.New(t, discordfake.Options{})
	const bad = "MTIzNDU2Nzg5MDEyMzQ1Njc4.not-the-token"
	t.Setenv("DISCORD_TOKEN", bad)
	t.Setenv("DISCORD_APPLICATION_ID", fake.ApplicationID)
	cfg := writeServeConfig(t, fake, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"--data", t.TempDir(), "--config", cfg, "serve"}, strings.NewReader(""), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "401 Unauthorized") || !strings.Contains(errb.String(), "DISCORD_TOKEN") {
		t.Errorf("exit %d, stderr:\n%s", code, errb.String())
	}
	if strings.Contains(errb.String(), bad) {
		t.Error("the rejected token was printed")
	}
	for _, v := range fake.TakeViolations() {
		if v.Kind != discordfake.ViolationUnauthorized {
			t.Errorf("unexpected violation %v", v)
		}
	}
}

// startServe runs `briefbot serve` on data against fake until the test
// ends or the returned stop is called; it returns once the bot is ready.
func startServe(t *testing.T, ctx context.Context, fake *discordfake.Server, data, cfg string) (stop func()) {
	t.Helper()
	runCtx, cancel := context.WithCancel(ctx)
	var errb bytes.Buffer
	done := make(chan int, 1)
	// The new process's READY is the one on a session not seen before.
	seen := map[string]bool{}
	for _, ev := range fake.GatewayEvents() {
		seen[ev.SessionID] = true
	}
	go func() {
		done <- run(runCtx, []string{"--data", data, "--config", cfg, "serve"}, strings.NewReader(""), io.Discard, &errb)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve exited %d: %s", code, errb.String())
			}
		})
	}
	t.Cleanup(stop)
	if _, err := fake.WaitGatewayEvent(ctx, func(ev discordfake.GatewayEvent) bool {
		return ev.Kind == discordfake.GatewayReady && !seen[ev.SessionID]
	}); err != nil {
		t.Fatalf("serve did not connect: %v", err)
	}
	return stop
}

// TestServeKeepsAnswersAcrossRestart: an answer's buttons, its votes and
// its conversation outlive the process (the store in the data folder). The
// conversation is the three turns, through the fake Discord and the
// real library: the third question ("who was blamed?") is answerable only
// with the first one's subject, and the bot restarts after the first turn.
func TestServeKeepsAnswersAcrossRestart(t *testing.T) {
	fake := discordfake.New(t, discordfake.Options{})
	t.Setenv("DISCORD_TOKEN", fake.Token)
	t.Setenv("DISCORD_APPLICATION_ID", fake.ApplicationID)
	cfg := writeServeConfig(t, fake, "")
	data := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	stop := startServe(t, ctx, fake, data, cfg)
	it := fake.Interact(ctx, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
		discordfake.Opt("question", "What happened at Azerbaijan's embassy in Tehran?")}})
	ev, err := it.WaitFinal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := ev.Message
	if !first.Ephemeral() {
		t.Error("discord.private_by_default is true: the answer should be private")
	}
	buttonOf := func(m discordfake.Message, action string) string {
		for _, id := range m.CustomIDs() {
			if strings.HasPrefix(id, "bb:"+action+":") {
				return id
			}
		}
		t.Fatalf("no %s button on %q", action, m.Text())
		return ""
	}
	press := func(m discordfake.Message, action string) discordfake.Callback {
		cb, err := fake.Interact(ctx, discordfake.InteractionSpec{CustomID: buttonOf(m, action), MessageID: m.ID}).WaitCallback(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return cb
	}
	followUp := func(m discordfake.Message, question string) discordfake.Message {
		cb := press(m, "follow")
		if cb.Modal == nil {
			t.Fatalf("follow up: %+v, want the form", cb)
		}
		ev, err := fake.Interact(ctx, discordfake.InteractionSpec{CustomID: cb.Modal.CustomID,
			ModalValues: map[string]string{"question": question}}).WaitFinal(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ev.Message
	}
	press(first, "up")
	stop()

	stop = startServe(t, ctx, fake, data, cfg)
	// The old answer's buttons work after the restart; the vote is
	// changed, not added.
	if cb := press(first, "down"); cb.Modal == nil {
		t.Fatalf("down vote after a restart: %+v, want the form", cb)
	}
	second := followUp(first, "and what about Russia?")
	if !strings.Contains(second.Text(), "Russia") {
		t.Errorf("second turn: %q", second.Text())
	}
	third := followUp(second, "who was blamed?")
	text := third.Text()
	// The first source is the embassy passage (asked alone, the question
	// cites Moscow blaming Armenia first).
	if !third.Ephemeral() || !strings.Contains(text, "Aliyev blamed") ||
		!strings.Contains(text, "[1] [§ Azerbaijani-Iranian Border Tensions: Why Now? ¶3]") {
		t.Errorf("third turn (ephemeral %v):\n%s\nwant [1] the embassy passage (Why Now? ¶3) and its quote", third.Ephemeral(), text)
	}
	stop()

	st, err := store.Open(store.Path(data), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	votes, err := st.Votes(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) != 1 || votes[0].Helpful {
		t.Errorf("votes = %+v, want the one vote, changed to not helpful", votes)
	}
	answers, _ := st.Answers(ctx, time.Time{})
	if len(answers) != 3 || answers[2].ConversationID != answers[0].ConversationID || !answers[2].Private {
		t.Errorf("answers kept: %d; want 3 private answers in one conversation", len(answers))
	}
}

// scrape returns the lines of a Prometheus text exposition, as a set.
func scrape(t *testing.T, url string) map[string]bool {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET %s = %d %q %v", url, resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(body), "\n") {
		lines[l] = true
	}
	return lines
}

// scrapeUntil scrapes url until every line of wants is there or ctx
// ends, and returns the last scrape.
func scrapeUntil(ctx context.Context, t *testing.T, url string, wants []string) map[string]bool {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		lines := scrape(t, url)
		missing := false
		for _, w := range wants {
			missing = missing || !lines[w]
		}
		if !missing {
			return lines
		}
		select {
		case <-ctx.Done():
			return lines
		case <-tick.C:
		}
	}
}

func hasPrefixLine(lines map[string]bool, prefix string) bool {
	for l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// TestServeModelMetrics: with llm.enabled, serve's /metrics shows the
// model's requests, their tokens and time to first token, and the
// fallbacks to the extractive answer.
func TestServeModelMetrics(t *testing.T) {
	model := openaitest.New(t, openaitest.StrictFields(openaitest.StreamUsageFields...))
	model.SetHandler(func(r openaitest.Request) openaitest.Reply {
		n := "0"
		for _, block := range strings.Split(r.Content("user"), "<<<PASSAGE ")[1:] {
			if strings.Contains(block, "unblocking") {
				n = block[:strings.IndexAny(block, " >\n")]
				break
			}
		}
		return openaitest.Reply{Text: "Article 9 calls for unblocking all economic and transport connections throughout the region [" + n + "].",
			Usage: &openaitest.Usage{PromptTokens: 900, CompletionTokens: 21}}
	})
	const apiKey = "sk-serve-test-0123456789abcdef"
	t.Setenv("OPENAI_API_KEY", apiKey)
	fake := discordfake.New(t, discordfake.Options{})
	t.Setenv("DISCORD_TOKEN", fake.Token)
	t.Setenv("DISCORD_APPLICATION_ID", fake.ApplicationID)
	addr := freeAddr(t)
	cfg := writeServeConfig(t, fake, addr)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "llm:\n  enabled: true\n  base_url: %q\n  model: test-model\n  timeout: 10s\n  max_retries: 0\n  stream: true\n", model.URL)
	f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errb, finish := serveInBackground(t, ctx, "--data", t.TempDir(), "--config", cfg)
	if _, err := fake.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	ask := func(q string) string {
		it := fake.Interact(ctx, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{discordfake.Opt("question", q)}})
		ev, err := it.WaitFinal(ctx)
		if err != nil {
			t.Fatalf("%v\nstderr:\n%s", err, errb.String())
		}
		return ev.Message.Text()
	}
	if text := ask("What does Article 9 of the ceasefire agreement call for?"); !strings.Contains(text, "unblocking") {
		t.Fatalf("answer = %q", text)
	}
	// The model reports before the answer is written, so one scrape after
	// the final edit sees it.
	lines := scrape(t, "http://"+addr+"/metrics")
	for _, want := range []string{
		"briefbot_model_request_seconds_count 1",
		"briefbot_model_first_token_seconds_count 1",
		`briefbot_model_tokens_total{kind="prompt"} 900`,
		`briefbot_model_tokens_total{kind="completion"} 21`,
		`briefbot_model_errors_total{reason="server"} 0`,
	} {
		if !lines[want] {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	model.SetHandler(func(openaitest.Request) openaitest.Reply { return openaitest.ServerError() })
	ask("What does Article 9 of the ceasefire agreement call for, in short?")
	lines = scrape(t, "http://"+addr+"/metrics")
	for _, want := range []string{
		"briefbot_model_request_seconds_count 2",
		`briefbot_model_errors_total{reason="server"} 1`,
		`briefbot_model_fallbacks_total{reason="server_error"} 1`,
	} {
		if !lines[want] {
			t.Errorf("/metrics lacks %q after a 500", want)
		}
	}

	// A server that echoes the key in its error: the key still never
	// reaches the log, nor does the bot token.
	model.SetHandler(func(openaitest.Request) openaitest.Reply {
		return openaitest.Unauthorized("Incorrect API key provided: " + apiKey)
	})
	ask("What does Article 9 of the ceasefire agreement call for, briefly?")
	finish()
	for name, secret := range map[string]string{"API key": apiKey, "bot token": fake.Token} {
		if strings.Contains(errb.String(), secret) {
			t.Errorf("the %s appears in serve's output", name)
		}
	}
	if !strings.Contains(errb.String(), "401") {
		t.Errorf("the model's refusal is not logged at all:\n%s", errb.String())
	}
}

// TestBotOptionsRateLimits: the discord.rate_limit and
// discord.max_question_chars keys reach the bot.
func TestBotOptionsRateLimits(t *testing.T) {
	cfg, err := config.Parse([]byte("discord:\n  rate_limit: {user_per_minute: 4, user_burst: 2, guild_per_minute: 0, guild_burst: 0}\n  max_question_chars: 300\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := botOptions(&cfg, &env{})
	if opts.UserRate != (bot.Rate{PerMinute: 4, Burst: 2}) || opts.GuildRate != (bot.Rate{}) || opts.MaxQuestionChars != 300 {
		t.Errorf("botOptions: user %+v, guild %+v, max question %d", opts.UserRate, opts.GuildRate, opts.MaxQuestionChars)
	}
	def := config.Default()
	opts = botOptions(&def, &env{})
	if opts.UserRate != (bot.Rate{PerMinute: 6, Burst: 3}) || opts.GuildRate != (bot.Rate{PerMinute: 60, Burst: 20}) || opts.MaxQuestionChars != 500 {
		t.Errorf("botOptions from the defaults: user %+v, guild %+v, max question %d", opts.UserRate, opts.GuildRate, opts.MaxQuestionChars)
	}
}

// TestBotOptionsShards: discord.shard_count passes through, and
// discord.shard_id names the one shard to run (-1: all of them).
func TestBotOptionsShards(t *testing.T) {
	e := &env{log: slog.New(slog.DiscardHandler)}
	for _, c := range []struct {
		count, id int
		want      []int
	}{
		{0, -1, nil},
		{4, -1, nil},
		{4, 0, []int{0}},
		{4, 3, []int{3}},
	} {
		cfg := config.Default()
		cfg.Discord.ShardCount, cfg.Discord.ShardID = c.count, c.id
		o := botOptions(&cfg, e)
		if o.ShardCount != c.count || !slices.Equal(o.Shards, c.want) || (o.Shards == nil) != (c.want == nil) {
			t.Errorf("shard_count %d, shard_id %d: options ShardCount %d, Shards %v; want %d, %v", c.count, c.id, o.ShardCount, o.Shards, c.count, c.want)
		}
	}
}

// TestServeShards: discord.shard_count from the config reaches the
// gateway (one IDENTIFY per shard), and /readyz is ready once every shard
// is connected.
func TestServeShards(t *testing.T) {
	fake := discordfake.New(t, discordfake.Options{RecommendedShards: 1, MaxConcurrency: 2})
	t.Setenv("DISCORD_TOKEN", fake.Token)
	t.Setenv("DISCORD_APPLICATION_ID", fake.ApplicationID)
	addr := freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	text := fmt.Sprintf("discord:\n  api_base: %q\n  guild_ids: [%q]\n  shard_count: 2\nhttp:\n  listen: %q\n", fake.BaseURL, fake.GuildID, addr)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(runCtx, []string{"--data", t.TempDir(), "--config", cfg, "serve"}, strings.NewReader(""), &out, &errb)
	}()
	defer func() {
		stop()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d after a stop: %s", code, errb.String())
		}
	}()
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("/readyz never ready: %v\nstderr:\n%s", err, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	var shards []string
	for _, id := range fake.Identifies() {
		shards = append(shards, fmt.Sprint(id.Shard))
	}
	slices.Sort(shards)
	if !slices.Equal(shards, []string{"[0 2]", "[1 2]"}) {
		t.Errorf("identified as %v, want [0 2] and [1 2] (discord.shard_count 2)", shards)
	}
}

// TestBotOptionsAnswerRetention: discord.answer_retention reaches the bot,
// which says an answer expired only past it.
func TestBotOptionsAnswerRetention(t *testing.T) {
	cfg, err := config.Parse([]byte("discord:\n  answer_retention: 2d\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := botOptions(&cfg, &env{}).AnswerRetention; got != 48*time.Hour {
		t.Errorf("AnswerRetention = %v, want 48h", got)
	}
	def := config.Default()
	if got, want := botOptions(&def, &env{}).AnswerRetention, def.Discord.AnswerRetention.Duration(); got != want || got <= 0 {
		t.Errorf("AnswerRetention from the defaults = %v, want %v", got, want)
	}
}
