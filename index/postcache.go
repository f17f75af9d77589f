package index

import (
	"context"
	"sync"
	"sync/atomic"

	bindex "github.com/blevesearch/bleve_index_api"
)

// DefaultPostingsCache is the default of Options.PostingsCache.
const DefaultPostingsCache = 64 << 20

// postingBytes is what one cached posting costs: its position in flat and
// its term frequency.
const postingBytes = 8

// postingList is a term's postings in a field, decoded: the positions in
// flat of the served passages holding it, with the term's frequency in
// each, and its document frequency.
type postingList struct {
	pos []int32
	tf  []float32
	df  uint64
}

// postingsCache keeps terms' postings decoded, so that a term met again is
// scored from two arrays instead of through bleve's dictionary and
// iterators, which decode every posting again: the questions asked of one
// corpus share most of their words, and most of their related words. The
// index never changes, so a list never goes stale; lists are admitted
// while the budget (Options.PostingsCache) has room and are never evicted
// (a rebuild brings a new index, and a new cache).
type postingsCache struct {
	lists  sync.Map // field + "\x00" + term -> *postingList
	used   atomic.Int64
	budget int64
}

// termPostings reads the postings of term in field: it calls with with the
// term's document frequency among the served passages, then the function
// with returns (if not nil) with the position in flat and the term
// frequency of every served passage holding it. It returns the document
// frequency, which it records in the field's cache of them (dfCache,
// titleDFCache) when it reads the postings from bleve.
func (ix *Index) termPostings(ctx context.Context, rs []bindex.IndexReader, field, term string, with func(df uint64) func(pos int32, tf float64)) (uint64, error) {
	key := field + "\x00" + term
	if v, ok := ix.postCache.lists.Load(key); ok {
		l := v.(*postingList)
		if f := with(l.df); f != nil {
			for i, p := range l.pos {
				f(p, float64(l.tf[i]))
			}
		}
		return l.df, nil
	}
	tfrs, df, err := ix.postings(ctx, rs, field, term, true)
	if err != nil {
		return 0, err
	}
	defer closePostings(tfrs)
	if field == fieldDocTitle {
		ix.titleDFCache.Store(term, df)
	} else {
		ix.dfCache.Store(term, df)
	}
	f := with(df)
	if f == nil {
		f = func(int32, float64) {}
	}
	size := int64(df) * postingBytes
	if ix.postCache.used.Add(size) > ix.postCache.budget {
		ix.postCache.used.Add(-size)
		return df, ix.eachPosting(tfrs, f)
	}
	l := &postingList{pos: make([]int32, 0, df), tf: make([]float32, 0, df), df: df}
	if err := ix.eachPosting(tfrs, func(pos int32, tf float64) {
		l.pos = append(l.pos, pos)
		l.tf = append(l.tf, float32(tf))
		f(pos, tf)
	}); err != nil {
		ix.postCache.used.Add(-size)
		return 0, err
	}
	if _, loaded := ix.postCache.lists.LoadOrStore(key, l); loaded {
		ix.postCache.used.Add(-size) // a concurrent search stored it first
	}
	return df, nil
}
