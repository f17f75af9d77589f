package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// Interaction callback bodies are written here rather than with discordgo's
// InteractionResponseData, which sends "components": null and message
// fields on autocomplete results.
type callbackBody struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data any                               `json:"data,omitempty"`
}

type messageBody struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	Components      []discordgo.MessageComponent      `json:"components,omitempty"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	// For channel messages (mention replies).
	MessageReference *discordgo.MessageReference `json:"message_reference,omitempty"`
}

type choicesBody struct {
	Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
}

// interaction tracks one interaction to its final message.
type interaction struct {
	b  *Bot
	i  *discordgo.Interaction
	mu sync.Mutex
	// acked: a callback was sent; deferred: it was type 5 (edits follow);
	// final: the final message is out, later partial edits are dropped.
	acked, deferred, ephemeral, final bool
	lastEdit                          time.Time
}

func (it *interaction) bucket() string { return "interaction/" + it.i.ID }

func (it *interaction) callback(t discordgo.InteractionResponseType, data any) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.acked {
		return errors.New("interaction already acknowledged")
	}
	_, err := it.b.session.RequestWithBucketID("POST", discordgo.EndpointInteractionResponse(it.i.ID, it.i.Token), callbackBody{Type: t, Data: data}, it.bucket())
	if err != nil {
		return fmt.Errorf("interaction %s callback: %w", it.i.ID, it.b.explain(err))
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
		data = messageBody{Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()}
		it.ephemeral = true
	}
	return it.callback(discordgo.InteractionResponseDeferredChannelMessageWithSource, data)
}

// reply sends a message as the interaction's response: the callback when
// nothing was sent yet, otherwise an edit of the deferred message.
func (it *interaction) reply(m message, ephemeral bool) error {
	it.mu.Lock()
	acked := it.acked
	it.mu.Unlock()
	if !acked {
		body := messageBody{Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions()}
		if ephemeral {
			body.Flags = discordgo.MessageFlagsEphemeral
		}
		return it.callback(discordgo.InteractionResponseChannelMessageWithSource, body)
	}
	return it.edit(m, true)
}

// edit replaces the deferred message. Each interaction has its own
// rate-limit bucket: discordgo v0.29 puts every interaction's edits in one
// bucket (its issue #1384), which would queue slow answers behind each other.
func (it *interaction) edit(m message, final bool) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.final {
		return nil
	}
	if final {
		it.final = true
	}
	uri := discordgo.EndpointWebhookMessage(it.b.opts.ApplicationID, it.i.Token, "@original")
	_, err := it.b.session.RequestWithBucketID("PATCH", uri, m.edit(), it.bucket())
	if err != nil {
		return fmt.Errorf("interaction %s edit: %w", it.i.ID, it.b.explain(err))
	}
	it.lastEdit = it.b.opts.Now()
	return nil
}

// partial shows text written so far, at most once per EditInterval.
func (it *interaction) partial(m message) {
	it.mu.Lock()
	due := !it.final && it.b.opts.Now().Sub(it.lastEdit) >= it.b.opts.EditInterval
	it.mu.Unlock()
	if due {
		if err := it.edit(m, false); err != nil {
			it.b.log.Warn("partial edit failed", "err", err)
		}
	}
}

// fail tells the user briefly what went wrong; it never leaves the
// interaction unanswered.
func (it *interaction) fail(text string) {
	if err := it.reply(errorEmbed(text), true); err != nil {
		it.b.log.Error("could not tell the user about a failure", "interaction", it.i.ID, "err", err)
	}
}

func (b *Bot) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	b.wg.Add(1)
	defer b.wg.Done()
	it := &interaction{b: b, i: ic.Interaction}
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("interaction handler panicked", "interaction", ic.ID, "panic", r, "stack", string(debug.Stack()))
			if ic.Type != discordgo.InteractionApplicationCommandAutocomplete {
				it.fail("Something went wrong on our side while answering. Please try again.")
			}
		}
	}()
	switch ic.Type {
	case discordgo.InteractionApplicationCommand:
		b.onCommand(it)
	case discordgo.InteractionApplicationCommandAutocomplete:
		b.onAutocomplete(it)
	case discordgo.InteractionMessageComponent:
		b.onComponent(it)
	default:
		b.log.Debug("ignored interaction", "type", ic.Type)
	}
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
	switch data.Name {
	case "ask":
		q := ""
		if o := opts["question"]; o != nil && o.Type == discordgo.ApplicationCommandOptionString {
			q = o.StringValue()
		}
		private := false
		if o := opts["private"]; o != nil && o.Type == discordgo.ApplicationCommandOptionBoolean {
			private = o.BoolValue()
		}
		b.ask(it, q, private)
	case "search":
		q := ""
		if o := opts["query"]; o != nil && o.Type == discordgo.ApplicationCommandOptionString {
			q = o.StringValue()
		}
		k := 5
		if o := opts["results"]; o != nil && o.Type == discordgo.ApplicationCommandOptionInteger {
			k = int(o.IntValue())
		}
		b.search(it, q, min(max(k, 1), 10))
	case "sources":
		b.logErr(it.reply(sourcesMessage(b.svc.Documents()), false))
	case "brief":
		ref := ""
		if o := opts["document"]; o != nil && o.Type == discordgo.ApplicationCommandOptionString {
			ref = o.StringValue()
		}
		d, ok := findDocument(b.svc.Documents(), ref)
		if !ok {
			b.logErr(it.reply(noticeMessage(fmt.Sprintf("No document matches %q. Try /sources.", ref)), true))
			return
		}
		b.logErr(it.reply(briefMessage(d), false))
	case "reindex":
		b.reindex(it)
	default:
		it.fail("Unknown command. The bot's commands may be out of date; try again in a minute.")
	}
}

func (b *Bot) logErr(err error) {
	if err != nil {
		b.log.Warn("discord request failed", "err", err)
	}
}

// admit applies the per-user cooldown and the cap on answers in flight; it
// answers the user itself when the question is refused.
func (b *Bot) admit(it *interaction) (release func(), ok bool) {
	if wait := b.cooldown.take(userOf(it.i)); wait > 0 {
		secs := int(wait.Round(time.Second) / time.Second)
		b.logErr(it.reply(noticeMessage(fmt.Sprintf("Slow down a little: you can ask again in %d s.", max(secs, 1))), true))
		return nil, false
	}
	select {
	case b.inFlight <- struct{}{}:
		return func() { <-b.inFlight }, true
	default:
		b.logErr(it.reply(noticeMessage("I'm answering many questions right now. Please try again in a few seconds."), true))
		return nil, false
	}
}

func (b *Bot) ask(it *interaction, question string, private bool) {
	question = strings.TrimSpace(question)
	if question == "" {
		b.logErr(it.reply(noticeMessage("Please type a question."), true))
		return
	}
	release, ok := b.admit(it)
	if !ok {
		return
	}
	defer release()
	if err := it.deferReply(private); err != nil {
		b.log.Warn("defer failed", "err", err)
		return
	}
	a, err := b.answer(userOf(it.i), question, func(text string) {
		it.partial(message{Embeds: []*discordgo.MessageEmbed{{Title: cutText(question, maxEmbedTitle), Description: cutText(escapeAnswer(text), maxEmbedDescription) + " …", Color: colorAnswer}}})
	})
	if err != nil {
		it.fail(err.Error())
		return
	}
	id := b.answers.put(storedAnswer{Answer: a, Passages: b.citedPassages(a)})
	b.logErr(it.edit(answerMessage(a, id), true))
}

// errTooSlow is what the user reads when the answer misses its deadline.
var errTooSlow = errors.New("Sorry, the answer took too long. Please try again, or narrow the question.")

// answer runs the service with the answer deadline; a service that does not
// return in time is abandoned so the user still gets a message.
func (b *Bot) answer(user, question string, onPartial func(string)) (briefbot.Answer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.AnswerTimeout)
	defer cancel()
	type result struct {
		a   briefbot.Answer
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("answer panicked", "panic", r, "stack", string(debug.Stack()))
				done <- result{err: errors.New("Something went wrong on our side while answering. Please try again.")}
			}
		}()
		a, err := b.svc.Ask(ctx, briefbot.AskRequest{Question: question, UserID: user, OnPartial: onPartial})
		done <- result{a, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			if errors.Is(r.err, context.DeadlineExceeded) {
				return briefbot.Answer{}, errTooSlow
			}
			b.log.Error("answer failed", "err", r.err)
			return briefbot.Answer{}, errors.New("Sorry, I could not answer that right now. Please try again.")
		}
		return r.a, nil
	case <-ctx.Done():
		return briefbot.Answer{}, errTooSlow
	}
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

func (b *Bot) search(it *interaction, query string, k int) {
	query = strings.TrimSpace(query)
	if query == "" {
		b.logErr(it.reply(noticeMessage("Please type something to search for."), true))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.AnswerTimeout)
	defer cancel()
	hits, err := b.svc.Search(ctx, query, k)
	if err != nil {
		b.log.Error("search failed", "err", err)
		it.fail("Sorry, the search failed. Please try again.")
		return
	}
	b.logErr(it.reply(searchMessage(query, hits), false))
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
// suggests: guild admins can override command permissions.
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
		b.logErr(it.reply(noticeMessage("Only moderators (Manage Server, or a moderator role) can rebuild the index."), true))
		return
	}
	if err := it.deferReply(true); err != nil {
		b.log.Warn("defer failed", "err", err)
		return
	}
	started := b.opts.Now()
	rep, err := b.svc.Reindex(context.Background(), func(done, total int) {
		it.partial(noticeMessage(fmt.Sprintf("Rebuilding the index… %d/%d passages. Questions are still answered from the current index.", done, total)))
	})
	if err != nil {
		b.log.Error("reindex failed", "err", err)
		it.fail(cutText("Reindex failed: "+err.Error()+". The previous index keeps serving.", 1500))
		return
	}
	b.logErr(it.edit(reindexMessage(rep, b.opts.Now().Sub(started)), true))
}

func reindexMessage(rep briefbot.ReindexReport, waited time.Duration) message {
	took := rep.Took
	if took == 0 {
		took = waited
	}
	text := fmt.Sprintf("Index rebuilt: %d documents, %d passages in %s.", rep.Info.Documents, rep.Info.Passages, took.Round(time.Millisecond))
	if rep.Shared {
		text += " (This request joined a rebuild that was already running.)"
	}
	if len(rep.Failed) > 0 {
		var lines []string
		for i, f := range rep.Failed {
			if i == 10 {
				lines = append(lines, fmt.Sprintf("… and %d more", len(rep.Failed)-10))
				break
			}
			lines = append(lines, fmt.Sprintf("- %s: %s", f.Source, f.Reason))
		}
		text += fmt.Sprintf("\n%d documents failed and were skipped:\n%s", len(rep.Failed), strings.Join(lines, "\n"))
	}
	return noticeMessage(text)
}

func (b *Bot) onAutocomplete(it *interaction) {
	data := it.i.ApplicationCommandData()
	var focused *discordgo.ApplicationCommandInteractionDataOption
	for _, o := range data.Options {
		if o.Focused {
			focused = o
		}
	}
	var choices []*discordgo.ApplicationCommandOptionChoice
	typed := ""
	if focused != nil && focused.Type == discordgo.ApplicationCommandOptionString {
		typed = focused.StringValue()
	}
	switch data.Name {
	case "ask":
		seen := map[string]bool{}
		for _, s := range b.svc.Suggest(typed, maxChoices) {
			v := cutText(s, maxChoiceValue)
			if v == "" || seen[v] {
				continue
			}
			seen[v] = true
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: cutText(s, maxChoiceName), Value: v})
		}
	case "brief":
		low := strings.ToLower(typed)
		for _, d := range b.svc.Documents() {
			if low == "" || strings.Contains(strings.ToLower(d.Title), low) || strings.Contains(strings.ToLower(d.ID), low) {
				if len(d.ID) > maxChoiceValue {
					continue
				}
				choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: cutText(d.Title, maxChoiceName), Value: d.ID})
			}
		}
	}
	if len(choices) > maxChoices {
		choices = choices[:maxChoices]
	}
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	if err := it.callback(discordgo.InteractionApplicationCommandAutocompleteResult, choicesBody{Choices: choices}); err != nil {
		b.log.Debug("autocomplete reply failed", "err", err)
	}
}

func (b *Bot) onComponent(it *interaction) {
	action, answerID, ok := parseCustomID(it.i.MessageComponentData().CustomID)
	if !ok {
		b.logErr(it.reply(noticeMessage("This button is not ours any more."), true))
		return
	}
	stored, found := b.answers.get(answerID)
	if !found {
		b.logErr(it.reply(noticeMessage("This answer has expired. Please ask again."), true))
		return
	}
	switch action {
	case actionPassages:
		b.logErr(it.reply(passagesMessage(stored.Answer, stored.Passages), true))
	case actionVoteUp, actionVoteDown:
		a := stored.Answer
		v := vote{Time: b.opts.Now().UTC(), AnswerID: answerID, UserID: userOf(it.i), Helpful: action == actionVoteUp,
			Question: a.Question, Answer: a.Text, Mode: a.Mode, IndexVersion: a.Index.Version}
		for _, c := range a.Citations {
			v.Passages = append(v.Passages, c.PassageID)
		}
		res, err := b.feedback.record(v)
		if err != nil {
			b.log.Error("vote not recorded", "err", err)
			it.fail("Sorry, your vote could not be recorded.")
			return
		}
		text := map[string]string{"new": "Thanks, your feedback is recorded.", "changed": "Thanks, your vote is updated.", "same": "You already voted this way on this answer."}[res]
		b.logErr(it.reply(noticeMessage(text), true))
	default:
		b.logErr(it.reply(noticeMessage("This button is not ours any more."), true))
	}
}

var mentionRE = regexp.MustCompile(`<@!?(\d+)>`)

// onMessage answers a question asked by mentioning the bot, as a reply.
func (b *Bot) onMessage(_ *discordgo.Session, m *discordgo.MessageCreate) {
	if m.Author == nil || m.Author.Bot {
		return
	}
	b.mu.Lock()
	me := b.botUser
	b.mu.Unlock()
	mentioned := false
	for _, u := range m.Mentions {
		if u.ID == me {
			mentioned = true
		}
	}
	if !mentioned {
		return
	}
	b.wg.Add(1)
	defer b.wg.Done()
	question := strings.TrimSpace(mentionRE.ReplaceAllStringFunc(m.Content, func(s string) string {
		if mentionRE.FindStringSubmatch(s)[1] == me {
			return ""
		}
		return s
	}))
	send := func(msg message) {
		body := messageBody{Content: msg.Content, Embeds: msg.Embeds, Components: msg.Components, AllowedMentions: noMentions(),
			MessageReference: &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID}}
		_, err := b.session.RequestWithBucketID("POST", discordgo.EndpointChannelMessages(m.ChannelID), body, discordgo.EndpointChannelMessages(m.ChannelID))
		b.logErr(err)
	}
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("mention handler panicked", "panic", r, "stack", string(debug.Stack()))
			send(errorEmbed("Something went wrong on our side while answering. Please try again."))
		}
	}()
	if question == "" {
		send(noticeMessage("Ask me a question about the documents, e.g. “@briefbot what does Article 9 call for?”, or use /ask."))
		return
	}
	if wait := b.cooldown.take(m.Author.ID); wait > 0 {
		send(noticeMessage(fmt.Sprintf("Slow down a little: you can ask again in %d s.", max(int(wait.Round(time.Second)/time.Second), 1))))
		return
	}
	select {
	case b.inFlight <- struct{}{}:
		defer func() { <-b.inFlight }()
	default:
		send(noticeMessage("I'm answering many questions right now. Please try again in a few seconds."))
		return
	}
	_ = b.session.ChannelTyping(m.ChannelID)
	a, err := b.answer(m.Author.ID, question, nil)
	if err != nil {
		send(errorEmbed(err.Error()))
		return
	}
	id := b.answers.put(storedAnswer{Answer: a, Passages: b.citedPassages(a)})
	send(answerMessage(a, id))
}
