package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
)

// runTTY runs the command line in-process like runCLI, with the terminal
// check replaced: tty says whether stderr (and stdout) are terminals.
func runTTY(t *testing.T, tty bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb)
	e.terminal = func(io.Writer) bool { return tty }
	code := e.main(context.Background(), args)
	return code, out.String(), errb.String()
}

// singleDashFlag finds a flag written Go's way, "-json", rather than as the
// README and the error lines write it, "--json".
var singleDashFlag = regexp.MustCompile(`(^|[\s(,'"])-[a-z]`)

// commandFlags lists the flags each command documents, global ones aside.
// A command missing here (one added later) is still checked for the rest.
var commandFlags = map[string][]string{
	"ask":         {"json", "queries"},
	"search":      {"json", "k", "queries"},
	"sources":     {"json"},
	"passages":    {"json", "doc"},
	"index":       {"force", "json"},
	"eval":        {"qa", "beir", "unanswerable", "distractors", "whole", "json", "v"},
	"bench":       {"beir", "rounds", "json", "cpuprofile"},
	"serve":       {},
	"config":      {},
	"healthcheck": {"url"},
	"help":        {},
	"version":     {},
}

var globalFlagList = []string{"config", "data", "corpus", "log-format"}

func TestHelpEveryCommand(t *testing.T) {
	for name := range commands() {
		for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}, {"--data", "x", name, "--json", "--help"}} {
			if name != "ask" && args[0] == "--data" {
				continue // flags before --help must be defined: ask has --json
			}
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, out, errs := runTTY(t, false, args...)
				if code != 0 || errs != "" {
					t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errs)
				}
				if !strings.HasPrefix(out, "Usage: briefbot "+name+" ") {
					t.Errorf("stdout does not start with the usage line:\n%s", out)
				}
				if m := singleDashFlag.FindString(out); m != "" {
					t.Errorf("a flag is shown with one dash (%q):\n%s", m, out)
				}
				want, known := commandFlags[name]
				for _, f := range append(want, globalFlagList...) {
					if !strings.Contains(out, "  --"+f+" ") && !strings.Contains(out, "  --"+f+"\n") {
						t.Errorf("flag --%s is not listed:\n%s", f, out)
					}
				}
				hasJSON := strings.Contains(out, "  --json ")
				if known && hasJSON != contains(want, "json") {
					t.Errorf("lists --json: %v, want %v", hasJSON, contains(want, "json"))
				}
			})
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func TestHelpOverview(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"--data", "x", "--help"}} {
		code, out, errs := runTTY(t, false, args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", args, code, errs)
			continue
		}
		for name := range commands() {
			if !regexp.MustCompile(`(?m)^  ` + name + `\b`).MatchString(out) {
				t.Errorf("%v: command %s is not listed:\n%s", args, name, out)
			}
		}
		for _, f := range append(globalFlagList, "help", "version") {
			if !strings.Contains(out, "  --"+f+" ") {
				t.Errorf("%v: flag --%s is not listed", args, f)
			}
		}
		if m := singleDashFlag.FindString(out); m != "" {
			t.Errorf("%v: a flag is shown with one dash (%q):\n%s", args, m, out)
		}
	}
}

// A mistake on the command line gets exactly one line on stderr, saying
// what was wrong and ending with where the help is, and exit code 2.
func TestUsageErrorOneLine(t *testing.T) {
	const top = "Run 'briefbot --help'."
	tests := []struct {
		args []string
		want string // the whole line, or its start when end is set
		end  string
	}{
		{[]string{"ask", "--jsn"}, "briefbot ask: flag provided but not defined: --jsn. Run 'briefbot ask --help'.", ""},
		{[]string{"ask"}, "briefbot ask: a question is required (or --queries FILE). Run 'briefbot ask --help'.", ""},
		{[]string{"search", "--k", "x", "q"}, `briefbot search: invalid value "x" for flag --k: parse error. Run 'briefbot search --help'.`, ""},
		{[]string{"search", "q", "--k"}, "briefbot search: flag needs an argument: --k. Run 'briefbot search --help'.", ""},
		{[]string{"search", "--k", "0", "q"}, "briefbot search: --k must be at least 1. Run 'briefbot search --help'.", ""},
		{[]string{"sources", "--json=maybe"}, `briefbot sources: invalid boolean value "maybe" for --json: parse error. Run 'briefbot sources --help'.`, ""},
		{[]string{"sources", "extra"}, `briefbot sources: unexpected argument "extra". Run 'briefbot sources --help'.`, ""},
		{[]string{"eval"}, "briefbot eval: needs exactly one of --qa FILE or --beir FOLDER. Run 'briefbot eval --help'.", ""},
		{[]string{"ask", "--log-format", "xml", "q"}, `briefbot ask: invalid value "xml" for flag --log-format: want text or json. Run 'briefbot ask --help'.`, ""},
		{[]string{"--jsn", "ask", "q"}, "briefbot: flag provided but not defined: --jsn. " + top, ""},
		{[]string{"frobnicate"}, `briefbot: unknown command "frobnicate" (commands: `, top},
		{[]string{"help", "frobnicate"}, `briefbot: unknown command "frobnicate" (commands: `, top},
		{[]string{"help", "ask", "search"}, "briefbot help: help takes one command name. Run 'briefbot help --help'.", ""},
		{nil, "briefbot: a command is required (", top},
		{[]string{"ask", "--a\nb", "q"}, "briefbot ask: flag provided but not defined: --a\\nb. Run 'briefbot ask --help'.", ""},
	}
	for name := range commands() {
		tests = append(tests, struct {
			args      []string
			want, end string
		}{
			[]string{name, "--bogus"}, "briefbot " + name + ": flag provided but not defined: --bogus. Run 'briefbot " + name + " --help'.", ""})
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := runTTY(t, false, append([]string{"--data", t.TempDir()}, tt.args...)...)
			if code != 2 || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
			}
			line, ok := strings.CutSuffix(errs, "\n")
			if !ok || strings.Contains(line, "\n") {
				t.Fatalf("stderr is not one line: %q", errs)
			}
			if tt.end == "" && line != tt.want {
				t.Errorf("stderr\n%s\nwant\n%s", line, tt.want)
			}
			if tt.end != "" && (!strings.HasPrefix(line, tt.want) || !strings.HasSuffix(line, tt.end)) {
				t.Errorf("stderr\n%s\nwant %q ... %q", line, tt.want, tt.end)
			}
		})
	}
}
