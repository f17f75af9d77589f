package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// recordTimeout bounds one read or write of the records: a slow disk must
// not hold up an interaction past Discord's deadlines.
const recordTimeout = 5 * time.Second

// beforeCallback bounds a read of the records made before an interaction's
// first response, which Discord wants within 3 s.
const beforeCallback = time.Second

// place is where and for whom an answer was given.
type place struct {
	user, guild, channel string
	private              bool
	// conversation continues an earlier one; "" starts a new one, named
	// after the answer.
	conversation string
}

// Conversation IDs of the places where the bot keeps talking: a thread it
// started, a direct-message channel. A question on its own starts a
// conversation named after its answer.
func threadConversation(channelID string) string { return "thread:" + channelID }
func dmConversation(channelID string) string     { return "dm:" + channelID }

// keep stores an answer with where it was given, and its turn in its
// conversation, and returns the answer's ID for its buttons; "" when it
// could not be stored (the answer is still shown, without buttons).
func (b *Bot) keep(a briefbot.Answer, at place) string {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	id := newIDAt(b.opts.Now())
	conv := at.conversation
	if conv == "" {
		conv = id
	}
	rec := briefbot.AnswerRecord{
		ID: id, Time: b.opts.Now().UTC(), Question: a.Question, Answer: a,
		Passages: b.citedPassages(a), UserID: at.user, GuildID: at.guild, ChannelID: at.channel,
		Private: at.private, ConversationID: conv,
	}
	if a.Mode == briefbot.ModeLLM {
		rec.Model = b.opts.Model
	}
	if err := b.records.PutAnswer(ctx, rec); err != nil {
		b.log.Error("answer not kept: its buttons will not work", "err", err)
		return ""
	}
	if a.Answerable {
		if err := b.records.AppendTurn(ctx, conv, briefbot.TurnOf(a, rec.Time)); err != nil {
			b.log.Warn("conversation turn not kept", "conversation", conv, "err", err)
		}
	}
	return id
}

// history is a conversation's earlier turns; none when it cannot be read
// (the question is then answered on its own).
func (b *Bot) history(conversation string) []briefbot.Turn {
	if conversation == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	turns, err := b.records.Conversation(ctx, conversation)
	if err != nil {
		b.log.Warn("conversation not read; answering the question on its own", "conversation", conversation, "err", err)
		return nil
	}
	return turns
}

// answerView is an answer with its buttons.
func answerView(l lang, a briefbot.Answer, id string, shareable bool) message {
	m := answerMessage(l, a, "")
	if id != "" {
		m.Components = answerButtons(l, id, answerRefs(a), shareable)
	}
	return m
}

// refusalView is the short line for a question the documents do not
// cover, with a button for the related passages when any are worth it.
func refusalView(l lang, a briefbot.Answer, id string) message {
	related := relatedWorthShowing(a)
	worth := id != "" && len(related) > 0
	m := refusalMessage(l, a, worth)
	if worth {
		m.Components = relatedButton(l, id, relatedRefs(related))
	}
	return m
}

// record reads an answer's record for one of its buttons or modals. It
// tells the user, and returns false, when the answer is gone or belongs to
// someone else's private question. When this replica has no record of an
// answer that is not yet expired, the record is rebuilt from the message
// the button is on, and src says what the message held (nil: the record
// was read).
func (b *Bot) record(it *interaction, id string) (rec briefbot.AnswerRecord, src *fromMessage, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), beforeCallback)
	defer cancel()
	rec, ok, err := b.records.Answer(ctx, id)
	switch {
	case err != nil:
		it.log.Error("answer record not read", "answer", id, "err", err)
		it.fail(it.T("Sorry, this answer could not be found right now. Please try again."))
		return rec, nil, false
	case !ok && b.expired(id):
		b.tellExpired(it)
		return rec, nil, false
	case !ok:
		// Another replica gave the answer. No privacy check here: a
		// private answer is an ephemeral message (or a DM), which Discord
		// lets no one but its asker see, let alone click.
		it.log.Debug("answer not kept here; rebuilt from its message", "answer", id)
		rec, src = b.rebuild(it, id)
		return rec, src, true
	case rec.Private && rec.UserID != userOf(it.i):
		// Only its asker ever saw a private answer; a button naming it
		// from anyone else is forged.
		b.tellExpired(it)
		return rec, nil, false
	}
	return rec, nil, true
}

// tellExpired says the answer behind a button is gone.
func (b *Bot) tellExpired(it *interaction) {
	b.logErr(it.reply(noticeMessage(it.T("This answer has expired. Please ask again.")), true))
}

func (b *Bot) onComponent(it *interaction) {
	action, answerID, _, ok := parseCustomID(it.i.MessageComponentData().CustomID)
	if !ok {
		b.logErr(it.reply(noticeMessage(it.T("This button is not ours any more.")), true))
		return
	}
	rec, src, ok := b.record(it, answerID)
	if !ok {
		return
	}
	switch action {
	case actionPassages:
		a := rec.Answer
		if src != nil {
			if len(a.Citations) == 0 {
				// No refs on the button (made before they were), or
				// none left in the index.
				b.tellExpired(it)
				return
			}
			// The citations are numbered already, as shown; the
			// answer's text as shown may lack some (a shortened one).
			a.Text = ""
		}
		b.logErr(it.reply(passagesMessage(it.lang, a, rec.Passages), true))
	case actionRelated:
		if src == nil {
			b.logErr(it.reply(relatedMessage(it.lang, rec.Answer), true))
		} else if len(rec.Answer.Related) == 0 {
			b.tellExpired(it)
		} else {
			b.logErr(it.reply(relatedHitsMessage(it.lang, rec.Question, rec.Answer.Related), true))
		}
	case actionVoteUp:
		b.vote(it, briefbot.Vote{AnswerID: answerID, Helpful: true})
	case actionVoteDown:
		// The vote counts at once (the form only adds why, if the user
		// cares to say), and before the form: a quick submit must not be
		// overwritten by this plain vote. The write is bounded, since the
		// form is Discord's answer to the click and due within 3 s; if it
		// fails, the form's submit still records the vote.
		if _, err := b.putVoteWithin(it, briefbot.Vote{AnswerID: answerID, Helpful: false}, beforeCallback); err != nil {
			it.log.Warn("down vote not recorded before the form", "answer", answerID, "err", err)
		}
		if err := it.callback(discordgo.InteractionResponseModal, whyModal(it.lang, answerID)); err != nil {
			it.log.Warn("feedback form not shown", "err", err)
		}
	case actionFollowUp:
		if err := it.callback(discordgo.InteractionResponseModal, followUpModal(it.lang, answerID, rec.Question, b.opts.MaxQuestionChars)); err != nil {
			it.log.Warn("follow-up form not shown", "err", err)
		}
	case actionShare:
		b.share(it, rec, src)
	default:
		b.logErr(it.reply(noticeMessage(it.T("This button is not ours any more.")), true))
	}
}

func reasonOptions(l lang) []selectOption {
	return []selectOption{
		{Label: l.T("Wrong source"), Value: briefbot.ReasonWrongSource},
		{Label: l.T("Incomplete"), Value: briefbot.ReasonIncomplete},
		{Label: l.T("Not in the documents"), Value: briefbot.ReasonNotInDocuments},
		{Label: l.T("Other"), Value: briefbot.ReasonOther},
	}
}

func validReason(r string) bool {
	for _, o := range reasonOptions(langEN) {
		if o.Value == r {
			return true
		}
	}
	return false
}

func (b *Bot) putVoteWithin(it *interaction, v briefbot.Vote, within time.Duration) (*briefbot.Vote, error) {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	v.UserID = userOf(it.i)
	v.Time = b.opts.Now().UTC()
	prev, err := b.records.Vote(ctx, v)
	if err != nil {
		it.log.Error("vote not recorded", "answer", v.AnswerID, "err", err)
	}
	return prev, err
}

// vote records a vote and says so: a changed vote is named as such.
func (b *Bot) vote(it *interaction, v briefbot.Vote) {
	prev, err := b.putVoteWithin(it, v, beforeCallback)
	if err != nil {
		it.fail(it.T("Sorry, your vote could not be recorded."))
		return
	}
	text := it.T("Thanks, your feedback is recorded.")
	if prev != nil && prev.Helpful != v.Helpful {
		label := it.T("Not helpful")
		if v.Helpful {
			label = it.T("Helpful")
		}
		text = it.T("Your vote is changed to %s.", it.lang.quote(label))
	}
	b.logErr(it.reply(noticeMessage(text), true))
}

func (b *Bot) onModal(it *interaction, sub modalSubmit) {
	action, answerID, _, ok := parseCustomID(sub.CustomID)
	if !ok {
		b.logErr(it.reply(noticeMessage(it.T("This form is not ours any more.")), true))
		return
	}
	rec, src, ok := b.record(it, answerID)
	if !ok {
		return
	}
	switch action {
	case modalWhy:
		reason := sub.value(inputReason)
		if !validReason(reason) {
			reason = ""
		}
		comment := strings.TrimSpace(sub.value(inputComment))
		b.vote(it, briefbot.Vote{AnswerID: answerID, Helpful: false, Reason: reason, Comment: cutText(comment, 1000)})
	case modalFollowUp:
		b.followUp(it, rec, src, sub.value(inputQuestion))
	default:
		b.logErr(it.reply(noticeMessage(it.T("This form is not ours any more.")), true))
	}
}

// followUp answers a question asked with an answer's "Follow up" button,
// in the light of the conversation so far: privately for a private answer
// (or in a DM), otherwise in a thread started from the answer (or the
// thread it is already in). src is set when rec was rebuilt from the
// message: the conversation so far is then the answer's own turn.
func (b *Bot) followUp(it *interaction, rec briefbot.AnswerRecord, src *fromMessage, question string) {
	ctx, waitCtx, cancel := b.answerContexts(it.log)
	defer cancel()
	defer b.observe(ctx, "followup", time.Now())
	// The acknowledgement is the asker's alone in every case: a public
	// follow-up is posted in its thread, not here.
	// The slot comes with the question: a busy bot must not leave an
	// empty thread behind.
	question, release, ok := b.acceptQuestion(it, question, true, waitCtx)
	if !ok {
		return
	}
	user := userOf(it.i)
	private := rec.Private || it.i.GuildID == ""
	conv, channel := rec.ConversationID, it.i.ChannelID
	history := b.history(conv)
	if src != nil && len(history) == 0 && rec.Answer.Answerable {
		history = []briefbot.Turn{briefbot.TurnOf(rec.Answer, rec.Time)}
		if private {
			// The private conversation goes on here from now on.
			if err := b.seed(conv, history); err != nil {
				it.log.Warn("rebuilt conversation not seeded", "conversation", conv, "err", err)
			}
		}
	}
	if !private {
		thread, turns, err := b.threadFor(it, rec, history)
		if err != nil {
			it.log.Warn("no thread for a follow-up; answering privately", "channel", it.i.ChannelID, "err", err)
			// The public conversation must not collect this user's
			// private turns, nor show them to the next one: the
			// private follow-up starts its own, from the public turns.
			private, conv = true, newID()
			if err := b.seed(conv, history); err != nil {
				it.log.Warn("private follow-up's conversation not seeded", "err", err)
			}
		} else {
			conv, channel, history = threadConversation(thread), thread, turns
			if src != nil && rec.Answer.Answerable && !slices.ContainsFunc(turns, func(t briefbot.Turn) bool { return t.Question == rec.Question }) {
				// The thread is known here, but not the answer
				// followed up (another replica posted it in the
				// thread): the follow-up is about it, so it comes last.
				own := briefbot.TurnOf(rec.Answer, rec.Time)
				history = append(slices.Clip(turns), own)
				if err := b.seed(conv, []briefbot.Turn{own}); err != nil {
					it.log.Warn("rebuilt turn not added to the thread's conversation", "conversation", conv, "err", err)
				}
			}
		}
	}
	a, err := b.answer(ctx, user, question, history, nil)
	release()
	if err != nil {
		it.fail(it.lang.userText(err))
		return
	}
	// A refusal is shown to the asker alone, so it is kept as private.
	id := b.keep(a, place{user: user, guild: it.i.GuildID, channel: channel, private: private || !a.Answerable, conversation: conv})
	switch {
	case !a.Answerable:
		b.logErr(it.finish(refusalView(it.lang, a, id)))
	case private:
		b.remember(a, question, user, it.i.GuildID, false)
		b.logErr(it.finish(answerView(it.lang, a, id, it.i.GuildID != "")))
	default:
		b.remember(a, question, user, it.i.GuildID, true)
		m := answerView(it.lang, a, id, false)
		m.Content = it.T("Follow-up from %s", "<@"+user+">")
		if err := b.post(channel, m, nil); err != nil {
			it.fail(it.T("Sorry, the answer could not be posted in the thread."))
			return
		}
		b.logErr(it.finish(noticeMessage(it.T("Answered in %s.", "<#"+channel+">"))))
	}
}

// threadFor is the thread a public follow-up to rec goes to, and the
// turns of its conversation: the thread the button was pressed in when
// the bot started it, otherwise a new one started from the answer's
// message and seeded with the answer's conversation (earlier, its turns).
func (b *Bot) threadFor(it *interaction, rec briefbot.AnswerRecord, earlier []briefbot.Turn) (string, []briefbot.Turn, error) {
	if turns := b.history(threadConversation(it.i.ChannelID)); len(turns) > 0 {
		return it.i.ChannelID, turns, nil
	}
	if it.i.Message == nil || it.i.Message.ID == "" {
		return "", nil, fmt.Errorf("the follow-up names no message to start a thread from")
	}
	// A thread started from a message has the message's ID: a second
	// follow-up on the same answer joins the first one's thread.
	if turns := b.history(threadConversation(it.i.Message.ID)); len(turns) > 0 {
		return it.i.Message.ID, turns, nil
	}
	thread, err := b.startThread(it, rec)
	if err != nil {
		return "", nil, err
	}
	turns := earlier
	if len(turns) == 0 {
		// Even an answer whose turn was not kept marks the thread as ours.
		turns = []briefbot.Turn{briefbot.TurnOf(rec.Answer, rec.Time)}
	}
	if err := b.seed(threadConversation(thread), turns); err != nil {
		return "", nil, fmt.Errorf("seed the thread's conversation: %w", err)
	}
	return thread, turns, nil
}

// Discord's error codes for a thread that cannot be started from a
// message.
const (
	codeInvalidChannelType   = 50024
	codeThreadAlreadyCreated = 160004
)

// startThread starts a thread from the answer's message, or finds the
// one the follow-up belongs in when this replica knows nothing of it: the
// thread already started from the message (by another replica, or one
// whose conversation expired), or the thread the message is in (Discord
// starts no thread in a thread).
func (b *Bot) startThread(it *interaction, rec briefbot.AnswerRecord) (string, error) {
	if th := it.i.Message.Thread; th != nil && th.ID != "" {
		return th.ID, nil
	}
	ch, err := b.session.MessageThreadStartComplex(it.i.ChannelID, it.i.Message.ID, &discordgo.ThreadStart{
		Name:                cutText(rec.Question, 100),
		AutoArchiveDuration: 1440,
	})
	var rest *discordgo.RESTError
	switch {
	case err == nil:
		return ch.ID, nil
	case !errors.As(err, &rest) || rest.Message == nil:
	case rest.Message.Code == codeThreadAlreadyCreated:
		// A thread started from a message has the message's ID.
		return it.i.Message.ID, nil
	case rest.Message.Code == codeInvalidChannelType && it.i.GuildID != "":
		return it.i.ChannelID, nil
	}
	return "", fmt.Errorf("start a thread: %w", b.explain(err))
}

// seed starts a conversation with earlier turns.
func (b *Bot) seed(conversation string, turns []briefbot.Turn) error {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	for _, t := range turns {
		if err := b.records.AppendTurn(ctx, conversation, t); err != nil {
			return err
		}
	}
	return nil
}

// post sends a message to a channel, as a reply to another when ref is set.
func (b *Bot) post(channelID string, m message, ref *discordgo.MessageReference) error {
	body := m.body(false)
	body.MessageReference = ref
	uri := discordgo.EndpointChannelMessages(channelID)
	if _, err := b.session.RequestWithBucketID("POST", uri, body, uri); err != nil {
		b.log.Warn("message not posted", "channel", channelID, "err", b.explain(err))
		return err
	}
	return nil
}

// sharedID names the public copy of a private answer, so that sharing it
// twice is noticed.
func sharedID(id string) string { return id + sharedSuffix }

// share posts a private answer to the channel for everyone, attributed to
// its asker, who alone may share it. Without the record (src set), the
// message's embeds are posted as they are.
func (b *Bot) share(it *interaction, rec briefbot.AnswerRecord, src *fromMessage) {
	user := userOf(it.i)
	if rec.UserID != user || !rec.Private || it.i.GuildID == "" {
		b.logErr(it.reply(noticeMessage(it.T("Only the person who asked can share this answer.")), true))
		return
	}
	if src != nil && (len(src.embeds) == 0 || !rec.Answer.Answerable) {
		b.tellExpired(it)
		return
	}
	// Two quick clicks must not post it twice: the record says "shared"
	// only once the first is done, so one share at a time per answer.
	if _, busy := b.sharing.LoadOrStore(rec.ID, true); busy {
		b.logErr(it.reply(noticeMessage(it.T("This answer was already shared.")), true))
		return
	}
	defer b.sharing.Delete(rec.ID)
	// All of it before the reply, which Discord wants within 3 s.
	ctx, cancel := context.WithTimeout(context.Background(), 2*beforeCallback)
	defer cancel()
	id := sharedID(rec.ID)
	if _, done, err := b.records.Answer(ctx, id); err == nil && done {
		b.logErr(it.reply(noticeMessage(it.T("This answer was already shared.")), true))
		return
	}
	pub := rec
	// The shared copy starts its own conversation from the shared answer
	// alone: the asker's private turns before it stay private.
	pub.ID, pub.Time, pub.Private, pub.ChannelID, pub.ConversationID = id, b.opts.Now().UTC(), false, it.i.ChannelID, id
	if err := b.records.AppendTurn(ctx, id, briefbot.TurnOf(rec.Answer, pub.Time)); err != nil {
		it.log.Warn("shared answer's conversation not started", "err", err)
	}
	if err := b.records.PutAnswer(ctx, pub); err != nil {
		it.log.Error("shared answer not kept", "err", err)
		it.fail(it.T("Sorry, the answer could not be shared."))
		return
	}
	b.questions.remember(user, it.i.GuildID, rec.Question, true)
	m := answerView(it.lang, rec.Answer, id, false)
	if src != nil {
		// The answer as its asker saw it, with the buttons of a shared
		// copy (no second share).
		m = message{Embeds: resendEmbeds(src.embeds), Components: answerButtons(it.lang, id, src.refs, false)}
	}
	m.Content = it.T("Shared by %s", "<@"+user+">")
	b.logErr(it.reply(m, false))
}
