package bot

import (
	"fmt"
	"slices"
	"testing"
)

func TestAskedQuestionsVisibility(t *testing.T) {
	m := newAskedQuestions(10, 100)
	m.remember("a", "g1", "public in g1", true)
	m.remember("a", "g1", "private in g1", false)
	m.remember("a", "", "in a DM", true) // a DM is never public
	m.remember("a", "g2", "public in g2", true)
	m.remember("c", "g1", "c's public in g1", true)
	for _, c := range []struct {
		name, user, guild string
		othersPublic      bool
		want              []string
	}{
		{"own, newest first, wherever asked", "a", "g1", false, []string{"public in g2", "in a DM", "private in g1", "public in g1"}},
		{"others' questions only when opted in", "b", "g1", false, nil},
		{"opted in: public ones of this server, newest first", "b", "g1", true, []string{"c's public in g1", "public in g1"}},
		{"opted in: own first, then others'", "c", "g1", true, []string{"c's public in g1", "public in g1"}},
		{"opted in, in a DM: own only", "b", "", true, nil},
		{"opted in, other server", "b", "g2", true, []string{"public in g2"}},
		{"no user", "", "g1", false, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := m.visible(c.user, c.guild, c.othersPublic); !slices.Equal(got, c.want) {
				t.Errorf("visible(%q, %q, %v) = %q, want %q", c.user, c.guild, c.othersPublic, got, c.want)
			}
		})
	}
}

func TestAskedQuestionsAskedAgain(t *testing.T) {
	m := newAskedQuestions(10, 100)
	m.remember("a", "g1", "What is  the corridor?", true)
	m.remember("a", "g1", "Another question", true)
	// Asked again privately: it moves to the front and is no longer shared.
	m.remember("a", "g1", "what is the corridor?", false)
	if got, want := m.visible("a", "g1", false), []string{"what is the corridor?", "Another question"}; !slices.Equal(got, want) {
		t.Errorf("own = %q, want %q", got, want)
	}
	if got, want := m.visible("b", "g1", true), []string{"Another question"}; !slices.Equal(got, want) {
		t.Errorf("shared = %q, want %q", got, want)
	}
}

func TestAskedQuestionsBounded(t *testing.T) {
	const perUser, users = 3, 5
	m := newAskedQuestions(perUser, users)
	for u := range 2 * users {
		for q := range 2 * perUser {
			m.remember(fmt.Sprint("u", u), "g", fmt.Sprintf("q%d of u%d", q, u), true)
		}
	}
	if n := len(m.byUser); n != users {
		t.Errorf("%d users kept, want %d", n, users)
	}
	if got, want := m.visible("u9", "g", false), []string{"q5 of u9", "q4 of u9", "q3 of u9"}; !slices.Equal(got, want) {
		t.Errorf("own = %q, want the %d newest %q", got, perUser, want)
	}
	// The users who asked least recently were forgotten.
	if got := m.visible("u0", "g", false); len(got) != 0 {
		t.Errorf("u0 still remembered: %q", got)
	}
	if got := m.visible("x", "g", true); len(got) != perUser*users {
		t.Errorf("%d questions shared, want at most %d", len(got), perUser*users)
	}
}
