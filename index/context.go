package index

import (
	"context"

	"github.com/briefbot/briefbot"
)

// Weighted is an earlier question of a conversation, searched at Weight
// (in (0, 1]) relative to the words of the question it is context for.
type Weighted struct {
	Text   string
	Weight float64
}

// SearchInContext ranks passages for a follow-up question read in the light
// of the conversation's earlier questions, nearest first: "and what about
// Russia?" after "How does Iran pressure Azerbaijan?". Which questions are
// follow-ups, and how much each earlier one weighs, is the caller's
// decision; with no earlier questions it is Search.
//
// The question's own words lead:
//   - its terms count at full weight, each earlier question's at that
//     question's weight, and a term of several parts once, in the first;
//   - a passage holding one of the question's own terms (or a close
//     relative: "halt" for "stop", not "Iran" for "Russia") ranks ahead of
//     every passage holding only terms of the earlier questions, so that
//     these order the passages about the new subject and never bring back
//     the old subject instead; a question of none of its own words ("why?",
//     "who said that?") is searched with the earlier questions only;
//   - words that only carry a conversation on ("now", "else", "said") are
//     not searched in a follow-up;
//   - a hit's Coverage is the share of the whole query's information it
//     holds, each group counted by its IDF times its part's weight, the
//     earlier questions together counting for at most as much as the
//     question (see coverage); Exact counts the terms of the question and
//     the earlier ones that it holds, but is 0 for a passage holding
//     nothing of the question itself: coverage rules read a follow-up as
//     the question it stands for, and a passage on the old subject alone
//     is not taken for its answer;
//   - when the question does not say what kind of passage it wants (advice,
//     the authors), the nearest earlier question that does says it ("who
//     wrote this?", then "where do they work?").
func (ix *Index) SearchInContext(ctx context.Context, question string, earlier []Weighted, k int) ([]briefbot.Hit, error) {
	return ix.search(ctx, question, earlier, k, k)
}

// carryOn holds the analyzed forms of words that move a conversation along
// without naming a subject ("why now?", "what else?", "who said that?",
// "and Turkey as well?"); internal/answer reads the same words as naming
// nothing when it tells follow-ups. They are left out of follow-ups only:
// in a question on its own they may be all it asks for.
var carryOn = map[string]bool{
	"now": true, "els": true, "next": true, "again": true, "also": true, "well": true, "either": true,
	"instead": true, "realli": true, "said": true, "further": true,
}

// queryTerms analyzes a question into its terms and their relatives; with
// strict (a follow-up or its context) as analyzeQuery says.
func (ix *Index) queryTerms(query string, strict bool) []queryTerm {
	query = ix.spellOutAcronyms(query)
	terms := ix.analyzeQuery(query, strict)
	if len(terms) > 0 && ix.opts.Synonyms > 0 {
		terms = ix.expand(query, terms)
	}
	return terms
}

// addContext appends the terms of an earlier question (part, weighing w)
// to terms. A term already there keeps its place, and a group of the
// context whose head is already there joins that term's group: the same
// word counts once, at its first weight (the question's, or the nearer
// context's).
func addContext(terms, more []queryTerm, part int, w float64) []queryTerm {
	at := make(map[string]int, len(terms))
	for i, t := range terms {
		at[t.term] = i
	}
	// where[j] is the position in terms of more[j], new or existing.
	where := make([]int, len(more))
	existing := make([]bool, len(more))
	n := len(terms)
	for j, t := range more {
		if i, ok := at[t.term]; ok {
			where[j], existing[j] = i, true
			continue
		}
		where[j] = n
		at[t.term] = n
		n++
	}
	for j, t := range more {
		if existing[j] {
			continue
		}
		switch g := t.group; {
		case g < 0:
		case existing[g]:
			t.group = terms[where[g]].group
		default:
			t.group = where[g]
		}
		t.weight *= w
		t.part, t.pw = part, w
		terms = append(terms, t)
	}
	return terms
}

// contextualWeights are the role weights for a question: its own, or,
// when its wording asks for no kind of passage, those of the nearest
// context that does.
func (ix *Index) contextualWeights(question string, earlier []Weighted, terms []queryTerm) roleWeights {
	if adviceIntent.MatchString(question) || authorIntent.MatchString(question) {
		return ix.weightsFor(question, terms)
	}
	for _, c := range earlier {
		if adviceIntent.MatchString(c.Text) || authorIntent.MatchString(c.Text) {
			return ix.weightsFor(c.Text, terms)
		}
	}
	return ix.weightsFor(question, terms)
}
