package index

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/internal/projectdir"
)

// bleveTokens is what bleve's unicode tokenizer makes of text, as spans.
func bleveTokens(text string) []briefbot.Span {
	var spans []briefbot.Span
	for _, tok := range unicode.NewUnicodeTokenizer().Tokenize([]byte(text)) {
		spans = append(spans, briefbot.Span{Start: tok.Start, End: tok.End})
	}
	return spans
}

func TestAppendTokens(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"The cat's 3.5 kg, 1,000,000 a.b.c e.g. x:y", []string{"The", "cat's", "3.5", "kg", "1,000,000", "a.b.c", "e.g", "x:y"}},
		{"ab1.5cd a1.b 1a.b 1.a a.1", []string{"ab1.5cd", "a1", "b", "1a.b", "1", "a", "a", "1"}},
		{"_ __ a_b _1_ a_.b a..b", []string{"_", "__", "a_b", "_1_", "a_", "b", "a", "b"}},
		{"1;2 1:2 a;b a'b' 'a'", []string{"1;2", "1", "2", "a", "b", "a'b", "a"}},
		{"café – naïve“quoted”\u00a0word", []string{"café", "naïve", "quoted", "word"}},
		{"Azerbaijan’s 2020 war", []string{"Azerbaijan’s", "2020", "war"}},
		{"\xff\xfeab c", nil}, // as bleve: no tokens from text that is not UTF-8
		{"line\r\nnext\vtab\tend.", []string{"line", "next", "tab", "end"}},
	}
	for _, tt := range tests {
		spans := appendTokens(nil, tt.text)
		var got []string
		for _, s := range spans {
			got = append(got, tt.text[s.Start:s.End])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("appendTokens(%q) = %q, want %q", tt.text, got, tt.want)
		}
		if want := bleveTokens(tt.text); !slices.Equal(spans, want) {
			t.Errorf("appendTokens(%q) = %v, bleve's tokenizer %v", tt.text, spans, want)
		}
	}
}

// FuzzAppendTokens holds the fast tokenizer to bleve's on any input.
func FuzzAppendTokens(f *testing.F) {
	for _, s := range []string{
		"The cat's 3.5 kg, 1,000,000 a.b.c e.g. x:y",
		"ab1.5cd a1.b 1a.b 1.a a.1 _ a_.b a..b 1;2 a;b",
		"café – naïve“quoted”\u00a0word Azerbaijan’s",
		"e\u0301a b\u0301 \u0301x \u200dy 日本語テキスト 한국어",
		"\xff\xfeab c\x00d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, want := appendTokens(nil, text), bleveTokens(text)
		if !slices.Equal(got, want) {
			t.Fatalf("appendTokens(%q) = %v, bleve's tokenizer %v", text, got, want)
		}
		// appendTokensIf keeps what termSigs lets through, in order.
		var sigs termSigs
		for k, tok := range want {
			if k%3 == 0 {
				sigs.add(strings.ToLower(text[tok.Start:tok.End]))
			}
		}
		sigs.add("vitamin")
		sigs.add("ai")
		sifted := slices.DeleteFunc(slices.Clone(want), func(s briefbot.Span) bool { return !sigs.mayMatch(text[s.Start:s.End]) })
		if got := appendTokensIf([]briefbot.Span{{Start: -1}}, text, &sigs); !slices.Equal(got[1:], sifted) || got[0].Start != -1 {
			t.Fatalf("appendTokensIf(%q) = %v, want %v", text, got, sifted)
		}
	})
}

// TestIndexAnalyzerTakesFastTokenizer: describe cuts passages with
// appendTokens only when the index's analyzer uses bleve's unicode
// tokenizer; were the analyzer changed, quotes would silently go back to
// the slow path.
func TestIndexAnalyzerTakesFastTokenizer(t *testing.T) {
	da, ok := newMapping().AnalyzerNamed(analyzerName).(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		t.Fatalf("analyzer %q is %T with char filters; describe analyzes whole texts", analyzerName, da)
	}
	if _, ok := da.Tokenizer.(*unicode.UnicodeTokenizer); !ok {
		t.Fatalf("analyzer %q tokenizes with %T, not the unicode tokenizer appendTokens reproduces", analyzerName, da.Tokenizer)
	}
}

// sigHolds reports whether a termSigs holding raw's term (as the index's
// analyzer makes it) lets raw through, as describe relies on.
func sigHolds(t testing.TB, filters []analysis.TokenFilter, raw string) bool {
	t.Helper()
	term, ok := filterToken(filters, raw)
	if !ok {
		t.Fatalf("filters split %q", raw)
	}
	if term == "" {
		return true // a stop word matches nothing
	}
	var s termSigs
	s.add(term)
	return s.mayMatch(raw)
}

// TestTermSigsHold checks termSigs' premise against the index's analyzer:
// every token of ASCII letters, digits and apostrophes up to two long,
// up to five long over alphabets the stemmer rewrites most, every word of
// the built-in brief, and words the stemmer rewrites.
func TestTermSigsHold(t *testing.T) {
	da := newMapping().AnalyzerNamed(analyzerName).(*analysis.DefaultAnalyzer)
	var raws []string
	alpha := "aeiouyAYbcdgilnrstzS0'"
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		if n == 0 {
			raws = append(raws, prefix)
			return
		}
		for i := range len(alpha) {
			gen(prefix+alpha[i:i+1], n-1)
		}
	}
	alpha = "abcdefghijklmnopqrstuvwxyzABCXYZ0189'"
	gen("", 1)
	gen("", 2)
	alpha = "aeiouyAYbcdgilnrstzS0'"
	gen("", 3)
	gen("", 4)
	alpha = "aeiyAtbldgnsz'"
	gen("", 5)
	// Terms of six characters or more are kept by their first four.
	alpha = "aeiyltbsnz"
	gen("", 6)
	alpha = "aeiltyb"
	gen("", 7)
	docs, err := corpus.Builtin(corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range docs {
		for _, p := range doc.Passages {
			for _, s := range appendTokens(nil, p.Text) {
				raws = append(raws, p.Text[s.Start:s.End])
			}
		}
	}
	raws = append(raws, "sensibility", "mobility", "ability", "relational", "conditional", "hopefully", "hopefulness", "generously",
		"possibly", "organization", "organizing", "agreed", "feed", "proceedings", "exceedingly", "conflated", "troubled", "sized",
		"hopping", "fizzed", "skiing", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early", "only", "singly",
		"news", "howe", "atlas", "cosmos", "bias", "andes", "innings", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed",
		"generate", "generation", "communism", "communication", "arsenic", "arsenal", "universal", "university", "activity", "effectively")
	raws = append(raws, "ating", "ated", "bling", "izing", "hoping", "toying", "toyed", "rational", "skies", "dying", "lying", "ties", "ied", "ies", "aed", "eed", "ays", "ayed", "ationalize", "Iran's", "IRAN’S", "US", "Us's")
	for _, raw := range raws {
		if !sigHolds(t, da.TokenFilters, raw) {
			term, _ := filterToken(da.TokenFilters, raw)
			t.Errorf("token %q, term %q: termSigs would skip it", raw, term)
		}
	}
}

// TestTermSigsHoldOnCollections checks termSigs' premise on every token of
// SciFact and Cranfield, when ../shared holds them.
func TestTermSigsHoldOnCollections(t *testing.T) {
	da := newMapping().AnalyzerNamed(analyzerName).(*analysis.DefaultAnalyzer)
	for _, name := range []string{"scifact", "cranfield"} {
		dir, err := projectdir.Shared("eval", name)
		if err != nil {
			t.Skipf("collection absent: %v", err)
		}
		docs, _ := beirBench(t, dir)
		seen := make(map[string]bool)
		for _, doc := range docs {
			for _, p := range doc.Passages {
				for _, text := range []string{p.Title, p.Text} {
					for _, s := range appendTokens(nil, text) {
						raw := text[s.Start:s.End]
						if seen[raw] {
							continue
						}
						seen[raw] = true
						if !sigHolds(t, da.TokenFilters, raw) {
							term, _ := filterToken(da.TokenFilters, raw)
							t.Errorf("%s: token %q, term %q: termSigs would skip it", name, raw, term)
						}
					}
				}
			}
		}
		t.Logf("%s: %d distinct tokens hold", name, len(seen))
	}
}

// FuzzTermSigs holds termSigs' premise on any token the tokenizer cuts.
func FuzzTermSigs(f *testing.F) {
	for _, s := range []string{"Iran's military", "skies dying ties", "ationalization 1,000 a.b.c"} {
		f.Add(s)
	}
	da := newMapping().AnalyzerNamed(analyzerName).(*analysis.DefaultAnalyzer)
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range appendTokens(nil, text) {
			if raw := text[s.Start:s.End]; !sigHolds(t, da.TokenFilters, raw) {
				term, _ := filterToken(da.TokenFilters, raw)
				t.Fatalf("token %q, term %q: termSigs would skip it", raw, term)
			}
		}
	})
}

func TestTermSigsSkip(t *testing.T) {
	var s termSigs
	for _, term := range []string{"vitamin", "ai", "x", "1,000", "ate"} {
		s.add(term)
	}
	tests := []struct {
		raw  string
		want bool
	}{
		{"Vitamins", true}, {"vita", true}, {"VIT", false}, {"VI", false}, {"vis", false}, {"vite", false},
		{"ating", true}, {"ate", true}, {"an", false},
		{"ays", true}, {"AYED", true}, {"aim", true},
		{"x", true}, {"xies", true}, {"Xylophone", true},
		{"1,000", true}, {"10", false},
		{"the", false}, {"of", false}, {"a", false}, {"deficiency", false}, {"v", false},
		{"été", true}, {"_x", true}, {"", true},
	}
	for _, tt := range tests {
		if got := s.mayMatch(tt.raw); got != tt.want {
			t.Errorf("mayMatch(%q) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

// BenchmarkAppendTokens cuts the brief's passages, or with
// BRIEFBOT_BENCH_BEIR set those of a BEIR collection, into tokens.
func BenchmarkAppendTokens(b *testing.B) {
	var texts []string
	if dir := os.Getenv("BRIEFBOT_BENCH_BEIR"); dir != "" {
		docs, _ := beirBench(b, dir)
		for _, d := range docs {
			for _, p := range d.Passages {
				texts = append(texts, p.Text)
			}
		}
	} else {
		for _, d := range briefDocs(b) {
			for _, p := range d.Passages {
				texts = append(texts, p.Text)
			}
		}
	}
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	b.SetBytes(int64(size / len(texts)))
	var dst []briefbot.Span
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst = appendTokens(dst[:0], texts[i%len(texts)])
	}
}
