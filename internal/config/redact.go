package config

import (
	"cmp"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Mask replaces a secret wherever one would be shown.
const Mask = "[REDACTED]"

// minSecretLen is the shortest secret Redact replaces inside text. Shorter
// values (a placeholder key "x" for a local model server) guard nothing,
// and replacing every "x" would make messages unreadable. Redacted masks
// secrets of any length.
const minSecretLen = 4

// Secrets lists the secret values of c: discord.token, discord.public_key,
// llm.api_key, every llm.headers value, passwords embedded in the API
// URLs, and query values of corpus.urls that look like tokens (signed
// download links).
func (c Config) Secrets() []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	add(c.Discord.Token)
	add(c.Discord.PublicKey)
	add(c.LLM.APIKey)
	for _, k := range slices.Sorted(maps.Keys(c.LLM.Headers)) {
		add(c.LLM.Headers[k])
	}
	for _, raw := range append([]string{c.Discord.APIBase, c.LLM.BaseURL}, c.Corpus.URLs...) {
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			p, _ := u.User.Password()
			add(p)
		}
	}
	for _, raw := range c.Corpus.URLs {
		for _, v := range queryTokens(raw) {
			add(v)
		}
	}
	return out
}

// tokenParams are query parameter names, or parts of them, that carry
// credentials in the links people paste: "token", "api_key",
// "X-Amz-Signature", "sig", Discord's CDN "hm".
var tokenParams = []string{"token", "key", "sig", "secret", "auth", "pass", "cred", "session", "hmac", "code"}

// queryTokens returns the query values of raw that look like credentials,
// as written and decoded: those of a parameter named like one, and any
// long run of letters and digits, which is what generated tokens are.
func queryTokens(raw string) []string {
	_, query, ok := strings.Cut(raw, "?")
	if !ok {
		return nil
	}
	query, _, _ = strings.Cut(query, "#")
	var out []string
	for part := range strings.SplitSeq(query, "&") {
		k, v, _ := strings.Cut(part, "=")
		if v == "" {
			continue
		}
		name := strings.ToLower(k)
		secret := name == "hm" || len(v) >= 16 && strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%+/=") == ""
		for _, p := range tokenParams {
			secret = secret || strings.Contains(name, p)
		}
		if !secret {
			continue
		}
		out = append(out, v)
		if d, err := url.QueryUnescape(v); err == nil && d != v {
			out = append(out, d)
		}
	}
	return out
}

// redactQuery masks the query values of raw that queryTokens reports.
func redactQuery(raw string) string {
	base, query, ok := strings.Cut(raw, "?")
	if !ok {
		return raw
	}
	query, frag, hasFrag := strings.Cut(query, "#")
	secret := queryTokens(raw)
	parts := strings.Split(query, "&")
	for i, part := range parts {
		if k, v, _ := strings.Cut(part, "="); v != "" && slices.Contains(secret, v) {
			parts[i] = k + "=" + Mask
		}
	}
	out := base + "?" + strings.Join(parts, "&")
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// Redact replaces every secret of c occurring in s with Mask. Use it on
// text that may quote configuration or request data, such as errors from
// an HTTP client, before logging or showing it. For many strings, build a
// Redactor once instead.
func (c Config) Redact(s string) string {
	return c.Redactor().Redact(s)
}

// Redactor returns a Redactor for c's secrets.
func (c Config) Redactor() *Redactor {
	return NewRedactor(c.Secrets()...)
}

// RedactSecrets replaces each secret (of at least 4 bytes) occurring in s
// with Mask, also in its quoted and URL-escaped spellings.
func RedactSecrets(s string, secrets ...string) string {
	return NewRedactor(secrets...).Redact(s)
}

// Redactor replaces a fixed set of secrets in text. The zero value and nil
// replace nothing. It is safe for concurrent use.
type Redactor struct {
	r *strings.Replacer
}

// NewRedactor returns a Redactor for secrets; secrets shorter than 4 bytes
// are ignored.
func NewRedactor(secrets ...string) *Redactor {
	var forms []string
	for _, sec := range secrets {
		if len(sec) < minSecretLen {
			continue
		}
		q := strconv.Quote(sec)
		forms = append(forms, sec, q[1:len(q)-1], url.QueryEscape(sec), url.PathEscape(sec))
	}
	if len(forms) == 0 {
		return &Redactor{}
	}
	// Longest first, so that a secret containing another is replaced
	// whole rather than leaving its remainder visible: the replacer tries
	// the pairs in order at each position.
	slices.SortFunc(forms, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	forms = slices.Compact(forms)
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, Mask)
	}
	return &Redactor{r: strings.NewReplacer(pairs...)}
}

// Redact replaces the secrets occurring in s with Mask.
func (r *Redactor) Redact(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// ReplaceAttr is a slog.HandlerOptions.ReplaceAttr that redacts string
// and error values, including the message, as a last line of defence for
// log text that quotes request data.
func (r *Redactor) ReplaceAttr(_ []string, a slog.Attr) slog.Attr {
	if r == nil || r.r == nil {
		return a
	}
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(r.Redact(a.Value.String()))
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			a.Value = slog.StringValue(r.Redact(err.Error()))
		}
	}
	return a
}

// Redacted returns a copy of c with every secret replaced by Mask (empty
// secrets stay empty, so a dump still shows which ones are unset).
func (c Config) Redacted() Config {
	r := c
	r.Discord = c.Discord.redacted()
	r.LLM = c.LLM.redacted()
	r.Discord.GuildIDs = slices.Clone(c.Discord.GuildIDs)
	r.Discord.ModeratorRoleIDs = slices.Clone(c.Discord.ModeratorRoleIDs)
	r.Corpus.Paths = slices.Clone(c.Corpus.Paths)
	if c.Corpus.URLs != nil {
		r.Corpus.URLs = make([]string, len(c.Corpus.URLs))
		for i, u := range c.Corpus.URLs {
			r.Corpus.URLs[i] = redactQuery(redactURL(u))
		}
	}
	r.env = maps.Clone(c.env)
	return r
}

func (d Discord) redacted() Discord {
	d.Token = mask(d.Token)
	d.PublicKey = mask(d.PublicKey)
	d.APIBase = redactURL(d.APIBase)
	return d
}

func (l LLM) redacted() LLM {
	l.APIKey = mask(l.APIKey)
	l.BaseURL = redactURL(l.BaseURL)
	if l.Headers != nil {
		h := make(map[string]string, len(l.Headers))
		for k, v := range l.Headers {
			h[k] = mask(v)
		}
		l.Headers = h
	}
	return l
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return Mask
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), Mask)
	}
	return u.String()
}

// String is the configuration as YAML with secrets masked, so that
// printing a Config with %v or %s cannot leak them.
func (c Config) String() string { return toYAML(c.Redacted()) }

// GoString keeps %#v from printing secrets.
func (c Config) GoString() string { return "config.Config" + flowYAML(c.Redacted()) }

// LogValue makes slog log the configuration as nested groups with secrets
// masked.
func (c Config) LogValue() slog.Value { return structLogValue(reflect.ValueOf(c.Redacted())) }

// String is the section as YAML with secrets masked.
func (d Discord) String() string { return toYAML(d.redacted()) }

// GoString keeps %#v from printing secrets.
func (d Discord) GoString() string { return "config.Discord" + flowYAML(d.redacted()) }

// LogValue logs the section with secrets masked.
func (d Discord) LogValue() slog.Value { return structLogValue(reflect.ValueOf(d.redacted())) }

// String is the section as YAML with secrets masked.
func (l LLM) String() string { return toYAML(l.redacted()) }

// GoString keeps %#v from printing secrets.
func (l LLM) GoString() string { return "config.LLM" + flowYAML(l.redacted()) }

// LogValue logs the section with secrets masked.
func (l LLM) LogValue() slog.Value { return structLogValue(reflect.ValueOf(l.redacted())) }

func toYAML(v any) string {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("<config: %v>", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Sprintf("<config: %v>", err)
	}
	return b.String()
}

// flowYAML renders v on one line.
func flowYAML(v any) string {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return fmt.Sprintf("<config: %v>", err)
	}
	setFlow(&n)
	b, err := yaml.Marshal(&n)
	if err != nil {
		return fmt.Sprintf("<config: %v>", err)
	}
	return strings.TrimSpace(string(b))
}

func setFlow(n *yaml.Node) {
	n.Style |= yaml.FlowStyle
	for _, c := range n.Content {
		setFlow(c)
	}
}

// structLogValue builds a slog group from the yaml keys of a (redacted)
// struct, so that log keys match the file's keys.
func structLogValue(v reflect.Value) slog.Value {
	t := v.Type()
	attrs := make([]slog.Attr, 0, t.NumField())
	for i := range t.NumField() {
		name := yamlName(t.Field(i))
		if name == "" {
			continue
		}
		f := v.Field(i)
		if f.Kind() == reflect.Struct && t.Field(i).Type != reflect.TypeFor[Duration]() {
			attrs = append(attrs, slog.Attr{Key: name, Value: structLogValue(f)})
			continue
		}
		if d, ok := f.Interface().(Duration); ok {
			attrs = append(attrs, slog.String(name, d.String()))
			continue
		}
		attrs = append(attrs, slog.Any(name, f.Interface()))
	}
	return slog.GroupValue(attrs...)
}
