package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

const (
	testToken  = "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.discord-secret-token"
	testAPIKey = "sk-proj-openai-secret-key-0123456789"
	testHeader = "azure-header-secret-value"
	testPubKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

func secretConfig() Config {
	c := Default()
	c.Discord.Token = testToken
	c.Discord.PublicKey = testPubKey
	c.LLM.APIKey = testAPIKey
	c.LLM.Headers = map[string]string{"api-key": testHeader, "x-trace": "visible?"}
	c.LLM.BaseURL = "https://user:url-password-secret@llm.example/v1"
	c.Corpus.URLs = []string{
		"https://cdn.example/a.pdf?ex=1&hm=cdn-hmac-secret&page=intro",
		"https://bucket.example/r.pdf?X-Amz-Signature=amz-signature-secret&X-Amz-Expires=300",
		"https://docs.example/r?download=aGVsbG8gd29ybGQgc2VjcmV0#top",
	}
	return c
}

var allSecrets = []string{testToken, testAPIKey, testHeader, testPubKey, "url-password-secret",
	"cdn-hmac-secret", "amz-signature-secret", "aGVsbG8gd29ybGQgc2VjcmV0"}

func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s contains secret %q:\n%s", what, sec, s)
		}
	}
}

func TestRedacted(t *testing.T) {
	c := secretConfig()
	r := c.Redacted()
	if r.Discord.Token != Mask || r.Discord.PublicKey != Mask || r.LLM.APIKey != Mask ||
		r.LLM.Headers["api-key"] != Mask || r.LLM.Headers["x-trace"] != Mask {
		t.Errorf("Redacted left a secret: %+v %+v", r.Discord, r.LLM)
	}
	if r.LLM.BaseURL != "https://user:%5BREDACTED%5D@llm.example/v1" {
		t.Errorf("Redacted base_url = %q", r.LLM.BaseURL)
	}
	wantURLs := []string{
		"https://cdn.example/a.pdf?ex=1&hm=" + Mask + "&page=intro",
		"https://bucket.example/r.pdf?X-Amz-Signature=" + Mask + "&X-Amz-Expires=300",
		"https://docs.example/r?download=" + Mask + "#top",
	}
	if !slices.Equal(r.Corpus.URLs, wantURLs) {
		t.Errorf("Redacted corpus.urls = %q, want %q", r.Corpus.URLs, wantURLs)
	}
	// The original is untouched: Redacted copies, including the map.
	if c.Discord.Token != testToken || c.LLM.Headers["api-key"] != testHeader {
		t.Errorf("Redacted modified its receiver")
	}
	// Unset secrets stay visibly unset.
	if d := Default().Redacted(); d.Discord.Token != "" || d.LLM.APIKey != "" {
		t.Errorf("Redacted masked an empty secret")
	}
}

func TestPrintingNeverShowsSecrets(t *testing.T) {
	c := secretConfig()
	outputs := map[string]string{
		"String()":       c.String(),
		"%v":             fmt.Sprintf("%v", c),
		"%+v":            fmt.Sprintf("%+v", c),
		"%#v":            fmt.Sprintf("%#v", c),
		"%s pointer":     fmt.Sprintf("%s", &c),
		"%+v Discord":    fmt.Sprintf("%+v", c.Discord),
		"%#v Discord":    fmt.Sprintf("%#v", c.Discord),
		"%+v LLM":        fmt.Sprintf("%+v", c.LLM),
		"%#v LLM":        fmt.Sprintf("%#v", c.LLM),
		"%v in a struct": fmt.Sprintf("%+v", struct{ C Config }{c}),
	}
	for _, h := range []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"slog text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
		{"slog json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
	} {
		var buf bytes.Buffer
		slog.New(h.new(&buf)).Info("config", "cfg", c, "discord", c.Discord, "llm", c.LLM)
		outputs[h.name] = buf.String()
	}
	for what, out := range outputs {
		assertNoSecrets(t, what, out)
		if !strings.Contains(out, Mask) && !strings.Contains(out, "%5BREDACTED%5D") {
			t.Errorf("%s shows no mask at all, so it probably lost the fields:\n%s", what, out)
		}
	}
	// Logging keeps the file's key names, so logs and config read alike.
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", c)
	for _, want := range []string{`"answer_timeout":"20s"`, `"queue_wait":"10s"`, `"suggest_public_questions":false`, `"max_tokens":400`, `"token":"[REDACTED]"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JSON log lacks %s:\n%s", want, buf.String())
		}
	}
}

func TestRedactSecrets(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{"plain", "auth failed for abcd1234", []string{"abcd1234"}, "auth failed for [REDACTED]"},
		{"several occurrences", "k=abcd1234 again abcd1234", []string{"abcd1234"}, "k=[REDACTED] again [REDACTED]"},
		{"quoted form", `token "a\"bc\\d"`, []string{`a"bc\d`}, `token "[REDACTED]"`},
		{"url escaped form", "GET /x?key=a%2Fb%2Bc%3Dd", []string{"a/b+c=d"}, "GET /x?key=[REDACTED]"},
		{"longest first", "secret-1234-extended", []string{"secret-1234", "secret-1234-extended"}, "[REDACTED]"},
		{"too short to redact", "x marks the spot", []string{"x"}, "x marks the spot"},
		{"empty secret ignored", "nothing here", []string{""}, "nothing here"},
		{"no secrets", "unchanged", nil, "unchanged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactSecrets(tt.in, tt.secrets...); got != tt.want {
				t.Errorf("RedactSecrets(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	c := secretConfig()
	msg := fmt.Sprintf("POST %s failed: 401 (key %s, header %s)", "https://user:url-password-secret@llm.example/v1", testAPIKey, testHeader)
	got := c.Redact(msg)
	assertNoSecrets(t, "Config.Redact", got)
	if !strings.HasPrefix(got, "POST https://user:[REDACTED]@llm.example/v1 failed: 401") {
		t.Errorf("Redact changed non-secret text: %q", got)
	}
	var nilR *Redactor
	if got := nilR.Redact("abcd"); got != "abcd" {
		t.Errorf("nil Redactor changed text: %q", got)
	}
}

func TestRedactorReplaceAttr(t *testing.T) {
	c := secretConfig()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: c.Redactor().ReplaceAttr}))
	log.Error("request with "+testAPIKey+" failed",
		"err", errors.New("bad token "+testToken),
		"body", "echo "+testHeader,
		"n", 3)
	out := buf.String()
	assertNoSecrets(t, "log line", out)
	if strings.Count(out, Mask) != 3 || !strings.Contains(out, "n=3") {
		t.Errorf("log line = %q, want three masks and n=3", out)
	}
}

// A configuration error must not leak a secret, even one pasted under the
// wrong key or sitting next to the key that is wrong.
func TestErrorsNeverContainSecrets(t *testing.T) {
	short := "tok-abcd" // short enough that errors would echo it
	tests := []struct {
		name string
		in   string
		env  map[string]string
		// secrets that must not appear.
		secrets []string
	}{
		{"bad key next to the token", "discord:\n  token: " + testToken + "\n  toekn: " + testToken + "\n", nil, []string{testToken}},
		{"token pasted into a duration", "discord:\n  token: " + short + "\n  cooldown: " + short + "\n", nil, []string{short}},
		{"token pasted into the queue wait", "discord:\n  token: " + short + "\n  queue_wait: " + short + "\n", nil, []string{short}},
		{"token pasted into an ID", "discord:\n  token: " + short + "\n  application_id: " + short + "\n", nil, []string{short}},
		{"api key pasted into the model name of a list", "llm:\n  api_key: " + short + "\n  model: [" + short + "]\n  max_tokens: " + short + "\n", nil, []string{short}},
		{"unknown long secret pasted into a duration", "llm:\n  timeout: " + testAPIKey + "\n", nil, []string{testAPIKey}},
		{"secret as an unknown key's name", "llm:\n  api_key: " + short + "\n  " + short + ": 1\n", nil, []string{short}},
		{"header value pasted into a duration", "llm:\n  headers: {api-key: " + short + "}\n  timeout: " + short + "\n", nil, []string{short}},
		{"env secret pasted into the file", "discord:\n  cooldown: " + short + "\n", map[string]string{"DISCORD_TOKEN": short}, []string{short}},
		{"password in a corpus URL", "corpus:\n  urls: [\"https://bob:hunter22@example.org/\"]\n", nil, []string{"hunter22"}},
		{"token in a refused corpus URL", "corpus:\n  urls: [\"http://127.0.0.1/a?token=tok-abcd\"]\n", nil, []string{short}},
		{"token in a corpus URL next to a bad key", "corpus:\n  urls: [\"https://a.example/?sig=tok-abcd\"]\n  refresh: tok-abcd\n", nil, []string{short}},
		{"syntax error near the token", "discord:\n  token: " + short + "\n  cooldown: [\n", nil, []string{short}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load([]byte(tt.in), "t.yaml", func(k string) string { return tt.env[k] })
			if err == nil {
				t.Fatal("no error")
			}
			for _, sec := range tt.secrets {
				if strings.Contains(err.Error(), sec) {
					t.Errorf("error contains secret %q:\n%v", sec, err)
				}
			}
		})
	}
}
