package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/briefbot/briefbot"
)

// The JSON shapes below are a public contract read by other tools: keep the
// field names exactly.

type searchResultJSON struct {
	Rank      int     `json:"rank"`
	Score     float64 `json:"score"`
	DocID     string  `json:"doc_id"`
	PassageID string  `json:"passage_id"`
	Title     string  `json:"title"`
	Section   string  `json:"section"`
	Text      string  `json:"text"`
	URL       string  `json:"url"`
}

type searchJSON struct {
	ID      string             `json:"id,omitempty"`
	Query   string             `json:"query"`
	Results []searchResultJSON `json:"results"`
}

type citationJSON struct {
	N         int    `json:"n"`
	DocID     string `json:"doc_id"`
	PassageID string `json:"passage_id"`
	Title     string `json:"title"`
	Section   string `json:"section"`
	// Page is set for passages of paged documents (PDF) only.
	Page  int    `json:"page,omitempty"`
	URL   string `json:"url"`
	Quote string `json:"quote"`
}

type askJSON struct {
	ID             string         `json:"id,omitempty"`
	Question       string         `json:"question"`
	Answer         string         `json:"answer"`
	Answerable     bool           `json:"answerable"`
	Mode           string         `json:"mode"`
	Citations      []citationJSON `json:"citations"`
	FallbackReason string         `json:"fallback_reason,omitempty"`
}

type documentJSON struct {
	DocID     string   `json:"doc_id"`
	Title     string   `json:"title"`
	Authors   []string `json:"authors"`
	Published string   `json:"published"`
	URL       string   `json:"url"`
	Passages  int      `json:"passages"`
}

type passageJSON struct {
	PassageID string          `json:"passage_id"`
	DocID     string          `json:"doc_id"`
	Section   string          `json:"section"`
	Ordinal   int             `json:"ordinal"`
	Text      string          `json:"text"`
	Links     []briefbot.Link `json:"links"`
}

func toSearchJSON(id, q string, hits []briefbot.Hit) searchJSON {
	out := searchJSON{ID: id, Query: q, Results: []searchResultJSON{}}
	for _, h := range hits {
		out.Results = append(out.Results, searchResultJSON{
			Rank: h.Rank, Score: h.Score, DocID: h.Passage.DocID, PassageID: h.Passage.ID,
			Title: h.Passage.Title, Section: h.Passage.Section, Text: h.Passage.Text, URL: h.Passage.URL,
		})
	}
	return out
}

func toAskJSON(id string, a briefbot.Answer) askJSON {
	out := askJSON{ID: id, Question: a.Question, Answer: a.Text, Answerable: a.Answerable, Mode: a.Mode,
		Citations: []citationJSON{}, FallbackReason: a.FallbackReason}
	for _, c := range a.Citations {
		out.Citations = append(out.Citations, citationJSON{N: c.N, DocID: c.DocID, PassageID: c.PassageID,
			Title: c.Title, Section: c.Section, Page: c.Page, URL: c.URL, Quote: c.Quote})
	}
	return out
}

// query is one line of a --queries file.
type query struct {
	ID    string `json:"id"`
	Query string `json:"query"`
}

// maxQueryLine bounds one line of a --queries file.
const maxQueryLine = 4 << 20

// readQueries reads a JSONL file of {"id","query"}; "-" is standard input.
func readQueries(path string, stdin io.Reader) ([]query, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("queries: %w", err)
		}
		defer f.Close()
		r = f
	}
	var qs []query
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxQueryLine)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var q query
		if err := json.Unmarshal([]byte(text), &q); err != nil {
			return nil, fmt.Errorf("queries %s:%d: %w", path, line, err)
		}
		if strings.TrimSpace(q.Query) == "" {
			return nil, fmt.Errorf("queries %s:%d: empty \"query\"", path, line)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("queries %s:%d: line longer than %d bytes", path, line+1, maxQueryLine)
		}
		return nil, fmt.Errorf("queries %s:%d: %w", path, line+1, err)
	}
	return qs, nil
}

// questionArgs returns the single question of a command, or the batch from
// --queries; exactly one of the two must be given.
func questionArgs(positional []string, queriesPath string, stdin io.Reader) ([]query, bool, error) {
	q := strings.TrimSpace(strings.Join(positional, " "))
	switch {
	case queriesPath != "" && q != "":
		return nil, false, fmt.Errorf("%w: give either a question or --queries, not both", errUsage)
	case queriesPath != "":
		qs, err := readQueries(queriesPath, stdin)
		return qs, true, err
	case q == "":
		return nil, false, fmt.Errorf("%w: a question is required (or --queries FILE)", errUsage)
	}
	return []query{{Query: q}}, false, nil
}

func runSearch(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("search", "[QUERY]", "Ranked passages for a query, best first.")
	asJSON := fs.Bool("json", false, "print JSON")
	k := fs.Int("k", 5, "number of results")
	queries := fs.String("queries", "", "JSONL `file` of {\"id\",\"query\"} to run in one process (- for stdin)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *k < 1 {
		return fmt.Errorf("%w: --k must be at least 1", errUsage)
	}
	qs, batch, err := questionArgs(pos, *queries, e.stdin)
	if err != nil {
		return err
	}
	lib, err := e.library(ctx)
	if err != nil {
		return err
	}
	enc := newEncoder(e.stdout)
	for _, q := range qs {
		hits, err := lib.Search(ctx, q.Query, *k)
		if err != nil {
			return err
		}
		switch {
		case *asJSON || batch:
			if err := enc.Encode(toSearchJSON(q.ID, q.Query, hits)); err != nil {
				return err
			}
		default:
			printHits(e.stdout, hits)
		}
	}
	return nil
}

func printHits(w io.Writer, hits []briefbot.Hit) {
	if len(hits) == 0 {
		fmt.Fprintln(w, "No passage matches.")
		return
	}
	for _, h := range hits {
		p := h.Passage
		fmt.Fprintf(w, "%d. %s — %s %s  (score %.2f)\n", h.Rank, p.Title, p.Section, briefbot.Place(p.Paragraph, p.Page), h.Score)
		if h.Quote != "" {
			fmt.Fprintf(w, "   > %s\n", h.Quote)
		}
		fmt.Fprintf(w, "   %s\n", p.ID)
		if p.URL != "" {
			fmt.Fprintf(w, "   %s\n", p.URL)
		}
		fmt.Fprintln(w)
	}
}

func runAsk(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("ask", "[QUESTION]", "Answer a question from the documents, with numbered citations.")
	asJSON := fs.Bool("json", false, "print JSON")
	queries := fs.String("queries", "", "JSONL `file` of {\"id\",\"query\"} to answer in one process (- for stdin)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	qs, batch, err := questionArgs(pos, *queries, e.stdin)
	if err != nil {
		return err
	}
	lib, err := e.library(ctx)
	if err != nil {
		return err
	}
	enc := newEncoder(e.stdout)
	live := !*asJSON && !batch && e.terminal(e.stdout)
	for _, q := range qs {
		req := briefbot.AskRequest{Question: q.Query}
		var shown string
		if live {
			// On a terminal a model's answer appears as it is written.
			req.OnPartial = func(text string) {
				if strings.HasPrefix(text, shown) {
					fmt.Fprint(e.stdout, text[len(shown):])
					shown = text
				}
			}
		}
		a, err := lib.Ask(ctx, req)
		if err != nil {
			return err
		}
		if *asJSON || batch {
			if err := enc.Encode(toAskJSON(q.ID, a)); err != nil {
				return err
			}
			continue
		}
		if shown != "" {
			if a.Mode == briefbot.ModeLLM && strings.HasPrefix(a.Text, shown) {
				// Finish the streamed text; printAnswer adds the sources.
				fmt.Fprint(e.stdout, a.Text[len(shown):])
				a.Text = ""
			} else {
				fmt.Fprint(e.stdout, "\n\n(the model's answer was not complete; the extractive answer follows)\n\n")
			}
		}
		printAnswer(e.stdout, a)
	}
	return nil
}

func printAnswer(w io.Writer, a briefbot.Answer) {
	fmt.Fprintln(w, a.Text)
	if a.Mode == briefbot.ModeLLM {
		fmt.Fprintln(w, "\n(written by the model from the cited passages)")
	}
	if len(a.Citations) > 0 {
		fmt.Fprintln(w, "\nSources:")
		for _, c := range a.Citations {
			fmt.Fprintf(w, "[%d] %s — %s %s", c.N, c.Title, c.Section, briefbot.Place(c.Paragraph, c.Page))
			if c.URL != "" {
				fmt.Fprintf(w, " — %s", c.URL)
			}
			fmt.Fprintln(w)
		}
	}
	if len(a.Related) > 0 {
		fmt.Fprintln(w, "\nPossibly related (not an answer):")
		for _, h := range a.Related {
			fmt.Fprintf(w, "- %s — %s %s: %s\n", h.Passage.Title, h.Passage.Section, briefbot.Place(h.Passage.Paragraph, h.Passage.Page), h.Quote)
		}
	}
	if a.FallbackReason != "" {
		fmt.Fprintf(w, "\n(model answer not used: %s)\n", a.FallbackReason)
	}
}

func runSources(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("sources", "", "The indexed documents.")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNoArgs(fs, args, ""); err != nil {
		return err
	}
	lib, err := e.library(ctx)
	if err != nil {
		return err
	}
	docs := lib.Documents()
	if *asJSON {
		out := struct {
			Documents []documentJSON `json:"documents"`
		}{Documents: []documentJSON{}}
		for _, d := range docs {
			out.Documents = append(out.Documents, toDocumentJSON(d))
		}
		return encodeJSON(e.stdout, out)
	}
	for _, d := range docs {
		dj := toDocumentJSON(d)
		fmt.Fprintf(e.stdout, "%s\n  id: %s\n", d.Title, d.ID)
		if len(d.Authors) > 0 {
			fmt.Fprintf(e.stdout, "  by %s\n", strings.Join(d.Authors, ", "))
		}
		if dj.Published != "" {
			fmt.Fprintf(e.stdout, "  published %s\n", dj.Published)
		}
		fmt.Fprintf(e.stdout, "  %d passages\n", len(d.Passages))
		if d.URL != "" {
			fmt.Fprintf(e.stdout, "  %s\n", d.URL)
		}
	}
	return nil
}

func toDocumentJSON(d briefbot.Document) documentJSON {
	dj := documentJSON{DocID: d.ID, Title: d.Title, Authors: d.Authors, URL: d.URL, Passages: len(d.Passages)}
	if dj.Authors == nil {
		dj.Authors = []string{}
	}
	if !d.Published.IsZero() {
		dj.Published = d.Published.Format("2006-01-02")
	}
	return dj
}

func runPassages(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("passages", "", "The indexed passages, in reading order.")
	asJSON := fs.Bool("json", false, "print JSON")
	docID := fs.String("doc", "", "only the passages of this document `ID`")
	if err := parseNoArgs(fs, args, "use --doc ID"); err != nil {
		return err
	}
	lib, err := e.library(ctx)
	if err != nil {
		return err
	}
	var ps []passageJSON
	found := *docID == ""
	for _, d := range lib.Documents() {
		if *docID != "" && d.ID != *docID {
			continue
		}
		found = true
		for _, p := range d.Passages {
			links := p.Links
			if links == nil {
				links = []briefbot.Link{}
			}
			// The listing may lack the texts, which the index keeps
			// apart.
			if full, ok := lib.Passage(p.ID); ok {
				p.Text = full.Text
			}
			ps = append(ps, passageJSON{PassageID: p.ID, DocID: p.DocID, Section: p.Section, Ordinal: p.Ordinal, Text: p.Text, Links: links})
		}
	}
	if !found {
		return fmt.Errorf("passages: no document %q (see 'briefbot sources')", *docID)
	}
	if *asJSON {
		if ps == nil {
			ps = []passageJSON{}
		}
		return encodeJSON(e.stdout, struct {
			Passages []passageJSON `json:"passages"`
		}{ps})
	}
	for _, p := range ps {
		fmt.Fprintf(e.stdout, "%s  [%s]\n%s\n", p.PassageID, p.Section, p.Text)
		for _, l := range p.Links {
			fmt.Fprintf(e.stdout, "  -> %s: %s\n", l.Text, l.URL)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

// newEncoder writes one JSON value per line, with quotes and "<", ">", "&"
// as they are: the output is read by tools, not embedded in HTML.
func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// encodeJSON writes one indented JSON document.
func encodeJSON(w io.Writer, v any) error {
	enc := newEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runIndex(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("index", "", "Build the index from the corpus (only when it changed, unless --force).")
	force := fs.Bool("force", false, "rebuild even when the index is current")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNoArgs(fs, args, "use --corpus PATH"); err != nil {
		return err
	}
	// Opening the library builds a missing or stale index; --force makes
	// that its one build even when the index is current.
	e.rebuild = *force
	lib, err := e.library(ctx)
	if err != nil {
		return err
	}
	info := lib.Info()
	if *asJSON {
		return encodeJSON(e.stdout, info)
	}
	fmt.Fprintf(e.stdout, "index %s: %d documents, %d passages, built %s (version %s)\n",
		e.cfg.IndexDir(), info.Documents, info.Passages, info.BuiltAt.Format("2006-01-02 15:04:05"), info.Version)
	return nil
}
