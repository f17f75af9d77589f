package bot

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// addedMessage says what /docs add understood: title, authors, date,
// sections, passages, and what was odd about the content.
func addedMessage(l lang, res briefbot.AddResult) message {
	d := res.Document
	var head string
	switch res.Change {
	case "unchanged":
		head = l.T("Already in the library with the same content: nothing changed.")
	case "updated":
		head = l.T("Updated: the new content replaces the old under the same document.")
	default:
		head = l.T("Added: questions are answered from it now.")
	}
	e := &discordgo.MessageEmbed{Title: cutText(cmpOr(d.Title, d.ID), maxEmbedTitle), Description: head, Color: colorAnswer}
	field := func(name, value string, inline bool) {
		if value != "" {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: cutText(value, maxFieldValue), Inline: inline})
		}
	}
	field(l.T("Authors"), escapeMarkdown(strings.Join(d.Authors, ", ")), true)
	if !d.Published.IsZero() {
		field(l.T("Published"), l.date(d.Published), true)
	}
	field(l.T("Passages"), fmt.Sprint(d.Passages), true)
	if d.Pages > 0 {
		field(l.T("Pages"), fmt.Sprint(d.Pages), true)
	}
	field(l.T("Sections"), joinWithin(escapeAll(d.Sections), "\n", maxFieldValue, andMore(l)), false)
	field(l.T("Warnings"), joinWithin(escapeAll(d.Warnings), "\n", maxFieldValue, andMore(l)), false)
	e.Footer = &discordgo.MessageEmbedFooter{Text: cutText(d.ID+" · "+d.Source, maxFooterText)}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

func escapeAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, escapeMarkdown(s))
	}
	return out
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// documentListMessage lists the library: each document with where it came
// from, its passages and who added it when; removed ones marked; then the
// configured sources that could not be read.
func documentListMessage(l lang, docs []briefbot.DocumentInfo, failed []briefbot.Failure) message {
	e := &discordgo.MessageEmbed{Title: l.T("Library"), Color: colorAnswer}
	var lines []string
	for _, d := range docs {
		line := "**" + escapeMarkdown(shortLabel(cmpOr(d.Title, d.ID), titleCap)) + "** `" + d.ID + "`\n" +
			sourceKindLabel(l, d.SourceKind) + ": " + escapeMarkdown(shortLabel(d.Source, 80)) + " · " + l.N(d.Passages, "%d passage", "%d passages")
		if d.AddedBy != "" {
			line += " · " + l.T("added by %s", "<@"+d.AddedBy+">")
		}
		if !d.AddedAt.IsZero() {
			line += fmt.Sprintf(" <t:%d:R>", d.AddedAt.Unix())
		}
		if d.Removed {
			line += " · **" + l.T("removed") + "**"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		e.Description = l.T("No documents are indexed.")
	} else {
		e.Description = joinWithin(lines, "\n", maxEmbedDescription, andMore(l))
	}
	if len(failed) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: l.T("Could not be read"), Value: failureList(l, failed, maxFieldValue)})
	}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

func sourceKindLabel(l lang, kind string) string {
	switch kind {
	case briefbot.SourceUpload:
		return l.T("upload")
	case briefbot.SourceURL:
		return l.T("link")
	}
	return l.T("file")
}

// auditMessage lists the last changes to the library, newest first.
func auditMessage(l lang, entries []briefbot.AuditEntry) message {
	e := &discordgo.MessageEmbed{Title: l.T("Last changes to the library"), Color: colorAnswer}
	var lines []string
	for _, a := range entries {
		line := fmt.Sprintf("<t:%d:f> ", a.Time.Unix())
		if a.Actor != "" && isSnowflake(a.Actor) {
			line += "<@" + a.Actor + "> "
		} else if a.Actor != "" {
			line += escapeMarkdown(a.Actor) + " "
		}
		line += "**" + escapeMarkdown(a.Action) + "**"
		if a.DocID != "" {
			line += " `" + a.DocID + "`"
		}
		if a.Detail != "" {
			line += " — " + escapeMarkdown(shortLabel(a.Detail, 200))
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		e.Description = l.T("Nothing has changed yet.")
	} else {
		e.Description = joinWithin(lines, "\n", maxEmbedDescription, andMore(l))
	}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}

func isSnowflake(s string) bool {
	if len(s) < 15 || len(s) > 21 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
