package llm

import (
	"strings"
	"testing"
)

var benchAnswer = strings.Repeat("Azerbaijan's first ambassador to Israel presented his credentials to Herzog [1][7]. "+
	"The ambassador later resigned over a corruption scandal involving oil contracts [1]. "+
	"The tensions stem from the 2020 war over Nagorno-Karabakh [2, 9]. ", 4)

func BenchmarkVerifyAnswer(b *testing.B) {
	for b.Loop() {
		VerifyAnswer(benchAnswer, testSources)
	}
}

// BenchmarkStreamPartials measures the cost of re-verifying the growing
// answer on every streamed piece (one piece per word).
func BenchmarkStreamPartials(b *testing.B) {
	words := strings.SplitAfter(benchAnswer, " ")
	for b.Loop() {
		p := &partialView{v: newVerifier(testSources), onPartial: func(string) {}}
		var acc strings.Builder
		for _, w := range words {
			acc.WriteString(w)
			p.update(acc.String())
		}
	}
}
