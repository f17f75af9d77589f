package index

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
)

// Benchmarks run on a synthetic corpus: words drawn from a Zipf
// distribution over a generated vocabulary with a fixed seed, so that every
// run indexes and queries the same text.
//
//	go test ./index -run='^$' -bench=. -benchtime=200x
//
// Build benchmarks report passages/s; search benchmarks (Search: top 5 with
// quotes; Rank: top 5 without) report p50-ms and p99-ms over their
// iterations. BenchmarkBleve* are baselines on the same
// passages: bleve's own mapping-driven indexing, and its default-scored
// match query (no quotes) on the very index Search uses.

var benchSizes = []int{1_000, 10_000, 100_000}

const (
	benchVocab           = 30_000
	benchPassagesPerDoc  = 10
	benchWordsPerPassage = 70 // mean; passages vary from 35 to 105 words
)

// benchWord spells vocabulary entry i as syllables, so words look like
// words to the analyzer and never collide.
func benchWord(i int) string {
	syll := []string{"ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "pe", "du", "ga", "zi", "ho", "be", "fu", "ly"}
	var b strings.Builder
	b.WriteString("q")
	for {
		b.WriteString(syll[i%len(syll)])
		i /= len(syll)
		if i == 0 {
			return b.String()
		}
	}
}

type zipfText struct {
	words []string
	z     *rand.Zipf
	r     *rand.Rand
}

func newZipfText(seed uint64) *zipfText {
	r := rand.New(rand.NewPCG(seed, 42))
	words := make([]string, benchVocab)
	for i := range words {
		words[i] = benchWord(i)
	}
	return &zipfText{words: words, r: r, z: rand.NewZipf(r, 1.07, 2, benchVocab-1)}
}

func (z *zipfText) sentence(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = z.words[z.z.Uint64()]
	}
	parts[0] = strings.ToUpper(parts[0][:1]) + parts[0][1:]
	return strings.Join(parts, " ") + "."
}

func (z *zipfText) passage() string {
	n := benchWordsPerPassage/2 + z.r.IntN(benchWordsPerPassage)
	var sents []string
	for n > 0 {
		l := min(n, 8+z.r.IntN(14))
		sents = append(sents, z.sentence(l))
		n -= l
	}
	return strings.Join(sents, " ")
}

var benchCorpora sync.Map // size -> []briefbot.Document

func benchCorpus(n int) []briefbot.Document {
	if v, ok := benchCorpora.Load(n); ok {
		return v.([]briefbot.Document)
	}
	z := newZipfText(uint64(n))
	var docs []briefbot.Document
	for i := 0; i < n; i += benchPassagesPerDoc {
		d := briefbot.Document{ID: fmt.Sprintf("doc%06d", i/benchPassagesPerDoc), Title: z.sentence(5)}
		for j := range min(benchPassagesPerDoc, n-i) {
			d.Passages = append(d.Passages, briefbot.Passage{
				ID: fmt.Sprintf("%s#%d", d.ID, j+1), DocID: d.ID, Title: d.Title,
				Section: "Section " + z.words[z.r.IntN(200)], Ordinal: j + 1, Paragraph: j + 1, Text: z.passage(),
			})
		}
		docs = append(docs, d)
	}
	benchCorpora.Store(n, docs)
	return docs
}

// benchQueries are question-like: a few mid-frequency words with a
// stopword, drawn from the same distribution.
func benchQueries() []string {
	z := newZipfText(7)
	qs := make([]string, 200)
	for i := range qs {
		n := 2 + z.r.IntN(5)
		words := []string{"what"}
		for range n {
			words = append(words, z.words[z.z.Uint64()])
		}
		qs[i] = strings.Join(words, " ") + "?"
	}
	return qs
}

var (
	benchMu      sync.Mutex
	benchIndexes = map[int]*Index{}
	benchTmp     string
)

func benchTempDir(b *testing.B) string {
	benchMu.Lock()
	defer benchMu.Unlock()
	if benchTmp == "" {
		dir, err := os.MkdirTemp("", "briefbot-index-bench-*")
		if err != nil {
			b.Fatal(err)
		}
		benchTmp = dir
	}
	dir, err := os.MkdirTemp(benchTmp, "root-*")
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// benchIndex builds the n-passage index once per process.
func benchIndex(b *testing.B, n int) *Index {
	benchMu.Lock()
	ix := benchIndexes[n]
	benchMu.Unlock()
	if ix != nil {
		return ix
	}
	root := benchTempDir(b)
	if _, err := Build(context.Background(), root, benchCorpus(n), BuildOptions{}); err != nil {
		b.Fatal(err)
	}
	ix, err := Open(root, Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchMu.Lock()
	benchIndexes[n] = ix
	benchMu.Unlock()
	return ix
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, ix := range benchIndexes {
		_ = ix.Close()
	}
	if benchTmp != "" {
		_ = os.RemoveAll(benchTmp)
	}
	os.Exit(code)
}

func sizeName(n int) string { return fmt.Sprintf("passages=%dk", n/1000) }

func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			docs := benchCorpus(n)
			for b.Loop() {
				root := benchTempDir(b)
				if _, err := Build(context.Background(), root, docs, BuildOptions{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = os.RemoveAll(root)
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "passages/s")
		})
	}
}

// BenchmarkBleveBuild is the indexing baseline: bleve's default mapping
// (standard analyzer, _all composite with term vectors) over the same
// passages, in batches of the same size.
func BenchmarkBleveBuild(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			docs := benchCorpus(n)
			for b.Loop() {
				root := benchTempDir(b)
				idx, err := bleve.New(root+"/bleve", bleve.NewIndexMapping())
				if err != nil {
					b.Fatal(err)
				}
				batch := idx.NewBatch()
				for _, d := range docs {
					for _, p := range d.Passages {
						if err := batch.Index(p.ID, map[string]string{"title": p.Title, "section": p.Section, "text": p.Text}); err != nil {
							b.Fatal(err)
						}
						if batch.Size() >= DefaultBatchSize {
							if err := idx.Batch(batch); err != nil {
								b.Fatal(err)
							}
							batch.Reset()
						}
					}
				}
				if err := idx.Batch(batch); err != nil {
					b.Fatal(err)
				}
				if err := idx.Close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = os.RemoveAll(root)
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "passages/s")
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	queries := benchQueries()
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			ix := benchIndex(b, n)
			ctx := context.Background()
			timed(b, func(i int) {
				hits, err := ix.Search(ctx, queries[i%len(queries)], 5)
				if err != nil {
					b.Fatal(err)
				}
				if len(hits) > 0 && hits[0].Quote == "" {
					b.Fatal("hit without quote")
				}
			})
		})
	}
}

// BenchmarkRank is Search without quotes, to separate ranking from quoting.
func BenchmarkRank(b *testing.B) {
	queries := benchQueries()
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			ix := benchIndex(b, n)
			ctx := context.Background()
			timed(b, func(i int) {
				if _, err := ix.Rank(ctx, queries[i%len(queries)], 5); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkBleveSearch is the search baseline: bleve's default-scored match
// query for the same question, top 5, on the same index, no quotes.
func BenchmarkBleveSearch(b *testing.B) {
	queries := benchQueries()
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			ix := benchIndex(b, n)
			ctx := context.Background()
			timed(b, func(i int) {
				q := bleve.NewMatchQuery(queries[i%len(queries)])
				q.SetField(fieldBody)
				q.Analyzer = analyzerName
				if _, err := ix.segs[0].bidx.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 5, 0, false)); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// timed runs op b.N times and reports the median and 99th percentile.
func timed(b *testing.B, op func(i int)) {
	b.Helper()
	durs := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		start := time.Now()
		op(i)
		durs = append(durs, time.Since(start))
		i++
	}
	slices.Sort(durs)
	pct := func(p float64) float64 {
		return float64(durs[min(len(durs)-1, int(p*float64(len(durs))))].Nanoseconds()) / 1e6
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkSearchSynonyms is Search as the product runs it: with related
// words for question words the corpus lacks. Each query carries two English
// words the synthetic vocabulary never uses, so every search expands.
func BenchmarkSearchSynonyms(b *testing.B) {
	extra := []string{"utilities", "dispute", "unmanned", "negotiations", "protesters", "swiftness", "Ankara", "EU"}
	queries := benchQueries()
	for i := range queries {
		queries[i] = strings.TrimSuffix(queries[i], "?") + " " + extra[i%len(extra)] + " " + extra[(i+3)%len(extra)] + "?"
	}
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			root := filepath.Dir(filepath.Dir(benchIndex(b, n).Dir()))
			ix, err := Open(root, Options{Synonyms: 0.7})
			if err != nil {
				b.Fatal(err)
			}
			defer ix.Close()
			timedSearch(b, ix, queries)
		})
	}
}

// BenchmarkSearchBrief is the product's own case: the built-in brief and
// the analysts' questions of testdata/, with related words. On a corpus this
// small, the time goes to analysing the question and looking up related
// words rather than to postings.
func BenchmarkSearchBrief(b *testing.B) {
	docs, err := corpus.Builtin(corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var queries []string
	for _, f := range []string{"brief_qa.jsonl", "brief_qa_holdout.jsonl", "brief_unanswerable.jsonl"} {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", f))
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			var q struct{ Query string }
			if err := json.Unmarshal([]byte(line), &q); err != nil {
				b.Fatalf("%s: %v", f, err)
			}
			queries = append(queries, q.Query)
		}
	}
	root := b.TempDir()
	opts := Options{Synonyms: 0.7}
	if _, err := Build(context.Background(), root, docs, BuildOptions{Options: opts}); err != nil {
		b.Fatal(err)
	}
	ix, err := Open(root, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	timedSearch(b, ix, queries)
}

// timedSearch times Search, top 5, over the queries in turn.
func timedSearch(b *testing.B, ix *Index, queries []string) {
	b.Helper()
	ctx := context.Background()
	timed(b, func(i int) {
		if _, err := ix.Search(ctx, queries[i%len(queries)], 5); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkSearchDepth separates what a search costs at the depths a
// caller asks for: 10 (what the bot shows) and 100 (search --json --k 100,
// evaluation), with quotes (Search) and without (Rank), with related words
// (the product's setting, Synonyms 0.7) and without. The 10k-passage
// synthetic corpus's queries carry two English words it never uses, as in
// BenchmarkSearchSynonyms; the brief's are the analysts' questions. With
// BRIEFBOT_BENCH_BEIR set to a BEIR collection folder (SciFact, say), its
// records split as the product splits them and its queries run too.
func BenchmarkSearchDepth(b *testing.B) {
	type collection struct {
		name    string
		docs    func(b testing.TB) []briefbot.Document
		queries []string
	}
	colls := []collection{{name: "zipf10k", docs: func(testing.TB) []briefbot.Document { return benchCorpus(10_000) }, queries: benchSynonymQueries()}}
	colls = append(colls, collection{name: "brief", docs: briefDocs, queries: briefQueries(b)})
	if dir := os.Getenv("BRIEFBOT_BENCH_BEIR"); dir != "" {
		docs, queries := beirBench(b, dir)
		colls = append(colls, collection{name: filepath.Base(filepath.Clean(dir)), docs: func(testing.TB) []briefbot.Document { return docs }, queries: queries})
	}
	for _, c := range colls {
		b.Run(c.name, func(b *testing.B) {
			root := b.TempDir()
			if _, err := Build(context.Background(), root, c.docs(b), BuildOptions{}); err != nil {
				b.Fatal(err)
			}
			for _, syn := range []float64{0, 0.7} {
				ix, err := Open(root, Options{Synonyms: syn})
				if err != nil {
					b.Fatal(err)
				}
				for _, depth := range []int{10, 100} {
					for _, quotes := range []bool{false, true} {
						name := fmt.Sprintf("related=%v/depth=%d/quotes=%v", syn > 0, depth, quotes)
						b.Run(name, func(b *testing.B) {
							ctx := context.Background()
							timed(b, func(i int) {
								q := c.queries[i%len(c.queries)]
								var err error
								if quotes {
									_, err = ix.Search(ctx, q, depth)
								} else {
									_, err = ix.Rank(ctx, q, depth)
								}
								if err != nil {
									b.Fatal(err)
								}
							})
						})
					}
				}
				if err := ix.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchSynonymQueries are benchQueries with two English words the
// synthetic vocabulary never uses, so that every search expands.
func benchSynonymQueries() []string {
	extra := []string{"utilities", "dispute", "unmanned", "negotiations", "protesters", "swiftness", "Ankara", "EU"}
	queries := benchQueries()
	for i := range queries {
		queries[i] = strings.TrimSuffix(queries[i], "?") + " " + extra[i%len(extra)] + " " + extra[(i+3)%len(extra)] + "?"
	}
	return queries
}

func briefDocs(b testing.TB) []briefbot.Document {
	docs, err := corpus.Builtin(corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return docs
}

// briefQueries are the analysts' questions of testdata/.
func briefQueries(b testing.TB) []string {
	var queries []string
	for _, f := range []string{"brief_qa.jsonl", "brief_qa_holdout.jsonl", "brief_unanswerable.jsonl"} {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", f))
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			var q struct{ Query string }
			if err := json.Unmarshal([]byte(line), &q); err != nil {
				b.Fatalf("%s: %v", f, err)
			}
			queries = append(queries, q.Query)
		}
	}
	return queries
}

// beirBench reads a BEIR collection's corpus.jsonl, split into passages as
// the product splits plain text, and its queries.jsonl.
func beirBench(b testing.TB, dir string) ([]briefbot.Document, []string) {
	var docs []briefbot.Document
	var queries []string
	read := func(name string, each func(id, title, text string)) {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			var rec struct {
				ID    json.RawMessage `json:"_id"`
				Title string          `json:"title"`
				Text  string          `json:"text"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			each(strings.Trim(string(rec.ID), `"`), rec.Title, rec.Text)
		}
	}
	read("corpus.jsonl", func(id, title, text string) {
		docs = append(docs, corpus.PlainDocument(id, title, text, corpus.Options{}))
	})
	read("queries.jsonl", func(_, _, text string) { queries = append(queries, text) })
	return docs, queries
}

// BenchmarkDescribe times what a search adds to ranking for each hit it
// shows (matches, coverage, quote), on the top 10 of every query, their
// texts read beforehand: the brief's questions, or with
// BRIEFBOT_BENCH_BEIR set a BEIR collection's.
func BenchmarkDescribe(b *testing.B) {
	docs, queries := briefDocs(b), briefQueries(b)
	if dir := os.Getenv("BRIEFBOT_BENCH_BEIR"); dir != "" {
		docs, queries = beirBench(b, dir)
	}
	root := b.TempDir()
	if _, err := Build(context.Background(), root, docs, BuildOptions{}); err != nil {
		b.Fatal(err)
	}
	ix, err := Open(root, Options{Synonyms: 0.7})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	type ranked struct {
		hits  []briefbot.Hit
		terms []queryTerm
	}
	var all []ranked
	for _, q := range queries {
		hits, terms, pos, err := ix.rank(context.Background(), q, nil, 10)
		if err != nil {
			b.Fatal(err)
		}
		for i := range hits {
			if hits[i].Passage, err = ix.passageAt(int(pos[i])); err != nil {
				b.Fatal(err)
			}
		}
		all = append(all, ranked{hits, terms})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := all[i%len(all)]
		d := ix.newDescriber(r.terms)
		for _, h := range r.hits {
			d.describe(&h)
		}
		d.release()
	}
}
