package library

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/index"
	"github.com/briefbot/briefbot/internal/answer"
	"github.com/briefbot/briefbot/internal/config"
	"github.com/briefbot/briefbot/internal/eval"
)

// openBrief opens the built-in brief with the product's default settings,
// as `briefbot ask` and the bot do.
func openBrief(t *testing.T) *Library {
	t.Helper()
	c := config.Default()
	r := c.Retrieval
	lib, err := Open(context.Background(), Options{
		IndexDir: filepath.Join(t.TempDir(), "index"),
		Corpus:   corpus.Options{MaxPassageChars: c.Corpus.MaxPassageChars, MinPassageChars: c.Corpus.MinPassageChars},
		Index:    index.Options{K1: c.Index.K1, B: c.Index.B, BoltTimeout: c.Index.BoltTimeout.Duration(), Synonyms: r.Synonyms},
		Answer:   answer.Options{K: r.K, MinCoverage: r.MinCoverage, MinMatchedTerms: r.MinMatchedTerms},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

// passagesHolding are the passages of the library whose text holds text,
// as eval compares them (case, quotes and dashes aside).
func passagesHolding(lib *Library, text string) []briefbot.Passage {
	var found []briefbot.Passage
	for _, d := range lib.Documents() {
		for _, p := range d.Passages {
			p, _ = lib.Passage(p.ID) // the listing may lack texts
			if eval.ContainsGold(p.Text, text) {
				found = append(found, p)
			}
		}
	}
	return found
}

// passageHolding is the one passage of the library whose text holds text.
func passageHolding(t *testing.T, lib *Library, text string) briefbot.Passage {
	t.Helper()
	found := passagesHolding(lib, text)
	if len(found) != 1 {
		t.Fatalf("%d passages hold %q, want 1", len(found), text)
	}
	return found[0]
}

// converse asks the questions in order, each with the turns before it.
func converse(t *testing.T, lib *Library, questions ...string) []briefbot.Answer {
	t.Helper()
	var history []briefbot.Turn
	var answers []briefbot.Answer
	for _, q := range questions {
		a, err := lib.Ask(context.Background(), briefbot.AskRequest{Question: q, History: history})
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, a)
		history = append(history, briefbot.TurnOf(a, time.Time{}))
	}
	return answers
}

func firstCited(a briefbot.Answer) string {
	if !a.Answerable || len(a.Citations) == 0 {
		return ""
	}
	return a.Citations[0].PassageID
}

// The three-turn conversation of issue 10 §1: the third question is
// answerable only with the subject of the first, through a second turn
// on another subject. The right passages were picked by reading the
// brief: the attack on the embassy is the incident Aliyev blamed on
// "Iran's establishment" (Why Now? ¶3), and Tehran's leverage over Baku
// is the Nakhchivan passage (Why Now? ¶2).
func TestThreeTurnFollowUp(t *testing.T) {
	lib := openBrief(t)
	const whyNow = "Azerbaijani-Iranian Border Tensions: Why Now?"
	tests := []struct {
		name  string
		turns [3]string
		// holds is a text of the right passage for the third turn, quote
		// a text its quote must show.
		holds, quote string
		// needsFirst: the third question alone, or after the second turn
		// alone, does not find that passage.
		needsFirst bool
	}{
		{
			name:       "who was blamed",
			turns:      [3]string{"What happened at Azerbaijan's embassy in Tehran?", "and what about Russia?", "who was blamed?"},
			holds:      "a gunman stormed Azerbaijan’s embassy in Tehran",
			quote:      "Aliyev blamed",
			needsFirst: true,
		},
		{
			// The issue's own example. "leverage" is in one passage
			// only, so this third question finds it even alone.
			name:  "its leverage",
			turns: [3]string{"How does Iran pressure Azerbaijan?", "and what about Russia?", "What about its leverage?"},
			holds: "which gives Tehran leverage over Baku",
			quote: "leverage over Baku",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := passageHolding(t, lib, tc.holds)
			if want.Section != whyNow {
				t.Fatalf("the right passage is in %q, want %q", want.Section, whyNow)
			}
			answers := converse(t, lib, tc.turns[:]...)
			// The second turn answers about its own subject.
			if second := answers[1]; !second.Answerable || !strings.Contains(second.Citations[0].Quote, "Russia") {
				t.Errorf("%q answered %q, want a passage on Russia", tc.turns[1], second.Text)
			}
			last := answers[2]
			if firstCited(last) != want.ID {
				t.Fatalf("%q answered %q citing %v, want [1] = %s", tc.turns[2], last.Text, citedIDs(last), want.ID)
			}
			if c := last.Citations[0]; c.Section != whyNow || !strings.Contains(c.Quote, tc.quote) {
				t.Errorf("citation [1] %+v, want section %q quoting %q", c, whyNow, tc.quote)
			}
			if !tc.needsFirst {
				return
			}
			if alone := converse(t, lib, tc.turns[2]); firstCited(alone[0]) == want.ID {
				t.Errorf("%q alone already cites %s: the test shows nothing", tc.turns[2], want.ID)
			}
			if second := converse(t, lib, tc.turns[1], tc.turns[2]); firstCited(second[1]) == want.ID {
				t.Errorf("%q after %q alone already cites %s: the first question is not needed", tc.turns[2], tc.turns[1], want.ID)
			}
		})
	}
}

// followUpFloor is just below the share of testdata/brief_followups.jsonl
// answered with a right first citation when the set was first measured
// (19 of 24, 0.792; 12 of 24, 0.500, when each last question is asked
// without its history).
const followUpFloor = 0.75

func TestFollowUpDevSet(t *testing.T) {
	lib := openBrief(t)
	convs, err := eval.LoadConversations("../../testdata/brief_followups.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		for _, g := range c.Gold {
			if len(passagesHolding(lib, g)) == 0 {
				t.Errorf("%s: no passage holds the gold text %q", c.ID, g)
			}
		}
	}
	rep, err := eval.RunConversations(context.Background(), lib, lib.Passage, convs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", rep, rep.MissesString())
	if rep.Top1Rate() < followUpFloor {
		t.Errorf("follow-ups answered with a right first citation: %.3f, below %.2f", rep.Top1Rate(), followUpFloor)
	}

	// The same last questions without their history do worse: the
	// history is what answers them.
	var alone []eval.QAItem
	for _, c := range convs {
		alone = append(alone, eval.QAItem{ID: c.ID, Query: c.Turns[len(c.Turns)-1], Gold: c.Gold})
	}
	base, err := eval.RunAnswers(context.Background(), lib, lib.Passage, alone)
	if err != nil {
		t.Fatal(err)
	}
	if base.Top1 >= rep.Top1 {
		t.Errorf("without history %d right, with it %d: history does not help", base.Top1, rep.Top1)
	}
}

// goldenAnswer is an answer as the CLI printed it before conversations
// existed (testdata/answers_without_history.jsonl, from `briefbot ask
// --json` on brief_qa, brief_natural and brief_unanswerable).
type goldenAnswer struct {
	Question   string   `json:"question"`
	Answerable bool     `json:"answerable"`
	Answer     string   `json:"answer"`
	Cited      []string `json:"cited"`
}

func readGolden(t *testing.T) []goldenAnswer {
	t.Helper()
	f, err := os.Open("testdata/answers_without_history.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []goldenAnswer
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var g goldenAnswer
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatal(err)
		}
		out = append(out, g)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no golden answers")
	}
	return out
}

func citedIDs(a briefbot.Answer) []string {
	var ids []string
	for _, c := range a.Citations {
		ids = append(ids, c.PassageID)
	}
	return ids
}

// With no history, or an empty one, every answer is the one given before
// conversations existed.
func TestEmptyHistoryAnswersUnchanged(t *testing.T) {
	lib := openBrief(t)
	for _, g := range readGolden(t) {
		for _, h := range [][]briefbot.Turn{nil, {}} {
			a, err := lib.Ask(context.Background(), briefbot.AskRequest{Question: g.Question, History: h})
			if err != nil {
				t.Fatal(err)
			}
			if a.Answerable != g.Answerable || a.Text != g.Answer || !slices.Equal(citedIDs(a), g.Cited) {
				t.Errorf("%q (history %v): answerable %v citing %v: %q\nwant answerable %v citing %v: %q",
					g.Question, h, a.Answerable, citedIDs(a), a.Text, g.Answerable, g.Cited, g.Answer)
			}
		}
	}
}

// A question that names its own subject gets the same answer whatever was
// asked before it: each question of the evaluation sets, asked after the
// question before it in its file (a conversation on the same brief, often
// on a near subject), cites the same passages with the same text. A
// question the documents do not cover stays refused, its "possibly
// related" passages aside.
func TestSelfContainedQuestionsIgnoreHistory(t *testing.T) {
	lib := openBrief(t)
	files, err := filepath.Glob("../../testdata/brief_*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	asked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "brief_followups.jsonl") {
			continue
		}
		var qs []string
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
			var r struct{ Query string }
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			qs = append(qs, r.Query)
		}
		for i, q := range qs {
			prev := qs[(i+len(qs)-1)%len(qs)]
			alone, err := lib.Ask(ctx, briefbot.AskRequest{Question: q})
			if err != nil {
				t.Fatal(err)
			}
			before, err := lib.Ask(ctx, briefbot.AskRequest{Question: prev})
			if err != nil {
				t.Fatal(err)
			}
			after, err := lib.Ask(ctx, briefbot.AskRequest{Question: q, History: []briefbot.Turn{briefbot.TurnOf(before, time.Time{})}})
			if err != nil {
				t.Fatal(err)
			}
			asked++
			if after.Answerable != alone.Answerable || after.Text != alone.Text || !slices.Equal(citedIDs(after), citedIDs(alone)) {
				t.Errorf("%s: %q after %q: %q citing %v, alone %q citing %v",
					filepath.Base(f), q, prev, after.Text, citedIDs(after), alone.Text, citedIDs(alone))
			}
		}
	}
	if asked < 300 {
		t.Errorf("%d questions asked, want the evaluation sets' 300 and more", asked)
	}
}
