package corpus

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot"
)

// fuzzOpts maps a fuzzed number to passage bounds, including tiny ones.
func fuzzOpts(max uint16) Options {
	return Options{MaxPassageChars: int(max % 1500), MinPassageChars: int(max/1500) % 400}
}

func checkParsed(t *testing.T, docs []briefbot.Document, opts Options) {
	t.Helper()
	ids := map[string]bool{}
	for _, d := range docs {
		if ids[d.ID] {
			t.Errorf("duplicate document ID %q", d.ID)
		}
		ids[d.ID] = true
		if len(d.Passages) == 0 {
			t.Errorf("document %q without passages returned", d.ID)
		}
		checkDocInvariants(t, d, opts)
	}
}

func FuzzMarkdown(f *testing.F) {
	// Excerpts of the brief (head and navigation tail) keep executions
	// fast; the whole brief is covered by the unit tests.
	f.Add(builtinText[:1200], uint16(0))
	f.Add(builtinText[len(builtinText)-900:], uint16(300))
	f.Add([]byte("# T\n\nby A B\n\nMar 31, 2023\n\n## ABOUT THE AUTHORS\n\n[A B \\(/x\\)](#)\n\nA B is here.\n\nLabel\n\nText [x](#)\n\n<https://u>) more\n\n---\n\n**RELATED**\n"), uint16(50))
	f.Add([]byte("**a** (<https://b>) *c* _d_ [e][f]\n\n[f]: https://g\n\n- item\n  cont\n\n1. x\n\n| a | b |\n|---|---|\n"), uint16(41))
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		opts := fuzzOpts(max)
		docs, err := Parse("fuzz.md", data, FormatMarkdown, opts)
		if err != nil {
			if !errors.Is(err, ErrNoText) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		checkParsed(t, docs, opts)
	})
}

func FuzzHTML(f *testing.F) {
	f.Add([]byte(`<html><head><title>T | S</title><meta name="author" content="A B"><link rel="canonical" href="https://x/y"></head><body><h1>T</h1><p>P <a href="/z">link</a>.</p><ul><li>a</li><li><p>b</p></li></ul><hr><p><b>RELATED</b></p></body></html>`), uint16(0))
	f.Add([]byte(`<p><a href="#">x<div>y</div>z</a></p><header><h1>H</h1></header><i>Jane Roe is a fellow.</i>`), uint16(45))
	// A page with chrome in <div>s, which the readability pass removes.
	if page, err := os.ReadFile("testdata/pages/blog.html"); err == nil {
		f.Add(page, uint16(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		opts := fuzzOpts(max)
		docs, err := Parse("fuzz.html", data, FormatHTML, opts)
		if err != nil {
			if !errors.Is(err, ErrNoText) && !errors.Is(err, ErrMalformedHTML) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		checkParsed(t, docs, opts)
	})
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(`{"id":"a","title":"T","text":"# H\n\nBody.","url":"https://x","published":"2023-03-31","authors":["A"]}`+"\n"+`{"id":1,"text":"x"}`+"\nnot json\n"), uint16(0))
	f.Add([]byte(`{"_id":"b","text":"[a](#)\n\n<https://u>) b","authors":"A and B"}`), uint16(60))
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		opts := fuzzOpts(max)
		docs, err := Parse("fuzz.jsonl", data, FormatJSONL, opts)
		if err == nil && len(docs) == 0 {
			t.Fatal("no documents and no error")
		}
		checkParsed(t, docs, opts)
	})
}

func FuzzSidecar(f *testing.F) {
	f.Add([]byte(`{"url":"https://x.example/a","title":"T","authors":["A B"],"published":"2023-03-31"}`))
	f.Add([]byte(`{"url":"/relative"}`))
	f.Add([]byte(`{"unknown":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseSidecar(data)
		if err != nil {
			return
		}
		if m.url != "" && !isAbsURL(m.url) {
			t.Errorf("url %q accepted", m.url)
		}
	})
}

func FuzzDecodeText(f *testing.F) {
	f.Add([]byte("plain text\n"))
	f.Add([]byte("caf\xe9 cr\xe8me"))
	f.Add([]byte("\xff\xfeh\x00i\x00"))
	f.Add([]byte("\x7fELF\x02\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := decodeText(data)
		if err != nil {
			if !errors.Is(err, ErrNotText) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if utf8.Valid(data) && !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) && !bytes.HasPrefix(data, []byte("\xff\xfe")) && !bytes.HasPrefix(data, []byte("\xfe\xff")) && !bytes.Equal(out, data) {
			t.Errorf("valid UTF-8 %q changed to %q", data, out)
		}
	})
}

func FuzzDocIDFromPath(f *testing.F) {
	f.Add("2023/summary.md")
	f.Add("r\xe9sum\xe9.md")
	f.Add("new\nline.txt")
	f.Fuzz(func(t *testing.T, rel string) {
		id := docIDFromPath(rel)
		if !utf8.ValidString(id) || len(id) > maxDocIDBytes || strings.ContainsFunc(id, unicode.IsControl) {
			t.Errorf("docIDFromPath(%q) = %q", rel, id)
		}
		if id != docIDFromPath(rel) {
			t.Errorf("docIDFromPath(%q) is not stable", rel)
		}
	})
}
