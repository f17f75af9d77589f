package thesaurus

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// resetForTest forgets the decoded table, so that the next call loads it
// again (for the load benchmark).
func resetForTest() {
	loadOnce = sync.Once{}
	tbl = nil
}

func phrases(rs []Related) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Phrase
	}
	return out
}

func weightOf(rs []Related, phrase string) float64 {
	for _, r := range rs {
		if r.Phrase == phrase {
			return r.Weight
		}
	}
	return 0
}

func TestTableLoads(t *testing.T) {
	tb := get()
	m := embeddedMapTable(t)
	// WordNet 3.0 has ~147k lemmas; about 100k have a related phrase once
	// scientific names are left out. Far fewer means a broken generator or
	// parser, far more a table that lost its filters.
	if n := len(m.rel); n < 80000 || n > 160000 {
		t.Errorf("table has %d lemmas, want 80k-160k", n)
	}
	if n := len(m.exc); n < 3000 {
		t.Errorf("table has %d irregular forms, want at least 3000 (WordNet's *.exc lists)", n)
	}
	if n := longest(tb.data.firstLengths("turn")); n < 4 {
		t.Errorf("longest multiword lemma of turn has %d words, want >= 4 (\"turn a blind eye\")", n)
	}
	if len(tb.stop) < 100 {
		t.Errorf("%d stopwords loaded, want the list in stopwords.txt", len(tb.stop))
	}
}

// The licence must travel with the data: in the package and in the table.
func TestLicenceShipped(t *testing.T) {
	const notice = "WordNet 3.0 Copyright 2006 by Princeton University"
	lic, err := os.ReadFile("WORDNET_LICENSE")
	if err != nil {
		t.Fatalf("read licence: %v", err)
	}
	if !bytes.Contains(lic, []byte(notice)) {
		t.Errorf("WORDNET_LICENSE lacks %q", notice)
	}
	if head := relatedTxt[:min(4096, len(relatedTxt))]; !strings.Contains(head, notice) {
		t.Errorf("table header lacks %q", notice)
	}
}

// The paraphrase pairs of the analysts' questions that WordNet 3.0 covers.
// Pairs it does not cover (utilities -> electricity/gas, intermittently ->
// periodically, shut off -> cut) are listed in README.md, not faked here.
func TestLookupPairs(t *testing.T) {
	cases := []struct {
		query, want string
	}{
		{"speed", "swiftness"},
		{"swiftness", "speed"},
		{"dispute", "conflict"},
		{"conflict", "dispute"},
		{"Ankara", "turkey"},
		{"Jerusalem", "israel"},
		{"Moscow", "russia"},
		{"yerevan", "armenia"},
		{"baku", "azerbaijan"},
		{"tehran", "iran"},
		{"kremlin", "moscow"},
		{"kremlin", "russia"},
		{"russia", "moscow"},
		{"turkey", "ankara"},
		{"EU", "european union"},
		{"eu", "european union"},
		{"the European Union", ""}, // a phrase with an article is not a lemma
		{"European Union", "eu"},
		{"USSR", "soviet union"},
		{"USSR", "soviet"},
		{"soviet", "soviet union"},
		{"get", "acquire"},
		{"acquire", "get"},
		{"back", "support"},
		{"backed", "support"},
		{"demonstrators", "protester"},
		{"protesters", "demonstrator"},
		{"demonstrate", "protest"},
		{"connect", "link"},
		{"link", "connect"},
		{"periodically", "sporadically"},
		{"intermittently", "intermittent"},
		{"shut off", "close off"},
		{"shut off", "stop"},
		{"cut off", "interrupt"},
		{"turn a blind eye", "ignore"},
		{"US", "united states"},
		{"WHO", "world health organization"},
		{"utilities", "public utility"},
		{"talks", "negotiation"},
	}
	for _, c := range cases {
		got := Lookup(c.query)
		if c.want == "" {
			if len(got) != 0 {
				t.Errorf("Lookup(%q) = %v, want nothing", c.query, phrases(got))
			}
			continue
		}
		if !slices.Contains(phrases(got), c.want) {
			t.Errorf("Lookup(%q) = %v, want it to contain %q", c.query, phrases(got), c.want)
		}
	}
}

func TestLookupBaseForms(t *testing.T) {
	cases := []struct {
		query, base string
	}{
		{"utilities", "utility"},
		{"geese", "goose"},
		{"broke", "break"},
		{"broke up", "break up"},
		{"stopped", "stop"},
		{"prime ministers", "prime minister"},
		{"backed", "back"},
		{"supplies", "supply"},
		{"united", "unite"},
		{"analysts", "analyst"},
		{"Demonstrators", "demonstrator"},
	}
	for _, c := range cases {
		got := Lookup(c.query)
		if w := weightOf(got, c.base); w != 1 {
			t.Errorf("Lookup(%q): base form %q has weight %v, want 1; got %v", c.query, c.base, w, phrases(got))
		}
		// The base form brings its own WordNet phrases (vector neighbours
		// belong to a surface form: GloVe has one for every inflection).
		for _, r := range get().lookupWordNet(normalize(c.base)) {
			if r.Phrase != strings.ToLower(c.query) && weightOf(got, r.Phrase) < r.Weight {
				t.Errorf("Lookup(%q) lacks %q (weight %v) of its base %q", c.query, r.Phrase, r.Weight, c.base)
				break
			}
		}
	}
}

// Inflection rules must only yield a lemma of the part of speech they
// inflect, as morphy does.
func TestLookupNoFalseBase(t *testing.T) {
	cases := []struct {
		query, notBase string
	}{
		{"news", "new"},   // noun, not the plural of the adjective
		{"gas", "ga"},     // a noun itself: not the plural of "ga"
		{"glass", "glas"}, // -ss words are left alone
		{"has", "ha"},     // stopword
	}
	for _, c := range cases {
		if got := Lookup(c.query); slices.Contains(phrases(got), c.notBase) {
			t.Errorf("Lookup(%q) = %v, must not contain %q", c.query, phrases(got), c.notBase)
		}
	}
}

func TestLookupNothing(t *testing.T) {
	for _, q := range []string{
		"", "   ", "the", "The", "of", "a", "x", "Q", "1", "has", "was", "us", "which", "of the",
		"zzqxvw", "briefbot", "qwertyuiopasdf ghjkl",
	} {
		if got := Lookup(q); len(got) != 0 {
			t.Errorf("Lookup(%q) = %v, want nothing", q, phrases(got))
		}
	}
}

func TestLookupWeights(t *testing.T) {
	got := Lookup("speed")
	// Sense 1 synonyms get full weight, later senses less.
	if w := weightOf(got, "velocity"); w != 1 {
		t.Errorf("speed -> velocity (noun sense 1) weight %v, want 1", w)
	}
	if w, w1 := weightOf(got, "swiftness"), weightOf(got, "velocity"); !(w > 0 && w < w1) {
		t.Errorf("speed -> swiftness (noun sense 2) weight %v, want in (0, %v)", w, w1)
	}
	// A capital's country is a looser relation than its synonyms.
	m := Lookup("moscow")
	if w, ws := weightOf(m, "russia"), weightOf(m, "russian capital"); !(w > 0 && w < ws) {
		t.Errorf("moscow -> russia weight %v, want in (0, %v)", w, ws)
	}
}

// Every lemma of the table must give a well-formed list: weights in (0,1],
// best first, no duplicates, not the lemma itself, no stopword phrases.
func TestLookupInvariantsWholeTable(t *testing.T) {
	tb := get()
	n := 0
	for key := range embeddedMapTable(t).rel {
		got := Lookup(key)
		if len(got) == 0 {
			t.Errorf("Lookup(%q) is empty though the table has the lemma", key)
			continue
		}
		seen := map[string]bool{}
		for i, r := range got {
			if r.Weight <= 0 || r.Weight > 1 {
				t.Errorf("Lookup(%q): %q weight %v out of (0,1]", key, r.Phrase, r.Weight)
			}
			if i > 0 && got[i-1].Weight < r.Weight {
				t.Errorf("Lookup(%q) not sorted by weight at %d", key, i)
			}
			if seen[r.Phrase] {
				t.Errorf("Lookup(%q) repeats %q", key, r.Phrase)
			}
			seen[r.Phrase] = true
			if r.Phrase == strings.ToLower(key) || tb.isStop(r.Phrase) {
				t.Errorf("Lookup(%q) contains %q", key, r.Phrase)
			}
		}
		if n++; t.Failed() && n > 20 {
			t.FailNow()
		}
	}
}

func TestWords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Which utilities have been intermittently shut off?", []string{"which", "utilities", "have", "been", "intermittently", "shut", "off"}},
		{"Russia's U.S.-backed plan", []string{"russia", "u.s.", "backed", "plan"}},
		{"Russia\u2019s public-service o'clock", []string{"russia", "public-service", "o'clock"}},
		{"  --  ", nil},
		{"end. Next", []string{"end", "next"}},
		{"café 2024 élan", []string{"café", "2024", "élan"}},
	}
	for _, c := range cases {
		if got := Words(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestExpand(t *testing.T) {
	type span struct {
		span       string
		start, end int
		want       string // a phrase among the span's related ones
	}
	cases := []struct {
		query string
		want  []span
	}{
		{"Which utilities have been intermittently shut off?", []span{
			{"utilities", 1, 2, "utility"}, {"intermittently", 4, 5, "intermittent"}, {"shut off", 5, 7, "close off"},
		}},
		{"What is the speed of the advance?", []span{{"speed", 3, 4, "swiftness"}, {"advance", 6, 7, "progress"}}},
		{"Does the EU back the demonstrators in Ankara and Jerusalem?", []span{
			{"EU", 2, 3, "european union"}, {"back", 3, 4, "support"}, {"demonstrators", 5, 6, "protester"},
			{"ankara", 7, 8, "turkey"}, {"jerusalem", 9, 10, "israel"},
		}},
		{"What did the European Union decide about the dispute?", []span{
			{"european union", 3, 5, "eu"}, {"decide", 5, 6, "determine"}, {"dispute", 8, 9, "conflict"},
		}},
		{"Who broke up the USSR's talks?", []span{
			{"broke up", 1, 3, "break up"}, {"USSR", 4, 5, "soviet"}, {"talks", 5, 6, "negotiation"},
		}},
		{"Did Moscow turn a blind eye?", []span{{"moscow", 1, 2, "russia"}, {"turn a blind eye", 2, 6, "ignore"}}},
		{"Can they get the US to connect them?", []span{
			{"get", 2, 3, "acquire"}, {"US", 4, 5, "united states"}, {"connect", 6, 7, "link"},
		}},
		{"what is the", nil},
		{"", nil},
		// In an all-capitals query capitals mean nothing: "US" is "us".
		{"WHAT DID US GET", []span{{"get", 3, 4, "acquire"}}},
	}
	for _, c := range cases {
		got := Expand(c.query)
		if len(got) != len(c.want) {
			var spans []string
			for _, e := range got {
				spans = append(spans, e.Span)
			}
			t.Errorf("Expand(%q) spans %q, want %d spans", c.query, spans, len(c.want))
			continue
		}
		for i, w := range c.want {
			e := got[i]
			if e.Span != w.span || e.Start != w.start || e.End != w.end {
				t.Errorf("Expand(%q)[%d] = %q [%d,%d), want %q [%d,%d)", c.query, i, e.Span, e.Start, e.End, w.span, w.start, w.end)
			}
			if !slices.Contains(phrases(e.Related), w.want) {
				t.Errorf("Expand(%q) span %q related %v, want %q among them", c.query, e.Span, phrases(e.Related), w.want)
			}
		}
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	resetForTest()
	var wg sync.WaitGroup
	results := make([][]Related, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = Lookup("dispute")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if !slices.Equal(r, results[0]) || len(r) == 0 {
			t.Errorf("goroutine %d got %v, goroutine 0 %v", i, phrases(r), phrases(results[0]))
		}
	}
}

func TestLookupResultIsCallersCopy(t *testing.T) {
	a := Lookup("dispute")
	if len(a) == 0 {
		t.Fatal("Lookup(dispute) is empty")
	}
	a[0].Phrase = "clobbered"
	if b := Lookup("dispute"); b[0].Phrase == "clobbered" {
		t.Error("a caller's change to a Lookup result leaked into the table")
	}
}

var benchQueries = []string{
	"Which utilities have been intermittently shut off?",
	"What is the speed of the advance?",
	"Does the EU back the demonstrators in Ankara and Jerusalem?",
	"How did the USSR get the Kremlin to connect the pipelines?",
	"What did the European Union decide about the border dispute between Armenia and Azerbaijan?",
}

var benchWords = []string{"utilities", "speed", "dispute", "ankara", "EU", "ussr", "acquire", "back", "demonstrators", "connect", "moscow", "broke up", "the", "zzqxvw"}

func BenchmarkLookup(b *testing.B) {
	get()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Lookup(benchWords[i%len(benchWords)])
	}
}

func BenchmarkExpand(b *testing.B) {
	get()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Expand(benchQueries[i%len(benchQueries)])
	}
}

// BenchmarkLoad measures the first use: finding the embedded tables' data
// lines and reading the stopwords.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		resetForTest()
		get()
	}
	b.ReportMetric(float64(len(relatedTxt)+len(neighboursTxt)), "table-bytes")
}

func TestLookupNeighbours(t *testing.T) {
	cases := []struct{ word, want string }{
		{"utilities", "electricity"},
		{"unmanned", "drones"},
		{"unrest", "protests"},
		{"negotiations", "talks"},
		{"demonstrators", "protesters"},
	}
	for _, c := range cases {
		got := Lookup(c.word)
		w := weightOf(got, c.want)
		if w <= 0 || w > 1 {
			t.Errorf("Lookup(%q): %q has weight %v, want a GloVe neighbour in (0, 1]; got %v", c.word, c.want, w, phrases(got))
		}
	}
	// Neighbours are only for lowercase words: an acronym keeps WordNet's
	// sense alone, and stop words get nothing.
	if got := Lookup("the"); len(got) != 0 {
		t.Errorf("Lookup(the) = %v, want none", phrases(got))
	}
}
