package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/internal/fetch"
)

// Validate reports every problem of c, each naming its key, as an
// errors.Join of *KeyError; nil when c is usable.
func (c Config) Validate() error {
	return joinKeyErrors(c.validate())
}

// maxAnswerTimeout is how long a Discord interaction token stays valid:
// an answer later than that could not be delivered at all.
const maxAnswerTimeout = 15 * time.Minute

// maxConversationTurns bounds discord.conversation_turns: earlier turns go
// to the model as history within its context budget, and more than this
// would crowd out the passages that answer the question.
const maxConversationTurns = 50

// maxQuestionChars bounds discord.max_question_chars: Discord's own
// limit on a message is 4000 characters (with Nitro), and a question is
// far shorter than any message.
const maxQuestionChars = 4000

// maxPerMinute bounds the rate_limit rates and bursts: a larger number is
// a typo, since no server sends one bot that many questions a minute.
const maxPerMinute = 100000

// minRefresh is the shortest corpus.refresh: each refresh requests every
// URL source, and a document that changes more often than this is not one
// a team cites.
const minRefresh = time.Minute

// maxDocumentBytes bounds corpus.max_document_bytes: a document and what
// is parsed from it are held in memory, several at a time.
const maxDocumentBytes ByteSize = 1 << 30

func (c Config) validate() []*KeyError {
	v := validator{env: c.env}

	d := c.Discord
	v.snowflake("discord.application_id", d.ApplicationID)
	v.baseURL("discord.api_base", d.APIBase, "https://discord.com")
	for i, id := range d.GuildIDs {
		v.snowflake(fmt.Sprintf("discord.guild_ids[%d]", i), id)
	}
	for i, id := range d.ModeratorRoleIDs {
		v.snowflake(fmt.Sprintf("discord.moderator_role_ids[%d]", i), id)
	}
	v.oneOf("discord.mode", d.Mode, ModeGateway, ModeHTTP)
	if d.PublicKey != "" && !isHex(d.PublicKey, 64) {
		// Not echoed: it is treated as a secret.
		v.add("discord.public_key", "expected the application's public key: 64 hexadecimal characters")
	}
	v.atLeastDur("discord.cooldown", d.Cooldown, 0)
	v.atLeast("discord.max_in_flight", d.MaxInFlight, 1)
	v.atLeastDur("discord.queue_wait", d.QueueWait, 0)
	v.positiveDur("discord.shutdown_timeout", d.ShutdownTimeout)
	if d.ShutdownTimeout.Duration() > maxAnswerTimeout {
		v.add("discord.shutdown_timeout", fmt.Sprintf("must be at most %s: no answer outlives its interaction; got %s", maxAnswerTimeout, d.ShutdownTimeout))
	}
	v.positiveDur("discord.answer_timeout", d.AnswerTimeout)
	if d.AnswerTimeout.Duration() > maxAnswerTimeout {
		v.add("discord.answer_timeout", fmt.Sprintf("must be at most %s, the life of a Discord interaction; got %s", maxAnswerTimeout, d.AnswerTimeout))
	}
	v.positiveDur("discord.answer_retention", d.AnswerRetention)
	v.oneOf("discord.thread_replies", d.ThreadReplies, ThreadRepliesMention, ThreadRepliesAll)
	v.intIn("discord.conversation_turns", d.ConversationTurns, 1, maxConversationTurns)
	v.positiveDur("discord.conversation_ttl", d.ConversationTTL)
	v.rate("discord.rate_limit.user_per_minute", "discord.rate_limit.user_burst", d.RateLimit.UserPerMinute, d.RateLimit.UserBurst)
	v.rate("discord.rate_limit.guild_per_minute", "discord.rate_limit.guild_burst", d.RateLimit.GuildPerMinute, d.RateLimit.GuildBurst)
	v.intIn("discord.max_question_chars", d.MaxQuestionChars, 1, maxQuestionChars)
	if d.ShardCount < 0 {
		v.add("discord.shard_count", fmt.Sprintf("must be 0 (Discord's recommended count) or a positive number of shards, got %d", d.ShardCount))
	}
	switch {
	case d.ShardID < -1:
		v.add("discord.shard_id", fmt.Sprintf("must be -1 (every shard) or a shard number from 0, got %d", d.ShardID))
	case d.ShardID >= 0 && d.ShardCount == 0:
		v.add("discord.shard_id", fmt.Sprintf("is %d, which needs discord.shard_count set to the total number of shards (a process that runs one shard must know how many there are); -1 runs every shard", d.ShardID))
	case d.ShardCount > 0 && d.ShardID >= d.ShardCount:
		v.add("discord.shard_id", fmt.Sprintf("must be -1 (every shard) or 0 to %d (discord.shard_count - 1), got %d", d.ShardCount-1, d.ShardID))
	}

	if c.HTTP.Listen != "" {
		v.listen("http.listen", c.HTTP.Listen)
	}

	l := c.LLM
	v.baseURL("llm.base_url", l.BaseURL, "https://api.openai.com/v1")
	if l.Enabled && strings.TrimSpace(l.Model) == "" {
		v.add("llm.model", "required when llm.enabled is true")
	}
	if l.Enabled && l.APIKey == "" && isPublicOpenAI(l.BaseURL) && !hasAuthHeader(l.Headers) {
		v.add("llm.api_key", "required when llm.enabled is true and llm.base_url is the public OpenAI API; "+
			"set OPENAI_API_KEY, or llm.base_url for a local server (Ollama, vLLM, llama.cpp)")
	}
	v.positiveDur("llm.timeout", l.Timeout)
	v.atLeast("llm.max_tokens", l.MaxTokens, 1)
	v.floatIn("llm.temperature", l.Temperature, 0, 2)
	v.intIn("llm.max_passages", l.MaxPassages, 1, 50)
	v.atLeast("llm.context_chars", l.ContextChars, 1)
	for name, val := range l.Headers {
		key := "llm.headers." + name
		if !isToken(name) {
			v.add(key, "not a valid HTTP header name")
		}
		if strings.ContainsAny(val, "\r\n") {
			v.add(key, "the value must not contain line breaks")
		}
	}
	v.atLeast("llm.daily_cap_per_user", l.DailyCapPerUser, 0)
	v.atLeast("llm.max_concurrent", l.MaxConcurrent, 1)
	v.intIn("llm.max_retries", l.MaxRetries, 0, 10)

	co := c.Corpus
	for i, p := range co.Paths {
		if strings.TrimSpace(p) == "" {
			v.add(fmt.Sprintf("corpus.paths[%d]", i), "empty path")
		}
	}
	v.atLeast("corpus.max_passage_chars", co.MaxPassageChars, 1)
	v.atLeast("corpus.min_passage_chars", co.MinPassageChars, 0)
	if co.MaxPassageChars >= 1 && co.MinPassageChars > co.MaxPassageChars {
		v.add("corpus.min_passage_chars", fmt.Sprintf("must not exceed corpus.max_passage_chars (%d), got %d", co.MaxPassageChars, co.MinPassageChars))
	}
	seen := make(map[string]int, len(co.URLs))
	for i, u := range co.URLs {
		key := fmt.Sprintf("corpus.urls[%d]", i)
		u = strings.TrimSpace(u)
		if u == "" {
			v.add(key, "empty URL")
			continue
		}
		// The fetcher's own rules, so that a URL it would refuse is
		// reported at start-up, against its key, rather than at each
		// refresh. Its messages never quote the URL.
		if err := fetch.CheckURL(u, co.AllowPrivateURLs); err != nil {
			v.add(key, err.Error())
			continue
		}
		if j, dup := seen[u]; dup {
			v.add(key, fmt.Sprintf("the same URL as corpus.urls[%d]", j))
			continue
		}
		seen[u] = i
	}
	if r := co.Refresh.Duration(); r < 0 || (r > 0 && r < minRefresh) {
		v.add("corpus.refresh", fmt.Sprintf("must be 0 (off) or at least %s, so that the sources' servers are not polled harder than that; got %s", minRefresh, co.Refresh))
	}
	if co.MaxDocumentBytes < 1 || co.MaxDocumentBytes > maxDocumentBytes {
		v.add("corpus.max_document_bytes", fmt.Sprintf("must be between 1 byte and %s (a document is held in memory while it is parsed), got %s", maxDocumentBytes, co.MaxDocumentBytes))
	}
	v.positiveDur("corpus.parse_timeout", co.ParseTimeout)
	v.atLeast("corpus.max_pdf_pages", co.MaxPDFPages, 1)

	// As for retrieval below, the index reads zero as "use the default",
	// so a zero here would silently become 1.2 or 0.75.
	if !(c.Index.K1 > 0 && c.Index.K1 <= 10) {
		v.add("index.k1", fmt.Sprintf("must be above 0 and at most 10, got %g", c.Index.K1))
	}
	if !(c.Index.B > 0 && c.Index.B <= 1) {
		v.add("index.b", fmt.Sprintf("must be above 0 and at most 1, got %g", c.Index.B))
	}
	v.positiveDur("index.bolt_timeout", c.Index.BoltTimeout)

	r := c.Retrieval
	v.intIn("retrieval.k", r.K, 1, 50)
	// Zero is refused rather than accepted: the answerer too reads zero
	// as "use the default", so 0 would silently mean 0.5 and 2.
	if !(r.MinCoverage > 0 && r.MinCoverage <= 1) {
		v.add("retrieval.min_coverage", fmt.Sprintf("must be above 0 and at most 1, got %g", r.MinCoverage))
	}
	v.atLeast("retrieval.min_matched_terms", r.MinMatchedTerms, 1)
	v.floatIn("retrieval.synonyms", r.Synonyms, 0, 1)

	if strings.TrimSpace(c.DataDir) == "" {
		v.add("data_dir", "required (the directory for the index, feedback and usage counters)")
	}
	if _, ok := logLevels[c.LogLevel]; !ok {
		v.add("log_level", fmt.Sprintf("expected one of debug, info, warn, error; got %s", quoteValue(c.LogLevel)))
	}
	return v.problems
}

type validator struct {
	env      map[string]string
	problems []*KeyError
}

func (v *validator) add(key, problem string) {
	v.problems = append(v.problems, &KeyError{Key: key, Env: v.env[key], Problem: problem})
}

func (v *validator) atLeast(key string, n, lo int) {
	if n < lo {
		v.add(key, fmt.Sprintf("must be at least %d, got %d", lo, n))
	}
}

func (v *validator) intIn(key string, n, lo, hi int) {
	if n < lo || n > hi {
		v.add(key, fmt.Sprintf("must be between %d and %d, got %d", lo, hi, n))
	}
}

// rate checks a token bucket's keys: a rate of 0 turns the limit off
// (its burst is then ignored, but still not negative); a rate above 0
// needs a burst of at least 1, or no question would ever pass.
func (v *validator) rate(rateKey, burstKey string, perMinute, burst int) {
	switch {
	case perMinute < 0:
		v.add(rateKey, fmt.Sprintf("must not be negative (0 turns the limit off), got %d", perMinute))
	case perMinute > maxPerMinute:
		v.add(rateKey, fmt.Sprintf("must be at most %d (0 turns the limit off), got %d", maxPerMinute, perMinute))
	}
	switch {
	case burst < 0:
		v.add(burstKey, fmt.Sprintf("must not be negative, got %d", burst))
	case perMinute > 0 && burst < 1:
		v.add(burstKey, fmt.Sprintf("must be at least 1 when %s is above 0 (or no question could ever pass), got %d", rateKey, burst))
	case burst > maxPerMinute:
		v.add(burstKey, fmt.Sprintf("must be at most %d, got %d", maxPerMinute, burst))
	}
}

func (v *validator) floatIn(key string, f, lo, hi float64) {
	// Written so that NaN (".nan" in YAML) fails too.
	if !(f >= lo && f <= hi) {
		v.add(key, fmt.Sprintf("must be between %g and %g, got %g", lo, hi, f))
	}
}

func (v *validator) positiveDur(key string, d Duration) {
	if d <= 0 {
		v.add(key, fmt.Sprintf("must be a positive duration such as \"20s\", got %s", d))
	}
}

func (v *validator) atLeastDur(key string, d Duration, lo time.Duration) {
	if d.Duration() < lo {
		v.add(key, fmt.Sprintf("must not be negative, got %s", d))
	}
}

func (v *validator) oneOf(key, val string, allowed ...string) {
	for _, a := range allowed {
		if val == a {
			return
		}
	}
	v.add(key, fmt.Sprintf("expected one of %s; got %s", strings.Join(allowed, ", "), quoteValue(val)))
}

// snowflake checks a Discord ID: a decimal uint64. Empty is allowed where
// the key is optional; list items are checked by the same rule, and an
// empty item is reported.
func (v *validator) snowflake(key, id string) {
	if id == "" {
		if strings.HasSuffix(key, "]") {
			v.add(key, "empty ID")
		}
		return
	}
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		v.add(key, fmt.Sprintf("expected a Discord ID (digits only, e.g. \"123456789012345678\"), got %s", quoteValue(id)))
	}
}

// baseURL checks an API origin: absolute http(s) with a host, optionally a
// path prefix, and nothing that would be lost or misused when paths are
// appended (query, fragment, credentials).
func (v *validator) baseURL(key, raw, example string) {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		v.add(key, fmt.Sprintf("required, e.g. %q", example))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.add(key, fmt.Sprintf("expected an absolute http(s) URL such as %q, got %s", example, quoteValue(raw)))
	case u.RawQuery != "" || u.ForceQuery:
		v.add(key, "must not have a query (\"?...\"); give the origin and an optional path prefix only")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		v.add(key, "must not have a fragment (\"#...\")")
	case u.User != nil:
		v.add(key, "must not contain credentials; use the key settings instead")
	}
}

func (v *validator) listen(key, addr string) {
	// Any host is fine, including "" for all interfaces.
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		v.add(key, fmt.Sprintf("expected host:port such as \"127.0.0.1:8080\" (or \"\" to disable), got %s", quoteValue(addr)))
		return
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		v.add(key, fmt.Sprintf("expected a port number 0-65535, got %s", quoteValue(port)))
	}
}

// isPublicOpenAI reports whether raw points at OpenAI's own API, which
// refuses every request without a key: sending questions there keyless
// would only fail at each answer.
func isPublicOpenAI(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

// hasAuthHeader reports whether headers carry a credential of their own.
func hasAuthHeader(headers map[string]string) bool {
	for name, val := range headers {
		if val != "" && (strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "api-key")) {
			return true
		}
	}
	return false
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// isToken reports whether s is an HTTP token (RFC 9110), the syntax of a
// header name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return true
}
