package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

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
