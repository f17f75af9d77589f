package eval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
)

// historyAnswerer answers a question by citing the passage named after the
// questions of its history and itself, joined by "/", so that an answer
// shows which history it was given; it records every request.
type historyAnswerer struct {
	asked []briefbot.AskRequest
	fail  string // a question that fails
}

func (h *historyAnswerer) Ask(_ context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
	h.asked = append(h.asked, req)
	if req.Question == h.fail {
		return briefbot.Answer{}, errors.New("boom")
	}
	var path []string
	for _, t := range req.History {
		path = append(path, t.Question)
	}
	id := strings.Join(append(path, req.Question), "/")
	return briefbot.Answer{Question: req.Question, Text: "about " + id + " [1]", Answerable: true,
		Citations: []briefbot.Citation{{N: 1, PassageID: id}}}, nil
}

func TestRunConversations(t *testing.T) {
	// A passage's text is its ID: the gold text "a/b" is found only when
	// "b" was asked after "a".
	passage := func(id string) (briefbot.Passage, bool) { return briefbot.Passage{ID: id, Text: id}, true }
	convs := []Conversation{
		{ID: "c1", Turns: []string{"a", "b"}, Gold: Gold{"a/b"}},
		{ID: "c2", Turns: []string{"x", "y", "z"}, Gold: Gold{"x/y/z"}},
		{ID: "c3", Turns: []string{"p", "q"}, Gold: Gold{"q only"}},
	}
	a := &historyAnswerer{}
	rep, err := RunConversations(context.Background(), a, passage, convs)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 3 || rep.Top1 != 2 || len(rep.Misses) != 1 || rep.Misses[0].ID != "c3" || rep.Misses[0].Query != "q" {
		t.Errorf("report %+v", rep)
	}
	// Each turn carries the answers before it, with their cited passages.
	third := a.asked[4]
	if third.Question != "z" || len(third.History) != 2 || third.History[1].Question != "y" ||
		third.History[1].Answer != "about x/y [1]" || !slices.Equal(third.History[1].Passages, []string{"x/y"}) {
		t.Errorf("third turn asked with %+v", third)
	}

	a = &historyAnswerer{fail: "y"}
	if _, err := RunConversations(context.Background(), a, passage, convs); err == nil || !strings.Contains(err.Error(), "c2") {
		t.Errorf("error %v, want one naming the conversation", err)
	}
}

func TestLoadConversations(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"ok", `{"id":"f1","turns":["a?","b?"],"gold":"x"}` + "\n" + `{"id":"f2","turns":["a?","b?","c?"],"gold":["x","y"]}`, ""},
		{"one turn", `{"id":"f1","turns":["a?"],"gold":"x"}`, "at least two turns"},
		{"empty turn", `{"id":"f1","turns":["a?"," "],"gold":"x"}`, "empty turn"},
		{"no gold", `{"id":"f1","turns":["a?","b?"]}`, "empty gold"},
		{"no id", `{"turns":["a?","b?"],"gold":"x"}`, `missing "id"`},
		{"duplicate", `{"id":"f1","turns":["a?","b?"],"gold":"x"}` + "\n" + `{"id":"f1","turns":["a?","b?"],"gold":"x"}`, "duplicate id f1"},
		{"unknown field", `{"id":"f1","turns":["a?","b?"],"gold":"x","query":"a?"}`, "unknown field"},
		{"empty file", "", "no conversations"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.jsonl")
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			convs, err := LoadConversations(path)
			if tc.wantErr == "" {
				if err != nil || len(convs) != 2 || len(convs[1].Turns) != 3 || len(convs[1].Gold) != 2 {
					t.Fatalf("convs %+v, err %v", convs, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// The shipped follow-up set loads (internal/library checks its gold texts
// against the brief and measures it).
func TestLoadShippedConversations(t *testing.T) {
	convs, err := LoadConversations("../../testdata/brief_followups.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) < 10 {
		t.Errorf("%d conversations, want at least 10", len(convs))
	}
}
