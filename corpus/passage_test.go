package corpus

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func sentencesOf(text string) []string {
	var out []string
	for _, s := range sentenceSpans(text) {
		out = append(out, text[s.start:s.end])
	}
	return out
}

func TestSentenceSpans(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"One. Two! Three? Four", []string{"One.", "Two!", "Three?", "Four"}},
		{"The U.S. Senate met. It voted.", []string{"The U.S. Senate met.", "It voted."}},
		{"Mr. Smith and Dr. Jones left. Then rain.", []string{"Mr. Smith and Dr. Jones left.", "Then rain."}},
		{"Growth was 3.5 percent. Prices rose.", []string{"Growth was 3.5 percent.", "Prices rose."}},
		{"Andrew J. Tabler wrote it. Others read.", []string{"Andrew J. Tabler wrote it.", "Others read."}},
		{"He said “no.” Then left.", []string{"He said “no.”", "Then left."}},
		{"It ended (mostly.) Next came peace.", []string{"It ended (mostly.)", "Next came peace."}},
		{"e.g. this is one sentence.", []string{"e.g. this is one sentence."}},
		{"Lowercase after stop. continues here.", []string{"Lowercase after stop. continues here."}},
		{"Trailing space. ", []string{"Trailing space. "}},
		{"The 2020 war. 2021 was calm.", []string{"The 2020 war.", "2021 was calm."}},
		{"انتهى. بدأ", []string{"انتهى.", "بدأ"}},
		{"See No. 5 now. Done.", []string{"See No. 5 now.", "Done."}},
		{"tokenized text . all lower case . end", []string{"tokenized text .", "all lower case .", "end"}},
	}
	for _, tc := range tests {
		if got := sentencesOf(tc.text); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("sentenceSpans(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestChunkSpans(t *testing.T) {
	sentence := "This sentence has exactly sixty characters in it, so there. "
	tests := []struct {
		name   string
		text   string
		max    int
		chunks int
	}{
		{"fits", strings.Repeat(sentence, 3), 200, 1},
		{"balanced", strings.TrimSpace(strings.Repeat(sentence, 10)), 400, 2},
		{"long sentence cut at commas", strings.Repeat("word, ", 100) + "end.", 100, 7},
		{"one huge word", strings.Repeat("x", 250), 100, 3},
		{"runes, not bytes", strings.Repeat("ж", 150), 100, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.TrimSpace(tc.text)
			got := chunkSpans(text, tc.max)
			if len(got) != tc.chunks {
				t.Errorf("%d chunks, want %d", len(got), tc.chunks)
			}
			var rebuilt []string
			for _, c := range got {
				piece := text[c.start:c.end]
				if n := runeLen(piece); n > tc.max || n == 0 {
					t.Errorf("chunk of %d runes (max %d): %q", n, tc.max, piece)
				}
				rebuilt = append(rebuilt, piece)
			}
			if strings.Join(strings.Fields(strings.Join(rebuilt, " ")), "") != strings.Join(strings.Fields(text), "") {
				t.Error("chunks do not cover the text")
			}
		})
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"Azerbaijani-Iranian Border Tensions: Why Now?": "azerbaijani-iranian-border-tensions-why-now",
		"Iran's Tensions":   "irans-tensions",
		"About the Authors": "about-the-authors",
		"  --x--  ":         "x",
		"A very long heading that goes on and on beyond any reasonable length for an id": "a-very-long-heading-that-goes-on-and-on-beyond-any",
	}
	for in, want := range tests {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
	a, b := slug("العربية"), slug("فارسی")
	if a == "" || a == b || a != slug("العربية") || strings.Trim(a, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		t.Errorf("non-ASCII slugs %q, %q: want distinct, stable, ASCII", a, b)
	}
}

func TestPlainDocument(t *testing.T) {
	text := "First paragraph with *stars* and [brackets] kept.\n\nSecond\nparagraph on two lines.\n\n\n"
	doc := PlainDocument("d1", "A Title", text, Options{MinPassageChars: 1})
	checkDocInvariants(t, doc, Options{MinPassageChars: 1})
	want := []string{"First paragraph with *stars* and [brackets] kept.", "Second paragraph on two lines."}
	var got []string
	for _, p := range doc.Passages {
		got = append(got, p.Text)
		if p.Section != "A Title" || p.Title != "A Title" {
			t.Errorf("passage %s: section %q title %q", p.ID, p.Section, p.Title)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("passages %q, want %q", got, want)
	}
	if doc.Passages[1].ID != "d1#a-title-2" || doc.Passages[1].Paragraph != 2 {
		t.Errorf("second passage %+v", doc.Passages[1])
	}
	merged := PlainDocument("d2", "", text, Options{})
	if len(merged.Passages) != 1 || merged.Sections[0] != "Text" {
		t.Errorf("short paragraphs not merged under section Text: %+v", merged)
	}
	if empty := PlainDocument("d3", "T", " \n ", Options{}); len(empty.Passages) != 0 {
		t.Errorf("empty text gave passages: %+v", empty.Passages)
	}
}

func TestOptionsNormalized(t *testing.T) {
	tests := []struct{ in, want Options }{
		{Options{}, Options{MaxPassageChars: DefaultMaxPassageChars, MinPassageChars: DefaultMinPassageChars}},
		{Options{MaxPassageChars: 10}, Options{MaxPassageChars: 40, MinPassageChars: 20}},
		{Options{MaxPassageChars: 500, MinPassageChars: 400}, Options{MaxPassageChars: 500, MinPassageChars: 250}},
		{Options{MaxPassageChars: 2000, MinPassageChars: 100}, Options{MaxPassageChars: 2000, MinPassageChars: 100}},
	}
	for _, tc := range tests {
		if got := tc.in.normalized(); got != tc.want {
			t.Errorf("%+v.normalized() = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Mr. Smith went to the U.S. in 2020. He stayed.", []string{"Mr. Smith went to the U.S. in 2020.", "He stayed."}},
		{"  First line ends here\nSecond line. Third one?  ", []string{"First line ends here", "Second line.", "Third one?"}},
		{"He said “stop.” Then he left.", []string{"He said “stop.”", "Then he left."}},
		{"\n\n", nil},
		{"One sentence here. Another one! A third? Yes.", []string{"One sentence here.", "Another one!", "A third?", "Yes."}},
		{"Dr. Smith met Mr. Jones in the U.S. today. They talked.", []string{"Dr. Smith met Mr. Jones in the U.S. today.", "They talked."}},
		{"It was J. R. Tolkien who wrote it. Indeed.", []string{"It was J. R. Tolkien who wrote it.", "Indeed."}},
		{"Prices rose 3.5 percent vs. last year. e.g. this is not a break.", []string{"Prices rose 3.5 percent vs. last year. e.g. this is not a break."}},
		{`He said "stop." Then he left. (See above.) Next.`, []string{`He said "stop."`, "Then he left.", "(See above.)", "Next."}},
		{"It ended. “Never again,” she said.", []string{"It ended.", "“Never again,” she said."}},
		{"The count was low. 2023 was worse.", []string{"The count was low.", "2023 was worse."}},
		{"Heading line\n\n- item one\n- item two", []string{"Heading line", "- item one", "- item two"}},
		{"  no period at all  ", []string{"no period at all"}},
		{"disabilities.A line scan was used.", []string{"disabilities.A line scan was used."}},
		{" \n\t ", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range Sentences(tt.text) {
			got = append(got, tt.text[s.Start:s.End])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Sentences(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func FuzzSentences(f *testing.F) {
	f.Add("Mr. A. B. said “hi.” Then? No!\n- x")
	f.Add("This January, a gunman stormed Azerbaijan’s embassy in Tehran. President Ilham Aliyev blamed “Iran’s establishment” for the attack.")
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, s := range Sentences(text) {
			if s.Start < prev || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("span %+v out of order or bounds (len %d)", s, len(text))
			}
			if got := text[s.Start:s.End]; strings.TrimSpace(got) != got {
				t.Fatalf("span %+v not trimmed: %q", s, got)
			}
			prev = s.End
		}
	})
}
