package answer

import (
	"context"
	"slices"
	"strings"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/index"
)

// A follow-up is searched with the questions before it: the one just
// before at contextWeight of the follow-up's own words, each older one at
// contextDecay of the next, at most maxContextTurns of them, back to the
// question that opened the topic (the last one that was not itself a
// follow-up). Older topics are left out: a conversation that moved from
// Iran to the recommendations should not search for Iran any more.
const (
	contextWeight   = 0.5
	contextDecay    = 0.5
	maxContextTurns = 3
)

// maxOwnWordsForReference bounds the words of their own that a question
// pointing back with a pronoun may have to count as a follow-up: a
// question naming three things or more ("What charge did the detained
// group face on their return?") carries its own context, and its pronoun
// most likely points at one of them.
const maxOwnWordsForReference = 2

// openers start a question that continues the conversation: "and what
// about Russia?", "but why?", "what else?", "how about Turkey?".
var (
	openers     = setOf("and but also plus so or then")
	openerPairs = [][2]string{{"what", "about"}, {"how", "about"}, {"what", "else"}, {"anything", "else"}, {"what", "of"}, {"same", "for"}, {"more", "on"}, {"how", "come"}}
	// closers end one: "Russia too?", "and Israel as well?".
	closers = setOf("too also either instead")
)

// pointers are the words that point back at something said before: the
// personal pronouns and "that"/"those"/"there". "This", "these" and "here"
// are left out: they point at the matter at hand ("what is this brief
// about", "what does Iran want here"), which is the documents' subject as
// much as the conversation's.
var (
	personal      = setOf("he him his she her hers it its they them their theirs")
	atHand        = setOf("this these here")
	demonstrative = setOf("that those there")
	// beWords make "there" existential ("is there a deal?").
	beWords = setOf("is are was were be been being isn't aren't wasn't weren't")
	// speechVerbs after "it"/"they" make the pronoun the documents or
	// their authors: "what does it say about peacekeepers?".
	speechVerbs = setOf("say says said argue argues argued recommend recommends recommended suggest suggests suggested propose proposes proposed write writes wrote mention mentions mentioned claim claims claimed conclude concludes concluded think thinks thought")
	// carryOnWords move a conversation along without naming a subject
	// ("why now?", "what else?") or count what was named before ("what do
	// they both want?"). The index leaves the same words out of a
	// follow-up's search (index.SearchInContext).
	carryOnWords = setOf("now else next again exactly really further both all each either neither")
)

// isFollowUp reports whether a question leans on the conversation before
// it, so that it must be read with the earlier questions. isName tells
// whether the documents write a word as a name (may be nil). A question is
// a follow-up when
//   - it opens or closes like a continuation: "and what about Russia?",
//     "but why?", "what else?", "Turkey too?";
//   - it names nothing of its own: "why?", "how so?", "why now?";
//   - it is three words or fewer without a name ("who was blamed?", but
//     not "who is pashinyan"), or two words that ask nothing ("Israel?");
//   - it points back with a pronoun that nothing before it in the
//     question can stand for, and names at most two things of its own:
//     "who patrols it?", "when did that start?", "what has he said to
//     Putin?".
//
// Any other question names its subject and is read on its own, whatever
// came before: "What are the policy recommendations?".
func isFollowUp(question string, isName func(string) bool) bool {
	ws := words(question)
	if len(ws) == 0 {
		return false
	}
	first := ws[0].lower
	if openers[first] && len(ws) > 1 {
		return true
	}
	if len(ws) > 1 {
		for _, p := range openerPairs {
			if first == p[0] && ws[1].lower == p[1] {
				return true
			}
		}
	}
	if closers[ws[len(ws)-1].lower] || (len(ws) > 2 && ws[len(ws)-2].lower == "as" && ws[len(ws)-1].lower == "well") {
		return true
	}
	own := ownWords(ws)
	switch {
	case len(own) == 0:
		return true
	case len(ws) <= 2 && !whWords[first]:
		return true
	case len(ws) <= 3 && !namesAnything(ws, isName):
		return true
	}
	return len(own) <= maxOwnWordsForReference && pointsOutside(ws, isName)
}

// whWords open a question that asks something.
var whWords = setOf("what what's whats which who who's whom whose when where where's why how how's")

// named reports whether a word of a question is a name: capitalized past
// the question's first word, written in capitals ("EU"), or a word the
// documents write as a name ("iran" typed in lower case).
func named(w word, first bool, isName func(string) bool) bool {
	switch {
	case isAcronymWord(w.text):
		return true
	case stopWords[w.lower] || carryOnWords[w.lower]:
		return false
	case w.cap && !first:
		return true
	}
	return isName != nil && isName(w.lower)
}

// namesAnything reports whether any word of the question is a name, or
// "this"/"these"/"here", which name the matter at hand ("who wrote this").
func namesAnything(ws []word, isName func(string) bool) bool {
	for i, w := range ws {
		if named(w, i == 0, isName) || atHand[w.lower] {
			return true
		}
	}
	return false
}

// ownWords are the words that name the question's subject: not stop words,
// not words that carry a conversation on.
func ownWords(ws []word) []string {
	var out []string
	for _, c := range contentWords(ws) {
		if !carryOnWords[c] {
			out = append(out, c)
		}
	}
	return out
}

// pointsOutside reports whether the question holds a pronoun that points
// outside it: a personal pronoun with no name before it, or
// "that"/"those"/"there" with no word of substance before it ("who said
// that?", but not "the road that Russia patrols").
func pointsOutside(ws []word, isName func(string) bool) bool {
	hasName, substance := false, false
	for i, w := range ws {
		switch {
		case personal[w.lower] && !hasName:
			if (w.lower == "it" || w.lower == "they") && i+1 < len(ws) && speechVerbs[ws[i+1].lower] {
				break // the documents or their authors
			}
			return true
		case demonstrative[w.lower] && !substance:
			if w.lower == "there" && (i > 0 && beWords[ws[i-1].lower] || i+1 < len(ws) && beWords[ws[i+1].lower]) {
				break // "is there", "there are"
			}
			return true
		}
		hasName = hasName || named(w, i == 0, isName)
		substance = substance || (!stopWords[w.lower] && !carryOnWords[w.lower])
	}
	return false
}

// isAcronymWord reports whether w is written in capitals, two letters or
// more ("EU", "ICC").
func isAcronymWord(w string) bool {
	letters := 0
	for _, r := range w {
		switch {
		case r >= 'A' && r <= 'Z':
			letters++
		case r == '.':
		default:
			return false
		}
	}
	return letters >= 2
}

// followUpTurns returns the earlier turns a question is read with, oldest
// first: none when it is not a follow-up (see isFollowUp) or history is
// empty; else the turns back to the question that opened the topic, at
// most maxContextTurns. history is oldest first, as in
// briefbot.AskRequest; isName as for isFollowUp.
func followUpTurns(question string, history []briefbot.Turn, isName func(string) bool) []briefbot.Turn {
	if len(history) == 0 || !isFollowUp(question, isName) {
		return nil
	}
	var out []briefbot.Turn
	for i := len(history) - 1; i >= 0 && len(out) < maxContextTurns; i-- {
		if strings.TrimSpace(history[i].Question) == "" {
			continue
		}
		out = append(out, history[i])
		if !isFollowUp(history[i].Question, isName) {
			break // the question that opened the topic
		}
	}
	slices.Reverse(out)
	return out
}

// contextOf weighs the questions of a follow-up's earlier turns (oldest
// first) for its search: nearest first, the nearest at contextWeight,
// each older one at contextDecay of the next.
func contextOf(turns []briefbot.Turn) []index.Weighted {
	var out []index.Weighted
	w := contextWeight
	for i := len(turns) - 1; i >= 0; i-- {
		out = append(out, index.Weighted{Text: strings.TrimSpace(turns[i].Question), Weight: w})
		w *= contextDecay
	}
	return out
}

// namer is implemented by indexes that know which words their documents
// write as names (*index.Index).
type namer interface {
	IsName(word string) bool
}

// contextSearcher is implemented by indexes that can search a follow-up
// with its context (*index.Index).
type contextSearcher interface {
	SearchInContext(ctx context.Context, question string, earlier []index.Weighted, k int) ([]briefbot.Hit, error)
}
