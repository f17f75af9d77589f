package thesaurus

import (
	"strings"
	"testing"
)

func FuzzExpand(f *testing.F) {
	for _, q := range benchQueries {
		f.Add(q)
	}
	for _, q := range []string{"", "U.S.-backed", "Russia\u2019s", "a-", "'s", "...", "turn a blind", "BROKE UP", "x y z", "\xff\xfe", "é.É"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		words := Words(query)
		prev := 0
		for _, e := range Expand(query) {
			if e.Start < prev || e.End <= e.Start || e.End > len(words) {
				t.Fatalf("Expand(%q): bad span [%d,%d) after %d of %d words", query, e.Start, e.End, prev, len(words))
			}
			if want := strings.Join(words[e.Start:e.End], " "); strings.ToLower(e.Span) != want {
				t.Fatalf("Expand(%q): span %q, words %q", query, e.Span, want)
			}
			if len(e.Related) == 0 {
				t.Fatalf("Expand(%q): span %q without related phrases", query, e.Span)
			}
			for _, r := range e.Related {
				if r.Weight <= 0 || r.Weight > 1 || r.Phrase == "" {
					t.Fatalf("Expand(%q): related %+v", query, r)
				}
			}
			prev = e.End
		}
		for _, r := range Lookup(query) {
			if r.Weight <= 0 || r.Weight > 1 || r.Phrase == "" {
				t.Fatalf("Lookup(%q): related %+v", query, r)
			}
		}
	})
}

// FuzzSortedTable searches arbitrary text, sorted or not, as the embedded
// table: lookups must not panic and must give well-formed results.
func FuzzSortedTable(f *testing.F) {
	for _, s := range []string{
		"# comment\nr\tdispute\tnv\tconflict|100\tquarrel|71\nx\tdisputes\tdispute\n",
		"r\tshut off\tv\tclose off|100\nr\tEU\tn\teuropean union|100\n",
		"r\tbad\tn\tgood|x\tbetter|1000\tbest|\t|50\n",
		"r\tonly\n", "q\ta\tb\n", "x\tgeese\tgoose\tgander", "\n\n#\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tb := &table{data: sortedTable{rel: newSortedLines(text, true), nb: newSortedLines(text, false)}, stop: get().stop}
		for _, line := range strings.Split(text, "\n") {
			f := strings.Split(line, "\t")
			if len(f) < 2 {
				continue
			}
			for _, q := range []string{f[1], f[1] + "s", "x " + f[1]} {
				for _, r := range tb.lookup(q) {
					if r.Weight <= 0 || r.Weight > 1 || r.Phrase == "" {
						t.Fatalf("lookup(%q) in table %q: related %+v", q, text, r)
					}
				}
			}
		}
	})
}
