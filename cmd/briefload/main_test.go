package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadQuestions(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, text string
		want       []string
		err        string
	}{
		{"both fields", "{\"question\": \"Why now?\"}\n\n{\"id\": \"n1\", \"query\": \"who are the authors\"}\n", []string{"Why now?", "who are the authors"}, ""},
		{"not JSON", "Why now?\n", nil, "per line"},
		{"no question", "{\"id\": \"x\"}\n", nil, "per line"},
		{"empty", "\n", nil, "no questions"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".jsonl")
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readQuestions(path)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, %v", c.name, got, err)
		}
	}
}

func TestPeakRSSOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	if mb := peakRSS(os.Getpid()); mb <= 1 || mb > 4096 {
		t.Errorf("peak RSS of the test process = %.1f MB", mb)
	}
}
