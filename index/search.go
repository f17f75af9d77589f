package index

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"

	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/briefbot/briefbot"
)

// Search ranks passages for a free-text query with BM25 and returns the top
// k, each with its best quote. The query is analyzed, never parsed: query
// syntax characters are plain text. A blank or all-stopword query has no
// hits and no error.
func (ix *Index) Search(ctx context.Context, query string, k int) ([]briefbot.Hit, error) {
	return ix.search(ctx, query, nil, k)
}

func (ix *Index) search(ctx context.Context, query string, earlier []Weighted, k int) ([]briefbot.Hit, error) {
	hits, terms, pos, err := ix.rank(ctx, query, earlier, k)
	if err != nil || len(hits) == 0 {
		return hits, err
	}
	d := ix.newDescriber(terms)
	for i := range hits {
		if hits[i].Passage, err = ix.passageAt(int(pos[i])); err != nil {
			return nil, err
		}
		d.describe(&hits[i])
	}
	return hits, nil
}

// Rank is Search without quotes: hits carry the passage, rank and score
// only, and the passage no text when the build keeps texts apart (see
// textsFile). It serves evaluation runs that rank hundreds of passages per
// query.
func (ix *Index) Rank(ctx context.Context, query string, k int) ([]briefbot.Hit, error) {
	hits, _, _, err := ix.rank(ctx, query, nil, k)
	return hits, err
}

// scored is one candidate passage: its manifest position and BM25 score.
// tier is 1 for a passage holding a word of a follow-up question itself
// (see SearchInContext), 0 otherwise and for every passage of a question
// searched on its own.
type scored struct {
	pos   int32
	score float64
	tier  int8
}

// worse orders candidates for the top-k heap: by tier, then score; ties go
// to the earlier passage in corpus order so that results do not depend on
// segment layout.
func worse(a, b scored) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	if a.score != b.score {
		return a.score < b.score
	}
	return a.pos > b.pos
}

type topK []scored

func (h topK) Len() int           { return len(h) }
func (h topK) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h topK) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topK) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *topK) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// accumulator holds per-document scores for one search, indexed by
// manifest position; touched lists the positions with a score so that
// resetting costs as much as the search did, not the corpus size.
type accumulator struct {
	scores  []float64
	touched []int32
}

func newAccumulator(n int) *accumulator {
	return &accumulator{scores: make([]float64, n)}
}

// add adds v to passage p's score.
func (a *accumulator) add(p int32, v float64) {
	if a.scores[p] == 0 {
		a.touched = append(a.touched, p)
	}
	a.scores[p] += v
}

// raise lifts passage p's score to v when v is higher.
func (a *accumulator) raise(p int32, v float64) {
	if v > a.scores[p] {
		if a.scores[p] == 0 {
			a.touched = append(a.touched, p)
		}
		a.scores[p] = v
	}
}

func (a *accumulator) reset() {
	for _, p := range a.touched {
		a.scores[p] = 0
	}
	a.touched = a.touched[:0]
}

// rank scores the passages for query read in the light of the earlier
// questions of its conversation (none for a question on its own) and
// returns the top k.
//
// The hits' passages lack their texts when the build keeps them apart;
// pos holds their positions in flat, for passageAt.
func (ix *Index) rank(ctx context.Context, query string, earlier []Weighted, k int) ([]briefbot.Hit, []queryTerm, []int32, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("search: %w", err)
	}
	if k <= 0 || strings.TrimSpace(query) == "" {
		return nil, nil, nil, nil
	}
	terms := ix.queryTerms(query, len(earlier) > 0)
	for i, c := range earlier {
		terms = addContext(terms, ix.queryTerms(c.Text, true), i+1, c.Weight)
	}
	if len(terms) == 0 {
		return nil, nil, nil, nil
	}
	// A follow-up's own words lead: a passage holding one of them (or a
	// close relative, see standsForQuestion) ranks ahead of every passage
	// that holds only words of the context. A follow-up of none of its own
	// words ("why?") is all context.
	var mark *accumulator
	if len(earlier) > 0 && slices.ContainsFunc(terms, func(t queryTerm) bool { return t.part == 0 }) {
		mark = ix.accPool.Get().(*accumulator)
		defer func() {
			mark.reset()
			ix.accPool.Put(mark)
		}()
	}
	if ix.closed.Load() {
		return nil, nil, nil, fmt.Errorf("search: %w", ErrClosed)
	}
	rs, closeReaders, err := ix.readers()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("search: %w", err)
	}
	defer closeReaders()

	h, err := ix.rankExhaustive(ctx, rs, query, earlier, terms, k, mark)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(h) == 0 {
		return nil, terms, nil, nil
	}
	slices.SortFunc(h, func(a, b scored) int {
		switch {
		case worse(b, a):
			return -1
		case worse(a, b):
			return 1
		}
		return 0
	})
	hits := make([]briefbot.Hit, len(h))
	pos := make([]int32, len(h))
	for i, c := range h {
		hits[i] = briefbot.Hit{Passage: ix.flat[c.pos], Rank: i + 1, Score: c.score}
		pos[i] = c.pos
	}
	return hits, terms, pos, nil
}

// rankExhaustive scores every passage holding a query term and returns
// the top k.
func (ix *Index) rankExhaustive(ctx context.Context, rs []bindex.IndexReader, query string, earlier []Weighted, terms []queryTerm, k int, mark *accumulator) (topK, error) {
	acc := ix.accPool.Get().(*accumulator)
	defer func() {
		acc.reset()
		ix.accPool.Put(acc)
	}()
	if err := ix.scoreGroups(ctx, rs, terms, acc, mark); err != nil {
		return nil, err
	}
	if len(acc.touched) == 0 {
		return nil, nil
	}
	h := make(topK, 0, min(k, len(acc.touched)))
	weights := ix.contextualWeights(query, earlier, terms)
	for _, p := range acc.touched {
		c := scored{pos: p, score: acc.scores[p] * weights[ix.roles[p]]}
		if mark != nil && mark.scores[p] > 0 {
			c.tier = 1
		}
		if len(h) < k {
			heap.Push(&h, c)
		} else if worse(h[0], c) {
			h[0] = c
			heap.Fix(&h, 0)
		}
	}
	return h, nil
}

// scoreGroups adds the query's BM25 contributions to acc, one group of
// terms at a time. A group is one word of the question with the related
// terms standing for it, and a passage earns the best of the group's
// terms, not their sum: a passage that repeats three synonyms of one word
// must not outrank one that matches three different words of the question
// (measured on the brief's questions: MRR 0.742 -> 0.766 together with
// relatives of the words the corpus uses, see expand; SciFact nDCG@10
// 0.679 -> 0.684).
//
// When mark is not nil, every passage holding a word of the question itself
// (see standsForQuestion) gets a score in mark.
func (ix *Index) scoreGroups(ctx context.Context, rs []bindex.IndexReader, terms []queryTerm, acc, mark *accumulator) error {
	var best, one *accumulator
	defer func() {
		for _, a := range []*accumulator{best, one} {
			if a != nil {
				a.reset()
				ix.accPool.Put(a)
			}
		}
	}()
	done := make([]bool, len(terms))
	for i := range terms {
		if done[i] {
			continue
		}
		members := []int{i}
		if g := terms[i].group; g >= 0 {
			for j := i + 1; j < len(terms); j++ {
				if terms[j].group == g {
					members = append(members, j)
				}
			}
		}
		for _, m := range members {
			done[m] = true
		}
		marking := mark != nil && slices.ContainsFunc(members, func(m int) bool { return terms[m].part == 0 })
		if len(members) == 1 && !marking {
			// The common case (no related terms): score straight into acc.
			if err := ix.scoreOne(ctx, rs, &terms[i], acc); err != nil {
				return err
			}
			continue
		}
		// Each member's postings, read once; a related term the corpus
		// does not use only gets the IDF scoreLists would give it.
		scoring, lists := members[:0:0], make([]termLists, 0, len(members))
		for _, m := range members {
			ls, err := ix.listsOf(ctx, rs, terms[m].term)
			if err != nil {
				return err
			}
			if ls.body.df == 0 && ls.title.df == 0 {
				terms[m].idf = idf(ix.n, 0)
				continue
			}
			scoring, lists = append(scoring, m), append(lists, ls)
		}
		// A term held in bodies or titles only has one value per passage.
		oneField := func(ls termLists) bool { return ls.body.df == 0 || ls.title.df == 0 }
		switch {
		case len(scoring) == 0:
			continue
		case len(scoring) == 1 && !marking && oneField(lists[0]):
			// Its best is its score, which acc can take straight.
			ix.scoreLists(lists[0], &terms[scoring[0]], acc, false)
			continue
		}
		if best == nil {
			best, one = ix.accPool.Get().(*accumulator), ix.accPool.Get().(*accumulator)
		}
		for k, m := range scoring {
			stands := marking && standsForQuestion(terms, m)
			switch {
			case k == 0:
				// The first term's scores are the best so far as they
				// are: scored into best at once, they need no pass
				// through one.
				ix.scoreLists(lists[k], &terms[m], best, false)
				if stands {
					for _, p := range best.touched {
						mark.raise(p, 1)
					}
				}
			case !stands && oneField(lists[k]):
				ix.scoreLists(lists[k], &terms[m], best, true)
			default:
				ix.scoreLists(lists[k], &terms[m], one, false)
				for _, p := range one.touched {
					best.raise(p, one.scores[p])
					if stands {
						mark.raise(p, 1)
					}
				}
				one.reset()
			}
		}
		for _, p := range best.touched {
			acc.add(p, best.scores[p])
		}
		best.reset()
	}
	return nil
}

// termLists is a term's postings in passage bodies and in titles.
type termLists struct{ body, title *postingList }

// listsOf returns term's postings in both fields (see postingsOf).
func (ix *Index) listsOf(ctx context.Context, rs []bindex.IndexReader, term string) (termLists, error) {
	if err := ctx.Err(); err != nil {
		return termLists{}, fmt.Errorf("search: %w", err)
	}
	body, err := ix.postingsOf(ctx, rs, fieldBody, term)
	if err != nil {
		return termLists{}, fmt.Errorf("search: postings of %q: %w", term, err)
	}
	title, err := ix.postingsOf(ctx, rs, fieldDocTitle, term)
	if err != nil {
		return termLists{}, fmt.Errorf("search: title postings of %q: %w", term, err)
	}
	return termLists{body: body, title: title}, nil
}

// scoreOne adds one term's contributions in passage bodies and titles.
func (ix *Index) scoreOne(ctx context.Context, rs []bindex.IndexReader, qt *queryTerm, acc *accumulator) error {
	ls, err := ix.listsOf(ctx, rs, qt.term)
	if err != nil {
		return err
	}
	ix.scoreLists(ls, qt, acc, false)
	return nil
}

// scoreLists adds to acc (raises it to, when raise is set) a term's BM25
// contribution in each passage body and title holding it, from its
// postings, and sets qt.idf. In bodies:
//
//	idf * tf*(k1+1) / (tf + k1*(1 - b + b*dl/avgdl))
//
// with dl the passage's analyzed body length, recorded at build time; in
// the titles of passages whose body leaves the title out, which are short
// and alike in length, without length normalization (dl = avgdl). Raising
// is only for a term held in one of the two fields: its contribution is
// then the one value.
func (ix *Index) scoreLists(ls termLists, qt *queryTerm, acc *accumulator, raise bool) {
	qt.idf = idf(ix.n, float64(ls.body.df))
	k1 := ix.opts.K1
	if l := ls.body; l.df > 0 {
		w := qt.weight * qt.idf * float64(qt.qtf) * (k1 + 1)
		norm := ix.lengthNorm
		if raise {
			for i, pos := range l.pos {
				tf := float64(l.tf[i])
				acc.raise(pos, w*tf/(tf+norm[pos]))
			}
		} else {
			for i, pos := range l.pos {
				tf := float64(l.tf[i])
				acc.add(pos, w*tf/(tf+norm[pos]))
			}
		}
	}
	if l := ls.title; l.df > 0 {
		w := qt.weight * idf(ix.n, float64(l.df)) * float64(qt.qtf) * (k1 + 1)
		if raise {
			for i, pos := range l.pos {
				tf := float64(l.tf[i])
				acc.raise(pos, w*tf/(tf+k1))
			}
		} else {
			for i, pos := range l.pos {
				tf := float64(l.tf[i])
				acc.add(pos, w*tf/(tf+k1))
			}
		}
	}
}

// eachPosting calls f with the position in flat and the term frequency of
// every served passage in the postings of each segment (tfrs, in the order
// of ix.segs).
func (ix *Index) eachPosting(tfrs []bindex.TermFieldReader, f func(pos int32, tf float64)) error {
	var tfd bindex.TermFieldDoc
	for i, tfr := range tfrs {
		ord := ix.segs[i].ord
		for {
			next, err := tfr.Next(tfd.Reset())
			if err != nil {
				return err
			}
			if next == nil {
				break
			}
			num := next.ID.Value()
			if num >= uint64(len(ord)) || ord[num] < 0 {
				continue // indexed in this segment but no longer served
			}
			f(ord[num], float64(next.Freq))
		}
	}
	return nil
}

