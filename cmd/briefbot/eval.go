package main

import (
	"context"
	"fmt"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/internal/eval"
)

func runEval(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("eval", "--qa FILE | --beir FOLDER", `Measure retrieval quality.
  --qa FILE     JSONL {"id","query","gold"} on the configured corpus: Recall@1/@3/@5 and MRR
                (gold is a text, or a list of texts, that a right passage contains); of
                the answers: top-1 (citation [1] is a right passage), citation precision
                (right citations / citations shown) and the share answered; with
                --unanswerable FILE also the share of those questions refused.
  --beir FOLDER a BEIR collection (corpus.jsonl, queries.jsonl, qrels/test.tsv), indexed on
                its own: nDCG@10, Recall@100 and MAP, ranking documents by their best passage.
  --distractors FOLDER
                with --qa: add the records of a BEIR collection's corpus.jsonl to the corpus as
                documents (IDs "distractor:NAME/ID", split like any plain text) and measure in a
                temporary index; the data folder's index is left as it is.`)
	qa := fs.String("qa", "", "question `file` (JSONL of {\"id\",\"query\",\"gold\"})")
	unanswerable := fs.String("unanswerable", "", "with --qa: JSONL `file` of {\"id\",\"query\"} the corpus does not answer")
	distractors := fs.String("distractors", "", "with --qa: BEIR collection `folder` whose corpus is added as distractor documents")
	beir := fs.String("beir", "", "BEIR collection `folder`")
	whole := fs.Bool("whole", false, "with --beir: index each record as one passage instead of splitting it")
	asJSON := fs.Bool("json", false, "print JSON")
	verbose := fs.Bool("v", false, "list the questions not found at rank 1 and the answers not opening with a right citation")
	if pos, err := parseInterleaved(fs, args); err != nil {
		return err
	} else if len(pos) > 0 || (*qa == "") == (*beir == "") {
		return fmt.Errorf("%w: needs exactly one of --qa FILE or --beir FOLDER", errUsage)
	} else if *distractors != "" && *qa == "" {
		return fmt.Errorf("%w: --distractors goes with --qa", errUsage)
	}
	if _, err := e.config(); err != nil {
		return err
	}
	if *beir != "" {
		opts := eval.BEIROptions{Index: eval.TempIndex(e.indexOptions()), Split: eval.Passages(e.corpusOptions())}
		if *whole {
			opts.Split = eval.OnePassage
		}
		rep, err := eval.RunBEIR(ctx, *beir, opts)
		if err != nil {
			return err
		}
		if *asJSON {
			return encodeJSON(e.stdout, map[string]any{"collection": rep.Collection, "ndcg@10": rep.NDCG10,
				"recall@100": rep.Recall100, "map": rep.MAP, "queries": rep.Queries, "documents": rep.Documents, "passages": rep.Passages})
		}
		fmt.Fprintln(e.stdout, rep)
		return nil
	}
	items, err := eval.LoadQA(*qa)
	if err != nil {
		return err
	}
	var lib qaLibrary
	if *distractors != "" {
		tl, err := e.distractorLibrary(ctx, *distractors)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := tl.Close(); cerr != nil {
				e.log.Warn("eval index not removed", "error", cerr)
			}
		}()
		lib = tl
	} else if lib, err = e.library(ctx); err != nil {
		return err
	}
	rep, err := eval.RunQA(ctx, lib, items, 5)
	if err != nil {
		return err
	}
	// An answer counts as right when one of its citations is the passage
	// holding the gold text: a question marked answerable but answered
	// from the wrong passage is a wrong answer, not a refusal.
	ans, err := eval.RunAnswers(ctx, lib, lib.Passage, items)
	if err != nil {
		return err
	}
	refused, unans := 0, 0
	if *unanswerable != "" {
		qs, err := readQueries(*unanswerable, e.stdin)
		if err != nil {
			return err
		}
		unans = len(qs)
		for _, q := range qs {
			a, err := lib.Ask(ctx, briefbot.AskRequest{Question: q.Query})
			if err != nil {
				return err
			}
			if !a.Answerable {
				refused++
			} else if *verbose {
				fmt.Fprintf(e.stderr, "answered although not covered: %s %q -> %q\n", q.ID, q.Query, a.Text)
			}
		}
	}
	if *asJSON {
		out := map[string]any{"recall@1": rep.Recall1, "recall@3": rep.Recall3, "recall@5": rep.Recall5, "mrr": rep.MRR,
			"questions": rep.Queries, "answerable": ans.AnsweredRate(), "answered_with_gold": ans.WithGoldRate(),
			"answer_top1": ans.Top1Rate(), "citation_precision": ans.CitationPrecision()}
		if unans > 0 {
			out["unanswerable_refused"] = float64(refused) / float64(unans)
		}
		return newEncoder(e.stdout).Encode(out)
	}
	if *verbose {
		fmt.Fprintln(e.stdout, rep)
	} else {
		fmt.Fprintf(e.stdout, "QA: Recall@1 %.3f  Recall@3 %.3f  Recall@5 %.3f  MRR %.3f  (%d questions, %d not at rank 1; --v lists them)\n",
			rep.Recall1, rep.Recall3, rep.Recall5, rep.MRR, rep.Queries, len(rep.Misses))
	}
	fmt.Fprintln(e.stdout, ans)
	if *verbose {
		fmt.Fprint(e.stdout, ans.MissesString())
	}
	if unans > 0 {
		fmt.Fprintf(e.stdout, "Not covered: %d/%d unanswerable questions refused\n", refused, unans)
	}
	return nil
}

// qaLibrary is what eval --qa measures: the product's library, or a
// temporary one with distractors added.
type qaLibrary interface {
	briefbot.Searcher
	briefbot.Answerer
	Passage(id string) (briefbot.Passage, bool)
}

// distractorLibrary indexes the configured corpus with the corpus records
// of the BEIR collection in dir added, split into passages as the product
// splits plain text, in a temporary index.
func (e *env) distractorLibrary(ctx context.Context, dir string) (*eval.TempLibrary, error) {
	docs, failures, err := corpus.Load(ctx, e.cfg.Corpus.Paths, e.corpusOptions())
	for _, f := range failures {
		e.log.Warn("document skipped", "source", f.Source, "reason", f.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	extra, err := eval.Distractors(dir, eval.Passages(e.corpusOptions()))
	if err != nil {
		return nil, err
	}
	all, err := eval.WithDistractors(docs, extra)
	if err != nil {
		return nil, err
	}
	sum, err := e.summarizer()
	if err != nil {
		return nil, err
	}
	opts := eval.TempLibraryOptions{Index: e.indexOptions(), Answer: e.answerOptions(), MaxPassages: e.cfg.LLM.MaxPassages, Summarizer: sum}
	bar := e.newProgress()
	opts.Progress = bar.update
	lib, err := eval.OpenTempLibrary(ctx, all, opts)
	if err != nil {
		bar.fail()
		return nil, err
	}
	info := lib.Info()
	bar.finish(info)
	e.log.Info("eval index built with distractors", "distractors", dir, "documents", info.Documents, "passages", info.Passages)
	return lib, nil
}
