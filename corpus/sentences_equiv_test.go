package corpus

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// oldSentenceSpans is sentenceSpans before runs of punctuation were
// skipped: it looked at every mark of a run.
func oldSentenceSpans(text string) []span {
	var out []span
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		j := i
		for j < len(text) {
			c, n := utf8.DecodeRuneInString(text[j:])
			if !strings.ContainsRune(`.!?…`+closers, c) {
				break
			}
			j += n
		}
		if j >= len(text) || text[j] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[j+1:])
		// Tokenized corpora write " . " and lower-case every sentence.
		spaced := i-size > 0 && text[i-size-1] == ' '
		if !startsSentence(next) && !spaced {
			continue
		}
		if r == '.' && abbreviationBefore(text[start:i-size], next) {
			continue
		}
		out = append(out, span{start, j})
		start = j + 1
		i = j + 1
	}
	if start < len(text) {
		out = append(out, span{start, len(text)})
	}
	return out
}

// TestSentenceSpansSkipsRunsAlike checks that skipping runs of punctuation
// finds the same sentences as looking at every mark.
func TestSentenceSpansSkipsRunsAlike(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	words := []string{".", "!", "?", "…", `"`, "'", ")", " ", " ", "A", "a", "Mr", "U.S", "3", "No", "x"}
	for range 5000 {
		var b strings.Builder
		for range r.IntN(30) {
			b.WriteString(words[r.IntN(len(words))])
		}
		s := b.String()
		if got, want := sentenceSpans(s), oldSentenceSpans(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("sentenceSpans(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzSentenceSpans holds sentenceSpans, which skips to the next byte
// that may begin a mark, to oldSentenceSpans, which decodes every
// character.
func FuzzSentenceSpans(f *testing.F) {
	f.Add("Mr. A. B. said “hi.” Then? No!… Yes… x")
	f.Add("\xf0\xe2\x80\xa6 A. é… B? ✓. C")
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := sentenceSpans(text), oldSentenceSpans(text); !reflect.DeepEqual(got, want) {
			t.Fatalf("sentenceSpans(%q) = %v, old %v", text, got, want)
		}
	})
}
