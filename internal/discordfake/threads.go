package discordfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"
)

// Thread rules Discord enforces
// (https://discord.com/developers/docs/resources/channel#start-thread-from-message).
const (
	// MessageFlagHasThread is set on a message once a thread starts from it.
	MessageFlagHasThread = 1 << 5
	// DefaultAutoArchiveDuration is what Discord uses when a thread is
	// started without auto_archive_duration and the parent sets no default.
	DefaultAutoArchiveDuration = 1440
	// MaxThreadName is the longest thread name, in characters.
	MaxThreadName = 100
	// ThreadMemberCountCap is where Discord stops counting member_count.
	ThreadMemberCountCap = 50
)

// Discord error codes for threads.
const (
	codeThreadAlreadyCreated = 160004 // "A thread has already been created for this message"
	codeInvalidChannelType   = 50024  // "Cannot execute action on this channel type"
)

// threadParams reads a validated CreateTextThreadWithMessageRequest.
// Absent or null auto_archive_duration takes Discord's default.
func threadParams(body map[string]any) (name string, autoArchive, slowmode int) {
	name, _ = body["name"].(string)
	autoArchive = DefaultAutoArchiveDuration
	if n, ok := body["auto_archive_duration"].(json.Number); ok {
		if v, err := n.Int64(); err == nil {
			autoArchive = int(v)
		}
	}
	if n, ok := body["rate_limit_per_user"].(json.Number); ok {
		if v, err := n.Int64(); err == nil {
			slowmode = int(v)
		}
	}
	return name, autoArchive, slowmode
}

// threadTypeFor is the thread type Discord gives a thread started in
// parent: announcement channels get announcement threads. ok is false for
// channels where threads cannot start (DMs, voice, categories, forums,
// threads themselves).
func threadTypeFor(parent *Channel) (int, bool) {
	switch {
	case parent.GuildID == "":
		return 0, false
	case parent.Type == ChannelGuildText:
		return ChannelPublicThread, true
	case parent.Type == ChannelGuildAnnouncement:
		return ChannelAnnouncementThread, true
	}
	return 0, false
}

// postMessageThread starts a thread from a message
// (POST /channels/{channel_id}/messages/{message_id}/threads).
func (s *Server) postMessageThread(rc *reqCtx) resp {
	c, r := s.channelOr404(rc)
	if r != nil {
		return *r
	}
	v, br := s.decodeBody(rc)
	if br != nil {
		return *br
	}
	if errs := s.specErrors(rc, v); len(errs) > 0 {
		return invalidBody(errs)
	}
	body, _ := v.(map[string]any)
	typ, ok := threadTypeFor(c)
	if !ok {
		return jsonErr(http.StatusBadRequest, codeInvalidChannelType, "Cannot execute action on this channel type")
	}
	if !s.botCanLocked(c, PermViewChannel|PermCreatePublicThreads) {
		return jsonErr(http.StatusForbidden, 50013, "Missing Permissions")
	}
	m, r := s.channelMessageOr404(rc)
	if r != nil {
		return *r
	}
	if r := s.threadTakenLocked(m); r != nil {
		return *r
	}
	name, archive, slowmode := threadParams(body)
	th := s.startThreadLocked(c, m, typ, s.Bot.ID, name, archive, slowmode)
	return resp{status: http.StatusCreated, body: s.channelWireLocked(th)}
}

// threadTakenLocked refuses a second thread on a message. A channel with
// the message's ID can only be a thread started from it (snowflakes are
// unique), but a test may have chosen IDs by hand.
func (s *Server) threadTakenLocked(m *Message) *resp {
	if _, exists := s.channels[m.ID]; m.ThreadID != "" || exists {
		r := jsonErr(http.StatusBadRequest, codeThreadAlreadyCreated, "A thread has already been created for this message")
		return &r
	}
	return nil
}

// startThreadLocked creates the thread, marks the starter message and
// tells the bot: THREAD_CREATE (newly_created) and a MESSAGE_UPDATE of
// the starter message, whose flags and thread field changed.
func (s *Server) startThreadLocked(parent *Channel, m *Message, typ int, ownerID, name string, archive, slowmode int) *Channel {
	now := s.now()
	th := &Channel{
		ID: m.ID, GuildID: parent.GuildID, Name: name, Type: typ, ParentID: parent.ID, OwnerID: ownerID,
		Members:             []ThreadMember{{UserID: ownerID, JoinedAt: now}},
		AutoArchiveDuration: archive, RateLimitPerUser: slowmode, CreatedAt: now,
	}
	s.channels[th.ID] = th
	s.threadOrder = append(s.threadOrder, th.ID)
	m.ThreadID = th.ID
	m.Flags |= MessageFlagHasThread
	if sess := s.sessionForLocked(th.GuildID); sess != nil && sess.intents&IntentGuilds != 0 {
		w := s.channelWireLocked(th)
		w["newly_created"] = true
		s.dispatchLocked(sess, "THREAD_CREATE", w)
	}
	s.dispatchMessageLocked("MESSAGE_UPDATE", m)
	s.notifyLocked()
	return th
}

// joinThreadLocked adds a poster to the thread's members, as Discord does
// for anyone who sends a message in it.
func (s *Server) joinThreadLocked(c *Channel, userID string) {
	if !IsThread(c.Type) || slices.ContainsFunc(c.Members, func(m ThreadMember) bool { return m.UserID == userID }) {
		return
	}
	c.Members = append(c.Members, ThreadMember{UserID: userID, JoinedAt: s.now()})
}

// sendPermission is what posting in c needs besides View Channel.
func sendPermission(c *Channel) int64 {
	if IsThread(c.Type) {
		return PermSendMessagesInThreads
	}
	return PermSendMessages
}

// threadWireLocked renders a thread as Discord's ThreadResponse. The
// counts come from the stored messages: message_count leaves out deleted
// messages, total_message_sent does not; ephemeral interaction responses
// are not channel messages and count for neither.
func (s *Server) threadWireLocked(c *Channel) map[string]any {
	count, total, last := 0, 0, ""
	for _, id := range s.msgOrder {
		m := s.messages[id]
		if m.ChannelID != c.ID || m.Ephemeral() {
			continue
		}
		total++
		last = m.ID
		if !m.Deleted {
			count++
		}
	}
	w := map[string]any{
		"id":                  c.ID,
		"type":                c.Type,
		"guild_id":            c.GuildID,
		"name":                c.Name,
		"parent_id":           c.ParentID,
		"owner_id":            c.OwnerID,
		"flags":               0,
		"last_message_id":     nilIfEmpty(last),
		"rate_limit_per_user": c.RateLimitPerUser,
		"message_count":       count,
		"total_message_sent":  total,
		"member_count":        min(len(c.Members), ThreadMemberCountCap),
		"thread_metadata": map[string]any{
			"archived":              false,
			"archive_timestamp":     rfc3339(c.CreatedAt),
			"auto_archive_duration": c.AutoArchiveDuration,
			"locked":                false,
			"create_timestamp":      rfc3339(c.CreatedAt),
		},
	}
	// Discord adds the current user's thread member when it joined.
	for _, m := range c.Members {
		if m.UserID == s.Bot.ID {
			w["member"] = map[string]any{"id": c.ID, "user_id": s.Bot.ID, "join_timestamp": rfc3339(m.JoinedAt), "flags": 0}
		}
	}
	return w
}

// Thread returns a thread by ID (the ID of the message it started from).
func (s *Server) Thread(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	if !ok || !IsThread(c.Type) {
		return Channel{}, false
	}
	return cloneChannel(c), true
}

// Threads returns the threads started in a channel, oldest first; every
// thread when parentID is empty.
func (s *Server) Threads(parentID string) []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.threadsLocked(func(c *Channel) bool { return parentID == "" || c.ParentID == parentID })
}

func (s *Server) threadsLocked(keep func(*Channel) bool) []Channel {
	var out []Channel
	for _, id := range s.threadOrder {
		if c := s.channels[id]; keep(c) {
			out = append(out, cloneChannel(c))
		}
	}
	return out
}

// WaitThread waits until a thread (current state) satisfies pred and
// returns it.
func (s *Server) WaitThread(ctx context.Context, pred func(Channel) bool) (Channel, error) {
	var got Channel
	err := s.waitFor(ctx, "thread", func() bool {
		for _, id := range s.threadOrder {
			if c := cloneChannel(s.channels[id]); pred(c) {
				got = c
				return true
			}
		}
		return false
	})
	return got, err
}

// StartThread has a user start a thread from a message, as the Discord
// client does, with the checks Discord makes: a text or announcement
// channel, a visible message without a thread, a name of 1 to 100
// characters, and View Channel plus Create Public Threads for the user.
// The bot receives THREAD_CREATE and the starter's MESSAGE_UPDATE.
func (s *Server) StartThread(ctx context.Context, channelID, messageID, userID, name string) (Channel, error) {
	if err := ctx.Err(); err != nil {
		return Channel{}, fmt.Errorf("discordfake: start thread: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channelID]
	if !ok {
		return Channel{}, fmt.Errorf("discordfake: start thread: unknown channel %s", channelID)
	}
	typ, ok := threadTypeFor(c)
	if !ok {
		return Channel{}, fmt.Errorf("discordfake: start thread: channel %s has type %d; threads start in text or announcement channels", channelID, c.Type)
	}
	m, ok := s.messages[messageID]
	if !ok || m.ChannelID != c.ID || m.Deleted || m.Ephemeral() {
		return Channel{}, fmt.Errorf("discordfake: start thread: no message %s in channel %s", messageID, channelID)
	}
	if s.threadTakenLocked(m) != nil {
		return Channel{}, fmt.Errorf("discordfake: start thread: message %s already has a thread", messageID)
	}
	if n := utf8.RuneCountInString(name); n < 1 || n > MaxThreadName {
		return Channel{}, fmt.Errorf("discordfake: start thread: name of %d characters, want 1 to %d", n, MaxThreadName)
	}
	p, err := s.memberPermissionsLocked(c.GuildID, userID, nil)
	if err != nil {
		return Channel{}, fmt.Errorf("discordfake: start thread: %w", err)
	}
	if need := PermViewChannel | PermCreatePublicThreads; p&need != need {
		return Channel{}, fmt.Errorf("discordfake: start thread: user %s lacks View Channel or Create Public Threads (permissions %d)", userID, p)
	}
	th := s.startThreadLocked(c, m, typ, userID, name, DefaultAutoArchiveDuration, 0)
	return cloneChannel(th), nil
}
