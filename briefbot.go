// Package briefbot holds the domain types shared by every part of the bot:
// documents and their passages, search hits, answers and citations, and the
// small interfaces that connect the parts. It imports nothing heavy, so that
// corpus/, index/, bot/ and internal/ can all depend on it without depending
// on each other.
package briefbot

import (
	"context"
	"time"
)

// Link is a hyperlink found in a document: the anchor text as shown to the
// reader and the target URL (absolute, or site-relative when the source only
// gave a path).
type Link struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Document is one source document after parsing: its metadata and the
// passages it was split into, in reading order.
type Document struct {
	// ID is stable for the same source: the file's path within its corpus
	// folder without extension ("2023/summary"; the base name for a file at
	// the top or named directly), the "id" field for JSONL records. It is
	// valid UTF-8: other bytes and control characters are written %XX.
	ID      string
	Title   string
	Authors []string
	// Published is the publication date; the zero time when unknown.
	Published time.Time
	// URL is the canonical link of the document, empty when unknown.
	URL string
	// Source says where the document was read from (a path, or
	// "builtin:NAME" for the embedded corpus).
	Source string
	// Translations links to the same document in other languages.
	Translations []Link
	// Sections lists the section headings in reading order.
	Sections []string
	Passages []Passage
}

// Passage is the unit of retrieval and citation: a paragraph-sized piece of
// one section of one document.
type Passage struct {
	// ID is stable across re-indexing of the same file: document ID, section
	// slug and the passage's ordinal within that section.
	ID    string `json:"passage_id"`
	DocID string `json:"doc_id"`
	// Title is the document's title, repeated here so that a hit carries
	// everything needed to cite it.
	Title   string `json:"title"`
	Section string `json:"section"`
	// Ordinal is the passage's 1-based position within its section.
	Ordinal int `json:"ordinal"`
	// Paragraph is the 1-based number of the source paragraph within its
	// section ("¶n" in citations); a long paragraph split into several
	// passages gives them the same number.
	Paragraph int `json:"paragraph"`
	// Page is the 1-based page the passage starts on, for paged documents
	// (PDF; "p. 4" in citations); 0 when the source has no pages.
	Page int    `json:"page,omitempty"`
	Text string `json:"text"`
	// URL is the document's link, for citations.
	URL   string `json:"url"`
	Links []Link `json:"links"`
}

// Span is a byte range [Start, End) in a string.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Hit is one ranked search result.
type Hit struct {
	Passage Passage
	Rank    int // 1-based
	Score   float64
	// Quote is the passage's best sentence or sentences for the query, found
	// from the locations of the matched terms.
	Quote string
	// Highlights are the matched terms' positions within Quote.
	Highlights []Span
	// Matched lists the distinct analyzed query terms found in the passage,
	// related terms included.
	Matched []string
	// Exact counts the distinct terms of the question itself (not related
	// ones) found in the passage.
	Exact int
	// Coverage is the share of the query's information (IDF-weighted
	// analyzed terms) that the passage contains, in [0, 1].
	Coverage float64
}

// IndexInfo describes the index being served.
type IndexInfo struct {
	// Version identifies the indexed content: a hash of the corpus and the
	// index settings. Two indexes with the same Version answer alike.
	Version   string    `json:"version"`
	BuiltAt   time.Time `json:"built_at"`
	Documents int       `json:"documents"`
	Passages  int       `json:"passages"`
}

// Searcher ranks passages for a free-text query.
type Searcher interface {
	Search(ctx context.Context, query string, k int) ([]Hit, error)
}

// Answer modes.
const (
	ModeExtractive = "extractive"
	ModeLLM        = "llm"
)

// Citation is one numbered source of an answer.
type Citation struct {
	N         int    `json:"n"`
	DocID     string `json:"doc_id"`
	PassageID string `json:"passage_id"`
	Title     string `json:"title"`
	Section   string `json:"section"`
	Paragraph int    `json:"paragraph"`
	// Page is the passage's page in a paged document, 0 otherwise.
	Page  int    `json:"page,omitempty"`
	URL   string `json:"url"`
	Quote string `json:"quote"`
}

// Answer is the reply to a question: text with [n] markers and the numbered
// citations they refer to.
type Answer struct {
	Question   string
	Text       string
	Answerable bool
	Mode       string
	Citations  []Citation
	// FallbackReason says why a model answer was not used, when one was
	// wanted.
	FallbackReason string
	// Related holds at most a few weakly matching hits when the question is
	// not answerable, to be shown as "possibly related", never as sources.
	Related []Hit
	// Index is the index the answer came from.
	Index IndexInfo
}

// AskRequest is one question from one user.
type AskRequest struct {
	Question string
	// UserID identifies the asker for per-user limits; empty on the CLI.
	UserID string
	// History holds the conversation's earlier turns, oldest first, when the
	// question is a follow-up; it is read to understand the question ("and
	// what about Russia?"), never cited by itself.
	History []Turn
	// OnPartial, when not nil, receives the answer text as it is written
	// (model answers only), the whole text so far each time.
	OnPartial func(text string)
}

// Answerer turns a question into an Answer.
type Answerer interface {
	Ask(ctx context.Context, req AskRequest) (Answer, error)
}

// Failure is a document that could not be read, and why.
type Failure struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// ReindexReport is the outcome of rebuilding the index from the corpus.
type ReindexReport struct {
	Info   IndexInfo     `json:"index"`
	Took   time.Duration `json:"took"`
	Failed []Failure     `json:"failed"`
	// Shared is true when this request joined a rebuild already running.
	Shared bool `json:"shared"`
}

// Observer hears how questions go, for metrics (internal/metrics); the
// bot and the library accept a nil one and then report nothing.
type Observer interface {
	// Question reports a question finished on a command ("ask",
	// "followup", "mention") with one of the Outcome values, d after it
	// was received.
	Question(command, outcome string, d time.Duration)
	// Retrieval reports one search of the index made for an answer.
	Retrieval(d time.Duration)
}

// Outcomes of a question, as reported to an Observer.
const (
	OutcomeAnswered = "answered" // answered from the documents
	OutcomeRefused  = "refused"  // the documents do not cover it
	OutcomeFailed   = "failed"   // the answer failed
	OutcomeBusy     = "busy"     // no answer slot in time (or shutting down)
	OutcomeTimeout  = "timeout"  // not answered within the answer timeout
	OutcomeLimited  = "limited"  // refused by a rate limit (the user's or the server's)
)

// InteractionObserver hears what became of each request Discord POSTed
// to the interactions endpoint (HTTP mode), for metrics: refused requests
// are what an attack or a misconfigured proxy looks like. It is apart
// from Observer so that an observer of questions need not know about it.
type InteractionObserver interface {
	// Interaction reports one request, with one of the Interaction
	// values.
	Interaction(result string)
}

// What became of a request to the interactions endpoint, as reported to
// an InteractionObserver; a fixed set, so that they can label a metric.
const (
	InteractionAnswered     = "answered"     // acknowledged (PING included)
	InteractionUnauthorized = "unauthorized" // bad or missing signature, or a stale timestamp: 401
	InteractionTooLarge     = "too_large"    // over 1 MiB: 413
	InteractionMalformed    = "malformed"    // not an interaction the bot can read: 400
	InteractionStopping     = "stopping"     // arrived while stopping: told the bot is restarting
	InteractionUnanswered   = "not_answered" // no first response in time: 500
)

// Interactions lists the Interaction values.
func Interactions() []string {
	return []string{InteractionAnswered, InteractionUnauthorized, InteractionTooLarge, InteractionMalformed, InteractionStopping, InteractionUnanswered}
}

// ModelObserver hears how the model answers go, for metrics
// (internal/metrics): the model client (internal/llm) accepts a nil one and
// then reports nothing. It is apart from Observer so that an observer of
// questions need not know about models.
type ModelObserver interface {
	// ModelCall reports one model request, retries included, once it
	// ended.
	ModelCall(call ModelCall)
	// ModelFallback reports a question that wanted a model answer and got
	// the extractive one instead (a daily cap refusal included), with the
	// answer's fallback reason ("daily_cap", "busy", "timeout",
	// "no_valid_citations"...).
	ModelFallback(reason string)
}

// ModelCall is one model request as reported to a ModelObserver.
type ModelCall struct {
	// Duration is the whole call: every attempt and every wait between
	// them, not the wait for a call slot.
	Duration time.Duration
	// FirstToken is the time from the call's start to the first streamed
	// text, retries included; 0 when the answer was not streamed or no
	// text arrived.
	FirstToken time.Duration
	// PromptTokens and CompletionTokens are what the server reported in
	// the replies' usage; both 0 when it reported none (nothing is
	// guessed).
	PromptTokens, CompletionTokens int
	// Retries counts the attempts made after the first (after a 429 or a
	// 5xx).
	Retries int
	// Error is "" when the call returned an answer, else one of the
	// ModelError values. An answer that was received but then rejected
	// (no valid citation, withheld by a content filter) is no call error:
	// it shows as a fallback.
	Error string
}

// Reasons a model call failed, as reported in ModelCall.Error; a fixed
// set, so that they can label a metric.
const (
	ModelErrorTimeout     = "timeout"      // the answer timeout ran out
	ModelErrorCanceled    = "canceled"     // the caller gave up
	ModelErrorRateLimited = "rate_limited" // 429, or a rate limit error event in the stream
	ModelErrorServer      = "server"       // 5xx or 408, or an error event in the stream
	ModelErrorClient      = "client"       // another 4xx: credentials, model name, request
	ModelErrorUnreachable = "unreachable"  // no HTTP exchange (refused connection, DNS)
	ModelErrorTruncated   = "truncated"    // the stream or body ended before the answer did
	ModelErrorBadResponse = "bad_response" // not a chat completion, or one past the size cap
	ModelErrorOther       = "other"
)

// ModelErrors returns the ModelError values.
func ModelErrors() []string {
	return []string{ModelErrorTimeout, ModelErrorCanceled, ModelErrorRateLimited, ModelErrorServer,
		ModelErrorClient, ModelErrorUnreachable, ModelErrorTruncated, ModelErrorBadResponse, ModelErrorOther}
}
