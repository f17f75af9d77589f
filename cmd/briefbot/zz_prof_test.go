package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

func BenchmarkCLISearchProf(b *testing.B) {
	data, corpus := os.Getenv("PROF_DATA"), os.Getenv("PROF_CORPUS")
	if data == "" {
		b.Skip("no PROF_DATA")
	}
	for b.Loop() {
		if code := run(context.Background(), []string{"--data", data, "--corpus", corpus, "search", "1,000 genomes project enables mapping of genetic sequence variation"}, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatal(code)
		}
	}
}
