package main

import (
	"context"
	"fmt"

	"github.com/briefbot/briefbot/internal/library"
)

// docsRefresh is 'briefbot docs refresh': what the bot does every
// corpus.refresh, once, now. Failures are part of the report, not an
// error: the documents that failed keep serving their previous content.
func docsRefresh(ctx context.Context, e *env, lib *library.Library) error {
	rep, err := lib.Refresh(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "refreshed: %s\n", e.redact(rep.String()))
	return nil
}
