package eval

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-4 }

func TestMetricsByHand(t *testing.T) {
	// d2 has grade 2, d1 and d6 grade 1 (d6 is never retrieved), d7 grade 0.
	rel := Qrels{"d1": 1, "d2": 2, "d6": 1, "d7": 0}
	ranked := []string{"d3", "d1", "d7", "d2", "d4"}
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		// DCG@5 = 1/log2(3) + 2/log2(5) = 0.63093 + 0.86135 = 1.49228
		// IDCG@5 = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.63093 + 0.5 = 3.13093
		// nDCG@5 = 1.49228 / 3.13093 = 0.47663
		{"nDCG@5", NDCG(ranked, rel, 5), 0.47663},
		// DCG@2 = 0.63093; IDCG@2 = 2.63093; nDCG@2 = 0.23981
		{"nDCG@2", NDCG(ranked, rel, 2), 0.23981},
		// Nothing relevant in the top 1.
		{"nDCG@1", NDCG(ranked, rel, 1), 0},
		// k beyond the list: same as @5.
		{"nDCG@10", NDCG(ranked, rel, 10), 0.47663},
		// 3 relevant documents (grade > 0); d1 in the top 3, d1 and d2 in the top 5.
		{"Recall@3", Recall(ranked, rel, 3), 1.0 / 3},
		{"Recall@5", Recall(ranked, rel, 5), 2.0 / 3},
		// Relevant at ranks 2 and 4: (1/2 + 2/4) / 3 relevant = 0.33333.
		{"AP", AveragePrecision(ranked, rel), 1.0 / 3},
		// First relevant at rank 2.
		{"RR", ReciprocalRank(ranked, rel), 0.5},
		{"nDCG no relevant", NDCG(ranked, Qrels{"x": 1}, 10), 0},
		{"AP no judgements", AveragePrecision(ranked, Qrels{}), 0},
		{"Recall no judgements", Recall(ranked, Qrels{"d3": 0}, 10), 0},
		{"RR none", ReciprocalRank(nil, rel), 0},
		// A perfect ranking: nDCG 1 and AP 1.
		{"nDCG perfect", NDCG([]string{"d2", "d1", "d6"}, rel, 10), 1},
		{"AP perfect", AveragePrecision([]string{"d2", "d1", "d6"}, rel), 1},
	}
	for _, tc := range tests {
		if !near(tc.got, tc.want) {
			t.Errorf("%s = %.5f, want %.5f", tc.name, tc.got, tc.want)
		}
	}
}
