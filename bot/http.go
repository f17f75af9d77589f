package bot

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// HTTP interactions mode: Discord POSTs each interaction to the
// application's Interactions Endpoint URL, signed with the application's
// Ed25519 key, and reads the first response from the HTTP answer. The bot
// runs the same handlers as over the gateway; their first response (a
// deferral, an inline reply, autocomplete choices, a form) is written into
// the HTTP answer, and everything after it goes through the REST API with
// the interaction's token, as in gateway mode.

const (
	// maxInteractionBytes bounds the body of one interaction. Discord's
	// largest (a button on a message with ten full embeds, resolved
	// users and attachments) stays well under it.
	maxInteractionBytes = 1 << 20
	// maxClockSkew is how far an interaction's signed timestamp may be
	// from our clock: older ones are replays.
	maxClockSkew = 5 * time.Minute
	// inlineAckWait bounds the wait for a handler's first response:
	// Discord gives up after 3 s, and every handler answers or defers
	// within ackBudget.
	inlineAckWait = 2500 * time.Millisecond
)

// ParsePublicKey reads an application's public key as the Developer
// Portal shows it: 64 hexadecimal characters.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	k, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, errors.New("discord.public_key: want the application's public key, 64 hexadecimal characters")
	}
	return ed25519.PublicKey(k), nil
}

// errAckAbandoned: the HTTP answer to Discord was given up (too late, the
// connection closed) before the handler's first response reached it.
var errAckAbandoned = errors.New("interaction's HTTP answer already given up")

// inlineAck carries an interaction's first response from its handler to
// the HTTP answer. Exactly one of offer and abandon wins.
type inlineAck struct {
	mu      sync.Mutex
	settled bool
	body    chan []byte // the first response, once offered
	written chan error  // the outcome of writing it into the HTTP answer
}

func newInlineAck() *inlineAck {
	return &inlineAck{body: make(chan []byte, 1), written: make(chan error, 1)}
}

// offer hands the first response to the HTTP side and waits until it is
// written: the handler's next requests (edits of @original) must not
// reach Discord before it.
func (a *inlineAck) offer(raw []byte) error {
	a.mu.Lock()
	if a.settled {
		a.mu.Unlock()
		return errAckAbandoned
	}
	a.settled = true
	a.body <- raw
	a.mu.Unlock()
	return <-a.written
}

// abandon gives up on a first response; false means one was offered and
// waits in a.body.
func (a *inlineAck) abandon() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.settled {
		return false
	}
	a.settled = true
	return true
}

// InteractionsHandler serves POST requests from Discord to the
// Interactions Endpoint URL (Options.PublicKey must be set): it verifies
// the signature before anything else, refuses stale timestamps, answers
// PING with PONG and runs every other interaction through the bot's
// handlers. Nothing it keeps is needed by another replica: any process
// with the same configuration may answer any interaction.
func (b *Bot) InteractionsHandler() http.Handler {
	return http.HandlerFunc(b.serveInteraction)
}

func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		b.interaction(briefbot.InteractionMalformed)
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if b.publicKey == nil {
		http.Error(w, "interactions endpoint not configured", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			b.interaction(briefbot.InteractionTooLarge)
			http.Error(w, "interaction too large", http.StatusRequestEntityTooLarge)
			return
		}
		b.interaction(briefbot.InteractionMalformed)
		http.Error(w, "could not read the request", http.StatusBadRequest)
		return
	}
	if !b.verified(r.Header, body) {
		b.interaction(briefbot.InteractionUnauthorized)
		b.log.Warn("interaction refused: bad signature or stale timestamp", "remote", r.RemoteAddr)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	i, sub, err := decodeInteraction(body)
	if err != nil {
		b.interaction(briefbot.InteractionMalformed)
		b.log.Warn("interaction refused: not understood", "err", err)
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		b.interaction(briefbot.InteractionAnswered)
		writeJSON(w, callbackBody{Type: discordgo.InteractionResponsePong})
		return
	}
	handler := b.dispatch
	if sub != nil {
		handler = func(it *interaction) { b.onModal(it, *sub) }
	}
	ack := newInlineAck()
	if !b.handlers.begin() {
		// Stopping: no new work, but the user is told why.
		b.interaction(briefbot.InteractionStopping)
		b.log.Info("interaction refused: the bot is stopping", "interaction", i.ID)
		writeJSON(w, stoppingResponse(i))
		return
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer b.handlers.done()
		b.run(b.newInlineInteraction(i, ack), handler)
	}()
	timer := time.NewTimer(inlineAckWait)
	defer timer.Stop()
	var why string
	select {
	case raw := <-ack.body:
		b.writeAck(w, ack, raw, i, start)
		return
	case <-finished:
		why = "the handler sent no response"
	case <-timer.C:
		why = "no response in time"
	case <-r.Context().Done():
		why = "Discord closed the connection"
	}
	if !ack.abandon() {
		b.writeAck(w, ack, <-ack.body, i, start)
		return
	}
	b.interaction(briefbot.InteractionUnanswered)
	b.log.Error("interaction not acknowledged", "interaction", i.ID, "type", i.Type, "why", why)
	http.Error(w, "interaction not handled", http.StatusInternalServerError)
}

// writeAck writes the first response as the HTTP answer and tells the
// handler how that went.
func (b *Bot) writeAck(w http.ResponseWriter, ack *inlineAck, raw []byte, i *discordgo.Interaction, start time.Time) {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(raw)
	if err == nil {
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	ack.written <- err
	b.interaction(briefbot.InteractionAnswered)
	b.log.Debug("interaction acknowledged", "interaction", i.ID, "type", i.Type, "in", time.Since(start))
}

// interaction reports a request's result to the observer, when it hears
// of interactions.
func (b *Bot) interaction(result string) {
	if o, ok := b.opts.Observer.(briefbot.InteractionObserver); ok {
		o.Interaction(result)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// verified checks Discord's signature of timestamp+body, then that the
// timestamp is within maxClockSkew of now.
func (b *Bot) verified(h http.Header, body []byte) bool {
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	ts := h.Get("X-Signature-Timestamp")
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(b.publicKey, msg, sig) {
		return false
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	skew := b.opts.Now().Sub(time.Unix(secs, 0))
	return skew <= maxClockSkew && skew >= -maxClockSkew
}

// decodeInteraction reads an interaction from Discord's JSON and checks
// what the handlers rely on, so that a malformed one is refused here with
// an error rather than failing inside a handler. A modal submit comes
// with its submitted values (see decodeModalSubmit).
func decodeInteraction(raw []byte) (*discordgo.Interaction, *modalSubmit, error) {
	var head struct {
		Type *discordgo.InteractionType `json:"type"`
		Data json.RawMessage            `json:"data"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, nil, fmt.Errorf("interaction: %w", err)
	}
	if head.Type == nil {
		return nil, nil, errors.New("interaction: no type")
	}
	switch *head.Type {
	case discordgo.InteractionPing:
		return &discordgo.Interaction{Type: discordgo.InteractionPing}, nil, nil
	case discordgo.InteractionModalSubmit:
		i, sub, err := decodeModalSubmit(raw)
		if err != nil {
			return nil, nil, err
		}
		if userOf(i) == "" {
			return nil, nil, errors.New("interaction: no user")
		}
		return i, &sub, nil
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete, discordgo.InteractionMessageComponent:
	default:
		return nil, nil, fmt.Errorf("interaction: unsupported type %d", *head.Type)
	}
	if len(bytes.TrimSpace(head.Data)) == 0 || bytes.Equal(bytes.TrimSpace(head.Data), []byte("null")) {
		return nil, nil, errors.New("interaction: no data")
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(raw, &i); err != nil {
		return nil, nil, fmt.Errorf("interaction: %w", err)
	}
	switch {
	case i.ID == "" || i.Token == "":
		return nil, nil, errors.New("interaction: no id or token")
	case userOf(&i) == "":
		return nil, nil, errors.New("interaction: no user")
	}
	if i.Type == discordgo.InteractionMessageComponent && i.Message == nil {
		// Discord always sends the message a component belongs to.
		return nil, nil, errors.New("interaction: component without its message")
	}
	return &i, nil, nil
}

// stoppingResponse answers an interaction that arrives while the bot
// stops: no suggestions for autocomplete, otherwise a private "the bot is
// restarting" in the user's language.
func stoppingResponse(i *discordgo.Interaction) callbackBody {
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		return callbackBody{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: noChoices()}
	}
	return callbackBody{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: noticeMessage(langOf(i.Locale).userText(msgStopping)).body(true)}
}
