package thesaurus

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
)

// mapTable is the table as it was read before it was searched in place:
// every line parsed into maps at start (the former parseTable and
// parseNeighbours, without the gzip). The tests check that the sorted text
// answers exactly as these maps do.
type mapTable struct {
	rel   map[string]entry
	exc   map[string][]string
	first map[string]uint32
	nb    map[string]string
}

func (m *mapTable) entry(k string) (entry, bool) { e, ok := m.rel[k]; return e, ok }
func (m *mapTable) bases(f string) string        { return strings.Join(m.exc[f], "\t") }
func (m *mapTable) neighbours(w string) (string, bool) {
	enc, ok := m.nb[w]
	return enc, ok
}
func (m *mapTable) firstLengths(w string) uint32 { return m.first[w] }

func parseMapTable(related, neighbours string) (*mapTable, error) {
	m := &mapTable{rel: map[string]entry{}, exc: map[string][]string{}, first: map[string]uint32{}, nb: map[string]string{}}
	for n, line := range dataLines(related) {
		kind, rest, ok1 := strings.Cut(line, "\t")
		key, val, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 || key == "" || val == "" {
			return nil, fmt.Errorf("related line %d: want kind, key and values", n)
		}
		switch kind {
		case "r":
			posField, enc, ok := strings.Cut(val, "\t")
			if !ok || enc == "" {
				return nil, fmt.Errorf("related line %d: want parts of speech and related phrases", n)
			}
			m.rel[key] = entry{pos: parsePOS(posField), enc: enc}
			if words := strings.Count(key, " ") + 1; words > 1 && words < 32 {
				fw, _, _ := strings.Cut(key, " ")
				m.first[fw] |= 1 << words
			}
		case "x":
			m.exc[key] = strings.Split(val, "\t")
		default:
			return nil, fmt.Errorf("related line %d: unknown record kind %q", n, kind)
		}
	}
	for n, line := range dataLines(neighbours) {
		word, enc, ok := strings.Cut(line, "\t")
		if !ok || word == "" || enc == "" {
			return nil, fmt.Errorf("neighbours line %d: want a word and its neighbours", n)
		}
		m.nb[word] = enc
	}
	return m, nil
}

// dataLines yields a table's lines with their 1-based numbers, skipping
// blank lines and "#" comments.
func dataLines(text string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for n := 1; text != ""; n++ {
			line := text
			if i := strings.IndexByte(text, '\n'); i >= 0 {
				line, text = text[:i], text[i+1:]
			} else {
				text = ""
			}
			if line == "" || line[0] == '#' {
				continue
			}
			if !yield(n, line) {
				return
			}
		}
	}
}

func embeddedMapTable(t testing.TB) *mapTable {
	t.Helper()
	m, err := parseMapTable(relatedTxt, neighboursTxt)
	if err != nil {
		t.Fatalf("parse embedded tables: %v", err)
	}
	return m
}

// The embedded tables must be what binary search needs: after the comment
// header, no blank or comment line, every line well formed, and the keys
// strictly increasing in the order sortedLines.compare uses.
func TestEmbeddedTablesSorted(t *testing.T) {
	for _, c := range []struct {
		name string
		s    sortedLines
	}{{"related.txt", get().data.(sortedTable).rel}, {"neighbours.txt", get().data.(sortedTable).nb}} {
		if !strings.HasSuffix(c.s.text, "\n") {
			t.Errorf("%s does not end in a newline", c.name)
		}
		var prevKind byte
		prevKey, n := "", 0
		for line := range strings.Lines(c.s.text) {
			line = strings.TrimSuffix(line, "\n")
			n++
			if line == "" || line[0] == '#' {
				t.Fatalf("%s data line %d is blank or a comment: %q", c.name, n, line)
			}
			kind, key, rest := c.s.split(line)
			if key == "" || rest == "" || (c.s.kinds && kind != 'r' && kind != 'x') {
				t.Fatalf("%s data line %d malformed: %q", c.name, n, line)
			}
			if n > 1 && !(prevKind < kind || prevKind == kind && prevKey < key) {
				t.Fatalf("%s data line %d: key %q not after %q", c.name, n, key, prevKey)
			}
			prevKind, prevKey = kind, key
		}
		if n < 30000 {
			t.Errorf("%s has %d data lines", c.name, n)
		}
	}
}

// Every key of both tables, and inflections and phrases around them, must
// be answered by the sorted text exactly as by the maps the tables used to
// be parsed into, through every lookup the package makes and through
// Lookup and Expand.
func TestSortedTableMatchesMaps(t *testing.T) {
	m := embeddedMapTable(t)
	s := get().data
	old := &table{data: m, stop: get().stop}
	cur := get()
	var keys []string
	for k := range m.rel {
		keys = append(keys, k)
	}
	for k := range m.exc {
		keys = append(keys, k)
	}
	for k := range m.nb {
		keys = append(keys, k)
	}
	if len(keys) < 140000 {
		t.Fatalf("only %d keys", len(keys))
	}
	short := testing.Short()
	for i, k := range keys {
		for _, q := range []string{k, k + "s", k + "ed", strings.ToUpper(k), "the " + k, k + " of state", k + " "} {
			se, sok := s.entry(q)
			me, mok := m.entry(q)
			if se != me || sok != mok {
				t.Fatalf("entry(%q) = %v %v, maps %v %v", q, se, sok, me, mok)
			}
			if sb, mb := s.bases(q), m.bases(q); sb != mb {
				t.Fatalf("bases(%q) = %q, maps %q", q, sb, mb)
			}
			sn, snok := s.neighbours(q)
			mn, mnok := m.neighbours(q)
			if sn != mn || snok != mnok {
				t.Fatalf("neighbours(%q) = %q %v, maps %q %v", q, sn, snok, mn, mnok)
			}
			if sf, mf := s.firstLengths(q), m.firstLengths(q); sf != mf {
				t.Fatalf("firstLengths(%q) = %b, maps %b", q, sf, mf)
			}
			if short && i%10 != 0 {
				continue
			}
			if a, b := cur.lookup(q), old.lookup(q); !slices.Equal(a, b) {
				t.Fatalf("lookup(%q) = %v, maps %v", q, a, b)
			}
		}
	}
	for _, q := range append(benchQueries, "turn a blind eye to the prime ministers who broke up the European Union") {
		tbl = old
		want := fmt.Sprint(Expand(q))
		tbl = cur
		if got := fmt.Sprint(Expand(q)); got != want {
			t.Errorf("Expand(%q) = %s, maps %s", q, got, want)
		}
	}
}

// A line with the key's prefix, a longer key and keys around it: find
// must return only the exact key.
func TestSortedLinesFind(t *testing.T) {
	s := newSortedLines("# head\n# more\nr\tEU\tn\ta|1\nr\tturn\tv\tb|2\nr\tturn a\tv\tc|3\nr\tturn a blind eye\tv\td|4\nr\tturned\ta\te|5\nx\tturnt\tturn\n", true)
	for _, c := range []struct {
		kind      byte
		key, want string
		ok        bool
	}{
		{'r', "EU", "n\ta|1", true}, {'r', "turn", "v\tb|2", true}, {'r', "turn a", "v\tc|3", true},
		{'r', "turn a blind eye", "v\td|4", true}, {'r', "turned", "a\te|5", true}, {'x', "turnt", "turn", true},
		{'r', "turnt", "", false}, {'x', "turn", "", false}, {'r', "tur", "", false}, {'r', "turn a blind", "", false},
		{'r', "", "", false}, {'r', "zzz", "", false}, {'r', "A", "", false}, {'x', "zzz", "", false},
	} {
		got, ok := s.find(c.kind, c.key)
		if got != c.want || ok != c.ok {
			t.Errorf("find(%c, %q) = %q %v, want %q %v", c.kind, c.key, got, ok, c.want, c.ok)
		}
	}
	st := sortedTable{rel: s}
	if got := st.firstLengths("turn"); got != 1<<2|1<<4 {
		t.Errorf("firstLengths(turn) = %b, want bits 2 and 4", got)
	}
	if got := st.firstLengths("turne"); got != 0 {
		t.Errorf("firstLengths(turne) = %b, want 0", got)
	}
}
