package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
)

// fakeLibrarian keeps documents in memory and records what it was asked.
type fakeLibrarian struct {
	mu    sync.Mutex
	docs  map[string]*briefbot.DocumentInfo
	adds  []briefbot.AddRequest
	audit []briefbot.AuditEntry
}

func newFakeLibrarian() *fakeLibrarian {
	return &fakeLibrarian{docs: map[string]*briefbot.DocumentInfo{}}
}

func (f *fakeLibrarian) AddDocument(_ context.Context, req briefbot.AddRequest) (briefbot.AddResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.adds = append(f.adds, req)
	if strings.Contains(string(req.Data), "%corrupt") {
		return briefbot.AddResult{}, errors.New("corrupt.pdf: not a readable PDF (broken cross-reference table)")
	}
	id := strings.TrimSuffix(req.Name, ".md")
	d := &briefbot.DocumentInfo{ID: id, Title: req.Title, SourceKind: briefbot.SourceUpload, Source: req.Name,
		Passages: 3, Sections: []string{"One", "Two"}, AddedBy: req.By, AddedAt: time.Unix(1_800_000_000, 0),
		Warnings: []string{"2 pages without text"}}
	f.docs[id] = d
	f.audit = append(f.audit, briefbot.AuditEntry{Time: d.AddedAt, Actor: req.By, Action: "add", DocID: id})
	return briefbot.AddResult{Document: *d, Change: "added"}, nil
}

func (f *fakeLibrarian) setRemoved(id, by string, removed bool) (briefbot.DocumentInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.docs[id]
	if !ok {
		return briefbot.DocumentInfo{}, fmt.Errorf("no document %q", id)
	}
	d.Removed = removed
	action := "restore"
	if removed {
		action = "remove"
	}
	f.audit = append(f.audit, briefbot.AuditEntry{Time: time.Unix(1_800_000_100, 0), Actor: by, Action: action, DocID: id})
	return *d, nil
}

func (f *fakeLibrarian) RemoveDocument(_ context.Context, id, by string) (briefbot.DocumentInfo, error) {
	return f.setRemoved(id, by, true)
}

func (f *fakeLibrarian) RestoreDocument(_ context.Context, id, by string) (briefbot.DocumentInfo, error) {
	return f.setRemoved(id, by, false)
}

func (f *fakeLibrarian) PurgeDocument(_ context.Context, id, by string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.docs, id)
	return nil
}

func (f *fakeLibrarian) ListDocuments(context.Context) ([]briefbot.DocumentInfo, []briefbot.Failure, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []briefbot.DocumentInfo
	for _, d := range f.docs {
		out = append(out, *d)
	}
	return out, []briefbot.Failure{{Source: "broken.md", Reason: "no text"}}, nil
}

func (f *fakeLibrarian) Audit(_ context.Context, n int) ([]briefbot.AuditEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []briefbot.AuditEntry
	for i := len(f.audit) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, f.audit[i])
	}
	return out, nil
}

func (f *fakeLibrarian) requests() []briefbot.AddRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]briefbot.AddRequest(nil), f.adds...)
}

func TestDocsCommands(t *testing.T) {
	t.Parallel()
	lib := newFakeLibrarian()
	e := startBot(t, setup{opts: func(o *Options, _ *discordfake.Server) {
		o.Librarian = lib
		o.MaxUploadBytes = 1 << 10
	}})
	docs := func(user string, sub discordfake.Option) discordfake.Message {
		t.Helper()
		it := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "docs", UserID: user, IgnoreCommandPermissions: true,
			Options: []discordfake.Option{sub}})
		msg := e.final(it)
		if !msg.Ephemeral() {
			t.Errorf("/docs reply is public: %q", msg.Text())
		}
		return msg
	}
	owner := e.fake.OwnerID
	note := []byte("# Field notes\n\nThe observers arrived in March.\n")

	t.Run("a member is refused", func(t *testing.T) {
		att := e.fake.Upload("notes.md", "text/markdown", note)
		msg := docs(e.fake.UserID, discordfake.Sub("add", discordfake.Opt("file", att)))
		if !strings.Contains(msg.Text(), "Only moderators") || len(lib.requests()) != 0 {
			t.Errorf("member: %q, %d adds", msg.Text(), len(lib.requests()))
		}
	})
	t.Run("add a file", func(t *testing.T) {
		att := e.fake.Upload("notes.md", "text/markdown", note)
		msg := docs(owner, discordfake.Sub("add", discordfake.Opt("file", att), discordfake.Opt("title", "Field notes")))
		text := msg.Text()
		for _, want := range []string{"Added", "Field notes", "One", "2 pages without text"} {
			if !strings.Contains(text, want) {
				t.Errorf("add reply lacks %q:\n%s", want, text)
			}
		}
		reqs := lib.requests()
		if len(reqs) != 1 || string(reqs[0].Data) != string(note) || reqs[0].Name != "notes.md" || reqs[0].By != owner || reqs[0].Title != "Field notes" {
			t.Errorf("add request = %+v", reqs)
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := make([]byte, 2<<10)
		msg := docs(owner, discordfake.Sub("add", discordfake.Opt("file", e.fake.Upload("big.md", "text/markdown", big))))
		if !strings.Contains(msg.Text(), "limit") || len(lib.requests()) != 1 {
			t.Errorf("oversized: %q, %d adds", msg.Text(), len(lib.requests()))
		}
		// An attachment that claims to be small is still read only up to
		// the limit.
		liar := e.fake.UploadFile(discordfake.Upload{Filename: "liar.md", Data: big, Size: 10})
		msg = docs(owner, discordfake.Sub("add", discordfake.Opt("file", liar)))
		if !strings.Contains(msg.Text(), "larger than the limit") || len(lib.requests()) != 1 {
			t.Errorf("lying size: %q, %d adds", msg.Text(), len(lib.requests()))
		}
	})
	t.Run("refused content", func(t *testing.T) {
		msg := docs(owner, discordfake.Sub("add", discordfake.Opt("file", e.fake.Upload("corrupt.pdf", "application/pdf", []byte("%PDF-1.7 %corrupt")))))
		if !strings.Contains(msg.Text(), "Not changed: corrupt.pdf: not a readable PDF") {
			t.Errorf("corrupt: %q", msg.Text())
		}
	})
	t.Run("file or link", func(t *testing.T) {
		msg := docs(owner, discordfake.Sub("add"))
		if !strings.Contains(msg.Text(), "Attach a file or give a link") {
			t.Errorf("nothing given: %q", msg.Text())
		}
	})
	t.Run("remove, list, restore, audit", func(t *testing.T) {
		// Autocomplete offers the document to remove.
		cb, err := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "docs", UserID: owner, Focused: "document",
			Options: []discordfake.Option{discordfake.Sub("remove", discordfake.Opt("document", "no"))}}).WaitCallback(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cb.Choices) != 1 || cb.Choices[0].Value != "notes" {
			t.Errorf("remove autocomplete = %+v", cb.Choices)
		}
		if msg := docs(owner, discordfake.Sub("remove", discordfake.Opt("document", "notes"))); !strings.Contains(msg.Text(), "no longer used") {
			t.Errorf("remove: %q", msg.Text())
		}
		list := docs(owner, discordfake.Sub("list")).Text()
		if !strings.Contains(list, "Field notes") || !strings.Contains(list, "removed") || !strings.Contains(list, "broken.md") {
			t.Errorf("list:\n%s", list)
		}
		if msg := docs(owner, discordfake.Sub("restore", discordfake.Opt("document", "notes"))); !strings.Contains(msg.Text(), "used in answers again") {
			t.Errorf("restore: %q", msg.Text())
		}
		it := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "audit", UserID: owner, Options: []discordfake.Option{discordfake.Opt("count", 2)}})
		audit := e.final(it)
		if !audit.Ephemeral() || !strings.Contains(audit.Text(), "restore") || !strings.Contains(audit.Text(), "remove") || strings.Contains(audit.Text(), "add") {
			t.Errorf("audit (2 newest):\n%s", audit.Text())
		}
	})
	e.fake.AssertClean(t)
}

// TestRebuildProgressPacing: a rebuild's progress is edited at most every
// 2 s (by the bot's clock), so a long rebuild does not spend the
// interaction's rate limit.
func TestRebuildProgressPacing(t *testing.T) {
	t.Parallel()
	svc := newFakeService(t)
	steps := []chan struct{}{make(chan struct{}), make(chan struct{})}
	var clock *discordfake.Clock
	svc.reindex = func(ctx context.Context, progress func(done, total int)) (briefbot.ReindexReport, error) {
		progress(1, 10)
		<-steps[0]
		clock.Advance(1600 * time.Millisecond)
		progress(2, 10) // 1.6 s after the first edit: not yet
		clock.Advance(500 * time.Millisecond)
		progress(3, 10) // 2.1 s: due
		<-steps[1]
		return briefbot.ReindexReport{Info: briefbot.IndexInfo{Documents: 1, Passages: 10}}, nil
	}
	e := startBot(t, setup{svc: svc})
	clock = e.clock
	it := e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "reindex", UserID: e.fake.OwnerID})
	if _, err := it.WaitMessage(e.ctx, func(m discordfake.Message) bool { return strings.Contains(m.Content, "1/10") }); err != nil {
		t.Fatal(err)
	}
	close(steps[0])
	if _, err := it.WaitMessage(e.ctx, func(m discordfake.Message) bool { return strings.Contains(m.Content, "3/10") }); err != nil {
		t.Fatal(err)
	}
	close(steps[1])
	e.final(it)
	for _, ev := range it.Events() {
		if strings.Contains(ev.Message.Content, "2/10") {
			t.Errorf("progress edited 1.6 s after the last edit: %q", ev.Message.Content)
		}
	}
}
