package bot

// Stand-ins until the layout work lands (refusal, related passages, help).

import (
	"fmt"

	"github.com/briefbot/briefbot"
)

func relatedWorthShowing(a briefbot.Answer) []briefbot.Hit {
	var out []briefbot.Hit
	for _, h := range a.Related {
		if h.Exact > 0 {
			out = append(out, h)
		}
	}
	return out
}

func refusalMessage(a briefbot.Answer, canShowRelated bool) message {
	return noticeMessage("Not in the indexed documents. Try /search, or rephrase.")
}

func relatedMessage(a briefbot.Answer) message { return notCoveredMessage(a) }

func mentionHelp(botName string, docs []briefbot.Document) message {
	return noticeMessage(fmt.Sprintf("Ask me a question about the documents, e.g. “@%s what does Article 9 call for?”, or use /ask.", botName))
}
