package openaitest

import (
	"net/http"
	"strconv"
	"time"
)

// APIError is the body of an OpenAI error, sent as {"error": APIError} in
// error replies and mid-stream error events. Param and Code are pointers
// because OpenAI sends them as JSON null when absent, and the spec requires
// the keys to be present.
type APIError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// Usage is the token usage a reply reports.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Reply scripts how the server answers one request. The zero Reply is a 200
// with empty content; use the constructors for the common cases and set the
// fields for the rest.
type Reply struct {
	// Status is the HTTP status; 0 means 200. With a status of 400 or more
	// the body is {"error": Error}.
	Status int
	// Header is added to the response (e.g. Retry-After).
	Header http.Header
	// Error is the error body of a failing status, or the event sent by
	// StreamError.
	Error *APIError

	// Text is the assistant's reply.
	Text string
	// FinishReason defaults to "stop".
	FinishReason string
	// Model is echoed in the response; defaults to the request's model.
	Model string
	// Usage is the token usage reported: in the JSON reply, and in a
	// stream's last chunk when the request asked for it with
	// stream_options.include_usage. Nil reports rough counts of the
	// request and the text.
	Usage *Usage
	// NoUsage reports no usage at all, as servers that ignore
	// stream_options (or leave usage out of a JSON reply) do.
	NoUsage bool

	// Delay holds the response this long before the first byte.
	Delay time.Duration
	// Hang never answers: the request is held until the client gives up or
	// the server closes.
	Hang bool
	// Wait, when non-nil, holds the response until it is closed (after
	// Delay), so a test can keep a request in flight as long as it needs.
	Wait <-chan struct{}

	// Chunks is the number of content pieces a streamed Text is cut into;
	// 0 means one piece per word. Pieces are cut at arbitrary rune
	// positions, so a "[12]" marker may arrive in two pieces.
	Chunks int
	// ChunkDelay is the pause between streamed pieces.
	ChunkDelay time.Duration
	// Cut ends a stream after CutAfter content pieces, with no
	// finish_reason and no [DONE]. A non-streamed reply is cut in the
	// middle of its JSON body.
	Cut      bool
	CutAfter int
	// Abort, with Cut, resets the connection instead of ending the
	// response cleanly.
	Abort bool
	// StreamError sends {"error": StreamError} as an event after CutAfter
	// content pieces, then ends the stream without [DONE].
	StreamError *APIError

	// Repeat, when above 1, makes the content Text repeated Repeat times.
	// The reply is written as it goes, never held whole, so that a test can
	// serve a reply of many megabytes; the server stops writing when the
	// client leaves. A stream sends each repetition in Chunks pieces.
	Repeat int

	// Body, when not empty, is sent as the whole response body, as is,
	// with ContentType (default "text/html; charset=utf-8") and Status,
	// whether or not the request asked for a stream: a proxy's login page
	// or a gateway's plain-text error in place of a chat completion.
	Body        string
	ContentType string
}

// HTMLPage is a 200 whose body is an HTML page, as a captive portal or a
// login proxy in front of the model server sends.
func HTMLPage() Reply {
	return Reply{Body: "<!DOCTYPE html>\n<html>\n<head><title>Sign in</title></head>\n<body>\n<form action=\"/login\">Please sign in to continue.</form>\n</body>\n</html>\n"}
}

// Answer is a successful reply with the given text.
func Answer(text string) Reply { return Reply{Text: text} }

// Streamed is a successful reply streamed in n pieces, delay apart.
func Streamed(text string, n int, delay time.Duration) Reply {
	return Reply{Text: text, Chunks: n, ChunkDelay: delay}
}

// Status is an error reply in OpenAI's shape.
func Status(code int, typ, message string) Reply {
	return Reply{Status: code, Error: &APIError{Message: message, Type: typ}}
}

// RateLimited is a 429 with the given Retry-After value (seconds or an
// HTTP date); an empty value sends no Retry-After header.
func RateLimited(retryAfter string) Reply {
	r := Status(http.StatusTooManyRequests, "requests", "Rate limit reached for requests")
	r.Error.Code = ptr("rate_limit_exceeded")
	if retryAfter != "" {
		r.Header = http.Header{"Retry-After": {retryAfter}}
	}
	return r
}

// RetryAfterMillis is a 429 with OpenAI's retry-after-ms header, for tests
// that must not wait whole seconds.
func RetryAfterMillis(ms int) Reply {
	r := RateLimited("")
	r.Header = http.Header{"Retry-After-Ms": {strconv.Itoa(ms)}}
	return r
}

// ServerError is a 500.
func ServerError() Reply {
	return Status(http.StatusInternalServerError, "server_error", "The server had an error while processing your request.")
}

// Unauthorized is a 401 with the given message (OpenAI's echoes part of the
// key; tests use it to check that clients redact keys).
func Unauthorized(message string) Reply {
	r := Status(http.StatusUnauthorized, "invalid_request_error", message)
	r.Error.Code = ptr("invalid_api_key")
	return r
}

// Hang is a request that is never answered.
func Hang() Reply { return Reply{Hang: true} }

func ptr[T any](v T) *T { return &v }
