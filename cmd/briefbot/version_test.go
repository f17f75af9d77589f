package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"--data", "x", "--version"}} {
		code, out, errs := runTTY(t, false, args...)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "briefbot ") || !strings.HasSuffix(out, " "+runtime.Version()+"\n") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	// What -ldflags "-X main.version=..." sets is what is shown.
	defer func(v string) { version = v }(version)
	version = "v1.2.3"
	if _, out, _ := runTTY(t, false, "version"); !strings.HasPrefix(out, "briefbot v1.2.3 ") {
		t.Errorf("with main.version set: %q", out)
	}
}

func TestVersionLine(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0ae7341572a65d8f0f7bdbb1da9b42ccf1ac3d02"}}
	modified := append(vcs[:2:2], debug.BuildSetting{Key: "vcs.modified", Value: "true"})
	clean := append(vcs[:2:2], debug.BuildSetting{Key: "vcs.modified", Value: "false"})
	info := func(v string, s []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: v}, Settings: s}
	}
	tests := []struct {
		name, override string
		info           *debug.BuildInfo
		want           string
	}{
		{"tagged", "", info("v1.4.0", clean), "briefbot v1.4.0 (0ae7341572a6) go1.26.0"},
		{"uncommitted changes", "", info("v0.0.0-20261203144851-0ae7341572a6+dirty", modified),
			"briefbot v0.0.0-20261203144851-0ae7341572a6+dirty (0ae7341572a6, modified) go1.26.0"},
		{"no Git", "", info("(devel)", nil), "briefbot devel go1.26.0"},
		{"link-time version", "v2.0.0", info("(devel)", clean), "briefbot v2.0.0 (0ae7341572a6) go1.26.0"},
		{"no build info", "", nil, "briefbot devel " + runtime.Version()},
	}
	for _, tt := range tests {
		if got := versionLine(tt.override, tt.info); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
