package bot

import (
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Button actions and modals, encoded in custom_id as "bb:ACTION:ANSWERID".
// The answer ID finds the answer's record in the store, so the buttons of
// an answer keep working after a restart, as long as the record is kept.
const (
	actionFollowUp = "follow"
	actionPassages = "passages"
	actionVoteUp   = "up"
	actionVoteDown = "down"
	actionShare    = "share"
	actionRelated  = "related"
	// Modals.
	modalFollowUp = "ask"
	modalWhy      = "why"
)

// Custom IDs of the inputs inside the modals.
const (
	inputQuestion = "question"
	inputReason   = "reason"
	inputComment  = "comment"
)

// answerButtons are the buttons under an answer: a follow-up, the cited
// passages in full, a neutral vote each way, and, for an answer only its
// asker sees in a server, sharing it with the channel.
func answerButtons(l lang, answerID string, shareable bool) []discordgo.MessageComponent {
	row := []discordgo.MessageComponent{
		discordgo.Button{Label: l.T("Follow up"), Style: discordgo.PrimaryButton, CustomID: customID(actionFollowUp, answerID)},
		discordgo.Button{Label: l.T("Show passages"), Style: discordgo.SecondaryButton, CustomID: customID(actionPassages, answerID)},
		// Neutral colours: green and red would nudge the vote.
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👍"}, Style: discordgo.SecondaryButton, CustomID: customID(actionVoteUp, answerID)},
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton, CustomID: customID(actionVoteDown, answerID)},
	}
	if shareable {
		row = append(row, discordgo.Button{Label: l.T("Share to channel"), Style: discordgo.SecondaryButton, CustomID: customID(actionShare, answerID)})
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: row}}
}

// relatedButton offers the weakly related passages of a refused question.
func relatedButton(l lang, answerID string) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: l.T("Show related passages"), Style: discordgo.SecondaryButton, CustomID: customID(actionRelated, answerID)},
	}}}
}

func customID(action, answerID string) string {
	id := "bb:" + action + ":" + answerID
	if len(id) > maxCustomID {
		id = id[:maxCustomID]
	}
	return id
}

func parseCustomID(id string) (action, answerID string, ok bool) {
	rest, found := strings.CutPrefix(id, "bb:")
	if !found {
		return "", "", false
	}
	action, answerID, ok = strings.Cut(rest, ":")
	return action, answerID, ok && answerID != ""
}

// Modal components are written as plain JSON: discordgo v0.29 knows
// neither the label component (type 18) nor how to read it back.
const (
	componentLabel      = 18
	componentTextInput  = 4
	componentSelectMenu = 3
	textInputParagraph  = 2
)

type modalData struct {
	CustomID   string `json:"custom_id"`
	Title      string `json:"title"`
	Components []any  `json:"components"`
}

type labelComponent struct {
	Type        int    `json:"type"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	Component   any    `json:"component"`
}

type textInput struct {
	Type        int    `json:"type"`
	CustomID    string `json:"custom_id"`
	Style       int    `json:"style"`
	MinLength   int    `json:"min_length,omitempty"`
	MaxLength   int    `json:"max_length,omitempty"`
	Required    bool   `json:"required"`
	Placeholder string `json:"placeholder,omitempty"`
}

type selectOption struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

type stringSelect struct {
	Type      int            `json:"type"`
	CustomID  string         `json:"custom_id"`
	Options   []selectOption `json:"options"`
	MinValues int            `json:"min_values"`
	MaxValues int            `json:"max_values"`
	Required  bool           `json:"required"`
}

// followUpModal asks for a follow-up question to an answer, of at most
// maxLen characters (discord.max_question_chars; a text input takes at
// most 4000).
func followUpModal(l lang, answerID, earlier string, maxLen int) modalData {
	return modalData{
		CustomID: customID(modalFollowUp, answerID),
		Title:    l.T("Ask a follow-up question"),
		Components: []any{labelComponent{
			Type: componentLabel, Label: l.T("Your follow-up question"),
			Description: cutText(l.T("Follow-up of: %s", earlier), 100),
			Component: textInput{Type: componentTextInput, CustomID: inputQuestion, Style: textInputParagraph,
				MinLength: 1, MaxLength: min(maxLen, maxTextInputLength), Required: true},
		}},
	}
}

// whyModal asks what was wrong with an answer voted down; both parts are
// optional, the vote stands either way.
func whyModal(l lang, answerID string) modalData {
	return modalData{
		CustomID: customID(modalWhy, answerID),
		Title:    l.T("What was wrong?"),
		Components: []any{
			labelComponent{Type: componentLabel, Label: l.T("What was wrong?"),
				Component: stringSelect{Type: componentSelectMenu, CustomID: inputReason, Options: reasonOptions(l), MinValues: 0, MaxValues: 1}},
			labelComponent{Type: componentLabel, Label: l.T("Tell us more (optional)"),
				Component: textInput{Type: componentTextInput, CustomID: inputComment, Style: textInputParagraph, MaxLength: 1000}},
		},
	}
}

// maxTextInputLength is the most characters Discord lets a modal's text
// input take.
const maxTextInputLength = 4000
