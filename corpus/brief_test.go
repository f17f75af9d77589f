package corpus

import (
	"bytes"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/projectdir"
)

func briefDoc(t testing.TB, opts Options) briefbot.Document {
	t.Helper()
	docs, err := Builtin(opts)
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	if len(docs) != 1 {
		t.Fatalf("Builtin returned %d documents, want 1", len(docs))
	}
	return docs[0]
}

// passageWith returns the passages whose text contains needle.
func passagesWith(doc briefbot.Document, needle string) []briefbot.Passage {
	var out []briefbot.Passage
	for _, p := range doc.Passages {
		if strings.Contains(p.Text, needle) {
			out = append(out, p)
		}
	}
	return out
}

const (
	briefTitle = "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus"
	secAuthors = "About the Authors"
	secWar     = "Territorial Shifts After the 2020 War"
	secWhyNow  = "Azerbaijani-Iranian Border Tensions: Why Now?"
	secUkraine = "Post-Ukraine Shifts"
	secPolicy  = "Policy Recommendations"
)

func TestBuiltinMatchesSeed(t *testing.T) {
	seed, err := projectdir.Shared("seed", BuiltinName+".txt")
	if err != nil {
		t.Skipf("cannot compare the embedded brief with the seed: %v", err)
	}
	want, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(builtinText, want) {
		t.Fatalf("embedded builtin/%s.txt (%d bytes) differs from %s (%d bytes)", BuiltinName, len(builtinText), seed, len(want))
	}
	if !bytes.Equal(BuiltinText(), want) {
		t.Fatal("BuiltinText differs from the seed")
	}
}

func TestBriefMetadata(t *testing.T) {
	doc := briefDoc(t, Options{})
	if doc.ID != BuiltinName {
		t.Errorf("ID = %q, want %q", doc.ID, BuiltinName)
	}
	if doc.Source != "builtin:"+BuiltinName {
		t.Errorf("Source = %q", doc.Source)
	}
	if doc.Title != briefTitle {
		t.Errorf("Title = %q, want %q", doc.Title, briefTitle)
	}
	if want := []string{"Anna Borshchevskaya", "Andrew J. Tabler"}; !reflect.DeepEqual(doc.Authors, want) {
		t.Errorf("Authors = %q, want %q", doc.Authors, want)
	}
	if want := time.Date(2023, 3, 31, 0, 0, 0, 0, time.UTC); !doc.Published.Equal(want) {
		t.Errorf("Published = %v, want %v", doc.Published, want)
	}
	// The converted text names no address; the built-in sidecar does, and
	// site-relative links are resolved against it.
	const page = "https://www.washingtoninstitute.org/policy-analysis/irans-tensions-azerbaijan-point-broader-shifts-south-caucasus"
	if doc.URL != page {
		t.Errorf("URL = %q, want %q from the sidecar", doc.URL, page)
	}
	want := []briefbot.Link{
		{Text: "العربية", URL: "https://www.washingtoninstitute.org/ar/policy-analysis/altwtrat-alayranyt-m-adhrbyjan-tshyr-aly-thwwlat-aws-ntaqaan-fy-jnwb-qlqwqaz"},
		{Text: "Farsi", URL: "https://www.washingtoninstitute.org/fa/policy-analysis/tnshhay-ayran-ba-adhrbayjan-nshanh-thwlat-gstrdhtr-dr-jnwb-qfqaz"},
	}
	if !reflect.DeepEqual(doc.Translations, want) {
		t.Errorf("Translations = %q, want %q", doc.Translations, want)
	}
	for _, p := range doc.Passages {
		if p.URL != page {
			t.Fatalf("passage %s URL = %q, want the document's", p.ID, p.URL)
		}
	}
}

func TestBriefWithoutSidecarKeepsRelativeLinks(t *testing.T) {
	docs, err := Parse(BuiltinName+".txt", BuiltinText(), FormatText, Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc := docs[0]
	if doc.URL != "" {
		t.Errorf("URL = %q, want empty: the file gives none", doc.URL)
	}
	want := []briefbot.Link{
		{Text: "العربية", URL: "/ar/policy-analysis/altwtrat-alayranyt-m-adhrbyjan-tshyr-aly-thwwlat-aws-ntaqaan-fy-jnwb-qlqwqaz"},
		{Text: "Farsi", URL: "/fa/policy-analysis/tnshhay-ayran-ba-adhrbayjan-nshanh-thwlat-gstrdhtr-dr-jnwb-qfqaz"},
	}
	if !reflect.DeepEqual(doc.Translations, want) {
		t.Errorf("Translations = %q, want %q", doc.Translations, want)
	}
}

func TestBriefSections(t *testing.T) {
	doc := briefDoc(t, Options{})
	want := []string{secAuthors, briefTitle, secWar, secWhyNow, secUkraine, secPolicy}
	if !reflect.DeepEqual(doc.Sections, want) {
		t.Errorf("Sections =\n%q\nwant\n%q", doc.Sections, want)
	}
}

func TestBriefPassages(t *testing.T) {
	doc := briefDoc(t, Options{})
	jpost := briefbot.Link{Text: "presented", URL: "https://www.jpost.com/israel-news/article-735483"}
	tests := []struct {
		name      string
		needle    string
		section   string
		paragraph int // 0: not checked
		contains  []string
		link      *briefbot.Link
	}{
		{name: "Article 9 in its section", needle: "Article 9 calls for", section: secWhyNow, paragraph: 2, contains: []string{"“unblocking”"}},
		{name: "link becomes anchor text", needle: "presented his credentials", section: briefTitle, paragraph: 2, link: &jpost},
		{name: "page break joined, lower case", needle: "several recent geostrategic shifts affecting Tehran's calculus", section: briefTitle, paragraph: 3},
		{name: "page break joined, upper case", needle: "alliance with Turkey, an Iranian competitor that now has", section: secWhyNow},
		{name: "page break joined across link debris", needle: "assistance from Turkey and Israel, including the use of drones", section: secWar,
			link: &briefbot.Link{Text: "and Israel", URL: "https://www.cacianalyst.org/resources/pdf/220912Shaffer.pdf"}},
		{name: "<url>) debris completes # link", needle: "Moscow appeared to tilt more overtly toward Azerbaijan during the 2020 war.", section: secWar,
			link: &briefbot.Link{Text: "more overtly", URL: "https://www.mei.edu/publications/russia-and-turkey-nagorno-karabakh-recipe-long-term-instability"}},
		{name: "<url>) debris repeating the link", needle: "population is estimated to consist of ethnic Azeris", section: secWhyNow,
			link: &briefbot.Link{Text: "is estimated", URL: "https://www.degruyter.com/document/doi/10.1515/9783110796339/html?lang=en"}},
		{name: "bold then (<url>)", needle: "Yet Azerbaijanis started challenging this power late last year.", section: secUkraine,
			link: &briefbot.Link{Text: "challenging", URL: "https://carnegieendowment.org/politika/88651"}},
		{name: "quoted bold then (<url>)", needle: "which Moscow deems “unacceptable” now that the ICC", section: secUkraine,
			link: &briefbot.Link{Text: "unacceptable", URL: "https://www.reuters.com/world/europe/russia-warns-armenia-against-allying-with-icc-after-putin-arrest-warrant-ria-2023-03-27/"}},
		{name: "escaped underscore in URL", needle: "Tehran was reportedly angered", section: secWar,
			link: &briefbot.Link{Text: "reportedly", URL: "https://www.washingtonpost.com/business/energy/azerbaijan-iran-and-rising-tensions-in-the-caucasus/2023/02/07/f2f65480-a6b0-11ed-b2a3-edb05ee0e313_story.html"}},
		{name: "list item keeps its lead-in", needle: "arrested nineteen people", section: secWhyNow,
			contains: []string{"Various military and security incidents have further stoked bilateral tensions, including the previously mentioned claim of airspace violations:"}},
		{name: "policy items with lead-in", needle: "Supporting the European Union's recent limited monitoring mission", section: secPolicy,
			contains: []string{"Other steps could include:"}},
		{name: "lead paragraph after label is not a bio", needle: "Amid flare-ups in the Nagorno-Karabakh conflict", section: briefTitle, paragraph: 1},
		{name: "bio with name link", needle: "Anna Borshchevskaya is a senior fellow at The Washington Institute", section: secAuthors, paragraph: 1,
			link: &briefbot.Link{Text: "Anna Borshchevskaya", URL: "https://www.washingtoninstitute.org/experts/anna-borshchevskaya"}},
		{name: "second bio", needle: "Andrew J. Tabler is the Martin J. Gross Senior Fellow", section: secAuthors,
			link: &briefbot.Link{Text: "Andrew J. Tabler", URL: "https://www.washingtoninstitute.org/experts/andrew-j-tabler"}},
		{name: "closing italic bio", needle: "Diane and Guilford Glazer Foundation Program", section: secAuthors},
		{name: "second H1 is a section", needle: "Years of insufficient U.S. attention", section: secPolicy, paragraph: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := passagesWith(doc, tc.needle)
			if len(ps) != 1 {
				t.Fatalf("%d passages contain %q, want 1", len(ps), tc.needle)
			}
			p := ps[0]
			if p.Section != tc.section {
				t.Errorf("section = %q, want %q", p.Section, tc.section)
			}
			if tc.paragraph != 0 && p.Paragraph != tc.paragraph {
				t.Errorf("paragraph = %d, want %d", p.Paragraph, tc.paragraph)
			}
			for _, c := range tc.contains {
				if !strings.Contains(p.Text, c) {
					t.Errorf("passage lacks %q:\n%s", c, p.Text)
				}
			}
			if tc.link != nil {
				found := false
				for _, l := range p.Links {
					found = found || l == *tc.link
				}
				if !found {
					t.Errorf("links %q lack %q", p.Links, *tc.link)
				}
			}
		})
	}
}

// TestBriefNoDebris checks that markup, conversion debris and site
// navigation never reach passage text or section names.
func TestBriefNoDebris(t *testing.T) {
	for _, opts := range []Options{{}, {MaxPassageChars: 300, MinPassageChars: 80}} {
		doc := briefDoc(t, opts)
		forbidden := []string{
			"RECOMMENDED", "Egypt Headed", "Turkish Elections", "Energy & Economics", "Great Power Competition (",
			"REGIONS", "Soner Cagaptay", "May 12, 2023", "ARTICLES & TESTIMONY",
			"](", "[", "\\(", "\\)", "\\_", `\`, "<http", "http", ".jpg", "/sites/", "**", "*",
			"Brief Analysis", "BRIEF ANALYSIS", "Also available", "❖", "◆", "  ",
		}
		for _, p := range doc.Passages {
			for _, f := range forbidden {
				if strings.Contains(p.Text, f) {
					t.Errorf("passage %s contains %q:\n%s", p.ID, f, p.Text)
				}
			}
			if p.Text != strings.TrimSpace(p.Text) || p.Text == "" {
				t.Errorf("passage %s text not trimmed or empty: %q", p.ID, p.Text)
			}
		}
		for _, s := range doc.Sections {
			for _, f := range []string{"Topics", "TOPICS", "Regions", "Egypt", "Turkey's Historic", "Recommended"} {
				if strings.Contains(s, f) {
					t.Errorf("section %q is site navigation", s)
				}
			}
		}
	}
}

func TestBriefStableIDs(t *testing.T) {
	a, b := briefDoc(t, Options{}), briefDoc(t, Options{})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two parses of the same brief differ")
	}
	reID := regexp.MustCompile(`^` + BuiltinName + `#[a-z0-9-]+-[1-9][0-9]*$`)
	for _, p := range a.Passages {
		if !reID.MatchString(p.ID) {
			t.Errorf("ID %q does not have the form docID#slug-ordinal", p.ID)
		}
	}
	if got := a.Passages[0].ID; got != BuiltinName+"#about-the-authors-1" {
		t.Errorf("first passage ID = %q", got)
	}
}

// TestBriefBounds checks the invariants under several passage bounds and
// that no passage crosses sections: every fragment of a passage occurs in
// the text of its own section.
func TestBriefBounds(t *testing.T) {
	whole := briefDoc(t, Options{MaxPassageChars: 1 << 20, MinPassageChars: 1 << 19})
	sectionText := map[string]string{}
	for _, p := range whole.Passages {
		sectionText[p.Section] += " " + p.Text
	}
	for _, opts := range []Options{{}, {MaxPassageChars: 1200, MinPassageChars: 300}, {MaxPassageChars: 600}, {MaxPassageChars: 250, MinPassageChars: 60}, {MaxPassageChars: 60}} {
		doc := briefDoc(t, opts)
		checkDocInvariants(t, doc, opts)
		n := opts.normalized()
		for _, p := range doc.Passages {
			for _, frag := range regexp.MustCompile(`[.;:?!]\s+`).Split(p.Text, -1) {
				frag = strings.TrimSuffix(frag, ";")
				if !strings.Contains(sectionText[p.Section], frag) {
					t.Errorf("max %d: passage %s (%s) holds %q, not from its section", n.MaxPassageChars, p.ID, p.Section, frag)
				}
			}
		}
		if opts.MaxPassageChars == 0 {
			short := 0
			for _, p := range doc.Passages {
				if runeLen(p.Text) < n.MinPassageChars {
					short++
				}
			}
			// Only the short bios paragraph and section ends may stay short.
			if short > 1 {
				t.Errorf("%d passages shorter than %d characters", short, n.MinPassageChars)
			}
		}
	}
}

// TestBriefLeadInRepeated: when a list does not fit in one passage, the
// passages that start with one of its items begin with the lead-in.
func TestBriefLeadInRepeated(t *testing.T) {
	doc := briefDoc(t, Options{MaxPassageChars: 600})
	lead := "Various military and security incidents have further stoked bilateral tensions"
	for _, item := range []string{"In October, Iran held", "arrested nineteen people", "This January, a gunman", "In March, Iranian operatives"} {
		ps := passagesWith(doc, item)
		if len(ps) != 1 {
			t.Fatalf("%d passages hold %q", len(ps), item)
		}
		if !strings.HasPrefix(ps[0].Text, lead) {
			t.Errorf("passage with %q lacks the lead-in:\n%s", item, ps[0].Text)
		}
	}
	if n := len(passagesWith(doc, lead)); n < 2 {
		t.Errorf("lead-in in %d passages, want it repeated", n)
	}
}

// checkDocInvariants asserts what every parsed document must satisfy.
func checkDocInvariants(t testing.TB, doc briefbot.Document, opts Options) {
	t.Helper()
	opts = opts.normalized()
	ids := map[string]bool{}
	sections := map[string]bool{}
	for _, s := range doc.Sections {
		if sections[s] {
			t.Errorf("section %q listed twice", s)
		}
		sections[s] = true
	}
	lastOrdinal := map[string]int{}
	used := map[string]bool{}
	for _, p := range doc.Passages {
		if p.Text == "" || p.Text != strings.TrimSpace(p.Text) || strings.Contains(p.Text, "  ") {
			t.Errorf("passage %s: bad text %q", p.ID, p.Text)
		}
		if n := runeLen(p.Text); n > opts.MaxPassageChars {
			t.Errorf("passage %s: %d characters > max %d", p.ID, n, opts.MaxPassageChars)
		}
		if ids[p.ID] {
			t.Errorf("duplicate passage ID %s", p.ID)
		}
		ids[p.ID] = true
		if !sections[p.Section] {
			t.Errorf("passage %s: section %q not in Sections", p.ID, p.Section)
		}
		used[p.Section] = true
		if p.Ordinal != lastOrdinal[p.Section]+1 {
			t.Errorf("passage %s: ordinal %d after %d", p.ID, p.Ordinal, lastOrdinal[p.Section])
		}
		lastOrdinal[p.Section] = p.Ordinal
		if !strings.HasPrefix(p.ID, doc.ID+"#") || !strings.HasSuffix(p.ID, "-"+strconv.Itoa(p.Ordinal)) {
			t.Errorf("passage %s: ID does not carry doc ID and ordinal", p.ID)
		}
		if p.Paragraph < 1 || p.DocID != doc.ID || p.Title != doc.Title || p.URL != doc.URL {
			t.Errorf("passage %s: bad fields %+v", p.ID, p)
		}
		for _, l := range p.Links {
			if l.URL == "" || !strings.Contains(p.Text, l.Text) {
				t.Errorf("passage %s: link %q not anchored in its text", p.ID, l)
			}
		}
	}
	for s := range sections {
		if !used[s] {
			t.Errorf("section %q has no passage", s)
		}
	}
}

func BenchmarkParseBrief(b *testing.B) {
	b.SetBytes(int64(len(builtinText)))
	for b.Loop() {
		if _, err := Parse(BuiltinName+".txt", builtinText, FormatText, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
