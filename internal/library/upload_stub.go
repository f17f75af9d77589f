package library

import (
	"context"
	"fmt"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
)

// parseUpload stands in for corpus.ParseUpload until the corpus work that
// detects formats from the bytes (PDF, DOCX, HTML) is merged: it reads
// Markdown, text and HTML, chosen by the name's extension, and refuses the
// rest. Delete this file at that merge and call corpus.ParseUpload instead.
func parseUpload(ctx context.Context, name string, data []byte, opts corpus.Options) (briefbot.Document, []string, error) {
	if err := ctx.Err(); err != nil {
		return briefbot.Document{}, nil, err
	}
	f, ok := corpus.FormatOf(name)
	if !ok || f == corpus.FormatJSONL {
		f = corpus.FormatText
	}
	docs, err := corpus.Parse(name, data, f, opts)
	if err != nil {
		return briefbot.Document{}, nil, err
	}
	if len(docs) != 1 {
		return briefbot.Document{}, nil, fmt.Errorf("parse %s: %d documents, want one", name, len(docs))
	}
	return docs[0], nil, nil
}

// uploadFormat names the format parseUpload reads data in, for the
// document's metadata. At the merge, use the corpus's own detection.
func uploadFormat(name string, _ []byte) string {
	f, ok := corpus.FormatOf(name)
	if !ok || f == corpus.FormatJSONL {
		f = corpus.FormatText
	}
	return string(f)
}
