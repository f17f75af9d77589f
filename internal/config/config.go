// Package config owns briefbot's configuration: it is the only place the
// YAML file and the environment are read. It applies defaults, then the
// file, then environment overrides for secrets, and validates the result so
// that every wrong key or value is reported with its dotted key path (for
// example "llm.temperature") and what was expected. It also owns keeping
// secrets (discord.token, discord.public_key, llm.api_key, llm.headers
// values) out of logs and error messages: see Config.Redacted, Config.String
// and Config.Redact.
//
// Precedence, lowest first: Default, the file, the environment (ApplyEnv).
// Command-line flags are the caller's to apply on top, followed by another
// Validate. Relative paths in the file are resolved against the working
// directory, like the --data flag.
package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/internal/boundedfile"
	"gopkg.in/yaml.v3"
)

// Config is the whole configuration. The yaml tags are the public key names.
type Config struct {
	Discord   Discord   `yaml:"discord"`
	HTTP      HTTP      `yaml:"http"`
	LLM       LLM       `yaml:"llm"`
	Corpus    Corpus    `yaml:"corpus"`
	Index     Index     `yaml:"index"`
	Retrieval Retrieval `yaml:"retrieval"`
	// DataDir holds what the bot writes: the index (unless index.dir is
	// set), feedback votes, usage counters.
	DataDir  string `yaml:"data_dir"`
	LogLevel string `yaml:"log_level"`
	Log      Log    `yaml:"log"`

	// env maps a dotted key to the environment variable that set it, so
	// that a bad value is reported against the variable the user must fix.
	env map[string]string
}

// Discord configures the Discord application and how the bot serves it.
type Discord struct {
	Token         string `yaml:"token"`
	ApplicationID string `yaml:"application_id"`
	// APIBase is the origin of the Discord API (scheme, host, optional
	// port and path prefix; no trailing slash), so tests and proxies can
	// stand in for discord.com.
	APIBase string `yaml:"api_base"`
	// GuildIDs, when set, make commands register per guild, which is
	// instant; global registration can take up to an hour to show.
	GuildIDs         []string `yaml:"guild_ids"`
	ModeratorRoleIDs []string `yaml:"moderator_role_ids"`
	// Mode is ModeGateway or ModeHTTP. The config accepts both; serving
	// decides what is supported.
	Mode          string   `yaml:"mode"`
	PublicKey     string   `yaml:"public_key"`
	Cooldown      Duration `yaml:"cooldown"`
	MaxInFlight   int      `yaml:"max_in_flight"`
	QueueWait     Duration `yaml:"queue_wait"` // for a max_in_flight slot before "busy"; 0 refuses at once
	AnswerTimeout Duration `yaml:"answer_timeout"`
	// SuggestPublicQuestions lets /ask's autocomplete offer a user the
	// questions others asked publicly in the same server. Off, each user is
	// offered only their own; private and DM questions are never shared.
	SuggestPublicQuestions bool `yaml:"suggest_public_questions"`
	// AnswerRetention is how long answers and their votes are kept in the
	// data folder's store: their buttons work, and feedback can be read
	// back, for that long.
	AnswerRetention Duration `yaml:"answer_retention"`
	// PrivateByDefault makes /ask answer privately (only the asker sees
	// it) unless the user sets private: false.
	PrivateByDefault bool `yaml:"private_by_default"`
	// ThreadReplies says which messages in a thread the bot started are
	// follow-up questions: ThreadRepliesMention or ThreadRepliesAll.
	ThreadReplies string `yaml:"thread_replies"`
	// ConversationTurns bounds the earlier turns a follow-up is read with.
	ConversationTurns int `yaml:"conversation_turns"`
	// ConversationTTL is how long a conversation's turns are remembered.
	ConversationTTL Duration `yaml:"conversation_ttl"`
	// ShardCount is the number of gateway shards; 0 takes Discord's
	// recommendation (GET /gateway/bot).
	ShardCount int `yaml:"shard_count"`
	// ShardID is the one shard this process runs, 0 to ShardCount-1 (one
	// process per shard); -1 runs every shard. A shard needs ShardCount.
	ShardID int `yaml:"shard_id"`
	// ShutdownTimeout is how long a stopping bot lets the answers in
	// flight finish before it tells their users it is restarting.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// RateLimit bounds how often one user, and one server, may ask.
	RateLimit RateLimit `yaml:"rate_limit"`
	// MaxQuestionChars is the longest question (or search) accepted, in
	// characters, after control characters are removed and whitespace
	// collapsed; a longer one is refused, not cut.
	MaxQuestionChars int `yaml:"max_question_chars"`
}

// RateLimit configures the token buckets that bound questions (/ask,
// /search, mentions, follow-ups): each user, and each server, may ask a
// burst at once, then PerMinute a minute. A PerMinute of 0 turns that
// limit off. Direct messages count against the user's bucket only.
type RateLimit struct {
	UserPerMinute  int `yaml:"user_per_minute"`
	UserBurst      int `yaml:"user_burst"`
	GuildPerMinute int `yaml:"guild_per_minute"`
	GuildBurst     int `yaml:"guild_burst"`
}

// Values of discord.thread_replies.
const (
	// ThreadRepliesMention: only messages that mention the bot.
	ThreadRepliesMention = "mention"
	// ThreadRepliesAll: every message in the bot's threads.
	ThreadRepliesAll = "all"
)

// Discord modes.
const (
	ModeGateway = "gateway"
	ModeHTTP    = "http"
)

// Log configures what the logs may hold.
type Log struct {
	// Questions writes each question's text in its log line; off (the
	// default), only its length, so that logs hold nothing users asked.
	Questions bool `yaml:"questions"`
}

// HTTP configures the bot's own HTTP listener.
type HTTP struct {
	// Listen is host:port; "" disables the listener.
	Listen string `yaml:"listen"`
}

// LLM configures the optional model-written summary of an answer.
type LLM struct {
	Enabled     bool     `yaml:"enabled"`
	BaseURL     string   `yaml:"base_url"`
	APIKey      string   `yaml:"api_key"`
	Model       string   `yaml:"model"`
	Timeout     Duration `yaml:"timeout"`
	MaxTokens   int      `yaml:"max_tokens"`
	Temperature float64  `yaml:"temperature"`
	MaxPassages int      `yaml:"max_passages"`
	// ContextChars bounds the passage text sent to the model.
	ContextChars int `yaml:"context_chars"`
	// Headers are extra HTTP headers sent to the model API. Their values
	// are treated as secrets because they usually carry keys (Azure's
	// "api-key").
	Headers map[string]string `yaml:"headers"`
	// APIVersion, when set, selects Azure OpenAI style requests.
	APIVersion string `yaml:"api_version"`
	// PromptFile replaces the built-in system prompt.
	PromptFile string `yaml:"prompt_file"`
	Stream     bool   `yaml:"stream"`
	// DailyCapPerUser bounds model answers per user per UTC day; 0 means
	// no cap.
	DailyCapPerUser int `yaml:"daily_cap_per_user"`
	MaxConcurrent   int `yaml:"max_concurrent"`
	MaxRetries      int `yaml:"max_retries"`
}

// Corpus configures which documents are indexed, and the limits that
// protect the bot from the documents it is given.
type Corpus struct {
	// Paths are files or folders; empty means the built-in brief.
	Paths []string `yaml:"paths"`
	// URLs are http(s) documents fetched and indexed with the paths.
	URLs            []string `yaml:"urls"`
	MaxPassageChars int      `yaml:"max_passage_chars"`
	MinPassageChars int      `yaml:"min_passage_chars"`
	// AllowPrivateURLs lets URL sources (corpus.urls, /docs add url:) be
	// on loopback, private, link-local and carrier-grade NAT addresses:
	// off, a chat user could make the bot read the host's own services
	// or the intranet. Cloud metadata addresses stay refused.
	AllowPrivateURLs bool `yaml:"allow_private_urls"`
	// Refresh is how often URL sources and watched folders are checked
	// for changes; 0 turns the schedule off.
	Refresh Duration `yaml:"refresh"`
	// MaxDocumentBytes bounds one document, uploaded, fetched or read
	// from disk (a fetched one after decompression).
	MaxDocumentBytes ByteSize `yaml:"max_document_bytes"`
	// ParseTimeout bounds parsing one document, so a hostile file cannot
	// hold an ingest forever.
	ParseTimeout Duration `yaml:"parse_timeout"`
	// MaxPDFPages refuses longer PDFs before their text is extracted.
	MaxPDFPages int `yaml:"max_pdf_pages"`
}

// Index configures the search index.
type Index struct {
	// Dir is where the index lives; "" means <data_dir>/index (see
	// Config.IndexDir).
	Dir string `yaml:"dir"`
	// K1 and B are the BM25 parameters.
	K1 float64 `yaml:"k1"`
	B  float64 `yaml:"b"`
	// BoltTimeout bounds waiting for the index file lock, so a second
	// process fails clearly instead of hanging.
	BoltTimeout Duration `yaml:"bolt_timeout"`
}

// Retrieval configures how many passages back an answer and when a
// question counts as covered by them.
type Retrieval struct {
	K int `yaml:"k"`
	// MinCoverage is the smallest IDF-weighted share of the question's
	// terms that must be found for the question to count as covered.
	MinCoverage     float64 `yaml:"min_coverage"`
	MinMatchedTerms int     `yaml:"min_matched_terms"`
	// Synonyms weighs the words related to a question word that the
	// documents never use (WordNet synonyms, GloVe neighbours), relative to
	// the question's own words; 0 turns the expansion off.
	Synonyms float64 `yaml:"synonyms"`
}

// Default returns the configuration used for every key the file and the
// environment leave unset.
func Default() Config {
	return Config{
		Discord: Discord{
			APIBase:         "https://discord.com",
			Mode:            ModeGateway,
			Cooldown:        Duration(5 * time.Second),
			MaxInFlight:     8,
			QueueWait:       Duration(10 * time.Second),
			AnswerTimeout:   Duration(20 * time.Second),
			ShutdownTimeout: Duration(10 * time.Second),

			AnswerRetention:   Duration(30 * 24 * time.Hour),
			PrivateByDefault:  true,
			ThreadReplies:     ThreadRepliesMention,
			ConversationTurns: 8,
			ConversationTTL:   Duration(7 * 24 * time.Hour),
			RateLimit:         RateLimit{UserPerMinute: 6, UserBurst: 3, GuildPerMinute: 60, GuildBurst: 20},
			MaxQuestionChars:  500,
			ShardCount:        0,
			ShardID:           -1,
		},
		HTTP: HTTP{Listen: "127.0.0.1:8080"},
		LLM: LLM{
			BaseURL:         "https://api.openai.com/v1",
			Model:           "gpt-4o-mini",
			Timeout:         Duration(20 * time.Second),
			MaxTokens:       400,
			Temperature:     0.2,
			MaxPassages:     5,
			ContextChars:    6000,
			Stream:          true,
			DailyCapPerUser: 50,
			MaxConcurrent:   4,
			MaxRetries:      2,
		},
		Corpus: Corpus{
			MaxPassageChars:  1000,
			MinPassageChars:  200,
			MaxDocumentBytes: 25 << 20,
			ParseTimeout:     Duration(30 * time.Second),
			MaxPDFPages:      500,
		},
		Index: Index{
			K1:          1.2,
			B:           0.75,
			BoltTimeout: Duration(2 * time.Second),
		},
		Retrieval: Retrieval{K: 5, MinCoverage: 0.3, MinMatchedTerms: 2, Synonyms: 0.7},
		DataDir:   "./data",
		LogLevel:  "info",
	}
}

// Environment variables read by ApplyEnv, and the key each one sets.
var envKeys = []struct{ name, key string }{
	{"DISCORD_TOKEN", "discord.token"},
	{"DISCORD_APPLICATION_ID", "discord.application_id"},
	{"DISCORD_PUBLIC_KEY", "discord.public_key"},
	{"DISCORD_MODE", "discord.mode"},
	{"OPENAI_API_KEY", "llm.api_key"},
	{"OPENAI_BASE_URL", "llm.base_url"},
	{"OPENAI_MODEL", "llm.model"},
	{"BRIEFBOT_DATA", "data_dir"},
}

// ApplyEnv overrides keys from the environment: DISCORD_TOKEN,
// DISCORD_APPLICATION_ID, DISCORD_PUBLIC_KEY, OPENAI_API_KEY,
// OPENAI_BASE_URL, OPENAI_MODEL and BRIEFBOT_DATA. Unset or blank variables
// change nothing. Values are trimmed because secrets read with $(cat file)
// often keep a newline that would make authentication fail obscurely.
func (c *Config) ApplyEnv(getenv func(string) string) {
	for _, e := range envKeys {
		v := strings.TrimSpace(getenv(e.name))
		if v == "" {
			continue
		}
		switch e.key {
		case "discord.token":
			c.Discord.Token = v
		case "discord.application_id":
			c.Discord.ApplicationID = v
		case "discord.public_key":
			c.Discord.PublicKey = v
		case "discord.mode":
			c.Discord.Mode = v
		case "llm.api_key":
			c.LLM.APIKey = v
		case "llm.base_url":
			c.LLM.BaseURL = v
		case "llm.model":
			c.LLM.Model = v
		case "data_dir":
			c.DataDir = v
		}
		if c.env == nil {
			c.env = make(map[string]string)
		}
		c.env[e.key] = e.name
	}
	c.normalize()
}

// MaxFileBytes bounds the configuration file: a real one is a few
// kilobytes, and a path to a device or a huge file must not fill memory.
const MaxFileBytes = 1 << 20

// Load reads the configuration: defaults, then the file at path (none when
// path is ""), then the process environment, then Validate. A missing file
// is an error naming the path.
func Load(path string) (Config, error) {
	return LoadWith(path, os.Getenv)
}

// LoadWith is Load with the environment given as a lookup function.
func LoadWith(path string, getenv func(string) string) (Config, error) {
	var data []byte
	if path != "" {
		var err error
		data, err = boundedfile.Read(path, MaxFileBytes)
		if err != nil {
			return Config{}, fmt.Errorf("read config: %w", err)
		}
	}
	return load(data, path, getenv)
}

// Parse reads a configuration from YAML text: defaults, then data, then
// Validate. It does not consult the environment. source names data in
// error messages (usually the file name; "" for none).
func Parse(data []byte, source string) (Config, error) {
	return load(data, source, func(string) string { return "" })
}

func load(data []byte, source string, getenv func(string) string) (Config, error) {
	cfg, idx, problems := decode(data)
	cfg.ApplyEnv(getenv)
	// Report validation problems too, except for keys that failed to
	// decode: those still hold their defaults, which says nothing.
	failed := make(map[string]bool, len(problems))
	for _, p := range problems {
		failed[p.Key] = true
	}
	for _, p := range cfg.validate() {
		if !failed[p.Key] {
			problems = append(problems, p)
		}
	}
	if len(problems) == 0 {
		return cfg, nil
	}
	for _, p := range problems {
		if p.Env == "" && p.Line == 0 && p.Key != "" {
			p.Line = idx.line(p.Key)
		}
		if p.Env == "" {
			p.Source = source
		}
	}
	// In file order; problems without a line (from the environment, or
	// keys the file does not set) last.
	slices.SortStableFunc(problems, func(a, b *KeyError) int {
		return cmp.Compare(lineOrder(a), lineOrder(b))
	})
	red := NewRedactor(append(cfg.Secrets(), idx.secrets...)...)
	errs := make([]error, 0, len(problems))
	for _, p := range problems {
		p.Problem = red.Redact(p.Problem)
		p.Key = red.Redact(p.Key)
		errs = append(errs, p)
	}
	return Config{}, errors.Join(errs...)
}

func lineOrder(e *KeyError) int {
	if e.Line == 0 || e.Env != "" {
		return math.MaxInt
	}
	return e.Line
}

// decode applies data on top of Default. It reports every decoding problem
// it can, each against its key; validation is left to the caller.
func decode(data []byte) (Config, *nodeIndex, []*KeyError) {
	cfg := Default()
	idx := &nodeIndex{}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		idx.secrets = scrapeSecrets(data)
		return cfg, idx, []*KeyError{syntaxError(err, data)}
	}
	idx.build(&root)
	problems := idx.problems
	if len(root.Content) == 0 {
		return cfg, idx, nil // empty or comments only: all defaults
	}
	if doc := root.Content[0]; doc.Kind != yaml.MappingNode && doc.ShortTag() != "!!null" {
		return cfg, idx, []*KeyError{{Line: doc.Line, Problem: fmt.Sprintf(
			"the file must be a mapping of keys such as \"discord:\" and \"llm:\", got %s", describeNode(doc))}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(&cfg)
	var te *yaml.TypeError
	switch {
	case err == nil || errors.Is(err, io.EOF):
	case errors.As(err, &te):
		for _, msg := range te.Errors {
			problems = append(problems, idx.translate(msg))
		}
	default:
		problems = append(problems, syntaxError(err, data))
	}
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		problems = append(problems, &KeyError{Problem: "more than one YAML document (\"---\"); want exactly one"})
	}
	cfg.normalize()
	return cfg, idx, problems
}

// normalize puts equivalent spellings into one form, so that callers and
// comparisons need not care which one the user wrote.
func (c *Config) normalize() {
	c.Discord.APIBase = strings.TrimRight(c.Discord.APIBase, "/")
	c.LLM.BaseURL = strings.TrimRight(c.LLM.BaseURL, "/")
	// "[]" in the file decodes to an empty slice, absence leaves nil;
	// both mean "none".
	if len(c.Discord.GuildIDs) == 0 {
		c.Discord.GuildIDs = nil
	}
	if len(c.Discord.ModeratorRoleIDs) == 0 {
		c.Discord.ModeratorRoleIDs = nil
	}
	if len(c.Corpus.Paths) == 0 {
		c.Corpus.Paths = nil
	}
	if len(c.Corpus.URLs) == 0 {
		c.Corpus.URLs = nil
	}
	if len(c.LLM.Headers) == 0 {
		c.LLM.Headers = nil
	}
}

// IndexDir is index.dir, or <data_dir>/index when that is unset.
func (c Config) IndexDir() string {
	if c.Index.Dir != "" {
		return c.Index.Dir
	}
	return filepath.Join(c.DataDir, "index")
}

// SlogLevel is log_level as a slog.Level (info for an unknown name, which
// Validate rejects anyway).
func (c Config) SlogLevel() slog.Level {
	if l, ok := logLevels[c.LogLevel]; ok {
		return l
	}
	return slog.LevelInfo
}

var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

// CheckDiscord reports what serving on Discord needs beyond Validate: a
// token and an application ID, and the public key in http mode. Commands
// that never talk to Discord (index, eval, ask) do not call it.
func (c Config) CheckDiscord() error {
	var problems []*KeyError
	need := func(key, val, env string) {
		if val == "" {
			problems = append(problems, &KeyError{Key: key, Problem: fmt.Sprintf("required to serve on Discord (set it in the file or in %s)", env)})
		}
	}
	need("discord.token", c.Discord.Token, "DISCORD_TOKEN")
	need("discord.application_id", c.Discord.ApplicationID, "DISCORD_APPLICATION_ID")
	if c.Discord.Mode == ModeHTTP {
		need("discord.public_key", c.Discord.PublicKey, "DISCORD_PUBLIC_KEY")
		if c.HTTP.Listen == "" {
			problems = append(problems, &KeyError{Key: "http.listen", Problem: `is empty, but discord.mode "http" needs an address for Discord's POST /interactions`})
		}
	}
	return joinKeyErrors(problems)
}

func joinKeyErrors(problems []*KeyError) error {
	if len(problems) == 0 {
		return nil
	}
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}
