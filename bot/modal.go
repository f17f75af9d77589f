package bot

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// modalSubmit is what a user entered in one of the bot's modals: the
// modal's custom_id, and each input's value(s) by custom_id.
type modalSubmit struct {
	CustomID string
	Values   map[string][]string
}

// value is a text input's value, or a select's first choice.
func (m modalSubmit) value(id string) string {
	if v := m.Values[id]; len(v) > 0 {
		return v[0]
	}
	return ""
}

type rawComponent struct {
	Type       int            `json:"type"`
	CustomID   string         `json:"custom_id"`
	Value      *string        `json:"value"`
	Values     []string       `json:"values"`
	Components []rawComponent `json:"components"`
	Component  *rawComponent  `json:"component"`
}

// maxModalDepth bounds the nesting of a modal's components: Discord's are
// two deep (a row or label holding an input); anything deeper is not ours.
const maxModalDepth = 4

// decodeModalSubmit reads a modal-submit interaction from its JSON. It is
// read here, not by discordgo, which v0.29 fails to decode for label
// components (type 18), the only way to put a select in a modal: the
// interaction would arrive without its data.
func decodeModalSubmit(raw []byte) (*discordgo.Interaction, modalSubmit, error) {
	var head struct {
		Type discordgo.InteractionType `json:"type"`
		Data *struct {
			CustomID   string         `json:"custom_id"`
			Components []rawComponent `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, modalSubmit{}, fmt.Errorf("modal submit: %w", err)
	}
	if head.Type != discordgo.InteractionModalSubmit || head.Data == nil {
		return nil, modalSubmit{}, errors.New("modal submit: not a modal submit with data")
	}
	var i discordgo.Interaction
	// discordgo fills every field outside data before it fails on a
	// component type it does not know; data is read above instead.
	_ = json.Unmarshal(raw, &i)
	if i.ID == "" || i.Token == "" {
		return nil, modalSubmit{}, errors.New("modal submit: no interaction id or token")
	}
	sub := modalSubmit{CustomID: head.Data.CustomID, Values: map[string][]string{}}
	var walk func(cs []rawComponent, depth int) error
	walk = func(cs []rawComponent, depth int) error {
		if depth > maxModalDepth {
			return errors.New("modal submit: components nested too deep")
		}
		for _, c := range cs {
			switch {
			case c.Value != nil && c.CustomID != "":
				sub.Values[c.CustomID] = []string{*c.Value}
			case c.Values != nil && c.CustomID != "":
				sub.Values[c.CustomID] = c.Values
			}
			if c.Component != nil {
				if err := walk([]rawComponent{*c.Component}, depth+1); err != nil {
					return err
				}
			}
			if err := walk(c.Components, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(head.Data.Components, 0); err != nil {
		return nil, modalSubmit{}, err
	}
	return &i, sub, nil
}
