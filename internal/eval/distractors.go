package eval

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/index"
	"github.com/briefbot/briefbot/internal/answer"
)

// DistractorPrefix starts the document ID of every distractor:
// "distractor:NAME/ID", NAME being the collection folder's name and ID the
// record's _id. A corpus document's ID is a path relative to its folder, so
// only a file named after that form could collide, and WithDistractors
// refuses it.
const DistractorPrefix = "distractor:"

// Distractors reads the corpus records of the BEIR collection in dir and
// makes a document of each with split (Passages(opts) splits them as the
// product splits any plain text), its ID given DistractorPrefix and the
// collection's name, so that its passages' IDs differ from the brief's too.
func Distractors(dir string, split func(BEIRDoc) briefbot.Document) ([]briefbot.Document, error) {
	recs, err := LoadCorpus(dir)
	if err != nil {
		return nil, fmt.Errorf("distractors: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("distractors: %s has no corpus records", dir)
	}
	prefix := DistractorPrefix + filepath.Base(filepath.Clean(dir)) + "/"
	docs := make([]briefbot.Document, len(recs))
	for i, r := range recs {
		r.ID = prefix + r.ID
		docs[i] = split(r)
	}
	return docs, nil
}

// WithDistractors returns docs followed by distractors, refusing a
// document or passage ID that both give.
func WithDistractors(docs, distractors []briefbot.Document) ([]briefbot.Document, error) {
	ids := make(map[string]bool)
	for _, d := range docs {
		ids[d.ID] = true
		for _, p := range d.Passages {
			ids[p.ID] = true
		}
	}
	for _, d := range distractors {
		if ids[d.ID] {
			return nil, fmt.Errorf("distractors: document ID %q is also a corpus document's", d.ID)
		}
		for _, p := range d.Passages {
			if ids[p.ID] {
				return nil, fmt.Errorf("distractors: passage ID %q is also a corpus passage's", p.ID)
			}
		}
	}
	out := make([]briefbot.Document, 0, len(docs)+len(distractors))
	return append(append(out, docs...), distractors...), nil
}

// TempLibraryOptions configure OpenTempLibrary.
type TempLibraryOptions struct {
	Index  index.Options
	Answer answer.Options
	// Progress, when set, is told how the build goes.
	Progress func(done, total int)
	// Summarizer, when set, writes the answers as the product does with a
	// model configured; MaxPassages bounds the passages it is offered.
	Summarizer  answer.Summarizer
	MaxPassages int
}

// TempLibrary answers questions from documents indexed in a temporary
// folder, composed as internal/library composes the live index and the
// answerer, so that an evaluation on a changed corpus (distractors added)
// replaces no user's index. Close removes the folder.
type TempLibrary struct {
	ix  *index.Index
	dir string
	ans briefbot.Answerer
}

// OpenTempLibrary indexes docs in a new temporary folder and opens them.
func OpenTempLibrary(ctx context.Context, docs []briefbot.Document, opts TempLibraryOptions) (*TempLibrary, error) {
	ix, dir, err := tempIndex(ctx, docs, index.BuildOptions{Options: opts.Index, Progress: opts.Progress})
	if err != nil {
		return nil, err
	}
	return &TempLibrary{ix: ix, dir: dir, ans: answer.New(ix, opts.Answer, opts.Summarizer, opts.MaxPassages)}, nil
}

// Search ranks passages, with quotes, as the product does.
func (l *TempLibrary) Search(ctx context.Context, q string, k int) ([]briefbot.Hit, error) {
	return l.ix.Search(ctx, q, k)
}

// Ask answers a question.
func (l *TempLibrary) Ask(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
	return l.ans.Ask(ctx, req)
}

// Passage finds an indexed passage.
func (l *TempLibrary) Passage(id string) (briefbot.Passage, bool) { return l.ix.Passage(id) }

// Info describes the index.
func (l *TempLibrary) Info() briefbot.IndexInfo { return l.ix.Info() }

// Close closes the index and removes its folder.
func (l *TempLibrary) Close() error { return closeTempIndex(l.ix, l.dir) }
