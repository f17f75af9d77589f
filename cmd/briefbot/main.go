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

// usage is the head of 'briefbot --help'; globalUsage adds the global
// flags, generated from their definitions.
const usage = `briefbot answers questions about documents with exact citations.

Usage:
  briefbot [global flags] COMMAND [flags] [ARGS]

Commands:
  ask QUESTION        answer a question with cited sources
  search QUERY        ranked passages for a query
  sources             the indexed documents
  passages            the indexed passages (--doc ID for one document)
  index               build or refresh the index
  eval                retrieval quality (--qa FILE or --beir FOLDER)
  bench --beir FOLDER per-query latency of ranking and search, and start-up
  feedback            votes on the bot's answers, and the questions it refused
  docs add|remove|restore|purge|list|refresh   change the documents (bot stopped)
  audit               the last changes to the documents
  serve               run the Discord bot
  config check        validate the configuration, show the effective settings
  healthcheck         exit 0 when the running bot is ready (GET /readyz)

  help [COMMAND]      this help, or a command's
  version             the version of this build
`

// errUsage marks a command-line mistake: exit code 2, and one line saying
// what was wrong and where the help is.
var errUsage = errors.New("usage")

// errUnknownCommand is a usage error that points at 'briefbot --help',
// which lists the commands, wherever it was found ('help nope').
var errUnknownCommand = fmt.Errorf("%w: unknown command", errUsage)

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
		{"bench", "measure speed", runBench},
		{"feedback", "read the votes", runFeedback},
		{"docs", "change the documents", runDocs},
		{"audit", "read the changes", runAudit},
		{"serve", "run the Discord bot", runServe},
		{"config", "check the configuration", runConfig},
		{"healthcheck", "ask the bot whether it is ready", runHealthcheck},
	}
	cs = append(cs, command{"help", "show help", runHelp}, command{"version", "show the version", runVersion})
	m := make(map[string]command, len(cs))
	for _, c := range cs {
		m[c.name] = c
	}
	return m
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	limitMemory(ctx)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit code, 0 when done
// (help included), 1 when the command failed and 2 for a command-line
// mistake.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newEnv(stdin, stdout, stderr).main(ctx, args)
}

func (e *env) main(ctx context.Context, args []string) int {
	name, rest, showVersion, err := e.splitCommand(args)
	switch {
	case err != nil:
	case showVersion:
		name, rest = "version", nil
	case name == "":
		err = fmt.Errorf("%w: a command is required (%s)", errUsage, commandList())
	}
	if err == nil {
		c, ok := commands()[name]
		if !ok {
			err = unknownCommand(name)
		} else {
			err = c.run(ctx, e, rest)
		}
	}
	e.close()
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		if e.usage != nil {
			e.usage(e.stdout)
		} else {
			e.globalUsage(e.stdout)
		}
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(e.stderr, usageLine(name, err))
		return 2
	default:
		fmt.Fprintf(e.stderr, "briefbot: %s\n", e.redact(err.Error()))
		return 1
	}
}

// usageLine is the one line a command-line mistake gets: what was wrong,
// and where the help is, not the help itself, which would bury the line.
func usageLine(name string, err error) string {
	msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
	// One line, whatever the user typed into a flag's name.
	msg = strings.TrimSuffix(strings.ReplaceAll(msg, "\n", `\n`), ".")
	if name == "" || errors.Is(err, errUnknownCommand) {
		return fmt.Sprintf("briefbot: %s. Run 'briefbot --help'.", msg)
	}
	return fmt.Sprintf("briefbot %s: %s. Run 'briefbot %s --help'.", name, msg, name)
}

func unknownCommand(name string) error {
	return fmt.Errorf("%w %q (commands: %s)", errUnknownCommand, name, commandList())
}

// commandList names the commands, sorted.
func commandList() string {
	var names []string
	for n := range commands() {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// splitCommand takes the global flags that come before the command name and
// returns the command name and everything after it; --version stands for
// the version command.
func (e *env) splitCommand(args []string) (name string, rest []string, showVersion bool, err error) {
	fs := flag.NewFlagSet("briefbot", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	e.globalFlags(fs)
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return "", nil, false, flagError(err)
	}
	if showVersion || fs.NArg() == 0 {
		return "", nil, showVersion, nil
	}
	return fs.Arg(0), fs.Args()[1:], false, nil
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("ask 'why?' --json"), which the flag package alone does not.
// A lone "--" ends flag parsing.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(err)
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
		msg := fmt.Sprintf("unexpected argument %q", pos[0])
		if hint != "" {
			msg += " (" + hint + ")"
		}
		return fmt.Errorf("%w: %s", errUsage, msg)
	}
	return nil
}
