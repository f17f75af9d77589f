// Command briefbot answers questions about a set of documents with exact
// citations, from the command line or as a Discord bot. It wires the
// packages together: config, corpus, index, answer and bot.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

const usage = `briefbot answers questions about documents with exact citations.

Usage:
  briefbot [global flags] COMMAND [flags] [ARGS]

Commands:
  ask QUESTION        answer a question with cited sources
  search QUERY        ranked passages for a query
  sources             the indexed documents
  passages            the indexed passages (--doc ID for one document)
  index               build or refresh the index
  eval                retrieval quality (--qa FILE or --beir DIR)
  feedback            votes on the bot's answers, and the questions it refused
  serve               run the Discord bot

Global flags (before or after the command):
  --config FILE       configuration file (see config.example.yaml)
  --data DIR          data folder (index, feedback); default ./data
  --corpus PATH       document file or folder; repeatable; default: the built-in brief

Run 'briefbot COMMAND -h' for a command's flags.
`

// errUsage marks a command-line mistake: exit code 2, with usage shown.
var errUsage = errors.New("usage")

type command struct {
	name  string
	short string
	run   func(ctx context.Context, e *env, args []string) error
}

func commands() map[string]command {
	cs := []command{
		{"ask", "answer a question", runAsk},
		{"search", "search passages", runSearch},
		{"sources", "list documents", runSources},
		{"passages", "list passages", runPassages},
		{"index", "build the index", runIndex},
		{"eval", "evaluate retrieval", runEval},
		{"feedback", "read the votes", runFeedback},
		{"serve", "run the Discord bot", runServe},
	}
	m := make(map[string]command, len(cs))
	for _, c := range cs {
		m[c.name] = c
	}
	return m
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	stdout, stderr = controlEscaper{w: stdout}, controlEscaper{w: stderr, keepCR: true}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	name, rest, err := splitCommand(args, e)
	if err == nil && name == "" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err == nil {
		c, ok := commands()[name]
		if !ok {
			names := make([]string, 0)
			for n := range commands() {
				names = append(names, n)
			}
			sort.Strings(names)
			err = fmt.Errorf("%w: unknown command %q (commands: %s)", errUsage, name, strings.Join(names, ", "))
		} else {
			err = c.run(ctx, e, rest)
		}
	}
	e.close()
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "briefbot: %s\n", strings.TrimPrefix(err.Error(), "usage: "))
		return 2
	default:
		fmt.Fprintf(stderr, "briefbot: %s\n", e.redact(err.Error()))
		return 1
	}
}

// splitCommand takes the global flags that come before the command name and
// returns the command name and everything after it.
func splitCommand(args []string, e *env) (string, []string, error) {
	fs := flag.NewFlagSet("briefbot", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, usage) }
	e.globalFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() == 0 {
		return "", nil, nil
	}
	return fs.Arg(0), fs.Args()[1:], nil
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("ask 'why?' --json"), which the flag package alone does not.
// A lone "--" ends flag parsing.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// flag.Parse consumed a "--" terminator if it was the stopping point.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// parseNoArgs parses the flags of a command that takes no positional
// arguments; hint, when set, says what to use instead.
func parseNoArgs(fs *flag.FlagSet, args []string, hint string) error {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		msg := fmt.Sprintf("%s takes no arguments", fs.Name())
		if hint != "" {
			msg += " (" + hint + ")"
		}
		return fmt.Errorf("%w: %s", errUsage, msg)
	}
	return nil
}
