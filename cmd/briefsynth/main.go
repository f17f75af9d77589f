// Command briefsynth writes the synthetic corpora that briefbot's scale
// figures are measured on (see the README's Speed section): a BEIR
// collection's records kept as they are, then records made of its titles and
// sentences drawn at random, until the corpus holds -records records. The
// words are the collection's, in its proportions; the original records keep
// their judgements, so nDCG@10 still says something of the ranking among
// many more distractors. The same flags and seed write the same bytes.
//
//	go run ./cmd/briefsynth -from ../shared/eval/scifact -records 1000000 -out /tmp/synth1m
//	briefbot --data /tmp/d bench --beir /tmp/synth1m --rounds 1
//
// With -files N the records are written as N JSONL files part-1.jsonl … for
// `briefbot index --corpus DIR` instead of a BEIR folder.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/internal/eval"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("briefsynth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "BEIR collection `folder` to draw from (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
	out := fs.String("out", "", "`folder` to write (created; must not hold a corpus.jsonl or part-1.jsonl yet)")
	records := fs.Int("records", 100000, "`N` records in all, the originals included")
	files := fs.Int("files", 0, "write `N` JSONL files part-1.jsonl… (for index --corpus) instead of a BEIR folder")
	seed := fs.Uint64("seed", 1, "random `seed`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *from == "" || *out == "" || *records < 1 || *files < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "briefsynth: needs -from FOLDER -out FOLDER, -records ≥ 1, -files ≥ 0 and no arguments")
		return 2
	}
	if err := synthesize(*from, *out, *records, *files, *seed); err != nil {
		fmt.Fprintln(stderr, "briefsynth:", err)
		return 1
	}
	return 0
}

// A drawn record's text is minText to maxText bytes of sentences of at
// most maxSentence bytes (the first sentence drawn may end it past want
// but never past maxText, since maxSentence < maxText).
const minText, maxText, maxSentence = 300, 950, 600

// record is one line of the corpus written, in BEIR's field names.
type record struct {
	ID    string `json:"_id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

func synthesize(from, out string, records, files int, seed uint64) error {
	docs, err := eval.LoadCorpus(from)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return fmt.Errorf("%s: no records", from)
	}
	var titles, sentences []string
	for _, d := range docs {
		if d.Title != "" {
			titles = append(titles, d.Title)
		}
		for _, s := range corpus.Sentences(d.Text) {
			// Sentences the splitter could not part (a missing space
			// after a full stop glues them) are left out: a record must
			// stay one passage.
			if t := strings.TrimSpace(d.Text[s.Start:s.End]); t != "" && len(t) <= maxSentence {
				sentences = append(sentences, t)
			}
		}
	}
	if len(sentences) == 0 {
		return fmt.Errorf("%s: no sentences to draw from", from)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	names := []string{"corpus.jsonl"}
	if files > 0 {
		names = names[:0]
		for i := range files {
			names = append(names, fmt.Sprintf("part-%d.jsonl", i+1))
		}
	}
	ws := make([]*jsonlFile, len(names))
	for i, n := range names {
		if ws[i], err = createJSONL(filepath.Join(out, n)); err != nil {
			for _, w := range ws[:i] {
				w.f.Close()
			}
			return err
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x62726965666279))
	for i := range records {
		var r record
		if i < len(docs) {
			r = record{ID: docs[i].ID, Title: docs[i].Title, Text: docs[i].Text}
		} else {
			r.ID = fmt.Sprintf("synth-%d", i)
			if len(titles) > 0 {
				r.Title = titles[rng.IntN(len(titles))]
			}
			// Sentences up to a length drawn between minText and
			// maxText: one passage each (corpus.DefaultMaxPassageChars).
			want := minText + rng.IntN(maxText-minText)
			var b strings.Builder
			for b.Len() < want {
				s := sentences[rng.IntN(len(sentences))]
				if b.Len() > 0 && b.Len()+1+len(s) > maxText {
					break
				}
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s)
			}
			r.Text = b.String()
		}
		if err := ws[i*len(ws)/records].enc.Encode(r); err != nil {
			return err
		}
	}
	var errs []error
	for _, w := range ws {
		errs = append(errs, w.close())
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if files > 0 {
		return nil
	}
	// The queries and judgements come along, so that out is a BEIR folder
	// bench and eval --beir can open.
	if err := copyFile(filepath.Join(from, "queries.jsonl"), filepath.Join(out, "queries.jsonl")); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "qrels"), 0o755); err != nil {
		return err
	}
	return copyFile(filepath.Join(from, "qrels", "test.tsv"), filepath.Join(out, "qrels", "test.tsv"))
}

type jsonlFile struct {
	f   *os.File
	buf *bufio.Writer
	enc *json.Encoder
}

func createJSONL(path string) (*jsonlFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return &jsonlFile{f, buf, enc}, nil
}

func (w *jsonlFile) close() error {
	err := w.buf.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", w.f.Name(), err)
	}
	return nil
}

func copyFile(src, dst string) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, raw, 0o644)
}
