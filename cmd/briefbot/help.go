package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagError turns an error of the flag package into a usage error that
// names flags as they are documented, --json: the package itself writes
// "-json" whatever the user typed.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	msg := err.Error()
	for _, p := range []string{
		"flag provided but not defined: -",
		"flag needs an argument: -",
		" for flag -", // invalid value "x" for flag -k: ...
		" for -",      // invalid boolean value "x" for -json: ...
	} {
		if i := strings.Index(msg, p); i >= 0 {
			msg = msg[:i+len(p)] + "-" + msg[i+len(p):]
			break
		}
	}
	return fmt.Errorf("%w: %s", errUsage, msg)
}

// runHelp prints the overview, or a command's help as its --help would.
func runHelp(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("help", "[COMMAND]", "Show what briefbot does and its commands, or a command's flags.")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch len(pos) {
	case 0:
		e.globalUsage(e.stdout)
		return nil
	case 1:
	default:
		return fmt.Errorf("%w: help takes one command name", errUsage)
	}
	c, ok := commands()[pos[0]]
	if !ok {
		return unknownCommand(pos[0])
	}
	// The command's own flag parsing prints its help; nothing else runs.
	return c.run(ctx, e, []string{"--help"})
}

// globalUsage is 'briefbot --help'.
func (e *env) globalUsage(w io.Writer) {
	fs := flag.NewFlagSet("briefbot", flag.ContinueOnError)
	(&env{}).globalFlags(fs)
	fmt.Fprint(w, usage)
	fmt.Fprintln(w, "\nGlobal flags (before or after the command):")
	printFlags(w, fs, func(string) bool { return true })
	fmt.Fprint(w, `  --help              this help
  --version           the version of this build

Run 'briefbot help COMMAND' or 'briefbot COMMAND --help' for a command's flags.

Exit status: 0 done, 1 the command failed, 2 a mistake on the command line.
Logs go to stderr: plain lines on a terminal, text records otherwise, or as
--log-format says.
`)
}

// commandUsage is 'briefbot COMMAND --help': what it does, its own flags,
// then the global flags it also accepts.
func commandUsage(w io.Writer, fs *flag.FlagSet, args, about string) {
	line := "briefbot " + fs.Name() + " [flags]"
	if args != "" {
		line += " " + args
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", line, strings.TrimSpace(about))
	global := globalFlagNames()
	own := func(name string) bool { return !global[name] }
	if hasFlags(fs, own) {
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, fs, own)
	}
	fmt.Fprintln(w, "\nGlobal flags:")
	printFlags(w, fs, func(name string) bool { return global[name] })
}

func globalFlagNames() map[string]bool {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	(&env{}).globalFlags(fs)
	names := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { names[f.Name] = true })
	return names
}

func hasFlags(fs *flag.FlagSet, include func(string) bool) bool {
	found := false
	fs.VisitAll(func(f *flag.Flag) { found = found || include(f.Name) })
	return found
}

// printFlags lists the flags of fs that include admits, in the order of
// the flag package (sorted by name): "--name VALUE", then what it does and
// its default when that is not the zero value. Go's PrintDefaults shows
// "-name", which is not how the README and the error lines spell flags.
func printFlags(w io.Writer, fs *flag.FlagSet, include func(string) bool) {
	const column = 22
	fs.VisitAll(func(f *flag.Flag) {
		if !include(f.Name) {
			return
		}
		value, text := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if value != "" {
			head += " " + valueName(value)
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" {
			text += fmt.Sprintf(" (default: %s)", def)
		}
		if len(head) < column-1 {
			fmt.Fprintf(w, "%-*s%s\n", column, head, text)
		} else {
			fmt.Fprintf(w, "%s\n%*s%s\n", head, column, "", text)
		}
	})
}

// valueName is how a flag's value is shown: the `word` its usage quotes,
// in capitals (FILE), or for a flag whose usage quotes none, a name for its
// type rather than Go's ("int").
func valueName(name string) string {
	switch name {
	case "int", "uint", "float":
		return "N"
	case "string", "value":
		return "VALUE"
	case "duration":
		return "DURATION"
	}
	return strings.ToUpper(name)
}
