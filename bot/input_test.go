package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanQuestion(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "What does Article 9 call for?", "What does Article 9 call for?"},
		{"empty", "", ""},
		{"only spaces", " \t\n ", ""},
		{"trimmed", "  why?  ", "why?"},
		{"space runs", "why   did\t\tthey\n\nleave?", "why did they leave?"},
		{"line breaks and tabs are spaces", "one\ntwo\tthree", "one two three"},
		{"crlf", "one\r\ntwo", "one two"},
		{"unicode spaces", "a\u00a0\u2003b\u3000c", "a b c"},
		{"nul and bell", "a\x00b\x07c", "abc"},
		{"escape sequence", "\x1b[31mred\x1b[0m", "[31mred[0m"},
		{"delete and C1 controls", "a\x7fb\u0085c\u009bd", "abcd"},
		{"bidi overrides", "abc\u202Egnp.exe\u202C", "abcgnp.exe"},
		{"bidi embeddings", "\u202A\u202B\u202Dx\u202E", "x"},
		{"bidi isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
		{"zero width", "pass\u200Bword\u200C\u200D and \uFEFFbom", "password and bom"},
		{"zero width between spaces", "a \u200B b", "a b"},
		{"only removed characters", "\u200B\u202E\x00\uFEFF", ""},
		{"invalid UTF-8", "ab\xffc\xc3", "abc"},
		{"replacement character kept", "a\uFFFDb", "a\uFFFDb"},
		{"marks and emoji kept", "Café ñ 日本 👋🏽 e\u0301", "Café ñ 日本 👋🏽 e\u0301"},
		{"right-to-left text kept", "ما هو المقال 9؟", "ما هو المقال 9؟"},
		{"left-to-right mark kept", "a\u200Eb", "a\u200Eb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanQuestion(tt.in); got != tt.want {
				t.Errorf("cleanQuestion(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestQuestionRefusal(t *testing.T) {
	long := strings.Repeat("é", 11) // 11 characters, 22 bytes
	tests := []struct {
		name, question string
		search         bool
		want           string // "" = accepted
	}{
		{"accepted", "why?", false, ""},
		{"at the limit, counted in characters", strings.Repeat("é", 10), false, ""},
		{"empty question", "", false, "Please type a question."},
		{"empty search", "", true, "Please type something to search for."},
		{"question too long", long, false, "Your question is too long (11 characters). Please keep it to at most 10 characters."},
		{"search too long", long, true, "Your search is too long (11 characters). Please keep it to at most 10 characters."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := questionRefusal(langEN, tt.question, 10, tt.search); got != tt.want {
				t.Errorf("questionRefusal(%q) = %q, want %q", tt.question, got, tt.want)
			}
		})
	}
	if got := questionRefusal(langDE, long, 10, false); !strings.Contains(got, "11 Zeichen") || !strings.Contains(got, "höchstens 10") {
		t.Errorf("German refusal = %q", got)
	}
}

func FuzzCleanQuestion(f *testing.F) {
	for _, s := range []string{
		"", "What does Article 9 call for?", " a \t b\n", "\x00\x1b[0m", "abc\u202Egnp.exe", "\u2066x\u2069",
		"pass\u200Bword", "\uFEFF", "ab\xffc\xc3", "e\u0301 👋🏽", "\u0085\u00a0\u3000", "\r\n\v\f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := cleanQuestion(s)
		if !utf8.ValidString(out) {
			t.Fatalf("cleanQuestion(%q) = %q: not valid UTF-8", s, out)
		}
		for _, r := range out {
			if removedRune(r) {
				t.Fatalf("cleanQuestion(%q) = %q keeps %U", s, out, r)
			}
		}
		if strings.ContainsAny(out, "\n\t") || strings.Contains(out, "  ") || strings.TrimSpace(out) != out {
			t.Fatalf("cleanQuestion(%q) = %q: white space not collapsed", s, out)
		}
		if again := cleanQuestion(out); again != out {
			t.Fatalf("not idempotent: cleanQuestion(%q) = %q, then %q", s, out, again)
		}
		if len(out) > len(s) {
			t.Fatalf("cleanQuestion(%q) = %q: longer than its input", s, out)
		}
	})
}

// TestQuestionLengthOffered: Discord is told the same bound as the bot
// checks, so that users cannot type more into /ask, /search or the
// follow-up form than will be accepted.
func TestQuestionLengthOffered(t *testing.T) {
	got := map[string]int{}
	for _, c := range commandsWith(300) {
		for _, o := range c.Options {
			if o.Name == "question" || o.Name == "query" {
				got[c.Name+"."+o.Name] = o.MaxLength
			}
		}
	}
	if got["ask.question"] != 300 || got["search.query"] != 300 {
		t.Errorf("max_length of the commands' text options = %v, want 300", got)
	}
	for _, c := range []struct{ max, want int }{{300, 300}, {4000, 4000}, {6000, maxTextInputLength}} {
		m := followUpModal(langEN, "id", "earlier", c.max)
		input := m.Components[0].(labelComponent).Component.(textInput)
		if input.MaxLength != c.want {
			t.Errorf("follow-up form for %d: max_length %d, want %d", c.max, input.MaxLength, c.want)
		}
	}
}

// TestNewLimitOptions: New fills in discord.max_question_chars's default,
// keeps it within what Discord accepts, and refuses a negative rate.
func TestNewLimitOptions(t *testing.T) {
	for _, c := range []struct{ in, want int }{{0, defaultMaxQuestionChars}, {-1, defaultMaxQuestionChars}, {1200, 1200}, {10000, maxOptionLength}} {
		b, err := New(Options{Token: "abc.def", MaxQuestionChars: c.in}, newFakeService(t))
		if err != nil {
			t.Fatal(err)
		}
		if b.opts.MaxQuestionChars != c.want {
			t.Errorf("MaxQuestionChars %d became %d, want %d", c.in, b.opts.MaxQuestionChars, c.want)
		}
	}
	if _, err := New(Options{Token: "abc.def", GuildRate: Rate{PerMinute: -1}}, newFakeService(t)); err == nil {
		t.Error("New accepted a negative rate")
	}
}
