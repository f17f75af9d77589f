package bot

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
)

// An unreachable API is reported as such, not as a bad token.
func TestRunReportsUnreachableAPI(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	b, err := New(Options{Token: "abc.def", ApplicationID: "1", APIBase: "http://" + addr,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, newFakeService(t))
	if err != nil {
		t.Fatal(err)
	}
	err = b.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot reach the API") || strings.Contains(err.Error(), "abc.def") {
		t.Errorf("Run = %v, want an unreachable-API error without the token", err)
	}
}
