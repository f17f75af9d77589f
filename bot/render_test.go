package bot

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
)

// checkLimits fails the test for anything Discord would reject in m.
func checkLimits(t testing.TB, m message) {
	t.Helper()
	if runeLen(m.Content) > 2000 {
		t.Errorf("content %d > 2000 characters", runeLen(m.Content))
	}
	if len(m.Embeds) > 10 {
		t.Errorf("%d embeds > 10", len(m.Embeds))
	}
	if m.Content == "" && len(m.Embeds) == 0 {
		t.Error("empty message")
	}
	total := 0
	for i, e := range m.Embeds {
		check := func(what, s string, limit int) {
			if runeLen(s) > limit {
				t.Errorf("embed %d %s: %d > %d characters", i, what, runeLen(s), limit)
			}
			if !utf8.ValidString(s) {
				t.Errorf("embed %d %s is not valid UTF-8", i, what)
			}
			total += runeLen(s)
		}
		check("title", e.Title, 256)
		check("description", e.Description, 4096)
		if len(e.Fields) > 25 {
			t.Errorf("embed %d: %d fields > 25", i, len(e.Fields))
		}
		for j, f := range e.Fields {
			check(fmt.Sprintf("field %d name", j), f.Name, 256)
			check(fmt.Sprintf("field %d value", j), f.Value, 1024)
			if f.Name == "" || f.Value == "" {
				t.Errorf("embed %d field %d is empty", i, j)
			}
		}
		if e.Footer != nil {
			check("footer", e.Footer.Text, 2048)
		}
	}
	if total > 6000 {
		t.Errorf("embeds total %d > 6000 characters", total)
	}
	for _, row := range m.Components {
		for _, c := range row.(discordgo.ActionsRow).Components {
			if id := c.(discordgo.Button).CustomID; len(id) > 100 {
				t.Errorf("custom_id %q longer than 100", id)
			}
		}
	}
}

func TestCutText(t *testing.T) {
	cases := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "Short text.", 50, "Short text."},
		{"exact", "abc", 3, "abc"},
		{"zero", "abc", 0, ""},
		{"sentence", "First sentence here. Second sentence is long enough.", 30, "First sentence here."},
		{"keeps citation marker", "One is first [1]. Two follows. [2] Three is last and long. [3]", 40, "One is first [1]. Two follows. [2]"},
		{"marker after stop", "The convoy left at dawn. [1] It arrived late at night. [2]", 32, "The convoy left at dawn. [1]"},
		{"closing quote", "He said “stop.” Then he left the room quietly.", 25, "He said “stop.”"},
		{"word boundary", "no sentence ends anywhere in this long text", 20, "no sentence ends…"},
		{"hard cut", strings.Repeat("x", 30), 10, strings.Repeat("x", 9) + "…"},
		{"runes not bytes", strings.Repeat("é", 30), 10, strings.Repeat("é", 9) + "…"},
		{"sentence too early ignored", "Hi. " + strings.Repeat("word ", 20), 40, "Hi. word word word word word word word…"},
		{"decimal is not an end", "The price rose 3.5 percent while the rest fell sharply again", 30, "The price rose 3.5 percent…"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := cutText(c.in, c.max)
			if got != c.want {
				t.Errorf("cutText(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
			}
			if runeLen(got) > max(c.max, 0) {
				t.Errorf("%d characters > %d", runeLen(got), c.max)
			}
		})
	}
}

func TestSentenceEnds(t *testing.T) {
	s := "A b. [1] C d? E f! [2][3] G “h.” I"
	var got []string
	for _, e := range sentenceEnds(s) {
		got = append(got, s[:e])
	}
	want := []string{"A b. [1]", "A b. [1] C d?", "A b. [1] C d? E f! [2][3]", "A b. [1] C d? E f! [2][3] G “h.”"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ends = %q, want %q", got, want)
	}
}

func TestEscaping(t *testing.T) {
	cases := []struct{ fn, in, want string }{
		{"md", "**bold** _it_ ~x~ `c` ||s|| [a](b)", `\*\*bold\*\* \_it\_ \~x\~ \` + "`c\\`" + ` \|\|s\|\| \[a\](b)`},
		{"md", "> quote\n# head\n- item\na > b - c # d", "\\> quote\n\\# head\n\\- item\na > b - c # d"},
		{"md", "ping <@&123> and @everyone", "ping <@&123> and @everyone"},
		{"answer", "Text [1] more [2, 3].", "Text [1] more [2, 3]."},
		{"answer", "A *star* [1]", `A \*star\* [1]`},
		{"answer", "[1](http://evil) [x]", `\[1\](http://evil) \[x\]`},
	}
	for _, c := range cases {
		got := escapeMarkdown(c.in)
		if c.fn == "answer" {
			got = escapeAnswer(c.in)
		}
		if got != c.want {
			t.Errorf("%s(%q) = %q, want %q", c.fn, c.in, got, c.want)
		}
	}
}

func TestCustomID(t *testing.T) {
	for _, c := range []struct {
		in             string
		action, answer string
		ok             bool
	}{
		{customID(actionPassages, "abc"), actionPassages, "abc", true},
		{customID(actionVoteUp, "x1"), actionVoteUp, "x1", true},
		{"bb:up:", "", "", false},
		{"other:up:x", "", "", false},
		{"bb:nocolon", "", "", false},
	} {
		a, id, ok := parseCustomID(c.in)
		if ok != c.ok || ok && (a != c.action || id != c.answer) {
			t.Errorf("parseCustomID(%q) = %q %q %v", c.in, a, id, ok)
		}
	}
	if id := customID(actionPassages, newID()); len(id) > maxCustomID {
		t.Errorf("custom_id %q too long", id)
	}
	if id := customID(actionPassages, strings.Repeat("z", 200)); len(id) != maxCustomID {
		t.Errorf("long custom_id not cut: %d", len(id))
	}
}

// makeAnswer builds an answer of about textLen characters citing n sources
// in order, each sentence ending with its marker.
func makeAnswer(textLen, n int, title string, url string) briefbot.Answer {
	a := briefbot.Answer{Question: "What happened at the border, and why does it matter now?", Answerable: true, Mode: "extractive",
		Index: briefbot.IndexInfo{BuiltAt: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)}}
	for i := 1; i <= n; i++ {
		a.Citations = append(a.Citations, briefbot.Citation{N: i, PassageID: fmt.Sprintf("p%d", i), Title: title,
			Section: fmt.Sprintf("Section %d: a fairly long heading about events", i), Paragraph: i, URL: url + fmt.Sprint(i), Quote: "Quote."})
	}
	var b strings.Builder
	for i := 0; b.Len() < textLen; i++ {
		fmt.Fprintf(&b, "Sentence %d says something *notable* about the corridor and the convoy. [%d] ", i, i%max(n, 1)+1)
	}
	a.Text = strings.TrimSpace(b.String())
	return a
}

func markers(s string) []int {
	var out []int
	for _, m := range markerRE.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.Split(m[1], ",") {
			v, _ := strconv.Atoi(strings.TrimSpace(p))
			out = append(out, v)
		}
	}
	return out
}

func TestAnswerMessageFits(t *testing.T) {
	frag := "https://www.example.org/analysis/a-long-article-slug-about-the-south-caucasus#:~:text=" + strings.Repeat("word%20", 20) + "p"
	cases := []struct {
		name      string
		a         briefbot.Answer
		wantWhole bool // the description is the whole answer
		minLinks  int  // sources linked at least
	}{
		{"short", makeAnswer(200, 2, "Brief", "https://example.org/b#p"), true, 2},
		{"10000 chars, 30 citations", makeAnswer(10000, 30, "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus", frag), false, 5},
		{"huge titles", makeAnswer(3000, 12, strings.Repeat("Very long title ", 40), frag), false, 1},
		// Too many sources to link any: they are listed plainly.
		{"60 citations", makeAnswer(6000, 60, strings.Repeat("Title ", 30), frag), false, 0},
		{"no URL", makeAnswer(500, 3, "Plain", ""), true, 0},
		{"unicode", makeAnswer(5000, 5, strings.Repeat("Ünïcödé ", 10), "https://example.org/é"), false, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := answerMessage(c.a, "answerid")
			checkLimits(t, m)
			e := m.Embeds[0]
			if len(m.Components) != 1 {
				t.Errorf("buttons missing")
			}
			sources := fieldsText(e.Fields)
			listed := map[int]bool{}
			for _, line := range strings.Split(sources, "\n") {
				if n, err := strconv.Atoi(strings.TrimPrefix(strings.SplitN(line, "]", 2)[0], "[")); err == nil {
					listed[n] = true
				}
			}
			// Every marker left in the answer has its source listed.
			for _, n := range markers(e.Description) {
				if !listed[n] {
					t.Errorf("answer cites [%d] but the source is not listed", n)
				}
			}
			whole := e.Description == escapeAnswer(c.a.Text)
			if whole != c.wantWhole {
				t.Errorf("whole answer shown = %v, want %v (%d of %d characters)", whole, c.wantWhole, runeLen(e.Description), runeLen(c.a.Text))
			}
			if !whole {
				// Cut at a sentence boundary, said in the footer.
				if ends := sentenceEnds(e.Description); len(ends) == 0 || ends[len(ends)-1] != len(e.Description) {
					t.Errorf("answer not cut at a sentence end: …%q", e.Description[max(0, len(e.Description)-60):])
				}
				if !strings.HasSuffix(e.Footer.Text, shortenedNote) {
					t.Errorf("footer %q does not say the answer was shortened", e.Footer.Text)
				}
				if runeLen(e.Description) < 500 {
					t.Errorf("only %d characters of answer left", runeLen(e.Description))
				}
			}
			if links := strings.Count(sources, "](http"); links < c.minLinks {
				t.Errorf("%d sources linked, want at least %d", links, c.minLinks)
			}
		})
	}
}

func fieldsText(fs []*discordgo.MessageEmbedField) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Value)
	}
	return strings.Join(parts, "\n")
}

func TestCutBeforeMissing(t *testing.T) {
	kept := map[int]bool{1: true, 2: true}
	cases := []struct{ in, want string }{
		{"A. [1] B. [2]", "A. [1] B. [2]"},
		{"A. [1] B. [2] C. [3] D. [1]", "A. [1] B. [2]"},
		{"A is so [1]. B is [3]. C.", "A is so [1]."},
		{"A and B [1, 3]. C [2].", "A and B [1, 3]. C [2]."}, // first sentence: keep rather than nothing
		{"No markers at all.", "No markers at all."},
	}
	for _, c := range cases {
		if got := cutBeforeMissing(c.in, kept); got != c.want {
			t.Errorf("cutBeforeMissing(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNotCoveredMessage(t *testing.T) {
	a := briefbot.Answer{Question: "Population of Canada?", Text: "The documents do not cover this question.", Mode: "extractive"}
	for i := range 5 {
		a.Related = append(a.Related, briefbot.Hit{Passage: briefbot.Passage{Title: "T", Section: "S", Paragraph: i + 1, URL: "https://e.org/x#frag", Text: strings.Repeat("long text ", 100)}, Quote: strings.Repeat("quote ", 100)})
	}
	m := answerMessage(a, "id")
	checkLimits(t, m)
	e := m.Embeds[0]
	if len(e.Fields) != maxRelated || len(m.Components) != 0 {
		t.Fatalf("%d related fields, %d button rows; want 3 and none", len(e.Fields), len(m.Components))
	}
	if !strings.Contains(e.Description, "do not cover") || !strings.Contains(e.Description, "not sources") {
		t.Errorf("description = %q", e.Description)
	}
	for _, f := range e.Fields {
		if !strings.HasPrefix(f.Name, "Possibly related") || !strings.Contains(f.Name, "not an answer") || strings.Contains(f.Value, "#frag") {
			t.Errorf("field %q: %q", f.Name, f.Value)
		}
	}
	if strings.Contains(e.Footer.Text, "passage") {
		t.Errorf("footer counts passages for a non-answer: %q", e.Footer.Text)
	}
}

func TestPassagesMessage(t *testing.T) {
	a := makeAnswer(500, 30, "Title", "https://e.org/")
	passages := map[string]briefbot.Passage{}
	for _, c := range a.Citations {
		passages[c.PassageID] = briefbot.Passage{ID: c.PassageID, Text: strings.Repeat("Full passage text. ", 60)}
	}
	m := passagesMessage(a, passages)
	checkLimits(t, m)
	if len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Description, "Full passage text.") {
		t.Fatalf("embeds = %+v", m.Embeds)
	}
	if !strings.Contains(m.Content, fmt.Sprintf("Showing %d of the 30 cited passages", len(m.Embeds))) {
		t.Errorf("content = %q", m.Content)
	}
	one := passagesMessage(makeAnswer(100, 1, "T", ""), nil)
	checkLimits(t, one)
	if one.Content != "" || one.Embeds[0].Description != "Quote." {
		t.Errorf("quote fallback = %+v", one)
	}
}

func TestSearchMessage(t *testing.T) {
	var hits []briefbot.Hit
	for i := range 10 {
		text := strings.Repeat("Before the match there is context. ", 30) + "The *matched* sentence. " + strings.Repeat("After it more words follow. ", 30)
		hits = append(hits, briefbot.Hit{Rank: i + 1, Quote: "The *matched* sentence.", Passage: briefbot.Passage{Title: "Doc", Section: "Sec", Paragraph: 1, URL: "https://e.org/d#x", Text: text}})
	}
	m := searchMessage("matched", hits)
	checkLimits(t, m)
	d := m.Embeds[0].Description
	if !strings.Contains(d, `**The \*matched\* sentence.**`) || !strings.Contains(d, "**10.**") {
		t.Errorf("description = %q", d)
	}
	if q := boldQuote("abc", "zzz", 10); strings.Contains(q, "**") {
		t.Errorf("boldQuote without the quote = %q", q)
	}
	if m := searchMessage("q", nil); m.Embeds[0].Description != "No passage matches." {
		t.Errorf("no hits = %q", m.Embeds[0].Description)
	}
}

func TestSourcesAndBriefWithinLimits(t *testing.T) {
	var docs []briefbot.Document
	for i := range 200 {
		d := briefbot.Document{ID: fmt.Sprintf("doc-%d", i), Title: strings.Repeat("A title ", 20), Authors: []string{"A. Author", "B. Author"},
			Published: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), URL: "https://e.org/" + fmt.Sprint(i)}
		for j := range 100 {
			d.Sections = append(d.Sections, fmt.Sprintf("Section heading number %d with words", j))
		}
		d.Passages = []briefbot.Passage{{Section: "About the Authors", Text: "Bio."}, {Section: "Intro", Text: strings.Repeat("Lead paragraph. ", 200)}}
		docs = append(docs, d)
	}
	m := sourcesMessage(docs)
	checkLimits(t, m)
	if !strings.Contains(m.Embeds[0].Description, "more documents") {
		t.Errorf("truncated list does not say so")
	}
	b := briefMessage(docs[0])
	checkLimits(t, b)
	if !strings.HasPrefix(b.Embeds[0].Description, "Lead paragraph.") {
		t.Errorf("lead = %q", b.Embeds[0].Description[:40])
	}
	if s := fieldsText(b.Embeds[0].Fields); !strings.Contains(s, "… and") {
		t.Errorf("long section list not marked as shortened")
	}
	checkLimits(t, sourcesMessage(nil))
	r := reindexMessage(briefbot.ReindexReport{Info: briefbot.IndexInfo{Documents: 3, Passages: 1}, Failed: make([]briefbot.Failure, 300)}, time.Second)
	checkLimits(t, r)
	if !strings.Contains(r.Content, "3 documents, 1 passage in 1s") || !strings.Contains(r.Content, "300 documents failed") {
		t.Errorf("reindex message = %q", r.Content[:100])
	}
}

func TestJoinWithin(t *testing.T) {
	more := func(n int) string { return fmt.Sprintf("+%d", n) }
	cases := []struct {
		items []string
		limit int
		want  string
	}{
		{[]string{"aa", "bb", "cc"}, 100, "aa,bb,cc"},
		{[]string{"aa", "bb", "cc"}, 6, "aa,+2"},
		{[]string{"aa", "bb", "cc"}, 8, "aa,bb,cc"},
		{[]string{"aa", "bb", "cc"}, 7, "aa,+2"},
		{[]string{"aa", "bb", "cc"}, 9, "aa,bb,cc"},
		{[]string{"aaaaaaaaaa", "b"}, 6, "aa…,+1"},
	}
	for _, c := range cases {
		got := joinWithin(c.items, ",", c.limit, more)
		if got != c.want || runeLen(got) > c.limit {
			t.Errorf("joinWithin(%v, %d) = %q, want %q", c.items, c.limit, got, c.want)
		}
	}
}

func TestStreamingAndNoticeMessages(t *testing.T) {
	checkLimits(t, streamingMessage(strings.Repeat("q", 400), strings.Repeat("word ", 2000)))
	checkLimits(t, noticeMessage(strings.Repeat("n", 3000)))
	checkLimits(t, errorEmbed(strings.Repeat("e", 5000)))
	checkLimits(t, progressMessage(1, 2))
}

func TestMessageBodies(t *testing.T) {
	b := noticeMessage("hi").body(true)
	if b.Flags != discordgo.MessageFlagsEphemeral || b.AllowedMentions == nil || b.AllowedMentions.Parse == nil {
		t.Errorf("body = %+v", b)
	}
	ed := message{Content: "x"}.edit()
	if ed.Embeds == nil || len(*ed.Embeds) != 0 || ed.Components == nil || ed.AllowedMentions.Parse == nil {
		t.Errorf("edit must clear embeds and buttons and forbid mentions: %+v", ed)
	}
}

func TestLinkTarget(t *testing.T) {
	for in, want := range map[string]string{
		"https://e.org/a_(b) c": "https://e.org/a_%28b%29%20c",
		"javascript:alert(1)":   "",
		"/relative/path":        "",
		"":                      "",
	} {
		if got := linkTarget(in); got != want {
			t.Errorf("linkTarget(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCutText(f *testing.F) {
	f.Add("First sentence. Second one [1]. Third.", 20)
	f.Add("ééé ééé", 3)
	f.Add("A [1, 2]. B", 5)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 5000
		got := cutText(s, n)
		if runeLen(got) > max(n, 0) {
			t.Fatalf("cutText(%q, %d) = %d characters", s, n, runeLen(got))
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("cutText broke UTF-8: %q", got)
		}
		if runeLen(s) <= n && got != s {
			t.Fatalf("text that fits was changed: %q -> %q", s, got)
		}
	})
}

func FuzzParseCustomID(f *testing.F) {
	f.Add("bb:passages:abc")
	f.Add("bb::")
	f.Add("bb:up:a:b")
	f.Fuzz(func(t *testing.T, id string) {
		action, answer, ok := parseCustomID(id)
		if ok && customID(action, answer) != id && len(id) <= maxCustomID {
			t.Fatalf("parse(%q) = %q %q does not round-trip", id, action, answer)
		}
	})
}

func TestFooterText(t *testing.T) {
	built := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	cases := []struct {
		a    briefbot.Answer
		want string
	}{
		{briefbot.Answer{Mode: "extractive", Answerable: true, Citations: make([]briefbot.Citation, 1), Index: briefbot.IndexInfo{BuiltAt: built}}, "extractive · 1 passage · index of 2026-01-02 03:04 UTC"},
		{briefbot.Answer{Mode: "llm", Answerable: true, Citations: make([]briefbot.Citation, 3)}, "llm · 3 passages"},
		{briefbot.Answer{Mode: "extractive", FallbackReason: "timeout", Answerable: true}, "extractive (model unavailable: timeout) · 0 passages"},
		{briefbot.Answer{Mode: "", Answerable: false, Index: briefbot.IndexInfo{BuiltAt: built}}, "index of 2026-01-02 03:04 UTC"},
	}
	for _, c := range cases {
		if got := footerText(c.a); got != c.want {
			t.Errorf("footerText = %q, want %q", got, c.want)
		}
	}
}
