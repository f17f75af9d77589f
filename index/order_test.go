package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestOrderFile: a build records its segment's order, and opening uses it
// when it agrees with bleve; a missing, damaged or disagreeing order file
// opens the long way, to the same map.
func TestOrderFile(t *testing.T) {
	root := t.TempDir()
	// Small batches make many bleve segments, merged in the background:
	// internal numbers then need not follow the documents' order.
	docs := manyDocs(300, "zebra")
	if _, err := Build(context.Background(), root, docs, BuildOptions{BatchSize: 7}); err != nil {
		t.Fatal(err)
	}
	open := func() (ord []int32, ordered bool, hits []string) {
		t.Helper()
		ix, err := Open(root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		hs, err := ix.Search(context.Background(), "zebra number more", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			hits = append(hits, h.Passage.ID)
		}
		return slices.Clone(ix.segs[0].ord), ix.segs[0].ordered, hits
	}
	wantOrd, ordered, wantHits := open()
	if !ordered {
		t.Fatal("a new build opened without its order file")
	}
	if len(wantHits) == 0 {
		t.Fatal("no hits")
	}
	cur, err := readCurrent(root)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, buildsDir, cur, orderFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	local, err := decodeOrder(raw, len(docs))
	if err != nil {
		t.Fatal(err)
	}
	swapped := slices.Clone(local)
	last := len(swapped) - 1
	swapped[0], swapped[last] = swapped[last], swapped[0]
	dup := slices.Clone(local)
	dup[1] = dup[0]
	short := local[:len(local)-1]
	for _, c := range []struct {
		name string
		data []byte // nil removes the file
	}{
		{"missing", nil},
		{"garbage", []byte("not an order file at all")},
		{"bit flipped", func() []byte { b := slices.Clone(raw); b[len(b)/2] ^= 1; return b }()},
		{"checked numbers disagree", encodeOrder(swapped)},
		{"a passage twice", encodeOrder(dup)},
		{"a passage missing", encodeOrder(short)},
	} {
		t.Run(c.name, func(t *testing.T) {
			replaceForTest(t, path, c.data, raw)
			ord, ordered, hits := open()
			if ordered {
				t.Error("opened with the order file")
			}
			if !slices.Equal(ord, wantOrd) || !slices.Equal(hits, wantHits) {
				t.Errorf("order %v, hits %v; want %v, %v", ord, hits, wantOrd, wantHits)
			}
		})
	}
}

func TestOrderRoundTrip(t *testing.T) {
	for _, local := range [][]int32{{}, {-1}, {2, 0, -1, 1}, {0, 1, 2, 3, 4, 199, 5}} {
		got, err := decodeOrder(encodeOrder(local), 200)
		if err != nil || !slices.Equal(got, local) {
			t.Errorf("%v: got %v, %v", local, got, err)
		}
	}
	if _, err := decodeOrder(encodeOrder([]int32{0, 201}), 200); err == nil {
		t.Error("a position past the limit decoded")
	}
}

// FuzzOrder: any bytes decode or fail without panicking, and never
// allocate more than the input justifies.
func FuzzOrder(f *testing.F) {
	f.Add(encodeOrder([]int32{2, 0, -1, 1}))
	f.Add([]byte(orderMagic + "\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		local, err := decodeOrder(data, 1000)
		if err == nil && len(local) > len(data) {
			t.Fatalf("%d positions from %d bytes", len(local), len(data))
		}
		if err == nil && !slices.Equal(encodeOrder(local), data) {
			t.Fatalf("decoded %v does not encode back to the input", local)
		}
	})
}

// TestTextsFile: a build keeps its texts apart and reads them back; a
// damaged text is an error wrapping ErrCorrupt where it is read, and a
// texts file of the wrong size or none makes the build corrupt.
func TestTextsFile(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	if _, err := Build(ctx, root, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	cur, err := readCurrent(root)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, buildsDir, cur, textsFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := textsMagic + "cat dog dogcat fish bird bird fish cat catdog bird"; string(raw) != want {
		t.Fatalf("texts file %q, want %q", raw, want)
	}
	restore := func() {
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	flipped := slices.Clone(raw)
	flipped[len(textsMagic)+1] ^= 0x20 // in d1's text
	if err := os.WriteFile(path, flipped, 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Search(ctx, "dog", 3); !errors.Is(err, ErrCorrupt) {
		t.Errorf("search over a damaged text: %v, want ErrCorrupt", err)
	}
	if p, ok := ix.Passage("d3#a"); !ok || p.Text != "dog bird" {
		t.Errorf("an intact passage beside a damaged one: %+v, %v", p, ok)
	}
	if _, ok := ix.Passage("d1#a"); ok {
		t.Error("a damaged passage was served")
	}
	if _, err := ix.FullDocuments(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("full documents with a damaged text: %v, want ErrCorrupt", err)
	}
	_ = ix.Close()
	if _, ok := ix.Passage("d3#a"); ok {
		t.Error("a passage read after Close")
	}

	for _, c := range []struct {
		name string
		data []byte
	}{
		{"truncated", raw[:len(raw)-1]},
		{"longer", append(slices.Clone(raw), 'x')},
		{"another file", append([]byte("briefbot textz\x00"), raw[len(textsMagic):]...)},
		{"missing", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer restore()
			if c.data == nil {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			if ix, err := Open(root, Options{}); !errors.Is(err, ErrCorrupt) {
				if ix != nil {
					_ = ix.Close()
				}
				t.Errorf("Open = %v, want ErrCorrupt", err)
			}
		})
	}
}

// replaceForTest writes data to path (removes it, for nil data) for the
// rest of the test, and writes orig back when the test ends.
func replaceForTest(t *testing.T, path string, data, orig []byte) {
	t.Helper()
	if data == nil {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	} else if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Error(err)
		}
	})
}
