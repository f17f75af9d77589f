package openaitest

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// Request is one request the server received.
type Request struct {
	// Seq numbers requests from 1 in arrival order.
	Seq  int
	Time time.Time
	// Method and Path are as received; Query holds e.g. Azure's api-version.
	Method string
	Path   string
	Query  url.Values
	// Header holds the request headers, with the credential headers
	// (Authorization, api-key) replaced by "[redacted]" so that a failing
	// test never prints a key. Use HasCredential to check them.
	Header http.Header
	// Body is the raw request body.
	Body []byte
	// Fields lists the top-level keys of the JSON body, in body order.
	Fields []string
	// Chat is the decoded body.
	Chat ChatRequest
	// Deployment is the Azure deployment for /openai/deployments/{d}/...
	// paths, empty for OpenAI paths.
	Deployment string

	credentials [][32]byte
}

// ChatRequest is the part of a chat completion request the tests look at.
// Pointers tell "absent" from zero.
type ChatRequest struct {
	Model               string    `json:"model"`
	Messages            []Message `json:"messages"`
	MaxTokens           *int      `json:"max_tokens"`
	MaxCompletionTokens *int      `json:"max_completion_tokens"`
	Temperature         *float64  `json:"temperature"`
	Stream              *bool     `json:"stream"`
	// StreamOptions is stream_options, nil when absent.
	StreamOptions *StreamOptions `json:"stream_options"`
}

// StreamOptions is a request's stream_options.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// Message is one chat message; Content is the text of a string content.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// UnmarshalJSON accepts both a string content and an array of text parts.
func (m *Message) UnmarshalJSON(b []byte) error {
	var raw struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m.Role = raw.Role
	m.Content = ""
	if len(raw.Content) == 0 || string(raw.Content) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw.Content, &m.Content); err == nil {
		return nil
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw.Content, &parts); err != nil {
		return err
	}
	for _, p := range parts {
		m.Content += p.Text
	}
	return nil
}

// Streaming tells whether the client asked for a stream.
func (r Request) Streaming() bool { return r.Chat.Stream != nil && *r.Chat.Stream }

// Content returns the concatenated content of the messages with the given
// role.
func (r Request) Content(role string) string {
	var s string
	for _, m := range r.Chat.Messages {
		if m.Role == role {
			s += m.Content
		}
	}
	return s
}

// HasCredential tells whether the request carried key, as OpenAI's
// "Authorization: Bearer key" or Azure's "api-key: key". Only hashes of the
// credentials are kept.
func (r Request) HasCredential(key string) bool {
	for _, want := range [][32]byte{sha256.Sum256([]byte("Bearer " + key)), sha256.Sum256([]byte("api-key " + key))} {
		for _, got := range r.credentials {
			if subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
				return true
			}
		}
	}
	return false
}

// HasAnyCredential tells whether the request carried a credential header.
func (r Request) HasAnyCredential() bool { return len(r.credentials) > 0 }

// redactHeader copies h with credentials replaced, returning their hashes.
func redactHeader(h http.Header) (http.Header, [][32]byte) {
	out := h.Clone()
	var creds [][32]byte
	for _, v := range h.Values("Authorization") {
		creds = append(creds, sha256.Sum256([]byte(v)))
	}
	for _, v := range h.Values("Api-Key") {
		creds = append(creds, sha256.Sum256([]byte("api-key "+v)))
	}
	for _, name := range []string{"Authorization", "Api-Key"} {
		if len(out.Values(name)) > 0 {
			out.Set(name, "[redacted]")
		}
	}
	return out, creds
}

// topLevelFields lists the keys of a JSON object in order, nil when b is
// not an object.
func topLevelFields(b []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		key, _ := tok.(string)
		keys = append(keys, key)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}
