package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/index"
)

// BEIRDoc is one record of a BEIR corpus.jsonl.
type BEIRDoc struct {
	ID    string
	Title string
	Text  string
}

// Query is one record of a BEIR queries.jsonl.
type Query struct {
	ID   string
	Text string
}

// BEIR is a loaded collection. Queries holds only the queries that have
// judgements, in queries.jsonl order.
type BEIR struct {
	Name    string
	Docs    []BEIRDoc
	Queries []Query
	Qrels   map[string]Qrels
}

// flexString accepts a JSON string or number: some BEIR sets write IDs as
// numbers.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id %s: neither string nor number", b)
	}
	*f = flexString(n.String())
	return nil
}

// LoadBEIR reads corpus.jsonl, queries.jsonl and qrels/test.tsv from dir.
func LoadBEIR(dir string) (*BEIR, error) {
	b := &BEIR{Name: filepath.Base(filepath.Clean(dir))}
	docs, err := LoadCorpus(dir)
	if err != nil {
		return nil, err
	}
	b.Docs = docs
	qrels, err := readQrels(filepath.Join(dir, "qrels", "test.tsv"))
	if err != nil {
		return nil, err
	}
	b.Qrels = qrels
	err = readJSONL(filepath.Join(dir, "queries.jsonl"), func(raw []byte) error {
		var rec struct {
			ID   flexString `json:"_id"`
			Text string     `json:"text"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		if _, judged := qrels[string(rec.ID)]; judged {
			b.Queries = append(b.Queries, Query{ID: string(rec.ID), Text: rec.Text})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(b.Queries) == 0 {
		return nil, fmt.Errorf("load %s: no query has judgements", dir)
	}
	return b, nil
}

// LoadCorpus reads the records of corpus.jsonl in the BEIR collection dir,
// in file order; the queries and judgements are not needed.
func LoadCorpus(dir string) ([]BEIRDoc, error) {
	var docs []BEIRDoc
	err := readJSONL(filepath.Join(dir, "corpus.jsonl"), func(raw []byte) error {
		var rec struct {
			ID    flexString `json:"_id"`
			Title string     `json:"title"`
			Text  string     `json:"text"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
		if rec.ID == "" {
			return errors.New("record without _id")
		}
		docs = append(docs, BEIRDoc{ID: string(rec.ID), Title: rec.Title, Text: rec.Text})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return docs, nil
}

func readJSONL(path string, each func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load %s: %w", path, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	for line := 1; ; line++ {
		raw, err := r.ReadBytes('\n')
		if len(strings.TrimSpace(string(raw))) > 0 {
			if perr := each(raw); perr != nil {
				return fmt.Errorf("load %s:%d: %w", path, line, perr)
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("load %s: %w", path, err)
		}
	}
}

// readQrels reads "query-id corpus-id score" lines; a first line whose score
// is not a number is the header.
func readQrels(path string) (map[string]Qrels, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return parseQrels(path, raw)
}

func parseQrels(path string, raw []byte) (map[string]Qrels, error) {
	out := make(map[string]Qrels)
	for i, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("load %s:%d: want 3 fields, got %d", path, i+1, len(f))
		}
		score, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			if i == 0 {
				continue
			}
			return nil, fmt.Errorf("load %s:%d: score: %w", path, i+1, err)
		}
		if out[f[0]] == nil {
			out[f[0]] = Qrels{}
		}
		out[f[0]][f[1]] = int(score)
	}
	return out, nil
}

// Report is the outcome of a BEIR run; metrics are means over Queries.
type Report struct {
	Collection string
	NDCG10     float64
	Recall100  float64
	MAP        float64
	Queries    int
	Documents  int
	Passages   int
	// IndexTime and SearchTime are wall-clock durations, for display only.
	IndexTime  time.Duration
	SearchTime time.Duration
}

func (r Report) String() string {
	return fmt.Sprintf("%s: nDCG@10 %.4f  Recall@100 %.4f  MAP %.4f  (%d queries, %d documents, %d passages; index %s, search %s)",
		r.Collection, r.NDCG10, r.Recall100, r.MAP, r.Queries, r.Documents, r.Passages,
		r.IndexTime.Round(time.Millisecond), r.SearchTime.Round(time.Millisecond))
}

// Indexer builds a Searcher over docs; the returned func releases it.
type Indexer func(ctx context.Context, docs []briefbot.Document) (briefbot.Searcher, func(), error)

// BEIROptions configure RunBEIR; the zero value is the standard run.
type BEIROptions struct {
	// Split turns a corpus record into a document with passages; the
	// default is Passages(Corpus), the product's own splitting.
	Split func(BEIRDoc) briefbot.Document
	// Corpus configures the default Split.
	Corpus corpus.Options
	// Index builds the searcher; the default is TempIndex with default
	// options.
	Index Indexer
	// K is the number of passages retrieved per query; default 1000, which
	// leaves at least 100 distinct documents for Recall@100 in practice.
	K int
}

// Passages splits a BEIR record into passages as the corpus package splits
// any plain text, so that evaluation measures what the bot searches.
func Passages(opts corpus.Options) func(BEIRDoc) briefbot.Document {
	return func(d BEIRDoc) briefbot.Document {
		doc := corpus.PlainDocument(d.ID, d.Title, d.Text, opts)
		doc.Source = "beir:" + d.ID
		return doc
	}
}

// OnePassage makes a document of a BEIR record with the whole record as its
// only passage, the unit BEIR judges: the setting of published BM25
// baselines.
func OnePassage(d BEIRDoc) briefbot.Document {
	return briefbot.Document{
		ID:     d.ID,
		Title:  d.Title,
		Source: "beir:" + d.ID,
		Passages: []briefbot.Passage{{
			ID: d.ID, DocID: d.ID, Title: d.Title, Ordinal: 1, Paragraph: 1, Text: d.Text,
		}},
	}
}

// TempIndex is an Indexer that builds an index in a temporary directory
// with the index package, removed on release. Its searcher ranks without
// quotes, which evaluation does not need.
func TempIndex(opts index.Options) Indexer {
	return func(ctx context.Context, docs []briefbot.Document) (briefbot.Searcher, func(), error) {
		ix, dir, err := tempIndex(ctx, docs, index.BuildOptions{Options: opts})
		if err != nil {
			return nil, nil, err
		}
		return rankOnly{ix}, func() { _ = closeTempIndex(ix, dir) }, nil
	}
}

// tempIndex builds and opens an index of docs in a new temporary folder.
func tempIndex(ctx context.Context, docs []briefbot.Document, opts index.BuildOptions) (*index.Index, string, error) {
	dir, err := os.MkdirTemp("", "briefbot-eval-*")
	if err != nil {
		return nil, "", fmt.Errorf("eval index: %w", err)
	}
	ix, err := index.BuildOpen(ctx, dir, docs, opts)
	if err != nil {
		return nil, "", errors.Join(fmt.Errorf("eval index: %w", err), os.RemoveAll(dir))
	}
	return ix, dir, nil
}

// closeTempIndex closes an index that tempIndex made and removes its folder.
func closeTempIndex(ix *index.Index, dir string) error {
	err := ix.Close()
	if rerr := os.RemoveAll(dir); rerr != nil {
		err = errors.Join(err, fmt.Errorf("eval index: %w", rerr))
	}
	return err
}

type rankOnly struct{ ix *index.Index }

func (r rankOnly) Search(ctx context.Context, q string, k int) ([]briefbot.Hit, error) {
	return r.ix.Rank(ctx, q, k)
}

// RunBEIR loads the BEIR collection in dir, indexes it and evaluates every
// judged query, ranking documents by their best passage.
func RunBEIR(ctx context.Context, dir string, opts BEIROptions) (Report, error) {
	b, err := LoadBEIR(dir)
	if err != nil {
		return Report{}, err
	}
	return b.Run(ctx, opts)
}

// Run indexes the collection and evaluates it.
func (b *BEIR) Run(ctx context.Context, opts BEIROptions) (Report, error) {
	split := opts.Split
	if split == nil {
		split = Passages(opts.Corpus)
	}
	indexer := opts.Index
	if indexer == nil {
		indexer = TempIndex(index.Options{})
	}
	docs := make([]briefbot.Document, len(b.Docs))
	passages := 0
	for i, d := range b.Docs {
		docs[i] = split(d)
		passages += len(docs[i].Passages)
	}
	start := time.Now()
	s, release, err := indexer(ctx, docs)
	if err != nil {
		return Report{}, fmt.Errorf("evaluate %s: %w", b.Name, err)
	}
	defer release()
	rep := Report{Collection: b.Name, Documents: len(docs), Passages: passages, IndexTime: time.Since(start)}
	start = time.Now()
	scores, err := b.Evaluate(ctx, s, opts.K)
	if err != nil {
		return Report{}, fmt.Errorf("evaluate %s: %w", b.Name, err)
	}
	rep.SearchTime = time.Since(start)
	rep.NDCG10, rep.Recall100, rep.MAP, rep.Queries = scores.NDCG10, scores.Recall100, scores.MAP, scores.Queries
	return rep, nil
}

// Evaluate searches every judged query with s (k passages each, default
// 1000), ranks documents by their best passage and averages the metrics.
func (b *BEIR) Evaluate(ctx context.Context, s briefbot.Searcher, k int) (Report, error) {
	if k <= 0 {
		k = 1000
	}
	type result struct{ ndcg, recall, ap float64 }
	results := make([]result, len(b.Queries))
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range jobs {
				q := b.Queries[i]
				hits, err := s.Search(ctx, q.Text, k)
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("query %s: %w", q.ID, err); cancel() })
					continue
				}
				ranked := RankDocuments(hits)
				rel := b.Qrels[q.ID]
				results[i] = result{NDCG(ranked, rel, 10), Recall(ranked, rel, 100), AveragePrecision(ranked, rel)}
			}
		})
	}
feed:
	for i := range b.Queries {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return Report{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	var rep Report
	for _, r := range results {
		rep.NDCG10 += r.ndcg
		rep.Recall100 += r.recall
		rep.MAP += r.ap
	}
	n := float64(len(results))
	rep.NDCG10, rep.Recall100, rep.MAP, rep.Queries = rep.NDCG10/n, rep.Recall100/n, rep.MAP/n, len(results)
	return rep, nil
}

// RankDocuments turns ranked passages into ranked document IDs: a document
// ranks where its best passage does.
func RankDocuments(hits []briefbot.Hit) []string {
	seen := make(map[string]bool, len(hits))
	var out []string
	for _, h := range hits {
		if id := h.Passage.DocID; !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
