package briefbot

import (
	"context"
	"fmt"
	"time"
)

// Where a document came from.
const (
	SourcePath   = "path"   // a configured file or folder (or the built-in brief)
	SourceUpload = "upload" // bytes given by a moderator (a Discord attachment, briefbot docs add FILE)
	SourceURL    = "url"    // a web page or file fetched from a link
)

// DocumentInfo describes one document of the library as moderators see it.
type DocumentInfo struct {
	ID        string    `json:"doc_id"`
	Title     string    `json:"title"`
	Authors   []string  `json:"authors"`
	Published time.Time `json:"published"`
	// SourceKind is SourcePath, SourceUpload or SourceURL; Source is the
	// path, the uploaded file's name, or the URL.
	SourceKind string   `json:"source_kind"`
	Source     string   `json:"source"`
	Format     string   `json:"format"`
	Sections   []string `json:"sections"`
	Passages   int      `json:"passages"`
	Pages      int      `json:"pages,omitempty"`
	Bytes      int64    `json:"bytes"`
	// Hash is the SHA-256 of the original bytes, hex.
	Hash    string    `json:"hash"`
	AddedBy string    `json:"added_by,omitempty"`
	AddedAt time.Time `json:"added_at"`
	// Removed documents are not answered from; their originals are kept
	// until purged, so they can be restored.
	Removed bool `json:"removed"`
	// Warnings say what was odd about the content ("3 pages without
	// text").
	Warnings []string `json:"warnings,omitempty"`
}

// AddRequest brings a document to the library: the bytes of an upload, or
// a URL to fetch.
type AddRequest struct {
	// Name is the uploaded file's name (a hint only: the format is read
	// from the bytes); empty for a URL.
	Name string
	Data []byte
	URL  string
	// Title overrides the title read from the document.
	Title string
	// By names who adds it (a Discord user ID, or the local user on the
	// command line), for the audit log.
	By string
}

// AddResult is what adding a document did.
type AddResult struct {
	Document DocumentInfo `json:"document"`
	// Change is "added", "updated" (same ID, new content) or "unchanged"
	// (identical content: nothing to do).
	Change string `json:"change"`
}

// AuditEntry is one recorded change to the library.
type AuditEntry struct {
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"` // add, update, remove, restore, purge, reindex, refresh, refuse
	DocID  string    `json:"doc_id,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Librarian changes the library: what moderators do from Discord or the
// command line. Every change is audited; a refused document changes
// nothing.
type Librarian interface {
	AddDocument(ctx context.Context, req AddRequest) (AddResult, error)
	RemoveDocument(ctx context.Context, id, by string) (DocumentInfo, error)
	RestoreDocument(ctx context.Context, id, by string) (DocumentInfo, error)
	PurgeDocument(ctx context.Context, id, by string) error
	// ListDocuments lists every document, removed ones included, and the
	// configured sources that failed to load.
	ListDocuments(ctx context.Context) ([]DocumentInfo, []Failure, error)
	// Audit returns the last n entries, newest first.
	Audit(ctx context.Context, n int) ([]AuditEntry, error)
}

// Place says where in its document a passage is, for citations: "p. 4"
// in a paged document (PDF), where readers look by page, "¶2" (the
// paragraph within its section) otherwise; "" when neither is known.
func Place(paragraph, page int) string {
	switch {
	case page > 0:
		return fmt.Sprintf("p. %d", page)
	case paragraph > 0:
		return fmt.Sprintf("¶%d", paragraph)
	}
	return ""
}
