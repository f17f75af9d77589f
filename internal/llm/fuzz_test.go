package llm

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseMarkers(f *testing.F) {
	for _, s := range []string{"claim [1].", "[1, 2][3]", "[ 4 ; 5 ]", "[1,", "[[2]]", "[2023]", "[1][", "é[1]ü", "[2][2] x [1][2][1]", "[1[1]]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, m := range ParseMarkers(text) {
			if m.Start < prev || m.End <= m.Start || m.End > len(text) || text[m.Start] != '[' || text[m.End-1] != ']' {
				t.Fatalf("bad marker %+v in %q", m, text)
			}
			if len(m.Numbers) == 0 {
				t.Fatalf("marker without numbers in %q", text)
			}
			for _, n := range m.Numbers {
				if n < 0 || n > 999 {
					t.Fatalf("number %d in %q", n, text)
				}
			}
			prev = m.End
		}
		cleaned := CleanMarkers(text, func(n int) bool { return n == 1 })
		for _, n := range CitedNumbers(cleaned) {
			if n != 1 {
				t.Fatalf("CleanMarkers(%q) kept [%d]: %q", text, n, cleaned)
			}
		}
		seen := map[int]bool{}
		for _, m := range ParseMarkers(CleanMarkers(text, func(int) bool { return true })) {
			for _, n := range m.Numbers {
				if seen[n] {
					t.Fatalf("CleanMarkers(%q) kept [%d] twice", text, n)
				}
				seen[n] = true
			}
		}
		if len(ParseMarkers(stripMarkers(text))) != 0 {
			t.Fatalf("stripMarkers(%q) left markers", text)
		}
	})
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{
		"First [1]. Second [2].", "Dr. Smith. [1] Next\n- item\n1. one", "第一句。第二句。", "a.b. C", "\n\n x. [1][2] Y",
		"Quote: \"yes.\" [2] Then (maybe.) Next… Final", "End [1234] now.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) || len(text) > 400 {
			t.Skip()
		}
		checkPartition(t, text, SplitSentences(text))
		checkPrefixStable(t, text)
	})
}

func FuzzVerifyAnswer(f *testing.F) {
	for _, s := range []string{
		grounded, "NOT_IN_SOURCES", "Iran deepened its relationship with Moscow [3][7].", "x [0] y [1, 2, 3, 4].",
		"- Baku noted an Iranian military aircraft [1]\n- invented [9]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, answer string) {
		c := VerifyAnswer(answer, testSources)
		for _, n := range append(CitedNumbers(c.Text), c.Citations...) {
			if n < 1 || n > len(testSources) {
				t.Fatalf("VerifyAnswer(%q) cites unsent %d: %q", answer, n, c.Text)
			}
		}
		if c.Grounded == 0 && c.Text != "" {
			t.Fatalf("VerifyAnswer(%q) kept %q without a grounded sentence", answer, c.Text)
		}
	})
}

func FuzzSupports(f *testing.F) {
	for _, s := range []string{
		testSources[0].Text, "Iran did not send troops, but it didn't invade [1, 2]; not only that.",
		"Article 9, drafted by Turkey, calls for immediate bombing.", "NATO's U.S. allies (e.g. Turkey) didn’t — never — agree: no.",
	} {
		f.Add(s, "Iran sent troops [1].")
	}
	f.Fuzz(func(t *testing.T, passage, sentence string) {
		if !utf8.ValidString(passage) || len(passage) > 2000 || len(sentence) > 400 {
			t.Skip()
		}
		Supports(passage, sentence)
		// A passage supports its own wording.
		if len(ContentWords(passage)) > 0 && !Supports(passage, passage) {
			t.Fatalf("%q does not support itself", passage)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"7", "1.5", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "1e400", "NaN", "Inf", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter || (!ok && d != 0) {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v", v, d, ok)
		}
		if strings.TrimSpace(v) == "" && ok {
			t.Fatalf("empty value accepted")
		}
	})
}
