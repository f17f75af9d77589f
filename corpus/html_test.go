package corpus

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
)

func TestHTMLArticle(t *testing.T) {
	data, err := os.ReadFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := Parse("testdata/article.html", data, FormatHTML, Options{MinPassageChars: 1})
	if err != nil {
		t.Fatal(err)
	}
	doc := docs[0]
	checkDocInvariants(t, doc, Options{MinPassageChars: 1})

	if doc.ID != "article" || doc.Title != "Caucasus Shifts and & Iran" {
		t.Errorf("ID %q, title %q", doc.ID, doc.Title)
	}
	if doc.URL != "https://example.org/policy-analysis/caucasus-shifts" {
		t.Errorf("URL = %q", doc.URL)
	}
	if want := []string{"Jane Doe", "John Roe"}; !reflect.DeepEqual(doc.Authors, want) {
		t.Errorf("authors = %q", doc.Authors)
	}
	if !doc.Published.Equal(time.Date(2023, 3, 31, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("published = %v", doc.Published)
	}
	if want := []briefbot.Link{{Text: "ar", URL: "https://example.org/ar/policy-analysis/caucasus"}}; !reflect.DeepEqual(doc.Translations, want) {
		t.Errorf("translations = %q", doc.Translations)
	}
	if want := []string{"Caucasus Shifts and & Iran", "Border Tensions", "About the Authors"}; !reflect.DeepEqual(doc.Sections, want) {
		t.Errorf("sections = %q", doc.Sections)
	}

	all := ""
	for _, p := range doc.Passages {
		all += p.Text + "\n"
	}
	for _, bad := range []string{"tracking", "color", "Home", "Subscribe", "Search", "Copyright", "JavaScript", "Brief Analysis", "Caucasus Shifts"} {
		if strings.Contains(all, bad) {
			t.Errorf("chrome %q indexed:\n%s", bad, all)
		}
	}
	tests := []struct {
		needle, section string
		link            *briefbot.Link
		contains        string
	}{
		{needle: "watchful eye on the South Caucasus, from Israel’s warming", section: "Caucasus Shifts and & Iran",
			link: &briefbot.Link{Text: "South Caucasus", URL: "https://example.org/regions/caucasus"}},
		{needle: "Map of the region.", section: "Caucasus Shifts and & Iran"},
		{needle: "calls for unblocking all", section: "Border Tensions"},
		{needle: "arrested nineteen people", section: "Border Tensions", contains: "Various incidents have stoked tensions:"},
		{needle: "held two large military exercises", section: "Border Tensions",
			link: &briefbot.Link{Text: "military exercises", URL: "https://news.example/exercises"}},
		{needle: "Jane Doe is a senior fellow", section: "About the Authors"},
	}
	for _, tc := range tests {
		ps := passagesWith(doc, tc.needle)
		if len(ps) != 1 {
			t.Errorf("%d passages hold %q:\n%s", len(ps), tc.needle, all)
			continue
		}
		if ps[0].Section != tc.section {
			t.Errorf("%q in section %q, want %q", tc.needle, ps[0].Section, tc.section)
		}
		if tc.contains != "" && !strings.Contains(ps[0].Text, tc.contains) {
			t.Errorf("passage with %q lacks %q: %s", tc.needle, tc.contains, ps[0].Text)
		}
		if tc.link != nil && !reflect.DeepEqual(ps[0].Links, []briefbot.Link{*tc.link}) {
			t.Errorf("passage with %q: links %q, want %q", tc.needle, ps[0].Links, *tc.link)
		}
	}
}

func TestHTMLTitleFallbacks(t *testing.T) {
	tests := []struct{ name, src, title string }{
		{"og:title", `<html><head><meta property="og:title" content="OG Title"><title>T | Site</title></head><body><p>Body text here.</p></body></html>`, "OG Title"},
		{"title without site", `<html><head><title>Plain Title | Site</title></head><body><p>Body text here.</p></body></html>`, "Plain Title"},
		{"h1 in body", `<html><body><h1>Body H1</h1><p>Body text here.</p><h1>Later</h1><p>More text.</p></body></html>`, "Body H1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := Parse("x.html", []byte(tc.src), FormatHTML, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if docs[0].Title != tc.title {
				t.Errorf("title = %q, want %q", docs[0].Title, tc.title)
			}
			if strings.Contains(docs[0].Passages[0].Text, tc.title) {
				t.Errorf("title repeated in the text: %q", docs[0].Passages[0].Text)
			}
		})
	}
}

func TestHTMLTooDeep(t *testing.T) {
	src := "<p>" + strings.Repeat("<div>", 600) + "deep text"
	if _, err := Parse("x.html", []byte(src), FormatHTML, Options{}); !errors.Is(err, ErrMalformedHTML) {
		t.Errorf("error = %v, want ErrMalformedHTML", err)
	}
}

func TestHTMLNoText(t *testing.T) {
	for _, src := range []string{"", "<html><head><title>x</title></head><body><nav>menu</nav><script>x()</script></body></html>"} {
		if _, err := Parse("x.html", []byte(src), FormatHTML, Options{}); err == nil || !strings.Contains(err.Error(), "no text") {
			t.Errorf("Parse(%q) error = %v, want no text", src, err)
		}
	}
}
