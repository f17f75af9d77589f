package index

import (
	"log/slog"
	"strings"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
)

// leadSentences is how much of a lead passage is quoted.
const leadSentences = 2

// Leads returns the openings of the documents, for a question asking what
// they are about: the first n passages of a single document that are not
// about its authors, or the first such passage of each of the first n
// documents of a library. Each is quoted by its first sentences.
func (ix *Index) Leads(n int) []briefbot.Hit {
	var hits []briefbot.Hit
	perDoc := 1
	if len(ix.docs) == 1 {
		perDoc = n
	}
	pos := 0
	for _, d := range ix.docs {
		taken := 0
		for i := range d.Passages {
			if len(hits) == n || taken == perDoc {
				break
			}
			if ix.roles[pos+i] == roleAbout {
				continue
			}
			p, err := ix.passageAt(pos + i)
			if err != nil {
				slog.Warn("lead passage unreadable", "dir", ix.dir, "error", err)
				continue
			}
			taken++
			hits = append(hits, briefbot.Hit{Passage: p, Rank: len(hits) + 1, Quote: firstSentences(p.Text, leadSentences)})
		}
		pos += len(d.Passages)
		if len(hits) == n {
			break
		}
	}
	return hits
}

// firstSentences returns the first n sentences of text.
func firstSentences(text string, n int) string {
	spans := corpus.Sentences(text)
	if len(spans) == 0 {
		return strings.TrimSpace(text)
	}
	end := spans[min(n, len(spans))-1].End
	return strings.TrimSpace(text[spans[0].Start:end])
}
