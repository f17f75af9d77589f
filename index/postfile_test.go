package index

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/briefbot/briefbot"
)

// buildMapped builds docs under a new root and opens it; the build must
// have its postings file mapped.
func buildMapped(t *testing.T, docs []briefbot.Document, opts Options) (root string, ix *Index) {
	t.Helper()
	root = t.TempDir()
	if _, err := Build(context.Background(), root, docs, BuildOptions{Options: opts}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	if ix.posts == nil {
		t.Fatal("the build's postings file is not mapped")
	}
	return root, ix
}

func postFilePath(t *testing.T, root string) string {
	t.Helper()
	cur, err := readCurrent(root)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, buildsDir, cur, postFile)
}

// Every list of the file is the list decoded from bleve: the same
// positions, frequencies, count and bound; a term the field lacks is an
// empty list.
func TestPostingsFileHoldsBleveLists(t *testing.T) {
	_, ix := buildMapped(t, briefDocs(t), Options{})
	rs, closeReaders, err := ix.readers()
	if err != nil {
		t.Fatal(err)
	}
	defer closeReaders()
	ctx := context.Background()
	for _, field := range postFields {
		dict, err := rs[0].FieldDict(field)
		if err != nil {
			t.Fatal(err)
		}
		terms := 0
		for {
			de, err := dict.Next()
			if err != nil {
				t.Fatal(err)
			}
			if de == nil {
				break
			}
			terms++
			var want postingList
			if err := ix.decodeList(ctx, rs, field, de.Term, &want); err != nil {
				t.Fatal(err)
			}
			want.sortByPos()
			got, err := ix.posts.list(field, de.Term)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.pos, want.pos) || !slices.Equal(got.tf, want.tf) || got.df != want.df ||
				got.maxRatio != want.maxRatio || !got.sorted || got.df != de.Count {
				t.Fatalf("%s %q: file %+v, bleve %+v (dictionary count %d)", field, de.Term, got, want, de.Count)
			}
		}
		dict.Close()
		if min := map[string]int{fieldBody: 100, fieldDocTitle: 1}[field]; terms < min {
			t.Fatalf("%s: %d terms", field, terms)
		}
		for _, absent := range []string{"", "zzzzzz", "\x00", "\xff\xff"} {
			if l, err := ix.posts.list(field, absent); err != nil || l.df != 0 || len(l.pos) != 0 {
				t.Errorf("%s %q: %+v, %v; want an empty list", field, absent, l, err)
			}
		}
	}
}

// A file that does not fit its build is not used: searches read bleve and
// answer the same.
func TestPostingsFileUnusable(t *testing.T) {
	ctx := context.Background()
	docs := briefDocs(t)
	root, good := buildMapped(t, docs, Options{})
	const q = "Why did Iran warn Azerbaijan about Israel?"
	want, err := good.Search(ctx, q, 10)
	if err != nil || len(want) == 0 {
		t.Fatalf("search: %v, %d hits", err, len(want))
	}
	path := postFilePath(t, root)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(at int) []byte {
		b := slices.Clone(orig)
		b[at] ^= 0x40
		return b
	}
	for _, c := range []struct {
		name string
		data []byte // nil: the file removed
	}{
		{"missing", nil},
		{"empty", []byte{}},
		{"cut short", orig[:len(orig)/2]},
		{"magic", flip(3)},
		{"trailer", flip(len(orig) - postTrailerSize + 5)},
		{"longer", append(slices.Clone(orig), 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			replaceForTest(t, path, c.data, orig)
			ix, err := Open(root, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if ix.posts != nil {
				t.Fatal("an unusable postings file was mapped")
			}
			got, err := ix.Search(ctx, q, 10)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("search: %v; hits differ: %v", err, !reflect.DeepEqual(got, want))
			}
		})
	}
	// Bounds worked out with other k1 or b do not bound this index's
	// scores: the file is left unused.
	for _, o := range []Options{{K1: 1.5}, {B: 0.5}} {
		ix, err := Open(root, o)
		if err != nil {
			t.Fatal(err)
		}
		if ix.posts != nil {
			t.Errorf("opened with %+v: the file's bounds were used", o)
		}
		ix.Close()
	}
}

// A list whose postings are damaged is read from bleve instead, once the
// file's check of it fails: the search answers as before.
func TestPostingsFileDamagedList(t *testing.T) {
	ctx := context.Background()
	root, good := buildMapped(t, pets, Options{})
	want, err := good.Search(ctx, "cat dog bird", 3)
	if err != nil {
		t.Fatal(err)
	}
	path := postFilePath(t, root)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The first list's first position becomes a passage the build lacks.
	binary.LittleEndian.PutUint32(raw[len(postFileMagic):], 1<<30)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.posts == nil {
		t.Fatal("not mapped")
	}
	got, err := ix.Search(ctx, "cat dog bird", 3)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("search over a damaged list: %v; hits %+v, want %+v", err, got, want)
	}
}

// An incremental build numbers its passages across two segments and reads
// bleve; the full build it starts from has its file.
func TestPostingsFileFullBuildsOnly(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	docs := []briefbot.Document{doc("a", "", "cat dog"), doc("b", "", "dog bird")}
	if _, err := Build(ctx, root, docs, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Update(ctx, root, append(docs, doc("c", "", "bird fish")), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if len(ix.segs) != 2 || ix.posts != nil {
		t.Fatalf("incremental build: %d segments, postings file mapped: %v", len(ix.segs), ix.posts != nil)
	}
	if _, err := os.Stat(filepath.Join(ix.dir, postFile)); err == nil {
		t.Error("an incremental build wrote a postings file")
	}
	if hits, err := ix.Search(ctx, "fish", 3); err != nil || len(hits) != 1 || hits[0].Passage.DocID != "c" {
		t.Errorf("search: %v, %+v", err, hits)
	}
}

// FuzzPostingsFile: whatever the bytes, parsing and looking terms up give
// lists or errors, never a crash, and a list given is sound.
func FuzzPostingsFile(f *testing.F) {
	root := f.TempDir()
	if _, err := Build(context.Background(), root, pets, BuildOptions{}); err != nil {
		f.Fatal(err)
	}
	cur, err := readCurrent(root)
	if err != nil {
		f.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, buildsDir, cur, postFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw, uint16(0), byte(0))
	f.Add(raw, uint16(len(postFileMagic)), byte(0x80))
	f.Add(raw, uint16(len(raw)-postTrailerSize), byte(1))
	f.Fuzz(func(t *testing.T, data []byte, at uint16, x byte) {
		data = slices.Clone(data)
		if int(at) < len(data) {
			data[at] ^= x
		}
		m, err := parsePostings(data, 3)
		if err != nil {
			return
		}
		for _, field := range postFields {
			for _, term := range []string{"cat", "dog", "bird", "fish", "", "zz"} {
				l, err := m.list(field, term)
				if err != nil {
					continue
				}
				if uint64(len(l.pos)) != l.df || len(l.tf) != len(l.pos) {
					t.Fatalf("%s %q: %d positions, %d frequencies, df %d", field, term, len(l.pos), len(l.tf), l.df)
				}
				if err := m.check(l); err != nil {
					t.Fatalf("%s %q: a list given is unsound: %v", field, term, err)
				}
			}
		}
	})
}

// Lists sorted one after another with one scratch buffer, longer then
// shorter, keep each position with its frequency.
func TestSortByPosWithReusedKeys(t *testing.T) {
	var keys []uint64
	for _, c := range []struct{ pos []int32 }{{[]int32{9, 3, 7, 1, 5}}, {[]int32{4, 2}}, {[]int32{1, 2, 3}}, {[]int32{8, 0, 6}}} {
		l := &postingList{pos: slices.Clone(c.pos)}
		for _, p := range c.pos {
			l.tf = append(l.tf, float32(p)+0.5) // the frequency names its position
		}
		keys = l.sortByPosWith(keys)
		if !l.sorted || !slices.IsSorted(l.pos) || len(l.pos) != len(c.pos) {
			t.Fatalf("%v sorted to %v", c.pos, l.pos)
		}
		for i, p := range l.pos {
			if l.tf[i] != float32(p)+0.5 {
				t.Fatalf("%v: position %d carries frequency %v", c.pos, p, l.tf[i])
			}
		}
	}
}
