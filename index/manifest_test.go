package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
)

// fill sets every field of the value v points to, recursively, to
// something other than its zero value, varied by seed.
func fill(v reflect.Value, seed *int) {
	*seed++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d·é", *seed))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*seed) * -3)
	case reflect.Uint32, reflect.Uint8:
		v.SetUint(uint64(*seed) % 251)
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), seed)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), seed)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2020, 1, *seed%28+1, 3, 4, 5, 6, time.FixedZone("", 3600))))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), seed)
			}
		}
	case reflect.Pointer: // Derived, set by hand
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

// zeroFields lists the fields of v left at their zero value, recursively.
func zeroFields(v reflect.Value, path string) []string {
	if v.IsZero() {
		return []string{path}
	}
	var out []string
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			out = append(out, zeroFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return nil
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = append(out, zeroFields(v.Field(i), path+"."+v.Type().Field(i).Name)...)
			}
		}
	}
	return out
}

// TestManifestRoundTrip: a manifest whose every field (document, passage,
// link, failure, info, derived) is set decodes to what was encoded, so a
// field added to any of them without being encoded fails here; nil and
// empty lists, zero times and passages repeating their document's ID,
// title and URL too.
func TestManifestRoundTrip(t *testing.T) {
	seed := 0
	var man manifest
	fill(reflect.ValueOf(&man).Elem(), &seed)
	man.Format = manifestFormat
	man.Derived = &derived{Roles: []role{roleText, roleAbout, roleAdvice, roleText}, AboutDF: map[string]uint64{"jane": 2, "roe": 1 << 40},
		Acronyms: encodeAcronyms(map[string]string{"csto": "Collective Security Treaty Organization", "icc": "International Criminal Court"})}
	if z := zeroFields(reflect.ValueOf(man), "manifest"); len(z) > 0 {
		t.Fatalf("fill left fields zero: %v", z)
	}
	d := man.Documents[0]
	d.Published = time.Time{}
	d.Authors, d.Translations, d.Sections = nil, []briefbot.Link{}, []string{}
	for i := range d.Passages {
		d.Passages[i].DocID, d.Passages[i].Title, d.Passages[i].URL = d.ID, d.Title, d.URL
	}
	d.Passages[1].Links, d.Passages[1].Page = nil, 0
	d.Passages = slices.Clone(d.Passages)
	d.Passages[0].Section, d.Passages[1].Section = d.Title, d.Title // sections repeating the title, then the one before
	man.Documents = append(man.Documents, d, briefbot.Document{ID: "empty"})
	man.Info.BuiltAt = time.Date(2026, 12, 3, 18, 0, 0, 123456789, time.UTC)
	man.Info.Passages = len(flattenDocs(man.Documents))
	man.DocHashes = append(man.DocHashes, [32]byte{7}, [32]byte{})[:len(man.Documents)]
	for len(man.TextSums) < man.Info.Passages {
		man.TextSums = append(man.TextSums, textSum{Len: uint32(len(man.TextSums)) * 1000, CRC: 1 << 31})
	}
	man.Derived.Names = encodeNames(map[string]caseCount{"iran": {upper: 3}, "dog": {lower: 1}})

	// Format 2 keeps the texts in the manifest, and nothing of format 3.
	inline := man
	inline.Format, inline.TextSums, inline.DocHashes = inlineTextsFormat, nil, nil
	inline.Derived = &derived{Roles: man.Derived.Roles, AboutDF: man.Derived.AboutDF, Acronyms: man.Derived.Acronyms}
	got, err := decodeManifest(string(encodeManifest(inline)))
	if err != nil {
		t.Fatal(err)
	}
	got.flat = nil
	if !reflect.DeepEqual(got, inline) {
		t.Errorf("round trip of format 2:\n got %+v\nwant %+v", got, inline)
	}

	// Format 3 records the texts, which are apart.
	raw := encodeManifest(man)
	got, err = decodeManifest(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	man.Documents = slices.Clone(man.Documents)
	for i := range man.Documents {
		man.Documents[i].Passages = slices.Clone(man.Documents[i].Passages)
		for j := range man.Documents[i].Passages {
			man.Documents[i].Passages[j].Text = ""
		}
	}
	// The documents' passages share one array, in order.
	if flat := flattenDocs(man.Documents); !reflect.DeepEqual(got.flat, flat) {
		t.Errorf("flat passages:\n got %+v\nwant %+v", got.flat, flat)
	} else if &got.Documents[0].Passages[0] != &got.flat[0] || &got.Documents[1].Passages[0] != &got.flat[len(man.Documents[0].Passages)] {
		t.Error("documents' passages are copies of the flat array, not parts of it")
	}
	got.flat = nil
	if !reflect.DeepEqual(got, man) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, man)
	}
	acr, err := decodeAcronyms(got.Derived.Acronyms)
	if err != nil || acr["csto"] != "Collective Security Treaty Organization" || len(acr) != 2 {
		t.Errorf("acronyms %v, %v", acr, err)
	}

	// Every byte counts: a flipped bit or a truncation is an error.
	for _, i := range []int{0, len(manifestMagic) + 3, len(raw) / 2, len(raw) - 1} {
		bad := slices.Clone(raw)
		bad[i] ^= 0x10
		if _, err := decodeManifest(string(bad)); err == nil {
			t.Errorf("byte %d flipped: decoded", i)
		}
	}
	for _, n := range []int{0, 10, len(raw) / 2, len(raw) - 1} {
		if _, err := decodeManifest(string(raw[:n])); err == nil {
			t.Errorf("truncated to %d bytes: decoded", n)
		}
	}
}

// writeJSON writes v as the JSON manifest of format 1 did.
func writeJSON(path string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}

// toLegacy turns the build in dir, a full build of docs, into one of
// format 1, as an older briefbot wrote it: a JSON manifest of everything
// (texts included), nothing derived, no order or texts file.
func toLegacy(t *testing.T, dir string, docs []briefbot.Document) {
	t.Helper()
	man, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	man.Format, man.Derived, man.Documents = legacyFormat, nil, docs
	if err := writeJSON(filepath.Join(dir, legacyManifestFile), man); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{manifestFile, textsFile, orderFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLegacyManifestOpens: a build of the built-in brief whose manifest is
// the JSON of format 1 opens, and serves the same documents, roles,
// acronyms and hits as one of format 2 (which derived them at build time,
// from the same passages). SetStamp writes it again in format 2.
func TestLegacyManifestOpens(t *testing.T) {
	ctx := context.Background()
	docs := briefDocs(t)
	opts := BuildOptions{Options: Options{Synonyms: 0.7}}
	root := t.TempDir()
	ix, err := BuildOpen(ctx, root, docs, opts)
	if err != nil {
		t.Fatal(err)
	}
	dir := ix.Dir()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	cur, err := Open(root, opts.Options)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if cur.acronymTable == "" {
		t.Fatal("a new build keeps no acronyms")
	}
	toLegacy(t, dir, docs)
	old, err := Open(root, opts.Options)
	if err != nil {
		t.Fatalf("format 1 does not open: %v", err)
	}
	if old.acronymTable != "" {
		t.Fatal("format 1 read with acronyms")
	}
	oldDocs, err1 := old.FullDocuments()
	curDocs, err2 := cur.FullDocuments()
	if err1 != nil || err2 != nil || !reflect.DeepEqual(oldDocs, curDocs) || !reflect.DeepEqual(curDocs, docs) {
		t.Errorf("documents differ between formats, or from those built (%v, %v)", err1, err2)
	}
	for _, w := range []string{"iran", "Baku", "pashinyan", "karabakh", "the", "war", "nowhere"} {
		if old.IsName(w) != cur.IsName(w) {
			t.Errorf("IsName(%q): %v learned from the texts, %v from the build's list", w, old.IsName(w), cur.IsName(w))
		}
	}
	if !cur.IsName("iran") || cur.IsName("war") {
		t.Error("the build's list of names is wrong")
	}
	if !reflect.DeepEqual(old.roles, cur.roles) || !reflect.DeepEqual(old.aboutDF, cur.aboutDF) {
		t.Error("roles differ between derived at build and at open")
	}
	if !slices.Contains(cur.roles, roleAbout) || !slices.Contains(cur.roles, roleAdvice) || len(cur.aboutDF) == 0 {
		t.Error("the brief has no bios or advice: the comparison proves nothing")
	}
	if a, b := old.corpusAcronyms(), cur.corpusAcronyms(); !reflect.DeepEqual(a, b) || len(a) < 10 {
		t.Errorf("acronyms differ between formats (%d, %d)", len(a), len(b))
	}
	for _, q := range append(briefQueries(t), "Is Armenia in the CSTO?", "who wrote this?", "what should the US do?") {
		a, err := old.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		b, err := cur.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%q: hits differ between formats", q)
		}
	}
	if err := old.SetStamp("upgraded"); err != nil {
		t.Fatal(err)
	}
	old.Close()
	man, err := readManifest(dir)
	if err != nil || man.Derived == nil || man.Stamp != "upgraded" || !reflect.DeepEqual(man.Derived.Roles, cur.roles) {
		t.Fatalf("SetStamp did not write format 2: derived %v, stamp %q, %v", man.Derived != nil, man.Stamp, err)
	}
	if acr, err := decodeAcronyms(man.Derived.Acronyms); err != nil || !reflect.DeepEqual(acr, cur.corpusAcronyms()) {
		t.Errorf("upgraded acronyms differ: %v", err)
	}
	// An older briefbot reads the JSON stub as another format, not as a
	// corrupt build. Format 2: the build has no texts file.
	var stub struct{ Format int }
	if raw, err := os.ReadFile(filepath.Join(dir, legacyManifestFile)); err != nil || json.Unmarshal(raw, &stub) != nil || stub.Format != inlineTextsFormat {
		t.Errorf("stub for older readers: %s, %v", raw, err)
	}
}

// TestManifestStubAloneIsCorrupt: a build of format 2 whose binary
// manifest is missing is corrupt, not of another format.
func TestManifestStubAloneIsCorrupt(t *testing.T) {
	root := t.TempDir()
	dir := builtDir(t, root)
	if err := os.Remove(filepath.Join(dir, manifestFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open = %v, want ErrCorrupt", err)
	}
}

// FuzzManifest: decoding never panics, and allocates no more than a
// bounded multiple of the bytes it is given, whatever they are.
func FuzzManifest(f *testing.F) {
	man := manifest{Format: manifestFormat, Mapping: mappingVersion, Documents: pets, Stamp: "x",
		Failed: []briefbot.Failure{{Source: "a", Reason: "b"}}, Delta: []string{"d1"},
		Derived: &derived{Roles: make([]role, 6), AboutDF: map[string]uint64{"cat": 1}, Acronyms: encodeAcronyms(map[string]string{"ab": "A B"})}}
	man.TextSums = []textSum{{3, 1}, {7, 2}, {2, 3}}
	man.DocHashes = make([][32]byte, 3)
	raw := encodeManifest(man)
	f.Add(raw)
	man.Format, man.TextSums, man.DocHashes = inlineTextsFormat, nil, nil
	f.Add(encodeManifest(man))
	f.Add(raw[len(manifestMagic) : len(raw)-4])
	f.Add([]byte(manifestMagic + "\x02\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _ = decodeManifest(string(data))
		m, err := decodeManifestBody(string(data))
		if err == nil && m.Derived != nil {
			_, _ = decodeAcronyms(m.Derived.Acronyms)
		}
		_, _ = decodeAcronyms(string(data))
		runtime.ReadMemStats(&after)
		if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(64*len(data)+1<<16); got > limit {
			t.Errorf("%d bytes decoded with %d bytes allocated, over %d", len(data), got, limit)
		}
	})
}

// TestEnsureCurrentUpgradesFormat: a current build of an older format
// (texts in the manifest: formats 1 and 2) is rebuilt once by
// EnsureCurrent, and the build it makes is kept.
func TestEnsureCurrentUpgradesFormat(t *testing.T) {
	ctx := context.Background()
	for _, format := range []int{legacyFormat, inlineTextsFormat} {
		root := t.TempDir()
		ix, err := BuildOpen(ctx, root, pets, BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		dir := ix.Dir()
		_ = ix.Close()
		toLegacy(t, dir, pets)
		if format == inlineTextsFormat {
			old := mustOpen(t, root)
			if err := old.SetStamp("s"); err != nil {
				t.Fatal(err)
			}
			_ = old.Close()
		}
		if old := mustOpen(t, root); old.format != format {
			t.Fatalf("set up format %d, want %d", old.format, format)
		}
		ix, rebuilt, err := EnsureCurrent(ctx, root, pets, BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rebuilt || ix.format != manifestFormat || ix.textAt == nil {
			t.Errorf("format %d: rebuilt %v, now format %d", format, rebuilt, ix.format)
		}
		_ = ix.Close()
		ix, rebuilt, err = EnsureCurrent(ctx, root, pets, BuildOptions{})
		if err != nil || rebuilt {
			t.Errorf("format %d: the upgraded build rebuilt again (%v)", format, err)
		}
		if ix != nil {
			_ = ix.Close()
		}
	}
}
