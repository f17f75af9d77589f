package corpus

// TEMPORARY: delete this file when the PDF branch (corpus/pdf.go, which
// defines FormatPDF in corpus.go and the real parsePDF) is merged. It lets
// DetectFormat and ParseUpload name PDFs and refuse them clearly until then.

import (
	"context"
	"fmt"

	"github.com/briefbot/briefbot"
)

// FormatPDF is a PDF document.
const FormatPDF Format = "pdf"

// parsePDF is the PDF parser's entry point; this stub refuses every PDF.
func parsePDF(_ context.Context, _, _ string, _ []byte, _ Options) (briefbot.Document, []string, error) {
	return briefbot.Document{}, nil, fmt.Errorf("%w: PDF is not supported yet", ErrUnsupported)
}
