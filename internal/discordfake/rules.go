package discordfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Limits Discord enforces that the OpenAPI document does not express (or
// expresses more loosely), per the Discord developer documentation and
// ../shared/specs/README.md.
const (
	MaxContentLength        = 2000
	MaxEmbeds               = 10
	MaxEmbedTotal           = 6000
	MaxEmbedTitle           = 256
	MaxEmbedDescription     = 4096
	MaxEmbedFields          = 25
	MaxEmbedFieldName       = 256
	MaxEmbedFieldValue      = 1024
	MaxEmbedFooterText      = 2048
	MaxEmbedAuthorName      = 256
	MaxCustomID             = 100
	MaxAutocompleteChoices  = 25
	MaxChoiceName           = 100
	MaxAutocompleteValue    = 100
	MaxCommandTotal         = 8000
	MaxCommandDescription   = 100
	MaxGlobalChatCommands   = 100
	MessageFlagEphemeral    = 1 << 6
	MessageFlagLoading      = 1 << 7
	MessageFlagSuppressEmbs = 1 << 2
)

var commandNameRE = regexp.MustCompile(`^[-_\p{L}\p{N}]{1,32}$`)

func runeLen(v any) int {
	s, _ := v.(string)
	return utf8.RuneCountInString(s)
}

// messageCheck says which message rules apply to a body.
type messageCheck struct {
	// requireAllowedMentions: the project rule that every message a bot
	// creates or edits carries allowed_mentions with parse set to an array,
	// so a question quoted from a user can never ping @everyone.
	requireAllowedMentions bool
	// create: the body creates a message, so it must not be empty.
	create bool
}

// checkMessage applies the hand-written limits to a message body (a
// MessageCreateRequest, webhook execute/edit body, or interaction callback
// data). path locates body inside the request (nil for the whole body).
func checkMessage(body any, path []string, mc messageCheck) []fieldError {
	m, ok := body.(map[string]any)
	if !ok {
		if body == nil && mc.create {
			return []fieldError{{path, "BASE_TYPE_REQUIRED", "Message data is required."}}
		}
		return nil
	}
	var errs []fieldError
	if c, ok := m["content"].(string); ok && utf8.RuneCountInString(c) > MaxContentLength {
		errs = append(errs, fieldError{appendPath(path, "content"), "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxContentLength)})
	}
	errs = append(errs, checkEmbeds(m["embeds"], appendPath(path, "embeds"))...)
	errs = append(errs, checkComponents(m["components"], appendPath(path, "components"))...)
	if mc.requireAllowedMentions {
		errs = append(errs, checkAllowedMentions(m, path)...)
	}
	return errs
}

func checkAllowedMentions(m map[string]any, path []string) []fieldError {
	am, present := m["allowed_mentions"]
	p := appendPath(path, "allowed_mentions")
	const why = " (discordfake project rule: send allowed_mentions with parse as an array, e.g. {\"parse\":[]}; discordgo sends \"parse\": null for a zero MessageAllowedMentions)"
	if !present || am == nil {
		return []fieldError{{p, "ALLOWED_MENTIONS_REQUIRED", "allowed_mentions is missing or null" + why}}
	}
	obj, ok := am.(map[string]any)
	if !ok {
		return []fieldError{{p, "ALLOWED_MENTIONS_REQUIRED", "allowed_mentions is not an object" + why}}
	}
	if _, ok := obj["parse"].([]any); !ok {
		return []fieldError{{appendPath(p, "parse"), "ALLOWED_MENTIONS_REQUIRED", "allowed_mentions.parse must be an array, got " + jsonType(obj["parse"]) + why}}
	}
	return nil
}

// messageIsEmpty reports whether a message body would show nothing.
func messageIsEmpty(m map[string]any, attachments int) bool {
	if c, _ := m["content"].(string); strings.TrimSpace(c) != "" {
		return false
	}
	if e, _ := m["embeds"].([]any); len(e) > 0 {
		return false
	}
	if c, _ := m["components"].([]any); len(c) > 0 {
		return false
	}
	if p, ok := m["poll"]; ok && p != nil {
		return false
	}
	if s, _ := m["sticker_ids"].([]any); len(s) > 0 {
		return false
	}
	return attachments == 0
}

func checkEmbeds(v any, path []string) []fieldError {
	embeds, ok := v.([]any)
	if !ok {
		return nil
	}
	var errs []fieldError
	if len(embeds) > MaxEmbeds {
		errs = append(errs, fieldError{path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxEmbeds)})
	}
	total := 0
	for i, ev := range embeds {
		e, ok := ev.(map[string]any)
		if !ok {
			continue
		}
		ep := appendPath(path, fmt.Sprint(i))
		limit := func(key string, v any, max int, p []string) {
			if n := runeLen(v); n > max {
				errs = append(errs, fieldError{appendPath(p, key), "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", max)})
			}
		}
		limit("title", e["title"], MaxEmbedTitle, ep)
		limit("description", e["description"], MaxEmbedDescription, ep)
		total += runeLen(e["title"]) + runeLen(e["description"])
		if f, ok := e["footer"].(map[string]any); ok {
			limit("text", f["text"], MaxEmbedFooterText, appendPath(ep, "footer"))
			total += runeLen(f["text"])
		}
		if a, ok := e["author"].(map[string]any); ok {
			limit("name", a["name"], MaxEmbedAuthorName, appendPath(ep, "author"))
			total += runeLen(a["name"])
		}
		if fields, ok := e["fields"].([]any); ok {
			fp := appendPath(ep, "fields")
			if len(fields) > MaxEmbedFields {
				errs = append(errs, fieldError{fp, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxEmbedFields)})
			}
			for j, fv := range fields {
				f, ok := fv.(map[string]any)
				if !ok {
					continue
				}
				p := appendPath(fp, fmt.Sprint(j))
				limit("name", f["name"], MaxEmbedFieldName, p)
				limit("value", f["value"], MaxEmbedFieldValue, p)
				total += runeLen(f["name"]) + runeLen(f["value"])
			}
		}
	}
	if total > MaxEmbedTotal {
		errs = append(errs, fieldError{path, "MAX_EMBED_SIZE_EXCEEDED", fmt.Sprintf("Embed size exceeds maximum size of %d (got %d characters over all embeds).", MaxEmbedTotal, total)})
	}
	return errs
}

// checkComponents walks components of any depth (action rows, containers,
// sections, labels) and checks every custom_id.
func checkComponents(v any, path []string) []fieldError {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	var errs []fieldError
	for i, cv := range list {
		c, ok := cv.(map[string]any)
		if !ok {
			continue
		}
		p := appendPath(path, fmt.Sprint(i))
		if id, ok := c["custom_id"].(string); ok && utf8.RuneCountInString(id) > MaxCustomID {
			errs = append(errs, fieldError{appendPath(p, "custom_id"), "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxCustomID)})
		}
		errs = append(errs, checkComponents(c["components"], appendPath(p, "components"))...)
		if child, ok := c["component"]; ok { // a label's child
			errs = append(errs, checkComponents([]any{child}, appendPath(p, "component"))...)
		}
		if acc, ok := c["accessory"]; ok {
			errs = append(errs, checkComponents([]any{acc}, appendPath(p, "accessory"))...)
		}
	}
	return errs
}

// checkAutocomplete checks the data of a type-8 callback.
func checkAutocomplete(data any, path []string) []fieldError {
	m, ok := data.(map[string]any)
	if !ok {
		return []fieldError{{path, "BASE_TYPE_REQUIRED", "This field is required"}}
	}
	choices, ok := m["choices"].([]any)
	if !ok {
		return []fieldError{{appendPath(path, "choices"), "BASE_TYPE_REQUIRED", "choices must be an array"}}
	}
	cp := appendPath(path, "choices")
	var errs []fieldError
	if len(choices) > MaxAutocompleteChoices {
		errs = append(errs, fieldError{cp, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxAutocompleteChoices)})
	}
	for i, cv := range choices {
		c, ok := cv.(map[string]any)
		if !ok {
			continue
		}
		p := appendPath(cp, fmt.Sprint(i))
		if n := runeLen(c["name"]); n < 1 || n > MaxChoiceName {
			errs = append(errs, fieldError{appendPath(p, "name"), "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between 1 and %d in length.", MaxChoiceName)})
		}
		if s, ok := c["value"].(string); ok && utf8.RuneCountInString(s) > MaxAutocompleteValue {
			errs = append(errs, fieldError{appendPath(p, "value"), "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxAutocompleteValue)})
		}
	}
	return errs
}

// normalizePermissionsForSpec rewrites default_member_permissions so the
// spec (which types it as integer) can check the range, and reports the
// project rule that it must be sent as a numeric string, the way Discord
// itself sends it.
func normalizePermissionsForSpec(cmd any, path []string) []fieldError {
	m, ok := cmd.(map[string]any)
	if !ok {
		return nil
	}
	v, present := m["default_member_permissions"]
	if !present || v == nil {
		return nil
	}
	p := appendPath(path, "default_member_permissions")
	switch x := v.(type) {
	case string:
		if x == "" || strings.Trim(x, "0123456789") != "" {
			return []fieldError{{p, "NUMBER_TYPE_COERCE", fmt.Sprintf("Value %q is not a numeric permission string.", x)}}
		}
		m["default_member_permissions"] = json.Number(x)
		return nil
	case json.Number:
		return []fieldError{{p, "PERMISSIONS_NOT_STRING", "default_member_permissions must be a numeric string (Discord sends and accepts \"8\", not 8)."}}
	}
	return nil // the spec reports other types
}

// checkCommand applies the naming and size rules to one command body.
func checkCommand(cmd any, path []string) []fieldError {
	m, ok := cmd.(map[string]any)
	if !ok {
		return nil
	}
	ctype := 1
	if t, ok := m["type"].(json.Number); ok {
		if n, err := t.Int64(); err == nil {
			ctype = int(n)
		}
	}
	var errs []fieldError
	name, _ := m["name"].(string)
	if ctype == 1 {
		errs = append(errs, checkChatName(name, appendPath(path, "name"))...)
		if n := runeLen(m["description"]); n < 1 || n > MaxCommandDescription {
			errs = append(errs, fieldError{appendPath(path, "description"), "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between 1 and %d in length.", MaxCommandDescription)})
		}
		errs = append(errs, checkOptions(m["options"], appendPath(path, "options"))...)
	} else {
		if n := utf8.RuneCountInString(name); n < 1 || n > 32 {
			errs = append(errs, fieldError{appendPath(path, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."})
		}
		if d, _ := m["description"].(string); d != "" {
			errs = append(errs, fieldError{appendPath(path, "description"), "APPLICATION_COMMAND_DESCRIPTION_NOT_ALLOWED", "User and message commands cannot have a description."})
		}
	}
	if total := commandSize(m); total > MaxCommandTotal {
		errs = append(errs, fieldError{path, "APPLICATION_COMMAND_TOO_LARGE", fmt.Sprintf("Command exceeds maximum size (%d); got %d characters.", MaxCommandTotal, total)})
	}
	return errs
}

func checkChatName(name string, path []string) []fieldError {
	if !commandNameRE.MatchString(name) {
		return []fieldError{{path, "APPLICATION_COMMAND_INVALID_NAME", fmt.Sprintf("Command name %q is invalid: must match ^[-_\\p{L}\\p{N}]{1,32}$.", name)}}
	}
	if strings.ToLower(name) != name {
		return []fieldError{{path, "APPLICATION_COMMAND_INVALID_NAME", fmt.Sprintf("Command name %q is invalid: must be lowercase.", name)}}
	}
	return nil
}

func checkOptions(v any, path []string) []fieldError {
	opts, ok := v.([]any)
	if !ok {
		return nil
	}
	var errs []fieldError
	seen := map[string]bool{}
	sawOptional := false
	for i, ov := range opts {
		o, ok := ov.(map[string]any)
		if !ok {
			continue
		}
		p := appendPath(path, fmt.Sprint(i))
		name, _ := o["name"].(string)
		errs = append(errs, checkChatName(name, appendPath(p, "name"))...)
		if seen[name] {
			errs = append(errs, fieldError{appendPath(p, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique."})
		}
		seen[name] = true
		otype := 0
		if t, ok := o["type"].(json.Number); ok {
			n, _ := t.Int64()
			otype = int(n)
		}
		if otype == 1 || otype == 2 { // sub-command and group nest their own options
			errs = append(errs, checkOptions(o["options"], appendPath(p, "options"))...)
			continue
		}
		req, _ := o["required"].(bool)
		if req && sawOptional {
			errs = append(errs, fieldError{appendPath(p, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options."})
		}
		if !req {
			sawOptional = true
		}
		choices, _ := o["choices"].([]any)
		if ac, _ := o["autocomplete"].(bool); ac && len(choices) > 0 {
			errs = append(errs, fieldError{appendPath(p, "autocomplete"), "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID", "Autocomplete cannot be set with choices."})
		}
		for j, cv := range choices {
			c, ok := cv.(map[string]any)
			if !ok {
				continue
			}
			if n := runeLen(c["name"]); n < 1 || n > MaxChoiceName {
				errs = append(errs, fieldError{appendPath(appendPath(appendPath(p, "choices"), fmt.Sprint(j)), "name"), "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between 1 and %d in length.", MaxChoiceName)})
			}
		}
	}
	return errs
}

// commandSize is the character total Discord caps at 8000: the name and
// description of the command and of every option (recursively), plus every
// choice name and value.
func commandSize(m map[string]any) int {
	n := runeLen(m["name"]) + runeLen(m["description"])
	opts, _ := m["options"].([]any)
	for _, ov := range opts {
		o, ok := ov.(map[string]any)
		if !ok {
			continue
		}
		n += commandSize(o)
		choices, _ := o["choices"].([]any)
		for _, cv := range choices {
			c, ok := cv.(map[string]any)
			if !ok {
				continue
			}
			n += runeLen(c["name"])
			switch v := c["value"].(type) {
			case string:
				n += utf8.RuneCountInString(v)
			case json.Number:
				n += len(v.String())
			}
		}
	}
	return n
}

// checkCommandList applies the rules that span a bulk overwrite.
func checkCommandList(cmds []any) []fieldError {
	var errs []fieldError
	seen := map[string]int{}
	chat := 0
	for i, cv := range cmds {
		errs = append(errs, checkCommand(cv, []string{fmt.Sprint(i)})...)
		m, ok := cv.(map[string]any)
		if !ok {
			continue
		}
		ctype := "1"
		if t, ok := m["type"].(json.Number); ok {
			ctype = t.String()
		}
		if ctype == "1" {
			chat++
		}
		key := ctype + "/" + fmt.Sprint(m["name"])
		if j, dup := seen[key]; dup {
			errs = append(errs, fieldError{[]string{fmt.Sprint(i), "name"}, "APPLICATION_COMMANDS_DUPLICATE_NAME", fmt.Sprintf("Application command names must be unique (same as command %d).", j)})
		}
		seen[key] = i
	}
	if chat > MaxGlobalChatCommands {
		errs = append(errs, fieldError{nil, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer chat input commands.", MaxGlobalChatCommands)})
	}
	return errs
}
