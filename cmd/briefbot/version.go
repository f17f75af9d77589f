package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version, when set at link time (go build -ldflags "-X main.version=v1.2.3",
// or the Dockerfile's VERSION build argument), is the version reported in
// place of the one the Go toolchain recorded: a build from a source archive
// has no Git history to record one from.
var version string

func runVersion(_ context.Context, e *env, args []string) error {
	fs := e.flagSet("version", "", "Print the version of this build: its version, Git revision and Go version.")
	if err := parseNoArgs(fs, args, ""); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(e.stdout, versionLine(version, info))
	return nil
}

// versionLine is "briefbot VERSION (REVISION, modified) GO": the version
// given at link time, else the module's (Go stamps it from the Git tag or
// a pseudo-version); the revision and whether the tree had uncommitted
// changes, when Go recorded them; and the Go release that built it.
func versionLine(override string, info *debug.BuildInfo) string {
	v, goVersion, revision, modified := "", runtime.Version(), "", false
	if info != nil {
		v = info.Main.Version
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if override != "" {
		v = override
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	line := "briefbot " + v
	if revision != "" {
		if len(revision) > 12 {
			revision = revision[:12]
		}
		if modified {
			revision += ", modified"
		}
		line += " (" + revision + ")"
	}
	return line + " " + goVersion
}
