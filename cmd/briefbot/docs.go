package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/store"
)

// The JSON shapes of 'docs ... --json' and 'audit --json' are a public
// contract like the others (see commands.go and the README): keep the
// field names exactly. Every key is always present.

type docInfoJSON struct {
	DocID      string    `json:"doc_id"`
	Title      string    `json:"title"`
	Authors    []string  `json:"authors"`
	Published  string    `json:"published"` // YYYY-MM-DD, "" when unknown
	SourceKind string    `json:"source_kind"`
	Source     string    `json:"source"`
	Format     string    `json:"format"`
	Sections   []string  `json:"sections"`
	Passages   int       `json:"passages"`
	Pages      int       `json:"pages"`
	Bytes      int64     `json:"bytes"`
	Hash       string    `json:"hash"`
	AddedBy    string    `json:"added_by"`
	AddedAt    time.Time `json:"added_at"`
	Removed    bool      `json:"removed"`
	Warnings   []string  `json:"warnings"`
}

type auditJSON struct {
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	DocID  string    `json:"doc_id"`
	Detail string    `json:"detail"`
}

func toDocInfoJSON(d briefbot.DocumentInfo) docInfoJSON {
	j := docInfoJSON{DocID: d.ID, Title: d.Title, Authors: d.Authors, SourceKind: d.SourceKind,
		Source: d.Source, Format: d.Format, Sections: d.Sections, Passages: d.Passages, Pages: d.Pages,
		Bytes: d.Bytes, Hash: d.Hash, AddedBy: d.AddedBy, AddedAt: d.AddedAt, Removed: d.Removed, Warnings: d.Warnings}
	if j.Authors == nil {
		j.Authors = []string{}
	}
	if j.Sections == nil {
		j.Sections = []string{}
	}
	if j.Warnings == nil {
		j.Warnings = []string{}
	}
	if !d.Published.IsZero() {
		j.Published = d.Published.Format(time.DateOnly)
	}
	return j
}

const docsAbout = `Change the documents the bot answers from, beside the configured corpus paths:

  docs add FILE|URL [--title T] [--json]   add a document, or update the one added
                                           from the same file name or URL
  docs remove ID                           stop answering from it (kept, restorable)
  docs restore ID                          answer from a removed document again
  docs purge ID                            delete a stored document for good
  docs list [--json]                       every document, and those that failed
  docs refresh                             re-check URL documents and the corpus
                                           paths now, update what changed

Documents live in the store (<data_dir>/briefbot.db). The bot holds the store
while it runs, so stop it first, or make the change from Discord (/docs).
Every change is audited (see 'briefbot audit').`

func runDocs(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("docs", "add|remove|restore|purge|list|refresh [ARGS]", docsAbout)
	title := fs.String("title", "", "the title to show (add only), instead of the document's own")
	asJSON := fs.Bool("json", false, "print JSON (add and list)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("%w: a subcommand is required (add, remove, restore, purge, list, refresh)", errUsage)
	}
	sub, rest := pos[0], pos[1:]
	want := map[string]int{"add": 1, "remove": 1, "restore": 1, "purge": 1, "list": 0, "refresh": 0}
	n, ok := want[sub]
	switch {
	case !ok:
		return fmt.Errorf("%w: unknown subcommand %q (add, remove, restore, purge, list, refresh)", errUsage, sub)
	case len(rest) != n && n == 0:
		return fmt.Errorf("%w: docs %s takes no argument", errUsage, sub)
	case len(rest) != n && sub == "add":
		return fmt.Errorf("%w: docs add takes one FILE or URL", errUsage)
	case len(rest) != n:
		return fmt.Errorf("%w: docs %s takes one document ID (see 'briefbot docs list')", errUsage, sub)
	case *title != "" && sub != "add":
		return fmt.Errorf("%w: --title is for docs add", errUsage)
	case *asJSON && sub != "add" && sub != "list":
		return fmt.Errorf("%w: --json is for docs add and docs list", errUsage)
	}
	var data []byte
	var name, url string
	if sub == "add" {
		arg := rest[0]
		if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
			url = arg
		} else if data, err = os.ReadFile(arg); err != nil {
			return fmt.Errorf("docs add: %w", err)
		} else {
			// The name is the source: adding pipes.md again, from
			// wherever, updates the document added from it.
			name = filepath.Base(arg)
		}
	}
	if err := e.openStoreForChanges(sub); err != nil {
		return err
	}
	lib, err := e.library(ctx)
	if err != nil {
		return err
	}
	if sub == "refresh" {
		return docsRefresh(ctx, e, lib)
	}
	by := localActor()
	switch sub {
	case "add":
		res, err := lib.AddDocument(ctx, briefbot.AddRequest{Name: name, Data: data, URL: url, Title: *title, By: by})
		if err != nil {
			return err // the library's error says what failed
		}
		if *asJSON {
			return encodeJSON(e.stdout, struct {
				Document docInfoJSON `json:"document"`
				Change   string      `json:"change"`
			}{toDocInfoJSON(res.Document), res.Change})
		}
		d := res.Document
		fmt.Fprintf(e.stdout, "%s %s: %q, %s in %s", res.Change, d.ID, d.Title, plural(d.Passages, "passage"), plural(len(d.Sections), "section"))
		if d.Pages > 0 {
			fmt.Fprintf(e.stdout, ", %s", plural(d.Pages, "page"))
		}
		fmt.Fprintln(e.stdout)
		if len(d.Authors) > 0 {
			fmt.Fprintf(e.stdout, "  by %s\n", strings.Join(d.Authors, ", "))
		}
		if !d.Published.IsZero() {
			fmt.Fprintf(e.stdout, "  published %s\n", d.Published.Format(time.DateOnly))
		}
		for _, w := range d.Warnings {
			fmt.Fprintf(e.stdout, "  warning: %s\n", w)
		}
		return nil
	case "remove", "restore":
		change := lib.RemoveDocument
		if sub == "restore" {
			change = lib.RestoreDocument
		}
		d, err := change(ctx, rest[0], by)
		if err != nil {
			return err
		}
		if d.Removed {
			fmt.Fprintf(e.stdout, "removed %s (%q): no longer answered from; 'briefbot docs restore %s' brings it back\n", d.ID, d.Title, d.ID)
		} else {
			fmt.Fprintf(e.stdout, "restored %s (%q): answered from again\n", d.ID, d.Title)
		}
		return nil
	case "purge":
		if err := lib.PurgeDocument(ctx, rest[0], by); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "purged %s: deleted from the store\n", rest[0])
		return nil
	}
	docs, failed, err := lib.ListDocuments(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := struct {
			Documents []docInfoJSON      `json:"documents"`
			Failed    []briefbot.Failure `json:"failed"`
		}{Documents: []docInfoJSON{}, Failed: failed}
		if out.Failed == nil {
			out.Failed = []briefbot.Failure{}
		}
		for _, d := range docs {
			out.Documents = append(out.Documents, toDocInfoJSON(d))
		}
		return encodeJSON(e.stdout, out)
	}
	for _, d := range docs {
		state := ""
		if d.Removed {
			state = " [removed]"
		}
		fmt.Fprintf(e.stdout, "%s%s\n  %q, %s, %s %s\n", d.ID, state, d.Title, plural(d.Passages, "passage"), d.SourceKind, d.Source)
		if d.AddedBy != "" || !d.AddedAt.IsZero() {
			fmt.Fprintf(e.stdout, "  added by %s at %s\n", cmp.Or(d.AddedBy, "?"), d.AddedAt.Local().Format(time.DateTime))
		}
	}
	for _, f := range failed {
		fmt.Fprintf(e.stdout, "failed: %s: %s\n", f.Source, f.Reason)
	}
	return nil
}

func runAudit(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("audit", "", "The last changes to the documents, newest first: who, what, when.\n"+
		"The bot must be stopped: it holds the store while it runs (or use /audit in Discord).")
	count := fs.Int("count", 20, "show the last `N` changes (0 for all)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNoArgs(fs, args, ""); err != nil {
		return err
	}
	if *count < 0 {
		return fmt.Errorf("%w: --count must be 0 or more", errUsage)
	}
	if err := e.openStoreForChanges("audit"); err != nil {
		return err
	}
	var entries []briefbot.AuditEntry
	if e.store != nil {
		var err error
		if entries, err = e.store.Audit(ctx, *count); err != nil {
			return err
		}
	}
	if *asJSON {
		out := struct {
			Entries []auditJSON `json:"entries"`
		}{Entries: []auditJSON{}}
		for _, a := range entries {
			out.Entries = append(out.Entries, auditJSON(a))
		}
		return encodeJSON(e.stdout, out)
	}
	if len(entries) == 0 {
		fmt.Fprintln(e.stdout, "no changes recorded")
	}
	for _, a := range entries {
		line := fmt.Sprintf("%s  %-8s %s", a.Time.Local().Format(time.DateTime), a.Action, cmp.Or(a.Actor, "?"))
		if a.DocID != "" {
			line += "  " + a.DocID
		}
		if a.Detail != "" {
			line += "  " + a.Detail
		}
		fmt.Fprintln(e.stdout, line)
	}
	return nil
}

// localActor names the person at the command line in the audit log.
func localActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

// openStoreForChanges opens the store for writing, for the docs commands;
// list and audit only read, and take the store read-only when it exists.
func (e *env) openStoreForChanges(sub string) error {
	cfg, err := e.config()
	if err != nil {
		return err
	}
	opts := store.Options{LockTimeout: storeLockTimeout, Logger: e.log,
		AnswerRetention: cfg.Discord.AnswerRetention.Duration(), MaxTurns: cfg.Discord.ConversationTurns,
		ConversationTTL: cfg.Discord.ConversationTTL.Duration()}
	path := store.Path(cfg.DataDir)
	cmd := "docs " + sub
	if sub == "audit" {
		cmd = "audit"
	}
	if sub == "list" || sub == "audit" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil // nothing added yet: list the configured documents
		}
		opts.ReadOnly = true
	}
	st, err := store.Open(path, opts)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%s: %w; the bot (briefbot serve) holds the store while it runs and no other process can open it meanwhile: stop the bot, run 'briefbot %s' again, then start the bot, or use /docs and /audit in Discord", cmd, err, cmd)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	e.store = st
	e.closed = append(e.closed, func() { st.Close() })
	return nil
}

// openStoreForDocuments opens the store read-only, when it exists and the
// bot does not hold it, so that the commands that read the library (ask,
// search, sources) serve the documents moderators added too. When the bot
// holds it they serve the configured documents only, and say so.
func (e *env) openStoreForDocuments() (*store.Store, error) {
	path := store.Path(e.cfg.DataDir)
	if _, err := os.Stat(path); err != nil {
		return nil, nil
	}
	st, err := store.Open(path, store.Options{ReadOnly: true, LockTimeout: storeLockTimeout, Logger: e.log})
	if err != nil {
		e.log.Warn("documents added by moderators left out: the store cannot be read", "error", err)
		return nil, nil
	}
	e.closed = append(e.closed, func() { st.Close() })
	return st, nil
}
