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
	body, title sync.Map // term -> *postingList, per field
	used        atomic.Int64
	budget      int64
}

// lists is the cache's map for field.
func (c *postingsCache) lists(field string) *sync.Map {
	if field == fieldDocTitle {
		return &c.title
	}
	return &c.body
}

// postingsOf returns the postings of term in field, decoded: from the
// cache, or read from bleve and admitted to the cache while its budget has
// room (a list that does not fit is decoded for this search only). Reading
// a body's postings from bleve records the term's document frequency in
// dfCache. Scoring then runs over two arrays, with no call per posting.
func (ix *Index) postingsOf(ctx context.Context, rs []bindex.IndexReader, field, term string) (*postingList, error) {
	lists := ix.postCache.lists(field)
	if v, ok := lists.Load(term); ok {
		return v.(*postingList), nil
	}
	tfrs, df, err := ix.postings(ctx, rs, field, term, true)
	if err != nil {
		return nil, err
	}
	defer closePostings(tfrs)
	if field == fieldBody {
		ix.dfCache.Store(term, df)
	}
	l := &postingList{pos: make([]int32, 0, df), tf: make([]float32, 0, df), df: df}
	if err := ix.eachPosting(tfrs, func(pos int32, tf float64) {
		l.pos = append(l.pos, pos)
		l.tf = append(l.tf, float32(tf))
	}); err != nil {
		return nil, err
	}
	size := int64(df) * postingBytes
	if ix.postCache.used.Add(size) > ix.postCache.budget {
		ix.postCache.used.Add(-size)
		return l, nil
	}
	if v, loaded := lists.LoadOrStore(term, l); loaded {
		ix.postCache.used.Add(-size) // a concurrent search stored it first
		return v.(*postingList), nil
	}
	return l, nil
}
