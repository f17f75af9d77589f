package index

import (
	"context"
	"log/slog"
	"math"
	"slices"
	"sync"

	bindex "github.com/blevesearch/bleve_index_api"
)

// DefaultPostingsCache is the default of Options.PostingsCache.
const DefaultPostingsCache = 64 << 20

// postingBytes is what one cached posting costs: its position in flat and
// its term frequency.
const postingBytes = 8

// mappedListBytes is what the cache counts for a list in the postings
// file: its header and map entry, not its postings.
const mappedListBytes = 128

// postingList is a term's postings in a field, decoded: the positions in
// flat of the served passages holding it, with the term's frequency in
// each, and its document frequency.
type postingList struct {
	pos []int32 // ascending when sorted
	tf  []float32
	df  uint64
	// sorted: pos ascends, as seek needs. Bleve yields postings in its
	// own order; a list is sorted before it is cached (so that searches
	// sharing it only read it), and one decoded for a single search only
	// when that search looks passages up in it (see sortByPos).
	sorted bool
	// maxRatio is the highest tf/(tf+norm) of the postings, norm being
	// the passage's length normalization in bodies and k1 in titles: a
	// term's contribution is its weights times that ratio.
	maxRatio float64
}

// seek returns the term's frequency in the passage at pos, if it holds
// it, looking from *cur on, and moves *cur to the first posting at or
// after pos: positions sought in ascending order are found by galloping
// from one to the next.
func (l *postingList) seek(cur *int, pos int32) (float32, bool) {
	i := gallop(l.pos, *cur, pos)
	*cur = i
	if i == len(l.pos) || l.pos[i] != pos {
		return 0, false
	}
	return l.tf[i], true
}

// gallop returns the index of the first of pos from start on that is not
// below p, pos ascending, by galloping from start and then a binary
// search: it reads memory near start, and costs the log of the distance
// gone, not of the list's length.
func gallop(pos []int32, start int, p int32) int {
	lo, hi, step := start, start, 1
	for hi < len(pos) && pos[hi] < p {
		lo = hi + 1
		hi += step
		step *= 2
	}
	i, _ := slices.BinarySearch(pos[lo:min(hi, len(pos))], p)
	return lo + i
}

// bound works out maxRatio: norm holds the passages' length
// normalizations for a body's postings, and is nil for a title's, whose
// normalization is k1.
func (l *postingList) bound(norm []float64, k1 float64) {
	for i, pos := range l.pos {
		tf, n := float64(l.tf[i]), k1
		if norm != nil {
			n = norm[pos]
		}
		l.maxRatio = max(l.maxRatio, tf/(tf+n))
	}
}

// sortByPos sorts the postings by position, in place: only a list no
// other search can see. Each posting is packed in one integer, position
// above frequency, for a sort without calls.
func (l *postingList) sortByPos() { l.sortByPosWith(nil) }

// sortByPosWith is sortByPos packing into keys, grown as needed and
// returned, for a caller that sorts many lists.
func (l *postingList) sortByPosWith(keys []uint64) []uint64 {
	if l.sorted {
		return keys
	}
	if !slices.IsSorted(l.pos) {
		keys = slices.Grow(keys[:0], len(l.pos))[:len(l.pos)]
		for i, p := range l.pos {
			keys[i] = uint64(uint32(p))<<32 | uint64(math.Float32bits(l.tf[i]))
		}
		slices.Sort(keys)
		for i, k := range keys {
			l.pos[i], l.tf[i] = int32(k>>32), math.Float32frombits(uint32(k))
		}
	}
	l.sorted = true
	return keys
}

// postingsCache keeps terms' postings decoded, so that a term met again is
// scored from two arrays instead of through bleve's dictionary and
// iterators, which decode every posting again: the questions asked of one
// corpus share most of their words, and most of their related words. The
// index never changes, so a list never goes stale; lists are admitted
// while the budget (Options.PostingsCache) has room and are never evicted
// (a rebuild brings a new index, and a new cache).
//
// The lists sit in maps behind a read-write lock, not in sync.Maps: a
// search reads two lists per term, nearly always kept, and a sync.Map's
// trie costs a chain of cache misses per read.
type postingsCache struct {
	mu          sync.RWMutex
	body, title map[string]*postingList // per field; used counts their bytes
	used        int64
	budget      int64
}

// get returns the kept postings of term in field.
func (c *postingsCache) get(field, term string) (*postingList, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	l, ok := (*c.lists(field))[term]
	return l, ok
}

// keep keeps l as term's postings in field, counting size bytes, while the
// budget has room and returns the list to search: the one a concurrent
// search kept first, or l, kept or (when the budget has no room) not.
func (c *postingsCache) keep(field, term string, l *postingList, size int64) *postingList {
	c.mu.Lock()
	defer c.mu.Unlock()
	lists := c.lists(field)
	if have, ok := (*lists)[term]; ok {
		return have
	}
	if c.used+size > c.budget {
		return l
	}
	if *lists == nil {
		*lists = make(map[string]*postingList)
	}
	(*lists)[term] = l
	c.used += size
	return l
}

// fits reports whether size bytes more fit the budget now.
func (c *postingsCache) fits(size int64) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.used+size <= c.budget
}

// usedBytes is what the kept lists take.
func (c *postingsCache) usedBytes() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.used
}

// lists is the cache's map for field (held under c.mu).
func (c *postingsCache) lists(field string) *map[string]*postingList {
	if field == fieldDocTitle {
		return &c.title
	}
	return &c.body
}

// postingsOf returns the postings of term in field, decoded: in place in
// the build's postings file when it has one (see postFile), else from the
// cache, or read from bleve and admitted to the cache while its budget has
// room (a list that does not fit is decoded for this search only). The
// first reading of a body's postings records the term's document frequency
// in dfCache. Scoring then runs over two arrays, with no call per posting.
func (ix *Index) postingsOf(ctx context.Context, rs []bindex.IndexReader, field, term string) (*postingList, error) {
	if l, ok := ix.postCache.get(field, term); ok {
		return l, nil
	}
	if ix.posts != nil {
		l, err := ix.posts.list(field, term)
		if err == nil {
			if field == fieldBody {
				ix.dfCache.Store(term, l.df)
			}
			// Kept too, as a reference into the file: a term met
			// again is a map look-up, not a search of the file's terms.
			return ix.postCache.keep(field, term, l, mappedListBytes), nil
		}
		// A damaged list costs speed, not answers: bleve's postings serve.
		slog.Warn("index postings file damaged; reading the list from the index", "dir", ix.dir, "error", err)
	}
	l := &postingList{}
	if err := ix.decodeList(ctx, rs, field, term, l); err != nil {
		return nil, err
	}
	df := l.df
	if field == fieldBody {
		ix.dfCache.Store(term, df)
	}
	// Sorted before it is offered: a kept list is read by concurrent
	// searches. One that is not kept is this search's alone, sorted if
	// it needs to be.
	if !ix.postCache.fits(int64(df) * postingBytes) {
		return l, nil
	}
	l.sortByPos()
	return ix.postCache.keep(field, term, l, int64(df)*postingBytes), nil
}

// decodeList reads term's postings in field from bleve into l, reusing its
// arrays, with their bound; in bleve's order, not sorted.
func (ix *Index) decodeList(ctx context.Context, rs []bindex.IndexReader, field, term string, l *postingList) error {
	tfrs, df, err := ix.postings(ctx, rs, field, term, true)
	if err != nil {
		return err
	}
	defer closePostings(tfrs)
	*l = postingList{pos: slices.Grow(l.pos[:0], int(df)), tf: slices.Grow(l.tf[:0], int(df)), df: df}
	if err := ix.eachPosting(tfrs, func(pos int32, tf float64) {
		l.pos = append(l.pos, pos)
		l.tf = append(l.tf, float32(tf))
	}); err != nil {
		return err
	}
	if field == fieldDocTitle {
		l.bound(nil, ix.opts.K1)
	} else {
		l.bound(ix.lengthNorm, 0)
	}
	return nil
}
