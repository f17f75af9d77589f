package index

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"runtime/debug"
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
	return ix.search(ctx, query, nil, k, k)
}

// SearchShown is Search for output that shows only its first hits in full:
// the top k are ranked as Search ranks them, the first shown of them carry
// their text and quote, and the rest are as Rank returns them. A list that
// shows ten results and counts a hundred pays for ten quotes.
func (ix *Index) SearchShown(ctx context.Context, query string, k, shown int) ([]briefbot.Hit, error) {
	return ix.search(ctx, query, nil, k, shown)
}

func (ix *Index) search(ctx context.Context, query string, earlier []Weighted, k, shown int) ([]briefbot.Hit, error) {
	hits, terms, pos, err := ix.rank(ctx, query, earlier, k)
	if err != nil || len(hits) == 0 || shown <= 0 {
		return hits, err
	}
	d := ix.newDescriber(terms)
	defer d.release()
	for i := range hits[:min(shown, len(hits))] {
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
	h, err := ix.rankMapped(ctx, query, earlier, terms, k, mark)
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

// rankMapped runs rankTop with the mapped files held open (see mapMu). A
// page of the postings file that faults (the file cut short under the
// index, a disk error) is an error of this search, not a crash.
func (ix *Index) rankMapped(ctx context.Context, query string, earlier []Weighted, terms []queryTerm, k int, mark *accumulator) (_ topK, err error) {
	ix.mapMu.RLock()
	defer ix.mapMu.RUnlock()
	if ix.closed.Load() {
		return nil, fmt.Errorf("search: %w", ErrClosed)
	}
	rs, closeReaders, err := ix.readers()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer closeReaders()
	if ix.posts != nil {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("search: reading %s: %v", postFile, r)
			}
		}()
	}
	return ix.rankTop(ctx, rs, query, earlier, terms, k, mark)
}

// rankTop scores the passages holding a query term and returns the top k.
//
// Groups of terms (see group) are scored most valuable first. Once
// what the groups left could add to a passage no longer lifts a passage
// that none of the groups scored so far holds into the top k, those
// passages are out of the running: the groups left are then looked up in
// their postings for the passages still in it alone, rather than added to
// every passage holding them (MaxScore's idea, applied to groups). Every
// passage's score is summed in the same order either way, so the top k are
// those of scoring every passage (TestPrunedRankingIsExhaustive).
func (ix *Index) rankTop(ctx context.Context, rs []bindex.IndexReader, query string, earlier []Weighted, terms []queryTerm, k int, mark *accumulator) (topK, error) {
	acc := ix.accPool.Get().(*accumulator)
	defer func() {
		acc.reset()
		ix.accPool.Put(acc)
	}()
	groups, err := ix.groupsOf(ctx, rs, terms, mark)
	if err != nil {
		return nil, err
	}
	weights := ix.contextualWeights(query, earlier, terms)
	maxWeight := slices.Max(weights[:])
	// left[i] bounds what groups[i:] add to a passage; postingsLeft[i]
	// counts their postings.
	left := make([]float64, len(groups)+1)
	postingsLeft := make([]float64, len(groups)+1)
	for i := len(groups) - 1; i >= 0; i-- {
		left[i] = left[i+1] + groups[i].bound
		postingsLeft[i] = postingsLeft[i+1] + groups[i].postings()
	}
	if ix.chunked(groups, postingsLeft[0]) {
		return ix.rankChunked(ctx, groups, left, weights, k, mark != nil)
	}
	sc := ix.newGroupScorer()
	defer sc.release()
	var candidates []int32 // when pruned: the passages still in the running
	pruned := false
	for i := range groups {
		sc.score(&groups[i], acc, mark)
		// Not when no score so far can exceed what the groups left could
		// add (they could still lift any passage into the top k), nor
		// when finding the floor costs more than reading their postings.
		if mark != nil || ix.exhaustive || i == len(groups)-1 || len(acc.touched) < k || postingsLeft[0] < ix.minPrune ||
			left[i+1] >= left[0]-left[i+1] || postingsLeft[i+1] < 2*float64(len(acc.touched)) {
			continue
		}
		// The k-th best score so far is a floor on the k-th best score:
		// scores only grow. So is the k-th best of some of the passages
		// scored: of the first ones, which the most valuable groups
		// scored, and which are few enough for a floor to cost little
		// however often it is tried. (The margins cover rounding: bounds
		// and scores are summed in different orders.)
		floor := ix.kthScore(acc.touched[:min(len(acc.touched), floorSample*k+floorSampleMin)], acc, weights, k) * (1 - 1e-9)
		if left[i+1]*maxWeight*(1+1e-9) >= floor {
			continue
		}
		candidates = candidates[:0]
		for _, p := range acc.touched {
			if (acc.scores[p]+left[i+1])*weights[ix.roles[p]]*(1+1e-9) >= floor {
				candidates = append(candidates, p)
			}
		}
		// Looking the candidates up must cost less than reading the
		// groups' postings through.
		if lookUpCost(groups[i+1:], len(candidates)) >= postingsLeft[i+1] {
			continue
		}
		slices.Sort(candidates)
		for g := i + 1; g < len(groups); g++ {
			ix.lookUpGroup(&groups[g], candidates, acc.scores, 0)
			// A candidate that can no longer reach the floor is out.
			keep := candidates[:0]
			for _, p := range candidates {
				if (acc.scores[p]+left[g+1])*weights[ix.roles[p]]*(1+1e-9) >= floor {
					keep = append(keep, p)
				}
			}
			candidates = keep
		}
		pruned = true
		ix.prunes.Add(1)
		break
	}
	if !pruned {
		candidates = acc.touched
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	h := make(topK, 0, min(k, len(candidates)))
	for _, p := range candidates {
		c := scored{pos: p, score: acc.scores[p] * weights[ix.roles[p]]}
		if mark != nil && mark.scores[p] > 0 {
			c.tier = 1
		}
		h.offer(c, k)
	}
	return h, nil
}

// lookUpCost estimates what looking n passages up in the groups' postings
// costs, in postings read through: ascending passages are found by
// galloping from one to the next (see postingList.seek), some 2 +
// log2(1 + df/n) steps each in a list of df postings. (Counting a binary
// search of the whole list per passage, log2 df, it overestimated by three
// to four times at a million passages and turned down most prunings.)
func lookUpCost(groups []group, n int) float64 {
	if n == 0 {
		return 0
	}
	c, cost := float64(n), 0.0
	for _, g := range groups {
		for m := range g.read {
			cost += lookUpCostIn(m.lists.body.df, c) + lookUpCostIn(m.lists.title.df, c)
		}
	}
	return cost
}

// lookUpCostIn is lookUpCost for one list of df postings.
func lookUpCostIn(df uint64, n float64) float64 {
	if df == 0 {
		return 0
	}
	return n * (2 + math.Log2(1+float64(df)/n))
}

// offer adds c to h, which keeps the k best, when it is among them.
func (h *topK) offer(c scored, k int) {
	if len(*h) < k {
		heap.Push(h, c)
	} else if worse((*h)[0], c) {
		(*h)[0] = c
		heap.Fix(h, 0)
	}
}

// minPrunePostings: a search reading fewer postings is not pruned. On
// SciFact (10k passages, some 6,000 postings a question with related
// words) trying cost more than it saved (depth 100: +10 % p50).
const minPrunePostings = 16_384

// floorSample: rankTop works out its floor from the first floorSample*k
// (plus floorSampleMin) passages scored. (With 1024 for floorSampleMin, a
// third of the searches at a million passages went unpruned that a floor
// from more passages pruned.)
const (
	floorSample    = 64
	floorSampleMin = 16_384
)

// kthScore returns the k-th highest weighted score in acc of the passages
// ps, at least k of them.
func (ix *Index) kthScore(ps []int32, acc *accumulator, weights roleWeights, k int) float64 {
	h := make(topK, 0, k)
	for _, p := range ps {
		h.offer(scored{pos: p, score: acc.scores[p] * weights[ix.roles[p]]}, k)
	}
	return h[0].score
}

// group is one word of the question with the related terms standing for
// it: the terms of it the corpus uses. A passage earns the best of the
// group's terms, not their sum: a passage that repeats three synonyms of
// one word must not outrank one that matches three different words of the
// question (measured on the brief's questions: MRR 0.742 -> 0.766 together
// with relatives of the words the corpus uses, see expand; SciFact
// nDCG@10 0.679 -> 0.684).
type group struct {
	members []member
	// direct: the group's score in a passage is its one term's, added
	// to the passage's score as it comes (body, then title).
	direct bool
	// marking: mark passages holding a term standing for the question
	// (see standsForQuestion).
	marking bool
	// bound is the most the group adds to a passage's score.
	bound float64
	// over, when set, are the group's most valuable terms, scored as a
	// group of their own before this one (see splitGroup): this group
	// adds to a passage only what its best term exceeds theirs by.
	over []member
}

// member is a term of a group: its postings, and what its BM25
// contributions in bodies and in titles are multiplied by (see
// termWeights).
type member struct {
	lists  termLists
	wb, wt float64
	// stands: the term stands for the question (marking groups only).
	stands bool
}

// groupsOf returns the query's groups, the most valuable (bound) first
// and otherwise in the order of the terms, and sets every term's IDF.
// Terms the corpus does not use have no place in a group.
func (ix *Index) groupsOf(ctx context.Context, rs []bindex.IndexReader, terms []queryTerm, mark *accumulator) ([]group, error) {
	var groups []group
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
		g := group{marking: mark != nil && slices.ContainsFunc(members, func(m int) bool { return terms[m].part == 0 })}
		for _, m := range members {
			ls, err := ix.listsOf(ctx, rs, terms[m].term)
			if err != nil {
				return nil, err
			}
			// The IDF describe credits.
			terms[m].idf = idf(ix.n, float64(ls.body.df))
			if ls.body.df == 0 && ls.title.df == 0 {
				continue
			}
			wb, wt := ix.termWeights(ls, &terms[m])
			mb := member{lists: ls, wb: wb, wt: wt, stands: g.marking && standsForQuestion(terms, m)}
			g.members = append(g.members, mb)
			g.bound = max(g.bound, mb.bound())
		}
		if len(g.members) == 0 {
			continue
		}
		// A group of one term: its score is the term's; a term held in
		// both fields adds two values, which is what adding them to the
		// passage's score as they come does.
		g.direct = len(g.members) == 1 && !g.marking && (len(members) == 1 || g.members[0].lists.oneField())
		groups = append(groups, g)
	}
	// A search that is not pruned gains nothing from split groups, and
	// pays a pass more for each.
	postings := 0.0
	for _, g := range groups {
		postings += g.postings()
	}
	if postings >= ix.minPrune && !ix.wholeGroups {
		all := groups
		groups = make([]group, 0, len(all))
		for _, g := range all {
			if hi, lo, ok := splitGroup(g); ok {
				groups = append(groups, hi, lo)
			} else {
				groups = append(groups, g)
			}
		}
	}
	slices.SortStableFunc(groups, func(a, b group) int { return cmp.Compare(b.bound, a.bound) })
	return groups, nil
}

// splitGroup splits a group whose terms differ much in value: a rare word
// of the question with common relatives holds as many passages as its most
// common relative, and bounds them all by its own, rarest term's value, so
// that none can be left out of the running. Split, its valuable terms (hi)
// are a group bounded by their values and holding few passages, and the
// others (lo, bounded by theirs) a group adding only what it adds over hi:
// a passage's score is still hi + max(0, lo - hi), the best of the
// group's terms, and lo is ranked among the groups by its own, lower
// bound (at a million passages with related words, most searches went
// unpruned: 900,000 passages scored of 1,000,000). Groups that mark are
// not split, nor the groups of a search too small to be pruned (see
// minPrunePostings): their scores are then those of whole groups to the
// bit.
func splitGroup(g group) (hi, lo group, ok bool) {
	if g.direct || g.marking || len(g.members) < 2 {
		return group{}, group{}, false
	}
	for _, m := range g.members {
		part := &lo
		if m.bound() > g.bound/2 {
			part = &hi
		}
		part.members = append(part.members, m)
		part.bound = max(part.bound, m.bound())
	}
	if len(lo.members) == 0 || lo.postings() <= 2*hi.postings() {
		return group{}, group{}, false
	}
	hi.direct = len(hi.members) == 1 && hi.members[0].lists.oneField()
	lo.over = hi.members
	return hi, lo, true
}

// read yields the members whose postings scoring the group or looking it
// up reads: its own, then, for a group over others (see splitGroup),
// theirs.
func (g *group) read(yield func(member) bool) {
	for _, ms := range [2][]member{g.members, g.over} {
		for _, m := range ms {
			if !yield(m) {
				return
			}
		}
	}
}

// postings counts the postings the group reads (see read).
func (g *group) postings() float64 {
	n := 0.0
	for m := range g.read {
		n += float64(m.lists.body.df + m.lists.title.df)
	}
	return n
}

// bound is the most the member adds to a passage's score.
func (m member) bound() float64 {
	return (m.wb*m.lists.body.maxRatio + m.wt*m.lists.title.maxRatio) * (1 + 1e-9)
}

// groupScorer scores groups into an accumulator, with the scratch
// accumulators of groups of several terms.
type groupScorer struct {
	ix              *Index
	best, one, over *accumulator
}

func (ix *Index) newGroupScorer() *groupScorer { return &groupScorer{ix: ix} }

func (sc *groupScorer) release() {
	for _, a := range []*accumulator{sc.best, sc.one, sc.over} {
		if a != nil {
			a.reset()
			sc.ix.accPool.Put(a)
		}
	}
}

// score adds the group's score in every passage holding one of its terms
// to acc; when the group marks, it marks in mark the passages holding a
// term standing for the question.
func (sc *groupScorer) score(g *group, acc, mark *accumulator) {
	ix := sc.ix
	if g.direct {
		ix.scoreLists(g.members[0], acc, false)
		return
	}
	if sc.best == nil {
		sc.best, sc.one = ix.accPool.Get().(*accumulator), ix.accPool.Get().(*accumulator)
	}
	best := sc.best
	sc.bestOf(g.members, best, mark)
	// A group over others (see splitGroup) adds what its best exceeds
	// theirs by, their best worked out in the scratch accumulator over.
	var over []float64
	if g.over != nil {
		if sc.over == nil {
			sc.over = ix.accPool.Get().(*accumulator)
		}
		sc.bestOf(g.over, sc.over, nil)
		over = sc.over.scores
	}
	for _, p := range best.touched {
		d := best.scores[p]
		if over != nil {
			d -= over[p]
		}
		if d > 0 {
			acc.add(p, d)
		}
	}
	if sc.over != nil {
		sc.over.reset()
	}
	best.reset()
}

// bestOf sets each passage's score in best to the best of the members'
// values in it (a member's value being its body's plus its title's); it
// marks in mark the passages holding a member standing for the question.
func (sc *groupScorer) bestOf(members []member, best, mark *accumulator) {
	ix, one := sc.ix, sc.one
	for k, m := range members {
		switch {
		case k == 0:
			// The first term's scores are the best so far as they are:
			// scored into best at once, they need no pass through one.
			ix.scoreLists(m, best, false)
			if m.stands {
				for _, p := range best.touched {
					mark.raise(p, 1)
				}
			}
		case !m.stands && m.lists.oneField():
			// One value per passage: best can be raised to it straight.
			ix.scoreLists(m, best, true)
		default:
			ix.scoreLists(m, one, false)
			for _, p := range one.touched {
				best.raise(p, one.scores[p])
				if m.stands {
					mark.raise(p, 1)
				}
			}
			one.reset()
		}
	}
}

// lookUpGroup adds the group's score in each passage p of ps (ascending)
// to scores[p-base], as score would add it to an accumulator's, finding
// the passages in the members' postings. Groups that mark are never
// looked up.
func (ix *Index) lookUpGroup(g *group, ps []int32, scores []float64, base int32) {
	for m := range g.read {
		m.lists.body.sortByPos() // a no-op but on a list decoded for this search alone
		m.lists.title.sortByPos()
	}
	cursors := make([][2]int, len(g.members)+len(g.over)) // in body and title postings
	for _, p := range ps {
		if g.direct {
			body, title, inBody, inTitle := ix.valuesAt(g.members[0], &cursors[0], p)
			if inBody {
				scores[p-base] += body
			}
			if inTitle {
				scores[p-base] += title
			}
			continue
		}
		// As score: a member's value is its body's plus its title's, and
		// the group's the best of its members' (less the best of the
		// terms it is over, 0 for none).
		if d := ix.bestAt(g.members, cursors, p) - ix.bestAt(g.over, cursors[len(g.members):], p); d > 0 {
			scores[p-base] += d
		}
	}
}

// bestAt returns the best of the members' values in passage p, seeking it
// from their cursors on.
func (ix *Index) bestAt(members []member, cursors [][2]int, p int32) float64 {
	var best float64
	for j, m := range members {
		body, title, _, inTitle := ix.valuesAt(m, &cursors[j], p)
		v := body
		if inTitle {
			v += title
		}
		best = max(best, v)
	}
	return best
}

// valuesAt returns the member's contributions to passage p's score in its
// body and title, and whether it holds the term there, seeking p from the
// cursors on.
func (ix *Index) valuesAt(m member, cursors *[2]int, p int32) (body, title float64, inBody, inTitle bool) {
	if tf, ok := m.lists.body.seek(&cursors[0], p); ok {
		body, inBody = bodyScore(m.wb, float64(tf), ix.lengthNorm[p]), true
	}
	if tf, ok := m.lists.title.seek(&cursors[1], p); ok {
		title, inTitle = titleScore(m.wt, float64(tf), ix.opts.K1), true
	}
	return body, title, inBody, inTitle
}

// bodyScore and titleScore are a term's BM25 contribution in a passage's
// body, of length normalization norm, and in its title; w is from
// termWeights.
func bodyScore(w, tf, norm float64) float64 { return w * tf / (tf + norm) }
func titleScore(w, tf, k1 float64) float64  { return w * tf / (tf + k1) }

// termWeights returns what a term's BM25 contributions in passage bodies
// and in titles are multiplied by: its weight in the query, its IDF in
// the field, its count in the query and k1+1.
func (ix *Index) termWeights(ls termLists, qt *queryTerm) (body, title float64) {
	k1 := ix.opts.K1
	body = qt.weight * idf(ix.n, float64(ls.body.df)) * float64(qt.qtf) * (k1 + 1)
	title = qt.weight * idf(ix.n, float64(ls.title.df)) * float64(qt.qtf) * (k1 + 1)
	return body, title
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

// scoreLists adds to acc (raises it to, when raise is set) a term's BM25
// contribution in each passage body and title holding it. In bodies:
//
//	idf * tf*(k1+1) / (tf + k1*(1 - b + b*dl/avgdl))
//
// with dl the passage's analyzed body length, recorded at build time; in
// the titles of passages whose body leaves the title out, which are short
// and alike in length, without length normalization (dl = avgdl). Raising
// is only for a term held in one of the two fields: its contribution is
// then the one value.
func (ix *Index) scoreLists(m member, acc *accumulator, raise bool) {
	k1, norm := ix.opts.K1, ix.lengthNorm
	if l := m.lists.body; l.df > 0 {
		if raise {
			for i, pos := range l.pos {
				acc.raise(pos, bodyScore(m.wb, float64(l.tf[i]), norm[pos]))
			}
		} else {
			for i, pos := range l.pos {
				acc.add(pos, bodyScore(m.wb, float64(l.tf[i]), norm[pos]))
			}
		}
	}
	if l := m.lists.title; l.df > 0 {
		if raise {
			for i, pos := range l.pos {
				acc.raise(pos, titleScore(m.wt, float64(l.tf[i]), k1))
			}
		} else {
			for i, pos := range l.pos {
				acc.add(pos, titleScore(m.wt, float64(l.tf[i]), k1))
			}
		}
	}
}

// oneField reports whether the term is held in passage bodies or in
// titles, not both: it then has one value per passage.
func (ls termLists) oneField() bool { return ls.body.df == 0 || ls.title.df == 0 }

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
