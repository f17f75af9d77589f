package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// lineNumbers lists the lines of bad.
func lineNumbers(bad []*LineError) []int {
	var out []int
	for _, e := range bad {
		out = append(out, e.Line)
	}
	return out
}

// sameAsWhole checks that streaming data gives what parsing it whole does.
func sameAsWhole(t *testing.T, data []byte, maxRecord int) {
	t.Helper()
	whole, wholeBad := parseJSONL("s.jsonl", data, Options{}.normalized())
	got, bad, err := streamJSONL("s.jsonl", bytes.NewReader(data), maxRecord, Options{}.normalized())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, whole) {
		t.Errorf("streamed documents differ:\n got %+v\nwant %+v", got, whole)
	}
	if g, w := lineNumbers(bad), lineNumbers(wholeBad); !reflect.DeepEqual(g, w) {
		t.Errorf("bad lines %v, whole %v", g, w)
	}
}

// TestStreamJSONL: a JSONL file read as a stream gives the documents and
// the bad lines (by number) that reading it whole gives, lines longer than
// the reader's buffer included; a record over the bound is reported and
// skipped, the lines after it still numbered right.
func TestStreamJSONL(t *testing.T) {
	long := strings.Repeat("A long sentence about the Zangezur corridor. ", 3000) // 135 KB: past the buffer
	rec := func(id, text string) string { return fmt.Sprintf(`{"id":%q,"title":"T %s","text":%q}`, id, id, text) }
	data := []byte(strings.Join([]string{
		rec("a", "First text."),
		"",
		"not json",
		rec("b", long),
		"   ",
		rec("a", "A duplicate."),
		rec("c", "Café and Baku, in UTF-8."),
		rec("d", "Last, with no newline."),
	}, "\n"))
	sameAsWhole(t, data, maxJSONLRecord)
	sameAsWhole(t, append(bytes.Clone(data), '\n'), maxJSONLRecord)
	sameAsWhole(t, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), maxJSONLRecord)

	got, bad, err := streamJSONL("s.jsonl", bytes.NewReader(data), 1000, Options{}.normalized())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range got {
		ids = append(ids, d.ID)
	}
	if !reflect.DeepEqual(ids, []string{"a", "c", "d"}) {
		t.Errorf("documents %v, want a, c, d", ids)
	}
	if len(bad) != 3 || bad[1].Line != 4 || !strings.Contains(bad[1].Error(), "record longer than 1000 bytes") || bad[2].Line != 6 {
		t.Errorf("bad lines %v", bad)
	}

	// A Latin-1 line is decoded as a Latin-1 file is.
	latin := []byte(`{"id":"e","title":"T e","text":"Caf` + "\xe9" + ` in Latin-1."}`)
	got, bad, err = streamJSONL("s.jsonl", bytes.NewReader(latin), maxJSONLRecord, Options{}.normalized())
	if err != nil || len(bad) != 0 || len(got) != 1 || !strings.Contains(got[0].Passages[0].Text, "Café") {
		t.Errorf("Latin-1 line: %+v, %v, %v", got, bad, err)
	}
	for _, c := range []struct {
		name string
		data string
		want error
	}{
		{"UTF-16", "\xff\xfe{\x00", errJSONLUTF16},
		{"UTF-16 BE", "\xfe\xff\x00{", errJSONLUTF16},
		{"gzip", "\x1f\x8b\x08\x00rest", ErrNotText},
	} {
		if _, _, err := streamJSONL("s.jsonl", strings.NewReader(c.data), maxJSONLRecord, Options{}.normalized()); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	got, _, err = streamJSONL("s.jsonl", strings.NewReader("\xef\xbb\xbf"+rec("f", "After a byte order mark.")), maxJSONLRecord, Options{}.normalized())
	if err != nil || len(got) != 1 || got[0].ID != "f" {
		t.Errorf("UTF-8 byte order mark: %+v, %v", got, err)
	}
}

// TestLoadLargeJSONL: a JSONL file over the limit of a file read whole is
// loaded as a stream (a collection of many records), not refused.
func TestLoadLargeJSONL(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 65 MiB file")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, `{"id":"first","title":"First","text":"The convoy reached Gyumri in May."}`)
	blank := strings.Repeat(" ", 1023) + "\n"
	for range (maxFileBytes / len(blank)) + 1 {
		if _, err := f.WriteString(blank); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Fprintln(f, `{"id":"last","title":"Last","text":"The depot at Meghri reopened."}`)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	docs, failures, err := Load(t.Context(), []string{path}, Options{})
	if err != nil || len(failures) != 0 {
		t.Fatalf("Load: %v, failures %v", err, failures)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	if !reflect.DeepEqual(ids, []string{"first", "last"}) {
		t.Errorf("documents %v", ids)
	}
}

// FuzzStreamJSONL: streaming never panics, and for text that decodes the
// same line by line as whole (valid UTF-8, no control bytes) it gives what
// parsing the data whole gives.
func FuzzStreamJSONL(f *testing.F) {
	f.Add([]byte(`{"id":"a","text":"x"}`+"\n\nnot json\n"+`{"id":"a","text":"y"}`), uint16(0))
	f.Add([]byte("\xef\xbb\xbf"+`{"id":"b","text":"Caf\xe9"}`), uint16(8))
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		maxRecord := int(max) + 1
		docs, bad, err := streamJSONL("f.jsonl", bytes.NewReader(data), maxRecord, Options{}.normalized())
		if err != nil {
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, e := range bad {
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("bad line %d of %d", e.Line, lines)
			}
		}
		checkParsed(t, docs, Options{})
		clean := utf8.Valid(data) && !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) && !bytes.ContainsFunc(data, func(r rune) bool {
			return r < 0x20 && r != '\n' && r != '\t' && r != '\r'
		})
		if !clean || maxRecord < len(data) {
			return
		}
		whole, wholeBad := parseJSONL("f.jsonl", data, Options{}.normalized())
		if !reflect.DeepEqual(docs, whole) || !reflect.DeepEqual(lineNumbers(bad), lineNumbers(wholeBad)) {
			t.Fatalf("streamed %+v %v, whole %+v %v", docs, lineNumbers(bad), whole, lineNumbers(wholeBad))
		}
	})
}
