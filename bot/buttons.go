package bot

import (
	"strings"

	"github.com/bwmarrin/discordgo"
)

func answerButtons(answerID string) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Show passages", Style: discordgo.SecondaryButton, CustomID: customID(actionPassages, answerID)},
		discordgo.Button{Label: "Helpful", Style: discordgo.SuccessButton, CustomID: customID(actionVoteUp, answerID)},
		discordgo.Button{Label: "Not helpful", Style: discordgo.DangerButton, CustomID: customID(actionVoteDown, answerID)},
	}}}
}

// Button actions, encoded in custom_id as "bb:ACTION:ANSWERID".
const (
	actionPassages = "passages"
	actionVoteUp   = "up"
	actionVoteDown = "down"
)

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
