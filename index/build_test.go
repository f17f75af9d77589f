package index

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
)

// liveBefore builds pets under a new root and returns the root, the content
// of CURRENT and the opened index, for tests of builds that must fail
// without touching what is served.
func liveBefore(t *testing.T, root string) (current []byte, live *Index) {
	t.Helper()
	if _, err := Build(context.Background(), root, pets, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	current, err := os.ReadFile(filepath.Join(root, currentFile))
	if err != nil {
		t.Fatal(err)
	}
	return current, mustOpen(t, root)
}

// assertOldServes checks that a failed build left the live index alone:
// CURRENT unchanged, no other build folder, and the old index, both the
// one already open and a fresh Open, answering.
func assertOldServes(t *testing.T, root string, current []byte, live *Index) {
	t.Helper()
	if after, err := os.ReadFile(filepath.Join(root, currentFile)); err != nil || string(after) != string(current) {
		t.Errorf("CURRENT changed from %q to %q (%v)", current, after, err)
	}
	entries, err := os.ReadDir(filepath.Join(root, buildsDir))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if err != nil || len(names) != 1 || names[0]+"\n" != string(current) {
		t.Errorf("build folders after the failed build: %q (%v), want only the live %q", names, err, current)
	}
	ix, err := Open(root, Options{})
	if err != nil {
		t.Fatalf("old index does not open after the failed build: %v", err)
	}
	defer ix.Close()
	for _, ix := range []*Index{live, ix} {
		if hits, err := ix.Search(context.Background(), "cat", 5); err != nil || len(hits) != 2 {
			t.Errorf("old index after the failed build: %d hits, %v; want 2", len(hits), err)
		}
	}
}

// passageDoc makes a one-passage document with the given document and
// passage IDs.
func passageDoc(docID, passageID, text string) briefbot.Document {
	return briefbot.Document{ID: docID, Title: "CV", Source: "test:" + docID, Passages: []briefbot.Passage{{
		ID: passageID, DocID: docID, Title: "CV", Section: "Experience", Ordinal: 1, Paragraph: 1, Text: text,
	}}}
}

func TestBuildRefusesBadIDs(t *testing.T) {
	good := doc("brief", "", "the convoy reached the border")
	tests := []struct {
		name string
		docs []briefbot.Document
		want []string // substrings of the error
	}{
		{
			// A Latin-1 file name: the manifest (JSON) cannot hold the ID.
			name: "passage ID not UTF-8",
			docs: []briefbot.Document{good, passageDoc("resume", "r\xe9sum\xe9#cv-1", "ten years of analysis")},
			want: []string{`document "resume"`, `passage ID "r\xe9sum\xe9#cv-1" is not valid UTF-8`},
		},
		{
			name: "document ID not UTF-8",
			docs: []briefbot.Document{good, passageDoc("r\xe9sum\xe9", "resume#cv-1", "ten years of analysis")},
			want: []string{`document ID "r\xe9sum\xe9" is not valid UTF-8`},
		},
		{
			name: "passage's document ID not UTF-8",
			docs: []briefbot.Document{good, func() briefbot.Document {
				d := passageDoc("resume", "resume#cv-1", "ten years of analysis")
				d.Passages[0].DocID = "r\xe9sum\xe9"
				return d
			}()},
			want: []string{`document "resume"`, `passage "resume#cv-1" has document ID "r\xe9sum\xe9", not valid UTF-8`},
		},
		{
			name: "empty document ID",
			docs: []briefbot.Document{good, passageDoc("", "resume#cv-1", "ten years of analysis")},
			want: []string{`document 2 (source "test:") has no ID`},
		},
		{
			name: "duplicate document ID",
			docs: []briefbot.Document{good, passageDoc("brief", "brief#cv-1", "ten years of analysis")},
			want: []string{`document ID "brief" is not unique`},
		},
		{
			name: "empty passage ID",
			docs: []briefbot.Document{good, passageDoc("resume", "", "ten years of analysis")},
			want: []string{`document "resume"`, `passage 1 has no ID`},
		},
		{
			name: "duplicate passage ID",
			docs: []briefbot.Document{good, passageDoc("resume", "brief#a", "ten years of analysis")},
			want: []string{`document "resume"`, `passage ID "brief#a" is not unique`},
		},
	}
	// Build checks the documents before it starts; BuildFrom, streaming
	// them, as each comes, and must leave the same nothing behind.
	builders := map[string]func(root string, docs []briefbot.Document) error{
		"Build": func(root string, docs []briefbot.Document) error {
			_, err := Build(context.Background(), root, docs, BuildOptions{})
			return err
		},
		"BuildFrom": func(root string, docs []briefbot.Document) error {
			ix, err := BuildFrom(context.Background(), root, copiedSource(docs), BuildOptions{})
			if err == nil {
				ix.Close()
			}
			return err
		},
	}
	for _, tc := range tests {
		for bname, buildWith := range builders {
			t.Run(tc.name+"/"+bname, func(t *testing.T) {
				root := t.TempDir()
				current, live := liveBefore(t, root)
				err := buildWith(root, tc.docs)
				if err == nil {
					t.Error("build succeeded")
				} else {
					for _, w := range tc.want {
						if !strings.Contains(err.Error(), w) {
							t.Errorf("err = %v, want it to say %s", err, w)
						}
					}
				}
				assertOldServes(t, root, current, live)
			})
		}
	}
}

// TestBuildVerifiesBeforeSwitch skips Build's input checks to reach the
// check of the finished build: an index that does not hold what its
// manifest lists (two passages under one ID: bleve keeps the second) must
// not become the live one.
func TestBuildVerifiesBeforeSwitch(t *testing.T) {
	root := t.TempDir()
	current, live := liveBefore(t, root)
	docs := []briefbot.Document{doc("brief", "", "the convoy reached the border"),
		passageDoc("resume", "brief#a", "ten years of analysis")}
	_, err := buildUnchecked(context.Background(), root, docs, BuildOptions{})
	if err == nil {
		t.Fatal("a build whose index lacks a listed passage succeeded")
	}
	for _, w := range []string{"verify build", "index holds 1 passages, manifest 2"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("err = %v, want it to say %s", err, w)
		}
	}
	assertOldServes(t, root, current, live)
}
