package llm

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseMarkers(t *testing.T) {
	tests := []struct {
		text string
		want [][]int
	}{
		{"plain text", nil},
		{"claim [1].", [][]int{{1}}},
		{"claim [1, 2].", [][]int{{1, 2}}},
		{"claim [1,2] and [3; 4]", [][]int{{1, 2}, {3, 4}}},
		{"claim [1][2].", [][]int{{1}, {2}}},
		{"claim [ 3 ].", [][]int{{3}}},
		{"years [2023] are not citations", nil},
		{"[see below] and [1a] and [] and [1,]", nil},
		{"unclosed [1, 2", nil},
		{"nested [[2]]", [][]int{{2}}},
		{"markdown [text](http://x) [12]", [][]int{{12}}},
	}
	for _, tc := range tests {
		var got [][]int
		for _, m := range ParseMarkers(tc.text) {
			got = append(got, m.Numbers)
			if !strings.HasPrefix(tc.text[m.Start:m.End], "[") || !strings.HasSuffix(tc.text[m.Start:m.End], "]") {
				t.Errorf("%q: span %q is not a bracket group", tc.text, tc.text[m.Start:m.End])
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseMarkers(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestCitedNumbers(t *testing.T) {
	if got := CitedNumbers("a [2][1]. b [1, 3]. c [2]"); !slices.Equal(got, []int{2, 1, 3}) {
		t.Errorf("got %v", got)
	}
}

func TestCleanMarkers(t *testing.T) {
	valid := func(n int) bool { return n >= 1 && n <= 3 }
	tests := []struct{ in, want string }{
		{"claim [1].", "claim [1]."},
		{"claim [7].", "claim."},
		{"claim [1, 7].", "claim [1]."},
		{"claim [1,2].", "claim [1][2]."},
		{"claim [2][7][3].", "claim [2][3]."},
		{"claim[7] more", "claim more"},
		{"claim [7][1].", "claim [1]."},
		{"claim [1][7].", "claim [1]."},
		{"nested [0[7]] group", "nested group"},
		{"claim [1, 1].", "claim [1]."},
		// A number cited again in the same text appears once, where it
		// was first cited.
		{"claim [2][2].", "claim [2]."},
		{"claim [1][2][1].", "claim [1][2]."},
		{"claim [2, 2][2] [2].", "claim [2]."},
		{"part [1] and part [1][3].", "part [1] and part [3]."},
		{"claim " + strings.Repeat("[2]", 500) + ".", "claim [2]."},
		{"no markers", "no markers"},
	}
	for _, tc := range tests {
		if got := CleanMarkers(tc.in, valid); got != tc.want {
			t.Errorf("CleanMarkers(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTrimOpenMarker(t *testing.T) {
	tests := []struct{ in, want string }{
		{"claim [1", "claim "},
		{"claim [1, ", "claim "},
		{"claim [", "claim "},
		{"claim [1]", "claim [1]"},
		{"claim [see", "claim [see"},
		{"claim", "claim"},
	}
	for _, tc := range tests {
		if got := trimOpenMarker(tc.in); got != tc.want {
			t.Errorf("trimOpenMarker(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func sentenceTexts(ss []Sentence) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Text)
	}
	return out
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"One sentence", []string{"One sentence"}},
		{"First [1]. Second [2].", []string{"First [1]. ", "Second [2]."}},
		{"First. [1] Second. [2][3] Third", []string{"First. [1] ", "Second. [2][3] ", "Third"}},
		{"First.[1] Second", []string{"First.[1] ", "Second"}},
		{"Really? Yes! Done.", []string{"Really? ", "Yes! ", "Done."}},
		{"It grew 3.5 percent. Then fell.", []string{"It grew 3.5 percent. ", "Then fell."}},
		{"Dr. Smith and J. Tabler wrote it, e.g. here. Next.", []string{"Dr. Smith and J. Tabler wrote it, e.g. here. ", "Next."}},
		{"He said \"stop.\" Then left.", []string{"He said \"stop.\" ", "Then left."}},
		{"In 2020. The war ended.", []string{"In 2020. ", "The war ended."}},
		{"Items:\n1. First [1].\n2. Second [2].", []string{"Items:\n", "1. First [1].\n", "2. Second [2]."}},
		{"- a [1]\n- b [2]\n", []string{"- a [1]\n", "- b [2]\n"}},
		{"A line that wraps\nhere. Next.", []string{"A line that wraps\nhere. ", "Next."}},
		{"\n\nLeading blank lines. Then.", []string{"\n\nLeading blank lines. ", "Then."}},
		{"Ends with space. ", []string{"Ends with space. "}},
		{"第一句。第二句。", []string{"第一句。", "第二句。"}},
		{"**Bold claim.** Next", []string{"**Bold claim.** ", "Next"}},
		{"Claim... and more. End", []string{"Claim... and more. ", "End"}},
		// A sentence ends whatever the case of the next one: models write
		// lower-case sentences too, and an uncited claim must not ride
		// along with a cited one.
		{"Claim [2]. iran invaded azerbaijan yesterday.", []string{"Claim [2]. ", "iran invaded azerbaijan yesterday."}},
		{"Uncited claim. cited claim [1].", []string{"Uncited claim. ", "cited claim [1]."}},
		{"Claim. [1] next claim! [2] and another? [3] end", []string{"Claim. [1] ", "next claim! [2] ", "and another? [3] ", "end"}},
		{"**Bold claim.** next", []string{"**Bold claim.** ", "next"}},
		{"A cited line [1]\nlower-case claim", []string{"A cited line [1]\n", "lower-case claim"}},
		// ...but not after an abbreviation, an initial, a dotted word or
		// inside a quotation.
		{"Talks began at 9 a.m. on Monday, approx. two hours, vs. three. Next", []string{"Talks began at 9 a.m. on Monday, approx. two hours, vs. three. ", "Next"}},
		{"He said \"stop!\" and left. Then", []string{"He said \"stop!\" and left. ", "Then"}},
		{"Wait… then go. End", []string{"Wait… then go. ", "End"}},
	}
	for _, tc := range tests {
		got := SplitSentences(tc.text)
		if !slices.Equal(sentenceTexts(got), tc.want) {
			t.Errorf("SplitSentences(%q) =\n %q\nwant\n %q", tc.text, sentenceTexts(got), tc.want)
		}
		checkPartition(t, tc.text, got)
	}
}

// checkPartition asserts the sentences are consecutive spans covering text.
func checkPartition(t *testing.T, text string, ss []Sentence) {
	t.Helper()
	pos := 0
	for _, s := range ss {
		if s.Start != pos || s.End <= s.Start || text[s.Start:s.End] != s.Text {
			t.Fatalf("SplitSentences(%q): bad span %+v at %d", text, s, pos)
		}
		pos = s.End
	}
	if pos != len(text) {
		t.Fatalf("SplitSentences(%q) covers %d of %d bytes", text, pos, len(text))
	}
}

// checkPrefixStable asserts what streaming relies on: for every prefix of
// text, all sentences of the prefix but the last are sentences of text.
func checkPrefixStable(t *testing.T, text string) {
	t.Helper()
	full := SplitSentences(text)
	for i := range len(text) + 1 {
		if i < len(text) && !utf8.RuneStart(text[i]) {
			continue // streamed text grows by whole characters
		}
		prefix := trimOpenMarker(text[:i])
		ss := SplitSentences(prefix)
		if len(ss) < 2 {
			continue
		}
		for j, s := range ss[:len(ss)-1] {
			if j >= len(full) || full[j] != s {
				t.Fatalf("prefix %q: sentence %d is %q, but %q in the whole text", prefix, j, s.Text, sentenceTexts(full))
			}
		}
	}
}

func TestSplitSentencesPrefixStable(t *testing.T) {
	for _, text := range []string{
		"Azerbaijan named an ambassador to Israel [1]. Iran objected [2][3]. Dr. Smith agreed, e.g. in 2020. [1] Done.",
		"First claim. [1] Second claim [1, 2]. Third?\n- item [3]\n- item [12]\n\nEnd [1234] now.",
		"No punctuation at all [1]",
		"Quote: \"yes.\" [2] Then (maybe.) Next… Final。Again！",
	} {
		checkPrefixStable(t, text)
	}
}
