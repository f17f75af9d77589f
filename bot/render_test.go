package bot

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
	"github.com/briefbot/briefbot/internal/llm"
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
		in                   string
		action, answer, refs string
		ok                   bool
	}{
		{customID(actionPassages, "abc"), actionPassages, "abc", "", true},
		{customID(actionVoteUp, "x1"), actionVoteUp, "x1", "", true},
		{customID(actionPassages, "abc", "r1", "r2"), actionPassages, "abc", "r1.r2", true},
		// Buttons made before refs were read as before.
		{"bb:passages:abc", actionPassages, "abc", "", true},
		{"bb:up:", "", "", "", false},
		{"bb:up:x:", "", "", "", false},
		{"other:up:x", "", "", "", false},
		{"bb:nocolon", "", "", "", false},
	} {
		a, id, refs, ok := parseCustomID(c.in)
		if ok != c.ok || ok && (a != c.action || id != c.answer || refs != c.refs) {
			t.Errorf("parseCustomID(%q) = %q %q %q %v", c.in, a, id, refs, ok)
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
		name           string
		a              briefbot.Answer
		wantWhole      bool // the description is the whole answer
		minLinks       int  // sources linked at least
		minMarkerLinks int  // markers in the text linked at least
	}{
		{"short", makeAnswer(200, 2, "Brief", "https://example.org/b#p"), true, 2, 2},
		{"10000 chars, 30 citations", makeAnswer(10000, 30, "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus", frag), false, 5, 1},
		{"huge titles", makeAnswer(3000, 12, strings.Repeat("Very long title ", 40), frag), false, 1, 1},
		// Too many sources to link any: they are listed plainly.
		{"60 citations", makeAnswer(6000, 60, strings.Repeat("Title ", 30), frag), false, 0, 0},
		{"no URL", makeAnswer(500, 3, "Plain", ""), true, 0, 0},
		{"unicode", makeAnswer(5000, 5, strings.Repeat("Ünïcödé ", 10), "https://example.org/é"), false, 5, 5},
	}
	var all []message
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := answerMessage(langEN, c.a, "answerid")
			checkLimits(t, m)
			e := m.Embeds[0]
			if len(m.Components) != 1 {
				t.Errorf("buttons missing")
			}
			sources := fieldsText(sourceFieldsOf(e))
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
			plain := unlinkMarkers(e.Description)
			whole := plain == escapeAnswer(c.a.Text)
			if whole != c.wantWhole {
				t.Errorf("whole answer shown = %v, want %v (%d of %d characters)", whole, c.wantWhole, runeLen(e.Description), runeLen(c.a.Text))
			}
			if !whole {
				// Cut at a sentence boundary, said in the footer.
				if ends := sentenceEnds(plain); len(ends) == 0 || ends[len(ends)-1] != len(plain) {
					t.Errorf("answer not cut at a sentence end: …%q", plain[max(0, len(plain)-60):])
				}
				if !strings.HasSuffix(e.Footer.Text, shortenedNote) {
					t.Errorf("footer %q does not say the answer was shortened", e.Footer.Text)
				}
				if runeLen(plain) < 500 {
					t.Errorf("only %d characters of answer left", runeLen(plain))
				}
			}
			if links := strings.Count(sources, "](http"); links < c.minLinks {
				t.Errorf("%d sources linked, want at least %d", links, c.minLinks)
			}
			if links := strings.Count(e.Description, "](http"); links < c.minMarkerLinks {
				t.Errorf("%d markers linked, want at least %d", links, c.minMarkerLinks)
			}
			if last := e.Fields[len(e.Fields)-1]; last.Name != "Index updated" || last.Value != "<t:1767323040:R>" {
				t.Errorf("last field = %q: %q, want the index's date", last.Name, last.Value)
			}
			all = append(all, m)
		})
	}
	validateOnFake(t, all...)
}

// sourceFieldsOf is the embed's fields without the index's date.
func sourceFieldsOf(e *discordgo.MessageEmbed) []*discordgo.MessageEmbedField {
	var out []*discordgo.MessageEmbedField
	for _, f := range e.Fields {
		if strings.HasPrefix(f.Name, "Sources") {
			out = append(out, f)
		}
	}
	return out
}

// linkedMarkerRE is a marker number linked to its passage.
var linkedMarkerRE = regexp.MustCompile(`\[(\[\d+\])\]\((https?://[^)\s]*)\)`)

// unlinkMarkers turns "[[1]](url)" back into "[1]" and "[1][2]" (a linked
// "[1, 2]") back into "[1, 2]", to compare a description with the plain
// answer.
func unlinkMarkers(s string) string {
	s = linkedMarkerRE.ReplaceAllString(s, "$1")
	return regexp.MustCompile(`\](?:\[)(\d)`).ReplaceAllString(s, ", $1")
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
	m := answerMessage(langEN, a, "id")
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
	if e.Footer != nil {
		t.Errorf("a non-answer has a footer: %q", e.Footer.Text)
	}
	validateOnFake(t, m)
}

func TestPassagesMessage(t *testing.T) {
	a := makeAnswer(500, 30, "Title", "https://e.org/")
	passages := map[string]briefbot.Passage{}
	for _, c := range a.Citations {
		passages[c.PassageID] = briefbot.Passage{ID: c.PassageID, Text: strings.Repeat("Full passage text. ", 60)}
	}
	m := passagesMessage(langEN, a, passages)
	checkLimits(t, m)
	if len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Description, "Full passage text.") {
		t.Fatalf("embeds = %+v", m.Embeds)
	}
	// The answer's text uses the first few of its 30 citations; only those
	// are listed.
	used := len(numberByFirstUse(a).Citations)
	if !strings.Contains(m.Content, fmt.Sprintf("Showing %d of the %d cited passages", len(m.Embeds), used)) {
		t.Errorf("content = %q", m.Content)
	}
	one := passagesMessage(langEN, makeAnswer(100, 1, "T", ""), nil)
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
	m := searchMessage(langEN, "matched", hits)
	checkLimits(t, m)
	d := m.Embeds[0].Description
	if !strings.Contains(d, `**The \*matched\* sentence.**`) || !strings.Contains(d, "**10.**") {
		t.Errorf("description = %q", d)
	}
	if q := boldQuote("abc", "zzz", 10); strings.Contains(q, "**") {
		t.Errorf("boldQuote without the quote = %q", q)
	}
	if m := searchMessage(langEN, "q", nil); m.Embeds[0].Description != "No passage matches." {
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
	m := sourcesMessage(langEN, docs)
	checkLimits(t, m)
	if !strings.Contains(m.Embeds[0].Description, "more documents") {
		t.Errorf("truncated list does not say so")
	}
	lead, _ := leadOf(docs[0])
	b := briefMessage(langEN, docs[0], lead.Text)
	checkLimits(t, b)
	if !strings.HasPrefix(b.Embeds[0].Description, "Lead paragraph.") {
		t.Errorf("lead = %q", b.Embeds[0].Description[:40])
	}
	if s := fieldsText(b.Embeds[0].Fields); !strings.Contains(s, "… and") {
		t.Errorf("long section list not marked as shortened")
	}
	checkLimits(t, sourcesMessage(langEN, nil))
	r := reindexMessage(langEN, briefbot.ReindexReport{Info: briefbot.IndexInfo{Documents: 3, Passages: 1}, Failed: make([]briefbot.Failure, 300)}, time.Second)
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
	checkLimits(t, progressMessage(langEN, 1, 2))
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
		"https://e.org/a_(b) c":              "https://e.org/a_%28b%29%20c",
		`https://e.org/a\`:                   "https://e.org/a%5C",
		"https://e.org/[x]?q=`y`#:~:text=a)": "https://e.org/%5Bx%5D?q=%60y%60#:~:text=a%29",
		"http://[::1]:8080/p(1)":             "http://[::1]:8080/p%281%29",
		"https://e.org":                      "https://e.org",
		"javascript:alert(1)":                "",
		"https://)":                          "",
		"https://docs.example@evil.example/": "",
		"http://0#\xdd":                      "",
		"/relative/path":                     "",
		"":                                   "",
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
		action, answer, refs, ok := parseCustomID(id)
		var rs []string
		if refs != "" {
			rs = []string{refs}
		}
		if ok && customID(action, answer, rs...) != id && len(id) <= maxCustomID {
			t.Fatalf("parse(%q) = %q %q %q does not round-trip", id, action, answer, refs)
		}
	})
}

func TestFooterText(t *testing.T) {
	built := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	cases := []struct {
		a    briefbot.Answer
		want string
	}{
		{briefbot.Answer{Mode: briefbot.ModeExtractive, Answerable: true, Citations: make([]briefbot.Citation, 1), Index: briefbot.IndexInfo{BuiltAt: built}}, "Quoted from 1 passage"},
		{briefbot.Answer{Mode: briefbot.ModeLLM, Answerable: true, Citations: make([]briefbot.Citation, 3)}, "Written by the model from 3 passages"},
		{briefbot.Answer{Mode: briefbot.ModeExtractive, FallbackReason: "timeout", Answerable: true, Citations: make([]briefbot.Citation, 2)},
			"Quoted from 2 passages · The summary model was unavailable, so these are the passages' own words."},
		{briefbot.Answer{Mode: briefbot.ModeExtractive, FallbackReason: "daily_cap", Answerable: true, Citations: make([]briefbot.Citation, 2)},
			"Quoted from 2 passages · You have used today's model answers, so these are the passages' own words."},
		{briefbot.Answer{Mode: "", Answerable: false, Index: briefbot.IndexInfo{BuiltAt: built}}, ""},
	}
	for _, c := range cases {
		if got := footerText(langEN, c.a); got != c.want {
			t.Errorf("footerText = %q, want %q", got, c.want)
		}
	}
}

// validateOnFake posts each message to a channel of a fake Discord, which
// checks the body against Discord's OpenAPI document and the limits the
// document does not express (see internal/discordfake); every violation
// fails the test.
func validateOnFake(t *testing.T, msgs ...message) {
	t.Helper()
	fake := discordfake.New(t, discordfake.Options{RateLimit: discordfake.RateLimit{Limit: 10000, Window: time.Second}})
	client := fake.HTTPClient()
	for i, m := range msgs {
		raw, err := json.Marshal(m.body(false))
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest("POST", "https://discord.com/api/v10/channels/"+fake.ChannelID+"/messages", bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bot "+fake.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("message %d rejected: %s %s", i, resp.Status, body)
		}
	}
	for _, v := range fake.TakeViolations() {
		t.Errorf("discordfake: %v", v)
	}
}

func cited(n int, doc, section string, paragraph int, url, quote string) briefbot.Citation {
	return briefbot.Citation{N: n, DocID: doc, PassageID: fmt.Sprintf("%s#%d", doc, n), Title: "Title of " + doc, Section: section, Paragraph: paragraph, URL: url, Quote: quote}
}

func TestNumberByFirstUse(t *testing.T) {
	c1 := cited(1, "a", "S", 1, "https://a.org/#1", "One.")
	c2 := cited(2, "a", "S", 2, "https://a.org/#2", "Two.")
	c3 := cited(3, "b", "T", 1, "https://b.org/#3", "Three.")
	renum := func(c briefbot.Citation, n int) briefbot.Citation { c.N = n; return c }
	cases := []struct {
		name      string
		text      string
		cites     []briefbot.Citation
		wantText  string
		wantCites []briefbot.Citation
	}{
		{"in order", "One. [1] Two. [2]", []briefbot.Citation{c1, c2}, "One. [1] Two. [2]", []briefbot.Citation{c1, c2}},
		{"reversed", "Two. [2] One. [1] Two again [2].", []briefbot.Citation{c1, c2}, "Two. [1] One. [2] Two again [1].",
			[]briefbot.Citation{renum(c2, 1), renum(c1, 2)}},
		{"unused dropped", "Three. [3] One. [1]", []briefbot.Citation{c1, c2, c3}, "Three. [1] One. [2]",
			[]briefbot.Citation{renum(c3, 1), renum(c1, 2)}},
		{"group sorted and deduplicated", "Both [3, 1]. Again [1; 1].", []briefbot.Citation{c1, c3}, "Both [1, 2]. Again [2].",
			[]briefbot.Citation{renum(c3, 1), renum(c1, 2)}},
		// A quote's own "[1]" is the document's footnote: it is neither
		// renumbered nor counted as a use.
		{"literal marker in a quote", "As note [1] says. [2] One. [1]",
			[]briefbot.Citation{c1, {N: 2, PassageID: "q", Quote: "As note [1] says."}},
			"As note [1] says. [1] One. [2]",
			[]briefbot.Citation{{N: 1, PassageID: "q", Quote: "As note [1] says."}, renum(c1, 2)}},
		{"unknown number and year stay", "In [2023] and [7] it rose. [2]", []briefbot.Citation{c1, c2}, "In [2023] and [7] it rose. [1]",
			[]briefbot.Citation{renum(c2, 1)}},
		{"duplicate numbers: first wins", "Two. [2]", []briefbot.Citation{c2, renum(c3, 2)}, "Two. [1]", []briefbot.Citation{renum(c2, 1)}},
		// Without a single marker there is no order of use, and an answer
		// must still say where it came from.
		{"no markers keep the sources", "Plain text.", []briefbot.Citation{c3, renum(c1, 5)}, "Plain text.",
			[]briefbot.Citation{renum(c3, 1), renum(c1, 2)}},
		{"no markers, one source per number", "Plain text.", []briefbot.Citation{c1, c1, renum(c2, 1)}, "Plain text.", []briefbot.Citation{c1}},
		{"no citations", "Text [1].", nil, "Text [1].", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := briefbot.Answer{Question: "q", Text: c.text, Citations: c.cites, Answerable: true}
			before := slices.Clone(c.cites)
			got := numberByFirstUse(in)
			if got.Text != c.wantText {
				t.Errorf("text = %q, want %q", got.Text, c.wantText)
			}
			if !slices.Equal(got.Citations, c.wantCites) {
				t.Errorf("citations = %+v\nwant %+v", got.Citations, c.wantCites)
			}
			if !slices.Equal(c.cites, before) {
				t.Errorf("the answer's citations were changed in place")
			}
		})
	}
}

func TestAnswerDescriptionLinks(t *testing.T) {
	u1 := "https://e.org/doc#:~:text=One"
	cases := []struct {
		name  string
		text  string
		cites []briefbot.Citation
		want  string
	}{
		{"linked", "One. [1] Two. [2]",
			[]briefbot.Citation{cited(1, "a", "S", 1, u1, "One."), cited(2, "a", "S", 2, "https://e.org/doc#:~:text=Two", "Two.")},
			"One. [[1]](https://e.org/doc#:~:text=One) Two. [[2]](https://e.org/doc#:~:text=Two)"},
		{"no URL stays plain", "One. [1]", []briefbot.Citation{cited(1, "a", "S", 1, "", "One.")}, "One. [1]"},
		{"parenthesis in URL encoded", "One. [1]", []briefbot.Citation{cited(1, "a", "S", 1, "https://e.org/a_(b)#:~:text=x)", "One.")},
			"One. [[1]](https://e.org/a_%28b%29#:~:text=x%29)"},
		{"group", "Both. [1, 2]", []briefbot.Citation{cited(1, "a", "S", 1, u1, "x"), cited(2, "a", "S", 2, "", "y")},
			"Both. [[1]](https://e.org/doc#:~:text=One)[2]"},
		// The document's own "[2]" inside a quote is not one of ours.
		{"literal in quote", "See note [2] here. [1] Then. [2]",
			[]briefbot.Citation{cited(1, "a", "S", 1, u1, "See note [2] here."), cited(2, "a", "S", 2, "https://e.org/2", "Then.")},
			"See note [2] here. [[1]](https://e.org/doc#:~:text=One) Then. [[2]](https://e.org/2)"},
		// A model writing its own link after a marker gets neither.
		{"marker before parenthesis", "Bad [1](https://evil.example) text. [1]", []briefbot.Citation{cited(1, "a", "S", 1, u1, "x")},
			`Bad \[1\](https://evil.example) text. [[1]](https://e.org/doc#:~:text=One)`},
		{"markdown escaped", "A *b* [1] - c", []briefbot.Citation{cited(1, "a", "S", 1, u1, "x")},
			`A \*b\* [[1]](https://e.org/doc#:~:text=One) - c`},
		{"line start after a marker", "A. [1]\n- list", []briefbot.Citation{cited(1, "a", "S", 1, u1, "x")},
			"A. [[1]](https://e.org/doc#:~:text=One)\n\\- list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := briefbot.Answer{Text: c.text, Citations: c.cites}
			kept := map[int]bool{1: true, 2: true}
			got, shortened := answerDescription(a, kept, maxEmbedDescription)
			if got != c.want || shortened {
				t.Errorf("answerDescription = %q (shortened %v)\nwant %q", got, shortened, c.want)
			}
		})
	}
	// Links that do not fit leave their markers plain, first ones linked
	// first; the text itself is never cut for them.
	a := briefbot.Answer{Text: "One. [1] Two. [2]", Citations: []briefbot.Citation{cited(1, "a", "S", 1, u1, "x"), cited(2, "a", "S", 2, u1, "y")}}
	room := runeLen("One. [1] Two. [2]") + runeLen("[[1]]()"+u1) - 2
	if got, _ := answerDescription(a, map[int]bool{1: true, 2: true}, room); got != "One. [[1]](https://e.org/doc#:~:text=One) Two. [2]" {
		t.Errorf("room for one link: %q", got)
	}
}

func TestSourceFieldsGrouped(t *testing.T) {
	long := "A Very Long Report Title That Goes On: With a Subtitle That Explains Everything in Great Detail"
	cs := []briefbot.Citation{
		{N: 1, DocID: "a", Title: long, Section: "Findings", Paragraph: 2, URL: "https://a.org/r#:~:text=x"},
		{N: 2, DocID: "b", Title: "Second *Doc*", Section: "", Paragraph: 1, URL: ""},
		{N: 3, DocID: "a", Title: long, Section: long, Paragraph: 5, URL: "https://a.org/r#:~:text=y"},
	}
	fields, kept := sourceFields(langEN, cs, maxEmbedsTotal)
	want := "**[A Very Long Report Title That Goes On: With a Subtitle That Explains Everything…](https://a.org/r)**\n" +
		"[1] [§ Findings ¶2](https://a.org/r#:~:text=x)\n" +
		"[3] [¶5](https://a.org/r#:~:text=y)\n" +
		"**Second \\*Doc\\***\n" +
		"[2] ¶1"
	if len(fields) != 1 || fields[0].Name != "Sources" || fields[0].Value != want {
		t.Errorf("fields = %+v\nwant one Sources field %q", fields, want)
	}
	if len(kept) != 3 {
		t.Errorf("kept = %v", kept)
	}
	// A budget for plain lines only: every source listed, none linked.
	plain := "**A Very Long Report Title That Goes On: With a Subtitle That Explains Everything…**\n[1] § Findings ¶2\n[3] ¶5\n**Second \\*Doc\\***\n[2] ¶1"
	fields, kept = sourceFields(langEN, cs, runeLen("Sources")+runeLen(plain))
	if len(fields) != 1 || fields[0].Value != plain || len(kept) != 3 {
		t.Errorf("tight budget: %+v, kept %v", fields, kept)
	}
	// A heading never ends a field apart from its first citation.
	var many []briefbot.Citation
	for i := range 40 {
		many = append(many, briefbot.Citation{N: i + 1, DocID: fmt.Sprint(i / 3), Title: strings.Repeat("Title ", 10) + fmt.Sprint(i/3), Section: "Section", Paragraph: i, URL: "https://e.org/" + fmt.Sprint(i/3) + "#:~:text=" + strings.Repeat("w", 50)})
	}
	fields, _ = sourceFields(langEN, many, maxEmbedsTotal)
	for _, f := range fields {
		if lines := strings.Split(f.Value, "\n"); strings.HasPrefix(lines[len(lines)-1], "**") {
			t.Errorf("field %q ends with a heading", f.Name)
		}
	}
}

func TestShortLabel(t *testing.T) {
	cases := []struct {
		in    string
		limit int
		want  string
	}{
		{"Short title", 80, "Short title"},
		{"Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus", 80, "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus"},
		{"Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus", 40, "Iran's Tensions with Azerbaijan Point…"},
		{"U.S. Policy: A Review of Options for the Next Decade", 20, "U.S. Policy: A…"},
		{"Ends, at comma here", 11, "Ends, at…"},
		{"word boundary right at the cut", 11, "word…"},
		{strings.Repeat("x", 30), 10, strings.Repeat("x", 9) + "…"},
		{"  spaced\n  out   title ", 80, "spaced out title"},
		{"é" + strings.Repeat("é", 20), 5, "éééé…"},
	}
	for _, c := range cases {
		got := shortLabel(c.in, c.limit)
		if got != c.want || runeLen(got) > c.limit {
			t.Errorf("shortLabel(%q, %d) = %q, want %q", c.in, c.limit, got, c.want)
		}
	}
}

// Every fallback reason internal/llm can give, and every mode, reads as
// plain words: no "extractive", "llm" or reason code reaches a reader.
func TestNoInternalWords(t *testing.T) {
	errs := []error{llm.ErrNoSources, llm.ErrDailyCap, llm.ErrBusy, llm.ErrTimeout, llm.ErrCanceled, llm.ErrUnauthorized,
		llm.ErrRateLimited, llm.ErrServer, llm.ErrBadRequest, llm.ErrUnreachable, llm.ErrBadResponse, llm.ErrContentFilter,
		llm.ErrTruncated, llm.ErrTooLong, llm.ErrNoValidCitation, llm.ErrNotInSources, errors.New("other")}
	forbidden := []string{"extractive", "llm", "fallback", "mode"}
	var reasons []string
	for _, err := range errs {
		r := llm.FallbackReason(err)
		reasons = append(reasons, r)
		if strings.Contains(r, "_") || slices.Contains([]string{"timeout", "unauthorized", "unreachable", "canceled", "truncated"}, r) {
			forbidden = append(forbidden, r)
		}
	}
	a := makeAnswer(300, 2, "Doc", "https://e.org/d")
	var shown []message
	for _, mode := range []string{briefbot.ModeExtractive, briefbot.ModeLLM, ""} {
		for _, r := range append(reasons, "") {
			a.Mode, a.FallbackReason = mode, r
			shown = append(shown, answerMessage(langEN, a, "id"))
		}
	}
	no := briefbot.Answer{Question: "q", Mode: briefbot.ModeExtractive, FallbackReason: "timeout", Text: "The documents do not cover this question.",
		Related: []briefbot.Hit{{Passage: briefbot.Passage{Title: "T", Section: "S", Paragraph: 1, Text: "x"}, Exact: 2, Coverage: 0.5}}}
	shown = append(shown, answerMessage(langEN, no, "id"), refusalMessage(langEN, no, true), relatedMessage(langEN, no))
	for _, m := range shown {
		text := strings.ToLower(renderText(m))
		for _, w := range forbidden {
			if regexp.MustCompile(`\b` + regexp.QuoteMeta(w) + `\b`).MatchString(text) {
				t.Errorf("%q shown to a reader:\n%s", w, text)
			}
		}
	}
}

func TestRefusalMessage(t *testing.T) {
	a := briefbot.Answer{Question: "Population of Canada?", Text: "The documents do not cover this question.", Related: make([]briefbot.Hit, 3)}
	for _, c := range []struct {
		related bool
		want    string
	}{
		{false, "Not in the indexed documents. Try /search, or rephrase."},
		{true, "Not in the indexed documents. Try /search, or rephrase. Some passages share words with the question; they are not an answer."},
	} {
		m := refusalMessage(langEN, a, c.related)
		if m.Content != c.want || len(m.Embeds) != 0 || len(m.Components) != 0 {
			t.Errorf("refusalMessage(langEN, related=%v) = %+v, want only %q", c.related, m, c.want)
		}
		checkLimits(t, m)
	}
}

func TestRelatedWorthShowing(t *testing.T) {
	hit := func(id string, exact int, coverage float64) briefbot.Hit {
		return briefbot.Hit{Passage: briefbot.Passage{ID: id}, Exact: exact, Coverage: coverage}
	}
	cases := []struct {
		name string
		hits []briefbot.Hit
		want []string
	}{
		{"none", nil, nil},
		{"related words only", []briefbot.Hit{hit("a", 0, 0.6)}, nil},
		{"one common word", []briefbot.Hit{hit("a", 1, 0.19)}, nil},
		{"one word carrying the question", []briefbot.Hit{hit("a", 1, 0.42)}, []string{"a"}},
		{"two words", []briefbot.Hit{hit("a", 2, 0.16)}, []string{"a"}},
		{"two words worth nothing", []briefbot.Hit{hit("a", 2, 0.05)}, nil},
		{"mixed, order kept", []briefbot.Hit{hit("a", 1, 0.1), hit("b", 3, 0.5), hit("c", 2, 0.2)}, []string{"b", "c"}},
		{"at most three", []briefbot.Hit{hit("a", 2, 1), hit("b", 2, 1), hit("c", 2, 1), hit("d", 2, 1)}, []string{"a", "b", "c"}},
	}
	for _, c := range cases {
		var got []string
		for _, h := range relatedWorthShowing(briefbot.Answer{Related: c.hits}) {
			got = append(got, h.Passage.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// The floor measured on the built-in brief: most off-topic questions get no
// "Show related passages" button, most near misses do.
func TestRelatedFloorOnTheBrief(t *testing.T) {
	lib := openLibrary(t)
	share := func(file string) (shown, refused int) {
		f, err := os.Open(filepath.Join("..", "testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var q struct{ Query string }
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				t.Fatal(err)
			}
			a, err := lib.Ask(context.Background(), briefbot.AskRequest{Question: q.Query})
			if err != nil {
				t.Fatal(err)
			}
			if a.Answerable {
				continue
			}
			refused++
			if len(relatedWorthShowing(a)) > 0 {
				shown++
			}
		}
		return shown, refused
	}
	offShown, off := share("brief_unanswerable.jsonl")
	nearShown, near := share("brief_unanswerable_neartopic_dev.jsonl")
	t.Logf("related shown for %d of %d off-topic and %d of %d near-topic refusals", offShown, off, nearShown, near)
	if off == 0 || near == 0 || float64(offShown) > 0.3*float64(off) || float64(nearShown) < 0.8*float64(near) {
		t.Errorf("related shown for %d of %d off-topic (want at most 30%%) and %d of %d near-topic refusals (want at least 80%%)", offShown, off, nearShown, near)
	}
}

func TestRelatedMessage(t *testing.T) {
	a := briefbot.Answer{Question: "Who is the ambassador?", Text: "The documents do not cover this question."}
	for i := range 5 {
		a.Related = append(a.Related, briefbot.Hit{Passage: briefbot.Passage{Title: strings.Repeat("Long title ", 20), Section: "S*", Paragraph: i + 1,
			URL: "https://e.org/x_(1)#frag", Text: strings.Repeat("long text ", 100)}, Quote: strings.Repeat("quote ", 100), Exact: 2, Coverage: 0.5})
	}
	m := relatedMessage(langEN, a)
	checkLimits(t, m)
	e := m.Embeds[0]
	if len(e.Fields) != maxRelated || len(m.Components) != 0 || !strings.Contains(e.Description, "do not answer") {
		t.Fatalf("related message = %+v", m)
	}
	for i, f := range e.Fields {
		if f.Name != fmt.Sprintf("%d · not an answer", i+1) {
			t.Errorf("field name %q", f.Name)
		}
		if want := fmt.Sprintf("§ S\\* ¶%d](https://e.org/x_%%281%%29)", i+1); !strings.HasPrefix(f.Value, "“quote") || !strings.HasSuffix(f.Value, want) {
			t.Errorf("field value %q, want the quote and a source line ending %q", f.Value, want)
		}
	}
	none := relatedMessage(langEN, briefbot.Answer{Related: []briefbot.Hit{{Exact: 1, Coverage: 0.01}}})
	if none.Content == "" || len(none.Embeds) != 0 {
		t.Errorf("nothing worth showing: %+v", none)
	}
	validateOnFake(t, m, none)
}

func TestExampleQuestion(t *testing.T) {
	brief := briefbot.Document{Title: "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus",
		Sections: []string{"About the Authors", "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus",
			"Territorial Shifts After the 2020 War", "Azerbaijani-Iranian Border Tensions: Why Now?"}}
	report := briefbot.Document{Title: "Annual Report 2025", Sections: []string{"Summary", "Revenue growth in Europe", "Outlook"}}
	boiler := briefbot.Document{Title: "Meeting Notes", Sections: []string{"Introduction", "Notes", "Q&A: what next?"}}
	cases := []struct {
		name string
		docs []briefbot.Document
		want string
	}{
		{"a heading", []briefbot.Document{brief}, "What does the document say about Territorial Shifts After the 2020 War?"},
		{"another corpus", []briefbot.Document{report, brief}, "What do the documents say about Revenue growth in Europe?"},
		{"only boilerplate headings", []briefbot.Document{boiler}, "What is “Meeting Notes” about?"},
		{"long title", []briefbot.Document{{Title: strings.Repeat("Word ", 30)}}, "What is “" + strings.TrimSpace(strings.Repeat("Word ", 12)) + "…” about?"},
		{"nothing indexed", nil, "What do the documents cover?"},
	}
	for _, c := range cases {
		if got := exampleQuestion(langEN, c.docs); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestMentionHelp(t *testing.T) {
	docs := []briefbot.Document{{Title: "Annual Report", Sections: []string{"Revenue growth in Europe"}}}
	m := mentionHelp(langEN, "brief_bot", docs)
	want := "Ask me a question about the documents, e.g. “@brief\\_bot What does the document say about Revenue growth in Europe?”, or use /ask."
	if m.Content != want {
		t.Errorf("mentionHelp = %q\nwant %q", m.Content, want)
	}
	checkLimits(t, mentionHelp(langEN, strings.Repeat("n", 200), nil))
}

func TestStreamingNumbersByFirstUse(t *testing.T) {
	m := streamingMessage("q", "Later fact [3]. Earlier fact [1, 3]. Year [2023].")
	if d := m.Embeds[0].Description; d != "Later fact [1]. Earlier fact [1, 2]. Year [2023]. …" {
		t.Errorf("streaming description = %q", d)
	}
}

// The "Show passages" reply numbers its passages as the answer shows them.
func TestPassagesNumberedLikeTheAnswer(t *testing.T) {
	a := briefbot.Answer{Question: "q", Answerable: true, Text: "B. [2] A. [1]", Citations: []briefbot.Citation{
		{N: 1, PassageID: "pa", Title: "Doc", Section: "Doc", Paragraph: 1, Quote: "A."},
		{N: 2, PassageID: "pb", Title: "Doc", Section: "Sec", Paragraph: 4, Quote: "B."},
	}}
	m := passagesMessage(langEN, a, nil)
	if len(m.Embeds) != 2 || m.Embeds[0].Title != "[1] Doc — Sec ¶4" || m.Embeds[1].Title != "[2] Doc ¶1" {
		t.Errorf("passage titles = %q, %q", m.Embeds[0].Title, m.Embeds[1].Title)
	}
	if d := answerMessage(langEN, a, "").Embeds[0].Description; d != "B. [1] A. [2]" {
		t.Errorf("answer = %q", d)
	}
}

// renderWidth is where renderText wraps text, about what an embed shows on a
// laptop screen.
const renderWidth = 72

// renderText shows a message roughly as a reader sees it in Discord, as
// plain text for golden files and the README: the content, each embed as a
// block with a bar on its left (title, description, fields, footer), and
// the buttons as [ Label ]. Markdown is rendered: a link shows its label,
// bold and escapes disappear, a timestamp shows its date.
func renderText(m message) string { return renderTextAt(m, time.Time{}) }

// renderTextAt is renderText with relative timestamps ("<t:…:R>") shown as
// a reader sees them at now ("3 days ago"); the zero now shows the date.
func renderTextAt(m message, now time.Time) string {
	var blocks []string
	if m.Content != "" {
		blocks = append(blocks, strings.Join(wrapText(renderMarkdown(m.Content, now), renderWidth), "\n"))
	}
	for _, e := range m.Embeds {
		var sections [][]string
		add := func(s string) {
			if s = strings.TrimSpace(s); s != "" {
				sections = append(sections, wrapText(s, renderWidth-2))
			}
		}
		add(e.Title)
		add(renderMarkdown(e.Description, now))
		for _, f := range e.Fields {
			add(f.Name + "\n" + renderMarkdown(f.Value, now))
		}
		if e.Footer != nil {
			add(e.Footer.Text)
		}
		var lines []string
		for i, s := range sections {
			if i > 0 {
				lines = append(lines, "┃")
			}
			for _, l := range s {
				lines = append(lines, strings.TrimRight("┃ "+l, " "))
			}
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	for _, row := range m.Components {
		var buttons []string
		for _, c := range row.(discordgo.ActionsRow).Components {
			b := c.(discordgo.Button)
			text := b.Label
			if b.Emoji != nil {
				text = strings.TrimSpace(b.Emoji.Name + " " + text)
			}
			label := "[ " + text + " ]"
			if b.URL != "" {
				label = "[ " + b.Label + " ↗ ]"
			}
			buttons = append(buttons, label)
		}
		blocks = append(blocks, strings.Join(buttons, " "))
	}
	return strings.Join(blocks, "\n") + "\n"
}

// timestampRE is Discord's timestamp markup.
var timestampRE = regexp.MustCompile(`^<t:(-?\d+)(?::([tTdDfFR]))?>`)

// renderMarkdown renders the markdown the bot writes: masked links (labels
// may hold brackets, as in "[[1]](url)"), bold, backslash escapes, subtext
// and timestamps.
func renderMarkdown(s string, now time.Time) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\*_~`|[]()<>#-:", s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i += 2
		case strings.HasPrefix(s[i:], "**"):
			i += 2
		case strings.HasPrefix(s[i:], "-# ") && (i == 0 || s[i-1] == '\n'):
			i += 3
		case s[i] == '[':
			if label, n, ok := maskedLink(s[i:]); ok {
				b.WriteString(renderMarkdown(label, now))
				i += n
				continue
			}
			b.WriteByte('[')
			i++
		case s[i] == '<':
			if m := timestampRE.FindStringSubmatch(s[i:]); m != nil {
				sec, _ := strconv.ParseInt(m[1], 10, 64)
				b.WriteString(renderTimestamp(time.Unix(sec, 0).UTC(), m[2], now))
				i += len(m[0])
				continue
			}
			b.WriteByte('<')
			i++
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
}

// maskedLink reads "[label](http…)" at the start of s: the label with
// balanced brackets (escaped ones do not count) and a URL without spaces or
// parentheses.
func maskedLink(s string) (label string, n int, ok bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			depth++
		case ']':
			depth--
			if depth > 0 {
				continue
			}
			rest := s[i+1:]
			if !strings.HasPrefix(rest, "(http") {
				return "", 0, false
			}
			end := strings.IndexAny(rest, ") \n")
			if end < 0 || rest[end] != ')' {
				return "", 0, false
			}
			return s[1:i], i + 1 + end + 1, true
		}
	}
	return "", 0, false
}

// renderTimestamp shows t as Discord would in the reader's time zone (UTC
// here): relative for "R" when now is known, else the date and time.
func renderTimestamp(t time.Time, style string, now time.Time) string {
	if style != "R" || now.IsZero() {
		return t.Format("2 January 2006 15:04 UTC")
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	// Discord's relative times follow moment.js's thresholds.
	var s string
	switch day := 24 * time.Hour; {
	case d < 45*time.Second:
		s = "a few seconds"
	case d < 90*time.Second:
		s = "a minute"
	case d < 45*time.Minute:
		s = fmt.Sprintf("%d minutes", int(d.Minutes()+0.5))
	case d < 90*time.Minute:
		s = "an hour"
	case d < 22*time.Hour:
		s = fmt.Sprintf("%d hours", int(d.Hours()+0.5))
	case d < 36*time.Hour:
		s = "a day"
	case d < 26*day:
		s = fmt.Sprintf("%d days", int(d.Hours()/24+0.5))
	case d < 45*day:
		s = "a month"
	case d < 320*day:
		s = fmt.Sprintf("%d months", int(d.Hours()/24/30.4+0.5))
	case d < 548*day:
		s = "a year"
	default:
		s = fmt.Sprintf("%d years", int(d.Hours()/24/365+0.5))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// wrapText breaks each line of s into lines of at most width characters
// at spaces; a longer word keeps its own line.
func wrapText(s string, width int) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		cur := ""
		for _, w := range strings.Fields(line) {
			switch {
			case cur == "":
				cur = w
			case runeLen(cur)+1+runeLen(w) <= width:
				cur += " " + w
			default:
				out = append(out, cur)
				cur = w
			}
		}
		out = append(out, cur)
	}
	return out
}

func TestRenderText(t *testing.T) {
	built := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	m := message{
		Content: `Plain \*content\* <t:1795167000:R>`,
		Embeds: []*discordgo.MessageEmbed{{
			Title:       "Title",
			Description: `A [[1]](https://e.org/#:~:text=a%29) and \[2\] and [x](https://e.org) **bold**`,
			Fields: []*discordgo.MessageEmbedField{
				{Name: "Sources", Value: "**[Doc](https://e.org)**\n[1] [§ S ¶2](https://e.org/#x)"},
				{Name: "Index updated", Value: fmt.Sprintf("<t:%d:R>", built.Unix()), Inline: true},
			},
			Footer: &discordgo.MessageEmbedFooter{Text: "Quoted from 1 passage"},
		}},
		Components: answerButtons(langEN, "id", nil, false),
	}
	got := renderTextAt(m, built.Add(3*24*time.Hour+time.Hour))
	want := "Plain *content* 3 days ago\n" +
		"┃ Title\n┃\n┃ A [1] and [2] and x bold\n┃\n┃ Sources\n┃ Doc\n┃ [1] § S ¶2\n┃\n┃ Index updated\n┃ 3 days ago\n┃\n┃ Quoted from 1 passage\n" +
		"[ Follow up ] [ Show passages ] [ 👍 ] [ 👎 ]\n"
	if got != want {
		t.Errorf("renderText =\n%s\nwant\n%s", got, want)
	}
	if got := renderText(message{Content: "<t:1795167000:R>"}); got != "20 November 2026 09:30 UTC\n" {
		t.Errorf("without now: %q", got)
	}
	for d, want := range map[time.Duration]string{10 * time.Second: "a few seconds ago", 5 * time.Minute: "5 minutes ago", 3 * time.Hour: "3 hours ago",
		30 * time.Hour: "a day ago", 60 * 24 * time.Hour: "2 months ago", -2 * time.Hour: "in 2 hours"} {
		if got := renderTimestamp(built, "R", built.Add(d)); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// goldenBuilt and goldenNow fix the index's date and the reader's clock, so
// that renderings say "3 days ago" whenever the test runs.
var (
	goldenBuilt = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	goldenNow   = goldenBuilt.Add(3*24*time.Hour + 2*time.Hour)
)

// TestRenderGolden renders what a reader sees for an answer, a model answer,
// a model-mode answer that fell back to quotes, a refusal and the related
// passages behind it, from the built-in brief, and compares them with
// testdata/render/*.txt (go test ./bot -run TestRenderGolden -update
// rewrites them). Every rendered message also validates against
// Discord's spec.
func TestRenderGolden(t *testing.T) {
	lib := openLibrary(t)
	ask := func(q string) briefbot.Answer {
		a, err := lib.Ask(context.Background(), briefbot.AskRequest{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		a.Index.BuiltAt = goldenBuilt
		return a
	}
	answer := ask("What is Russia's leverage in the South Caucasus?")
	if !answer.Answerable || len(answer.Citations) < 3 {
		t.Fatalf("the brief no longer answers the golden question: %+v", answer)
	}
	// A model answer citing [2] before [1] and never [3]: it is shown
	// numbered by first use, [3] left out.
	model := answer
	model.Mode = briefbot.ModeLLM
	model.Text = "Iran holds leverage over Baku: while Armenia blocks trade to Nakhchivan, Azerbaijan must go through Iran to reach its exclave [2]. " +
		"Both Iran and Russia watch the South Caucasus closely, from Israel's warming ties with Baku to who controls the region's transport corridors [1]."
	fallback := ask("What does Article 9 call for?")
	fallback.FallbackReason = llm.FallbackReason(llm.ErrTimeout)
	refused := ask("What is the name of Azerbaijan's ambassador to Israel?")
	if refused.Answerable || len(relatedWorthShowing(refused)) == 0 {
		t.Fatalf("the golden refusal changed: answerable %v, %d related worth showing", refused.Answerable, len(relatedWorthShowing(refused)))
	}
	// What users see in Discord, buttons included: a private answer (the
	// default), the follow-up posted in a thread, and the shared copy.
	article9 := ask("What does Article 9 of the ceasefire agreement call for?")
	private := answerView(langEN, article9, "answer-1", true)
	embassy := ask("What happened at Azerbaijan's embassy in Tehran?")
	followQ := "who was blamed?"
	follow, err := lib.Ask(context.Background(), briefbot.AskRequest{Question: followQ, History: []briefbot.Turn{briefbot.TurnOf(embassy, goldenBuilt)}})
	if err != nil {
		t.Fatal(err)
	}
	follow.Index.BuiltAt = goldenBuilt
	thread := answerView(langEN, follow, "answer-5", false)
	thread.Content = langEN.T("Follow-up from %s", "<@1001>")
	shared := answerView(langEN, article9, sharedID("answer-1"), false)
	shared.Content = langEN.T("Shared by %s", "<@1001>")
	cases := []struct {
		name string
		m    message
	}{
		{"ask_private", private},
		{"refusal_private", refusalView(langEN, refused, "answer-4")},
		{"followup_thread", thread},
		{"shared", shared},
		{"answer", answerMessage(langEN, answer, "answer-1")},
		{"model_answer", answerMessage(langEN, model, "answer-2")},
		{"model_fallback", answerMessage(langEN, fallback, "answer-3")},
		{"refusal", refusalMessage(langEN, refused, len(relatedWorthShowing(refused)) > 0)},
		{"related", relatedMessage(langEN, refused)},
		{"mention_help", mentionHelp(langEN, "briefbot", lib.Documents())},
	}
	var all []message
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkLimits(t, c.m)
			got := renderTextAt(c.m, goldenNow)
			path := filepath.Join("testdata", "render", c.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from what renders now (run with -update if the change is intended):\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
		all = append(all, c.m)
	}
	validateOnFake(t, all...)
}

// FuzzAnswerLayout checks what must hold for any answer text: the message
// fits Discord, numbering is 1…n and stable, every marker left in the
// description points at a listed source, and unlinking the description
// gives back the plain escaped text (or a prefix of it, when cut).
func FuzzAnswerLayout(f *testing.F) {
	f.Add("B [2]. A [1]. Both [1, 2].", 2, "https://e.org/a_(b)#:~:text=x")
	f.Add("Quote with [2] inside. [1] More. [3]", 3, "")
	f.Add("[1](https://evil) *x* [2023] [7]\n- item [2]", 2, "https://e.org/")
	f.Add(strings.Repeat("Long sentence about things [1]. ", 300), 1, "https://e.org/p")
	f.Fuzz(func(t *testing.T, text string, n int, url string) {
		n = min(max(n, 0), 40)
		a := briefbot.Answer{Question: "q", Text: text, Answerable: true, Index: briefbot.IndexInfo{BuiltAt: time.Unix(1e9, 0)}}
		for i := 1; i <= n; i++ {
			a.Citations = append(a.Citations, briefbot.Citation{N: i, DocID: fmt.Sprint(i % 3), PassageID: fmt.Sprint(i), Title: "T", Section: "S", Paragraph: i, URL: url, Quote: "Quote with [2] inside."})
		}
		r := numberByFirstUse(a)
		for i, c := range r.Citations {
			if c.N != i+1 {
				t.Fatalf("citation %d numbered %d", i, c.N)
			}
		}
		if again := numberByFirstUse(r); again.Text != r.Text || !slices.Equal(again.Citations, r.Citations) {
			t.Fatalf("numbering is not stable: %q → %q", r.Text, again.Text)
		}
		m := answerMessage(langEN, a, "id")
		if !utf8.ValidString(text) {
			return
		}
		checkLimits(t, m)
		e := m.Embeds[0]
		listed := map[int]bool{}
		for _, line := range strings.Split(fieldsText(sourceFieldsOf(e)), "\n") {
			if v, err := strconv.Atoi(strings.TrimPrefix(strings.SplitN(line, "]", 2)[0], "[")); err == nil {
				listed[v] = true
			}
		}
		for _, mm := range linkedMarkerRE.FindAllStringSubmatch(e.Description, -1) {
			v, _ := strconv.Atoi(strings.Trim(mm[1], "[]"))
			if !listed[v] {
				t.Fatalf("description links [%d], which is not listed", v)
			}
		}
		// A linked group "[1, 2]" reads "[1][2]", so the comparison ignores
		// brackets, commas and spaces.
		plain := strings.Join(renderParts(splitAnswer(strings.TrimSpace(r.Text), func(v int) bool { return v >= 1 && v <= len(r.Citations) }, citationQuotes(r.Citations))), "")
		bare := func(s string) string {
			return strings.Map(func(c rune) rune {
				if strings.ContainsRune("[], ;…", c) {
					return -1
				}
				return c
			}, s)
		}
		if got := linkedMarkerRE.ReplaceAllString(e.Description, "$1"); !strings.HasPrefix(bare(plain), bare(got)) {
			t.Fatalf("description is not the answer's text:\n%q\nplain %q", e.Description, plain)
		}
	})
}
