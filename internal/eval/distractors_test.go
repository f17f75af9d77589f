package eval

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/index"
)

func TestDistractorsArePrefixedAndSplit(t *testing.T) {
	docs, err := Distractors("testdata/tiny", Passages(corpus.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 4 {
		t.Fatalf("%d documents, want 4", len(docs))
	}
	d := docs[1]
	if d.ID != "distractor:tiny/42" || d.Title != "Glaciers" || len(d.Passages) == 0 {
		t.Fatalf("document = %+v", d)
	}
	for _, p := range d.Passages {
		if p.DocID != d.ID || !strings.HasPrefix(p.ID, "distractor:tiny/42#") {
			t.Errorf("passage %q of %q", p.ID, p.DocID)
		}
	}
	if _, err := Distractors("testdata/missing", Passages(corpus.Options{})); err == nil {
		t.Error("a missing collection gave no error")
	}
}

func TestWithDistractorsRefusesSharedIDs(t *testing.T) {
	extra, err := Distractors("testdata/tiny", OnePassage)
	if err != nil {
		t.Fatal(err)
	}
	brief := []briefbot.Document{{ID: "brief", Passages: []briefbot.Passage{{ID: "brief#a-1", DocID: "brief"}}}}
	all, err := WithDistractors(brief, extra)
	if err != nil || len(all) != 5 || all[0].ID != "brief" {
		t.Fatalf("WithDistractors = %d documents, %v", len(all), err)
	}
	clash := []briefbot.Document{{ID: extra[2].ID}}
	if _, err := WithDistractors(clash, extra); err == nil || !strings.Contains(err.Error(), extra[2].ID) {
		t.Errorf("a shared document ID gave %v", err)
	}
	clash = []briefbot.Document{{ID: "x", Passages: []briefbot.Passage{{ID: extra[0].Passages[0].ID}}}}
	if _, err := WithDistractors(clash, extra); err == nil {
		t.Error("a shared passage ID gave no error")
	}
}

func TestTempLibraryAnswersAndCleansUp(t *testing.T) {
	ctx := context.Background()
	extra, err := Distractors("testdata/tiny", Passages(corpus.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := OpenTempLibrary(ctx, extra, TempLibraryOptions{Index: index.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := lib.Ask(ctx, briefbot.AskRequest{Question: "Where did the volcano's lava go?"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answerable || len(a.Citations) == 0 || a.Citations[0].DocID != "distractor:tiny/v1" {
		t.Fatalf("answer = %+v", a)
	}
	if p, ok := lib.Passage(a.Citations[0].PassageID); !ok || !strings.Contains(p.Text, "lava") {
		t.Errorf("Passage(%q) = %+v, %v", a.Citations[0].PassageID, p, ok)
	}
	dir := lib.dir
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("index folder %s left behind: %v", dir, err)
	}
}
