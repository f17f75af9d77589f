package bot

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/discordfake"
	"github.com/briefbot/briefbot/internal/library"
	"github.com/briefbot/briefbot/internal/llm"
	"github.com/briefbot/briefbot/internal/openaitest"
)

// modelLibrary is the real library on the built-in brief, answering with a
// model served by srv.
func modelLibrary(t *testing.T, srv *openaitest.Server, timeout time.Duration) *library.Library {
	t.Helper()
	opts := llm.DefaultOptions()
	opts.BaseURL = srv.URL
	opts.APIKey = "sk-bot-test"
	opts.Timeout = timeout
	opts.Stream = true
	opts.CacheSize = -1
	client, err := llm.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := library.Open(context.Background(), library.Options{
		IndexDir:    filepath.Join(t.TempDir(), "index"),
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Summarizer:  client,
		MaxPassages: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

const article9 = "What does Article 9 of the ceasefire agreement call for?"

// The model answers after 2 s and writes its answer in pieces: the user sees
// the first sentence within 3 s of the acknowledgement, then the final
// answer with sources and buttons.
func TestModelAnswerStreamsIntoDiscord(t *testing.T) {
	t.Parallel()
	srv := openaitest.New(t)
	text := "Article 9 calls for unblocking all economic and transport connections throughout the region [2]. " +
		"Under this provision the exclave would be connected to Azerbaijan through the Zangezur corridor [2]."
	srv.SetHandler(func(openaitest.Request) openaitest.Reply {
		return openaitest.Reply{Text: text, Delay: 2 * time.Second, Chunks: 20, ChunkDelay: 50 * time.Millisecond}
	})
	e := startBot(t, setup{svc: modelLibrary(t, srv, 10*time.Second)})
	it := e.ask("", article9)
	cb := e.callback(it)
	partial, err := it.WaitMessage(e.ctx, func(m discordfake.Message) bool {
		return strings.Contains(m.Text(), "unblocking") && len(m.Components) == 0
	})
	if err != nil {
		t.Fatalf("no partial text: %v\nevents: %+v", err, it.Events())
	}
	// The model starts writing after 2 s; edits go out at most every 1.5 s.
	// A build that waited for the whole answer would show no partial text
	// at all; the bound leaves room for a loaded machine.
	if wait := partial.Latency - cb.Latency; wait > 4*time.Second {
		t.Errorf("first partial text %v after the acknowledgement, want within 4 s", wait)
	}
	final, err := it.WaitMessage(e.ctx, func(m discordfake.Message) bool { return len(m.Components) > 0 })
	if err != nil {
		t.Fatal(err)
	}
	got := final.Message.Text()
	if !strings.Contains(got, "Zangezur corridor") || !strings.Contains(got, "Written by the model") || !strings.Contains(got, "Why Now?") {
		t.Errorf("final message lacks the model's answer, its mode or its source: %q", got)
	}
	t.Logf("acknowledged after %v, first partial after %v, final after %v", cb.Latency, partial.Latency, final.Latency)
}

// A model that never answers: the user still gets the extractive answer
// within llm.timeout + 1 s.
func TestSilentModelFallsBackInDiscord(t *testing.T) {
	t.Parallel()
	srv := openaitest.New(t)
	srv.SetHandler(func(openaitest.Request) openaitest.Reply { return openaitest.Hang() })
	const timeout = 1500 * time.Millisecond
	e := startBot(t, setup{svc: modelLibrary(t, srv, timeout)})
	it := e.ask("", article9)
	cb := e.callback(it)
	final, err := it.WaitMessage(e.ctx, func(m discordfake.Message) bool { return len(m.Components) > 0 })
	if err != nil {
		t.Fatal(err)
	}
	if took := final.Latency - cb.Latency; took > timeout+time.Second {
		t.Errorf("answer after %v, want within llm.timeout + 1 s = %v", took, timeout+time.Second)
	}
	t.Logf("acknowledged after %v, extractive answer %v later (llm.timeout %v)", cb.Latency, final.Latency-cb.Latency, timeout)
	got := final.Message.Text()
	if !strings.Contains(got, "unblocking") || !strings.Contains(got, "the passages' own words") {
		t.Errorf("want the extractive answer, got %q", got)
	}
}
