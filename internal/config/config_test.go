package config

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/briefbot/briefbot/internal/projectdir"
)

// keyErrors returns the problems joined in err.
func keyErrors(t *testing.T, err error) []*KeyError {
	t.Helper()
	var out []*KeyError
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var ke *KeyError
		if !errors.As(e, &ke) {
			t.Fatalf("problem %q is not a *KeyError", e)
		}
		out = append(out, ke)
	}
	walk(err)
	return out
}

func keysOf(kes []*KeyError) []string {
	var keys []string
	for _, ke := range kes {
		keys = append(keys, ke.Key)
	}
	return keys
}

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestParseEmptyIsDefault(t *testing.T) {
	for _, in := range []string{"", "# just a comment\n", "~\n", "llm:\n", "discord: ~\n"} {
		cfg, err := Parse([]byte(in), "t.yaml")
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if !reflect.DeepEqual(cfg, Default()) {
			t.Errorf("Parse(%q) = %+v, want the defaults", in, cfg)
		}
	}
}

// The example file documents the defaults: it must load, and to exactly
// Default(), so that the two cannot drift apart.
func TestExampleFileIsTheDefaults(t *testing.T) {
	path := filepath.Join(root(t), "config.example.yaml")
	cfg, err := LoadWith(path, func(string) string { return "" })
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("config.example.yaml differs from Default():\nfile:\n%s\ndefault:\n%s", cfg, Default())
	}
}

// Every key of Config appears in the example file with a comment.
func TestExampleFileDocumentsEveryKey(t *testing.T) {
	path := filepath.Join(root(t), "config.example.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		if n.Kind == yaml.DocumentNode {
			walk(n.Content[0], prefix)
			return
		}
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := strings.TrimPrefix(prefix+"."+k.Value, ".")
			documented[p] = strings.TrimSpace(k.HeadComment+k.LineComment) != "" || n.Content[i+1].Kind == yaml.MappingNode
			walk(n.Content[i+1], p)
		}
	}
	walk(&root, "")
	for _, key := range allKeys(reflect.TypeFor[Config](), "") {
		ok, present := documented[key]
		switch {
		case !present:
			t.Errorf("config.example.yaml lacks key %s", key)
		case !ok:
			t.Errorf("config.example.yaml: key %s has no comment", key)
		}
	}
}

// allKeys lists the dotted leaf keys of a config struct type.
func allKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for f := range t.Fields() {
		name := yamlName(f)
		if name == "" {
			continue
		}
		p := strings.TrimPrefix(prefix+"."+name, ".")
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Duration]() {
			keys = append(keys, allKeys(f.Type, p)...)
			continue
		}
		keys = append(keys, p)
	}
	return keys
}

func TestParseValues(t *testing.T) {
	in := `
discord:
  application_id: 112233445566778899
  api_base: "http://127.0.0.1:9999/proxy/"
  guild_ids: [123456789012345678, "223456789012345678"]
  mode: http
  cooldown: 1m30s
  queue_wait: 0s
  answer_timeout: 500ms
  suggest_public_questions: true
  answer_retention: 90d
  private_by_default: false
  thread_replies: all
  conversation_turns: 3
  conversation_ttl: 36h
  rate_limit: {user_per_minute: 2, user_burst: 1, guild_per_minute: 0, guild_burst: 0}
  max_question_chars: 4000
  shard_count: 4
  shard_id: 3
http:
  listen: ""
llm:
  enabled: true
  base_url: https://example.openai.azure.com/openai/
  headers: {api-key: abcdef123456}
  api_version: "2024-06-01"
  temperature: 0
  stream: false
corpus:
  paths: [docs, brief.md]
  urls: ["https://example.org/report.pdf", "http://10.0.0.5:8080/wiki"]
  allow_private_urls: true
  refresh: 7d
  max_document_bytes: 40MiB
  parse_timeout: 1m
  max_pdf_pages: 2000
index: {k1: 2, b: 0.25}
retrieval: {k: 8, min_coverage: 1, min_matched_terms: 1}
data_dir: /var/lib/briefbot
log_level: debug
`
	cfg, err := Parse([]byte(in), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Discord.ApplicationID = "112233445566778899"
	want.Discord.APIBase = "http://127.0.0.1:9999/proxy"
	// Unquoted IDs must keep every digit: they are decoded from the text,
	// never through a float.
	want.Discord.GuildIDs = []string{"123456789012345678", "223456789012345678"}
	want.Discord.Mode = ModeHTTP
	want.Discord.Cooldown = Duration(90 * time.Second)
	want.Discord.QueueWait = 0
	want.Discord.AnswerTimeout = Duration(500 * time.Millisecond)
	want.Discord.SuggestPublicQuestions = true
	want.Discord.AnswerRetention = Duration(90 * 24 * time.Hour)
	want.Discord.PrivateByDefault = false
	want.Discord.ThreadReplies = ThreadRepliesAll
	want.Discord.ConversationTurns = 3
	want.Discord.ConversationTTL = Duration(36 * time.Hour)
	want.Discord.RateLimit = RateLimit{UserPerMinute: 2, UserBurst: 1}
	want.Discord.MaxQuestionChars = 4000
	want.Discord.ShardCount = 4
	want.Discord.ShardID = 3
	want.HTTP.Listen = ""
	want.LLM.Enabled = true
	want.LLM.BaseURL = "https://example.openai.azure.com/openai"
	want.LLM.Headers = map[string]string{"api-key": "abcdef123456"}
	want.LLM.APIVersion = "2024-06-01"
	want.LLM.Temperature = 0
	want.LLM.Stream = false
	want.Corpus.Paths = []string{"docs", "brief.md"}
	want.Corpus.URLs = []string{"https://example.org/report.pdf", "http://10.0.0.5:8080/wiki"}
	want.Corpus.AllowPrivateURLs = true
	want.Corpus.Refresh = Duration(7 * 24 * time.Hour)
	want.Corpus.MaxDocumentBytes = 40 << 20
	want.Corpus.ParseTimeout = Duration(time.Minute)
	want.Corpus.MaxPDFPages = 2000
	want.Index.K1, want.Index.B = 2, 0.25
	want.Retrieval = Retrieval{K: 8, MinCoverage: 1, MinMatchedTerms: 1, Synonyms: 0.7}
	want.DataDir = "/var/lib/briefbot"
	want.LogLevel = "debug"
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Parse:\n got %#v\nwant %#v", cfg, want)
	}
	if got := cfg.IndexDir(); got != filepath.Join("/var/lib/briefbot", "index") {
		t.Errorf("IndexDir() = %q", got)
	}
	if got := cfg.SlogLevel(); got != slog.LevelDebug {
		t.Errorf("SlogLevel() = %v", got)
	}
}

// TestModelKeyNotNeeded: a key is required only where a keyless request
// is certain to fail.
func TestModelKeyNotNeeded(t *testing.T) {
	for _, in := range []string{
		"llm:\n  enabled: true\n  base_url: http://localhost:11434/v1\n",
		"llm:\n  enabled: true\n  headers: {Authorization: Bearer x}\n",
		"llm:\n  enabled: true\n  api_key: sk-x\n",
		"llm:\n  enabled: false\n",
	} {
		if _, err := Parse([]byte(in), "t.yaml"); err != nil {
			t.Errorf("Parse(%q): %v", in, err)
		}
	}
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("llm:\n  enabled: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadWith(path, func(k string) string {
		if k == "OPENAI_API_KEY" {
			return "sk-from-env"
		}
		return ""
	})
	if err != nil || cfg.LLM.APIKey != "sk-from-env" {
		t.Errorf("key from the environment: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// keys are the keys of the problems, in order.
		keys []string
		// want are substrings of the error text.
		want []string
		line int // line of the first problem, when checked
	}{
		{"unknown key", "llm:\n  temprature: 0.3\n", []string{"llm.temprature"},
			[]string{"t.yaml:2: llm.temprature: unknown key", `did you mean "temperature"`, "max_tokens"}, 2},
		{"unknown top-level key", "retreival:\n  k: 3\n", []string{"retreival"},
			[]string{`did you mean "retrieval"`}, 1},
		{"unknown key in flow style", "index: {k1: 1, bb: 0.5}\n", []string{"index.bb"},
			[]string{"index.bb: unknown key", `did you mean "b"`}, 1},
		{"wrong type", "retrieval:\n  k: \"five\"\n", []string{"retrieval.k"},
			[]string{"retrieval.k: expected a whole number", `"five"`}, 2},
		{"quoted number", "retrieval:\n  k: \"5\"\n", []string{"retrieval.k"},
			[]string{"remove the quotes"}, 2},
		{"float for int", "llm:\n  max_tokens: 1.5\n", []string{"llm.max_tokens"},
			[]string{"expected a whole number, got the number 1.5"}, 2},
		{"integer overflow", "llm:\n  max_tokens: 99999999999999999999\n", []string{"llm.max_tokens"},
			[]string{"out of range"}, 2},
		{"string for bool", "llm:\n  enabled: maybe\n", []string{"llm.enabled"},
			[]string{"expected true or false"}, 2},
		{"list for string", "llm:\n  model: [a, b]\n", []string{"llm.model"},
			[]string{"expected a string, got a list"}, 2},
		{"mapping for secret in flow style", "llm: {api_key: {a: b}}\n", []string{"llm.api_key"},
			[]string{"t.yaml:1: llm.api_key: expected a string, got a mapping"}, 1},
		{"mapping for string in flow style", "llm:\n  model: {x: 1}\n", []string{"llm.model"},
			[]string{"llm.model: expected a string, got a mapping"}, 2},
		{"mapping for header value in flow style", "llm: {headers: {X-A: {b: c}}}\n", []string{"llm.headers.X-A"}, nil, 1},
		{"scalar for list", "corpus:\n  paths: docs\n", []string{"corpus.paths"},
			[]string{"expected a list of strings"}, 2},
		{"scalar for section", "llm: yes\n", []string{"llm"},
			[]string{"expected a section"}, 1},
		{"temperature too high", "llm:\n  temperature: 3\n", []string{"llm.temperature"},
			[]string{"between 0 and 2, got 3"}, 2},
		{"temperature NaN", "llm:\n  temperature: .nan\n", []string{"llm.temperature"}, nil, 2},
		{"k zero", "retrieval:\n  k: 0\n", []string{"retrieval.k"}, []string{"got 0"}, 2},
		{"coverage above one", "retrieval: {min_coverage: 1.5}\n", []string{"retrieval.min_coverage"}, nil, 1},
		{"bm25 b zero", "index: {b: 0}\n", []string{"index.b"}, []string{"above 0"}, 1},
		{"bm25 k1 infinite", "index: {k1: .inf}\n", []string{"index.k1"}, nil, 1},
		{"coverage zero", "retrieval: {min_coverage: 0}\n", []string{"retrieval.min_coverage"}, nil, 1},
		{"matched terms zero", "retrieval: {min_matched_terms: 0}\n", []string{"retrieval.min_matched_terms"}, nil, 1},
		{"api_base without scheme", "discord:\n  api_base: discord.com\n", []string{"discord.api_base"},
			[]string{"absolute http(s) URL"}, 2},
		{"api_base with query", "discord:\n  api_base: https://discord.com/api?v=10\n", []string{"discord.api_base"},
			[]string{"query"}, 2},
		{"api_base with fragment", "discord:\n  api_base: https://discord.com/#x\n", []string{"discord.api_base"},
			[]string{"fragment"}, 2},
		{"api_base ftp", "discord:\n  api_base: ftp://discord.com\n", []string{"discord.api_base"}, nil, 2},
		{"shard_count negative", "discord:\n  shard_count: -2\n", []string{"discord.shard_count"},
			[]string{"t.yaml:2: discord.shard_count: must be 0", "got -2"}, 2},
		{"shard_id without shard_count", "discord:\n  shard_id: 1\n", []string{"discord.shard_id"},
			[]string{"t.yaml:2: discord.shard_id: is 1, which needs discord.shard_count"}, 2},
		{"shard_id out of range", "discord:\n  shard_count: 2\n  shard_id: 2\n", []string{"discord.shard_id"},
			[]string{"t.yaml:3: discord.shard_id: must be -1 (every shard) or 0 to 1", "got 2"}, 3},
		{"shard_id below -1", "discord: {shard_count: 2, shard_id: -3}\n", []string{"discord.shard_id"},
			[]string{"must be -1 (every shard) or a shard number from 0, got -3"}, 1},
		{"shard_id not a number", "discord:\n  shard_id: all\n", []string{"discord.shard_id"},
			[]string{"expected a whole number"}, 2},
		{"base_url with credentials", "llm:\n  base_url: https://u:p@x.example/v1\n", []string{"llm.base_url"},
			[]string{"credentials"}, 2},
		{"url scheme", "corpus:\n  urls: [ftp://example.org/a.pdf]\n", []string{"corpus.urls[0]"},
			[]string{"t.yaml:2: corpus.urls[0]: refused: only http and https URLs can be fetched, not ftp"}, 2},
		{"url loopback", "corpus:\n  urls:\n    - https://example.org/a\n    - http://127.0.0.1:8000/x\n", []string{"corpus.urls[1]"},
			[]string{"corpus.urls[1]: refused: 127.0.0.1 is a loopback address; set corpus.allow_private_urls"}, 4},
		{"url metadata even when private allowed", "corpus: {allow_private_urls: true, urls: [http://169.254.169.254/latest]}\n",
			[]string{"corpus.urls[0]"}, []string{"cloud metadata"}, 1},
		{"url credentials not echoed", "corpus:\n  urls: [\"https://bob:hunter22@example.org/\"]\n", []string{"corpus.urls[0]"},
			[]string{"user name or password"}, 2},
		{"url empty and duplicate", "corpus:\n  urls: [\"\", https://a.example/x, https://a.example/x]\n",
			[]string{"corpus.urls[0]", "corpus.urls[2]"}, []string{"empty URL", "the same URL as corpus.urls[1]"}, 2},
		{"urls not a list", "corpus:\n  urls: https://a.example/x\n", []string{"corpus.urls"}, []string{"expected a list of strings"}, 2},
		{"refresh too often", "corpus:\n  refresh: 10s\n", []string{"corpus.refresh"},
			[]string{"must be 0 (off) or at least 1m0s", "got 10s"}, 2},
		{"refresh negative", "corpus:\n  refresh: -1h\n", []string{"corpus.refresh"}, nil, 2},
		{"refresh without unit", "corpus:\n  refresh: 3600\n", []string{"corpus.refresh"}, []string{`write "3600s"`}, 2},
		{"document size unit", "corpus:\n  max_document_bytes: 25 megabytes\n", []string{"corpus.max_document_bytes"},
			[]string{`expected a size such as "25MB"`}, 2},
		{"document size zero", "corpus:\n  max_document_bytes: 0\n", []string{"corpus.max_document_bytes"},
			[]string{"must be between 1 byte and 1GB", "got 0"}, 2},
		{"document size too large", "corpus:\n  max_document_bytes: 2GB\n", []string{"corpus.max_document_bytes"},
			[]string{"got 2GB"}, 2},
		{"document size list", "corpus: {max_document_bytes: [1]}\n", []string{"corpus.max_document_bytes"}, []string{"got a list"}, 1},
		{"parse timeout zero", "corpus:\n  parse_timeout: 0s\n", []string{"corpus.parse_timeout"}, []string{"positive duration"}, 2},
		{"pdf pages zero", "corpus:\n  max_pdf_pages: 0\n", []string{"corpus.max_pdf_pages"}, []string{"at least 1"}, 2},
		{"mode", "discord:\n  mode: webhook\n", []string{"discord.mode"}, []string{"gateway, http", `"webhook"`}, 2},
		{"application id", "discord:\n  application_id: my-bot\n", []string{"discord.application_id"}, []string{"Discord ID"}, 2},
		{"guild id item", "discord:\n  guild_ids:\n    - 123456789012345678\n    - abc\n", []string{"discord.guild_ids[1]"}, nil, 4},
		{"public key", "discord:\n  public_key: nothex\n", []string{"discord.public_key"}, []string{"64 hexadecimal"}, 2},
		{"negative cooldown", "discord:\n  cooldown: -1s\n", []string{"discord.cooldown"}, []string{"negative"}, 2},
		{"negative queue wait", "discord:\n  queue_wait: -1s\n", []string{"discord.queue_wait"}, []string{"negative"}, 2},
		{"queue wait without unit", "discord:\n  queue_wait: 10\n", []string{"discord.queue_wait"}, []string{`"10s"`}, 2},
		{"suggest_public_questions not a bool", "discord:\n  suggest_public_questions: sometimes\n", []string{"discord.suggest_public_questions"}, []string{"true or false"}, 2},
		{"thread replies", "discord:\n  thread_replies: everything\n", []string{"discord.thread_replies"}, []string{"mention, all", `"everything"`}, 2},
		{"conversation turns", "discord:\n  conversation_turns: 0\n", []string{"discord.conversation_turns"}, []string{"between 1 and 50"}, 2},
		{"zero retention", "discord:\n  answer_retention: 0d\n", []string{"discord.answer_retention"}, []string{"positive"}, 2},
		{"conversation ttl", "discord:\n  conversation_ttl: -1d\n", []string{"discord.conversation_ttl"}, []string{"30d"}, 2},
		{"negative user rate", "discord:\n  rate_limit:\n    user_per_minute: -1\n", []string{"discord.rate_limit.user_per_minute"},
			[]string{"must not be negative (0 turns the limit off), got -1"}, 3},
		{"user burst zero with a rate", "discord:\n  rate_limit: {user_burst: 0}\n", []string{"discord.rate_limit.user_burst"},
			[]string{"at least 1 when discord.rate_limit.user_per_minute is above 0", "got 0"}, 2},
		{"negative guild burst", "discord:\n  rate_limit:\n    guild_per_minute: 0\n    guild_burst: -5\n", []string{"discord.rate_limit.guild_burst"},
			[]string{"must not be negative, got -5"}, 4},
		{"guild burst zero with a rate", "discord:\n  rate_limit:\n    guild_burst: 0\n", []string{"discord.rate_limit.guild_burst"},
			[]string{"discord.rate_limit.guild_per_minute is above 0"}, 3},
		{"absurd guild rate", "discord:\n  rate_limit: {guild_per_minute: 1000000}\n", []string{"discord.rate_limit.guild_per_minute"},
			[]string{"at most 100000"}, 2},
		{"rate not a number", "discord:\n  rate_limit: {user_per_minute: lots}\n", []string{"discord.rate_limit.user_per_minute"},
			[]string{"expected a whole number"}, 2},
		{"rate limit unknown key", "discord:\n  rate_limit: {user_per_minte: 5}\n", []string{"discord.rate_limit.user_per_minte"},
			[]string{"unknown key", `did you mean "user_per_minute"`}, 2},
		{"rate limit not a section", "discord:\n  rate_limit: 5\n", []string{"discord.rate_limit"}, []string{"expected a section"}, 2},
		{"question chars zero", "discord:\n  max_question_chars: 0\n", []string{"discord.max_question_chars"},
			[]string{"between 1 and 4000, got 0"}, 2},
		{"question chars too many", "discord:\n  max_question_chars: 4001\n", []string{"discord.max_question_chars"},
			[]string{"between 1 and 4000, got 4001"}, 2},
		{"private by default not a bool", "discord:\n  private_by_default: maybe\n", []string{"discord.private_by_default"}, []string{"true or false"}, 2},
		{"bare number duration", "llm:\n  timeout: 20\n", []string{"llm.timeout"}, []string{`"20s"`}, 2},
		{"bad duration", "index:\n  bolt_timeout: soon\n", []string{"index.bolt_timeout"},
			[]string{`got "soon"`}, 2},
		{"answer timeout beyond interaction life", "discord:\n  answer_timeout: 1h\n", []string{"discord.answer_timeout"}, []string{"15m"}, 2},
		{"zero timeout", "llm:\n  timeout: 0s\n", []string{"llm.timeout"}, []string{"positive"}, 2},
		{"listen", "http:\n  listen: localhost\n", []string{"http.listen"}, []string{"host:port"}, 2},
		{"listen port", "http:\n  listen: \":http\"\n", []string{"http.listen"}, []string{"port"}, 2},
		{"header name", "llm:\n  headers: {\"x y\": v}\n", []string{"llm.headers.x y"}, []string{"header name"}, 2},
		{"passage bounds", "corpus:\n  max_passage_chars: 100\n  min_passage_chars: 200\n",
			[]string{"corpus.min_passage_chars"}, []string{"must not exceed corpus.max_passage_chars (100)"}, 3},
		{"empty path", "corpus:\n  paths: [a, \"\"]\n", []string{"corpus.paths[1]"}, nil, 2},
		{"model required when enabled", "llm:\n  enabled: true\n  base_url: http://localhost:11434/v1\n  model: \"\"\n", []string{"llm.model"}, nil, 4},
		{"key required for the public API", "llm:\n  enabled: true\n", []string{"llm.api_key"},
			[]string{"OPENAI_API_KEY", "llm.base_url"}, 0},
		{"key required for the public API named explicitly", "llm:\n  enabled: true\n  base_url: https://API.openai.com/v1\n", []string{"llm.api_key"}, nil, 0},
		{"log level", "log_level: verbose\n", []string{"log_level"}, []string{"debug, info, warn, error"}, 1},
		{"data dir", "data_dir: \"\"\n", []string{"data_dir"}, nil, 1},
		{"duplicate key", "llm:\n  model: a\n  model: b\n", []string{"llm.model"}, []string{"set twice (first at line 2)"}, 3},
		{"not a mapping", "- a\n- b\n", []string{""}, []string{"must be a mapping"}, 1},
		{"syntax", "llm:\n  model: [a\n", []string{""}, []string{"invalid YAML"}, 0},
		{"tab indentation", "llm:\n\tmodel: x\n", []string{""}, []string{"tabs"}, 2},
		{"two documents", "llm: {}\n---\nllm: {}\n", []string{""}, []string{"more than one YAML document"}, 0},
		{"several problems, in file order", "retrieval:\n  k: 0\nllm:\n  temprature: 1\n  max_retries: 11\n",
			[]string{"retrieval.k", "llm.temprature", "llm.max_retries"}, nil, 2},
		{"type error and range error together", "llm: {max_tokens: lots, temperature: -1}\n",
			[]string{"llm.max_tokens", "llm.temperature"}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tt.in), "t.yaml")
			if err == nil {
				t.Fatalf("Parse(%q) succeeded: %v", tt.in, cfg)
			}
			kes := keyErrors(t, err)
			if got := keysOf(kes); !slices.Equal(got, tt.keys) {
				t.Errorf("problem keys = %q, want %q; error:\n%v", got, tt.keys, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if tt.line != 0 && kes[0].Line != tt.line {
				t.Errorf("line = %d, want %d; error:\n%v", kes[0].Line, tt.line, err)
			}
			for _, ke := range kes {
				if ke.Source != "t.yaml" {
					t.Errorf("source = %q, want t.yaml", ke.Source)
				}
				if ke.Key != "" && !strings.Contains(ke.Error(), ke.Key+": ") {
					t.Errorf("message %q does not name key %q", ke.Error(), ke.Key)
				}
			}
			if !reflect.DeepEqual(cfg, Config{}) {
				t.Errorf("a failed Parse returned a non-zero Config")
			}
		})
	}
}

func TestApplyEnv(t *testing.T) {
	env := map[string]string{
		"DISCORD_TOKEN":          "discord-token-value\n",
		"DISCORD_APPLICATION_ID": "112233445566778899",
		"DISCORD_PUBLIC_KEY":     strings.Repeat("ab", 32),
		"DISCORD_MODE":           "http",
		"OPENAI_API_KEY":         "sk-test-key",
		"OPENAI_BASE_URL":        "http://localhost:11434/v1/",
		"OPENAI_MODEL":           "llama3",
		"BRIEFBOT_DATA":          "/srv/briefbot",
		"UNRELATED":              "x",
	}
	cfg, err := Parse([]byte("discord: {token: from-file}\nllm: {model: file-model}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ApplyEnv(func(k string) string { return env[k] })
	want := Default()
	want.Discord.Token = "discord-token-value"
	want.Discord.ApplicationID = "112233445566778899"
	want.Discord.PublicKey = strings.Repeat("ab", 32)
	want.Discord.Mode = "http"
	want.LLM.APIKey = "sk-test-key"
	want.LLM.BaseURL = "http://localhost:11434/v1"
	want.LLM.Model = "llama3"
	want.DataDir = "/srv/briefbot"
	want.env = cfg.env
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("after ApplyEnv:\n got %#v\nwant %#v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}

	// Unset and blank variables leave the file's values alone.
	cfg2, _ := Parse([]byte("discord: {token: from-file}\n"), "t.yaml")
	cfg2.ApplyEnv(func(k string) string {
		if k == "DISCORD_TOKEN" {
			return "  "
		}
		return ""
	})
	if cfg2.Discord.Token != "from-file" {
		t.Errorf("blank DISCORD_TOKEN overrode the file: %q", cfg2.Discord.Token)
	}
}

func TestLoadWith(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "briefbot.yaml")
	if err := os.WriteFile(path, []byte("llm:\n  model: from-file\n  temperature: 0.5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OPENAI_MODEL": "from-env"}
	cfg, err := LoadWith(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LLM.Model != "from-env" || cfg.LLM.Temperature != 0.5 {
		t.Errorf("model %q temperature %v: want the env's model and the file's temperature", cfg.LLM.Model, cfg.LLM.Temperature)
	}

	t.Run("no file", func(t *testing.T) {
		cfg, err := LoadWith("", func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if cfg.LLM.Model != "from-env" || cfg.LLM.Temperature != Default().LLM.Temperature {
			t.Errorf("got model %q temperature %v", cfg.LLM.Model, cfg.LLM.Temperature)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		missing := filepath.Join(dir, "nope.yaml")
		_, err := LoadWith(missing, func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v, want a not-exist error naming %s", err, missing)
		}
	})
	t.Run("not a regular file or too large", func(t *testing.T) {
		huge := filepath.Join(dir, "huge.yaml")
		if err := os.WriteFile(huge, bytes.Repeat([]byte("# comment\n"), MaxFileBytes/10+1), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{huge, "/dev/zero", dir} {
			_, err := LoadWith(p, func(string) string { return "" })
			if err == nil || !strings.Contains(err.Error(), "read config") || !strings.Contains(err.Error(), p) {
				t.Errorf("LoadWith(%s) = %v, want a read error naming the file", p, err)
			}
		}
	})
	t.Run("bad env value names the variable", func(t *testing.T) {
		_, err := LoadWith(path, func(k string) string {
			return map[string]string{"OPENAI_BASE_URL": "localhost:11434", "DISCORD_APPLICATION_ID": "abc"}[k]
		})
		kes := keyErrors(t, err)
		if got := keysOf(kes); !slices.Equal(got, []string{"discord.application_id", "llm.base_url"}) {
			t.Fatalf("keys = %q; error:\n%v", got, err)
		}
		for _, ke := range kes {
			if ke.Env == "" || ke.Source != "" || !strings.Contains(ke.Error(), "(from "+ke.Env+")") {
				t.Errorf("problem %q does not point at its environment variable", ke)
			}
		}
	})
	t.Run("file errors carry the path", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(bad, []byte("retrieval:\n  k: 0\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadWith(bad, func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), bad+":2: retrieval.k:") {
			t.Errorf("err = %v, want it to start with %s:2: retrieval.k:", err, bad)
		}
	})
}

func TestCheckDiscord(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		keys []string
	}{
		{"nothing set", func(*Config) {}, []string{"discord.token", "discord.application_id"}},
		{"gateway ready", func(c *Config) { c.Discord.Token, c.Discord.ApplicationID = "t0ken", "1" }, nil},
		{"http needs the public key", func(c *Config) {
			c.Discord.Token, c.Discord.ApplicationID, c.Discord.Mode = "t0ken", "1", ModeHTTP
		}, []string{"discord.public_key"}},
		{"http needs a listener", func(c *Config) {
			c.Discord.Token, c.Discord.ApplicationID, c.Discord.Mode = "t0ken", "1", ModeHTTP
			c.Discord.PublicKey, c.HTTP.Listen = strings.Repeat("ab", 32), ""
		}, []string{"http.listen"}},
		{"http ready", func(c *Config) {
			c.Discord.Token, c.Discord.ApplicationID, c.Discord.Mode = "t0ken", "1", ModeHTTP
			c.Discord.PublicKey = strings.Repeat("ab", 32)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.edit(&c)
			err := c.CheckDiscord()
			if len(tt.keys) == 0 {
				if err != nil {
					t.Fatalf("CheckDiscord: %v", err)
				}
				return
			}
			if got := keysOf(keyErrors(t, err)); !slices.Equal(got, tt.keys) {
				t.Errorf("keys = %q, want %q", got, tt.keys)
			}
		})
	}
}

func TestIndexDirDefault(t *testing.T) {
	c := Default()
	c.DataDir = "d"
	if got := c.IndexDir(); got != filepath.Join("d", "index") {
		t.Errorf("IndexDir() = %q", got)
	}
	c.Index.Dir = "elsewhere"
	if got := c.IndexDir(); got != "elsewhere" {
		t.Errorf("IndexDir() = %q", got)
	}
}

// String() is YAML that parses back to the same configuration (when there
// are no secrets to mask).
func TestStringRoundTrip(t *testing.T) {
	c := Default()
	c.Discord.GuildIDs = []string{"123456789012345678"}
	c.Corpus.Paths = []string{"a b", "c:d"}
	c.Discord.Cooldown = Duration(1500 * time.Millisecond)
	got, err := Parse([]byte(c.String()), "string")
	if err != nil {
		t.Fatalf("Parse(String()): %v\n%s", err, c)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip:\n got %#v\nwant %#v", got, c)
	}
}

func root(t *testing.T) string {
	t.Helper()
	dir, err := projectdir.Root()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
