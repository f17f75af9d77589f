package corpus

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
)

func parseMD(t *testing.T, src string, opts Options) briefbot.Document {
	t.Helper()
	docs, err := Parse("doc.md", []byte(src), FormatMarkdown, opts)
	if err != nil {
		t.Fatalf("Parse: %v\ninput:\n%s", err, src)
	}
	checkDocInvariants(t, docs[0], opts)
	return docs[0]
}

func lk(text, url string) briefbot.Link { return briefbot.Link{Text: text, URL: url} }

func inlineOf(src string, refs map[string]string) (string, []briefbot.Link) {
	in := newInliner(refs)
	in.run(src)
	var links []briefbot.Link
	for _, l := range in.links {
		links = append(links, briefbot.Link{Text: string(in.out[l.start:l.end]), URL: l.url})
	}
	return in.text(), links
}

func TestInline(t *testing.T) {
	tests := []struct {
		name, src, text string
		links           []briefbot.Link
	}{
		{"anchor repeating its URL", `[presented \(https://a.example/x\)](https://a.example/x) his credentials`,
			"presented his credentials", []briefbot.Link{lk("presented", "https://a.example/x")}},
		{"relative URL in anchor, # target", `by [Anna B \(/experts/anna-b\)](#)`, "by Anna B", []briefbot.Link{lk("Anna B", "/experts/anna-b")}},
		{"absolute URL preferred over relative", `[x \(/rel\)](https://abs.example/y)`, "x", []briefbot.Link{lk("x", "https://abs.example/y")}},
		{"# link stays pending", `from Turkey [and Israel](#)`, "from Turkey and Israel", []briefbot.Link{lk("and Israel", "")}},
		{"# link completed in the same paragraph", `tilt [more overtly](#) <https://m.example/a>) toward`, "tilt more overtly toward",
			[]briefbot.Link{lk("more overtly", "https://m.example/a")}},
		{"bold then (<url>)", `started **challenging** (<https://c.example/1>) this power`, "started challenging this power",
			[]briefbot.Link{lk("challenging", "https://c.example/1")}},
		{"quoted bold then (<url>)", `deems “**unacceptable**” (<https://r.example/>) now`, "deems “unacceptable” now",
			[]briefbot.Link{lk("unacceptable", "https://r.example/")}},
		{"bold (<url>) before a dash", `for **the war** (<https://w.example/>)—which`, "for the war—which", []briefbot.Link{lk("the war", "https://w.example/")}},
		{"link title dropped", `see [x](https://a.example "Title") here`, "see x here", []briefbot.Link{lk("x", "https://a.example")}},
		{"image dropped", `![map](/img/map.png) text`, "text", nil},
		{"linked image dropped", `[![map](/img/map.png)](https://l.example/) text`, "text", nil},
		{"bare image path dropped", `(/sites/default/files/2023-03/map.jpg)`, "", nil},
		{"escapes", `\_private\_ and snake_case and \(x\) \*`, "_private_ and snake_case and (x) *", nil},
		{"emphasis", `*italic* and __bold__ and ***both*** and 2 * 3`, "italic and bold and both and 2 * 3", nil},
		{"html tags", `a <br> b <span class="x">c</span> <!-- note --> d`, "a b c d", nil},
		{"code span", "use `code_x` now", "use code_x now", nil},
		{"label with path", `Energy & Economics (/policy-analysis/energy-economics)`, "Energy & Economics",
			[]briefbot.Link{lk("Energy & Economics", "/policy-analysis/energy-economics")}},
		{"URL in parentheses after prose", `the report by the agency (https://x.example/a) said more`, "the report by the agency said more",
			[]briefbot.Link{lk("agency", "https://x.example/a")}},
		{"reference link", `a [ref link][r] b`, "a ref link b", []briefbot.Link{lk("ref link", "https://r.example/")}},
		{"brackets and footnotes", `[1] cited[^2] text`, "[1] cited text", nil},
		{"entities", `A &amp; B &eacute; &#8212;`, "A & B é —", nil},
		{"ornament", `bio text. ❖`, "bio text.", nil},
		{"strikethrough", `~~old~~ new`, "old new", nil},
		{"autolink text", `mail <a@b.example>`, "mail a@b.example", nil},
		{"whitespace collapsed", "a  \t b\u00a0 c", "a b c", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, links := inlineOf(tc.src, map[string]string{"r": "https://r.example/"})
			if text != tc.text {
				t.Errorf("text = %q, want %q", text, tc.text)
			}
			if !reflect.DeepEqual(links, tc.links) {
				t.Errorf("links = %q, want %q", links, tc.links)
			}
		})
	}
}

func TestMarkdownParagraphs(t *testing.T) {
	one := Options{MinPassageChars: 1} // no merging: one passage per paragraph
	tests := []struct {
		name  string
		src   string
		texts []string // passage texts, in order
		links []briefbot.Link
	}{
		{
			name:  "page break mid-sentence, lower case",
			src:   "# T\n\nThis paragraph is long enough to count as prose and stops in the middle of\n\n \n\nthe sentence after a page break.\n",
			texts: []string{"This paragraph is long enough to count as prose and stops in the middle of the sentence after a page break."},
		},
		{
			name:  "page break mid-sentence, upper case",
			src:   "# T\n\nBaku is likewise deepening its long-term alliance with Turkey, an\n\nIranian competitor with more room.\n",
			texts: []string{"Baku is likewise deepening its long-term alliance with Turkey, an Iranian competitor with more room."},
		},
		{
			name:  "page break across link debris",
			src:   "# T\n\nThe campaign had considerable assistance from Turkey [and Israel](#)\n\n[\\(https://x.example/a.pdf\\)](https://x.example/a.pdf), including drones.\n",
			texts: []string{"The campaign had considerable assistance from Turkey and Israel, including drones."},
			links: []briefbot.Link{lk("and Israel", "https://x.example/a.pdf")},
		},
		{
			name:  "debris repeating a link",
			src:   "# T\n\nUp to a third of the population of the country [is estimated](https://d.example/)\n\n<https://d.example/>) to consist of Azeris.\n",
			texts: []string{"Up to a third of the population of the country is estimated to consist of Azeris."},
			links: []briefbot.Link{lk("is estimated", "https://d.example/")},
		},
		{
			name:  "finished sentences are not joined",
			src:   "# T\n\nThe first paragraph is complete and long enough to be prose.\n\nsecond paragraph starts in lower case.\n",
			texts: []string{"The first paragraph is complete and long enough to be prose.", "second paragraph starts in lower case."},
		},
		{
			name:  "a short unfinished line is not continued",
			src:   "# T\n\nBrief Analysis\n\nThe lead begins here and is a full sentence.\n",
			texts: []string{"The lead begins here and is a full sentence."},
		},
		{
			name:  "no join into a list",
			src:   "# T\n\nThese steps stand out among the many the report considers\n\n- first step\n- second step\n",
			texts: []string{"These steps stand out among the many the report considers", "first step; second step"},
		},
		{
			name:  "no join into a date line",
			src:   "# T\n\n## S\n\nThis line is a long unfinished statement with no final stop\n\nMar 31, 2023\n",
			texts: []string{"This line is a long unfinished statement with no final stop", "Mar 31, 2023"},
		},
		{
			name:  "lines of a paragraph and hard breaks",
			src:   "# T\n\nOne line  \nsecond line\\\nthird line.\n",
			texts: []string{"One line second line third line."},
		},
		{
			name:  "ordered list and blockquote",
			src:   "# T\n\n> Quoted words of wisdom.\n\n1. alpha\n2. beta\n",
			texts: []string{"Quoted words of wisdom.", "alpha; beta"},
		},
		{
			name:  "table rows",
			src:   "# T\n\n| Year | Event |\n|---|---|\n| 2020 | War |\n",
			texts: []string{"Year; Event", "2020; War"},
		},
		{
			name:  "fenced code kept as text",
			src:   "# T\n\n```\nx := *p\n```\n",
			texts: []string{"x := *p"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := parseMD(t, tc.src, one)
			var texts []string
			var links []briefbot.Link
			for _, p := range doc.Passages {
				texts = append(texts, p.Text)
				links = append(links, p.Links...)
			}
			if !reflect.DeepEqual(texts, tc.texts) {
				t.Errorf("passages =\n%q\nwant\n%q", texts, tc.texts)
			}
			if !reflect.DeepEqual(links, tc.links) {
				t.Errorf("links = %q, want %q", links, tc.links)
			}
		})
	}
}

func TestMarkdownSections(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		title    string
		sections []string
		// where maps a needle to the section of the passage holding it.
		where map[string]string
	}{
		{
			name:     "lead goes to the title section, second H1 is a section",
			src:      "# My Title\n\nLead paragraph text here.\n\n## ABOUT THE PROGRAM AND US POLICY\n\nProgram text.\n\n# Policy Recommendations\n\nWashington should do this one thing first.\n",
			title:    "My Title",
			sections: []string{"My Title", "About the Program and US Policy", "Policy Recommendations"},
			where:    map[string]string{"Lead paragraph": "My Title", "Program text": "About the Program and US Policy", "Washington should": "Policy Recommendations"},
		},
		{
			name: "bios section ends at a label line",
			src: "# A Brief\n\nby Jane Doe and John Q. Public\n\n## ABOUT THE AUTHORS\n\n[Jane Doe](/experts/jane)\n\nJane Doe is a fellow at the Institute.\n\n" +
				"John Q. Public\n\nJohn Q. Public is a director at the Institute.\n\nPolicy Analysis\n\nThe lead paragraph argues that something is true.\n\n## Body\n\nBody text.\n\n" +
				"*Jane Doe is a fellow. John Q. Public directs it.*\n",
			title:    "A Brief",
			sections: []string{"About the Authors", "A Brief", "Body"},
			where: map[string]string{
				"Jane Doe is a fellow at":   "About the Authors",
				"John Q. Public is a dir":   "About the Authors",
				"The lead paragraph argues": "A Brief",
				"Jane Doe is a fellow. ":    "About the Authors",
				"Body text":                 "Body",
			},
		},
		{
			name:     "bios section ends at a paragraph about no author",
			src:      "# B\n\nBy Jane Doe\n\n## About the Author\n\nJane Doe is a fellow.\n\nThe article starts here with a claim.\n",
			title:    "B",
			sections: []string{"About the Author", "B"},
			where:    map[string]string{"Jane Doe is": "About the Author", "The article starts": "B"},
		},
		{
			name:     "closing italic bio without bios heading",
			src:      "# C\n\nSome long article text that says things.\n\n_Jane Roe is a senior fellow at the Institute._\n",
			title:    "C",
			sections: []string{"C", "About the Authors"},
			where:    map[string]string{"Jane Roe is": "About the Authors"},
		},
		{
			name:     "title from a first short line of plain text",
			src:      "A Plain Title\n\nThe body of the plain text follows.\n",
			title:    "A Plain Title",
			sections: []string{"A Plain Title"},
		},
		{
			name:     "no title: document ID",
			src:      "The body of the plain text starts at once with a sentence.\n",
			title:    "doc",
			sections: []string{"doc"},
		},
		{
			name:     "repeated heading continues its section",
			src:      "# T\n\n## Notes\n\nFirst note.\n\n## Other\n\nOther text.\n\n## Notes\n\nSecond note, long enough to count as content.\n",
			title:    "T",
			sections: []string{"Notes", "Other"},
			where:    map[string]string{"Second note": "Notes"},
		},
		{
			name:     "YAML front matter",
			src:      "---\ntitle: \"Front Title\"\ndate: 2023-03-31\nauthors:\n  - Jane Doe\n---\n\nText of the document.\n",
			title:    "Front Title",
			sections: []string{"Front Title"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := parseMD(t, tc.src, Options{MinPassageChars: 1})
			if doc.Title != tc.title {
				t.Errorf("title = %q, want %q", doc.Title, tc.title)
			}
			if !reflect.DeepEqual(doc.Sections, tc.sections) {
				t.Errorf("sections = %q, want %q", doc.Sections, tc.sections)
			}
			for needle, sec := range tc.where {
				ps := passagesWith(doc, needle)
				if len(ps) != 1 || ps[0].Section != sec {
					t.Errorf("%q: passages %+v, want one in section %q", needle, ps, sec)
				}
			}
		})
	}
}

func TestMarkdownNavigation(t *testing.T) {
	article := "# T\n\nThe article says something important about the region and its future.\n\n"
	prose := "This closing paragraph is real prose that goes on long enough, with more than twenty-five words in it, to count as article content rather than site navigation at all."
	tests := []struct {
		name    string
		tail    string
		kept    []string
		dropped []string
	}{
		{"marker from the nav vocabulary", "---\n\n**RELATED**\n\n## Other Story\n\n" + prose + "\n", nil, []string{"Other Story", "closing paragraph"}},
		{"marker between rules", "---\n\n**MORE STUFF**\n\n---\n\n" + prose + "\n", nil, []string{"closing paragraph"}},
		{"rule then prose is a scene break", "---\n\n" + prose + "\n", []string{"closing paragraph"}, nil},
		{"rule then short lines", "---\n\nMay 5, 2023\n\nJohn Smith\n\n(/policy-analysis/x)\n", nil, []string{"John Smith"}},
		{"trailing link sections", "## Tags\n\n[Iran](/t/iran)\n\n[Russia](/t/russia)\n\n## REGIONS\n\nIran (/policy-\nanalysis/iran)\n", nil, []string{"Russia", "Iran ("}},
		{"trailing list section with content", "## Key Points\n\n- Iran increased its military drills\n- Russia watched closely from afar\n", []string{"military drills"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := parseMD(t, article+tc.tail, Options{})
			var all []string
			for _, p := range doc.Passages {
				all = append(all, p.Text)
			}
			text := strings.Join(all, "\n") + "\n" + strings.Join(doc.Sections, "\n")
			if !strings.Contains(text, "says something important") {
				t.Errorf("article text lost:\n%s", text)
			}
			for _, k := range tc.kept {
				if !strings.Contains(text, k) {
					t.Errorf("%q dropped:\n%s", k, text)
				}
			}
			for _, d := range tc.dropped {
				if strings.Contains(text, d) {
					t.Errorf("%q kept:\n%s", d, text)
				}
			}
		})
	}
}

func TestMarkdownMetadata(t *testing.T) {
	tests := []struct {
		name      string
		head      string
		authors   []string
		published time.Time
		trans     []briefbot.Link
	}{
		{"long month", "by Jane Doe\n\nMarch 31, 2023\n", []string{"Jane Doe"}, time.Date(2023, 3, 31, 0, 0, 0, 0, time.UTC), nil},
		{"ISO date, and-list", "By Jane Doe and Jean de la Fontaine\n\n2023-03-31\n",
			[]string{"Jane Doe", "Jean de la Fontaine"}, time.Date(2023, 3, 31, 0, 0, 0, 0, time.UTC), nil},
		{"labelled date", "Published: Mar 31, 2023\n", nil, time.Date(2023, 3, 31, 0, 0, 0, 0, time.UTC), nil},
		{"translations on one line", "Also available in: [Français](/fr/x) | [Español](https://e.example/es)\n", nil, time.Time{},
			[]briefbot.Link{lk("Français", "/fr/x"), lk("Español", "https://e.example/es")}},
		{"not a byline", "By 2030, Iran may change course.\n", nil, time.Time{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := parseMD(t, "# Title\n\n"+tc.head+"\nBody text of the document.\n", Options{})
			if !reflect.DeepEqual(doc.Authors, tc.authors) {
				t.Errorf("authors = %q, want %q", doc.Authors, tc.authors)
			}
			if !doc.Published.Equal(tc.published) {
				t.Errorf("published = %v, want %v", doc.Published, tc.published)
			}
			if !reflect.DeepEqual(doc.Translations, tc.trans) {
				t.Errorf("translations = %q, want %q", doc.Translations, tc.trans)
			}
		})
	}
}

func TestFrontMatterMetadata(t *testing.T) {
	doc := parseMD(t, "---\ntitle: T\ndate: March 31, 2023\nauthor: Jane Doe, John Roe\nurl: https://x.example/t\n---\nSee [the page](/p).\n", Options{})
	if want := []string{"Jane Doe", "John Roe"}; !reflect.DeepEqual(doc.Authors, want) {
		t.Errorf("authors = %q", doc.Authors)
	}
	if doc.URL != "https://x.example/t" || doc.Passages[0].URL != doc.URL {
		t.Errorf("URL = %q, passage URL %q", doc.URL, doc.Passages[0].URL)
	}
	if got := doc.Passages[0].Links; len(got) != 1 || got[0].URL != "https://x.example/p" {
		t.Errorf("relative link not resolved against the document URL: %q", got)
	}
	if doc.Published.Format(time.DateOnly) != "2023-03-31" {
		t.Errorf("published = %v", doc.Published)
	}
}

func TestNoText(t *testing.T) {
	for _, src := range []string{"", "  \n\t\n", "# Only a Title\n", "---\n\n**RECOMMENDED**\n\n---\n\n[x](/y)\n", "![img](a.png)\n\n(/sites/a.jpg)\n"} {
		_, err := Parse("x.md", []byte(src), FormatMarkdown, Options{})
		if !errors.Is(err, ErrNoText) {
			t.Errorf("Parse(%q) error = %v, want ErrNoText", src, err)
		}
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		path string
		f    Format
		ok   bool
	}{
		{"a.md", FormatMarkdown, true}, {"a.MARKDOWN", FormatMarkdown, true}, {"dir/a.txt", FormatText, true},
		{"a.html", FormatHTML, true}, {"a.htm", FormatHTML, true}, {"a.jsonl", FormatJSONL, true},
		{"a.pdf", FormatPDF, true}, {"README", "", false},
	}
	for _, tc := range tests {
		f, ok := FormatOf(tc.path)
		if f != tc.f || ok != tc.ok {
			t.Errorf("FormatOf(%q) = %q, %v; want %q, %v", tc.path, f, ok, tc.f, tc.ok)
		}
	}
}

func TestNormalizeHeading(t *testing.T) {
	tests := map[string]string{
		"ABOUT THE AUTHORS":    "About the Authors",
		"U.S. POLICY IN IRAN":  "U.S. Policy in Iran",
		"TOPICS":               "TOPICS",
		"Why Now?":             "Why Now?",
		"  Background:  ":      "Background",
		"REGIONS & COUNTRIES":  "Regions & Countries",
		"THE EU AND THE WORLD": "The EU and the World",
	}
	for in, want := range tests {
		if got := normalizeHeading(in); got != want {
			t.Errorf("normalizeHeading(%q) = %q, want %q", in, got, want)
		}
	}
}

// A link completed by a URL at the start of the next block, inside
// paragraphs joined across a page break: the offsets point into the
// joined text (this panicked once).
func TestLeadURLInJoinedParagraphs(t *testing.T) {
	in := "# T\n\nThis long paragraph keeps going without any final punctuation at all here\n\nand then it ends with [the anchor]()\n\n(https://example.com/x) more text follows here.\n"
	docs, err := Parse("x.md", []byte(in), FormatMarkdown, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var links []briefbot.Link
	for _, p := range docs[0].Passages {
		links = append(links, p.Links...)
	}
	if len(links) != 1 || links[0] != (briefbot.Link{Text: "the anchor", URL: "https://example.com/x"}) {
		t.Errorf("links %+v, want the anchor linked to https://example.com/x", links)
	}
}
