package store

import (
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/briefbot/briefbot"
)

func docRecord(id, source string) DocumentRecord {
	return DocumentRecord{DocumentInfo: briefbot.DocumentInfo{
		ID: id, Title: "Title of " + id, SourceKind: briefbot.SourceUpload, Source: source,
		Format: "markdown", Passages: 3, AddedBy: "42", AddedAt: t0,
	}, Name: source}
}

func blobCount(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	if err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketBlobs).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// Documents and their originals survive a reopen; identical bytes are
// stored once and deleted with the last document holding them.
func TestDocumentsStoreReopenAndShareBlobs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir, newClock(), Options{})
	data := []byte("# Convoys\n\nThe convoy reached Gyumri.\n")
	if err := s.PutDocument(ctx, docRecord("convoys", "convoys.md"), data); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDocument(ctx, docRecord("copy", "copy.md"), data); err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, s); n != 1 {
		t.Fatalf("identical originals stored %d times", n)
	}
	v1, err := s.DocumentsVersion(ctx)
	if err != nil || v1 != 2 {
		t.Fatalf("version %d, %v; want 2", v1, err)
	}
	if _, err := s.SetRemoved(ctx, "copy", true); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir, newClock(), Options{})
	r, ok, err := s.Document(ctx, "convoys")
	if err != nil || !ok {
		t.Fatalf("after reopen: %v %v", ok, err)
	}
	if r.Hash != HashOf(data) || r.Bytes != int64(len(data)) || r.Name != "convoys.md" || !r.AddedAt.Equal(t0) {
		t.Errorf("record %+v", r)
	}
	got, err := s.Original(ctx, "convoys")
	if err != nil || string(got) != string(data) {
		t.Fatalf("original %q, %v", got, err)
	}
	all, err := s.Documents(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "convoys" || all[1].ID != "copy" || !all[1].Removed {
		t.Fatalf("documents %+v, %v", all, err)
	}
	if v, _ := s.DocumentsVersion(ctx); v != 3 {
		t.Errorf("version after remove and reopen %d, want 3", v)
	}

	// Purging one holder keeps the shared original; purging the last
	// deletes it.
	if err := s.PurgeDocument(ctx, "copy"); err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, s); n != 1 {
		t.Fatalf("shared original deleted while still held: %d blobs", n)
	}
	// An update replaces the original; the old bytes go.
	if err := s.PutDocument(ctx, docRecord("convoys", "convoys.md"), []byte("# Convoys\n\nChanged.\n")); err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, s); n != 1 {
		t.Fatalf("replaced original kept: %d blobs", n)
	}
	if err := s.PurgeDocument(ctx, "convoys"); err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, s); n != 0 {
		t.Fatalf("purged original kept: %d blobs", n)
	}
	if _, ok, _ := s.Document(ctx, "convoys"); ok {
		t.Error("purged document still there")
	}
	if err := s.PurgeDocument(ctx, "convoys"); !errors.Is(err, ErrNoDocument) {
		t.Errorf("second purge: %v", err)
	}
	if _, err := s.SetRemoved(ctx, "nope", true); !errors.Is(err, ErrNoDocument) {
		t.Errorf("remove of unknown: %v", err)
	}
}

// Retention prunes answers, never documents or the audit log.
func TestPruneLeavesDocumentsAndAudit(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := open(t, t.TempDir(), clk, Options{})
	if err := s.PutDocument(ctx, docRecord("old", "old.md"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, briefbot.AuditEntry{Actor: "42", Action: "add", DocID: "old"}); err != nil {
		t.Fatal(err)
	}
	clk.Add(10 * 365 * 24 * time.Hour)
	if _, err := s.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Document(ctx, "old"); !ok {
		t.Error("prune removed a document")
	}
	if es, _ := s.Audit(ctx, 0); len(es) != 1 {
		t.Errorf("prune changed the audit log: %+v", es)
	}
}

// The audit log reads newest first, in append order within one instant,
// bounded by n, and survives a reopen.
func TestAuditOrder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clk := newClock()
	s := open(t, dir, clk, Options{})
	for _, a := range []string{"add", "remove", "restore"} {
		// Same instant on purpose: the sequence keeps the order.
		if err := s.AppendAudit(ctx, briefbot.AuditEntry{Actor: "42", Action: a, DocID: "d"}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(time.Minute)
	if err := s.AppendAudit(ctx, briefbot.AuditEntry{Actor: "7", Action: "purge", DocID: "d", Detail: "gone"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir, clk, Options{ReadOnly: true})
	es, err := s.Audit(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Action)
	}
	if len(got) != 3 || got[0] != "purge" || got[1] != "restore" || got[2] != "remove" {
		t.Fatalf("audit order %v", got)
	}
	if !es[0].Time.Equal(t0.Add(time.Minute)) || es[0].Actor != "7" || es[0].Detail != "gone" {
		t.Errorf("entry %+v", es[0])
	}
	if err := s.AppendAudit(ctx, briefbot.AuditEntry{Action: "add"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only append: %v", err)
	}
}
