package discordfake

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Message is what a user would see of a message, as stored by the fake.
type Message struct {
	ID              string
	ChannelID       string
	GuildID         string
	AuthorID        string
	Content         string
	Embeds          []Embed
	Components      []Component
	Flags           int
	AllowedMentions *AllowedMentions // as last sent by the bot; nil when absent
	Reference       *MessageReference
	Mentions        []string // user IDs mentioned (SendMessage) or parsed from content
	Attachments     []Attachment
	InteractionID   string // set for interaction responses and followups
	WebhookID       string // the application ID for interaction messages
	ThreadID        string // the thread started from this message (flag MessageFlagHasThread)
	// Deferred is true while a type-5 response shows "thinking…" and no
	// edit or followup has completed it yet.
	Deferred  bool
	Deleted   bool
	CreatedAt time.Time
	EditedAt  time.Time // zero until edited
	Edits     int
}

// Ephemeral reports whether only the invoking user sees the message.
func (m Message) Ephemeral() bool { return m.Flags&MessageFlagEphemeral != 0 }

// Text flattens what the message shows: content, then each embed's title,
// description, fields, footer and author, and text-display components.
func (m Message) Text() string {
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	add(m.Content)
	for _, e := range m.Embeds {
		add(e.Author.Name)
		add(e.Title)
		add(e.Description)
		for _, f := range e.Fields {
			add(f.Name)
			add(f.Value)
		}
		add(e.Footer.Text)
	}
	eachComponent(m.Components, func(c *Component) { add(c.Content) })
	return strings.Join(parts, "\n")
}

// CustomIDs lists the custom_id of every component, depth first.
func (m Message) CustomIDs() []string {
	var out []string
	eachComponent(m.Components, func(c *Component) {
		if c.CustomID != "" {
			out = append(out, c.CustomID)
		}
	})
	return out
}

func (m Message) component(customID string) (Component, bool) {
	var found Component
	ok := false
	eachComponent(m.Components, func(c *Component) {
		if !ok && c.CustomID == customID {
			found, ok = *c, true
		}
	})
	return found, ok
}

// eachComponent calls fn on every component, parents before children and
// in order, a label's child included.
func eachComponent(cs []Component, fn func(*Component)) {
	for i := range cs {
		walkComponent(&cs[i], fn)
	}
}

func walkComponent(c *Component, fn func(*Component)) {
	fn(c)
	eachComponent(c.Components, fn)
	if c.Component != nil {
		walkComponent(c.Component, fn)
	}
}

// Embed is a rich embed.
type Embed struct {
	Title       string       `json:"title,omitempty"`
	Type        string       `json:"type,omitempty"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Timestamp   string       `json:"timestamp,omitempty"`
	Color       int          `json:"color,omitempty"`
	Fields      []EmbedField `json:"fields,omitempty"`
	Footer      EmbedFooter  `json:"footer,omitzero"`
	Author      EmbedAuthor  `json:"author,omitzero"`
}

// EmbedField is one field of an embed.
type EmbedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// EmbedFooter is an embed's footer.
type EmbedFooter struct {
	Text    string `json:"text,omitempty"`
	IconURL string `json:"icon_url,omitempty"`
}

// EmbedAuthor is an embed's author line.
type EmbedAuthor struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
}

// Component is a message or modal component of any type (action row 1,
// button 2, string select 3, text input 4, text display 10, container 17,
// label 18, ...).
type Component struct {
	Type int `json:"type"`
	// ID is the component's numeric id; Discord fills in missing ones in
	// modals (see Modal) and sends them back in modal submits.
	ID          int            `json:"id,omitempty"`
	CustomID    string         `json:"custom_id,omitempty"`
	Label       string         `json:"label,omitempty"`       // button, text input in a row, label (18)
	Description string         `json:"description,omitempty"` // label (18)
	Style       int            `json:"style,omitempty"`
	URL         string         `json:"url,omitempty"`
	Disabled    bool           `json:"disabled,omitempty"`
	Placeholder string         `json:"placeholder,omitempty"`
	Options     []SelectOption `json:"options,omitempty"`
	MinValues   *int           `json:"min_values,omitempty"`
	MaxValues   *int           `json:"max_values,omitempty"`
	MinLength   *int           `json:"min_length,omitempty"` // text input
	MaxLength   *int           `json:"max_length,omitempty"` // text input
	// Required is nil when absent, which Discord reads as true (text
	// inputs, and selects in labels). discordgo's TextInput always sends
	// it, false unless set.
	Required   *bool       `json:"required,omitempty"`
	Value      string      `json:"value,omitempty"`
	Content    string      `json:"content,omitempty"`
	Components []Component `json:"components,omitempty"`
	Component  *Component  `json:"component,omitempty"` // the child of a label (18)
}

// SelectOption is one option of a string select.
type SelectOption struct {
	Label       string `json:"label"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
	Default     bool   `json:"default,omitempty"`
}

// AllowedMentions is the allowed_mentions object as the bot sent it.
type AllowedMentions struct {
	Parse       []string `json:"parse"` // nil when the bot sent null or omitted it
	Users       []string `json:"users,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	RepliedUser bool     `json:"replied_user,omitempty"`
}

// MessageReference points at the message a reply answers.
type MessageReference struct {
	MessageID string `json:"message_id"`
	ChannelID string `json:"channel_id,omitempty"`
	GuildID   string `json:"guild_id,omitempty"`
}

// Attachment is a file the bot uploaded with a multipart body, or one a
// user attached to a slash-command option (Server.Upload).
type Attachment struct {
	ID          string
	Filename    string
	ContentType string
	Size        int // as declared; see Upload.Size
	// Set for Server.Upload: the signed links on Discord's hosts that the
	// interaction carries (Transport maps them to the fake's CDN), and the
	// ephemeral flag of option attachments. A message's attachments have
	// their links in the message JSON.
	URL, ProxyURL string
	Ephemeral     bool
}

func cloneMessage(m *Message) Message {
	cp := *m
	cp.Embeds = slices.Clone(m.Embeds)
	cp.Components = slices.Clone(m.Components)
	cp.Mentions = slices.Clone(m.Mentions)
	cp.Attachments = slices.Clone(m.Attachments)
	if m.AllowedMentions != nil {
		am := *m.AllowedMentions
		cp.AllowedMentions = &am
	}
	if m.Reference != nil {
		r := *m.Reference
		cp.Reference = &r
	}
	return cp
}

// applyMessageBody copies the fields present in a validated JSON body into
// m: present replaces (null clears), absent keeps, which is Discord's PATCH
// semantics and also right for creates on a zero Message.
func applyMessageBody(m *Message, body map[string]any, edit bool) error {
	if v, ok := body["content"]; ok {
		m.Content, _ = v.(string)
	}
	if v, ok := body["embeds"]; ok {
		m.Embeds = nil
		if err := remarshal(v, &m.Embeds); err != nil {
			return fmt.Errorf("embeds: %w", err)
		}
	}
	if v, ok := body["components"]; ok {
		m.Components = nil
		if err := remarshal(v, &m.Components); err != nil {
			return fmt.Errorf("components: %w", err)
		}
	}
	if v, ok := body["allowed_mentions"]; ok {
		m.AllowedMentions = nil
		if v != nil {
			var am AllowedMentions
			if err := remarshal(v, &am); err != nil {
				return fmt.Errorf("allowed_mentions: %w", err)
			}
			m.AllowedMentions = &am
		}
	}
	if v, ok := body["flags"]; ok {
		var f int
		if v != nil {
			if err := remarshal(v, &f); err != nil {
				return fmt.Errorf("flags: %w", err)
			}
		}
		if edit {
			// Only SUPPRESS_EMBEDS can change after creation.
			m.Flags = m.Flags&^MessageFlagSuppressEmbs | f&MessageFlagSuppressEmbs
		} else {
			m.Flags = f
		}
	}
	if v, ok := body["message_reference"]; ok && v != nil {
		var r MessageReference
		if err := remarshal(v, &r); err != nil {
			return fmt.Errorf("message_reference: %w", err)
		}
		m.Reference = &r
	}
	return nil
}

func remarshal(in any, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

var mentionRE = regexp.MustCompile(`<@!?([0-9]+)>`)

// parseMentions finds user mentions in content.
func parseMentions(content string) []string {
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(content, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }

func (s *Server) userWireLocked(id string) map[string]any {
	u, ok := s.users[id]
	if !ok {
		u = &User{ID: id, Username: "unknown"}
	}
	w := map[string]any{
		"id":            u.ID,
		"username":      u.Username,
		"discriminator": "0",
		"global_name":   nilIfEmpty(u.GlobalName),
		"avatar":        nil,
		"public_flags":  0,
		"flags":         0,   // required by the spec's UserResponse
		"primary_guild": nil, // likewise
	}
	if u.Bot {
		w["bot"] = true
	}
	return w
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// messageWireLocked renders a message the way Discord's API returns it.
func (s *Server) messageWireLocked(m *Message) map[string]any {
	embeds := slices.Clone(m.Embeds)
	if embeds == nil {
		embeds = []Embed{}
	}
	for i := range embeds {
		if embeds[i].Type == "" {
			embeds[i].Type = "rich"
		}
	}
	comps := m.Components
	if comps == nil {
		comps = []Component{}
	}
	mentions := []any{}
	for _, id := range m.Mentions {
		mentions = append(mentions, s.userWireLocked(id))
	}
	atts := []any{}
	for _, a := range m.Attachments {
		atts = append(atts, map[string]any{
			"id": a.ID, "filename": a.Filename, "content_type": a.ContentType, "size": a.Size,
			"url":       s.BaseURL + "/cdn/attachments/" + m.ChannelID + "/" + a.ID + "/" + a.Filename,
			"proxy_url": s.BaseURL + "/cdn/attachments/" + m.ChannelID + "/" + a.ID + "/" + a.Filename,
		})
	}
	msgType := 0
	switch {
	case m.InteractionID != "" && m.Reference == nil:
		msgType = 20 // CHAT_INPUT_COMMAND
	case m.Reference != nil:
		msgType = 19 // REPLY
	}
	w := map[string]any{
		"id":               m.ID,
		"channel_id":       m.ChannelID,
		"author":           s.userWireLocked(m.AuthorID),
		"content":          m.Content,
		"timestamp":        rfc3339(m.CreatedAt),
		"edited_timestamp": nil,
		"tts":              false,
		"mention_everyone": false,
		"mentions":         mentions,
		"mention_roles":    []any{},
		"attachments":      atts,
		"embeds":           embeds,
		"components":       comps,
		"pinned":           false,
		"type":             msgType,
		"flags":            m.Flags,
	}
	if !m.EditedAt.IsZero() {
		w["edited_timestamp"] = rfc3339(m.EditedAt)
	}
	if m.GuildID != "" {
		w["guild_id"] = m.GuildID
	}
	if m.WebhookID != "" {
		w["webhook_id"] = m.WebhookID
		w["application_id"] = m.WebhookID
	}
	if m.Reference != nil {
		w["message_reference"] = map[string]any{"type": 0, "message_id": m.Reference.MessageID, "channel_id": m.ChannelID, "guild_id": nilIfEmpty(m.GuildID)}
	}
	if th, ok := s.channels[m.ThreadID]; ok && m.ThreadID != "" {
		w["thread"] = s.channelWireLocked(th)
	}
	if m.InteractionID != "" {
		if it, ok := s.interactions[m.InteractionID]; ok {
			w["interaction_metadata"] = map[string]any{"id": it.ID, "type": it.Type, "user": s.userWireLocked(it.UserID)}
		}
	}
	return w
}

// Message returns the current state of a stored message.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return Message{}, false
	}
	return cloneMessage(m), true
}

// Messages returns the messages of a channel (all channels when
// channelID is empty), oldest first, deleted ones included.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, id := range s.msgOrder {
		m := s.messages[id]
		if channelID == "" || m.ChannelID == channelID {
			out = append(out, cloneMessage(m))
		}
	}
	return out
}

// WaitMessage waits until a stored message (any channel, current state)
// satisfies pred and returns it.
func (s *Server) WaitMessage(ctx context.Context, pred func(Message) bool) (Message, error) {
	var got Message
	err := s.waitFor(ctx, "message", func() bool {
		for _, id := range s.msgOrder {
			if m := cloneMessage(s.messages[id]); pred(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got, err
}

// WaitReply waits for a bot message that replies to messageID (through
// message_reference) and returns it.
func (s *Server) WaitReply(ctx context.Context, messageID string) (Message, error) {
	return s.WaitMessage(ctx, func(m Message) bool {
		return m.AuthorID == s.Bot.ID && m.Reference != nil && m.Reference.MessageID == messageID && !m.Deleted
	})
}

// SendMessage posts a user message (in a channel, DM or thread, whose
// members the author joins) and dispatches MESSAGE_CREATE the way
// Discord would to a bot without the MESSAGE_CONTENT intent: content,
// embeds and components arrive only when the bot is mentioned, in DMs, or
// for its own messages. mentions lists mentioned user IDs; nil means parse
// <@id> from content. The event is only dispatched if the bot identified
// with GUILD_MESSAGES (guild channel) or DIRECT_MESSAGES (DM).
func (s *Server) SendMessage(ctx context.Context, channelID, authorID, content string, mentions []string) (Message, error) {
	if err := ctx.Err(); err != nil {
		return Message{}, fmt.Errorf("discordfake: send message: %w", err)
	}
	if mentions == nil {
		mentions = parseMentions(content)
	}
	id := s.newID()
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok {
		return Message{}, fmt.Errorf("discordfake: send message: unknown channel %s", channelID)
	}
	if _, ok := s.users[authorID]; !ok {
		return Message{}, fmt.Errorf("discordfake: send message: unknown user %s", authorID)
	}
	if ch.GuildID != "" {
		if s.memberLocked(s.guilds[ch.GuildID], authorID) == nil {
			return Message{}, fmt.Errorf("discordfake: send message: user %s is not a member of guild %s", authorID, ch.GuildID)
		}
	}
	m := &Message{ID: id, ChannelID: channelID, GuildID: ch.GuildID, AuthorID: authorID, Content: content, Mentions: slices.Clone(mentions), CreatedAt: s.now()}
	s.storeMessageLocked(m)
	s.joinThreadLocked(ch, authorID)
	s.dispatchMessageLocked("MESSAGE_CREATE", m)
	return cloneMessage(m), nil
}

func (s *Server) storeMessageLocked(m *Message) {
	s.messages[m.ID] = m
	s.msgOrder = append(s.msgOrder, m.ID)
	s.notifyLocked()
}

// dispatchMessageLocked sends MESSAGE_CREATE/UPDATE/DELETE to the gateway
// session of the message's shard, honouring intents and message-content
// gating. Ephemeral messages are never dispatched.
func (s *Server) dispatchMessageLocked(event string, m *Message) {
	sess := s.sessionForLocked(m.GuildID)
	if sess == nil || m.Ephemeral() {
		return
	}
	need := IntentGuildMessages
	if m.GuildID == "" {
		need = IntentDirectMessages
	}
	if sess.intents&need == 0 {
		return
	}
	if event == "MESSAGE_DELETE" {
		d := map[string]any{"id": m.ID, "channel_id": m.ChannelID}
		if m.GuildID != "" {
			d["guild_id"] = m.GuildID
		}
		s.dispatchLocked(sess, event, d)
		return
	}
	w := s.messageWireLocked(m)
	visible := sess.intents&IntentMessageContent != 0 || m.GuildID == "" || m.AuthorID == s.Bot.ID || slices.Contains(m.Mentions, s.Bot.ID)
	if !visible {
		w["content"] = ""
		w["embeds"] = []any{}
		w["components"] = []any{}
		w["attachments"] = []any{}
	}
	if m.GuildID != "" {
		if g, ok := s.guilds[m.GuildID]; ok {
			if mem := s.memberLocked(g, m.AuthorID); mem != nil {
				w["member"] = s.memberWireLocked(g, mem, false)
			}
		}
	}
	s.dispatchLocked(sess, event, w)
}

func (s *Server) memberWireLocked(g *Guild, m *Member, withUser bool) map[string]any {
	roles := m.Roles
	if roles == nil {
		roles = []string{}
	}
	w := map[string]any{
		"roles":                        roles,
		"nick":                         nilIfEmpty(m.Nick),
		"avatar":                       nil,
		"joined_at":                    rfc3339(m.JoinedAt),
		"premium_since":                nil,
		"deaf":                         false,
		"mute":                         false,
		"flags":                        0,
		"pending":                      false,
		"communication_disabled_until": nil,
	}
	if withUser {
		w["user"] = s.userWireLocked(m.UserID)
	}
	return w
}
