package thesaurus

import (
	"math/bits"
	"slices"
	"strings"
)

// The embedded tables are sorted text, searched where they lie: nothing is
// decompressed or indexed at start, so the first question pays a few binary
// searches instead of decoding 11 MB into maps (150 ms, 15 MB). A lookup
// bisects the bytes of the text and steps back to the start of the line it
// lands in, so no table of line offsets is needed either.

// sortedLines is a table of lines sorted by their key, after a header of
// "#" comment lines. keyed says how the key of a line is found: with
// kinds, a line is "<kind byte>\t<key>\t..." (related.txt); without, it is
// "<key>\t..." (neighbours.txt).
type sortedLines struct {
	text  string // the data lines, header removed, each ending in "\n"
	kinds bool
	// marks are the first line starting in each sampleBytes of text, in
	// order: a lookup bisects them first, then the bytes between two.
	marks []mark
}

// mark is a line start and its key.
type mark struct {
	at   int
	kind byte
	key  string
}

// sampleBytes spaces the marks: 11 MB of tables give 2.8k marks, found in
// about 0.3 ms at first use (a page fault each), and leave a few dozen
// lines to bisect.
const sampleBytes = 4096

func newSortedLines(text string, kinds bool) sortedLines {
	for strings.HasPrefix(text, "#") {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			text = ""
			break
		}
		text = text[i+1:]
	}
	s := sortedLines{text: text, kinds: kinds}
	s.marks = make([]mark, 0, len(text)/sampleBytes+1)
	for b := 0; b < len(text); b += sampleBytes {
		at := b // the first line start at or after b
		if b > 0 {
			j := strings.IndexByte(text[b-1:], '\n')
			if j < 0 || b+j >= len(text) {
				break
			}
			at = b + j
		}
		if n := len(s.marks); n > 0 && s.marks[n-1].at == at {
			continue // a line longer than sampleBytes
		}
		line, _, _ := s.lineAt(at, at)
		k, key, _ := s.split(line)
		s.marks = append(s.marks, mark{at, k, key})
	}
	return s
}

// split returns the kind (0 without kinds), key and the rest of a line
// (after the tab that ends the key; "" when there is none).
func (s sortedLines) split(line string) (kind byte, key, rest string) {
	if s.kinds {
		if len(line) < 2 || line[1] != '\t' {
			return 0, line, "" // not written by the generator: sorts first
		}
		kind, line = line[0], line[2:]
	}
	key, rest, _ = strings.Cut(line, "\t")
	return kind, key, rest
}

// compare orders a line against (kind, key) as sorting whole lines does:
// keys hold no byte below the tab.
func (s sortedLines) compare(line string, kind byte, key string) int {
	k, lk, _ := s.split(line)
	switch {
	case k < kind:
		return -1
	case k > kind:
		return 1
	}
	return strings.Compare(lk, key)
}

func cmpMark(a, b mark) int {
	switch {
	case a.kind < b.kind:
		return -1
	case a.kind > b.kind:
		return 1
	}
	return strings.Compare(a.key, b.key)
}

// lineAt returns the line that contains byte i, and where it starts and
// where the next one starts.
func (s sortedLines) lineAt(lo, i int) (line string, start, next int) {
	start = lo + strings.LastIndexByte(s.text[lo:i], '\n') + 1
	end := strings.IndexByte(s.text[start:], '\n')
	if end < 0 {
		return s.text[start:], start, len(s.text)
	}
	return s.text[start : start+end], start, start + end + 1
}

// lowerBound returns the offset of the first line not ordered before
// (kind, key), or len(text). Each step looks at the first line that starts
// at or after the middle of the range (found with IndexByte, which is
// vectorised, unlike a backward scan), or at the range's first line when
// none does.
func (s sortedLines) lowerBound(kind byte, key string) int {
	lo, hi := 0, len(s.text) // both at line starts
	// The first mark not before the key bounds the range above; the one
	// before it, below.
	if m, _ := slices.BinarySearchFunc(s.marks, mark{kind: kind, key: key}, cmpMark); m < len(s.marks) {
		hi = s.marks[m].at
		if m > 0 {
			lo = s.marks[m-1].at
		}
	} else if m > 0 {
		lo = s.marks[m-1].at
	}
	for lo < hi {
		at := lo
		if mid := lo + (hi-lo)/2; mid > lo {
			if j := strings.IndexByte(s.text[mid-1:hi], '\n'); j >= 0 && mid+j < hi {
				at = mid + j
			}
		}
		line, _, next := s.lineAt(at, at)
		if s.compare(line, kind, key) < 0 {
			lo = next
		} else {
			hi = at
		}
	}
	return lo
}

// find returns what follows the key in its line.
func (s sortedLines) find(kind byte, key string) (string, bool) {
	i := s.lowerBound(kind, key)
	if i >= len(s.text) {
		return "", false
	}
	line, _, _ := s.lineAt(i, i)
	k, lk, rest := s.split(line)
	if k != kind || lk != key {
		return "", false
	}
	return rest, true
}

// sortedTable is the table as the generators wrote it.
type sortedTable struct {
	rel sortedLines // "r\t<lemma>\t<pos>\t<related>" and "x\t<form>\t<bases>"
	nb  sortedLines // "<word>\t<neighbour>|<pct>..."
}

func (t sortedTable) entry(key string) (entry, bool) {
	rest, ok := t.rel.find('r', key)
	if !ok {
		return entry{}, false
	}
	posField, enc, ok := strings.Cut(rest, "\t")
	if !ok || enc == "" {
		return entry{}, false
	}
	return entry{pos: parsePOS(posField), enc: enc}, true
}

func (t sortedTable) bases(form string) string {
	rest, _ := t.rel.find('x', form)
	return rest
}

func (t sortedTable) neighbours(word string) (string, bool) {
	rest, ok := t.nb.find(0, word)
	return rest, ok && rest != ""
}

// firstLengths sets bit n for each multiword lemma of n words (n < 32) that
// starts with word: they are the lines whose key begins with word and a
// space, which sort together. A phrase is no first word: 0.
func (t sortedTable) firstLengths(word string) uint32 {
	if word == "" || strings.Contains(word, " ") {
		return 0
	}
	prefix := word + " "
	var lengths uint32
	for i := t.rel.lowerBound('r', prefix); i < len(t.rel.text); {
		line, _, next := t.rel.lineAt(i, i)
		k, key, _ := t.rel.split(line)
		if k != 'r' || !strings.HasPrefix(key, prefix) {
			break
		}
		if words := strings.Count(key, " ") + 1; words < 32 {
			lengths |= 1 << words
		}
		i = next
	}
	return lengths
}

// longest is the number of words of the longest lemma in lengths.
func longest(lengths uint32) int { return bits.Len32(lengths) - 1 }
