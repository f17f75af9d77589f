package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/index"
	"github.com/briefbot/briefbot/internal/eval"
)

// benchJSON is bench --json; its field names are a contract (see README).
type benchJSON struct {
	Collection string `json:"collection"`
	Documents  int    `json:"documents"`
	Passages   int    `json:"passages"`
	Queries    int    `json:"queries"`
	Rounds     int    `json:"rounds"`
	// RelatedWeight is retrieval.synonyms, the weight of related words in
	// the rows marked related.
	RelatedWeight float64 `json:"related_weight"`
	// Built reports that this run built the index (in BuildMS); StartupMS
	// is then measured on a second opening of the current index.
	Built     bool    `json:"built"`
	BuildMS   float64 `json:"build_ms"`
	StartupMS float64 `json:"startup_ms"`
	// FirstQueryMS is the first query after start-up (search, depth 10,
	// related words on), whose cost the rows do not show.
	FirstQueryMS float64        `json:"first_query_ms"`
	Rows         []benchRowJSON `json:"rows"`
	// NDCG10 and NDCG10Plain are nDCG@10 of the depth-100 ranking, related
	// words on and off: a sanity check that the timed runs rank as eval does.
	NDCG10      float64 `json:"ndcg@10"`
	NDCG10Plain float64 `json:"ndcg@10_plain"`
	CPUs        int     `json:"cpus"`
	// LoadAvg is /proc/loadavg's 1, 5 and 15 minute averages at the start
	// of the timed rounds, "" where there is none.
	LoadAvg string `json:"loadavg"`
}

type benchRowJSON struct {
	Name string `json:"name"` // mode/depth/related|plain[/shownN]
	// Mode is rank, search, or followup: a search of each question
	// asked after the one before it (SearchInContext, the nearer turn's
	// weight), as a conversation's follow-ups are.
	Mode    string `json:"mode"`
	Depth   int    `json:"depth"`
	Related bool   `json:"related"`
	// Shown is how many hits of a search carry their text and quote: all
	// (the depth) for Search, the first 10 in the rows of a list that
	// shows ten (SearchShown), 0 for rank.
	Shown  int     `json:"shown"`
	P50MS  float64 `json:"p50_ms"`
	P99MS  float64 `json:"p99_ms"`
	MeanMS float64 `json:"mean_ms"`
}

// benchCase is one row of the bench: what is called, how deep, with
// related words or not, and for a search how many hits are quoted.
type benchCase struct {
	mode    string
	depth   int
	related bool
	shown   int
}

func (c benchCase) name() string {
	r := "plain"
	if c.related {
		r = "related"
	}
	name := fmt.Sprintf("%s/%d/%s", c.mode, c.depth, r)
	if c.mode != "rank" && c.shown < c.depth {
		name += fmt.Sprintf("/shown%d", c.shown)
	}
	return name
}

// benchShown is how many results a list shows in full: the depth-100
// search rows are run twice, quoting all hits and quoting these.
const benchShown = 10

var benchCases = func() []benchCase {
	var cs []benchCase
	for _, mode := range []string{"rank", "search"} {
		for _, depth := range []int{10, 100} {
			for _, related := range []bool{true, false} {
				switch {
				case mode == "rank":
					cs = append(cs, benchCase{mode, depth, related, 0})
				case depth > benchShown:
					cs = append(cs, benchCase{mode, depth, related, depth}, benchCase{mode, depth, related, benchShown})
				default:
					cs = append(cs, benchCase{mode, depth, related, depth})
				}
			}
		}
	}
	for _, related := range []bool{true, false} {
		cs = append(cs, benchCase{"followup", 10, related, 10})
	}
	return cs
}()

// benchFollowUpWeight is what a follow-up's nearer turn weighs in the
// product's conversations (see answer's contextWeight).
const benchFollowUpWeight = 0.5

func runBench(ctx context.Context, e *env, args []string) error {
	start := time.Now()
	fs := e.flagSet("bench", "--beir FOLDER", `Per-query latency of ranking and search on a BEIR collection.
  The collection (corpus.jsonl, queries.jsonl, qrels/test.tsv) is indexed as eval --beir
  indexes it, into DATA/bench/NAME (kept, and opened when current); then every judged query is
  run through Rank (ranking only) and Search (with quotes, as shown) at depth 10 and 100, with
  the related words of retrieval.synonyms and without; at depth 100 the search is run quoting
  all 100 hits and quoting the first 10 (rows ending /shown10: a list that shows ten). Rows
  followup/10/...: each query searched as a follow-up of the one before it. One
  untimed warm-up pass, then --rounds timed rounds; each row is the round with the median p50.
  Also start-up (command start to index ready: load, split, open the current index) and
  nDCG@10 as a sanity check.`)
	beir := fs.String("beir", "", "BEIR collection `folder`")
	rounds := fs.Int("rounds", 3, "`N` timed rounds; the median one is reported")
	asJSON := fs.Bool("json", false, "print JSON")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the warm-up and timed rounds to `file`")
	if err := parseNoArgs(fs, args, ""); err != nil {
		return err
	}
	if *beir == "" {
		return fmt.Errorf("%w: needs --beir FOLDER", errUsage)
	}
	if *rounds < 1 {
		return fmt.Errorf("%w: --rounds must be at least 1", errUsage)
	}
	if _, err := e.config(); err != nil {
		return err
	}
	if fi, err := os.Stat(*beir); err != nil {
		return fmt.Errorf("bench: --beir %s: %w", *beir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("bench: --beir %s: not a folder (want corpus.jsonl, queries.jsonl and qrels/test.tsv in it)", *beir)
	}
	opts := e.indexOptions()
	root := filepath.Join(e.cfg.DataDir, "bench", filepath.Base(filepath.Clean(*beir)))
	out := benchJSON{Rounds: *rounds, RelatedWeight: opts.Synonyms, CPUs: runtime.GOMAXPROCS(0)}

	b, ix, built, err := e.openBench(ctx, *beir, root, opts)
	if err != nil {
		return err
	}
	if built {
		// The start-up a user sees is that of an index already built.
		out.Built, out.BuildMS = true, ms(time.Since(start))
		if err := ix.Close(); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		start = time.Now()
		if b, ix, built, err = e.openBench(ctx, *beir, root, opts); err != nil {
			return err
		} else if built {
			ix.Close()
			return errors.New("bench: the index just built was built again on opening")
		}
	}
	out.StartupMS = ms(time.Since(start))
	defer ix.Close()
	// What a one-off CLI call pays on top: its first query, with what the
	// index learns on first use.
	t0 := time.Now()
	if _, err := ix.Search(ctx, b.Queries[0].Text, 10); err != nil {
		return fmt.Errorf("bench: first query: %w", err)
	}
	out.FirstQueryMS = ms(time.Since(t0))
	plainOpts := opts
	plainOpts.Synonyms = 0
	plain, err := index.Open(root, plainOpts)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer plain.Close()
	info := ix.Info()
	out.Collection, out.Documents, out.Passages, out.Queries = b.Name, info.Documents, info.Passages, len(b.Queries)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("bench: %w", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				e.log.Warn("cpu profile not written", "file", *cpuprofile, "error", err)
			}
		}()
	}
	if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(raw)); len(f) >= 3 {
			out.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	handle := func(c benchCase) *index.Index {
		if c.related {
			return ix
		}
		return plain
	}
	// Warm-up: every case once, untimed; the depth-100 rankings give the
	// nDCG@10 sanity check.
	for _, c := range benchCases {
		var sum float64
		err := benchPass(ctx, handle(c), c, b.Queries, nil, func(q eval.Query, hits []briefbot.Hit) {
			sum += eval.NDCG(eval.RankDocuments(hits), b.Qrels[q.ID], 10)
		})
		if err != nil {
			return err
		}
		if c.mode == "rank" && c.depth == 100 {
			if c.related {
				out.NDCG10 = sum / float64(len(b.Queries))
			} else {
				out.NDCG10Plain = sum / float64(len(b.Queries))
			}
		}
	}
	// Rounds run every case in turn, so that a change in the machine's load
	// weighs on all rows alike.
	perCase := make([][]benchRowJSON, len(benchCases))
	times := make([]time.Duration, len(b.Queries))
	for range *rounds {
		for i, c := range benchCases {
			if err := benchPass(ctx, handle(c), c, b.Queries, times, nil); err != nil {
				return err
			}
			p50, p99, mean := latencies(times)
			perCase[i] = append(perCase[i], benchRowJSON{Name: c.name(), Mode: c.mode, Depth: c.depth, Related: c.related, Shown: c.shown,
				P50MS: ms(p50), P99MS: ms(p99), MeanMS: ms(mean)})
		}
	}
	for _, rs := range perCase {
		slices.SortStableFunc(rs, func(a, b benchRowJSON) int { return cmp.Compare(a.P50MS, b.P50MS) })
		out.Rows = append(out.Rows, rs[len(rs)/2])
	}
	if *asJSON {
		return newEncoder(e.stdout).Encode(out)
	}
	printBench(e.stdout, out)
	return nil
}

// openBench loads the collection, splits it as eval --beir does and opens
// its index under root, building it first when it is missing or stale.
func (e *env) openBench(ctx context.Context, dir, root string, opts index.Options) (*eval.BEIR, *index.Index, bool, error) {
	b, err := eval.LoadBEIR(dir)
	if err != nil {
		return nil, nil, false, fmt.Errorf("bench: %w", err)
	}
	split := eval.Passages(e.corpusOptions())
	docs := make([]briefbot.Document, len(b.Docs))
	for i, d := range b.Docs {
		docs[i] = split(d)
	}
	bar := e.newProgress()
	ix, built, err := index.EnsureCurrent(ctx, root, docs, index.BuildOptions{Options: opts, Progress: bar.update})
	if err != nil {
		bar.fail()
		return nil, nil, false, fmt.Errorf("bench: %w", err)
	}
	bar.finish(ix.Info())
	return b, ix, built, nil
}

// benchPass runs every query once as c says, timing each into times when
// it is not nil and handing the hits to seen when that is not nil.
func benchPass(ctx context.Context, ix *index.Index, c benchCase, qs []eval.Query, times []time.Duration, seen func(eval.Query, []briefbot.Hit)) error {
	call := func(ctx context.Context, i int, k int) ([]briefbot.Hit, error) {
		switch {
		case c.mode == "search":
			return ix.SearchShown(ctx, qs[i].Text, k, c.shown)
		case c.mode == "followup" && i > 0:
			return ix.SearchInContext(ctx, qs[i].Text, []index.Weighted{{Text: qs[i-1].Text, Weight: benchFollowUpWeight}}, k)
		case c.mode == "followup":
			return ix.Search(ctx, qs[i].Text, k)
		}
		return ix.Rank(ctx, qs[i].Text, k)
	}
	// The garbage of the case before (search at depth 100 makes much) is
	// collected now, not during this case's queries.
	runtime.GC()
	for i, q := range qs {
		t0 := time.Now()
		hits, err := call(ctx, i, c.depth)
		if times != nil {
			times[i] = time.Since(t0)
		}
		if err != nil {
			return fmt.Errorf("bench: %s: query %s: %w", c.name(), q.ID, err)
		}
		if seen != nil {
			seen(q, hits)
		}
	}
	return nil
}

// latencies returns the nearest-rank p50 and p99 and the mean of ts, which
// it sorts.
func latencies(ts []time.Duration) (p50, p99, mean time.Duration) {
	if len(ts) == 0 {
		return 0, 0, 0
	}
	slices.Sort(ts)
	var sum time.Duration
	for _, t := range ts {
		sum += t
	}
	return nearestRank(ts, 0.50), nearestRank(ts, 0.99), sum / time.Duration(len(ts))
}

// nearestRank is the p-quantile of sorted ts: the smallest value with at
// least a share p of ts at or below it.
func nearestRank(ts []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(ts)))) - 1
	return ts[max(0, min(i, len(ts)-1))]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func printBench(w io.Writer, r benchJSON) {
	load := ""
	if r.LoadAvg != "" {
		load = "; load " + r.LoadAvg
	}
	fmt.Fprintf(w, "%s: %d documents, %d passages, %d queries; related words at %g; %d CPUs%s\n",
		r.Collection, r.Documents, r.Passages, r.Queries, r.RelatedWeight, r.CPUs, load)
	if r.Built {
		fmt.Fprintf(w, "index built in %.1f s; ", r.BuildMS/1e3)
	}
	fmt.Fprintf(w, "start-up %.0f ms (command start to current index open), then first query %.1f ms\n", r.StartupMS, r.FirstQueryMS)
	rounds := "1 round"
	if r.Rounds > 1 {
		rounds = fmt.Sprintf("median of %d rounds", r.Rounds)
	}
	fmt.Fprintf(w, "per query, ms (%s)    p50      p99     mean\n", rounds)
	for _, row := range r.Rows {
		fmt.Fprintf(w, "%-28s %8.3f %8.3f %8.3f\n", row.Name, row.P50MS, row.P99MS, row.MeanMS)
	}
	fmt.Fprintf(w, "nDCG@10 %.4f (related words off: %.4f)\n", r.NDCG10, r.NDCG10Plain)
}
