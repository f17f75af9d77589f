package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/briefbot/briefbot/internal/discordfake"
)

// reportPDF is a 20-page report whose page 7 alone says how the river's
// flow is shared.
func reportPDF(t *testing.T) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Water Treaty Review", true)
	for p := 1; p <= 20; p++ {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "B", 16)
		pdf.CellFormat(0, 10, fmt.Sprintf("Chapter %d", p), "", 1, "L", false, 0, "")
		pdf.SetFont("Times", "", 11)
		text := fmt.Sprintf("Page %d reviews seasonal reservoir levels and the monitoring stations along the valley.", p)
		if p == 7 {
			text = "The treaty allocates the Aras river flow equally between the two riparian states, measured monthly at the Ordubad gauge."
		}
		pdf.MultiCell(0, 5, text, "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb is a Word file whose document part inflates a thousandfold.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string][]byte{
		"[Content_Types].xml": []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`),
		"word/document.xml":   bytes.Repeat([]byte(" "), 16<<20),
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestServeLibraryThroughDiscord: moderators keep the library current from
// Discord, against the real library and store: a Markdown file and a PDF
// are added and cited (the PDF by page), a member is refused, a removed
// document stops being cited and comes back when restored, and a loopback
// link, an oversized file, a corrupt PDF and a zip bomb are refused
// without changing anything.
func TestServeLibraryThroughDiscord(t *testing.T) {
	fake := discordfake.New(t, discordfake.Options{})
	t.Setenv("DISCORD_TOKEN", fake.Token)
	t.Setenv("DISCORD_APPLICATION_ID", fake.ApplicationID)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	text := fmt.Sprintf("discord:\n  api_base: %q\n  guild_ids: [%q]\n  cooldown: 0s\n  rate_limit: {user_per_minute: 0, guild_per_minute: 0}\n  private_by_default: false\ncorpus:\n  max_document_bytes: 200KB\n", fake.BaseURL, fake.GuildID)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	startServe(t, ctx, fake, t.TempDir(), cfg)

	final := func(it *discordfake.Interaction) string {
		t.Helper()
		ev, err := it.WaitFinal(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ev.Message.Text()
	}
	docs := func(user string, sub discordfake.Option) string {
		t.Helper()
		return final(fake.Interact(ctx, discordfake.InteractionSpec{CommandName: "docs", UserID: user, IgnoreCommandPermissions: true,
			Options: []discordfake.Option{sub}}))
	}
	ask := func(q string) string {
		t.Helper()
		// Private, so that a refusal is the deferred reply's final edit.
		return final(fake.Interact(ctx, discordfake.InteractionSpec{CommandName: "ask", Options: []discordfake.Option{
			discordfake.Opt("question", q), discordfake.Opt("private", true)}}))
	}
	owner := fake.OwnerID
	add := func(name, contentType string, data []byte) string {
		return docs(owner, discordfake.Sub("add", discordfake.Opt("file", fake.Upload(name, contentType, data))))
	}
	list := func() string { return docs(owner, discordfake.Sub("list")) }

	notes := []byte("# Field notes on the border\n\nThe observers counted 42 convoys crossing the Aras river in March.\n")
	if got := docs(fake.UserID, discordfake.Sub("add", discordfake.Opt("file", fake.Upload("notes.md", "text/markdown", notes)))); !strings.Contains(got, "Only moderators") {
		t.Errorf("a member adding a document: %q", got)
	}
	if got := add("notes.md", "text/markdown", notes); !strings.Contains(got, "Added") || !strings.Contains(got, "Field notes on the border") {
		t.Errorf("add notes: %q", got)
	}
	const convoys = "How many convoys crossed the Aras river in March?"
	if got := ask(convoys); !strings.Contains(got, "42 convoys") || !strings.Contains(got, "Field notes on the border") {
		t.Errorf("asked about the notes:\n%s", got)
	}

	start := time.Now()
	if got := add("treaty.pdf", "application/pdf", reportPDF(t)); !strings.Contains(got, "Water Treaty Review") || !strings.Contains(got, "20") {
		t.Errorf("add the PDF: %q", got)
	}
	got := ask("How is the Aras river flow allocated?")
	t.Logf("20-page PDF: upload to first answer citing it %.2f s (the first PDF of a process also compiles PDFium)", time.Since(start).Seconds())
	if !strings.Contains(got, "allocates the Aras river flow equally") || !strings.Contains(got, "p. 7") {
		t.Errorf("asked about the PDF:\n%s\nwant the treaty sentence cited as p. 7", got)
	}

	// A second PDF, PDFium already compiled: the steady-state figure.
	start = time.Now()
	second := reportPDF(t)
	second = append(second[:len(second):len(second)], "\n% a second copy\n"...)
	if got := add("treaty-2.pdf", "application/pdf", second); !strings.Contains(got, "Added") {
		t.Errorf("add the second PDF: %q", got)
	}
	if got := ask("Where is the Aras flow measured, at which gauge?"); !strings.Contains(got, "p. 7") {
		t.Errorf("asked about the second PDF:\n%s", got)
	}
	t.Logf("20-page PDF, PDFium warm: upload to first answer citing it %.2f s", time.Since(start).Seconds())

	before := list()
	for _, c := range []struct {
		name, want string
		sub        discordfake.Option
	}{
		{"loopback link", "127.0.0.1 is a loopback address", discordfake.Sub("add", discordfake.Opt("url", "http://127.0.0.1:9/brief.html"))},
		{"oversized", "limit", discordfake.Sub("add", discordfake.Opt("file", fake.Upload("big.md", "text/markdown", bytes.Repeat([]byte("word "), 60_000))))},
		{"corrupt PDF", "not a readable PDF", discordfake.Sub("add", discordfake.Opt("file", fake.Upload("broken.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj garbage"))))},
		{"zip bomb", "zip bomb", discordfake.Sub("add", discordfake.Opt("file", fake.Upload("bomb.docx", "application/octet-stream", zipBomb(t))))},
	} {
		if got := docs(owner, c.sub); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want it refused with %q", c.name, got, c.want)
		}
	}
	if after := list(); after != before {
		t.Errorf("refused documents changed the library:\nbefore %s\nafter  %s", before, after)
	}

	if got := docs(owner, discordfake.Sub("remove", discordfake.Opt("document", "notes"))); !strings.Contains(got, "no longer used") {
		t.Fatalf("remove: %q", got)
	}
	if got := ask(convoys); strings.Contains(got, "42 convoys") {
		t.Errorf("a removed document is still cited:\n%s", got)
	}
	if got := docs(owner, discordfake.Sub("restore", discordfake.Opt("document", "notes"))); !strings.Contains(got, "used in answers again") {
		t.Fatalf("restore: %q", got)
	}
	if got := ask(convoys); !strings.Contains(got, "42 convoys") {
		t.Errorf("a restored document is not cited:\n%s", got)
	}
	audit := final(fake.Interact(ctx, discordfake.InteractionSpec{CommandName: "audit", UserID: owner}))
	for _, want := range []string{"add", "remove", "restore", "refuse"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
}
