package index

import (
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/briefbot/briefbot"
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
