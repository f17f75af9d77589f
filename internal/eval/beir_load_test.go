package eval

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/index"
)

func TestLoadBEIR(t *testing.T) {
	b, err := LoadBEIR("testdata/tiny")
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "tiny" || len(b.Docs) != 4 || b.Docs[1].ID != "42" || b.Docs[3].Title != "Forests" {
		t.Errorf("docs = %+v", b.Docs)
	}
	// q3 has no judgements and is not evaluated.
	if len(b.Queries) != 2 || b.Queries[0] != (Query{"q1", "volcano lava"}) || b.Queries[1].ID != "q2" {
		t.Errorf("queries = %+v", b.Queries)
	}
	if got := b.Qrels["q2"]; len(got) != 3 || got["42"] != 2 || got["f4"] != 0 {
		t.Errorf("qrels q2 = %v", got)
	}
	if _, err := LoadBEIR("testdata/missing"); err == nil {
		t.Error("LoadBEIR of a missing dir succeeded")
	}
}

func TestParseQrels(t *testing.T) {
	good := "query-id\tcorpus-id\tscore\n1 d1 1\n\n1\td2\t0\n2 d3 2.0\n"
	q, err := parseQrels("x", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 2 || q["1"]["d1"] != 1 || q["1"]["d2"] != 0 || q["2"]["d3"] != 2 {
		t.Errorf("qrels = %v", q)
	}
	for _, bad := range []string{"1 d1\n", "h h h\n1 d1 high\n", "1 d1 1 extra\n"} {
		if _, err := parseQrels("x", []byte(bad)); err == nil {
			t.Errorf("parseQrels accepted %q", bad)
		}
	}
}

func FuzzParseQrels(f *testing.F) {
	f.Add("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
	f.Add("1 2 3\n4 5 -1\n")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseQrels("fuzz", []byte(s))
		if err != nil {
			return
		}
		lines := 0
		for _, l := range strings.Split(s, "\n") {
			if len(strings.Fields(l)) > 0 {
				lines++
			}
		}
		judged := 0
		for _, rel := range q {
			judged += len(rel)
		}
		if judged > lines {
			t.Fatalf("%d judgements from %d lines", judged, lines)
		}
	})
}

func TestRunBEIRTiny(t *testing.T) {
	rep, err := RunBEIR(context.Background(), "testdata/tiny", BEIROptions{Index: TempIndex(index.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	// q1 "volcano lava": only v1 matches and it is relevant: nDCG 1, recall 1, AP 1.
	// q2 "glaciers retreat climate": 42 (all three terms) ranks above f4 (climate);
	// relevant are 42 (grade 2) and o3 (grade 1, shares no term, never ranked).
	//   nDCG@10 = 2/log2(2) / (2/log2(2) + 1/log2(3)) = 2/2.63093 = 0.76018
	//   Recall@100 = 1/2; AP = (1/1)/2 = 0.5
	// Means: nDCG@10 = (1 + 0.76018)/2 = 0.88009, Recall@100 = 0.75, MAP = 0.75.
	if rep.Queries != 2 || rep.Documents != 4 || rep.Passages != 4 {
		t.Errorf("report counts: %+v", rep)
	}
	if !near(rep.NDCG10, 0.88009) || !near(rep.Recall100, 0.75) || !near(rep.MAP, 0.75) {
		t.Errorf("report = %s; want nDCG@10 0.88009, Recall@100 0.75, MAP 0.75", rep)
	}
	if !strings.Contains(rep.String(), "nDCG@10 0.8801") {
		t.Errorf("String() = %s", rep)
	}
}

// passageSearcher returns hits for fixed passages of the given documents.
type passageSearcher []string

func (p passageSearcher) Search(context.Context, string, int) ([]briefbot.Hit, error) {
	var hits []briefbot.Hit
	for i, doc := range p {
		hits = append(hits, briefbot.Hit{Rank: i + 1, Passage: briefbot.Passage{ID: doc + "#" + string(rune('a'+i)), DocID: doc}})
	}
	return hits, nil
}

func TestEvaluateRanksDocumentsByBestPassage(t *testing.T) {
	b := &BEIR{
		Name:    "fixed",
		Queries: []Query{{"q", "anything"}},
		Qrels:   map[string]Qrels{"q": {"A": 1}},
	}
	// Passages of B, B, A: documents rank B then A, so A is at rank 2.
	rep, err := b.Evaluate(context.Background(), passageSearcher{"B", "B", "A"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	// nDCG@10 = (1/log2(3)) / 1 = 0.63093; AP = 1/2.
	if !near(rep.NDCG10, 0.63093) || !near(rep.MAP, 0.5) || !near(rep.Recall100, 1) {
		t.Errorf("report = %+v", rep)
	}
}

type failingSearcher struct{}

func (failingSearcher) Search(context.Context, string, int) ([]briefbot.Hit, error) {
	return nil, errors.New("boom")
}

func TestEvaluateReportsSearchErrors(t *testing.T) {
	b := &BEIR{Queries: []Query{{"q1", "x"}, {"q2", "y"}, {"q3", "z"}}, Qrels: map[string]Qrels{"q1": {"a": 1}}}
	if _, err := b.Evaluate(context.Background(), failingSearcher{}, 10); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err = %v, want the search error", err)
	}
}

func TestRankDocuments(t *testing.T) {
	hits := passageSearcher{"x", "y", "x", "z", "y"}
	got, _ := hits.Search(context.Background(), "", 0)
	if ids := RankDocuments(got); strings.Join(ids, ",") != "x,y,z" {
		t.Errorf("RankDocuments = %v", ids)
	}
}
