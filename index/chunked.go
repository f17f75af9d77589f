package index

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// A search reading many postings (a question with related words at a
// million passages reads five million) is scored a chunk of passages at a
// time (rankChunked): every group's postings in the chunk, then the
// next chunk. The scores of a chunk fit the processor's cache, which the
// accumulators of a whole corpus (8 MB each at a million passages) do not:
// scoring term at a time over the whole corpus cost 30 to 80 ns a posting
// there, most of it waiting for memory. It also gives pruning its true
// floor: the k-th best score of the chunks done, not an estimate from a
// sample of the passages scored.

// chunkBits: rankChunked scores 1<<chunkBits passages at a time, four
// scratch arrays of 256 KB.
const chunkBits = 15

// chunkedShare: a search is scored in chunks when it reads at least one
// posting per chunkedShare passages (and minPrune postings), since every
// chunk's scores are swept for the top k whether or not it holds one.
const chunkedShare = 16

// chunkSample: lookUpChunk estimates the passages in the running from
// every chunkSample-th.
const chunkSample = 16

// chunkScratch is a chunk's score arrays, zero between uses, and what
// scoring needs of the index.
type chunkScratch struct {
	acc, best, one, over []float64
	// mark is set for the passages holding a term standing for a
	// follow-up question (see standsForQuestion), when the search marks.
	mark []bool
	norm []float64 // the index's lengthNorm
	k1   float64
}

func newChunkScratch(bits uint) *chunkScratch {
	a := make([]float64, 4<<bits)
	n := 1 << bits
	return &chunkScratch{acc: a[:n:n], best: a[n : 2*n : 2*n], one: a[2*n : 3*n : 3*n], over: a[3*n:], mark: make([]bool, n)}
}

// chunked reports whether rankTop scores the groups in chunks: the search
// reads enough postings and every list is sorted by passage (the postings
// file's are; bleve's are once cached).
func (ix *Index) chunked(groups []group, postings float64) bool {
	if ix.exhaustive || postings < ix.minPrune || postings*chunkedShare < ix.n {
		return false
	}
	for _, g := range groups {
		for m := range g.read {
			if !m.lists.body.sorted || !m.lists.title.sorted {
				return false
			}
		}
	}
	return true
}

// span is the part of a list in one chunk.
type span struct {
	pos []int32
	tf  []float32
}

// chunkMember is a group member's lists and their parts in the chunk.
type chunkMember struct {
	member
	at          [2]int // where the body and title parts of the next chunk start
	body, title span
}

// next cuts the member's lists' parts of the chunk ending before hi.
func (m *chunkMember) next(hi int32) {
	for f, l := range [2]*postingList{m.lists.body, m.lists.title} {
		start := m.at[f]
		end := gallop(l.pos, start, hi)
		s := span{pos: l.pos[start:end], tf: l.tf[start:end]}
		if f == 0 {
			m.body = s
		} else {
			m.title = s
		}
		m.at[f] = end
	}
}

// chunkGroup is a group's members and over-members (see group.over) in
// chunks.
type chunkGroup struct {
	g             *group
	members, over []chunkMember
}

// postings counts the group's postings in the chunk.
func (g *chunkGroup) postings() int {
	n := 0
	for _, ms := range [2][]chunkMember{g.members, g.over} {
		for _, m := range ms {
			n += len(m.body.pos) + len(m.title.pos)
		}
	}
	return n
}

// rankChunked is rankTop for a search rankTop.chunked accepts: the same top
// k, every passage's score summed in the same order. Within a chunk,
// groups are scored most valuable first, as rankTop scores them; once the
// groups left could not lift a passage none has scored yet above the k-th
// best of the chunks done, they are looked up in their postings for the
// chunk's passages still in the running, when that costs less than
// reading their postings in the chunk.
//
// A search that marks (a follow-up question) is not pruned, as rankTop
// does not prune one: its passages holding a word of the question itself
// rank ahead of all others (tier 1).
func (ix *Index) rankChunked(ctx context.Context, groups []group, left []float64, weights roleWeights, k int, marks bool) (topK, error) {
	ix.chunkedRanks.Add(1)
	maxWeight := slices.Max(weights[:])
	size := int32(1) << ix.chunkBits
	sc := ix.chunkPool.Get().(*chunkScratch)
	// The scratch goes back to the pool clean, at a chunk's end: a search
	// stopped within one (a fault reading the postings file, see
	// rankMapped) leaves it to the collector, not to the next search.
	sc.norm, sc.k1 = ix.lengthNorm, ix.opts.K1
	cgs := make([]chunkGroup, len(groups))
	for i := range groups {
		cg := &cgs[i]
		cg.g = &groups[i]
		for _, m := range groups[i].members {
			cg.members = append(cg.members, chunkMember{member: m})
		}
		for _, m := range groups[i].over {
			cg.over = append(cg.over, chunkMember{member: m})
		}
	}
	h := make(topK, 0, min(k, len(ix.flat)))
	var candidates []int32
	pruned := false
	n := int32(len(ix.flat))
	for lo := int32(0); lo < n; lo += size {
		if err := ctx.Err(); err != nil {
			ix.chunkPool.Put(sc)
			return nil, fmt.Errorf("search: %w", err)
		}
		hi := min(lo+size, n)
		for i := range cgs {
			for j := range cgs[i].members {
				cgs[i].members[j].next(hi)
			}
			for j := range cgs[i].over {
				cgs[i].over[j].next(hi)
			}
		}
		acc := sc.acc[:hi-lo]
		theta := 0.0 // the k-th best weighted score so far, once there are k
		if len(h) == k && !marks {
			theta = h[0].score * (1 - 1e-9)
		}
		candidates = candidates[:0]
		scoredAll := true
		for i := range cgs {
			if theta > 0 && i > 0 && left[i]*maxWeight*(1+1e-9) < theta && ix.lookUpChunk(cgs[i:], left[i:], acc, lo, weights, theta, &candidates) {
				scoredAll = false
				pruned = true
				break
			}
			sc.score(&cgs[i], lo)
		}
		if scoredAll {
			mark := sc.mark[:hi-lo]
			for j, s := range acc {
				if s == 0 {
					continue
				}
				var tier int8
				if mark[j] {
					tier = 1
				}
				// A score below the k-th best at the highest weight, in
				// the same tier, would not be taken.
				if len(h) < k || tier > h[0].tier || s*maxWeight >= h[0].score {
					p := lo + int32(j)
					h.offer(scored{pos: p, score: s * weights[ix.roles[p]], tier: tier}, k)
				}
			}
			clear(mark)
		} else {
			for _, p := range candidates {
				h.offer(scored{pos: p, score: acc[p-lo] * weights[ix.roles[p]]}, k)
			}
		}
		clear(acc)
	}
	if pruned {
		ix.prunes.Add(1)
	}
	ix.chunkPool.Put(sc)
	return h, nil
}

// lookUpChunk finishes a chunk whose groups gs are left, of bounds left,
// by looking them up in the passages that can still reach theta, and
// reports whether it did: not when that costs more than scoring them.
// candidates ends holding the passages still in the running.
func (ix *Index) lookUpChunk(gs []chunkGroup, left []float64, acc []float64, lo int32, weights roleWeights, theta float64, candidates *[]int32) bool {
	in := func(p int32, l float64) bool {
		return (acc[p-lo]+l)*weights[ix.roles[p]]*(1+1e-9) >= theta
	}
	// How many are in the running, from every chunkSample-th passage and
	// the highest role weight: a pass over them all costs as much as
	// scoring a group in the chunk, and most attempts fail.
	maxWeight, count := slices.Max(weights[:]), 0
	need := theta/(maxWeight*(1+1e-9)) - left[0]
	for j := 0; j < len(acc); j += chunkSample {
		if acc[j] != 0 && acc[j] >= need {
			count += chunkSample
		}
	}
	postings, cost := 0, 0.0
	for i := range gs {
		postings += gs[i].postings()
		for _, ms := range [2][]chunkMember{gs[i].members, gs[i].over} {
			for _, m := range ms {
				cost += lookUpCostIn(uint64(len(m.body.pos)), float64(count)) + lookUpCostIn(uint64(len(m.title.pos)), float64(count))
			}
		}
	}
	if cost >= float64(postings) {
		return false
	}
	cs := (*candidates)[:0]
	for j, s := range acc {
		// need rules out most at once: at the highest weight.
		if s != 0 && s >= need && in(lo+int32(j), left[0]) {
			cs = append(cs, lo+int32(j))
		}
	}
	for i := range gs {
		ix.lookUpGroup(gs[i].g, cs, acc, lo)
		keep := cs[:0]
		for _, p := range cs {
			if in(p, left[i+1]) {
				keep = append(keep, p)
			}
		}
		cs = keep
	}
	*candidates = cs
	return true
}

// score adds the group's score in every passage of the chunk from lo
// holding one of its terms to the chunk's acc, as groupScorer.score adds
// it to a whole corpus's.
func (sc *chunkScratch) score(g *chunkGroup, lo int32) {
	if g.g.direct {
		m := &g.members[0]
		sc.add(sc.acc, m, lo)
		return
	}
	sc.bestOf(g.members, sc.best, lo)
	if g.over != nil {
		sc.bestOf(g.over, sc.over, lo)
	}
	// Every passage holding a member is met once or twice (body, title)
	// here: the first time adds what its best exceeds the over-members'
	// best by (0 for none) and clears best, so that the second adds
	// nothing.
	acc, best, over := sc.acc, sc.best, sc.over
	for _, m := range g.members {
		for _, s := range [2]span{m.body, m.title} {
			for _, p := range s.pos {
				j := p - lo
				if b := best[j]; b != 0 {
					if d := b - over[j]; d > 0 {
						acc[j] += d
					}
					best[j] = 0
				}
			}
		}
	}
	for _, m := range g.over {
		for _, s := range [2]span{m.body, m.title} {
			for _, p := range s.pos {
				over[p-lo] = 0
			}
		}
	}
}

// bestOf sets each passage's entry in best to the best of the members'
// values in it, as groupScorer.bestOf does.
func (sc *chunkScratch) bestOf(members []chunkMember, best []float64, lo int32) {
	for k := range members {
		m := &members[k]
		switch {
		case k == 0:
			sc.add(best, m, lo)
			if m.stands {
				for _, s := range [2]span{m.body, m.title} {
					for _, p := range s.pos {
						sc.mark[p-lo] = true
					}
				}
			}
		case !m.stands && m.lists.oneField():
			sc.raise(best, m, lo)
		default:
			one := sc.one
			sc.add(one, m, lo)
			for _, s := range [2]span{m.body, m.title} {
				for _, p := range s.pos {
					j := p - lo
					if v := one[j]; v != 0 {
						if v > best[j] {
							best[j] = v
						}
						if m.stands {
							sc.mark[j] = true
						}
						one[j] = 0
					}
				}
			}
		}
	}
}

// add adds the member's contributions in the chunk's bodies, then titles,
// to dst.
func (sc *chunkScratch) add(dst []float64, m *chunkMember, lo int32) {
	norm := sc.norm
	for i, p := range m.body.pos {
		dst[p-lo] += bodyScore(m.wb, float64(m.body.tf[i]), norm[p])
	}
	for i, p := range m.title.pos {
		dst[p-lo] += titleScore(m.wt, float64(m.title.tf[i]), sc.k1)
	}
}

// raise raises dst to the member's contributions, for a member held in
// one field.
func (sc *chunkScratch) raise(dst []float64, m *chunkMember, lo int32) {
	norm := sc.norm
	for i, p := range m.body.pos {
		if v := bodyScore(m.wb, float64(m.body.tf[i]), norm[p]); v > dst[p-lo] {
			dst[p-lo] = v
		}
	}
	for i, p := range m.title.pos {
		if v := titleScore(m.wt, float64(m.title.tf[i]), sc.k1); v > dst[p-lo] {
			dst[p-lo] = v
		}
	}
}

// setChunkBits sets the chunks' size, for Open and tests.
func (ix *Index) setChunkBits(bits uint) {
	ix.chunkBits = bits
	ix.chunkPool = sync.Pool{New: func() any { return newChunkScratch(bits) }}
}
