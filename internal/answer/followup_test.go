package answer

import (
	"context"
	"slices"
	"testing"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/index"
)

// briefNames stands for the index's IsName on the brief: the words it
// writes as names.
func briefNames(w string) bool {
	return slices.Contains([]string{"iran", "russia", "azerbaijan", "baku", "tehran", "pashinyan", "aliyev", "nakhchivan", "shusha", "israel", "turkey"}, w)
}

func TestIsFollowUp(t *testing.T) {
	tests := []struct {
		question string
		want     bool
	}{
		// Continuations.
		{"and what about Russia?", true},
		{"And Israel?", true},
		{"What about its leverage?", true},
		{"but why?", true},
		{"what else?", true},
		{"how about Turkey", true},
		{"Turkey too?", true},
		{"and since the invasion of Ukraine?", true},
		{"is Israel involved as well?", true},
		// Nothing of their own, or too short to name anything.
		{"why?", true},
		{"how so?", true},
		{"why now?", true},
		{"Israel?", true},
		{"who was blamed?", true},
		{"when was that?", true},
		// A pronoun nothing in the question stands for.
		{"who patrols it?", true},
		{"when did that start?", true},
		{"who said that?", true},
		{"what has he said to Putin?", true},
		{"what agreements did they sign?", true},
		{"what corridor do they both support?", true},
		{"what are their demands?", true},
		{"why does that matter to Tehran?", true},
		// Self-contained: a subject of their own, named or not.
		{"How does Iran pressure Azerbaijan?", false},
		{"What are the policy recommendations?", false},
		{"What does Article 9 of the ceasefire call for?", false},
		{"who is pashinyan", false},
		{"who's Aliyev?", false},
		{"what is nakhchivan", false},
		{"who wrote this", false},
		{"what is this brief about", false},
		{"what does iran want here", false},
		{"what's turkey's role in all this", false},
		{"is there a peace deal", false},
		{"why are there food shortages in karabakh", false},
		{"does the EU have observers there?", false},
		{"what does it say about UN peacekeepers", false},
		{"why is iran touchy about its azeris", false},
		{"who sells azerbaijan its weapons", false},
		{"Did Iran warn Azerbaijan ahead of its war games?", false},
		{"What additional charge did the detained group face on their return?", false},
		{"Why does Moscow object to the road that Armenia built?", false},
		{"", false},
		{"   ", false},
	}
	for _, tc := range tests {
		if got := isFollowUp(tc.question, briefNames); got != tc.want {
			t.Errorf("isFollowUp(%q) = %v, want %v", tc.question, got, tc.want)
		}
	}
}

// Without knowing the documents' names, a question typed in lower case
// names nothing: "who is pashinyan" reads as a follow-up. The index's
// IsName is what tells them apart.
func TestIsFollowUpNeedsTheDocumentsNames(t *testing.T) {
	if !isFollowUp("who is pashinyan", nil) || isFollowUp("who is pashinyan", briefNames) {
		t.Error("a name the documents use must make a short question self-contained")
	}
}

func TestFollowUpContext(t *testing.T) {
	turn := func(q string) briefbot.Turn { return briefbot.Turn{Question: q, Answer: "An answer [1]."} }
	iran := turn("How does Iran pressure Azerbaijan?")
	russia := turn("and what about Russia?")
	tests := []struct {
		name     string
		question string
		history  []briefbot.Turn
		want     []index.Weighted
	}{
		{"no history", "and what about Russia?", nil, nil},
		{"self-contained", "What are the policy recommendations?", []briefbot.Turn{iran, russia}, nil},
		{"one earlier question", "and what about Russia?", []briefbot.Turn{iran},
			[]index.Weighted{{Text: iran.Question, Weight: contextWeight}}},
		{"earlier follow-ups lead back to the question that opened the topic", "What about its leverage?",
			[]briefbot.Turn{turn("What are the policy recommendations?"), iran, russia},
			[]index.Weighted{{Text: russia.Question, Weight: contextWeight}, {Text: iran.Question, Weight: contextWeight * contextDecay}}},
		{"at most maxContextTurns", "why?",
			[]briefbot.Turn{iran, russia, turn("and Turkey?"), turn("and Israel?"), turn("what else?")},
			[]index.Weighted{{Text: "what else?", Weight: contextWeight}, {Text: "and Israel?", Weight: contextWeight * contextDecay},
				{Text: "and Turkey?", Weight: contextWeight * contextDecay * contextDecay}}},
		{"blank turns skipped", "why?", []briefbot.Turn{iran, turn("  ")},
			[]index.Weighted{{Text: iran.Question, Weight: contextWeight}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := contextOf(followUpTurns(tc.question, tc.history, briefNames)); !slices.Equal(got, tc.want) {
				t.Errorf("context = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// contextIndex is a fakeIndex that searches in context and knows names,
// recording how it was asked.
type contextIndex struct {
	fakeIndex
	searched, inContext int
	earlier             []index.Weighted
}

func (c *contextIndex) Search(ctx context.Context, q string, k int) ([]briefbot.Hit, error) {
	c.searched++
	return c.fakeIndex.Search(ctx, q, k)
}

func (c *contextIndex) SearchInContext(ctx context.Context, q string, earlier []index.Weighted, k int) ([]briefbot.Hit, error) {
	c.inContext++
	c.earlier = earlier
	return c.fakeIndex.Search(ctx, q, k)
}

func (c *contextIndex) IsName(w string) bool { return briefNames(w) }

func TestAskSearchesFollowUpsInContext(t *testing.T) {
	history := []briefbot.Turn{{Question: "How does Iran pressure Azerbaijan?", Answer: "Through the corridor [1].", Passages: []string{"p9"}}}
	tests := []struct {
		name      string
		req       briefbot.AskRequest
		inContext bool
	}{
		{"no history", briefbot.AskRequest{Question: "and what about Russia?"}, false},
		{"empty history", briefbot.AskRequest{Question: "and what about Russia?", History: []briefbot.Turn{}}, false},
		{"self-contained", briefbot.AskRequest{Question: "What are the policy recommendations?", History: history}, false},
		{"a name the documents use", briefbot.AskRequest{Question: "who is pashinyan", History: history}, false},
		{"follow-up", briefbot.AskRequest{Question: "and what about Russia?", History: history}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := &contextIndex{fakeIndex: fakeIndex{hits: []briefbot.Hit{hit("p1", 3, 1, []string{"russia", "iran"}, "Russia watches.")}}}
			a, err := (&Extractive{Index: ix}).Ask(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := ix.inContext == 1; got != tc.inContext || ix.searched+ix.inContext != 1 {
				t.Fatalf("searched %d times, %d in context; want in context: %v", ix.searched, ix.inContext, tc.inContext)
			}
			if tc.inContext && !slices.Equal(ix.earlier, []index.Weighted{{Text: history[0].Question, Weight: contextWeight}}) {
				t.Errorf("context %+v", ix.earlier)
			}
			// The answer cites what was found for this question, never
			// the earlier answer's passages.
			if a.Question != tc.req.Question || len(a.Citations) != 1 || a.Citations[0].PassageID != "p1" {
				t.Errorf("answer %+v", a)
			}
		})
	}
}
