package bot

// Buttons without the answer's record.
//
// Replicas of the bot (discord.mode: http behind a load balancer) each keep
// their own records, but all serve the same index. A button pressed on an
// answer may reach a replica that never saw it. Such a replica works from
// what Discord sends with the interaction and what every replica has:
//
//   - the answer's ID, which tells its age (newIDAt): an answer older than
//     Options.AnswerRetention, or an ID that is not one of ours, has
//     expired, as it would have on the replica that gave it;
//   - the message the button is on (Discord sends it with every component
//     interaction and with the submit of a form opened from one, for
//     ephemeral messages too): the answer embed's title is the question,
//     its description the answer;
//   - refs in the custom_ids of "Show passages" and "Show related
//     passages": a short hash of each passage ID, looked up among the
//     index's passages (the same on every replica).
//
// What is lost without the record: a conversation longer than the answer's
// own turn (only the turn shown on the message is rebuilt), the quotes of
// the cited passages (the passages are shown in full), and a shared answer
// is shared once per replica rather than once in all.

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// refLen is the length of a passage ref: 30 bits of the SHA-256 of the
// passage's ID, in base32hex. For a corpus of 100 000 passages, a given
// passage shares its ref with another about once in 10 000; the first of
// them in index order is then shown.
const refLen = 6

var b32hex = base32.HexEncoding.WithPadding(base32.NoPadding)

// passageRef is the ref of a passage ID.
func passageRef(passageID string) string {
	sum := sha256.Sum256([]byte(passageID))
	return strings.ToLower(b32hex.EncodeToString(sum[:4]))[:refLen]
}

// answerRefs are the refs of an answer's citations, in the order the
// answer numbers them ([1] first).
func answerRefs(a briefbot.Answer) []string {
	var refs []string
	for _, c := range numberByFirstUse(a).Citations {
		refs = append(refs, passageRef(c.PassageID))
	}
	return refs
}

// maxSpan bounds the offset and length of a quote in a related ref: three
// base32 digits.
const maxSpan = 32*32*32 - 1

// relatedRefs are the refs of related passages, each with where its quote
// is in the passage ("REF-OFFSET-LENGTH", bytes, base 32) when it is found
// there.
func relatedRefs(hits []briefbot.Hit) []string {
	var refs []string
	for _, h := range hits {
		ref := passageRef(h.Passage.ID)
		if q := strings.TrimSpace(h.Quote); q != "" {
			if off := strings.Index(h.Passage.Text, q); off >= 0 && off <= maxSpan && len(q) <= maxSpan {
				ref += "-" + strconv.FormatInt(int64(off), 32) + "-" + strconv.FormatInt(int64(len(q)), 32)
			}
		}
		refs = append(refs, ref)
	}
	return refs
}

// splitRefs reads the refs of a custom_id: the well-formed ones, in order.
func splitRefs(raw string) []string {
	var refs []string
	for _, r := range strings.Split(raw, refSeparator) {
		if validRef(r) {
			refs = append(refs, r)
		}
	}
	return refs
}

func validRef(r string) bool {
	head, _, _ := strings.Cut(r, "-")
	if len(head) != refLen {
		return false
	}
	for i := 0; i < len(head); i++ {
		if c := head[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'v') {
			return false
		}
	}
	return true
}

// refIndex finds passages by ref. It is built from the index's documents
// once per index version.
type refIndex struct {
	mu      sync.Mutex
	version string
	byRef   map[string][]string // ref → passage IDs, in index order
}

// passageByRef finds the passage a ref names in the current index.
func (b *Bot) passageByRef(ref string) (briefbot.Passage, bool) {
	head, _, _ := strings.Cut(ref, "-")
	for _, id := range b.refs.lookup(b.svc, head) {
		if p, ok := b.svc.Passage(id); ok {
			return p, true
		}
	}
	return briefbot.Passage{}, false
}

func (x *refIndex) lookup(svc Service, ref string) []string {
	info := svc.Info()
	version := fmt.Sprintf("%s|%s|%d|%d", info.Version, info.BuiltAt.Format(time.RFC3339Nano), info.Documents, info.Passages)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.byRef == nil || x.version != version {
		byRef := map[string][]string{}
		for _, d := range svc.Documents() {
			for _, p := range d.Passages {
				r := passageRef(p.ID)
				byRef[r] = append(byRef[r], p.ID)
			}
		}
		x.byRef, x.version = byRef, version
	}
	return x.byRef[ref]
}

// quoteAt is the quote a related ref points at in its passage's text, ""
// when it has none or it does not fit the text.
func quoteAt(ref, text string) string {
	parts := strings.Split(ref, "-")
	if len(parts) != 3 {
		return ""
	}
	off, err1 := strconv.ParseInt(parts[1], 32, 32)
	n, err2 := strconv.ParseInt(parts[2], 32, 32)
	if err1 != nil || err2 != nil || off < 0 || n <= 0 || off+n > int64(len(text)) {
		return ""
	}
	q := text[off : off+n]
	if !utf8.ValidString(q) {
		return ""
	}
	return q
}

// sharedSuffix ends the ID of a shared answer's copy (sharedID).
const sharedSuffix = "-shared"

// idTime is when an answer ID was made; ok is false for an ID that is not
// one of ours (newIDAt), a shared copy's ID being its answer's.
func idTime(id string) (t time.Time, ok bool) {
	id = strings.TrimSuffix(id, sharedSuffix)
	if len(id) != b32hex.EncodedLen(idBytes) || strings.ToLower(id) != id {
		return time.Time{}, false
	}
	raw, err := b32hex.DecodeString(strings.ToUpper(id))
	if err != nil || len(raw) != idBytes {
		return time.Time{}, false
	}
	ms := int64(binary.BigEndian.Uint64(raw[:8]) >> 16) // as newIDAt wrote it
	if ms == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// expired says whether an answer whose record is missing is past saving:
// its ID is not ours, or it is older than the answers are kept.
func (b *Bot) expired(id string) bool {
	t, ok := idTime(id)
	if !ok {
		return true
	}
	return b.opts.AnswerRetention > 0 && b.opts.Now().Sub(t) > b.opts.AnswerRetention
}

// fromMessage is what a replica without an answer's record knows of it
// from the message its button is on.
type fromMessage struct {
	// refs are the passage refs on the message's "Show passages" button.
	refs []string
	// embeds are the message's embeds (the answer), as sent.
	embeds []*discordgo.MessageEmbed
}

// rebuild makes an answer's record from the interaction's message: the
// question and answer of the answer embed, the cited passages of the
// "Show passages" button's refs, the related passages of a refusal's
// button. An ephemeral message is the clicker's own (nobody else can see
// it, let alone click it), and private, as is an answer in a DM.
func (b *Bot) rebuild(it *interaction, id string) (briefbot.AnswerRecord, *fromMessage) {
	t, _ := idTime(id)
	rec := briefbot.AnswerRecord{ID: id, Time: t, GuildID: it.i.GuildID, ChannelID: it.i.ChannelID,
		Private: it.i.GuildID == "", ConversationID: id}
	src := &fromMessage{}
	m := it.i.Message
	if m == nil {
		return rec, src
	}
	if m.Flags&discordgo.MessageFlagsEphemeral != 0 {
		rec.Private = true
		rec.UserID = userOf(it.i)
	}
	rec.Passages = map[string]briefbot.Passage{}
	for _, cid := range messageCustomIDs(m.Components) {
		action, answerID, raw, ok := parseCustomID(cid)
		if !ok || answerID != id {
			continue
		}
		switch action {
		case actionPassages:
			src.refs = splitRefs(raw)
			for i, ref := range src.refs {
				// A citation keeps its number even when a passage before
				// it has left the index since: the answer's text and its
				// sources list number them so.
				if p, ok := b.passageByRef(ref); ok {
					rec.Passages[p.ID] = p
					rec.Answer.Citations = append(rec.Answer.Citations, briefbot.Citation{N: i + 1,
						DocID: p.DocID, PassageID: p.ID, Title: p.Title, Section: p.Section, Paragraph: p.Paragraph, Page: p.Page,
						URL: p.URL, Quote: p.Text})
				}
			}
		case actionRelated:
			for _, ref := range splitRefs(raw) {
				if p, ok := b.passageByRef(ref); ok {
					rec.Answer.Related = append(rec.Answer.Related, briefbot.Hit{Passage: p, Rank: len(rec.Answer.Related) + 1, Quote: quoteAt(ref, p.Text)})
				}
			}
		}
	}
	if len(m.Embeds) > 0 && m.Embeds[0] != nil {
		e := m.Embeds[0]
		src.embeds = m.Embeds
		rec.Question = e.Title
		rec.Answer.Question = e.Title
		rec.Answer.Text = plainAnswer(e.Description)
		rec.Answer.Answerable = e.Title != "" && e.Description != ""
		// The sources list links each citation where the answer did
		// (the exact passage when it could).
		urls := sourceURLs(e)
		for i, c := range rec.Answer.Citations {
			if u, ok := urls[c.N]; ok {
				rec.Answer.Citations[i].URL = u
			}
		}
	}
	return rec, src
}

// messageCustomIDs are the custom_ids of a message's buttons, in order.
func messageCustomIDs(cs []discordgo.MessageComponent) []string {
	var ids []string
	for _, c := range cs {
		switch c := c.(type) {
		case *discordgo.ActionsRow:
			ids = append(ids, messageCustomIDs(c.Components)...)
		case discordgo.ActionsRow:
			ids = append(ids, messageCustomIDs(c.Components)...)
		case *discordgo.Button:
			ids = append(ids, c.CustomID)
		case discordgo.Button:
			ids = append(ids, c.CustomID)
		}
	}
	return ids
}

// linkedNumberRE is one number of a linked marker, "[[2]](url)"
// (linkedMarker); adjacentMarkersRE joins the numbers of one marker
// ("[1][2]" was "[1, 2]").
var (
	linkedNumberRE    = regexp.MustCompile(`\[\[(\d{1,3})\]\]\([^)\s]*\)`)
	adjacentMarkersRE = regexp.MustCompile(`\]\[(\d)`)
)

// markdownEscapeRE is a character escaped by escapeMarkdownAt.
var markdownEscapeRE = regexp.MustCompile("\\\\([\\\\*_~`|\\[\\]>#-])")

// plainAnswer is an answer's text as it was before answerDescription
// rendered it: markers unlinked, markdown unescaped.
func plainAnswer(desc string) string {
	s := adjacentMarkersRE.ReplaceAllString(linkedNumberRE.ReplaceAllString(desc, "[$1]"), ", $1")
	return markdownEscapeRE.ReplaceAllString(s, "$1")
}

// sourceLineRE is a linked source line, "[2] [label](url)" (citationLine).
var sourceLineRE = regexp.MustCompile(`(?m)^\[(\d{1,3})\] \[(?:\\.|[^\]\\])*\]\(([^)\s]+)\)$`)

// sourceURLs are the links of an answer embed's numbered sources.
func sourceURLs(e *discordgo.MessageEmbed) map[int]string {
	urls := map[int]string{}
	for _, f := range e.Fields {
		for _, m := range sourceLineRE.FindAllStringSubmatch(f.Value, -1) {
			if n, err := strconv.Atoi(m[1]); err == nil {
				urls[n] = m[2]
			}
		}
	}
	return urls
}

// resendEmbeds are a message's embeds as they can be sent again: what the
// bot set on them, without what Discord adds (type, proxies, sizes).
func resendEmbeds(in []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	for _, e := range in {
		if e == nil {
			continue
		}
		c := &discordgo.MessageEmbed{Title: e.Title, Description: e.Description, URL: e.URL, Color: e.Color, Timestamp: e.Timestamp}
		for _, f := range e.Fields {
			if f != nil {
				c.Fields = append(c.Fields, &discordgo.MessageEmbedField{Name: f.Name, Value: f.Value, Inline: f.Inline})
			}
		}
		if e.Footer != nil && e.Footer.Text != "" {
			c.Footer = &discordgo.MessageEmbedFooter{Text: e.Footer.Text}
		}
		out = append(out, c)
	}
	return out
}
