package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// userError is an error whose text is written for the user who asked:
// never an internal detail.
type userError string

func (e userError) Error() string { return string(e) }

const (
	errTooSlow     userError = "Sorry, the answer took too long. Please try again, or narrow the question."
	errFailed      userError = "Sorry, I could not answer that right now. Please try again in a moment."
	errPanicked    userError = "Something went wrong on our side. Please try again."
	errSearchFails userError = "Sorry, the search failed. Please try again."
)

const (
	msgNotShown userError = "Sorry, the answer could not be shown. Please try again, or ask differently."
	msgBusy     userError = "I'm answering many questions right now. Please try again in a few seconds."
	msgStopping userError = "The bot is restarting. Please ask again in a minute."
)

const (
	// rebuildEditEvery paces a rebuild's progress: a long rebuild need not
	// spend the interaction's rate limit.
	rebuildEditEvery = 2 * time.Second
	// reindexWait bounds the wait for a rebuild: an interaction token lives
	// 15 minutes, and the final edit needs it.
	reindexWait = 14 * time.Minute
)

// notice is a plain answer shown only to the user (no document matches, …).
type notice string

func (n notice) Error() string { return string(n) }

type callbackBody struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data any                               `json:"data,omitempty"`
}

type choicesBody struct {
	Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
}

// noChoices is an autocomplete answer offering nothing (an empty list:
// Discord refuses a null one).
func noChoices() choicesBody {
	return choicesBody{Choices: []*discordgo.ApplicationCommandOptionChoice{}}
}

// interaction tracks one interaction to its final message. All its requests
// go through its own rate-limit bucket.
type interaction struct {
	b      *Bot
	i      *discordgo.Interaction
	bucket string
	// lang is the user's language, from the interaction's locale.
	lang lang
	// inline, for an interaction received over HTTP, takes the first
	// response into the HTTP answer (nil: a REST callback).
	inline *inlineAck
	// log is the bot's logger with this interaction's request ID.
	log *slog.Logger

	mu sync.Mutex
	// acked: a callback was sent; deferred: it was type 5 and an edit
	// must follow; final: the final message is out and nothing more may be
	// sent; editing: a progress edit is on its way.
	acked, deferred, ephemeral, final, editing bool
	lastEdit                                   time.Time
	// editEvery, when longer than Options.EditInterval, paces this
	// interaction's progress edits (a rebuild's).
	editEvery time.Duration
}

func (b *Bot) newInteraction(i *discordgo.Interaction) *interaction {
	return &interaction{b: b, i: i, bucket: b.buckets.get(), lang: langOf(i.Locale), log: b.requestLog(i.ID)}
}

// requestLog is the logger of one request (an interaction, a mention):
// every line it writes carries the same request_id, so that one
// question's lines can be picked out of a busy log.
func (b *Bot) requestLog(interactionID string) *slog.Logger {
	l := b.log.With("request_id", newRequestID())
	if interactionID != "" {
		l = l.With("interaction", interactionID)
	}
	return l
}

// newRequestID is 16 random hex digits.
func newRequestID() string {
	var r [8]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// newInlineInteraction is newInteraction for an interaction received over
// HTTP, whose first response goes into the HTTP answer through ack.
func (b *Bot) newInlineInteraction(i *discordgo.Interaction, ack *inlineAck) *interaction {
	it := b.newInteraction(i)
	it.inline = ack
	return it
}

// close ends the interaction: no request may follow, and its bucket goes
// back to the pool. A progress edit still on its way finishes first.
func (it *interaction) close() {
	it.mu.Lock()
	it.final = true
	it.mu.Unlock()
	it.b.buckets.put(it.bucket)
}

// T is the user's language's text for an English message.
func (it *interaction) T(english string, args ...any) string { return it.lang.T(english, args...) }

// userText is the user's language's text for one of the user-facing
// errors and refusals above.
func (l lang) userText(err error) string {
	var ue userError
	if !errors.As(err, &ue) {
		return l.T(string(errFailed))
	}
	switch ue {
	case errTooSlow:
		return l.T(string(errTooSlow))
	case errPanicked:
		return l.T(string(errPanicked))
	case errSearchFails:
		return l.T(string(errSearchFails))
	case msgBusy:
		return l.T(string(msgBusy))
	case msgStopping:
		return l.T(string(msgStopping))
	case msgNotShown:
		return l.T(string(msgNotShown))
	}
	return l.T(string(errFailed))
}

func (it *interaction) appID() string {
	if it.i.AppID != "" {
		return it.i.AppID
	}
	return it.b.opts.ApplicationID
}

func (it *interaction) request(method, uri string, body any) error {
	_, err := it.b.session.RequestWithBucketID(method, uri, body, it.bucket)
	if err != nil {
		return fmt.Errorf("interaction %s: %s: %w", it.i.ID, method, it.b.explain(err))
	}
	return nil
}

// requestFinal sends a message the user must get: a Discord hiccup (5xx,
// a dropped connection) is retried twice, a little later each time.
// discordgo itself retries only 502.
func (it *interaction) requestFinal(method, uri string, body any) error {
	var err error
	for attempt, wait := 0, 250*time.Millisecond; ; attempt, wait = attempt+1, wait*4 {
		err = it.request(method, uri, body)
		if err == nil || attempt == 2 || !transient(err) {
			return err
		}
		it.log.Warn("retrying a failed message", "err", err, "in", wait)
		time.Sleep(wait)
	}
}

// transient reports failures worth retrying: server errors and transport
// errors, not Discord refusing the request.
func transient(err error) bool {
	if status := restStatus(err); status != 0 {
		return status >= 500
	}
	var rl *discordgo.RateLimitError
	return !errors.As(err, &rl)
}

// restStatus is the HTTP status of a Discord REST error, or 0 for any other
// error.
func restStatus(err error) int {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		return rest.Response.StatusCode
	}
	return 0
}

func (it *interaction) callback(t discordgo.InteractionResponseType, data any) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.acked {
		return errors.New("interaction already acknowledged")
	}
	body := callbackBody{Type: t, Data: data}
	if it.inline != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("interaction %s: response: %w", it.i.ID, err)
		}
		if err := it.inline.offer(raw); err != nil {
			return fmt.Errorf("interaction %s: %w", it.i.ID, err)
		}
	} else if err := it.request("POST", discordgo.EndpointInteractionResponse(it.i.ID, it.i.Token), body); err != nil {
		return err
	}
	it.acked = true
	it.deferred = t == discordgo.InteractionResponseDeferredChannelMessageWithSource
	return nil
}

// deferReply acknowledges now and promises an edit: Discord shows
// "thinking…" until then.
func (it *interaction) deferReply(ephemeral bool) error {
	var data any
	if ephemeral {
		data = message{}.body(true)
	}
	if err := it.callback(discordgo.InteractionResponseDeferredChannelMessageWithSource, data); err != nil {
		return err
	}
	it.mu.Lock()
	it.ephemeral = ephemeral
	it.mu.Unlock()
	return nil
}

// reply sends a message as the interaction's response: the callback when
// nothing was sent yet, otherwise the final edit of the deferred message
// (whose visibility the deferral decided).
func (it *interaction) reply(m message, ephemeral bool) error {
	it.mu.Lock()
	acked := it.acked
	it.mu.Unlock()
	if !acked {
		return it.callback(discordgo.InteractionResponseChannelMessageWithSource, m.body(ephemeral))
	}
	return it.finish(m)
}

func (it *interaction) originalURL() string {
	return discordgo.EndpointWebhookMessage(it.appID(), it.i.Token, "@original")
}

// finish replaces the deferred message with the final one. If Discord
// rejects it (a limit nobody foresaw), the user is told so instead of being
// left with "thinking…".
func (it *interaction) finish(m message) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.final {
		return nil
	}
	it.final = true
	err := it.requestFinal("PATCH", it.originalURL(), m.edit())
	if restStatus(err) == http.StatusBadRequest {
		if err2 := it.requestFinal("PATCH", it.originalURL(), errorEmbed(it.lang.userText(msgNotShown)).edit()); err2 != nil {
			it.log.Error("could not tell the user about a rejected message", "err", err2)
		}
	}
	return err
}

// partial shows progress (text written so far, a rebuild's count) without
// ever blocking the caller: at most one edit per EditInterval, none while
// another is on its way, none after the final message.
func (it *interaction) partial(m message) {
	it.mu.Lock()
	now := it.b.opts.Now()
	due := it.deferred && !it.final && !it.editing && now.Sub(it.lastEdit) >= max(it.b.opts.EditInterval, it.editEvery)
	if due {
		it.editing = true
		it.lastEdit = now
	}
	it.mu.Unlock()
	if !due {
		return
	}
	if !it.b.handlers.begin() {
		return
	}
	go func() {
		defer it.b.handlers.done()
		it.mu.Lock()
		defer it.mu.Unlock()
		it.editing = false
		if it.final {
			return
		}
		if err := it.request("PATCH", it.originalURL(), m.edit()); err != nil {
			it.log.Warn("progress edit failed", "err", err)
		}
	}()
}

// fail tells the user briefly, and only them, what went wrong; it never
// leaves the interaction unanswered.
func (it *interaction) fail(text string) { it.tell(errorEmbed(text)) }

// refuse tells the user, and only them, why their question is not
// answered (the bot is busy or restarting).
func (it *interaction) refuse(text string) { it.tell(noticeMessage(text)) }

// tell shows m to the user alone as the interaction's final message. After
// a public deferral, the "thinking…" everyone saw is removed first.
func (it *interaction) tell(m message) {
	it.mu.Lock()
	acked, ephemeral, final := it.acked, it.ephemeral, it.final
	it.mu.Unlock()
	var err error
	switch {
	case final:
		return
	case !acked:
		err = it.callback(discordgo.InteractionResponseChannelMessageWithSource, m.body(true))
	case ephemeral:
		err = it.finish(m)
	default:
		// Everyone sees "thinking…": remove it and tell the asker alone.
		it.mu.Lock()
		it.final = true
		err = it.requestFinal("DELETE", it.originalURL(), nil)
		if err == nil {
			err = it.requestFinal("POST", discordgo.EndpointWebhookToken(it.appID(), it.i.Token), m.body(true))
		} else {
			err = it.requestFinal("PATCH", it.originalURL(), m.edit())
		}
		it.mu.Unlock()
	}
	if err != nil {
		it.log.Error("could not tell the user why there is no answer", "err", err)
	}
}

func (b *Bot) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic.Type == discordgo.InteractionModalSubmit {
		// Read from the raw event by onEvent: discordgo drops the data of
		// modals with label components.
		return
	}
	b.handle(ic.Interaction, b.dispatch)
}

// dispatch runs the handler of an interaction's type (modal submits
// aside: they are decoded apart, see decodeModalSubmit).
func (b *Bot) dispatch(it *interaction) {
	switch it.i.Type {
	case discordgo.InteractionApplicationCommand:
		b.onCommand(it)
	case discordgo.InteractionApplicationCommandAutocomplete:
		b.onAutocomplete(it)
	case discordgo.InteractionMessageComponent:
		b.onComponent(it)
	default:
		it.log.Debug("ignored interaction", "type", it.i.Type)
	}
}

// onEvent reads modal submits from the gateway's raw event.
func (b *Bot) onEvent(_ *discordgo.Session, e *discordgo.Event) {
	if e.Type != "INTERACTION_CREATE" {
		return
	}
	var head struct {
		Type discordgo.InteractionType `json:"type"`
	}
	if json.Unmarshal(e.RawData, &head) != nil || head.Type != discordgo.InteractionModalSubmit {
		return
	}
	i, sub, err := decodeModalSubmit(e.RawData)
	if err != nil {
		b.log.Warn("modal submit not understood", "err", err)
		return
	}
	b.handle(i, func(it *interaction) { b.onModal(it, sub) })
}

// handle runs one interaction's handler, which must answer it: a panic is
// logged and the user told.
func (b *Bot) handle(i *discordgo.Interaction, handler func(*interaction)) {
	if !b.handlers.begin() {
		return
	}
	defer b.handlers.done()
	b.run(b.newInteraction(i), handler)
}

// run is handle for an interaction already counted in b.handlers.
func (b *Bot) run(it *interaction, handler func(*interaction)) {
	i := it.i
	defer it.close()
	defer func() {
		if r := recover(); r != nil {
			it.log.Error("interaction handler panicked", "panic", r, "stack", string(debug.Stack()))
			if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
				_ = it.callback(discordgo.InteractionApplicationCommandAutocompleteResult, noChoices())
				return
			}
			it.fail(it.lang.userText(errPanicked))
		}
	}()
	handler(it)
}

func userOf(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

func (b *Bot) onCommand(it *interaction) {
	data := it.i.ApplicationCommandData()
	opts := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range data.Options {
		opts[o.Name] = o
	}
	str := func(name string) string {
		if o := opts[name]; o != nil && o.Type == discordgo.ApplicationCommandOptionString {
			return o.StringValue()
		}
		return ""
	}
	// private: the user's choice, else the command's default; a DM is
	// private anyway.
	private := func(dflt bool) bool {
		if o := opts["private"]; o != nil && o.Type == discordgo.ApplicationCommandOptionBoolean {
			return o.BoolValue()
		}
		return dflt
	}
	switch data.Name {
	case "ask":
		b.ask(it, str("question"), private(b.opts.PrivateByDefault))
	case "search":
		k := 5
		if o := opts["results"]; o != nil && o.Type == discordgo.ApplicationCommandOptionInteger {
			k = int(o.IntValue())
		}
		b.search(it, str("query"), min(max(k, 1), 10), private(false))
	case "sources":
		b.quick(it, false, func(context.Context) (message, error) {
			return sourcesMessage(it.lang, b.svc.Documents()), nil
		})
	case "brief":
		ref := str("document")
		b.quick(it, private(false), func(context.Context) (message, error) {
			d, ok := findDocument(b.svc.Documents(), ref)
			if !ok {
				return message{}, notice(it.T("No document matches %q. /sources lists them.", cutText(ref, 100)))
			}
			// A listed document's passages may lack their texts (the
			// index keeps them apart): the lead's is looked up.
			var lead string
			if p, ok := leadOf(d); ok {
				if lead = p.Text; lead == "" {
					full, _ := b.svc.Passage(p.ID)
					lead = full.Text
				}
			}
			return briefMessage(it.lang, d, lead), nil
		})
	case "reindex":
		b.reindex(it)
	case "docs":
		b.onDocs(it, data)
	case "audit":
		b.onAudit(it, data)
	default:
		it.fail(it.T("Unknown command. The bot's commands may be out of date; try again in a minute."))
	}
}

func (b *Bot) logErr(err error) {
	if err != nil {
		b.log.Warn("discord request failed", "err", err)
	}
}

// outcome is what a guarded call returned.
type outcome[T any] struct {
	v   T
	err error
}

// guarded runs work in a goroutine of its own, so that the caller may stop
// waiting for it at a deadline; a panic is logged with msg and delivered as
// errPanicked.
func guarded[T any](log *slog.Logger, msg string, work func() (T, error)) <-chan outcome[T] {
	done := make(chan outcome[T], 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log.Error(msg, "panic", r, "stack", string(debug.Stack()))
				done <- outcome[T]{err: errPanicked}
			}
		}()
		v, err := work()
		done <- outcome[T]{v, err}
	}()
	return done
}

// quick answers with what work returns: at once when it is done within the
// acknowledgement budget, after a deferral otherwise, so that Discord's 3 s
// rule holds whatever the work costs.
func (b *Bot) quick(it *interaction, ephemeral bool, work func(context.Context) (message, error)) {
	ctx, cancel := context.WithTimeout(b.halt, b.opts.AnswerTimeout)
	defer cancel()
	done := guarded(b.log, "command panicked", func() (message, error) { return work(ctx) })
	timer := time.NewTimer(b.ackBudget)
	defer timer.Stop()
	var r outcome[message]
	select {
	case r = <-done:
	case <-timer.C:
		if err := it.deferReply(ephemeral); err != nil {
			it.log.Warn("defer failed", "err", err)
			return
		}
		select {
		case r = <-done:
		case <-ctx.Done():
			r.err = b.deadlineErr()
		}
	}
	var n notice
	switch {
	case r.err == nil:
		b.logErr(it.reply(r.v, ephemeral))
	case errors.As(r.err, &n):
		b.logErr(it.reply(noticeMessage(string(n)), true))
	case errors.Is(r.err, errTooSlow), errors.Is(r.err, context.DeadlineExceeded):
		b.logErr(it.reply(errorEmbed(errTooSlow.Error()), true))
	default:
		it.fail(it.lang.userText(r.err))
	}
}

// cooldownRefusal applies the per-user cooldown: "" when user may ask now,
// otherwise what to tell them.
func (b *Bot) cooldownRefusal(l lang, user string) string {
	wait := b.cooldown.take(user)
	if wait <= 0 {
		return ""
	}
	return l.T("Slow down a little: you can ask again in %d s.", seconds(wait))
}

// seconds is a wait as the whole seconds a user is told, rounded up.
func seconds(d time.Duration) int { return max(int(math.Ceil(d.Seconds())), 1) }

// limit is a question refused by how often its asker may ask.
type limit struct {
	// text is what to tell the asker.
	text string
	// rate: a rate limit refused it (counted as OutcomeLimited), not the
	// cooldown; wait is then how long until a question may pass.
	rate bool
	wait time.Duration
}

// admit applies, to a question that is itself fine, the limits on how
// often one asks: the per-user cooldown (cooldown: questions to be
// answered, not searches), then the user's and the server's rate limits
// (guild "" for a DM). It returns nil when the question may go on. A
// question refused by one limit costs nothing of the other.
func (b *Bot) admit(l lang, user, guild string, cooldown bool) *limit {
	if cooldown {
		if refusal := b.cooldownRefusal(l, user); refusal != "" {
			return &limit{text: refusal}
		}
	}
	wait, scope := b.limits.take(user, guild)
	if scope == limitNone {
		return nil
	}
	if cooldown {
		b.cooldown.forget(user)
	}
	b.log.Debug("question refused by the rate limit", "user", user, "guild", guild, "server_wide", scope == limitGuild, "wait", wait)
	if scope == limitGuild {
		return &limit{rate: true, wait: wait, text: l.T("This server is asking too many questions right now. Try again in %d s.", seconds(wait))}
	}
	return &limit{rate: true, wait: wait, text: l.T("You are asking too many questions in a short time. Try again in %d s.", seconds(wait))}
}

// acquire takes one of the MaxInFlight answer slots: at once when one is
// free, otherwise when one frees within QueueWait, while ctx lasts (the
// answer deadline, the bot's shutdown). A question that got no slot gets
// a reason instead, and costs the user no cooldown and neither them nor
// their server (guild) any rate limit.
func (b *Bot) acquire(ctx context.Context, user, guild string) (release func(), refusal error) {
	release = func() { <-b.inFlight }
	select {
	case b.inFlight <- struct{}{}:
		return release, nil
	default:
	}
	start := time.Now()
	// The queue is bounded too: past MaxQueued waiting questions, a
	// burst beyond what the machine can answer within QueueWait is told
	// at once, instead of holding memory for answers that would come
	// too late anyway.
	queued := false
	if b.opts.QueueWait > 0 {
		queued = b.waiting.Add(1) <= int64(b.opts.MaxQueued)
		defer b.waiting.Add(-1)
	}
	if queued {
		timer := time.NewTimer(b.opts.QueueWait)
		defer timer.Stop()
		select {
		case b.inFlight <- struct{}{}:
			b.logOf(ctx).Debug("question waited for an answer slot", "user", user, "waited", time.Since(start))
			return release, nil
		case <-timer.C:
		case <-ctx.Done():
		}
	}
	// Not the user's fault: they may retry at once.
	b.cooldown.forget(user)
	b.limits.refund(user, guild)
	setOutcome(ctx, briefbot.OutcomeBusy)
	if b.stopping.Err() != nil {
		return nil, msgStopping
	}
	why := "no answer slot freed in time"
	switch {
	case b.opts.QueueWait <= 0:
		why = "no answer slot free, and no queue"
	case !queued:
		why = "the queue is full"
	}
	b.logOf(ctx).Warn("question refused: "+why, "user", user, "waited", time.Since(start),
		"max_in_flight", b.opts.MaxInFlight, "queue_wait", b.opts.QueueWait, "max_queued", b.opts.MaxQueued)
	return nil, msgBusy
}

// answerContexts are the deadline of one answer, counted from the
// question (the wait for a slot included), and the same deadline ended
// early by the bot's shutdown, for the wait: an answer already running is
// let finish, a question still waiting is not.
//
// Both carry the question's outcome record (see observe): a rate limit's
// refusal, acquire and answer, which every kind of question goes through,
// fill it in.
func (b *Bot) answerContexts(log *slog.Logger) (ctx, wait context.Context, cancel func()) {
	rec := &outcomeRecord{log: log}
	ctx, cancelAnswer := context.WithTimeout(context.WithValue(b.halt, outcomeKey{}, rec), b.opts.AnswerTimeout)
	deadline, _ := ctx.Deadline()
	wait, cancelWait := context.WithDeadline(context.WithValue(b.stopping, outcomeKey{}, rec), deadline)
	return ctx, wait, func() { cancelWait(); cancelAnswer() }
}

// outcomeKey keys a question's *outcomeRecord in its contexts.
type outcomeKey struct{}

// outcomeRecord is how a question ended, one of the briefbot.Outcome
// values; empty when it was refused before the rate limits (an empty or
// too long question, a cooldown), which is not counted as a question.
type outcomeRecord struct {
	outcome string
	// question is the cleaned question, for the log line of its end.
	question string
	// log is the request's logger (its request_id).
	log *slog.Logger
}

// logOf is the logger of the question of ctx, or the bot's.
func (b *Bot) logOf(ctx context.Context) *slog.Logger {
	if rec, ok := ctx.Value(outcomeKey{}).(*outcomeRecord); ok && rec.log != nil {
		return rec.log
	}
	return b.log
}

// noteQuestion keeps the cleaned question of ctx for its log line.
func noteQuestion(ctx context.Context, question string) {
	if rec, ok := ctx.Value(outcomeKey{}).(*outcomeRecord); ok {
		rec.question = question
	}
}

// setOutcome records how the question of ctx ended. It is called from the
// question's own goroutine, as observe is, so it needs no lock.
func setOutcome(ctx context.Context, outcome string) {
	if rec, ok := ctx.Value(outcomeKey{}).(*outcomeRecord); ok {
		rec.outcome = outcome
	}
}

// observe reports the question of ctx to Options.Observer once it is
// over: deferred at the top of each handler of a question, with the time
// it started, so that every return is counted with one line per handler.
//
// It also writes the question's one log line: command, outcome and time,
// and the question's text only when Options.LogQuestions is set.
func (b *Bot) observe(ctx context.Context, command string, start time.Time) {
	rec, ok := ctx.Value(outcomeKey{}).(*outcomeRecord)
	if !ok || rec.outcome == "" {
		return
	}
	took := time.Since(start)
	attrs := []any{"command", command, "outcome", rec.outcome, "took", took, "chars", runeLen(rec.question)}
	if b.opts.LogQuestions {
		attrs = append(attrs, "question", rec.question)
	}
	b.logOf(ctx).Info("question", attrs...)
	if b.opts.Observer != nil {
		b.opts.Observer.Question(command, rec.outcome, took)
	}
}

// acceptQuestion checks a question typed into a command or a form,
// acknowledges it (shown to the asker alone when ephemeral), then waits
// for an answer slot within wait: the acknowledgement comes first, since
// the wait may outlast Discord's 3 s. It returns the cleaned question
// (see cleanQuestion) and the slot's release, or false when the user was
// told, privately, why not (empty, too long, cooldown, rate limit, busy).
func (b *Bot) acceptQuestion(it *interaction, question string, ephemeral bool, wait context.Context) (string, func(), bool) {
	question = cleanQuestion(question)
	noteQuestion(wait, question)
	if refusal := questionRefusal(it.lang, question, b.opts.MaxQuestionChars, false); refusal != "" {
		b.logErr(it.reply(noticeMessage(refusal), true))
		return "", nil, false
	}
	if lim := b.admit(it.lang, userOf(it.i), it.i.GuildID, true); lim != nil {
		if lim.rate {
			setOutcome(wait, briefbot.OutcomeLimited)
		}
		b.logErr(it.reply(noticeMessage(lim.text), true))
		return "", nil, false
	}
	if err := it.deferReply(ephemeral); err != nil {
		it.log.Warn("defer failed", "err", err)
		return "", nil, false
	}
	release, refusal := b.acquire(wait, userOf(it.i), it.i.GuildID)
	if refusal != nil {
		it.refuse(it.lang.userText(refusal))
		return "", nil, false
	}
	return question, release, true
}

func (b *Bot) ask(it *interaction, question string, private bool) {
	ctx, waitCtx, cancel := b.answerContexts(it.log)
	defer cancel()
	defer b.observe(ctx, "ask", time.Now())
	question, release, ok := b.acceptQuestion(it, question, private, waitCtx)
	if !ok {
		return
	}
	user := userOf(it.i)
	a, err := b.answer(ctx, user, question, nil, func(text string) {
		it.partial(streamingMessage(question, text))
	})
	// The cap is on answers being computed; showing one takes no slot.
	release()
	if errors.Is(err, errTooSlow) {
		// Replace "thinking…" where everyone saw it.
		b.logErr(it.finish(errorEmbed(it.lang.userText(err))))
		return
	}
	if err != nil {
		it.fail(it.lang.userText(err))
		return
	}
	// Everyone in the channel saw a question unless it was private or
	// asked in a DM.
	private = private || it.i.GuildID == ""
	// A refusal is shown to the asker alone, so it is kept as private.
	id := b.keep(a, place{user: user, guild: it.i.GuildID, channel: it.i.ChannelID, private: private || !a.Answerable})
	if !a.Answerable {
		// One short line for the asker alone, never a public wall.
		it.tell(refusalView(it.lang, a, id))
		return
	}
	b.remember(a, question, user, it.i.GuildID, !private)
	b.logErr(it.finish(answerView(it.lang, a, id, private && it.i.GuildID != "")))
}

// remember keeps an answered question for its asker's autocomplete (and,
// when public and the server opts in, for the others in guild); questions
// the documents do not cover are not worth suggesting.
func (b *Bot) remember(a briefbot.Answer, question, user, guild string, public bool) {
	if a.Answerable {
		b.questions.remember(user, guild, question, public)
	}
}

// answer runs the service until ctx's deadline (see answerContexts); a
// service that does not return in time is abandoned so the user still gets
// a message. Its errors are the user-facing ones above.
func (b *Bot) answer(ctx context.Context, user, question string, history []briefbot.Turn, onPartial func(string)) (briefbot.Answer, error) {
	done := guarded(b.logOf(ctx), "answer panicked", func() (briefbot.Answer, error) {
		return b.svc.Ask(ctx, briefbot.AskRequest{Question: question, UserID: user, History: history, OnPartial: onPartial})
	})
	a, err := b.awaitAnswer(ctx, done)
	switch {
	case err == nil && a.Answerable:
		setOutcome(ctx, briefbot.OutcomeAnswered)
	case err == nil:
		setOutcome(ctx, briefbot.OutcomeRefused)
	case errors.Is(err, errTooSlow):
		setOutcome(ctx, briefbot.OutcomeTimeout)
	case errors.Is(err, msgStopping):
		setOutcome(ctx, briefbot.OutcomeBusy)
	default:
		setOutcome(ctx, briefbot.OutcomeFailed)
	}
	return a, err
}

// awaitAnswer waits for the service's answer until ctx's deadline.
func (b *Bot) awaitAnswer(ctx context.Context, done <-chan outcome[briefbot.Answer]) (briefbot.Answer, error) {
	select {
	case r := <-done:
		switch {
		case r.err == nil:
			return r.v, nil
		case b.halt.Err() != nil:
			// Cancelled by the shutdown, not failed.
			return briefbot.Answer{}, msgStopping
		case errors.Is(r.err, errPanicked):
			return briefbot.Answer{}, errPanicked
		case errors.Is(r.err, context.DeadlineExceeded):
			return briefbot.Answer{}, errTooSlow
		}
		b.logOf(ctx).Error("answer failed", "err", r.err)
		return briefbot.Answer{}, errFailed
	case <-ctx.Done():
		err := b.deadlineErr()
		if err == msgStopping {
			b.logOf(ctx).Warn("answer abandoned: the bot is stopping and the shutdown timeout passed", "shutdown_timeout", b.opts.ShutdownTimeout)
		} else {
			b.logOf(ctx).Warn("answer abandoned at the deadline", "timeout", b.opts.AnswerTimeout)
		}
		return briefbot.Answer{}, err
	}
}

// deadlineErr is why an answer's context ended: the shutdown timeout
// passed (msgStopping), or the answer's own deadline (errTooSlow).
func (b *Bot) deadlineErr() error {
	if b.halt.Err() != nil {
		return msgStopping
	}
	return errTooSlow
}

func (b *Bot) citedPassages(a briefbot.Answer) map[string]briefbot.Passage {
	m := map[string]briefbot.Passage{}
	for _, c := range a.Citations {
		if p, ok := b.svc.Passage(c.PassageID); ok {
			m[c.PassageID] = p
		}
	}
	return m
}

func (b *Bot) search(it *interaction, query string, k int, private bool) {
	query = cleanQuestion(query)
	if refusal := questionRefusal(it.lang, query, b.opts.MaxQuestionChars, true); refusal != "" {
		b.logErr(it.reply(noticeMessage(refusal), true))
		return
	}
	// A search costs no cooldown (it asks for no answer), but it counts
	// against the rate limits like a question. Searches are not counted in
	// the question metrics, refused or not.
	if lim := b.admit(it.lang, userOf(it.i), it.i.GuildID, false); lim != nil {
		b.logErr(it.reply(noticeMessage(lim.text), true))
		return
	}
	b.quick(it, private, func(ctx context.Context) (message, error) {
		hits, err := b.svc.Search(ctx, query, k)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return message{}, errTooSlow
			}
			it.log.Error("search failed", "err", err)
			return message{}, errSearchFails
		}
		return searchMessage(it.lang, query, hits), nil
	})
}

func findDocument(docs []briefbot.Document, ref string) (briefbot.Document, bool) {
	if len(docs) == 0 {
		return briefbot.Document{}, false
	}
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return docs[0], true
	}
	for _, d := range docs {
		if d.ID == ref {
			return d, true
		}
	}
	low := strings.ToLower(ref)
	for _, d := range docs {
		if strings.Contains(strings.ToLower(d.Title), low) {
			return d, true
		}
	}
	return briefbot.Document{}, false
}

// Discord permission bits that make a moderator.
const moderatorPerms = discordgo.PermissionManageGuild | discordgo.PermissionAdministrator

// isModerator checks on our side what default_member_permissions only
// suggests: server admins can grant any command to anyone.
func (b *Bot) isModerator(i *discordgo.Interaction) bool {
	if i.Member == nil {
		return false // in a DM there is no server to moderate
	}
	if i.Member.Permissions&moderatorPerms != 0 {
		return true
	}
	for _, r := range i.Member.Roles {
		for _, m := range b.opts.ModeratorRoleIDs {
			if r == m {
				return true
			}
		}
	}
	return false
}

func (b *Bot) reindex(it *interaction) {
	if !b.isModerator(it.i) {
		b.logErr(it.reply(noticeMessage(it.T("Only moderators (Manage Server, or a moderator role) can rebuild the index.")), true))
		return
	}
	if err := it.deferReply(true); err != nil {
		it.log.Warn("defer failed", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(b.stopping, reindexWait)
	defer cancel()
	it.mu.Lock()
	it.editEvery = rebuildEditEvery
	it.mu.Unlock()
	started := time.Now()
	it.log.Info("reindex requested", "user", userOf(it.i))
	progress := func(done, total int) { it.partial(progressMessage(it.lang, done, total)) }
	var rep briefbot.ReindexReport
	var err error
	if by, ok := b.svc.(interface {
		ReindexBy(ctx context.Context, by string, progress func(done, total int)) (briefbot.ReindexReport, error)
	}); ok {
		// The library records who asked in its audit log.
		rep, err = by.ReindexBy(ctx, userOf(it.i), progress)
	} else {
		rep, err = b.svc.Reindex(ctx, progress)
	}
	switch {
	case err == nil:
		b.logErr(it.finish(reindexMessage(it.lang, rep, time.Since(started))))
	case b.stopping.Err() != nil:
		b.logErr(it.finish(noticeMessage(it.T("The bot is restarting, so it stopped waiting for the rebuild. The current index keeps serving; run /reindex again once the bot is back."))))
	case errors.Is(err, context.DeadlineExceeded):
		b.logErr(it.finish(noticeMessage(it.T("The rebuild is taking longer than Discord lets me wait. The current index keeps serving until it is done; check the bot's log for the result."))))
	default:
		it.log.Error("reindex failed", "err", err)
		text := it.T("Reindex failed: %s", cutText(err.Error(), 500)) + "\n" + it.T("The previous index keeps serving.")
		if len(rep.Failed) > 0 {
			text += "\n" + it.T("Documents that could not be read:") + "\n" + failureList(it.lang, rep.Failed, maxContent-runeLen(text)-40)
		}
		b.logErr(it.finish(noticeMessage(text)))
	}
}

func (b *Bot) onAutocomplete(it *interaction) {
	data := it.i.ApplicationCommandData()
	var focused *discordgo.ApplicationCommandInteractionDataOption
	sub := ""
	for _, o := range data.Options {
		if o.Focused {
			focused = o
		}
		// A subcommand's options are one level down.
		if o.Type == discordgo.ApplicationCommandOptionSubCommand {
			sub = o.Name
			for _, so := range o.Options {
				if so.Focused {
					focused = so
				}
			}
		}
	}
	typed := ""
	if focused != nil && focused.Type == discordgo.ApplicationCommandOptionString {
		typed = focused.StringValue()
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	seen := map[string]bool{}
	add := func(name, value string) {
		if len(choices) == maxChoices || name == "" || value == "" || seen[value] {
			return
		}
		seen[value] = true
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: value})
	}
	switch data.Name {
	case "ask":
		// Only what this user may see: their own questions, and others'
		// public ones of this server when it opts in.
		questions := b.questions.visible(userOf(it.i), it.i.GuildID, b.opts.SuggestPublicQuestions)
		for _, s := range b.svc.Suggest(typed, questions, maxChoices) {
			s = strings.TrimSpace(s)
			add(cutText(s, maxChoiceName), cutText(s, maxChoiceValue))
		}
	case "brief":
		low := strings.ToLower(strings.TrimSpace(typed))
		for _, d := range b.svc.Documents() {
			if low == "" || strings.Contains(strings.ToLower(d.Title), low) || strings.Contains(strings.ToLower(d.ID), low) {
				if runeLen(d.ID) <= maxChoiceValue {
					add(cutText(d.Title, maxChoiceName), d.ID)
				}
			}
		}
	case "docs":
		ctx, cancel := context.WithTimeout(context.Background(), b.ackBudget)
		b.documentChoices(ctx, it, sub, typed, add)
		cancel()
	}
	if err := it.callback(discordgo.InteractionApplicationCommandAutocompleteResult, choicesBody{Choices: choices}); err != nil {
		it.log.Debug("autocomplete reply failed", "err", err)
	}
}

var mentionRE = regexp.MustCompile(`<@!?(\d+)>`)

// onMessage answers a question asked by mentioning the bot, in a direct
// message, or in a thread the bot started (a mention there, or any message
// with discord.thread_replies: all), as a reply. In a DM or a thread the
// question is a follow-up of the conversation there.
func (b *Bot) onMessage(_ *discordgo.Session, m *discordgo.MessageCreate) {
	if m.Author == nil || m.Author.Bot {
		return
	}
	// discordgo does not recover its handlers' panics: one here (the
	// records read below) must not stop the process. Past that read, the
	// recover further down also tells the asker.
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("message handler panicked", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	b.mu.Lock()
	me, name := b.botUser, b.botName
	b.mu.Unlock()
	mentioned := false
	for _, u := range m.Mentions {
		if u != nil && u.ID == me {
			mentioned = true
		}
	}
	// The conversation the message continues, and its turns, read once:
	// a thread's here (they decide whether to answer at all), a DM's only
	// for a question accepted.
	var conv string
	var history []briefbot.Turn
	switch {
	case m.GuildID == "":
		// Its turns are read once the question is accepted (below).
		conv = dmConversation(m.ChannelID)
	case mentioned || b.opts.ThreadReplies == ThreadRepliesAll:
		// Only threads the bot started have a conversation kept.
		if turns := b.history(threadConversation(m.ChannelID)); len(turns) > 0 {
			conv, history = threadConversation(m.ChannelID), turns
		}
	}
	if !mentioned && conv == "" {
		return
	}
	if !b.handlers.begin() {
		return
	}
	defer b.handlers.done()
	log := b.requestLog("").With("message", m.ID)
	question := cleanQuestion(mentionRE.ReplaceAllStringFunc(m.Content, func(s string) string {
		if mentionRE.FindStringSubmatch(s)[1] == me {
			return ""
		}
		return s
	}))
	// A message carries no locale: the server's preferred one stands in.
	l := langEN
	if g, err := b.session.State.Guild(m.GuildID); err == nil && g != nil {
		l = langOf(discordgo.Locale(g.PreferredLocale))
	}
	noFail := false
	ref := &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: &noFail}
	send := func(msg message) { _ = b.post(m.ChannelID, msg, ref) }
	defer func() {
		if r := recover(); r != nil {
			log.Error("mention handler panicked", "panic", r, "stack", string(debug.Stack()))
			send(errorEmbed(l.userText(errPanicked)))
		}
	}()
	if question == "" {
		if mentioned || m.GuildID == "" {
			send(mentionHelp(l, name, b.svc.Documents()))
		}
		return
	}
	if refusal := questionRefusal(l, question, b.opts.MaxQuestionChars, false); refusal != "" {
		send(noticeMessage(refusal))
		return
	}
	ctx, waitCtx, cancel := b.answerContexts(log)
	defer cancel()
	defer b.observe(ctx, "mention", time.Now())
	noteQuestion(ctx, question)
	if lim := b.admit(l, m.Author.ID, m.GuildID, true); lim != nil {
		// A message cannot be answered privately: a refusal is a reply
		// everyone sees, so a user who keeps asking is told once per
		// wait, and their further questions in it go unanswered, lest
		// refusals flood the channel.
		if lim.rate {
			setOutcome(ctx, briefbot.OutcomeLimited)
			if !b.limits.tell(m.Author.ID, b.opts.Now().Add(lim.wait)) {
				return
			}
		}
		send(noticeMessage(lim.text))
		return
	}
	if err := b.session.ChannelTyping(m.ChannelID); err != nil {
		log.Debug("typing indicator failed", "err", b.explain(err))
	}
	release, refusal := b.acquire(waitCtx, m.Author.ID, m.GuildID)
	if refusal != nil {
		send(noticeMessage(l.userText(refusal)))
		return
	}
	if m.GuildID == "" {
		history = b.history(conv)
	}
	a, err := b.answer(ctx, m.Author.ID, question, history, nil)
	release()
	if err != nil {
		send(errorEmbed(l.userText(err)))
		return
	}
	// A message in a server channel is seen by the channel; a DM is not.
	private := m.GuildID == ""
	id := b.keep(a, place{user: m.Author.ID, guild: m.GuildID, channel: m.ChannelID, private: private, conversation: conv})
	if !a.Answerable {
		send(refusalView(l, a, id))
		return
	}
	b.remember(a, question, m.Author.ID, m.GuildID, !private)
	send(answerView(l, a, id, false))
}
