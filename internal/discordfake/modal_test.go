package discordfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// discordgo v0.29 has no Label component. A bot builds one as its own
// MessageComponent; these types are what such a bot would write.

// label is a modal Label (type 18) around one component.
type label struct {
	Label       string                     `json:"label"`
	Description string                     `json:"description,omitempty"`
	Component   discordgo.MessageComponent `json:"component"`
}

func (label) Type() discordgo.ComponentType { return componentTypeLabel }

func (l label) MarshalJSON() ([]byte, error) {
	type fields label // drops this method, so no recursion
	return json.Marshal(struct {
		Type discordgo.ComponentType `json:"type"`
		fields
	}{componentTypeLabel, fields(l)})
}

// labelInput is a text input for a label: discordgo's TextInput always
// sends "label", "" when unset, which Discord refuses (the Label carries
// the text now).
type labelInput struct {
	CustomID  string                   `json:"custom_id"`
	Style     discordgo.TextInputStyle `json:"style"`
	Required  *bool                    `json:"required,omitempty"`
	MaxLength int                      `json:"max_length,omitempty"`
}

func (labelInput) Type() discordgo.ComponentType { return discordgo.TextInputComponent }

func (in labelInput) MarshalJSON() ([]byte, error) {
	type fields labelInput
	return json.Marshal(struct {
		Type discordgo.ComponentType `json:"type"`
		fields
	}{discordgo.TextInputComponent, fields(in)})
}

// rawComponent sends JSON as written.
type rawComponent struct {
	typ  discordgo.ComponentType
	json string
}

func (r rawComponent) Type() discordgo.ComponentType { return r.typ }
func (r rawComponent) MarshalJSON() ([]byte, error)  { return []byte(r.json), nil }

func ptr[T any](v T) *T { return &v }

// surveyModal mixes every shape: a string select in a label, a text input
// in a label, a classic action row with a text input, and a text display
// whose id the bot chose.
func surveyModal() *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{CustomID: "survey-modal", Title: "Survey", Components: []discordgo.MessageComponent{
			label{Label: "Topics", Description: "Pick one or two", Component: discordgo.SelectMenu{
				CustomID: "topics", MaxValues: 2,
				Options: []discordgo.SelectMenuOption{{Label: "A", Value: "a"}, {Label: "B", Value: "b"}, {Label: "C", Value: "c"}},
			}},
			label{Label: "Details", Component: labelInput{CustomID: "details", Style: discordgo.TextInputParagraph, Required: ptr(false), MaxLength: 50}},
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: "legacy", Label: "Old style", Style: discordgo.TextInputShort, Required: true},
			}},
			rawComponent{10, `{"type":10,"id":2,"content":"Thanks for answering."}`},
		}},
	}
}

// modalField is what a bot parses from a raw modal submit.
type modalField struct {
	Type       int          `json:"type"`
	ID         int          `json:"id"`
	CustomID   string       `json:"custom_id"`
	Value      string       `json:"value"`
	Values     []string     `json:"values"`
	Component  *modalField  `json:"component"`
	Components []modalField `json:"components"`
}

// A label modal through a real discordgo session: discordgo cannot decode
// the submit, so the bot answers from the raw gateway event, as briefbot
// will.
func TestDiscordgoLabelModal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, nil)
	s := h.s
	ctx := testCtx(t)
	if _, err := h.dg.ApplicationCommandBulkOverwrite(s.ApplicationID, s.GuildID, []*discordgo.ApplicationCommand{{Name: "survey", Description: "opens a survey"}}); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 4)
	h.handle("survey", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
		errc <- ss.InteractionRespond(ic.Interaction, surveyModal())
	})
	typed := make(chan *discordgo.InteractionCreate, 1)
	h.dg.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
		if ic.Type == discordgo.InteractionModalSubmit {
			typed <- ic
		}
	})
	rawEvents := make(chan json.RawMessage, 1)
	h.dg.AddHandler(func(ss *discordgo.Session, e *discordgo.Event) {
		if e.Type != "INTERACTION_CREATE" {
			return
		}
		var in struct {
			ID, Token string
			Type      int
			Data      struct {
				CustomID   string       `json:"custom_id"`
				Components []modalField `json:"components"`
			}
		}
		if err := json.Unmarshal(e.RawData, &in); err != nil || in.Type != InteractionModalSubmit {
			return
		}
		rawEvents <- slices.Clone(e.RawData)
		got := map[string]string{}
		var walk func(fs []modalField)
		walk = func(fs []modalField) {
			for _, f := range fs {
				switch {
				case f.Component != nil:
					walk([]modalField{*f.Component})
				case f.Type == componentTypeStringSelect:
					got[f.CustomID] = strings.Join(f.Values, ",")
				case f.Type == componentTypeTextInput:
					got[f.CustomID] = f.Value
				}
				walk(f.Components)
			}
		}
		walk(in.Data.Components)
		errc <- ss.InteractionRespond(&discordgo.Interaction{ID: in.ID, Token: in.Token}, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: fmt.Sprintf("topics=%s details=%q legacy=%s", got["topics"], got["details"], got["legacy"]), AllowedMentions: noMentions},
		})
	})

	open := s.Interact(ctx, InteractionSpec{CommandName: "survey"})
	if err := recv(ctx, t, errc); err != nil {
		t.Fatalf("modal callback: %v", err)
	}
	cb, err := open.WaitCallback(ctx)
	if err != nil || cb.Modal == nil {
		t.Fatalf("callback = %+v, %v", cb, err)
	}
	md := cb.Modal
	if len(md.Components) != 4 || md.Components[0].Type != componentTypeLabel || md.Components[0].Label != "Topics" || md.Components[0].Description != "Pick one or two" ||
		md.Components[0].Component == nil || md.Components[0].Component.Type != componentTypeStringSelect || len(md.Components[0].Component.Options) != 3 ||
		md.Components[1].Component == nil || md.Components[1].Component.CustomID != "details" || md.Components[1].Component.Label != "" ||
		md.Components[1].Component.Required == nil || *md.Components[1].Component.Required || *md.Components[1].Component.MaxLength != 50 {
		t.Fatalf("stored modal = %+v", md)
	}
	var ids []int
	eachComponent(md.Components, func(c *Component) { ids = append(ids, c.ID) })
	// Depth first from 1, skipping the text display's own 2.
	if fmt.Sprint(ids) != "[1 3 4 5 6 7 2]" {
		t.Fatalf("component ids = %v, want [1 3 4 5 6 7 2]", ids)
	}

	refusals := []struct {
		name string
		spec InteractionSpec
		want string
	}{
		{"option not offered", InteractionSpec{ModalSelections: map[string][]string{"topics": {"z"}}, ModalValues: map[string]string{"legacy": "x"}}, `no option with value "z"`},
		{"too many options", InteractionSpec{ModalSelections: map[string][]string{"topics": {"a", "b", "c"}}, ModalValues: map[string]string{"legacy": "x"}}, "takes 1..2 values, got 3"},
		{"required select left empty", InteractionSpec{ModalValues: map[string]string{"legacy": "x"}}, "takes 1..2 values, got 0"},
		{"required text input left empty", InteractionSpec{ModalSelections: map[string][]string{"topics": {"a"}}}, `"legacy" is required`},
		{"text over max_length", InteractionSpec{ModalSelections: map[string][]string{"topics": {"a"}}, ModalValues: map[string]string{"legacy": "x", "details": strings.Repeat("x", 51)}}, "takes 0..50 characters, got 51"},
		{"select given as text", InteractionSpec{ModalValues: map[string]string{"legacy": "x", "topics": "a"}}, "give its values in ModalSelections"},
		{"text given as selection", InteractionSpec{ModalSelections: map[string][]string{"topics": {"a"}, "legacy": {"x"}}}, "give its value in ModalValues"},
		{"unknown text input", InteractionSpec{ModalSelections: map[string][]string{"topics": {"a"}}, ModalValues: map[string]string{"legacy": "x", "nope": "x"}}, `no text input "nope"`},
		{"unknown select", InteractionSpec{ModalSelections: map[string][]string{"topics": {"a"}, "nope": {"x"}}, ModalValues: map[string]string{"legacy": "x"}}, `no string select "nope"`},
	}
	for _, tc := range refusals {
		tc.spec.CustomID = "survey-modal"
		if _, err := s.TryInteract(ctx, tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: TryInteract = %v, want an error with %q", tc.name, err, tc.want)
		}
	}

	sub := s.Interact(ctx, InteractionSpec{
		CustomID:        "survey-modal",
		ModalSelections: map[string][]string{"topics": {"a", "c"}},
		ModalValues:     map[string]string{"legacy": "old way"},
	})
	if err := sub.Err(); err != nil {
		t.Fatal(err)
	}
	if err := recv(ctx, t, errc); err != nil {
		t.Fatalf("answer from the raw event: %v", err)
	}
	if e, err := sub.WaitFinal(ctx); err != nil || e.Message.Content != `topics=a,c details="" legacy=old way` {
		t.Fatalf("answer = %q, %v", e.Message.Content, err)
	}

	// The exact shape Discord sends: labels carry only type, id and their
	// child's answer; every component comes back, the optional input empty.
	want := `{"custom_id":"survey-modal","components":[
		{"type":18,"id":1,"component":{"type":3,"id":3,"custom_id":"topics","values":["a","c"]}},
		{"type":18,"id":4,"component":{"type":4,"id":5,"custom_id":"details","value":""}},
		{"type":1,"id":6,"components":[{"type":4,"id":7,"custom_id":"legacy","value":"old way"}]},
		{"type":10,"id":2}]}`
	var payload map[string]any
	if err := json.Unmarshal(sub.Payload, &payload); err != nil {
		t.Fatal(err)
	}
	if got, exp := compactJSON(payload["data"]), compactJSON(mustDecode(t, want)); got != exp {
		t.Fatalf("modal submit data =\n%s\nwant\n%s", got, exp)
	}
	if raw := recv(ctx, t, rawEvents); compactJSON(mustDecode(t, string(raw))) != compactJSON(mustDecode(t, string(sub.Payload))) {
		t.Fatalf("gateway event differs from Interaction.Payload:\n%s\n%s", raw, sub.Payload)
	}

	// discordgo's typed event arrives with the interaction but no data.
	if ic := recv(ctx, t, typed); ic.ID != sub.ID || ic.Token != sub.Token || ic.Data != nil {
		t.Fatalf("discordgo InteractionCreate = id %s data %#v, want id %s and nil data", ic.ID, ic.Data, sub.ID)
	}
	s.AssertClean(t)
}

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

// discordgo v0.29 cannot unmarshal component type 18, so a bot must parse
// label modal submits from the raw interaction. When this test fails,
// discordgo has learned labels: the bot can use ModalSubmitData instead.
func TestDiscordgoCannotDecodeLabelSubmits(t *testing.T) {
	s := New(t, Options{AllowUnregisteredCommands: true})
	modal := &Modal{CustomID: "m", Title: "t", Components: []Component{
		{Type: componentTypeLabel, Label: "Pick", Component: &Component{Type: componentTypeStringSelect, CustomID: "pick", Options: []SelectOption{{Label: "A", Value: "a"}}}},
	}}
	assignComponentIDs(modal.Components)
	data, err := modalSubmitData(modal, nil, map[string][]string{"pick": {"a"}})
	if err != nil {
		t.Fatal(err)
	}
	raw := mustJSON(map[string]any{"id": s.newID(), "application_id": s.ApplicationID, "type": InteractionModalSubmit, "token": "x", "version": 1, "data": data})
	var in discordgo.Interaction
	err = json.Unmarshal(raw, &in)
	if err == nil {
		t.Fatalf("discordgo decoded a label modal submit (%+v): it supports type 18 now; let the bot use ModalSubmitData and update this test", in.Data)
	}
	if !strings.Contains(err.Error(), "unknown component type: 18") {
		t.Fatalf("discordgo error = %v, want unknown component type: 18", err)
	}
	// Rows of text inputs alone still decode, with their ids.
	rows := &Modal{CustomID: "m", Components: []Component{{Type: componentTypeActionRow, Components: []Component{{Type: componentTypeTextInput, CustomID: "q", Required: ptr(false)}}}}}
	assignComponentIDs(rows.Components)
	data, err = modalSubmitData(rows, map[string]string{"q": "hi"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw = mustJSON(map[string]any{"id": s.newID(), "type": InteractionModalSubmit, "token": "x", "version": 1, "data": data})
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatalf("discordgo on a rows-only modal: %v", err)
	}
	row := in.ModalSubmitData().Components[0].(*discordgo.ActionsRow)
	if ti := row.Components[0].(*discordgo.TextInput); row.ID != 1 || ti.ID != 2 || ti.Value != "hi" {
		t.Fatalf("decoded row = %+v, input %+v", row, ti)
	}
}

// Modal bodies are checked against the spec's ModalInteractionCallbackRequest
// (labels, their children, rows of text inputs only) like any other body.
func TestModalCallbackValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, nil)
	s := h.s
	ctx := testCtx(t)
	if _, err := h.dg.ApplicationCommandBulkOverwrite(s.ApplicationID, s.GuildID, []*discordgo.ApplicationCommand{{Name: "form", Description: "opens a form"}}); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	var respond func(ss *discordgo.Session, ic *discordgo.InteractionCreate) error
	h.handle("form", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) { errc <- respond(ss, ic) })
	modal := func(cs ...discordgo.MessageComponent) func(*discordgo.Session, *discordgo.InteractionCreate) error {
		return func(ss *discordgo.Session, ic *discordgo.InteractionCreate) error {
			return ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseModal,
				Data: &discordgo.InteractionResponseData{CustomID: "form", Title: "Form", Components: cs},
			})
		}
	}
	tests := []struct {
		name     string
		respond  func(*discordgo.Session, *discordgo.InteractionCreate) error
		wantPath string // of the field error; "" when the modal is accepted
	}{
		// discordgo's TextInput always sends "label"; inside a Label, Discord
		// answers 50035 on data.components.N.component.label.
		{"discordgo TextInput in a label", modal(label{Label: "Why?", Component: discordgo.TextInput{CustomID: "why", Style: discordgo.TextInputShort}}), "data.components.0.component.label"},
		{"label without its component", modal(rawComponent{18, `{"type":18,"label":"Why?"}`}), "data.components.0.component"},
		{"label text over 45 characters", modal(label{Label: strings.Repeat("x", 46), Component: labelInput{CustomID: "why", Style: discordgo.TextInputShort}}), "data.components.0.label"},
		{"select in an action row", modal(discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.SelectMenu{CustomID: "pick", Options: []discordgo.SelectMenuOption{{Label: "A", Value: "a"}}}}}), "data.components.0.components.0.type"},
		{"custom_id over 100 characters in a label", modal(label{Label: "Why?", Component: labelInput{CustomID: strings.Repeat("x", 101), Style: discordgo.TextInputShort}}), "data.components.0.component.custom_id"},
		{"select and input in labels", modal(
			label{Label: "Pick", Component: discordgo.SelectMenu{CustomID: "pick", Options: []discordgo.SelectMenuOption{{Label: "A", Value: "a"}}}},
			label{Label: "Why?", Component: labelInput{CustomID: "why", Style: discordgo.TextInputShort}},
		), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			respond = tc.respond
			it := s.Interact(ctx, InteractionSpec{CommandName: "form"})
			err := recv(ctx, t, errc)
			vs := s.TakeViolations()
			if tc.wantPath == "" {
				if err != nil || len(vs) != 0 {
					t.Fatalf("valid modal: %v, violations %v", err, vs)
				}
				if cb, err := it.WaitCallback(ctx); err != nil || cb.Modal == nil || len(cb.Modal.Components) != 2 {
					t.Fatalf("callback = %+v, %v", cb, err)
				}
				return
			}
			if restCode(err) != 50035 || len(vs) != 1 || vs[0].Kind != ViolationInvalidBody {
				t.Fatalf("answer %v, violations %v; want 50035 and one invalid_body", err, vs)
			}
			if !slices.ContainsFunc(vs[0].Errors, func(e string) bool { return strings.HasPrefix(e, tc.wantPath+": ") }) {
				t.Fatalf("field errors = %v, want one at %s", vs[0].Errors, tc.wantPath)
			}
			// Nothing was shown: the user gets "This interaction failed".
			h.clock.Advance(AckDeadline + 1)
			s.TakeViolations()
		})
	}
}
