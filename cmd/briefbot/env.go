package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/index"
	"github.com/briefbot/briefbot/internal/answer"
	"github.com/briefbot/briefbot/internal/config"
	"github.com/briefbot/briefbot/internal/fetch"
	"github.com/briefbot/briefbot/internal/library"
	"github.com/briefbot/briefbot/internal/llm"
	"github.com/briefbot/briefbot/internal/store"
)

// env is what every command shares: the streams, the global flags, and the
// configuration, corpus and index loaded from them on demand.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// line is stderr (stderr writes through it), shared with the progress
	// line and the terminal's log handler.
	line *statusLine
	// rawStderr is the caller's stderr, for the terminal check.
	rawStderr io.Writer
	// terminal reports whether a writer is an interactive terminal:
	// isTerminal, or a fake in tests.
	terminal func(io.Writer) bool
	// usage prints the help of the command whose flags were made last.
	usage func(io.Writer)

	configPath string
	dataDir    string
	corpora    stringList
	logFormat  logFormat

	cfg *config.Config
	log *slog.Logger
	// rebuild makes library() build the index even when it is current.
	rebuild bool
	lib     *library.Library
	// store, when set before library() opens it, is the store whose
	// documents the library serves (and changes, when writable).
	store *store.Store
	// observer, when set before library() opens it, hears the library's
	// and the bot's timings (serve's metrics), and the model client's
	// calls when it is a briefbot.ModelObserver too.
	observer briefbot.Observer
	closed   []func()
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer) *env {
	line := &statusLine{w: controlEscaper{w: stderr, keepCR: true}}
	return &env{stdin: stdin, stdout: controlEscaper{w: stdout}, stderr: line, line: line,
		rawStderr: stderr, terminal: isTerminal}
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// globalFlags registers the flags every command accepts, so that they may be
// given before or after the command name.
func (e *env) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&e.configPath, "config", e.configPath, "configuration `file` (see config.example.yaml)")
	fs.StringVar(&e.dataDir, "data", e.dataDir, "data `folder` for the index and feedback (default: $BRIEFBOT_DATA, else data_dir, else ./data)")
	fs.Var(&e.corpora, "corpus", "`path` of a document file or folder; repeatable (default: the built-in brief)")
	fs.Var(&e.logFormat, "log-format", "log records on stderr in this `format`: text or json (default: plain lines on a terminal, text records otherwise)")
}

// logFormat is --log-format: empty (plain lines on a terminal, text
// records otherwise), text or json. Set refuses any other value, so a typo
// is a usage error before anything runs.
type logFormat string

func (f *logFormat) String() string {
	if f == nil {
		return ""
	}
	return string(*f)
}

func (f *logFormat) Set(v string) error {
	switch v {
	case "text", "json":
		*f = logFormat(v)
		return nil
	}
	return errors.New("want text or json")
}

// human reports whether stderr is for a person: a terminal, and no
// --log-format asking for records. Then the index build is told by a
// progress line and logs are plain lines.
func (e *env) human() bool {
	return e.logFormat == "" && e.terminal(e.rawStderr)
}

// flagSet makes a command's flag set, with the global flags included. The
// flag package prints nothing: on --help the command's usage goes to stdout
// (see env.usage), and a mistake is reported in one line by main.
func (e *env) flagSet(name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	e.globalFlags(fs)
	e.usage = func(w io.Writer) { commandUsage(w, fs, args, about) }
	return fs
}

func (e *env) close() {
	for i := len(e.closed) - 1; i >= 0; i-- {
		e.closed[i]()
	}
	e.closed = nil
}

// config loads the configuration once: file, then environment, then flags.
func (e *env) config() (*config.Config, error) {
	if e.cfg != nil {
		return e.cfg, nil
	}
	cfg, err := config.Load(e.configPath)
	if err != nil {
		return nil, err
	}
	if e.dataDir != "" {
		cfg.DataDir = e.dataDir
	}
	if len(e.corpora) > 0 {
		cfg.Corpus.Paths = append([]string(nil), e.corpora...)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e.cfg = &cfg
	e.log = slog.New(e.logHandler(&slog.HandlerOptions{Level: cfg.SlogLevel(), ReplaceAttr: cfg.Redactor().ReplaceAttr}))
	// Packages that log without a logger of their own (index) use this one.
	slog.SetDefault(e.log)
	return e.cfg, nil
}

// logHandler writes log records to stderr: as --log-format says, else as
// plain lines for a person at a terminal, else as text records for the
// file or the log collector stderr goes to.
func (e *env) logHandler(opts *slog.HandlerOptions) slog.Handler {
	switch {
	case e.logFormat == "json":
		return slog.NewJSONHandler(e.stderr, opts)
	case e.human():
		return newHumanHandler(e.line, opts)
	}
	return slog.NewTextHandler(e.stderr, opts)
}

// redact removes the configured secrets from a message meant for output.
func (e *env) redact(s string) string {
	if e.cfg == nil {
		return s
	}
	return e.cfg.Redact(s)
}

func (e *env) corpusOptions() corpus.Options {
	c := e.cfg.Corpus
	return corpus.Options{MaxPassageChars: c.MaxPassageChars, MinPassageChars: c.MinPassageChars,
		MaxDocumentBytes: c.MaxDocumentBytes.Bytes(), ParseTimeout: c.ParseTimeout.Duration(), MaxPDFPages: c.MaxPDFPages}
}

func (e *env) indexOptions() index.Options {
	return index.Options{K1: e.cfg.Index.K1, B: e.cfg.Index.B, BoltTimeout: e.cfg.Index.BoltTimeout.Duration(), Synonyms: e.cfg.Retrieval.Synonyms}
}

// summarizer is the configured model client, or nil (an untyped nil, so
// that callers' nil checks hold) when llm.enabled is off.
func (e *env) summarizer() (answer.Summarizer, error) {
	if !e.cfg.LLM.Enabled {
		return nil, nil
	}
	client, err := llm.New(e.llmOptions())
	if err != nil {
		return nil, err // llm.New says "llm: ..." itself
	}
	return client, nil
}

// library opens the documents and their index, building the index first
// when it is missing or no longer matches the corpus.
func (e *env) library(ctx context.Context) (*library.Library, error) {
	if e.lib != nil {
		return e.lib, nil
	}
	if _, err := e.config(); err != nil {
		return nil, err
	}
	sum, err := e.summarizer()
	if err != nil {
		return nil, err
	}
	if e.store == nil {
		if e.store, err = e.openStoreForDocuments(); err != nil {
			return nil, err
		}
	}
	bar := e.newProgress()
	lib, err := library.Open(ctx, library.Options{
		Store:       e.store,
		Fetcher:     e.urlFetcher(),
		URLs:        e.cfg.Corpus.URLs,
		Summarizer:  sum,
		MaxPassages: e.cfg.LLM.MaxPassages,
		IndexDir:    e.cfg.IndexDir(),
		CorpusPaths: e.cfg.Corpus.Paths,
		Corpus:      e.corpusOptions(),
		Index:       e.indexOptions(),
		Answer:      e.answerOptions(),
		Logger:      e.log,
		Progress:    bar.update,
		Rebuild:     e.rebuild,
		Observer:    e.observer,
	})
	if err != nil {
		bar.fail()
		return nil, err
	}
	bar.finish(lib.Info())
	e.lib = lib
	e.closed = append(e.closed, func() { lib.Close() })
	return lib, nil
}

// llmOptions maps the llm.* keys; the observer, when it hears model calls
// too (serve's metrics), gets them.
func (e *env) llmOptions() llm.Options {
	c := e.cfg.LLM
	o := llm.Options{
		BaseURL: c.BaseURL, APIKey: c.APIKey, Model: c.Model, APIVersion: c.APIVersion, Headers: c.Headers,
		Timeout: c.Timeout.Duration(), MaxTokens: c.MaxTokens, Temperature: float32(c.Temperature),
		MaxPassages: c.MaxPassages, ContextChars: c.ContextChars, PromptFile: c.PromptFile, Stream: c.Stream,
		MaxRetries: c.MaxRetries, MaxConcurrent: c.MaxConcurrent, DailyCapPerUser: c.DailyCapPerUser,
		Logger: e.log,
	}
	if mo, ok := e.observer.(briefbot.ModelObserver); ok {
		o.Observer = mo
	}
	return o
}

func (e *env) answerOptions() answer.Options {
	r := e.cfg.Retrieval
	return answer.Options{K: r.K, MinCoverage: r.MinCoverage, MinMatchedTerms: r.MinMatchedTerms}
}

// urlFetcher fetches documents added by link (/docs add url:, briefbot docs
// add URL, corpus.urls) within corpus.max_document_bytes, refusing private and
// metadata addresses unless corpus.allow_private_urls.
func (e *env) urlFetcher() library.Fetcher {
	return urlFetcher{fetch.New(fetch.Options{
		MaxBytes:     int64(e.cfg.Corpus.MaxDocumentBytes),
		Timeout:      e.cfg.Corpus.ParseTimeout.Duration(),
		AllowPrivate: e.cfg.Corpus.AllowPrivateURLs,
	})}
}

type urlFetcher struct{ f *fetch.Fetcher }

func (u urlFetcher) Get(ctx context.Context, url string) ([]byte, string, error) {
	r, err := u.f.Get(ctx, url, fetch.Conditional{})
	if err != nil {
		return nil, "", err
	}
	return r.Data, r.URL, nil
}

// GetConditional lets refreshes send the stored copy's validators, so an
// unchanged page costs a 304 (library.ConditionalFetcher).
func (u urlFetcher) GetConditional(ctx context.Context, url string, cond fetch.Conditional) (fetch.Result, error) {
	return u.f.Get(ctx, url, cond)
}
