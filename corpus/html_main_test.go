package corpus

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"

	"github.com/briefbot/briefbot"
)

// mainPages are saved pages of the kinds the bot is given links to, each
// with sentences of its article and phrases of its page chrome.
var mainPages = []struct {
	file, title string
	sections    []string
	article     []string
	chrome      []string
	link        briefbot.Link
	// maxChrome is the chrome phrases readability leaves, as measured.
	maxChrome int
}{
	{
		file: "news.html", title: "Port Strike Ends After Nine Days",
		sections: []string{"Port Strike Ends After Nine Days", "Backlog will take weeks to clear", "What the union won"},
		article: []string{"Dock workers at the city's container terminal returned to work", "limits mandatory night shifts to two a week",
			"priority would go to perishable goods", "deliveries were expected to return to normal", "joint safety committee", "diverting cargo to rival ports"},
		chrome: []string{"We use cookies", "Accept all", "Cookie settings", "Subscribe today", "Culture", "Most read", "tram line", "morning briefing",
			"Sign up", "Advertisement", "Related stories", "Explainer", "About us", "Careers", "All rights reserved", "Ports"},
		link: briefbot.Link{Text: "dockworkers' union", URL: "https://union.example/agreement"},
	},
	{
		file: "blog.html", title: "Why We Moved Our Builds to Smaller Machines",
		sections: []string{"Why We Moved Our Builds to Smaller Machines", "Measuring first", "What changed in the pipeline"},
		article: []string{"most of the cores sat idle", "fewer than three cores for ninety percent", "cost fell by sixty percent",
			"Caching mattered more than cores", "release build"},
		chrome: []string{"Archive", "RSS", "Share this", "LinkedIn", "Tags:", "comments", "spot instances", "caching beat hardware", "Leave a comment",
			"About me", "Flaky tests", "Powered by"},
		link: briefbot.Link{Text: "raw numbers", URL: "https://notes.example/ci-numbers"},
	},
	{
		file: "docs.html", title: "Configuring retention",
		sections: []string{"Configuring retention", "Setting a policy", "Locked policies", "Checking the state of a lock"},
		article: []string{"keeps every version of an object", "between 1 and 3650", "acme bucket update photos", "can never be shortened",
			"Objects written before the lock"},
		chrome: []string{"API reference", "Changelog", "Replication", "Lifecycle rules", "Quotas", "Encryption", "Was this page helpful",
			"Edit this page", "Docs / Storage", "Contact sales"},
		// The feedback question and the edit link sit in <main> below the
		// text, where readability keeps them.
		maxChrome: 2,
	},
	{
		file: "report.html", title: "Water Sharing on the Upper Basin",
		sections: []string{"Water Sharing on the Upper Basin", "The dams upstream", "Options for a deal", "About the Author",
			// Readability keeps the newsletter box that follows the article
			// inside <main>: one phrase of chrome left, as measured.
			"Stay informed"},
		article: []string{"none of them has signed an agreement", "about a fifth of the river's annual flow", "has met only twice",
			"percentages of measured flow", "independent gauge network", "Leila Haddad is a senior fellow"},
		chrome: []string{"uses cookies", "I agree", "Donate", "Related publications", "Drought and migration", "Financing cross-border dams",
			"Stay informed", "inbox", "nonpartisan"},
		maxChrome: 1,
	},
}

// TestHTMLMainContent measures what the readability pass removes from
// pages with boilerplate in <div>s (see mainContent), and requires that it
// keeps every article sentence, the sections and the links, and leaves
// no more page chrome than measured.
func TestHTMLMainContent(t *testing.T) {
	for _, pg := range mainPages {
		t.Run(pg.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/pages/" + pg.file)
			if err != nil {
				t.Fatal(err)
			}
			count := func(readable bool) (briefbot.Document, int, []string, []string) {
				doc, err := parseHTMLWith("p", pg.file, data, meta{}, Options{}.normalized(), readable)
				if err != nil {
					t.Fatal(err)
				}
				all := ""
				for _, p := range doc.Passages {
					all += p.Text + "\n"
				}
				kept, chrome := 0, []string(nil)
				var lost []string
				for _, s := range pg.article {
					if strings.Contains(all, s) {
						kept++
					} else {
						lost = append(lost, s)
					}
				}
				for _, s := range pg.chrome {
					if strings.Contains(all, s) {
						chrome = append(chrome, s)
					}
				}
				return doc, kept, chrome, lost
			}
			_, plainKept, plainChrome, _ := count(false)
			doc, kept, chrome, lost := count(true)
			t.Logf("plain walk: %d/%d article sentences, %d/%d chrome phrases; readability: %d/%d, %d/%d %q",
				plainKept, len(pg.article), len(plainChrome), len(pg.chrome), kept, len(pg.article), len(chrome), len(pg.chrome), chrome)
			if len(lost) > 0 {
				t.Errorf("article sentences lost: %q", lost)
			}
			if len(chrome) > pg.maxChrome {
				t.Errorf("chrome kept: %q", chrome)
			}
			if len(plainChrome) <= len(chrome) {
				t.Errorf("readability removed no chrome (%d phrases without, %d with)", len(plainChrome), len(chrome))
			}
			if doc.Title != pg.title || !reflect.DeepEqual(doc.Sections, pg.sections) {
				t.Errorf("title %q sections %q", doc.Title, doc.Sections)
			}
			if pg.link.URL != "" {
				found := false
				for _, p := range doc.Passages {
					for _, l := range p.Links {
						found = found || l == pg.link
					}
				}
				if !found {
					t.Errorf("link %v lost", pg.link)
				}
			}
		})
	}
}

// TestHTMLMainContentFallback: when readability keeps less than half of
// the prose (here it settles on the comment paragraphs and drops the
// list that is the page's content), the plain walk stands.
func TestHTMLMainContentFallback(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><head><title>Checklist</title></head><body><div class=glossary><dl>")
	for i := range 40 {
		fmt.Fprintf(&b, "<dt>Step %d</dt><dd>Step %d: check the valve, record the pressure and sign the sheet</dd>", i, i)
	}
	b.WriteString("</dl></div><div class=article-body>")
	for i := range 3 {
		fmt.Fprintf(&b, "<p>Comment %d. I have been doing this for years, and I find that checking the valve first saves a great deal of time, especially in winter, when the pressure drops quickly overnight.</p>", i)
	}
	b.WriteString("</div></body></html>")
	opts := Options{}.normalized()
	root, err := html.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	ours := pageBlocks(root)
	p := readability.NewParser()
	art, err := p.ParseAndMutate(root, nil)
	if err != nil || art.Node == nil || 2*proseRunes(pageBlocks(art.Node)) >= proseRunes(ours) {
		t.Fatalf("readability kept most of the page (%v): the test no longer shows the fallback", err)
	}
	doc, err := parseHTMLWith("c", "c.html", []byte(b.String()), meta{}, opts, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(passagesWith(doc, "Step 39: check the valve")) != 1 || len(passagesWith(doc, "Comment 2.")) != 1 {
		t.Errorf("content lost: %v", doc.Passages)
	}
}
