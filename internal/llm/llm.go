// Package llm owns briefbot's model answers: it asks an OpenAI-compatible
// chat completion server (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp's
// server, LM Studio) to answer a question from retrieved passages, then
// verifies the answer: every kept sentence must cite, with [n], a passage
// that was sent and that shares enough words with it. It also owns what
// makes those calls safe to run from a chat bot: a timeout over the whole
// answer, bounded retries that honour Retry-After, a cap on concurrent
// calls, a per-user daily cap, an answer cache, and keeping the API key out
// of errors and logs. Every failure is an error the caller turns into a
// fallback to the extractive answer (see FallbackReason).
//
// It is the only package that imports github.com/sashabaranov/go-openai.
package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot"
	openai "github.com/sashabaranov/go-openai"
)

// Options configure a Client. Zero values of the sizes and durations take
// the defaults of DefaultOptions; the config keys llm.* map one to one
// (see SERVERS.md).
type Options struct {
	// BaseURL is the server's OpenAI-compatible base URL, ending in /v1
	// (for Azure: the resource endpoint, https://NAME.openai.azure.com).
	// Empty means https://api.openai.com/v1.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer" (Azure: "api-key"). Local
	// servers need none.
	APIKey string
	// Model is the model name (Azure: the deployment name). Required.
	Model string
	// APIVersion selects Azure OpenAI when set (e.g. "2024-06-01").
	APIVersion string
	// Headers are added to every request (gateways, proxies). Values of
	// headers whose name suggests a secret are redacted from errors.
	Headers map[string]string

	// Timeout bounds a whole Answer call: waiting for a call slot, every
	// attempt and every backoff.
	Timeout time.Duration
	// MaxTokens bounds the answer's length (sent as max_tokens; as
	// max_completion_tokens for OpenAI's reasoning models, which count
	// their hidden reasoning in it, so give those more). Servers may
	// ignore it, so it also sets a hard cap on what is read of a reply
	// (see maxAnswerBytes): past it, ErrTooLong.
	MaxTokens int
	// Temperature is sent as is when positive. go-openai cannot send 0 (it
	// omits zero fields), so 0 sends MinTemperature, as close to greedy
	// decoding as can be sent. A negative value omits the field and lets
	// the server use its default. OpenAI's reasoning models (o1, o3, o4,
	// gpt-5...) accept only their default, so it is always omitted for
	// them.
	Temperature float32
	// MaxPassages and ContextChars bound the passages sent: at most
	// MaxPassages, their delimited blocks totalling at most ContextChars
	// characters. The earlier turns of a conversation (AnswerWithHistory)
	// share that budget, after the passages: they get what the passages
	// leave, the oldest dropped first.
	MaxPassages  int
	ContextChars int
	// PromptFile, when set, replaces the built-in system prompt; Result.
	// PromptVersion is then "file-" and a hash of the file.
	PromptFile string
	// Stream asks for a streamed answer, reported through onPartial.
	Stream bool
	// MaxRetries is the number of retries after a 429 or 5xx (0: none).
	MaxRetries int
	// MaxConcurrent caps model calls in flight across all users.
	MaxConcurrent int
	// QueueWait is how long a call waits for a free slot before failing
	// with ErrBusy (never longer than the timeout). Zero means a quarter
	// of Timeout, at most 2 s.
	QueueWait time.Duration
	// DailyCapPerUser caps model calls per user per UTC day; 0 means no
	// cap. Cached answers do not count.
	DailyCapPerUser int
	// CacheSize bounds the answer cache (entries); negative disables it.
	CacheSize int

	// HTTPClient is used for requests (copied, not modified); nil means a
	// client without its own timeout, since Timeout governs.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Observer, when set, hears each model request (latency, time to
	// first token, reported tokens, retries, error) and each fallback.
	Observer briefbot.ModelObserver
	// Now is the clock of the daily cap and of Retry-After dates.
	Now func() time.Time
}

// MinTemperature is what a configured temperature of 0 is sent as.
const MinTemperature = 0.01

// DefaultOptions returns the recommended settings, the same as the llm.*
// defaults of internal/config; New takes the sizes and durations left zero
// from them.
func DefaultOptions() Options {
	return Options{
		BaseURL:         "https://api.openai.com/v1",
		Model:           "gpt-4o-mini",
		Timeout:         20 * time.Second,
		MaxTokens:       400,
		Temperature:     0.2,
		MaxPassages:     5,
		ContextChars:    6000,
		Stream:          true,
		MaxRetries:      2,
		MaxConcurrent:   4,
		DailyCapPerUser: 50,
		CacheSize:       256,
	}
}

// Source is one numbered passage offered to the model. N is the number the
// answer cites it by; numbers are kept as given, never renumbered.
type Source struct {
	N         int
	DocID     string
	PassageID string
	Title     string
	Section   string
	// Published is the document's date as shown to the model
	// ("2023-03-31"), empty when unknown.
	Published string
	Text      string
}

// FromPassage makes the Source numbered n for a passage; published is the
// document's date, the zero time when unknown.
func FromPassage(n int, p briefbot.Passage, published time.Time) Source {
	s := Source{N: n, DocID: p.DocID, PassageID: p.ID, Title: p.Title, Section: p.Section, Text: p.Text}
	if !published.IsZero() {
		s.Published = published.Format(time.DateOnly)
	}
	return s
}

// Result is a verified model answer.
type Result struct {
	// Text is the answer: kept sentences only, each claim followed by
	// "[n]" markers (one number per bracket) naming sources by their N.
	Text string
	// Citations are the distinct N cited in Text, ascending.
	Citations []int
	// Dropped are the sentences removed as unsupported, uncited or citing
	// only numbers that were not sent.
	Dropped []string
	// Sent are the N of the passages sent, in order; a passage may have
	// been cut to fit ContextChars.
	Sent []int
	// History is the number of earlier turns of the conversation sent
	// with the question (see AnswerWithHistory), the most recent ones.
	History int
	// Raw is the model's text as received, for logs.
	Raw           string
	FinishReason  string
	Model         string
	PromptVersion string
	// Cached tells the answer came from the cache, without a model call.
	Cached bool
}

// Client answers questions with a model. It is safe for concurrent use.
type Client struct {
	opts          Options
	api           *openai.Client
	system        string
	promptVersion string
	log           *slog.Logger
	now           func() time.Time
	redact        redactor
	logURL        string

	slots chan struct{}
	cache *cache
	caps  *dailyCaps

	authLogged atomic.Bool
	badLogged  sync.Map // status code -> struct{}: bad requests are logged once per status
}

// New checks opts and makes a Client. It reads PromptFile.
func New(opts Options) (*Client, error) {
	d := DefaultOptions()
	if opts.BaseURL == "" {
		opts.BaseURL = d.BaseURL
	}
	if strings.TrimSpace(opts.Model) == "" {
		return nil, errors.New("llm: no model configured (llm.model)")
	}
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("llm: base URL %q is not an http(s) URL (llm.base_url)", opts.BaseURL)
	}
	if !(opts.Temperature <= 2) { // NaN too
		return nil, fmt.Errorf("llm: temperature %g is not at most 2 (llm.temperature)", opts.Temperature)
	}
	if opts.MaxRetries < 0 || opts.DailyCapPerUser < 0 {
		return nil, errors.New("llm: max_retries and daily_cap_per_user must not be negative")
	}
	for _, f := range []struct {
		v   *int
		def int
	}{{&opts.MaxTokens, d.MaxTokens}, {&opts.MaxPassages, d.MaxPassages}, {&opts.ContextChars, d.ContextChars}, {&opts.MaxConcurrent, d.MaxConcurrent}} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	if opts.CacheSize == 0 {
		opts.CacheSize = d.CacheSize
	}
	if opts.Timeout <= 0 {
		opts.Timeout = d.Timeout
	}
	if opts.QueueWait <= 0 {
		opts.QueueWait = min(opts.Timeout/4, 2*time.Second)
	}
	c := &Client{
		opts:          opts,
		system:        SystemPrompt(),
		promptVersion: PromptVersion,
		log:           opts.Logger,
		now:           opts.Now,
		redact:        newRedactor(opts.APIKey, opts.Headers),
		logURL:        u.Redacted(),
		slots:         make(chan struct{}, opts.MaxConcurrent),
		caps:          &dailyCaps{limit: opts.DailyCapPerUser},
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if opts.CacheSize > 0 {
		c.cache = newCache(opts.CacheSize)
	}
	if opts.PromptFile != "" {
		if c.system, c.promptVersion, err = loadPrompt(opts.PromptFile); err != nil {
			return nil, fmt.Errorf("llm: %w", err)
		}
	}

	var cfg openai.ClientConfig
	if opts.APIVersion != "" {
		cfg = openai.DefaultAzureConfig(opts.APIKey, opts.BaseURL)
		cfg.APIVersion = opts.APIVersion
		// go-openai strips "." from 3.5 model names to guess the
		// deployment; the configured name is the deployment.
		cfg.AzureModelMapperFunc = func(model string) string { return model }
	} else {
		cfg = openai.DefaultConfig(opts.APIKey)
		cfg.BaseURL = opts.BaseURL
	}
	hc := &http.Client{}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		hc = &copied
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &transport{base: base, headers: opts.Headers, maxBody: int64(maxReplyBytes(opts.MaxTokens))}
	cfg.HTTPClient = hc
	c.api = openai.NewClientWithConfig(cfg)
	return c, nil
}

// PromptVersion returns the version of the system prompt in use.
func (c *Client) PromptVersion() string { return c.promptVersion }

// Remaining returns how many model answers user has left today, -1 when
// there is no cap.
func (c *Client) Remaining(user string) int { return c.caps.remaining(user, c.now()) }

// Answer asks the model to answer question from sources and verifies the
// answer (see VerifyAnswer). user identifies the asker for the daily cap
// (empty: no cap, for local use); indexVersion is part of the cache key.
//
// With Options.Stream, onPartial (if not nil) is called, from Answer's
// goroutine, with the answer so far: verified complete sentences only,
// markers cleaned, each call extending the previous text, the last equal
// to Result.Text. It should return quickly; throttling display updates is
// the caller's business. Cached answers and unstreamed ones do not call it.
//
// Every error wraps one of the Err* sentinels; FallbackReason names it. On
// ErrNotInSources the Result still carries the model's Raw text.
func (c *Client) Answer(ctx context.Context, user, question, indexVersion string, sources []Source, onPartial func(text string)) (Result, error) {
	return c.AnswerWithHistory(ctx, user, question, indexVersion, nil, sources, onPartial)
}

// AnswerWithHistory is Answer for a follow-up question: history holds the
// conversation's earlier turns, oldest first, which go to the model as
// chat messages before the question (each question as the user's, its
// answer as the assistant's, citation markers removed since they number
// other passages) so that it understands "and what about Russia?". They
// get the part of ContextChars the passages leave, the most recent first:
// the oldest are dropped, and the answer of the oldest turn kept may be
// cut. The answer still cites only sources, and is verified against them
// alone.
func (c *Client) AnswerWithHistory(ctx context.Context, user, question, indexVersion string, history []briefbot.Turn, sources []Source, onPartial func(text string)) (Result, error) {
	res, err := c.answer(ctx, user, question, indexVersion, history, sources, onPartial)
	// Every error is a fallback to the extractive answer, but for the
	// caller giving up, who wants no answer at all.
	if err != nil && c.opts.Observer != nil && !errors.Is(err, ErrCanceled) {
		c.opts.Observer.ModelFallback(FallbackReason(err))
	}
	return res, err
}

func (c *Client) answer(ctx context.Context, user, question, indexVersion string, history []briefbot.Turn, sources []Source, onPartial func(text string)) (Result, error) {
	if len(sources) == 0 {
		return Result{}, ErrNoSources
	}
	started := time.Now()
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()

	sent := selectPassages(sources, c.opts.MaxPassages, c.opts.ContextChars)
	turns := selectHistory(history, c.opts.ContextChars-blocksSize(sent))
	key := cacheKey(question, indexVersion, c.logURL, c.opts.Model, c.promptVersion, sent, turns)
	if res, err, ok := c.cache.get(key); ok {
		res.Cached = true
		return res, err
	}
	if c.caps.remaining(user, c.now()) == 0 {
		return Result{}, fmt.Errorf("%w (%d a day)", ErrDailyCap, c.opts.DailyCapPerUser)
	}
	release, err := c.acquire(ctx)
	if err != nil {
		return Result{}, err
	}
	defer release()
	// Counted once a slot is held, so that a busy refusal costs nothing.
	if !c.caps.take(user, c.now()) {
		return Result{}, fmt.Errorf("%w (%d a day)", ErrDailyCap, c.opts.DailyCapPerUser)
	}

	req := c.request(question, sent, turns)
	v := newVerifier(sent)
	view := &partialView{v: v, onPartial: onPartial}
	st := &callStats{start: time.Now()}
	raw, finish, model, err := c.complete(ctx, req, view, st)
	if c.opts.Observer != nil {
		c.opts.Observer.ModelCall(briefbot.ModelCall{
			Duration: time.Since(st.start), FirstToken: st.firstToken,
			PromptTokens: st.prompt, CompletionTokens: st.completion,
			Retries: st.retries, Error: callError(err),
		})
	}
	res := Result{Raw: raw, FinishReason: finish, Model: model, PromptVersion: c.promptVersion, History: len(turns)}
	for _, s := range sent {
		res.Sent = append(res.Sent, s.N)
	}
	if res.Model == "" {
		res.Model = c.opts.Model
	}
	if err == nil {
		err = c.verify(&res, v, view)
	}
	attrs := []any{"model", res.Model, "passages", len(sent), "history", len(turns), "finish", finish, "cited", res.Citations,
		"dropped", len(res.Dropped), "latency", time.Since(started).Round(time.Millisecond),
		"prompt_tokens", st.prompt, "completion_tokens", st.completion}
	if err != nil && !errors.Is(err, ErrNotInSources) {
		c.log.Warn("llm: no model answer", append(attrs, "reason", FallbackReason(err), "error", err.Error())...)
		return res, err
	}
	c.log.Debug("llm: model answer", attrs...)
	c.cache.put(key, res, err)
	return res, err
}

// verify turns the raw answer into the Result, or the reason it is unusable.
func (c *Client) verify(res *Result, v *verifier, view *partialView) error {
	if res.FinishReason == string(openai.FinishReasonContentFilter) {
		return fmt.Errorf("%w", ErrContentFilter)
	}
	length := res.FinishReason == string(openai.FinishReasonLength)
	if strings.TrimSpace(res.Raw) == "" {
		if length {
			return fmt.Errorf("%w: the token limit (%d) ended the answer before it began", ErrTruncated, c.opts.MaxTokens)
		}
		return fmt.Errorf("%w: empty answer", ErrBadResponse)
	}
	sentences := SplitSentences(res.Raw)
	if length {
		// An answer cut by the token limit is kept up to its last
		// complete sentence, if that much is grounded.
		sentences = complete(sentences)
	}
	chk := v.check(res.Raw, sentences)
	res.Text, res.Citations, res.Dropped = chk.Text, chk.Citations, chk.Dropped
	switch {
	case chk.Grounded > 0:
		view.final(res.Text)
		return nil
	case chk.NotInSources:
		res.Text, res.Citations = "", nil
		return ErrNotInSources
	case length:
		res.Text, res.Citations = "", nil
		return fmt.Errorf("%w: the token limit (%d) ended the answer before a grounded sentence", ErrTruncated, c.opts.MaxTokens)
	default:
		res.Text, res.Citations = "", nil
		return fmt.Errorf("%w (%d sentences dropped)", ErrNoValidCitation, len(chk.Dropped))
	}
}

// azureStreamUsage is the first Azure OpenAI GA api-version that accepts
// stream_options; older ones reject the request ("Unrecognized request
// argument").
const azureStreamUsage = "2024-10-21"

// streamUsage tells whether a stream may ask for its token usage with
// stream_options: OpenAI, vLLM, Ollama, llama.cpp's server and LM Studio
// send it or ignore the field, Azure's older api-versions refuse it.
// api-versions are dates (with "-preview" for some), so they compare as
// strings.
func (c *Client) streamUsage() bool {
	return c.opts.APIVersion == "" || c.opts.APIVersion >= azureStreamUsage
}

// callError sorts the error of a model call (complete's, never a
// verification's) into the fixed set of briefbot.ModelError values.
func callError(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return briefbot.ModelErrorTimeout
	case errors.Is(err, ErrCanceled), errors.Is(err, context.Canceled):
		return briefbot.ModelErrorCanceled
	case errors.Is(err, ErrRateLimited):
		return briefbot.ModelErrorRateLimited
	case errors.Is(err, ErrServer):
		return briefbot.ModelErrorServer
	case errors.Is(err, ErrUnauthorized), errors.Is(err, ErrBadRequest):
		return briefbot.ModelErrorClient
	case errors.Is(err, ErrUnreachable):
		return briefbot.ModelErrorUnreachable
	case errors.Is(err, ErrTruncated):
		return briefbot.ModelErrorTruncated
	case errors.Is(err, ErrBadResponse), errors.Is(err, ErrTooLong):
		return briefbot.ModelErrorBadResponse
	}
	return briefbot.ModelErrorOther
}

// acquire takes a call slot, waiting at most QueueWait.
func (c *Client) acquire(ctx context.Context) (func(), error) {
	select {
	case c.slots <- struct{}{}:
		return func() { <-c.slots }, nil
	default:
	}
	t := time.NewTimer(c.opts.QueueWait)
	defer t.Stop()
	select {
	case c.slots <- struct{}{}:
		return func() { <-c.slots }, nil
	case <-t.C:
		return nil, fmt.Errorf("%w: %d calls in flight", ErrBusy, c.opts.MaxConcurrent)
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, fmt.Errorf("%w: %w", ErrCanceled, ctx.Err())
		}
		return nil, fmt.Errorf("%w: %d calls in flight until the deadline", ErrBusy, c.opts.MaxConcurrent)
	}
}

// request builds the chat completion request: only model, messages,
// max_tokens, temperature and stream, the fields every supported server
// accepts, and for a stream stream_options {"include_usage": true} (see
// streamUsage). Earlier turns come between the system message and the
// question's, alternating user and assistant as every server's chat
// template expects.
func (c *Client) request(question string, sent []Source, turns []pastTurn) openai.ChatCompletionRequest {
	msgs := []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleSystem, Content: c.system}}
	for _, t := range turns {
		msgs = append(msgs,
			openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: t.question},
			openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: t.answer})
	}
	msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: userMessage(question, sent)})
	req := openai.ChatCompletionRequest{
		Model:     c.opts.Model,
		Messages:  msgs,
		MaxTokens: c.opts.MaxTokens,
	}
	if c.opts.Stream && c.streamUsage() {
		req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	}
	switch {
	case c.opts.Temperature > 0:
		req.Temperature = c.opts.Temperature
	case c.opts.Temperature == 0:
		req.Temperature = MinTemperature
	}
	// go-openai refuses, before sending, max_tokens and non-default
	// temperatures for OpenAI's reasoning models; ask it, and send what
	// those models take instead.
	if openai.NewReasoningValidator().Validate(req) != nil {
		req.MaxCompletionTokens, req.MaxTokens = req.MaxTokens, 0
		req.Temperature = 0
	}
	return req
}
