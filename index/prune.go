package index

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	bindex "github.com/blevesearch/bleve_index_api"
)

// Pruned ranking: top-k BM25 by MaxScore, document at a time, giving the
// same hits, in the same order, with the same scores to the bit as
// scoring every passage (scoreGroups, term at a time).
//
// A passage's score is Σ_g v_g(p) times its role's weight, the groups g
// taken in the order scoreGroups takes them; v_g is a term's body plus
// title contribution for a group of one term, and the best of its terms'
// (body + title) for a group with related terms. Every v_g has an upper
// bound: the term's weight times the highest tf/(tf+norm) among its
// postings (worked out once per index and term, see termBound), and for a
// group the highest of its terms'. With the groups sorted by bound, those
// whose bounds together, times the highest role weight, fall short of the
// k-th best score so far cannot put a passage into the top k on their own:
// only the passages of the other groups ("essential") are candidates, and
// the rest are looked up (Advance) only for candidates that can still make
// it. Scores are summed in scoreGroups' order once all groups are known,
// so a passage scored here has the bits scoreGroups gives it; bounds carry
// a relative slack far above the rounding of a sum of a few dozen terms,
// so pruning never drops a passage that would enter the top k (a passage
// tying the k-th score on a better position included).
//
// Follow-ups (a mark accumulator, tiers) are ranked exhaustively.

// boundSlack is the relative margin on upper bounds that covers
// floating-point rounding (bounds summed in another order than scores).
const boundSlack = 1e-9

// maxCachedBounds bounds the terms an index keeps the bound of; past it,
// terms get the loose bound tf/(tf+norm) < 1.
const maxCachedBounds = 200_000

// termBound is, for one term, the highest tf/(tf+norm) among its postings
// in passage bodies (norm the passage's length part, see setLengths) and
// in titles (norm k1).
type termBound struct{ body, title float64 }

// boundTable caches termBounds for one index.
type boundTable struct {
	m sync.Map // term -> termBound
	n atomic.Int64
}

// termBound returns term's bound, from the index's cache or by reading
// its postings once.
func (ix *Index) termBound(ctx context.Context, bt *boundTable, rs []bindex.IndexReader, term string) (termBound, error) {
	if v, ok := bt.m.Load(term); ok {
		return v.(termBound), nil
	}
	if bt.n.Load() >= maxCachedBounds {
		return termBound{body: 1, title: 1}, nil
	}
	var tb termBound
	for _, field := range []string{fieldBody, fieldDocTitle} {
		tfrs, _, err := ix.postings(ctx, rs, field, term, true)
		if err != nil {
			return tb, fmt.Errorf("search: postings of %q: %w", term, err)
		}
		best := 0.0
		err = ix.eachPosting(tfrs, func(pos int32, tf float64) {
			norm := ix.opts.K1
			if field == fieldBody {
				norm = ix.lengthNorm[pos]
			}
			best = max(best, tf/(tf+norm))
		})
		closePostings(tfrs)
		if err != nil {
			return tb, fmt.Errorf("search: postings of %q: %w", term, err)
		}
		if field == fieldBody {
			tb.body = best
		} else {
			tb.title = best
		}
	}
	if _, loaded := bt.m.LoadOrStore(term, tb); !loaded {
		bt.n.Add(1)
	}
	return tb, nil
}

// docDone is a cursor's position past its last posting.
const docDone = math.MaxUint64

// cursor walks one term's postings in one field of one segment.
type cursor struct {
	tfrs  []bindex.TermFieldReader // per segment
	tfr   bindex.TermFieldReader   // the current segment's
	ord   []int32
	tfd   bindex.TermFieldDoc
	id    bindex.IndexInternalID
	doc   uint64 // internal number of the current posting, or docDone
	pos   int32  // its position in flat
	tf    float64
	w     float64
	title bool
	g     *pgroup
	m     int // the cursor's member in g
}

func (c *cursor) start(seg int, ord []int32) error {
	c.tfr, c.ord, c.doc = c.tfrs[seg], ord, 0
	return c.next()
}

// next moves to the next posting of a served passage.
func (c *cursor) next() error {
	for {
		d, err := c.tfr.Next(c.tfd.Reset())
		if err != nil {
			return err
		}
		if d == nil {
			c.doc = docDone
			return nil
		}
		if c.take(d) {
			return nil
		}
	}
}

// advance moves to the first posting of a served passage at or after
// target. It never moves back (bleve would start the postings over).
func (c *cursor) advance(target uint64) error {
	if c.doc >= target {
		return nil
	}
	c.id = bindex.NewIndexInternalID(c.id, target)
	d, err := c.tfr.Advance(c.id, c.tfd.Reset())
	if err != nil {
		return err
	}
	if d == nil {
		c.doc = docDone
		return nil
	}
	if c.take(d) {
		return nil
	}
	return c.next()
}

func (c *cursor) take(d *bindex.TermFieldDoc) bool {
	num := d.ID.Value()
	if num >= uint64(len(c.ord)) || c.ord[num] < 0 {
		return false // indexed in this segment but no longer served
	}
	c.doc, c.pos, c.tf = num, c.ord[num], float64(d.Freq)
	return true
}

// score is the cursor's contribution at its current posting, computed as
// scoreTerm and scoreTitle compute it.
func (ix *Index) score(c *cursor) float64 {
	if c.title {
		return c.w * c.tf / (c.tf + ix.opts.K1)
	}
	return c.w * c.tf / (c.tf + ix.lengthNorm[c.pos])
}

// pmember is one term of a group: its body and title cursors, nil where
// the term has no postings.
type pmember struct{ body, title *cursor }

// pgroup is one group of scoreGroups. For a group of one term, v1 and v2
// are its body and title contributions at the candidate, added one after
// the other as scoreOne adds them; otherwise v1 is the best of its
// terms' and v2 is 0. body and title hold the members' contributions at
// the candidate, when stamp is the candidate's number.
type pgroup struct {
	single      bool
	members     []pmember
	cursors     []*cursor
	ub          float64
	v1, v2      float64
	body, title []float64
	stamp       int
}

// settle sets v1 and v2 from the members' contributions (all 0 unless
// stamp is now) and clears those.
func (g *pgroup) settle(now int) {
	g.v1, g.v2 = 0, 0
	if g.stamp != now {
		return
	}
	g.stamp = -1
	for m := range g.body {
		b, t := g.body[m], g.title[m]
		g.body[m], g.title[m] = 0, 0
		if g.single {
			g.v1, g.v2 = b, t
			return
		}
		// As scoreGroups: 0 + body + title, the best kept.
		if v := 0 + b + t; v > g.v1 {
			g.v1 = v
		}
	}
}

// take records c's contribution at the candidate numbered now.
func (ix *Index) take(c *cursor, now int) {
	c.g.stamp = now
	if c.title {
		c.g.title[c.m] = ix.score(c)
	} else {
		c.g.body[c.m] = ix.score(c)
	}
}

// rankPruned returns the top k of the query's terms (a question on its
// own: no mark) by MaxScore; see the top of this file.
func (ix *Index) rankPruned(ctx context.Context, rs []bindex.IndexReader, terms []queryTerm, k int, weights roleWeights) (topK, error) {
	bt := &ix.bounds
	var groups []*pgroup
	var opened [][]bindex.TermFieldReader
	defer func() {
		for _, t := range opened {
			closePostings(t)
		}
	}()
	open := func(qt *queryTerm, field string) (*cursor, error) {
		tfrs, df, err := ix.postings(ctx, rs, field, qt.term, true)
		if err != nil {
			return nil, fmt.Errorf("search: postings of %q: %w", qt.term, err)
		}
		opened = append(opened, tfrs)
		w := 0.0
		if field == fieldBody {
			ix.dfCache.Store(qt.term, df)
			qt.idf = idf(ix.n, float64(df))
			w = qt.weight * qt.idf * float64(qt.qtf) * (ix.opts.K1 + 1)
		} else {
			ix.titleDFCache.Store(qt.term, df)
			if df > 0 {
				w = qt.weight * idf(ix.n, float64(df)) * float64(qt.qtf) * (ix.opts.K1 + 1)
			}
		}
		if df == 0 {
			return nil, nil
		}
		return &cursor{tfrs: tfrs, w: w, title: field == fieldDocTitle}, nil
	}
	done := make([]bool, len(terms))
	for i := range terms {
		if done[i] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		members := []int{i}
		if gr := terms[i].group; gr >= 0 {
			for j := i + 1; j < len(terms); j++ {
				if terms[j].group == gr {
					members = append(members, j)
				}
			}
		}
		g := &pgroup{single: len(members) == 1}
		for _, m := range members {
			done[m] = true
			qt := &terms[m]
			if !g.single && ix.absent(qt.term) {
				qt.idf = idf(ix.n, 0)
				continue
			}
			body, err := open(qt, fieldBody)
			if err != nil {
				return nil, err
			}
			title, err := open(qt, fieldDocTitle)
			if err != nil {
				return nil, err
			}
			if body == nil && title == nil {
				continue
			}
			tb, err := ix.termBound(ctx, bt, rs, qt.term)
			if err != nil {
				return nil, err
			}
			ub := 0.0
			for _, c := range []*cursor{body, title} {
				if c != nil {
					c.g, c.m = g, len(g.members)
				}
			}
			if body != nil {
				ub += body.w * tb.body
				g.cursors = append(g.cursors, body)
			}
			if title != nil {
				ub += title.w * tb.title
				g.cursors = append(g.cursors, title)
			}
			g.ub = max(g.ub, ub)
			g.members = append(g.members, pmember{body: body, title: title})
		}
		g.body, g.title = make([]float64, len(g.members)), make([]float64, len(g.members))
		g.stamp = -1
		groups = append(groups, g) // kept even when empty: the order of the sum
	}

	maxW := slices.Max(weights[:])
	// order: the groups by bound, lowest first; prefix[j] bounds the sum
	// of the first j.
	order := make([]*pgroup, 0, len(groups))
	for _, g := range groups {
		if len(g.cursors) > 0 {
			order = append(order, g)
		}
	}
	slices.SortStableFunc(order, func(a, b *pgroup) int {
		switch {
		case a.ub < b.ub:
			return -1
		case a.ub > b.ub:
			return 1
		}
		return 0
	})
	prefix := make([]float64, len(order)+1)
	for j, g := range order {
		prefix[j+1] = prefix[j] + g.ub
	}
	// below reports whether a passage whose raw score is at most raw
	// cannot enter the top k.
	h := make(topK, 0, k)
	below := func(raw float64) bool {
		return len(h) == k && raw*(1+boundSlack)*maxW < h[0].score
	}
	nonEss := 0 // order[:nonEss] are not essential
	var ess []*cursor
	now := 0
	for seg := range ix.segs {
		ord := ix.segs[seg].ord
		for _, g := range order {
			for _, c := range g.cursors {
				if err := c.start(seg, ord); err != nil {
					return nil, fmt.Errorf("search: %w", err)
				}
			}
		}
		split := -1 // nonEss when ess was listed
		for ; ; now++ {
			if now&1023 == 1023 {
				if err := ctx.Err(); err != nil {
					return nil, fmt.Errorf("search: %w", err)
				}
			}
			for nonEss < len(order) && below(prefix[nonEss+1]) {
				nonEss++
			}
			if split != nonEss {
				split = nonEss
				ess = ess[:0]
				for _, g := range order[nonEss:] {
					for _, c := range g.cursors {
						if c.doc != docDone {
							ess = append(ess, c)
						}
					}
				}
			}
			doc := uint64(docDone)
			for _, c := range ess {
				doc = min(doc, c.doc)
			}
			if doc == docDone {
				break
			}
			pos := ord[doc]
			for i := 0; i < len(ess); i++ {
				c := ess[i]
				if c.doc != doc {
					continue
				}
				ix.take(c, now)
				if err := c.next(); err != nil {
					return nil, fmt.Errorf("search: %w", err)
				}
				if c.doc == docDone {
					ess[i] = ess[len(ess)-1]
					ess = ess[:len(ess)-1]
					i--
				}
			}
			partial := 0.0
			for _, g := range order[nonEss:] {
				g.settle(now)
				partial += g.v1 + g.v2
			}
			skip := false
			for j := nonEss - 1; j >= 0; j-- {
				if below(partial + prefix[j+1]) {
					skip = true
					break
				}
				g := order[j]
				for _, c := range g.cursors {
					if err := c.advance(doc); err != nil {
						return nil, fmt.Errorf("search: %w", err)
					}
					if c.doc == doc {
						ix.take(c, now)
					}
				}
				g.settle(now)
				partial += g.v1 + g.v2
			}
			if skip {
				continue
			}
			// The score as scoreGroups sums it: group by group, in order.
			raw := 0.0
			for _, g := range groups {
				raw += g.v1
				raw += g.v2
			}
			c := scored{pos: pos, score: raw * weights[ix.roles[pos]]}
			if len(h) < k {
				heap.Push(&h, c)
			} else if worse(h[0], c) {
				h[0] = c
				heap.Fix(&h, 0)
			}
		}
	}
	return h, nil
}
