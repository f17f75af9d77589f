package llm

import (
	"context"
	"errors"
)

// The errors Answer returns wrap one of these, so that the caller can fall
// back to the extractive answer and say why (see FallbackReason). Their
// texts never contain the API key.
var (
	// ErrNoSources: Answer was called without passages.
	ErrNoSources = errors.New("llm: no passages to answer from")
	// ErrDailyCap: the user used up today's model answers (UTC day).
	ErrDailyCap = errors.New("llm: daily model answer cap reached")
	// ErrBusy: every model call slot stayed taken for the queue wait.
	ErrBusy = errors.New("llm: too many model calls in flight")
	// ErrTimeout: the model did not finish within Options.Timeout. It is
	// returned together with context.DeadlineExceeded.
	ErrTimeout = errors.New("llm: model timed out")
	// ErrCanceled: the caller's context was canceled.
	ErrCanceled = errors.New("llm: canceled")
	// ErrUnauthorized: the server rejected the credentials (401 or 403).
	ErrUnauthorized = errors.New("llm: model server rejected the credentials")
	// ErrRateLimited: 429 on every attempt, or a Retry-After beyond the
	// time left.
	ErrRateLimited = errors.New("llm: model server rate limited the request")
	// ErrServer: 5xx on every attempt, or an error event in the stream.
	ErrServer = errors.New("llm: model server error")
	// ErrBadRequest: another 4xx, usually a wrong model name or base URL.
	ErrBadRequest = errors.New("llm: model server rejected the request")
	// ErrUnreachable: no HTTP exchange happened (refused connection, DNS).
	ErrUnreachable = errors.New("llm: model server unreachable")
	// ErrBadResponse: the reply could not be read as a chat completion (a
	// web page, plain text, other JSON, a stream without events), or held
	// no answer.
	ErrBadResponse = errors.New("llm: malformed model reply")
	// ErrContentFilter: the server withheld the answer (finish_reason
	// "content_filter").
	ErrContentFilter = errors.New("llm: model answer withheld by a content filter")
	// ErrTruncated: the answer is incomplete: the stream ended without a
	// finish_reason, the connection broke mid-answer, or the token limit
	// cut it before any grounded sentence.
	ErrTruncated = errors.New("llm: model answer incomplete")
	// ErrTooLong: the reply ran past the hard cap derived from
	// Options.MaxTokens (see maxAnswerBytes and maxReplyBytes), which
	// servers may ignore; it was not read further.
	ErrTooLong = errors.New("llm: model reply too long")
	// ErrNoValidCitation: no sentence of the answer cites a passage that
	// supports it.
	ErrNoValidCitation = errors.New("llm: no sentence of the model answer cites a supporting passage")
	// ErrNotInSources: the model said the passages do not answer the
	// question; the caller can say "not in the documents".
	ErrNotInSources = errors.New("llm: the passages do not answer the question")
)

var reasons = []struct {
	err    error
	reason string
}{
	{ErrNoSources, "no_sources"},
	{ErrDailyCap, "daily_cap"},
	{ErrBusy, "busy"},
	{ErrUnauthorized, "unauthorized"},
	{ErrRateLimited, "rate_limited"},
	{ErrServer, "server_error"},
	{ErrBadRequest, "bad_request"},
	{ErrUnreachable, "unreachable"},
	{ErrBadResponse, "bad_response"},
	{ErrContentFilter, "content_filter"},
	{ErrTruncated, "truncated"},
	{ErrTooLong, "too_long"},
	{ErrNoValidCitation, "no_valid_citations"},
	{ErrNotInSources, "not_in_sources"},
	{ErrTimeout, "timeout"},
	{context.DeadlineExceeded, "timeout"},
	{ErrCanceled, "canceled"},
	{context.Canceled, "canceled"},
}

// FallbackReason returns a short machine-readable reason for err, for the
// fallback_reason of the JSON contract: "timeout", "unauthorized",
// "rate_limited", "server_error", "bad_request", "unreachable",
// "bad_response", "content_filter", "truncated", "too_long",
// "no_valid_citations",
// "not_in_sources", "daily_cap", "busy", "no_sources", "canceled", or
// "error" for anything else. It returns "" for a nil error.
func FallbackReason(err error) string {
	if err == nil {
		return ""
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return "error"
}
