// Package eval owns retrieval evaluation: the ranking metrics (nDCG, recall,
// MAP, MRR), the BEIR collection format, end-to-end runs that index a BEIR
// corpus with the index package and score its queries, and question/answer
// checks of a Searcher against gold answer text.
package eval

import (
	"math"
	"sort"
)

// Qrels holds graded relevance judgements of one query: document ID ->
// grade. Only grades > 0 count as relevant.
type Qrels map[string]int

func (q Qrels) relevant() int {
	n := 0
	for _, g := range q {
		if g > 0 {
			n++
		}
	}
	return n
}

// NDCG is nDCG@k as trec_eval's ndcg_cut computes it: the gain of a
// document is its grade, discounted by log2(rank+1); the ideal ranking
// orders all judged documents by grade.
func NDCG(ranked []string, rel Qrels, k int) float64 {
	var dcg float64
	for i, id := range ranked[:min(k, len(ranked))] {
		if g := rel[id]; g > 0 {
			dcg += float64(g) / math.Log2(float64(i+2))
		}
	}
	grades := make([]int, 0, len(rel))
	for _, g := range rel {
		if g > 0 {
			grades = append(grades, g)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(grades)))
	var ideal float64
	for i, g := range grades[:min(k, len(grades))] {
		ideal += float64(g) / math.Log2(float64(i+2))
	}
	if ideal == 0 {
		return 0
	}
	return dcg / ideal
}

// Recall is the share of the relevant documents found in the top k.
func Recall(ranked []string, rel Qrels, k int) float64 {
	total := rel.relevant()
	if total == 0 {
		return 0
	}
	found := 0
	for _, id := range ranked[:min(k, len(ranked))] {
		if rel[id] > 0 {
			found++
		}
	}
	return float64(found) / float64(total)
}

// AveragePrecision is trec_eval's AP: the precision at the rank of each
// relevant document retrieved, summed and divided by the number of relevant
// documents (retrieved or not). MAP is its mean over queries.
func AveragePrecision(ranked []string, rel Qrels) float64 {
	total := rel.relevant()
	if total == 0 {
		return 0
	}
	var sum float64
	found := 0
	for i, id := range ranked {
		if rel[id] > 0 {
			found++
			sum += float64(found) / float64(i+1)
		}
	}
	return sum / float64(total)
}

// ReciprocalRank is 1/rank of the first relevant document, 0 when none is
// ranked.
func ReciprocalRank(ranked []string, rel Qrels) float64 {
	for i, id := range ranked {
		if rel[id] > 0 {
			return 1 / float64(i+1)
		}
	}
	return 0
}
