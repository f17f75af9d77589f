package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config is one load run.
type Config struct {
	// Endpoint is the bot's interactions URL (http://host:port/interactions).
	Endpoint string
	// Rate is interactions per second, sent on schedule whatever the bot's
	// pace (an open loop, as Discord's users are).
	Rate float64
	// Duration is how long interactions are sent.
	Duration time.Duration
	// AnswerTimeout bounds the wait for each answer after the last send.
	AnswerTimeout time.Duration
	// Questions are asked in turn with /ask (public answers).
	Questions []string
	// Users is how many different users ask (default 1000), spread over
	// Guilds servers (default 1).
	Users, Guilds int
}

// Report is what a run measured. Latencies are from the moment an
// interaction was sent: the acknowledgement is the HTTP answer read in
// full, the answer the bot's message arriving at the REST API.
type Report struct {
	Sent     int     `json:"sent"`
	Seconds  float64 `json:"seconds"`
	RatePerS float64 `json:"rate_per_s"`
	Acked    int     `json:"acked"`
	Answered int     `json:"answered"`
	// Refused are questions the documents do not cover, told so: a right
	// answer, not an error.
	Refused int `json:"refused"`
	Errors  int `json:"errors"`
	// ErrorKinds counts errors by kind, with an example each.
	ErrorKinds map[string]int    `json:"error_kinds,omitempty"`
	Examples   map[string]string `json:"error_examples,omitempty"`
	AckP50MS   float64           `json:"ack_p50_ms"`
	AckP99MS   float64           `json:"ack_p99_ms"`
	AckMaxMS   float64           `json:"ack_max_ms"`
	AnswerP50  float64           `json:"answer_p50_ms"`
	AnswerP99  float64           `json:"answer_p99_ms"`
	AnswerMax  float64           `json:"answer_max_ms"`
	// Unexpected are REST requests Discord would not expect in HTTP mode.
	Unexpected int64 `json:"unexpected_requests"`
}

// result is one interaction's outcome.
type result struct {
	ack, answer time.Duration
	kind        string // "" answered, "refused", or an error kind
	example     string
}

// Run sends cfg.Rate signed /ask interactions per second to cfg.Endpoint
// for cfg.Duration, and waits for their answers at d.
func (d *Discord) Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Rate <= 0 || cfg.Duration <= 0 || len(cfg.Questions) == 0 || cfg.Endpoint == "" {
		return Report{}, errors.New("loadtest: want an endpoint, a rate, a duration and questions")
	}
	if cfg.Users <= 0 {
		cfg.Users = 1000
	}
	if cfg.Guilds <= 0 {
		cfg.Guilds = 1
	}
	if cfg.AnswerTimeout <= 0 {
		cfg.AnswerTimeout = 30 * time.Second
	}
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        4096,
			MaxIdleConnsPerHost: 4096,
			IdleConnTimeout:     30 * time.Second,
		},
	}
	defer client.CloseIdleConnections()

	total := int(cfg.Rate * cfg.Duration.Seconds())
	results := make([]result, total)
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	answerCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Duration+cfg.AnswerTimeout)
	defer cancel()
	for n := 0; n < total; n++ {
		// On schedule: the n-th send is due at start + n*interval.
		if wait := time.Until(start.Add(time.Duration(n) * interval)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			total = n
			break
		}
		wg.Go(func() { results[n] = d.one(answerCtx, client, cfg, n) })
	}
	sendTime := time.Since(start)
	wg.Wait()
	return d.report(results[:total], sendTime), nil
}

// one sends interaction n and waits for its answer.
func (d *Discord) one(ctx context.Context, client *http.Client, cfg Config, n int) result {
	id := fmt.Sprint(1200000000000000000 + n)
	token := "aW50ZXJhY3Rpb24" + randomHex(32)
	user := fmt.Sprint(1300000000000000000 + n%cfg.Users)
	guild := fmt.Sprint(1400000000000000000 + n%cfg.Guilds)
	body, _ := json.Marshal(map[string]any{
		"id": id, "application_id": ApplicationID, "type": 2, "token": token, "version": 1,
		"guild_id": guild, "channel_id": ChannelID, "locale": "en-US", "guild_locale": "en-US",
		"app_permissions": "2248473465835073",
		"channel":         map[string]any{"id": ChannelID, "type": 0, "guild_id": guild},
		"member": map[string]any{"user": map[string]any{"id": user, "username": "user" + user, "discriminator": "0"},
			"roles": []string{}, "permissions": "2248473465835073", "joined_at": "2026-01-01T00:00:00Z"},
		"data": map[string]any{"id": "1200000000000000000", "name": "ask", "type": 1, "options": []map[string]any{
			{"name": "question", "type": 3, "value": cfg.Questions[n%len(cfg.Questions)]},
			{"name": "private", "type": 5, "value": false},
		}},
	})
	answered := d.expect(token)
	defer d.forget(token)

	begin := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return result{kind: "request", example: err.Error()}
	}
	ts, sig := d.sign(body, begin)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", sig)
	res, err := client.Do(req)
	if err != nil {
		return result{kind: "ack: no answer", example: err.Error()}
	}
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	ack := time.Since(begin)
	r := result{ack: ack}
	if err != nil || res.StatusCode != http.StatusOK {
		r.kind, r.example = fmt.Sprintf("ack: HTTP %d", res.StatusCode), string(raw)
		return r
	}
	var cb struct {
		Type int `json:"type"`
	}
	if json.Unmarshal(raw, &cb) != nil || (cb.Type != 5 && cb.Type != 4) {
		r.kind, r.example = "ack: not a message or deferral", string(raw)
		return r
	}
	if ack > 3*time.Second {
		r.kind = "ack: after Discord's 3 s"
		return r
	}
	if cb.Type == 4 {
		r.answer = ack
		r.kind, r.example = classify(raw)
		return r
	}
	select {
	case del := <-answered:
		r.answer = del.at.Sub(begin)
		r.kind, r.example = classify(del.body)
	case <-ctx.Done():
		r.kind = "answer: none in time"
	}
	return r
}

// classify reads the bot's message: an answer cites its sources, a
// refusal says the documents do not cover the question; anything else is
// an error (busy, too slow, failed).
func classify(body []byte) (kind, example string) {
	var m struct {
		Content string `json:"content"`
		Embeds  []struct {
			Description string `json:"description"`
			Fields      []struct {
				Name string `json:"name"`
			} `json:"fields"`
		} `json:"embeds"`
		Data *json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(body, &m)
	for _, e := range m.Embeds {
		for _, f := range e.Fields {
			if f.Name == "Sources" {
				return "", ""
			}
		}
	}
	text := m.Content
	for _, e := range m.Embeds {
		text += " " + e.Description
	}
	if strings.Contains(text, "Not in the indexed documents") {
		return "refused", ""
	}
	return "answer: not an answer", strings.TrimSpace(text)
}

func (d *Discord) report(results []result, sendTime time.Duration) Report {
	rep := Report{Sent: len(results), Seconds: sendTime.Seconds(), ErrorKinds: map[string]int{}, Examples: map[string]string{}}
	if sendTime > 0 {
		rep.RatePerS = float64(len(results)) / sendTime.Seconds()
	}
	var acks, answers []time.Duration
	for _, r := range results {
		if r.ack > 0 {
			acks = append(acks, r.ack)
		}
		switch r.kind {
		case "":
			rep.Answered++
		case "refused":
			rep.Refused++
		default:
			rep.Errors++
			rep.ErrorKinds[r.kind]++
			if _, ok := rep.Examples[r.kind]; !ok && r.example != "" {
				rep.Examples[r.kind] = cut(r.example, 200)
			}
		}
		if r.kind == "" || r.kind == "refused" {
			answers = append(answers, r.answer)
		}
	}
	rep.Acked = len(acks)
	rep.AckP50MS, rep.AckP99MS, rep.AckMaxMS = percentiles(acks)
	rep.AnswerP50, rep.AnswerP99, rep.AnswerMax = percentiles(answers)
	rep.Unexpected, _ = d.Unexpected()
	return rep
}

// percentiles returns p50, p99 and the maximum, in milliseconds.
func percentiles(ds []time.Duration) (p50, p99, maxMS float64) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		i := int(q*float64(len(ds)) + 0.5)
		i = min(max(i-1, 0), len(ds)-1)
		return float64(ds[i]) / float64(time.Millisecond)
	}
	return at(0.50), at(0.99), float64(ds[len(ds)-1]) / float64(time.Millisecond)
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// DefaultQuestions are asked when none are given: short questions an
// analyst types about the built-in brief, and a few it does not cover.
var DefaultQuestions = []string{
	"What does Article 9 of the ceasefire agreement call for?",
	"Why are tensions rising between Iran and Azerbaijan now?",
	"What is the Zangezur corridor?",
	"How does Israel figure in Iran's concerns?",
	"What military exercises did Iran hold near the border?",
	"what is russia's role here",
	"why are iran and azerbaijan fighting",
	"who are the authors",
	"what happened in 2020?",
	"What happened to Iranian trucks going to Armenia?",
	"What is Azerbaijan's relationship with Israel?",
	"What does the brief recommend for the United States?",
	"What is the population of Canada?",
	"Who won the 2018 World Cup?",
	"What are the shifts in the South Caucasus?",
	"What is Iran worried about?",
}
