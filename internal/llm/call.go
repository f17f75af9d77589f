package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Backoff between retries without Retry-After: base doubling per attempt,
// capped, with half of it jittered so that bot replicas spread out.
const (
	backoffBase = 250 * time.Millisecond
	backoffMax  = 4 * time.Second
)

// complete runs the request with retries: a 429 or 5xx is retried up to
// MaxRetries times, after the server's Retry-After or an exponential
// backoff, as long as the wait ends before the deadline. A stream that
// already produced text is never retried: its text may have been shown.
//
// It notes in st the attempts, the tokens the server reported and when
// the first streamed text arrived.
func (c *Client) complete(ctx context.Context, req openai.ChatCompletionRequest, view *partialView, st *callStats) (raw, finish, model string, err error) {
	for attempt := 0; ; attempt++ {
		st.retries = attempt
		actx, x := withExchange(ctx)
		var produced bool
		if c.opts.Stream {
			raw, finish, model, produced, err = c.stream(actx, x, req, view, st)
		} else {
			raw, finish, model, err = c.once(actx, req, st)
		}
		if err == nil {
			return raw, finish, model, nil
		}
		err = c.classify(ctx, err, x)
		retryable := errors.Is(err, ErrRateLimited) || errors.Is(err, ErrServer)
		if !retryable || produced || attempt >= c.opts.MaxRetries {
			return raw, finish, model, err
		}
		wait := c.backoff(attempt, x)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return raw, finish, model, fmt.Errorf("%w (waiting %s to retry would pass the deadline)", err, wait.Round(time.Millisecond))
		}
		c.log.Debug("llm: retrying", "attempt", attempt+1, "wait", wait.Round(time.Millisecond), "reason", FallbackReason(err))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return raw, finish, model, c.classify(ctx, ctx.Err(), x)
		}
	}
}

// backoff is the wait before retry attempt+1: the server's Retry-After
// (or retry-after-ms) when given, else jittered exponential backoff.
func (c *Client) backoff(attempt int, x *exchange) time.Duration {
	_, ra, ms := x.get()
	if d, ok := parseRetryMs(ms); ok {
		return d
	}
	if d, ok := ParseRetryAfter(ra, c.now()); ok {
		return d
	}
	d := min(backoffBase<<attempt, backoffMax)
	return d/2 + rand.N(d/2+1)
}

// callStats is what complete notes of a call for the ModelObserver.
type callStats struct {
	start      time.Time
	firstToken time.Duration // 0: no streamed text yet
	// prompt and completion add up the usage the server reported.
	prompt, completion int
	retries            int
}

// addUsage counts a reply's reported usage; a reply without one adds 0.
func (st *callStats) addUsage(u *openai.Usage) {
	if u != nil {
		st.prompt += max(u.PromptTokens, 0)
		st.completion += max(u.CompletionTokens, 0)
	}
}

// once makes one unstreamed call.
func (c *Client) once(ctx context.Context, req openai.ChatCompletionRequest, st *callStats) (raw, finish, model string, err error) {
	resp, err := c.api.CreateChatCompletion(ctx, req)
	if err != nil {
		return "", "", "", err
	}
	st.addUsage(&resp.Usage)
	if len(resp.Choices) == 0 {
		return "", "", resp.Model, fmt.Errorf("%w: no choices", ErrBadResponse)
	}
	ch := resp.Choices[0]
	if limit := maxAnswerBytes(c.opts.MaxTokens); len(ch.Message.Content) > limit {
		return "", "", resp.Model, fmt.Errorf("%w: an answer of %d bytes, past the %d byte cap for max_tokens %d", ErrTooLong, len(ch.Message.Content), limit, c.opts.MaxTokens)
	}
	finish = string(ch.FinishReason)
	if finish == "" || finish == string(openai.FinishReasonNull) {
		// A whole JSON body is a whole answer; some local servers leave
		// the field out.
		finish = string(openai.FinishReasonStop)
	}
	return ch.Message.Content, finish, resp.Model, nil
}

// stream makes one streamed call, feeding view as text arrives. The stream
// is complete only when a chunk carried a finish_reason: go-openai reports
// both "[DONE]" and a connection closed early as a plain io.EOF. It also
// skips lines that are not events, so a reply that is no event stream at
// all (a page, plain text, other JSON) ends the same way, without a single
// event: that is a bad response, not a truncated one.
//
// The usage the server reports, in the last chunk when the request asked
// for it with stream_options (see Client.request), is added to st, and the
// time of the first text noted there.
func (c *Client) stream(ctx context.Context, x *exchange, req openai.ChatCompletionRequest, view *partialView, st *callStats) (raw, finish, model string, produced bool, err error) {
	s, err := c.api.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", "", "", false, err
	}
	defer s.Close()
	var b strings.Builder
	events := 0
	limit := maxAnswerBytes(c.opts.MaxTokens)
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return b.String(), finish, model, b.Len() > 0, err
		}
		events++
		if chunk.Model != "" {
			model = chunk.Model
		}
		st.addUsage(chunk.Usage)
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if ch.Delta.Content != "" && st.firstToken == 0 {
				st.firstToken = max(time.Since(st.start), time.Nanosecond)
			}
			b.WriteString(ch.Delta.Content)
			if f := string(ch.FinishReason); f != "" && f != string(openai.FinishReasonNull) {
				finish = f
			}
		}
		if b.Len() > limit {
			// Stop reading: closing the stream drops the connection.
			return "", finish, model, true, fmt.Errorf("%w: the answer passed %d bytes, the cap for max_tokens %d", ErrTooLong, limit, c.opts.MaxTokens)
		}
		view.update(b.String())
	}
	if sse, head := x.eventStream(); events == 0 && !sse {
		return "", "", model, false, fmt.Errorf("%w: the reply is not an event stream: %q", ErrBadResponse, c.redact.redact(head))
	}
	if finish == "" {
		return b.String(), "", model, b.Len() > 0, fmt.Errorf("%w: the stream ended without a finish_reason after %d characters", ErrTruncated, b.Len())
	}
	return b.String(), finish, model, true, nil
}

// classify maps an error of go-openai or net/http to the package's
// sentinels, with a text free of secrets. It logs a rejected key once.
func (c *Client) classify(ctx context.Context, err error, x *exchange) error {
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("%w: %w", ErrCanceled, context.Canceled)
		}
		return fmt.Errorf("%w after %s: %w", ErrTimeout, c.opts.Timeout, context.DeadlineExceeded)
	}
	for _, own := range []error{ErrTruncated, ErrBadResponse, ErrTooLong} {
		if errors.Is(err, own) {
			return err
		}
	}
	status, _, _ := x.get()
	msg := ""
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		msg = apiErr.Message
		if apiErr.HTTPStatusCode != 0 {
			status = apiErr.HTTPStatusCode
		} else {
			// An error event inside a 200 stream.
			return fmt.Errorf("%w: error event in the stream: %s", streamErrorKind(apiErr), c.redact.redact(msg))
		}
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
		msg = strings.TrimSpace(string(reqErr.Body))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the connection closed mid-answer", ErrTruncated)
	default:
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if status != 0 && (errors.As(err, &syn) || errors.As(err, &typ)) {
			return fmt.Errorf("%w: %s", ErrBadResponse, c.redact.redact(err.Error()))
		}
		var urlErr *url.Error
		if status == 0 && errors.As(err, &urlErr) {
			return fmt.Errorf("%w: %s", ErrUnreachable, c.redact.redact(err.Error()))
		}
		if status == 0 {
			// go-openai refused the request before sending it.
			return fmt.Errorf("%w: %s", ErrBadRequest, c.redact.redact(err.Error()))
		}
		return fmt.Errorf("%w: status %d: %s", ErrBadResponse, status, c.redact.redact(err.Error()))
	}
	detail := fmt.Sprintf("status %d: %s", status, c.redact.redact(msg))
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		if c.authLogged.CompareAndSwap(false, true) {
			c.log.Error("llm: the model server rejected the credentials; questions get extractive answers until llm.api_key (or OPENAI_API_KEY) is fixed",
				"status", status, "base_url", c.logURL, "model", c.opts.Model, "error", c.redact.redact(msg))
		}
		return fmt.Errorf("%w: %s", ErrUnauthorized, detail)
	case status == http.StatusTooManyRequests:
		return fmt.Errorf("%w: %s", ErrRateLimited, detail)
	case status >= 500 || status == http.StatusRequestTimeout:
		return fmt.Errorf("%w: %s", ErrServer, detail)
	default:
		if _, seen := c.badLogged.LoadOrStore(status, struct{}{}); !seen {
			c.log.Error("llm: the model server rejected the request; check llm.model and llm.base_url",
				"status", status, "base_url", c.logURL, "model", c.opts.Model, "error", c.redact.redact(msg))
		}
		return fmt.Errorf("%w: %s", ErrBadRequest, detail)
	}
}

// streamErrorKind sorts an in-stream error event by its code or type.
func streamErrorKind(e *openai.APIError) error {
	code, _ := e.Code.(string)
	if strings.Contains(code, "rate_limit") || strings.Contains(e.Type, "rate_limit") {
		return ErrRateLimited
	}
	return ErrServer
}

// partialView turns the streamed text into the partial answers shown to
// the user: complete sentences that pass verification, so that what is
// shown only ever grows and never shows a claim that is later removed.
type partialView struct {
	v         *verifier
	onPartial func(string)
	last      string
}

func (p *partialView) update(raw string) {
	if p.onPartial == nil {
		return
	}
	sentences := SplitSentences(trimOpenMarker(raw))
	if len(sentences) < 2 {
		return
	}
	// The last sentence may still be growing.
	p.emit(p.v.check(raw, sentences[:len(sentences)-1]).Text)
}

// final reports the verified whole answer. It extends the last partial,
// since both come from the same per-sentence verdicts; were it not to, the
// complete answer still matters more than monotony.
func (p *partialView) final(text string) {
	if p.onPartial != nil && text != p.last {
		p.last = text
		p.onPartial(text)
	}
}

func (p *partialView) emit(text string) {
	if len(text) <= len(p.last) || !strings.HasPrefix(text, p.last) {
		return
	}
	p.last = text
	p.onPartial(text)
}
