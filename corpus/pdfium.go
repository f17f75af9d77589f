package corpus

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// PDFs are read by PDFium compiled to WebAssembly and run by wazero (no
// cgo): PDFium is the renderer Chrome ships and fuzzes, so it copes with
// the broken files of the wild far better than the pure-Go parsers we
// measured (see testdata/pdf/README.md), and the sandbox bounds what a
// hostile file can do to us: its memory is capped, it sees no files, and
// a call that runs too long is stopped through its context.

// pdfMemoryLimitPages caps the linear memory of one PDFium instance, in
// 64 KiB WebAssembly pages: 512 MiB. A file needing more (a decompression
// bomb, a gigantic image) fails inside the sandbox instead of taking the
// host's memory; PDFium's own start needs about 20 MiB.
const pdfMemoryLimitPages = 8192

// pdfMaxInstances bounds the PDFium instances alive at once, each with its
// own memory, so that parallel uploads cannot multiply the memory bound
// without limit; further parses wait for one (or for their context).
const pdfMaxInstances = 2

// startPDFium compiles the PDFium module once per process. Compiling the
// 6 MB module takes seconds, so the machine code is kept in the user's
// cache folder when there is one: later processes (and test binaries) start
// in a fraction of a second. The pool lives as long as the process.
var startPDFium = sync.OnceValues(func() (pdfium.Pool, error) {
	cfg := wazero.NewRuntimeConfig().
		// The bundled module lowers setjmp/longjmp to WebAssembly
		// exceptions (see webassembly.Config).
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithMemoryLimitPages(pdfMemoryLimitPages).
		// Lets a cancelled context stop a call in the middle of PDFium's
		// work, which is how parse time-outs take effect.
		WithCloseOnContextDone(true)
	if dir, err := os.UserCacheDir(); err == nil {
		if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "briefbot", "wazero")); err == nil {
			cfg = cfg.WithCompilationCache(cache)
		}
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle:       0,
		MaxIdle:       pdfMaxInstances,
		MaxTotal:      pdfMaxInstances,
		RuntimeConfig: cfg,
		// No folder is mounted: PDFium reads the bytes we hand it and
		// nothing else of the host.
		FSConfig: wazero.NewFSConfig(),
		Stdout:   io.Discard,
		Stderr:   io.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("start PDF reader: %w", err)
	}
	return pool, nil
})

// pdfiumPool returns the process's PDFium pool, starting it on first use.
// The start is not abandoned when ctx ends (the next caller would pay for
// it again), only the wait for it.
func pdfiumPool(ctx context.Context) (pdfium.Pool, error) {
	type result struct {
		pool pdfium.Pool
		err  error
	}
	done := make(chan result, 1)
	go func() {
		p, err := startPDFium()
		done <- result{p, err}
	}()
	select {
	case r := <-done:
		return r.pool, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("start PDF reader: %w", ctx.Err())
	}
}

// withPDFium runs f with a fresh PDFium instance: each document gets its
// own WebAssembly memory, so nothing a file did (memory grown, state left
// behind by a crash) outlives its parse. When ctx ends, the instance is
// killed, which interrupts f's current call.
func withPDFium(ctx context.Context, f func(pdfium.Pdfium) error) (err error) {
	pool, err := pdfiumPool(ctx)
	if err != nil {
		return err
	}
	inst, err := pool.GetInstanceWithContext(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("wait for PDF reader: %w", ctx.Err())
		}
		return fmt.Errorf("PDF reader: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = inst.Kill() })
	defer func() {
		if stop() {
			_ = inst.Close()
		}
	}()
	defer func() {
		// go-pdfium and wazero report errors as values; a panic would be
		// a bug of theirs on some input, which must not take the bot down.
		if r := recover(); r != nil {
			err = fmt.Errorf("PDF reader failed: %v", r)
		}
	}()
	err = f(inst)
	if err != nil && ctx.Err() != nil {
		// The kill made the call fail; the reason is the context's.
		return fmt.Errorf("read PDF: %w", context.Cause(ctx))
	}
	return err
}
