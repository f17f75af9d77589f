package index

import (
	"context"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
)

func TestRoleOf(t *testing.T) {
	tests := []struct {
		section, text string
		want          role
	}{
		{"About the Authors", "Jane Roe writes on energy.", roleAbout},
		{"Authors", "Anything at all.", roleAbout},
		{"Contributors", "Anything at all.", roleAbout},
		{"Background", "Jane Roe is a senior fellow at the Example Institute, focusing on energy. John Doe is the director of its Gulf program.", roleAbout},
		{"Background", "Jane Roe is a senior fellow at the Example Institute. The pipeline opened in 2019 and carries gas to Europe.", roleAbout},
		{"Background", "The minister is a frequent visitor. The pipeline opened in 2019 and carries gas to Europe. Talks stalled.", roleText},
		{"Policy Recommendations", "Washington should engage.", roleAdvice},
		{"Conclusion", "In sum, engagement pays.", roleAdvice},
		{"The Way Forward", "Talks must resume.", roleAdvice},
		{"Why Now?", "Tensions rose after the war.", roleText},
		{"The authors of the treaty", "Negotiators drafted it in 1994.", roleText},
	}
	for _, tc := range tests {
		if got := roleOf(briefbot.Passage{Title: "Doc", Section: tc.section, Text: tc.text}); got != tc.want {
			t.Errorf("roleOf(%q, %q) = %d, want %d", tc.section, tc.text, got, tc.want)
		}
	}
}

// The shape of the document steers ranking: an about-the-authors passage
// ranks only for questions about the authors (said, or naming what only
// it mentions), and a recommendations section comes first for a question
// asking what should be done.
// A document without sections repeats its title as the heading: a title
// is not a section of recommendations or of bios.
func TestTitleIsNoSection(t *testing.T) {
	for _, title := range []string{"Recommendations on how to ensure the safety of biosimilars", "About the Authors"} {
		if got := roleOf(briefbot.Passage{Title: title, Section: title, Text: "Biosimilars need careful regulation."}); got != roleText {
			t.Errorf("%q as title and heading: role %d, want text", title, got)
		}
	}
}

func TestRolesSteerRanking(t *testing.T) {
	docs := []briefbot.Document{{ID: "b", Title: "Gas and Politics", Passages: []briefbot.Passage{
		{ID: "b#body-1", DocID: "b", Title: "Gas and Politics", Section: "The Pipeline",
			Text: "Washington's energy policy in Europe rests on the pipeline: Europe's energy depends on it, and Washington's policy lost influence over gas routes."},
		{ID: "b#recs-1", DocID: "b", Title: "Gas and Politics", Section: "Policy Recommendations",
			Text: "Washington should fund a second pipeline and press Europe to diversify its energy supply."},
		{ID: "b#about-1", DocID: "b", Title: "Gas and Politics", Section: "About the Authors",
			Text: "Jane Roe is a senior fellow at the Example Institute, focusing on energy policy and Washington's role in Europe."},
	}}, {ID: "s", Title: "Open access and citations", Passages: []briefbot.Passage{
		{ID: "s#1", DocID: "s", Title: "Open access and citations", Section: "Open access and citations",
			Text: "Authors who publish open access are cited more; we surveyed authors, and authors of older papers wrote back."},
	}}}
	ix := buildOpen(t, docs, BuildOptions{Options: Options{Synonyms: 0.7}})
	tests := []struct {
		q, first string
	}{
		{"What should Washington do about energy in Europe?", "b#recs-1"},
		{"what does the Example Institute recommend on energy", "b#recs-1"},
		{"Energy policy of Washington in Europe", "b#body-1"},
		{"Who wrote this on energy policy?", "b#about-1"},
		{"who are the authors", "b#about-1"},
		{"what does jane roe focus on", "b#about-1"},
	}
	for _, tc := range tests {
		hits, err := ix.Search(context.Background(), tc.q, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Passage.ID != tc.first {
			var ids []string
			for _, h := range hits {
				ids = append(ids, h.Passage.ID)
			}
			t.Errorf("%q: ranked %v, want %s first", tc.q, ids, tc.first)
		}
	}
}

// Leads are a single document's first passages, skipping its authors'
// bios, or the first passage of each document of a library.
func TestLeads(t *testing.T) {
	brief := briefbot.Document{ID: "b", Title: "Brief", Passages: []briefbot.Passage{
		{ID: "b#about-1", DocID: "b", Title: "Brief", Section: "About the Authors", Text: "Jane Roe is a fellow at the Institute."},
		{ID: "b#intro-1", DocID: "b", Title: "Brief", Section: "Intro", Text: "The region is shifting. Old alliances fray. Talks stall."},
		{ID: "b#intro-2", DocID: "b", Title: "Brief", Section: "Intro", Text: "Iran worries."},
		{ID: "b#intro-3", DocID: "b", Title: "Brief", Section: "Intro", Text: "Russia hesitates."},
	}}
	ix := buildOpen(t, []briefbot.Document{brief}, BuildOptions{})
	var ids []string
	for _, h := range ix.Leads(2) {
		ids = append(ids, h.Passage.ID)
	}
	if strings.Join(ids, ",") != "b#intro-1,b#intro-2" {
		t.Errorf("leads %v, want b#intro-1,b#intro-2", ids)
	}
	if q := ix.Leads(1)[0].Quote; q != "The region is shifting. Old alliances fray." {
		t.Errorf("lead quote %q, want the first two sentences", q)
	}
	other := briefbot.Document{ID: "n", Title: "Note", Passages: []briefbot.Passage{{ID: "n#1", DocID: "n", Title: "Note", Text: "A note."}}}
	lib := buildOpen(t, []briefbot.Document{brief, other}, BuildOptions{})
	ids = nil
	for _, h := range lib.Leads(3) {
		ids = append(ids, h.Passage.ID)
	}
	if strings.Join(ids, ",") != "b#intro-1,n#1" {
		t.Errorf("library leads %v, want one per document", ids)
	}
}

// FuzzIntent holds an intent's key words to its pattern: they may only
// rule out questions the pattern does not match.
func FuzzIntent(f *testing.F) {
	for _, s := range []string{
		"What should Baku do?", "WHAT ſHOULD BAKU DO", "Who wrote this?", "who is behind the brief",
		"the way forward", "next steps", "Biography of the authors", "what can do Iran",
		"recommendations", "AUTHORS", "nothing here", "Who Are Writing", "mu\u017ft do",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, in := range []intent{adviceIntent, authorIntent} {
			if got, want := in.MatchString(q), in.re.MatchString(q); got != want {
				t.Fatalf("%v on %q: %v, pattern %v", in.re, q, got, want)
			}
		}
	})
}
