package discordfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// Command is an application command as stored (and returned) by the fake.
type Command struct {
	ID                       string
	ApplicationID            string
	GuildID                  string // "" for global
	Version                  string
	Type                     int
	Name                     string
	Description              string
	DefaultMemberPermissions *string
	Contexts                 []int
	Options                  []CommandOption
	Raw                      json.RawMessage // the object the API returns
}

// CommandOption is an option of a command.
type CommandOption struct {
	Type         int             `json:"type"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	Required     bool            `json:"required,omitempty"`
	Autocomplete bool            `json:"autocomplete,omitempty"`
	Choices      []Choice        `json:"choices,omitempty"`
	Options      []CommandOption `json:"options,omitempty"`
	ChannelTypes []int           `json:"channel_types,omitempty"`
	MinValue     *float64        `json:"min_value,omitempty"`
	MaxValue     *float64        `json:"max_value,omitempty"`
	MinLength    *int            `json:"min_length,omitempty"`
	MaxLength    *int            `json:"max_length,omitempty"`
}

// Choice is a command option choice or an autocomplete result.
type Choice struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

type storedCommand struct {
	id      string
	version string
	def     map[string]any // normalized definition, without id/version
	canon   string
}

// normalizeCommand keeps the fields Discord stores, dropping nulls and
// defaults the way the API echoes them back.
func normalizeCommand(in map[string]any) map[string]any {
	out := map[string]any{"type": json.Number("1"), "name": in["name"], "description": ""}
	if t, ok := in["type"].(json.Number); ok {
		out["type"] = t
	}
	for _, k := range []string{"description", "name_localizations", "description_localizations", "contexts", "integration_types", "nsfw"} {
		if v, ok := in[k]; ok && v != nil {
			out[k] = v
		}
	}
	out["default_member_permissions"] = nil
	if v, ok := in["default_member_permissions"]; ok && v != nil {
		// Stored and returned as a string whatever was sent.
		out["default_member_permissions"] = fmt.Sprint(v)
	}
	if opts, ok := in["options"].([]any); ok && len(opts) > 0 {
		out["options"] = normalizeOptions(opts)
	}
	return out
}

func normalizeOptions(opts []any) []any {
	out := make([]any, 0, len(opts))
	for _, ov := range opts {
		o, ok := ov.(map[string]any)
		if !ok {
			continue
		}
		n := map[string]any{}
		for _, k := range []string{"type", "name", "description", "name_localizations", "description_localizations", "channel_types", "min_value", "max_value", "min_length", "max_length"} {
			if v, ok := o[k]; ok && v != nil {
				if l, isList := v.([]any); isList && len(l) == 0 {
					continue
				}
				n[k] = v
			}
		}
		for _, k := range []string{"required", "autocomplete"} {
			if b, _ := o[k].(bool); b {
				n[k] = true
			}
		}
		if c, ok := o["choices"].([]any); ok && len(c) > 0 {
			n["choices"] = c
		}
		if sub, ok := o["options"].([]any); ok && len(sub) > 0 {
			n["options"] = normalizeOptions(sub)
		}
		out = append(out, n)
	}
	return out
}

func (s *Server) commandWireLocked(guildID string, c *storedCommand) map[string]any {
	w := map[string]any{}
	for k, v := range c.def {
		w[k] = v
	}
	w["id"] = c.id
	w["application_id"] = s.ApplicationID
	w["version"] = c.version
	if guildID != "" {
		w["guild_id"] = guildID
	}
	if _, ok := w["integration_types"]; !ok {
		w["integration_types"] = []any{json.Number("0")}
	}
	if _, ok := w["nsfw"]; !ok {
		w["nsfw"] = false
	}
	return w
}

func commandKey(def map[string]any) string {
	return fmt.Sprint(def["type"]) + "/" + fmt.Sprint(def["name"])
}

// commandScope checks the application and guild of a command route.
func (s *Server) commandScope(rc *reqCtx) (string, *resp) {
	if rc.params["application_id"] != s.ApplicationID {
		r := jsonErr(http.StatusForbidden, 50001, "Missing Access").withViolation(ViolationUnexpectedRequest, "command route for application "+rc.params["application_id"]+", not "+s.ApplicationID)
		return "", &r
	}
	gid := rc.params["guild_id"]
	if gid != "" {
		if _, ok := s.guilds[gid]; !ok {
			r := jsonErr(http.StatusForbidden, 50001, "Missing Access")
			return "", &r
		}
	}
	return gid, nil
}

func (s *Server) getCommands(rc *reqCtx) resp {
	gid, r := s.commandScope(rc)
	if r != nil {
		return *r
	}
	out := []any{}
	for _, c := range s.commands[gid] {
		out = append(out, s.commandWireLocked(gid, c))
	}
	return resp{body: out}
}

func (s *Server) putCommands(rc *reqCtx) resp {
	gid, r := s.commandScope(rc)
	if r != nil {
		return *r
	}
	v, br := s.decodeBody(rc)
	if br != nil {
		return *br
	}
	list, _ := v.([]any)
	var errs []fieldError
	for i, c := range list {
		errs = append(errs, normalizePermissionsForSpec(c, []string{fmt.Sprint(i)})...)
	}
	errs = append(errs, s.specErrors(rc, v)...)
	errs = append(errs, checkCommandList(list)...)
	if len(errs) > 0 {
		return invalidBody(errs)
	}
	old := map[string]*storedCommand{}
	for _, c := range s.commands[gid] {
		old[commandKey(c.def)] = c
	}
	var next []*storedCommand
	changed := len(list) != len(s.commands[gid])
	for _, cv := range list {
		def := normalizeCommand(cv.(map[string]any))
		sc := &storedCommand{def: def, canon: canonicalJSON(def)}
		if prev, ok := old[commandKey(def)]; ok {
			sc.id = prev.id
			sc.version = prev.version
			if prev.canon != sc.canon {
				sc.version = s.newID()
				changed = true
			}
		} else {
			sc.id = s.newID()
			sc.version = sc.id
			changed = true
		}
		next = append(next, sc)
	}
	s.commands[gid] = next
	out := []any{}
	for _, c := range next {
		out = append(out, s.commandWireLocked(gid, c))
	}
	s.recordRegistrationLocked(gid, next, changed)
	return resp{body: out}
}

func (s *Server) postCommand(rc *reqCtx) resp {
	gid, r := s.commandScope(rc)
	if r != nil {
		return *r
	}
	v, br := s.decodeBody(rc)
	if br != nil {
		return *br
	}
	errs := normalizePermissionsForSpec(v, nil)
	errs = append(errs, s.specErrors(rc, v)...)
	errs = append(errs, checkCommand(v, nil)...)
	if len(errs) > 0 {
		return invalidBody(errs)
	}
	def := normalizeCommand(v.(map[string]any))
	sc := &storedCommand{def: def, canon: canonicalJSON(def)}
	status := http.StatusCreated
	changed := true
	cmds := s.commands[gid]
	idx := slices.IndexFunc(cmds, func(c *storedCommand) bool { return commandKey(c.def) == commandKey(def) })
	if idx >= 0 {
		// Creating an existing name overwrites it (and answers 200).
		status = http.StatusOK
		sc.id, sc.version = cmds[idx].id, cmds[idx].version
		if cmds[idx].canon != sc.canon {
			sc.version = s.newID()
		} else {
			changed = false
		}
		cmds[idx] = sc
	} else {
		sc.id = s.newID()
		sc.version = sc.id
		s.commands[gid] = append(cmds, sc)
	}
	s.recordRegistrationLocked(gid, []*storedCommand{sc}, changed)
	return resp{status: status, body: s.commandWireLocked(gid, sc)}
}

func (s *Server) findCommandLocked(gid, id string) int {
	return slices.IndexFunc(s.commands[gid], func(c *storedCommand) bool { return c.id == id })
}

func (s *Server) getCommand(rc *reqCtx) resp {
	gid, r := s.commandScope(rc)
	if r != nil {
		return *r
	}
	i := s.findCommandLocked(gid, rc.params["command_id"])
	if i < 0 {
		return jsonErr(http.StatusNotFound, 10063, "Unknown application command")
	}
	return resp{body: s.commandWireLocked(gid, s.commands[gid][i])}
}

func (s *Server) deleteCommand(rc *reqCtx) resp {
	gid, r := s.commandScope(rc)
	if r != nil {
		return *r
	}
	i := s.findCommandLocked(gid, rc.params["command_id"])
	if i < 0 {
		return jsonErr(http.StatusNotFound, 10063, "Unknown application command")
	}
	s.commands[gid] = slices.Delete(s.commands[gid], i, i+1)
	s.notifyLocked()
	return resp{status: http.StatusNoContent}
}

func (s *Server) recordRegistrationLocked(gid string, cmds []*storedCommand, changed bool) {
	reg := Registration{GuildID: gid, Changed: changed, At: s.now()}
	for _, c := range cmds {
		reg.Names = append(reg.Names, fmt.Sprint(c.def["name"]))
		reg.Commands = append(reg.Commands, s.commandLocked(gid, c))
	}
	s.registrations = append(s.registrations, reg)
	s.notifyLocked()
}

func (s *Server) commandLocked(gid string, c *storedCommand) Command {
	raw := mustJSON(s.commandWireLocked(gid, c))
	var wire struct {
		Type                     int             `json:"type"`
		Name                     string          `json:"name"`
		Description              string          `json:"description"`
		DefaultMemberPermissions *string         `json:"default_member_permissions"`
		Contexts                 []int           `json:"contexts"`
		Options                  []CommandOption `json:"options"`
	}
	_ = json.Unmarshal(raw, &wire)
	return Command{
		ID: c.id, ApplicationID: s.ApplicationID, GuildID: gid, Version: c.version, Type: wire.Type, Name: wire.Name,
		Description: wire.Description, DefaultMemberPermissions: wire.DefaultMemberPermissions, Contexts: wire.Contexts,
		Options: wire.Options, Raw: raw,
	}
}

// Commands returns the commands registered for a guild ("" for global).
func (s *Server) Commands(guildID string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Command
	for _, c := range s.commands[guildID] {
		out = append(out, s.commandLocked(guildID, c))
	}
	return out
}

// Registrations returns every command registration received.
func (s *Server) Registrations() []Registration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.registrations)
}

// lookupCommandLocked finds a command the user could invoke in a guild:
// guild commands first, then global ones.
func (s *Server) lookupCommandLocked(guildID, name string, ctype int) (*storedCommand, string) {
	scopes := []string{""}
	if guildID != "" {
		scopes = []string{guildID, ""}
	}
	for _, gid := range scopes {
		for _, c := range s.commands[gid] {
			if fmt.Sprint(c.def["name"]) == name && fmt.Sprint(c.def["type"]) == fmt.Sprint(ctype) {
				return c, gid
			}
		}
	}
	return nil, ""
}
