package bot

import (
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Button actions and modals, encoded in custom_id as "bb:ACTION:ANSWERID",
// or "bb:ACTION:ANSWERID:REFS" for the buttons that show passages (see
// stateless.go). The answer ID finds the answer's record in the store, so
// the buttons of an answer keep working after a restart, as long as the
// record is kept; on a replica without the record, the refs and the
// message the button is on stand in for it.
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
// refs are the cited passages' refs in the order the answer numbers them
// (passageRefs).
func answerButtons(l lang, answerID string, refs []string, shareable bool) []discordgo.MessageComponent {
	row := []discordgo.MessageComponent{
		discordgo.Button{Label: l.T("Follow up"), Style: discordgo.PrimaryButton, CustomID: customID(actionFollowUp, answerID)},
		discordgo.Button{Label: l.T("Show passages"), Style: discordgo.SecondaryButton, CustomID: customID(actionPassages, answerID, refs...)},
		// Neutral colours: green and red would nudge the vote.
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👍"}, Style: discordgo.SecondaryButton, CustomID: customID(actionVoteUp, answerID)},
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton, CustomID: customID(actionVoteDown, answerID)},
	}
	if shareable {
		row = append(row, discordgo.Button{Label: l.T("Share to channel"), Style: discordgo.SecondaryButton, CustomID: customID(actionShare, answerID)})
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: row}}
}

// relatedButton offers the weakly related passages of a refused question;
// refs name them (relatedRefs).
func relatedButton(l lang, answerID string, refs []string) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: l.T("Show related passages"), Style: discordgo.SecondaryButton, CustomID: customID(actionRelated, answerID, refs...)},
	}}}
}

// customID is "bb:ACTION:ANSWERID", then ":" and the refs joined by "."
// as far as they fit in Discord's 100 characters: a ref that does not fit
// is left out with all after it.
func customID(action, answerID string, refs ...string) string {
	id := "bb:" + action + ":" + answerID
	if len(id) > maxCustomID {
		return id[:maxCustomID]
	}
	sep := ":"
	for _, r := range refs {
		if r == "" || len(id)+len(sep)+len(r) > maxCustomID {
			break
		}
		id += sep + r
		sep = refSeparator
	}
	return id
}

// refSeparator separates the refs of a custom_id.
const refSeparator = "."

// parseCustomID reads a custom_id made by customID; refs is what follows
// the answer ID ("" for none), still joined.
func parseCustomID(id string) (action, answerID, refs string, ok bool) {
	rest, found := strings.CutPrefix(id, "bb:")
	if !found {
		return "", "", "", false
	}
	action, rest, ok = strings.Cut(rest, ":")
	if !ok {
		return "", "", "", false
	}
	answerID, refs, withRefs := strings.Cut(rest, ":")
	if answerID == "" || withRefs && refs == "" {
		return "", "", "", false
	}
	return action, answerID, refs, true
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
