package discordfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"time"
	"unicode/utf8"
)

// Interaction types.
const (
	InteractionPing               = 1
	InteractionApplicationCommand = 2
	InteractionMessageComponent   = 3
	InteractionAutocomplete       = 4
	InteractionModalSubmit        = 5
)

// Interaction callback types.
const (
	CallbackPong                     = 1
	CallbackChannelMessage           = 4
	CallbackDeferredChannelMessage   = 5
	CallbackDeferredUpdateMessage    = 6
	CallbackUpdateMessage            = 7
	CallbackAutocompleteResult       = 8
	CallbackModal                    = 9
	componentTypeActionRow           = 1
	componentTypeButton              = 2
	componentTypeStringSelect        = 3
	componentTypeTextInput           = 4
	componentTypeTextDisplay         = 10
	componentTypeLabel               = 18
	maxTextInputValue                = 4000
	optionTypeSubCommand             = 1
	optionTypeSubCommandGroup        = 2
	optionTypeString                 = 3
	optionTypeInteger                = 4
	optionTypeBoolean                = 5
	optionTypeUser                   = 6
	optionTypeChannel                = 7
	optionTypeRole                   = 8
	optionTypeNumber                 = 10
	interactionContextGuild          = 0
	interactionContextBotDM          = 1
	applicationIntegrationGuildInstl = "0"
)

// Option is a command option value chosen by the user. Type may be left 0:
// it is taken from the registered command.
type Option struct {
	Name    string
	Type    int
	Value   any // string, int, float64, bool, a snowflake string for users/roles/channels, or an Attachment from Server.Upload
	Focused bool
	Options []Option // for sub-commands and groups
}

// Opt is an Option whose type comes from the registered command.
func Opt(name string, value any) Option { return Option{Name: name, Value: value} }

// Sub is a sub-command (or group) with its options.
func Sub(name string, opts ...Option) Option { return Option{Name: name, Options: opts} }

// InteractionSpec describes what a user does. Zero fields take defaults:
// the server's default guild, channel and user; Type from the other fields
// (CommandName → command, or autocomplete when Focused is set; CustomID →
// component, or modal submit when ModalValues or ModalSelections is set).
type InteractionSpec struct {
	Type int
	// Where and who. ChannelID decides the guild when set; a DM channel
	// (see AddChannel) gives a DM interaction, a thread ID one inside the
	// thread (its channel object is the thread, with parent_id).
	GuildID, ChannelID, UserID string
	// MemberPermissions overrides the permissions Discord computes from
	// the member's roles; MemberRoles overrides the stored roles.
	MemberPermissions *int64
	MemberRoles       []string
	// Application command (and autocomplete).
	CommandName string
	CommandType int // 1 chat input (default), 2 user, 3 message
	Options     []Option
	TargetID    string // user or message commands
	Focused     string // autocomplete: name of the focused option
	// IgnoreCommandPermissions simulates a guild admin's per-command
	// override: the command's default_member_permissions is not enforced.
	IgnoreCommandPermissions bool
	// Message component: the custom_id clicked or selected, the values of
	// a select, and the message carrying it (found by custom_id when empty).
	CustomID  string
	Values    []string
	MessageID string
	// Modal submit: text-input custom_id → value, for text inputs in
	// action rows or labels; string-select custom_id → chosen option
	// values, for selects in labels. Discord's client only submits a
	// modal whose required inputs are filled (required is the default),
	// within min_length/max_length and min_values/max_values, with values
	// among the options; Interact refuses anything else. Every component
	// of the modal is sent back in order, as Discord does: unfilled
	// optional inputs with "" and selects with [].
	ModalValues     map[string]string
	ModalSelections map[string][]string
	Locale          string
}

// Interaction is one dispatched interaction and what the bot did with it.
type Interaction struct {
	ID           string
	Token        string
	Type         int
	GuildID      string
	ChannelID    string
	UserID       string
	CommandName  string
	CustomID     string
	Payload      json.RawMessage // the interaction object sent to the bot
	DispatchedAt time.Time       // Options.Now at dispatch

	s    *Server
	wall time.Time
	err  error // dispatch failure (Interact)

	// guarded by s.mu
	callback     *Callback
	original     *Message
	componentMsg string
	followups    []string
	events       []Event
	lateReported bool
	failure      string
	httpPending  bool // signed delivery in flight: its answer is the callback
}

// Callback is the accepted initial response.
type Callback struct {
	Type    int
	Data    json.RawMessage // the callback's data object, or null
	Choices []Choice        // type 8
	Modal   *Modal          // type 9
	At      time.Time       // Options.Now
	Since   time.Duration   // Options.Now time since dispatch (what the 3 s rule uses)
	Latency time.Duration   // wall time since dispatch
}

// Modal is a modal the bot showed (callback type 9): action rows of text
// inputs, labels (type 18) holding one Component, and text displays. Like
// Discord, the fake numbers the components the bot left without an id,
// depth first from 1, skipping ids in use; modal submits carry them.
type Modal struct {
	CustomID   string      `json:"custom_id"`
	Title      string      `json:"title"`
	Components []Component `json:"components"`
}

// EventKind classifies an Event.
type EventKind string

// Event kinds.
const (
	EventCallback     EventKind = "callback"      // initial response accepted
	EventEdit         EventKind = "edit"          // PATCH of @original (or of the original by ID)
	EventFollowup     EventKind = "followup"      // followup created (or completing a deferred original)
	EventFollowupEdit EventKind = "followup_edit" // PATCH of a followup
	EventDelete       EventKind = "delete"        // a message of the interaction deleted
	EventRejected     EventKind = "rejected"      // a call the fake refused (Status, Code say why)
)

// Event is one thing the bot did with an interaction, with the state of
// the affected message afterwards.
type Event struct {
	Kind         EventKind
	CallbackType int // for callback and rejected callback events
	Original     bool
	MessageID    string
	Message      Message
	Status       int
	Code         int
	Detail       string
	At           time.Time
	Since        time.Duration // Options.Now time since dispatch
	Latency      time.Duration // wall time since dispatch
}

func (it *Interaction) describe() string {
	switch it.Type {
	case InteractionApplicationCommand:
		return "/" + it.CommandName
	case InteractionAutocomplete:
		return "autocomplete /" + it.CommandName
	case InteractionMessageComponent:
		return "component " + it.CustomID
	case InteractionModalSubmit:
		return "modal " + it.CustomID
	}
	return fmt.Sprintf("type %d", it.Type)
}

// Interact dispatches an INTERACTION_CREATE to the connected bot. If the
// interaction cannot happen (unregistered command, missing required option,
// no gateway session, ...) the returned Interaction carries the error: Err
// reports it and every Wait method returns it, so tests need no extra check
// and subtests can use it.
func (s *Server) Interact(ctx context.Context, spec InteractionSpec) *Interaction {
	it, err := s.TryInteract(ctx, spec)
	if err != nil {
		return &Interaction{s: s, CommandName: spec.CommandName, CustomID: spec.CustomID, err: fmt.Errorf("discordfake: interact: %w", err)}
	}
	return it
}

// Err is the dispatch error of an Interaction returned by Interact.
func (it *Interaction) Err() error { return it.err }

// TryInteract is Interact returning the error.
func (s *Server) TryInteract(ctx context.Context, spec InteractionSpec) (*Interaction, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interact: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw.current == nil {
		return nil, errors.New("no gateway session: the bot has not identified")
	}
	it, err := s.newInteractionLocked(spec)
	if err != nil {
		return nil, err
	}
	// The interaction arrives on the shard of its guild (shard 0 for DMs).
	sess := s.sessionForLocked(it.GuildID)
	if sess == nil {
		return nil, fmt.Errorf("no gateway session for shard %d of %d, which receives guild %q", ShardOf(it.GuildID, s.gw.current.shard[1]), s.gw.current.shard[1], it.GuildID)
	}
	var d any
	if err := json.Unmarshal(it.Payload, &d); err != nil {
		return nil, fmt.Errorf("interact: %w", err)
	}
	s.dispatchLocked(sess, "INTERACTION_CREATE", d)
	return it, nil
}

func (s *Server) newInteractionLocked(spec InteractionSpec) (*Interaction, error) {
	it := &Interaction{s: s, ID: s.newID(), Token: "aW50ZXJhY3Rpb24" + randomHex(24), CommandName: spec.CommandName, CustomID: spec.CustomID}
	t := spec.Type
	if t == 0 {
		switch {
		case spec.CommandName != "" && spec.Focused != "":
			t = InteractionAutocomplete
		case spec.CommandName != "":
			t = InteractionApplicationCommand
		case spec.CustomID != "" && (spec.ModalValues != nil || spec.ModalSelections != nil):
			t = InteractionModalSubmit
		case spec.CustomID != "":
			t = InteractionMessageComponent
		default:
			return nil, errors.New("interaction spec needs CommandName or CustomID")
		}
	}
	it.Type = t

	// The component message decides the channel of a component interaction.
	var compMsg *Message
	var comp Component
	if t == InteractionMessageComponent {
		var err error
		compMsg, comp, err = s.findComponentLocked(spec)
		if err != nil {
			return nil, err
		}
		spec.ChannelID = compMsg.ChannelID
	}
	var modal *Modal
	var modalFrom *Interaction
	if t == InteractionModalSubmit {
		modal, modalFrom = s.findModalLocked(spec.CustomID)
		if modal == nil {
			return nil, fmt.Errorf("no modal with custom_id %q was shown by the bot (modal submits only follow a type-9 callback)", spec.CustomID)
		}
		if spec.ChannelID == "" {
			spec.ChannelID = modalFrom.ChannelID
		}
		if modalFrom.componentMsg != "" && spec.MessageID == "" {
			spec.MessageID = modalFrom.componentMsg
		}
	}

	channelID := spec.ChannelID
	if channelID == "" {
		channelID = s.ChannelID
	}
	ch, ok := s.channels[channelID]
	if !ok {
		return nil, fmt.Errorf("unknown channel %q", channelID)
	}
	if spec.GuildID != "" && spec.GuildID != ch.GuildID {
		return nil, fmt.Errorf("channel %s is not in guild %s", channelID, spec.GuildID)
	}
	userID := spec.UserID
	if userID == "" {
		userID = s.UserID
		if ch.GuildID == "" {
			userID = ch.RecipientID
		}
	}
	if _, ok := s.users[userID]; !ok {
		return nil, fmt.Errorf("unknown user %q", userID)
	}
	it.GuildID, it.ChannelID, it.UserID = ch.GuildID, ch.ID, userID

	locale := spec.Locale
	if locale == "" {
		locale = "en-US"
	}
	p := map[string]any{
		"id":                             it.ID,
		"application_id":                 s.ApplicationID,
		"type":                           t,
		"token":                          it.Token,
		"version":                        1,
		"locale":                         locale,
		"channel_id":                     ch.ID,
		"channel":                        s.channelWireLocked(ch),
		"entitlements":                   []any{},
		"attachment_size_limit":          10 << 20,
		"authorizing_integration_owners": map[string]any{applicationIntegrationGuildInstl: nilIfEmpty(ch.GuildID)},
	}
	var memberPerms int64
	if ch.GuildID != "" {
		g := s.guilds[ch.GuildID]
		m := s.memberLocked(g, userID)
		if m == nil {
			return nil, fmt.Errorf("user %s is not a member of guild %s (use SetMember)", userID, g.ID)
		}
		roles := m.Roles
		if spec.MemberRoles != nil {
			roles = spec.MemberRoles
		}
		perms, err := s.memberPermissionsLocked(g.ID, userID, roles)
		if err != nil {
			return nil, err
		}
		if spec.MemberPermissions != nil {
			perms = *spec.MemberPermissions
		}
		memberPerms = perms
		mem := *m
		mem.Roles = slices.Clone(roles)
		mw := s.memberWireLocked(g, &mem, true)
		mw["permissions"] = fmt.Sprint(perms)
		p["member"] = mw
		p["guild_id"] = g.ID
		p["guild_locale"] = "en-US"
		p["guild"] = map[string]any{"id": g.ID, "locale": "en-US", "features": []any{}}
		p["context"] = interactionContextGuild
		botPerms, _ := s.memberPermissionsLocked(g.ID, s.Bot.ID, nil)
		p["app_permissions"] = fmt.Sprint(botPerms)
	} else {
		p["user"] = s.userWireLocked(userID)
		p["context"] = interactionContextBotDM
		p["app_permissions"] = fmt.Sprint(PermViewChannel | PermSendMessages | PermEmbedLinks | PermAttachFiles | PermReadMessageHistory | PermAddReactions)
	}

	switch t {
	case InteractionApplicationCommand, InteractionAutocomplete:
		data, err := s.commandDataLocked(spec, ch, memberPerms, t == InteractionAutocomplete)
		if err != nil {
			return nil, err
		}
		p["data"] = data
	case InteractionMessageComponent:
		data := map[string]any{"custom_id": comp.CustomID, "component_type": comp.Type}
		if comp.Type != componentTypeButton {
			if err := checkSelectValues(comp, spec.Values); err != nil {
				return nil, err
			}
			data["values"] = nonNil(spec.Values)
		}
		p["data"] = data
		p["message"] = s.messageWireLocked(compMsg)
		it.componentMsg = compMsg.ID
	case InteractionModalSubmit:
		data, err := modalSubmitData(modal, spec.ModalValues, spec.ModalSelections)
		if err != nil {
			return nil, err
		}
		p["data"] = data
		if spec.MessageID != "" {
			if m, ok := s.messages[spec.MessageID]; ok {
				p["message"] = s.messageWireLocked(m)
				it.componentMsg = m.ID
			}
		}
	default:
		return nil, fmt.Errorf("interaction type %d cannot be dispatched with Interact", t)
	}
	it.Payload = mustJSON(p)
	it.DispatchedAt = s.now()
	it.wall = time.Now()
	s.interactions[it.ID] = it
	s.byToken[it.Token] = it
	s.notifyLocked()
	return it, nil
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func (s *Server) findComponentLocked(spec InteractionSpec) (*Message, Component, error) {
	if spec.CustomID == "" {
		return nil, Component{}, errors.New("component interaction needs CustomID")
	}
	if spec.MessageID != "" {
		m, ok := s.messages[spec.MessageID]
		if !ok || m.Deleted {
			return nil, Component{}, fmt.Errorf("unknown message %s", spec.MessageID)
		}
		c, ok := m.component(spec.CustomID)
		if !ok {
			return nil, Component{}, fmt.Errorf("message %s has no component %q (has %v)", m.ID, spec.CustomID, m.CustomIDs())
		}
		if c.Disabled {
			return nil, Component{}, fmt.Errorf("component %q on message %s is disabled", spec.CustomID, m.ID)
		}
		return m, c, nil
	}
	for i := len(s.msgOrder) - 1; i >= 0; i-- {
		m := s.messages[s.msgOrder[i]]
		if m.Deleted || m.AuthorID != s.Bot.ID || (spec.ChannelID != "" && m.ChannelID != spec.ChannelID) {
			continue
		}
		if c, ok := m.component(spec.CustomID); ok {
			if c.Disabled {
				return nil, Component{}, fmt.Errorf("component %q on message %s is disabled", spec.CustomID, m.ID)
			}
			return m, c, nil
		}
	}
	return nil, Component{}, fmt.Errorf("no bot message carries a component with custom_id %q", spec.CustomID)
}

func checkSelectValues(c Component, values []string) error {
	minV, maxV := 1, 1
	if c.MinValues != nil {
		minV = *c.MinValues
	}
	if c.MaxValues != nil {
		maxV = *c.MaxValues
	}
	if len(values) < minV || len(values) > maxV {
		return fmt.Errorf("select %q takes %d..%d values, got %d", c.CustomID, minV, maxV, len(values))
	}
	if c.Type == componentTypeStringSelect {
		for _, v := range values {
			if !slices.ContainsFunc(c.Options, func(o SelectOption) bool { return o.Value == v }) {
				return fmt.Errorf("select %q has no option with value %q", c.CustomID, v)
			}
		}
	}
	return nil
}

func (s *Server) findModalLocked(customID string) (*Modal, *Interaction) {
	var best *Interaction
	for _, it := range s.interactions {
		if it.callback != nil && it.callback.Modal != nil && it.callback.Modal.CustomID == customID {
			if best == nil || it.DispatchedAt.After(best.DispatchedAt) || (it.DispatchedAt.Equal(best.DispatchedAt) && it.ID > best.ID) {
				best = it
			}
		}
	}
	if best == nil {
		return nil, nil
	}
	return best.callback.Modal, best
}

// modalSubmitData builds the data of a modal submit the way Discord sends
// it: every top-level component in order with its id, text inputs as
// {type, id, custom_id, value}, string selects as {type, id, custom_id,
// values}, labels as {type, id, component} without their text, text
// displays as {type, id}. It refuses what Discord's client would not
// submit.
func modalSubmitData(m *Modal, values map[string]string, selections map[string][]string) (map[string]any, error) {
	used := map[string]bool{}
	field := func(c *Component) (map[string]any, error) {
		w := map[string]any{"type": c.Type, "id": c.ID, "custom_id": c.CustomID}
		switch c.Type {
		case componentTypeTextInput:
			if _, ok := selections[c.CustomID]; ok {
				return nil, fmt.Errorf("modal %q: %q is a text input: give its value in ModalValues", m.CustomID, c.CustomID)
			}
			v := values[c.CustomID]
			used[c.CustomID] = true
			if err := checkTextInput(c, v); err != nil {
				return nil, fmt.Errorf("modal %q: %w", m.CustomID, err)
			}
			w["value"] = v
		case componentTypeStringSelect:
			if _, ok := values[c.CustomID]; ok {
				return nil, fmt.Errorf("modal %q: %q is a select: give its values in ModalSelections", m.CustomID, c.CustomID)
			}
			v := selections[c.CustomID]
			used[c.CustomID] = true
			// An optional select may be left empty whatever its min_values.
			if len(v) > 0 || isRequired(c) {
				if err := checkSelectValues(*c, v); err != nil {
					return nil, fmt.Errorf("modal %q: %w", m.CustomID, err)
				}
			}
			w["values"] = nonNil(v)
		default:
			return nil, fmt.Errorf("modal %q: component %q of type %d cannot be filled in by Interact (text inputs and string selects only)", m.CustomID, c.CustomID, c.Type)
		}
		return w, nil
	}
	out := []any{}
	for i := range m.Components {
		c := &m.Components[i]
		switch c.Type {
		case componentTypeActionRow:
			row := []any{}
			for j := range c.Components {
				w, err := field(&c.Components[j])
				if err != nil {
					return nil, err
				}
				row = append(row, w)
			}
			out = append(out, map[string]any{"type": c.Type, "id": c.ID, "components": row})
		case componentTypeLabel:
			if c.Component == nil {
				return nil, fmt.Errorf("modal %q: label %d has no component", m.CustomID, c.ID)
			}
			w, err := field(c.Component)
			if err != nil {
				return nil, err
			}
			out = append(out, map[string]any{"type": c.Type, "id": c.ID, "component": w})
		case componentTypeTextDisplay:
			out = append(out, map[string]any{"type": c.Type, "id": c.ID})
		default:
			return nil, fmt.Errorf("modal %q: top-level component of type %d", m.CustomID, c.Type)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if !used[k] {
			return nil, fmt.Errorf("modal %q has no text input %q", m.CustomID, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(selections)) {
		if !used[k] {
			return nil, fmt.Errorf("modal %q has no string select %q", m.CustomID, k)
		}
	}
	return map[string]any{"custom_id": m.CustomID, "components": out}, nil
}

// isRequired reads a component's required flag, which defaults to true.
func isRequired(c *Component) bool { return c.Required == nil || *c.Required }

// checkTextInput applies what Discord's client enforces before it submits
// a modal: required inputs filled, and the length limits.
func checkTextInput(c *Component, v string) error {
	n := utf8.RuneCountInString(v)
	if n == 0 {
		if isRequired(c) {
			return fmt.Errorf("text input %q is required (required is true unless the bot sent false)", c.CustomID)
		}
		return nil
	}
	minLen, maxLen := 0, maxTextInputValue
	if c.MinLength != nil {
		minLen = *c.MinLength
	}
	if c.MaxLength != nil {
		maxLen = *c.MaxLength
	}
	if n < minLen || n > maxLen {
		return fmt.Errorf("text input %q takes %d..%d characters, got %d", c.CustomID, minLen, maxLen, n)
	}
	return nil
}

// assignComponentIDs numbers the components without an id the way
// Discord does: depth first from 1, skipping ids the bot chose.
func assignComponentIDs(cs []Component) {
	taken := map[int]bool{}
	eachComponent(cs, func(c *Component) { taken[c.ID] = true })
	next := 1
	eachComponent(cs, func(c *Component) {
		if c.ID != 0 {
			return
		}
		for taken[next] {
			next++
		}
		c.ID = next
		taken[next] = true
	})
}

func (s *Server) commandDataLocked(spec InteractionSpec, ch *Channel, perms int64, autocomplete bool) (map[string]any, error) {
	ctype := spec.CommandType
	if ctype == 0 {
		ctype = 1
	}
	cmd, scope := s.lookupCommandLocked(ch.GuildID, spec.CommandName, ctype)
	data := map[string]any{"name": spec.CommandName, "type": ctype}
	var defs []any
	if cmd == nil {
		if !s.opts.AllowUnregisteredCommands {
			return nil, fmt.Errorf("command %q (type %d) is not registered for guild %q or globally; Discord only dispatches registered commands", spec.CommandName, ctype, ch.GuildID)
		}
		data["id"] = s.newID()
	} else {
		data["id"] = cmd.id
		if scope != "" {
			data["guild_id"] = scope
		}
		defs, _ = cmd.def["options"].([]any)
		if err := commandAllowed(cmd.def, ch, perms, spec.IgnoreCommandPermissions); err != nil {
			return nil, err
		}
	}
	resolved := map[string]map[string]any{}
	opts, err := s.buildOptionsLocked(spec.Options, defs, cmd != nil, spec.Focused, autocomplete, ch, resolved)
	if err != nil {
		return nil, fmt.Errorf("command %q: %w", spec.CommandName, err)
	}
	if len(opts) > 0 {
		data["options"] = opts
	}
	if spec.TargetID != "" {
		data["target_id"] = spec.TargetID
		if ctype == 2 {
			s.resolveLocked(resolved, optionTypeUser, spec.TargetID, ch)
		} else if m, ok := s.messages[spec.TargetID]; ok {
			if resolved["messages"] == nil {
				resolved["messages"] = map[string]any{}
			}
			resolved["messages"][m.ID] = s.messageWireLocked(m)
		}
	}
	if len(resolved) > 0 {
		data["resolved"] = resolved
	}
	return data, nil
}

func commandAllowed(def map[string]any, ch *Channel, perms int64, ignorePerms bool) error {
	if ctxs, ok := def["contexts"].([]any); ok {
		want := json.Number(fmt.Sprint(interactionContextGuild))
		if ch.GuildID == "" {
			want = json.Number(fmt.Sprint(interactionContextBotDM))
		}
		if !slices.ContainsFunc(ctxs, func(v any) bool { return jsonEqual(v, want) }) {
			return fmt.Errorf("command %v is not available in this context (contexts %v)", def["name"], ctxs)
		}
	}
	if ch.GuildID == "" || ignorePerms {
		return nil
	}
	dmp, ok := def["default_member_permissions"].(string)
	if !ok {
		return nil
	}
	var need int64
	if _, err := fmt.Sscan(dmp, &need); err != nil {
		return fmt.Errorf("command %v: bad default_member_permissions %q", def["name"], dmp)
	}
	if perms&PermAdministrator == 0 && perms&need != need {
		return fmt.Errorf("Discord hides command %v from this member: default_member_permissions %s not granted by permissions %d (set IgnoreCommandPermissions to simulate an admin override)", def["name"], dmp, perms)
	}
	return nil
}

func findDef(defs []any, name string) map[string]any {
	for _, d := range defs {
		if m, ok := d.(map[string]any); ok && m["name"] == name {
			return m
		}
	}
	return nil
}

func defType(d map[string]any) int {
	if n, ok := d["type"].(json.Number); ok {
		v, _ := n.Int64()
		return int(v)
	}
	return 0
}

func inferType(v any, subs []Option) int {
	switch v.(type) {
	case string:
		return optionTypeString
	case int, int32, int64:
		return optionTypeInteger
	case bool:
		return optionTypeBoolean
	case float32, float64:
		return optionTypeNumber
	case Attachment, *Attachment:
		return optionTypeAttachment
	case nil:
		if len(subs) > 0 {
			return optionTypeSubCommand
		}
	}
	return optionTypeString
}

func (s *Server) buildOptionsLocked(opts []Option, defs []any, known bool, focused string, autocomplete bool, ch *Channel, resolved map[string]map[string]any) ([]any, error) {
	out := []any{}
	for _, o := range opts {
		def := findDef(defs, o.Name)
		if known && def == nil {
			return nil, fmt.Errorf("option %q is not defined by the registered command", o.Name)
		}
		typ := o.Type
		if def != nil {
			// Discord sends an option with its registered type only.
			if dt := defType(def); typ == 0 {
				typ = dt
			} else if typ != dt {
				return nil, fmt.Errorf("option %q has type %d in the registered command, not %d", o.Name, dt, typ)
			}
		}
		if typ == 0 {
			typ = inferType(o.Value, o.Options)
		}
		w := map[string]any{"name": o.Name, "type": typ}
		if typ == optionTypeSubCommand || typ == optionTypeSubCommandGroup {
			var subDefs []any
			if def != nil {
				subDefs, _ = def["options"].([]any)
			}
			sub, err := s.buildOptionsLocked(o.Options, subDefs, known, focused, autocomplete, ch, resolved)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.Name, err)
			}
			if len(sub) > 0 {
				w["options"] = sub
			}
			out = append(out, w)
			continue
		}
		attID, err := s.attachmentOptionLocked(o, typ)
		if err != nil {
			return nil, err
		}
		if attID != "" {
			w["value"] = attID
			s.resolveLocked(resolved, typ, attID, ch)
			out = append(out, w)
			continue
		}
		isFocused := o.Focused || (autocomplete && o.Name == focused)
		if def != nil && !isFocused {
			if choices, ok := def["choices"].([]any); ok && len(choices) > 0 {
				if !slices.ContainsFunc(choices, func(c any) bool {
					cm, _ := c.(map[string]any)
					return cm != nil && fmt.Sprint(cm["value"]) == fmt.Sprint(o.Value)
				}) {
					return nil, fmt.Errorf("value %v of option %q is not one of its choices", o.Value, o.Name)
				}
			}
		}
		w["value"] = o.Value
		if isFocused {
			w["focused"] = true
		}
		if id, ok := o.Value.(string); ok {
			s.resolveLocked(resolved, typ, id, ch)
		}
		out = append(out, w)
	}
	if known && !autocomplete {
		for _, d := range defs {
			dm, _ := d.(map[string]any)
			if req, _ := dm["required"].(bool); req && !slices.ContainsFunc(opts, func(o Option) bool { return o.Name == dm["name"] }) {
				return nil, fmt.Errorf("required option %q missing (the Discord client does not send the command without it)", dm["name"])
			}
		}
	}
	return out, nil
}

func (s *Server) resolveLocked(resolved map[string]map[string]any, typ int, id string, ch *Channel) {
	put := func(kind string, v any) {
		if resolved[kind] == nil {
			resolved[kind] = map[string]any{}
		}
		resolved[kind][id] = v
	}
	switch typ {
	case optionTypeUser:
		if _, ok := s.users[id]; ok {
			put("users", s.userWireLocked(id))
			if g, ok := s.guilds[ch.GuildID]; ok {
				if m := s.memberLocked(g, id); m != nil {
					mw := s.memberWireLocked(g, m, false)
					if p, err := s.memberPermissionsLocked(g.ID, id, nil); err == nil {
						mw["permissions"] = fmt.Sprint(p)
					}
					put("members", mw)
				}
			}
		}
	case optionTypeRole:
		if g, ok := s.guilds[ch.GuildID]; ok {
			if r := s.roleLocked(g, id); r != nil {
				put("roles", roleWire(*r))
			}
		}
	case optionTypeAttachment:
		if f, ok := s.files[id]; ok {
			put("attachments", f.attachmentWire())
		}
	case optionTypeChannel:
		if c, ok := s.channels[id]; ok {
			w := s.channelWireLocked(c)
			w["permissions"] = fmt.Sprint(AllPermissions)
			put("channels", w)
		}
	}
}

// --- callback and webhook handling ---

func (it *Interaction) addEventLocked(e Event) {
	e.At = it.s.now()
	e.Since = e.At.Sub(it.DispatchedAt)
	e.Latency = time.Since(it.wall)
	it.events = append(it.events, e)
	it.s.notifyLocked()
}

func (s *Server) postCallback(rc *reqCtx) resp {
	it, ok := s.interactions[rc.params["interaction_id"]]
	if !ok || it.Token != rc.params["interaction_token"] {
		return jsonErr(http.StatusNotFound, 10062, "Unknown interaction").withViolation(ViolationUnknownInteraction, "callback for an interaction the fake never dispatched")
	}
	v, br := s.decodeBody(rc)
	if br != nil {
		return *br
	}
	r := s.acceptCallbackLocked(it, v, s.specErrors(rc, v), rc.attachments)
	if r.status != http.StatusNoContent || rc.query.Get("with_response") != "true" {
		return r
	}
	// ?with_response=true answers 200 with an InteractionCallbackResponse.
	ir := map[string]any{"id": it.ID, "type": it.Type, "activity_instance_id": nil,
		"response_message_id": nil, "response_message_loading": nil, "response_message_ephemeral": nil}
	res := map[string]any{"type": it.callback.Type}
	if o := it.original; o != nil {
		ir["response_message_id"] = o.ID
		ir["response_message_loading"] = o.Deferred
		ir["response_message_ephemeral"] = o.Ephemeral()
		res["message"] = s.messageWireLocked(o)
	}
	return resp{body: map[string]any{"interaction": ir, "resource": res}}
}

// callbackAllowed lists the callback types Discord accepts per interaction type.
var callbackAllowed = map[int][]int{
	InteractionPing:               {CallbackPong},
	InteractionApplicationCommand: {CallbackChannelMessage, CallbackDeferredChannelMessage, CallbackModal},
	InteractionMessageComponent:   {CallbackChannelMessage, CallbackDeferredChannelMessage, CallbackDeferredUpdateMessage, CallbackUpdateMessage, CallbackModal},
	InteractionAutocomplete:       {CallbackAutocompleteResult},
	InteractionModalSubmit:        {CallbackChannelMessage, CallbackDeferredChannelMessage, CallbackDeferredUpdateMessage, CallbackUpdateMessage},
}

func (s *Server) acceptCallbackLocked(it *Interaction, v any, errs []fieldError, atts []Attachment) resp {
	body, _ := v.(map[string]any)
	ctype := -1
	if n, ok := body["type"].(json.Number); ok {
		if x, err := n.Int64(); err == nil {
			ctype = int(x)
		}
	}
	data := body["data"]
	switch ctype {
	case CallbackChannelMessage:
		errs = append(errs, checkMessage(data, []string{"data"}, messageCheck{requireAllowedMentions: true, create: true})...)
	case CallbackUpdateMessage:
		errs = append(errs, checkMessage(data, []string{"data"}, messageCheck{requireAllowedMentions: true})...)
	case CallbackAutocompleteResult:
		errs = append(errs, checkAutocomplete(data, []string{"data"})...)
	case CallbackModal:
		if dm, ok := data.(map[string]any); ok {
			errs = append(errs, checkComponents(dm["components"], []string{"data", "components"})...)
		}
	}
	reject := func(r resp, detail string) resp {
		it.addEventLocked(Event{Kind: EventRejected, CallbackType: ctype, Status: r.status, Code: errCode(r), Detail: detail})
		return r
	}
	if len(errs) > 0 {
		return reject(invalidBody(errs), "invalid body")
	}
	if ctype >= 0 && !slices.Contains(callbackAllowed[it.Type], ctype) {
		r := invalidBody([]fieldError{{[]string{"type"}, "INTERACTION_CALLBACK_TYPE_INVALID", fmt.Sprintf("Callback type %d is not valid for interaction type %d (allowed %v).", ctype, it.Type, callbackAllowed[it.Type])}})
		r.violation.Kind = ViolationCallbackType
		return reject(r, "callback type not valid")
	}
	if ctype == CallbackChannelMessage {
		if dm, _ := data.(map[string]any); dm == nil || messageIsEmpty(dm, len(atts)) {
			return reject(emptyMessage(), "empty message")
		}
	}
	if it.callback != nil {
		r := jsonErr(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.").
			withViolation(ViolationAlreadyAcknowledged, fmt.Sprintf("second callback (type %d) for %s, first was type %d", ctype, it.describe(), it.callback.Type))
		return reject(r, "already acknowledged")
	}
	if since := s.now().Sub(it.DispatchedAt); since > AckDeadline {
		it.lateReported = true
		it.failure = fmt.Sprintf("initial callback arrived %v after dispatch (limit %v): the user saw \"This interaction failed\"", since, AckDeadline)
		r := jsonErr(http.StatusNotFound, 10062, "Unknown interaction").withViolation(ViolationLateAck, it.failure)
		return reject(r, "late")
	}

	now := s.now()
	cb := &Callback{Type: ctype, Data: mustJSON(data), At: now, Since: now.Sub(it.DispatchedAt), Latency: time.Since(it.wall)}
	dm, _ := data.(map[string]any)
	ev := Event{Kind: EventCallback, CallbackType: ctype}
	switch ctype {
	case CallbackChannelMessage, CallbackDeferredChannelMessage:
		m := &Message{ID: s.newID(), ChannelID: it.ChannelID, GuildID: it.GuildID, AuthorID: s.Bot.ID, CreatedAt: now,
			InteractionID: it.ID, WebhookID: s.ApplicationID, Attachments: atts}
		if dm != nil {
			if err := applyMessageBody(m, dm, false); err != nil {
				return reject(invalidBody([]fieldError{{[]string{"data"}, "BASE_TYPE_BAD_TYPE", err.Error()}}), "bad data")
			}
		}
		m.Flags &= MessageFlagEphemeral | MessageFlagSuppressEmbs | 1<<12
		if ctype == CallbackDeferredChannelMessage {
			// The deferred message shows "thinking…" until edited.
			m.Content, m.Embeds, m.Components, m.AllowedMentions = "", nil, nil, nil
			m.Deferred = true
			m.Flags |= MessageFlagLoading
		}
		m.Mentions = parseMentions(m.Content)
		s.storeMessageLocked(m)
		it.original = m
		s.dispatchMessageLocked("MESSAGE_CREATE", m)
		ev.Original, ev.MessageID, ev.Message = true, m.ID, cloneMessage(m)
	case CallbackDeferredUpdateMessage, CallbackUpdateMessage:
		m, ok := s.messages[it.componentMsg]
		if !ok || m.Deleted {
			return reject(jsonErr(http.StatusNotFound, 10008, "Unknown Message").withViolation(ViolationCallbackType, "update callback without a component message"), "no component message")
		}
		if ctype == CallbackUpdateMessage && dm != nil {
			next := cloneMessage(m)
			if err := applyMessageBody(&next, dm, true); err != nil {
				return reject(invalidBody([]fieldError{{[]string{"data"}, "BASE_TYPE_BAD_TYPE", err.Error()}}), "bad data")
			}
			next.EditedAt = now
			next.Edits++
			next.Mentions = parseMentions(next.Content)
			*m = next
			s.dispatchMessageLocked("MESSAGE_UPDATE", m)
		}
		it.original = m
		ev.Original, ev.MessageID, ev.Message = true, m.ID, cloneMessage(m)
	case CallbackAutocompleteResult:
		if dm != nil {
			_ = remarshal(dm["choices"], &cb.Choices)
		}
	case CallbackModal:
		var md Modal
		if err := remarshal(dm, &md); err != nil {
			return reject(invalidBody([]fieldError{{[]string{"data"}, "BASE_TYPE_BAD_TYPE", err.Error()}}), "bad data")
		}
		assignComponentIDs(md.Components)
		cb.Modal = &md
	}
	it.callback = cb
	it.addEventLocked(ev)
	return resp{status: http.StatusNoContent}
}

func errCode(r resp) int {
	if m, ok := r.body.(map[string]any); ok {
		if c, ok := m["code"].(int); ok {
			return c
		}
	}
	return 0
}

// webhookInteraction resolves /webhooks/{app}/{token} to its interaction.
func (s *Server) webhookInteraction(rc *reqCtx) (*Interaction, *resp) {
	if rc.params["webhook_id"] != s.ApplicationID {
		r := jsonErr(http.StatusNotFound, 10015, "Unknown Webhook").withViolation(ViolationUnknownWebhook, "webhook id is not the application id")
		return nil, &r
	}
	it, ok := s.byToken[rc.params["webhook_token"]]
	if !ok {
		r := jsonErr(http.StatusUnauthorized, 50027, "Invalid Webhook Token").withViolation(ViolationUnknownWebhook, "unknown interaction token")
		return nil, &r
	}
	if age := s.now().Sub(it.DispatchedAt); age > TokenLifetime {
		r := jsonErr(http.StatusUnauthorized, 50027, "Invalid Webhook Token").withViolation(ViolationUnknownWebhook, fmt.Sprintf("interaction token used %v after dispatch (lifetime %v)", age, TokenLifetime))
		it.addEventLocked(Event{Kind: EventRejected, Status: r.status, Code: 50027, Detail: "token expired"})
		return nil, &r
	}
	if it.callback == nil {
		r := jsonErr(http.StatusNotFound, 10015, "Unknown Webhook").withViolation(ViolationUnknownWebhook, fmt.Sprintf("%s %s before the initial callback of %s", rc.method, rc.route, it.describe()))
		it.addEventLocked(Event{Kind: EventRejected, Status: r.status, Code: 10015, Detail: "no callback yet"})
		return nil, &r
	}
	return it, nil
}

// webhookMessage finds the message a webhook route addresses: @original or
// one of the interaction's followups.
func (s *Server) webhookMessage(rc *reqCtx, it *Interaction) (*Message, bool, *resp) {
	id, isOriginal := rc.params["message_id"], false
	if id == "" { // the @original route has no message_id parameter
		isOriginal = true
		if it.original == nil || it.original.Deleted {
			r := jsonErr(http.StatusNotFound, 10008, "Unknown Message").withViolation(ViolationUnknownWebhook, "@original does not exist for "+it.describe())
			return nil, false, &r
		}
		return it.original, true, nil
	}
	if it.original != nil && it.original.ID == id {
		isOriginal = true
	}
	m, ok := s.messages[id]
	if !ok || m.Deleted || (!isOriginal && !slices.Contains(it.followups, id)) {
		r := jsonErr(http.StatusNotFound, 10008, "Unknown Message").withViolation(ViolationUnknownWebhook, "message "+id+" is not a message of "+it.describe())
		return nil, false, &r
	}
	return m, isOriginal, nil
}

func (s *Server) getWebhookMessage(rc *reqCtx) resp {
	it, r := s.webhookInteraction(rc)
	if r != nil {
		return *r
	}
	m, _, r := s.webhookMessage(rc, it)
	if r != nil {
		return *r
	}
	return resp{body: s.messageWireLocked(m)}
}

func (s *Server) patchWebhookMessage(rc *reqCtx) resp {
	it, r := s.webhookInteraction(rc)
	if r != nil {
		return *r
	}
	m, isOriginal, r := s.webhookMessage(rc, it)
	if r != nil {
		return *r
	}
	v, br := s.decodeBody(rc)
	if br != nil {
		return *br
	}
	errs := s.specErrors(rc, v)
	errs = append(errs, checkMessage(v, nil, messageCheck{requireAllowedMentions: true})...)
	if len(errs) > 0 {
		res := invalidBody(errs)
		it.addEventLocked(Event{Kind: EventRejected, Original: isOriginal, MessageID: m.ID, Status: res.status, Code: 50035, Detail: "invalid body"})
		return res
	}
	body, _ := v.(map[string]any)
	res := s.editMessageLocked(m, body, rc.attachments)
	kind := EventFollowupEdit
	if isOriginal {
		kind = EventEdit
	}
	if res.status >= 400 {
		it.addEventLocked(Event{Kind: EventRejected, Original: isOriginal, MessageID: m.ID, Status: res.status, Code: errCode(res), Detail: "edit refused"})
		return res
	}
	it.addEventLocked(Event{Kind: kind, Original: isOriginal, MessageID: m.ID, Message: cloneMessage(m)})
	return res
}

func (s *Server) deleteWebhookMessage(rc *reqCtx) resp {
	it, r := s.webhookInteraction(rc)
	if r != nil {
		return *r
	}
	m, isOriginal, r := s.webhookMessage(rc, it)
	if r != nil {
		return *r
	}
	m.Deleted = true
	s.dispatchMessageLocked("MESSAGE_DELETE", m)
	it.addEventLocked(Event{Kind: EventDelete, Original: isOriginal, MessageID: m.ID, Message: cloneMessage(m)})
	return resp{status: http.StatusNoContent}
}

func (s *Server) postFollowup(rc *reqCtx) resp {
	it, r := s.webhookInteraction(rc)
	if r != nil {
		return *r
	}
	v, br := s.decodeBody(rc)
	if br != nil {
		return *br
	}
	errs := s.specErrors(rc, v)
	errs = append(errs, checkMessage(v, nil, messageCheck{requireAllowedMentions: true, create: true})...)
	if len(errs) > 0 {
		res := invalidBody(errs)
		it.addEventLocked(Event{Kind: EventRejected, Status: res.status, Code: 50035, Detail: "invalid followup body"})
		return res
	}
	body, _ := v.(map[string]any)
	if body == nil || messageIsEmpty(body, len(rc.attachments)) {
		res := emptyMessage()
		it.addEventLocked(Event{Kind: EventRejected, Status: res.status, Code: 50006, Detail: "empty followup"})
		return res
	}
	// The first followup after a deferred response completes the
	// "thinking…" message instead of posting a new one, keeping the
	// deferral's ephemeral flag.
	if o := it.original; o != nil && o.Deferred && !o.Deleted && it.callback.Type == CallbackDeferredChannelMessage {
		res := s.editMessageLocked(o, body, rc.attachments)
		if res.status < 400 {
			it.addEventLocked(Event{Kind: EventFollowup, Original: true, MessageID: o.ID, Message: cloneMessage(o)})
		}
		return res
	}
	m := &Message{ID: s.newID(), ChannelID: it.ChannelID, GuildID: it.GuildID, AuthorID: s.Bot.ID, CreatedAt: s.now(),
		InteractionID: it.ID, WebhookID: s.ApplicationID, Attachments: rc.attachments}
	if err := applyMessageBody(m, body, false); err != nil {
		return invalidBody([]fieldError{{nil, "BASE_TYPE_BAD_TYPE", err.Error()}})
	}
	m.Flags &= MessageFlagEphemeral | MessageFlagSuppressEmbs | 1<<12
	m.Mentions = parseMentions(m.Content)
	s.storeMessageLocked(m)
	it.followups = append(it.followups, m.ID)
	s.dispatchMessageLocked("MESSAGE_CREATE", m)
	it.addEventLocked(Event{Kind: EventFollowup, MessageID: m.ID, Message: cloneMessage(m)})
	// Interaction followups always behave as wait=true.
	return resp{body: s.messageWireLocked(m)}
}

// --- waiting on an interaction ---

// Callback returns the accepted initial response, if any.
func (it *Interaction) Callback() (Callback, bool) {
	it.s.mu.Lock()
	defer it.s.mu.Unlock()
	if it.callback == nil {
		return Callback{}, false
	}
	return *it.callback, true
}

// WaitCallback waits for the accepted initial response. It fails early if
// the interaction failed (late callback).
func (it *Interaction) WaitCallback(ctx context.Context) (Callback, error) {
	if it.err != nil {
		return Callback{}, it.err
	}
	var cb Callback
	var failed string
	err := it.s.waitFor(ctx, "callback of "+it.describe(), func() bool {
		if it.callback != nil {
			cb = *it.callback
			return true
		}
		failed = it.failure
		return failed != ""
	})
	if err == nil && failed != "" {
		return Callback{}, fmt.Errorf("discordfake: %s failed: %s", it.describe(), failed)
	}
	return cb, err
}

// Events returns everything the bot did with the interaction.
func (it *Interaction) Events() []Event {
	it.s.mu.Lock()
	defer it.s.mu.Unlock()
	return slices.Clone(it.events)
}

// WaitEvent waits for an event matching pred (past or future).
func (it *Interaction) WaitEvent(ctx context.Context, pred func(Event) bool) (Event, error) {
	if it.err != nil {
		return Event{}, it.err
	}
	var got Event
	err := it.s.waitFor(ctx, "event of "+it.describe(), func() bool {
		for _, e := range it.events {
			if pred(e) {
				got = e
				return true
			}
		}
		return false
	})
	return got, err
}

// Original returns the current state of the response message.
func (it *Interaction) Original() (Message, bool) {
	it.s.mu.Lock()
	defer it.s.mu.Unlock()
	if it.original == nil {
		return Message{}, false
	}
	return cloneMessage(it.original), true
}

// Followups returns the current state of the followup messages.
func (it *Interaction) Followups() []Message {
	it.s.mu.Lock()
	defer it.s.mu.Unlock()
	var out []Message
	for _, id := range it.followups {
		out = append(out, cloneMessage(it.s.messages[id]))
	}
	return out
}

// WaitMessage waits until the response message (@original) reaches a state
// pred accepts, checking every state it went through (a deferred
// "thinking…" state is skipped), and returns that event.
func (it *Interaction) WaitMessage(ctx context.Context, pred func(Message) bool) (Event, error) {
	return it.WaitEvent(ctx, func(e Event) bool {
		return e.Original && e.Kind != EventRejected && e.Kind != EventDelete && !e.Message.Deferred && pred(e.Message)
	})
}

// WaitFollowup waits for a followup message (not one completing a deferred
// response) that pred accepts.
func (it *Interaction) WaitFollowup(ctx context.Context, pred func(Message) bool) (Event, error) {
	return it.WaitEvent(ctx, func(e Event) bool {
		return (e.Kind == EventFollowup || e.Kind == EventFollowupEdit) && !e.Original && pred(e.Message)
	})
}

// WaitFinal waits for the answer the user ends up seeing: a callback of
// type 4, 7, 8 or 9, or — after a deferred callback (5 or 6) — the first
// edit of @original or followup that completes it. For types 8 and 9 the
// event's Message is empty; see Callback().Choices and .Modal. Use
// WaitMessage when the bot edits several times.
func (it *Interaction) WaitFinal(ctx context.Context) (Event, error) {
	if it.err != nil {
		return Event{}, it.err
	}
	var got Event
	var failed string
	err := it.s.waitFor(ctx, "final answer of "+it.describe(), func() bool {
		deferred := false
		for _, e := range it.events {
			switch {
			case e.Kind == EventCallback:
				switch e.CallbackType {
				case CallbackDeferredChannelMessage, CallbackDeferredUpdateMessage:
					deferred = true
				default:
					got = e
					return true
				}
			case deferred && e.Original && (e.Kind == EventEdit || e.Kind == EventFollowup):
				got = e
				return true
			}
		}
		failed = it.failure
		return failed != ""
	})
	if err == nil && failed != "" {
		return Event{}, fmt.Errorf("discordfake: %s failed: %s", it.describe(), failed)
	}
	return got, err
}

// Failed reports why the user would see "This interaction failed": a late
// or missing initial callback (judged on Options.Now). "" means fine.
func (it *Interaction) Failed() string {
	if it.err != nil {
		return it.err.Error()
	}
	it.s.mu.Lock()
	defer it.s.mu.Unlock()
	if it.failure != "" {
		return it.failure
	}
	if it.callback == nil && it.s.now().Sub(it.DispatchedAt) > AckDeadline {
		return fmt.Sprintf("no initial callback within %v", AckDeadline)
	}
	return ""
}

// AckLatency is the wall time from dispatch to the accepted callback.
func (it *Interaction) AckLatency() (time.Duration, bool) {
	cb, ok := it.Callback()
	return cb.Latency, ok
}

// Interaction returns a dispatched interaction by ID.
func (s *Server) Interaction(id string) (*Interaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions[id]
	return it, ok
}

// Interactions returns all dispatched interactions, oldest first.
func (s *Server) Interactions() []*Interaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Interaction
	for _, id := range s.interactionOrderLocked() {
		out = append(out, s.interactions[id])
	}
	return out
}

func (s *Server) interactionOrderLocked() []string {
	ids := make([]string, 0, len(s.interactions))
	for id := range s.interactions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if len(ids[i]) != len(ids[j]) {
			return len(ids[i]) < len(ids[j])
		}
		return ids[i] < ids[j]
	})
	return ids
}
