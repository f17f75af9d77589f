package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// What /docs and /audit do: moderators keep the library current from
// Discord. Every reply is private; every change goes through the
// Librarian, which audits it.

const (
	// libraryWait bounds one change to the library: a download, a parse
	// and an index update.
	libraryWait = 2 * time.Minute
	// DefaultMaxUploadBytes is the largest attachment /docs add takes.
	DefaultMaxUploadBytes = 25 << 20
	maxAuditCount         = 25
)

// attachmentHosts are where Discord serves attachments; a URL elsewhere in
// an interaction's data is not an attachment of ours to fetch.
var attachmentHosts = map[string]bool{"cdn.discordapp.com": true, "media.discordapp.net": true}

func (b *Bot) onDocs(it *interaction, data discordgo.ApplicationCommandInteractionData) {
	if !b.isModerator(it.i) {
		b.logErr(it.reply(noticeMessage(it.T("Only moderators (Manage Server, or a moderator role) can change the library.")), true))
		return
	}
	if b.opts.Librarian == nil {
		b.logErr(it.reply(noticeMessage(it.T("This bot's library cannot be changed from Discord.")), true))
		return
	}
	if len(data.Options) != 1 || data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		it.fail(it.T("Unknown command. The bot's commands may be out of date; try again in a minute."))
		return
	}
	sub := data.Options[0]
	opts := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range sub.Options {
		opts[o.Name] = o
	}
	str := func(name string) string {
		if o := opts[name]; o != nil && o.Type == discordgo.ApplicationCommandOptionString {
			return strings.TrimSpace(o.StringValue())
		}
		return ""
	}
	if err := it.deferReply(true); err != nil {
		it.log.Warn("defer failed", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(b.stopping, libraryWait)
	defer cancel()
	lib, user := b.opts.Librarian, userOf(it.i)
	var m message
	switch sub.Name {
	case "add":
		m = b.addDocument(ctx, it, opts["file"], data.Resolved, str("url"), str("title"))
	case "remove", "restore":
		var d briefbot.DocumentInfo
		var err error
		if sub.Name == "remove" {
			d, err = lib.RemoveDocument(ctx, str("document"), user)
		} else {
			d, err = lib.RestoreDocument(ctx, str("document"), user)
		}
		switch {
		case err != nil:
			m = b.libraryError(it, err)
		case sub.Name == "remove":
			m = noticeMessage(it.T("Removed %s: it is no longer used in answers. /docs restore brings it back.", it.lang.quote(d.Title)))
		default:
			m = noticeMessage(it.T("Restored %s: it is used in answers again.", it.lang.quote(d.Title)))
		}
	case "purge":
		if err := lib.PurgeDocument(ctx, str("document"), user); err != nil {
			m = b.libraryError(it, err)
		} else {
			m = noticeMessage(it.T("Purged %s: its original is deleted and it cannot be restored.", it.lang.quote(str("document"))))
		}
	case "list":
		docs, failed, err := lib.ListDocuments(ctx)
		if err != nil {
			m = b.libraryError(it, err)
		} else {
			m = documentListMessage(it.lang, docs, failed)
		}
	default:
		m = errorEmbed(it.T("Unknown command. The bot's commands may be out of date; try again in a minute."))
	}
	b.logErr(it.finish(m))
}

// libraryError is what a moderator reads when a change was refused: the
// library's errors name the document and the reason, never a secret.
func (b *Bot) libraryError(it *interaction, err error) message {
	if errors.Is(err, context.DeadlineExceeded) {
		return errorEmbed(it.T("The change took too long and was not made. Please try again."))
	}
	it.log.Warn("library change refused", "user", userOf(it.i), "err", err)
	return errorEmbed(it.T("Not changed: %s", cutText(err.Error(), 900)))
}

func (b *Bot) addDocument(ctx context.Context, it *interaction, file *discordgo.ApplicationCommandInteractionDataOption,
	resolved *discordgo.ApplicationCommandInteractionDataResolved, link, title string) message {
	req := briefbot.AddRequest{Title: title, By: userOf(it.i), URL: link}
	switch {
	case file != nil && link != "":
		return noticeMessage(it.T("Give a file or a link, not both."))
	case file != nil:
		var att *discordgo.MessageAttachment
		if id, ok := file.Value.(string); ok && resolved != nil {
			att = resolved.Attachments[id]
		}
		if att == nil {
			return errorEmbed(it.T("The attachment did not arrive. Please attach the file again."))
		}
		data, err := b.download(ctx, att)
		if err != nil {
			it.log.Warn("attachment not downloaded", "file", att.Filename, "err", err)
			return errorEmbed(it.T("Not added: %s", err.Error()))
		}
		req.Name, req.Data = att.Filename, data
	case link == "":
		return noticeMessage(it.T("Attach a file or give a link."))
	}
	res, err := b.opts.Librarian.AddDocument(ctx, req)
	if err != nil {
		return b.libraryError(it, err)
	}
	return addedMessage(it.lang, res)
}

// download reads an attachment from Discord's CDN, never more than the
// upload limit, whatever size the attachment claims.
func (b *Bot) download(ctx context.Context, att *discordgo.MessageAttachment) ([]byte, error) {
	max := b.opts.MaxUploadBytes
	if att.Size > 0 && int64(att.Size) > max {
		return nil, fmt.Errorf("%s is %s; the limit is %s", att.Filename, byteSize(int64(att.Size)), byteSize(max))
	}
	u, err := url.Parse(att.URL)
	if err != nil || u.Scheme != "https" || !attachmentHosts[u.Hostname()] {
		return nil, fmt.Errorf("%s is not on Discord's CDN", att.Filename)
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, att.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", att.Filename, err)
	}
	resp, err := b.session.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", att.Filename, redactURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: %s", att.Filename, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", att.Filename, redactURLError(err))
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than the limit of %s", att.Filename, byteSize(max))
	}
	return data, nil
}

// redactURLError drops the URL from a transport error: Discord's
// attachment links carry signatures.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (b *Bot) onAudit(it *interaction, data discordgo.ApplicationCommandInteractionData) {
	if !b.isModerator(it.i) {
		b.logErr(it.reply(noticeMessage(it.T("Only moderators (Manage Server, or a moderator role) can change the library.")), true))
		return
	}
	if b.opts.Librarian == nil {
		b.logErr(it.reply(noticeMessage(it.T("This bot's library cannot be changed from Discord.")), true))
		return
	}
	n := 10
	for _, o := range data.Options {
		if o.Name == "count" && o.Type == discordgo.ApplicationCommandOptionInteger {
			n = min(max(int(o.IntValue()), 1), maxAuditCount)
		}
	}
	b.quick(it, true, func(ctx context.Context) (message, error) {
		entries, err := b.opts.Librarian.Audit(ctx, n)
		if err != nil {
			it.log.Error("audit not read", "err", err)
			return message{}, errFailed
		}
		return auditMessage(it.lang, entries), nil
	})
}

// documentChoices offers the library's documents for the document option
// of /docs remove (those in use), restore and purge (removed ones).
func (b *Bot) documentChoices(ctx context.Context, it *interaction, sub, typed string, add func(name, value string)) {
	if b.opts.Librarian == nil || !b.isModerator(it.i) {
		return
	}
	docs, _, err := b.opts.Librarian.ListDocuments(ctx)
	if err != nil {
		it.log.Debug("documents not listed for autocomplete", "err", err)
		return
	}
	low := strings.ToLower(typed)
	for _, d := range docs {
		if (sub == "remove") == d.Removed {
			continue
		}
		if low == "" || strings.Contains(strings.ToLower(d.Title), low) || strings.Contains(strings.ToLower(d.ID), low) {
			if runeLen(d.ID) <= maxChoiceValue {
				add(cutText(d.Title, maxChoiceName), d.ID)
			}
		}
	}
}
