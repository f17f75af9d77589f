package corpus

import (
	"math/rand/v2"
	"testing"
)

// scanClose is the former matchClose: a depth count from s[i], bounded by
// scanLimit.
func scanClose(s string, i int, open, close byte) int {
	depth := 0
	for j := i; j < min(len(s), i+scanLimit); j++ {
		switch s[j] {
		case '\\':
			j++
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// TestMatchCloseAgreesWithScan checks the one-pass bracket pairing against
// a depth count from each bracket that the parser can reach (one not
// escaped by a backslash).
func TestMatchCloseAgreesWithScan(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = `[]()\a `
	for range 2000 {
		b := make([]byte, r.IntN(60))
		for k := range b {
			b[k] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		for _, pair := range []string{"[]", "()"} {
			in := newInliner(nil)
			for i := 0; i < len(s); i++ {
				if s[i] == '\\' {
					i++
					continue
				}
				if s[i] != pair[0] {
					continue
				}
				if got, want := in.matchClose(s, i, pair[0], pair[1]), scanClose(s, i, pair[0], pair[1]); got != want {
					t.Fatalf("matchClose(%q, %d, %q) = %d, want %d", s, i, pair, got, want)
				}
			}
		}
	}
	// Partners farther than scanLimit are not found, as before.
	s := "[" + string(make([]byte, scanLimit)) + "]"
	if got := newInliner(nil).matchClose(s, 0, '[', ']'); got != -1 {
		t.Errorf("far partner found at %d", got)
	}
}
