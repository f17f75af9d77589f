package discordfake

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

var docsCommand = &discordgo.ApplicationCommand{Name: "docs", Description: "library documents", Options: []*discordgo.ApplicationCommandOption{
	{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "adds a document", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "the document", Required: true},
		{Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "its title"},
	}},
}}

// get fetches url through the fake's Transport, as a bot's client would.
func get(ctx context.Context, t *testing.T, c *http.Client, method, url string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return res, body
}

func TestDiscordgoAttachmentOption(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{}, nil)
	s := h.s
	ctx := testCtx(t)
	if _, err := h.dg.ApplicationCommandBulkOverwrite(s.ApplicationID, s.GuildID, []*discordgo.ApplicationCommand{docsCommand}); err != nil {
		t.Fatalf("bulk overwrite: %v", err)
	}

	t.Run("resolved attachment and its bytes", func(t *testing.T) {
		pdf := []byte("%PDF-1.7\nnot much of a document\n")
		att := s.Upload("brief.pdf", "application/pdf", pdf)
		type seen struct {
			sub   *discordgo.ApplicationCommandInteractionDataOption
			att   *discordgo.MessageAttachment
			nAtts int
		}
		got := make(chan seen, 1)
		h.handle("docs", func(ss *discordgo.Session, ic *discordgo.InteractionCreate) {
			d := ic.ApplicationCommandData()
			var sv seen
			if len(d.Options) == 1 {
				sv.sub = d.Options[0]
			}
			if d.Resolved != nil {
				sv.nAtts = len(d.Resolved.Attachments)
				sv.att = d.Resolved.Attachments[att.ID]
			}
			_ = ss.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "added", AllowedMentions: noMentions},
			})
			got <- sv
		})
		it := s.Interact(ctx, InteractionSpec{CommandName: "docs", Options: []Option{Sub("add", Opt("file", att), Opt("title", "Brief"))}})
		sv := recv(ctx, t, got)
		if _, err := it.WaitFinal(ctx); err != nil {
			t.Fatal(err)
		}
		if sv.sub == nil || sv.sub.Name != "add" || sv.sub.Type != discordgo.ApplicationCommandOptionSubCommand || len(sv.sub.Options) != 2 {
			t.Fatalf("options = %+v, want sub-command add with 2 options", sv.sub)
		}
		file := sv.sub.Options[0]
		if file.Name != "file" || file.Type != discordgo.ApplicationCommandOptionAttachment || file.Value != att.ID {
			t.Fatalf("file option = %+v, want type 11 with value %s", file, att.ID)
		}
		if sv.sub.Options[1].StringValue() != "Brief" {
			t.Errorf("title option = %+v", sv.sub.Options[1])
		}
		a := sv.att
		if sv.nAtts != 1 || a == nil {
			t.Fatalf("resolved attachments: %d, %s missing", sv.nAtts, att.ID)
		}
		if a.ID != att.ID || a.Filename != "brief.pdf" || a.Size != len(pdf) || a.ContentType != "application/pdf" || !a.Ephemeral {
			t.Errorf("resolved attachment = %+v", a)
		}
		wantPath := "/ephemeral-attachments/" + s.ApplicationID + "/" + att.ID + "/brief.pdf?ex="
		if a.URL != att.URL || !strings.HasPrefix(a.URL, "https://cdn.discordapp.com"+wantPath) || !strings.Contains(a.URL, "&is=") || !strings.Contains(a.URL, "&hm=") {
			t.Errorf("url = %q, want a signed link https://cdn.discordapp.com%s…", a.URL, wantPath)
		}
		if !strings.HasPrefix(a.ProxyURL, "https://media.discordapp.net"+wantPath) {
			t.Errorf("proxy_url = %q", a.ProxyURL)
		}
		for _, u := range []string{a.URL, a.ProxyURL} {
			res, body := get(ctx, t, h.dg.Client, http.MethodGet, u)
			if res.StatusCode != http.StatusOK || !bytes.Equal(body, pdf) || res.Header.Get("Content-Type") != "application/pdf" || res.ContentLength != int64(len(pdf)) {
				t.Errorf("GET %s = %d %q (type %s, length %d), want the uploaded bytes", u, res.StatusCode, body, res.Header.Get("Content-Type"), res.ContentLength)
			}
		}
	})

	t.Run("options checked against the definition", func(t *testing.T) {
		att := s.Upload("a.txt", "text/plain", []byte("a"))
		for name, opts := range map[string][]Option{
			"attachment for a string option": {Opt("file", att), Opt("title", att)},
			"string for the attachment":      {Opt("file", "hello")},
			"attachment not uploaded":        {Opt("file", Attachment{ID: "1", Filename: "x"})},
			"explicit type against the def":  {Opt("file", att), {Name: "title", Type: optionTypeAttachment, Value: att}},
			"required attachment missing":    {Opt("title", "x")},
		} {
			if _, err := s.TryInteract(ctx, InteractionSpec{CommandName: "docs", Options: []Option{Sub("add", opts...)}}); err == nil {
				t.Errorf("%s: dispatched", name)
			}
		}
		// The attachment's ID is what Discord sends: it works as the value too.
		if _, err := s.TryInteract(ctx, InteractionSpec{CommandName: "docs", Options: []Option{Sub("add", Opt("file", att.ID))}}); err != nil {
			t.Errorf("attachment given by ID: %v", err)
		}
	})

	t.Run("files the bot sends are served", func(t *testing.T) {
		data := []byte("col\n1\n")
		m, err := h.dg.ChannelMessageSendComplex(s.ChannelID, &discordgo.MessageSend{
			Files:           []*discordgo.File{{Name: "table.csv", ContentType: "text/csv", Reader: bytes.NewReader(data)}},
			AllowedMentions: noMentions,
		})
		if err != nil || len(m.Attachments) != 1 {
			t.Fatalf("send file: %+v, %v", m, err)
		}
		res, body := get(ctx, t, h.dg.Client, http.MethodGet, m.Attachments[0].URL)
		if res.StatusCode != http.StatusOK || !bytes.Equal(body, data) || res.Header.Get("Content-Type") != "text/csv" {
			t.Errorf("GET %s = %d %q (%s)", m.Attachments[0].URL, res.StatusCode, body, res.Header.Get("Content-Type"))
		}
	})
}

func TestCDNAttachmentLinks(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Time{})
	s := New(t, Options{Now: clock.Now})
	c := s.HTTPClient()
	ctx := testCtx(t)
	data := []byte("the whole file")
	att := s.Upload("notes.txt", "text/plain; charset=utf-8", data)

	t.Run("unknown, unsigned and tampered links are gone", func(t *testing.T) {
		base, query, _ := strings.Cut(att.URL, "?")
		for name, u := range map[string]string{
			"no signature":   base,
			"tampered hm":    base + "?" + strings.Replace(query, "hm=", "hm=0", 1),
			"later expiry":   strings.Replace(att.URL, "ex=", "ex=f", 1),
			"other filename": strings.Replace(att.URL, "/notes.txt", "/other.txt", 1),
			"unknown id":     strings.Replace(att.URL, att.ID, "1"+att.ID, 1),
			"not ephemeral":  strings.Replace(att.URL, "/ephemeral-attachments/", "/attachments/", 1),
		} {
			if res, body := get(ctx, t, c, http.MethodGet, u); res.StatusCode != http.StatusNotFound || string(body) != cdnGone {
				t.Errorf("%s: GET = %d %q, want 404", name, res.StatusCode, body)
			}
		}
		if res, _ := get(ctx, t, c, http.MethodGet, "https://cdn.discordapp.com/avatars/1/a.png"); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("avatar = %d %s, want the 1-pixel PNG", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})

	t.Run("HEAD", func(t *testing.T) {
		res, body := get(ctx, t, c, http.MethodHead, att.URL)
		if res.StatusCode != http.StatusOK || len(body) != 0 || res.ContentLength != int64(len(data)) {
			t.Errorf("HEAD = %d, %d bytes, length %d", res.StatusCode, len(body), res.ContentLength)
		}
	})

	t.Run("lying size and no Content-Length", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), 1<<16)
		lying := s.UploadFile(Upload{Filename: "small.txt", ContentType: "text/plain", Data: big, Size: 10})
		if lying.Size != 10 {
			t.Fatalf("declared size %d, want 10", lying.Size)
		}
		res, body := get(ctx, t, c, http.MethodGet, lying.URL)
		if !bytes.Equal(body, big) || res.ContentLength != int64(len(big)) {
			t.Errorf("lying size: served %d bytes with length %d, want %d", len(body), res.ContentLength, len(big))
		}
		chunked := s.UploadFile(Upload{Filename: "stream.txt", Data: big, Chunked: true})
		res, body = get(ctx, t, c, http.MethodGet, chunked.URL)
		if !bytes.Equal(body, big) || res.ContentLength != -1 || res.Header.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("chunked: served %d bytes with length %d, type %q; want %d, unknown, octet-stream", len(body), res.ContentLength, res.Header.Get("Content-Type"), len(big))
		}
	})

	t.Run("stalled download", func(t *testing.T) {
		stall := make(chan struct{})
		slow := s.UploadFile(Upload{Filename: "slow.bin", Data: data, Stall: stall})
		// A client that gives up after the headers gets no body.
		gctx, giveUp := context.WithCancel(ctx)
		req, _ := http.NewRequestWithContext(gctx, http.MethodGet, slow.URL, nil)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		giveUp()
		if b, err := io.ReadAll(res.Body); err == nil {
			t.Errorf("stalled body read %q without error", b)
		}
		res.Body.Close()
		// Once released, the download completes.
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, slow.URL, nil)
		if res, err = c.Do(req); err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		close(stall)
		if b, err := io.ReadAll(res.Body); err != nil || !bytes.Equal(b, data) {
			t.Errorf("released body = %q, %v", b, err)
		}
	})

	t.Run("injected fault", func(t *testing.T) {
		s.FailNext(http.MethodGet, "/cdn/ephemeral-attachments/*/*/*", http.StatusServiceUnavailable, 0, 1)
		// An API request is not a CDN fetch: the fault waits for one.
		if r := call(t, s, "GET", "/users/@me", "", true); r.status != http.StatusOK {
			t.Fatalf("GET /users/@me = %d", r.status)
		}
		if res, _ := get(ctx, t, c, http.MethodGet, att.URL); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("first GET = %d, want the injected 503", res.StatusCode)
		}
		if res, body := get(ctx, t, c, http.MethodGet, att.URL); res.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
			t.Errorf("second GET = %d %q", res.StatusCode, body)
		}
		var injected, fetched int
		for _, r := range s.Requests() {
			if strings.HasPrefix(r.Path, "/cdn/ephemeral-attachments/") && r.Route == "" {
				fetched++
				if r.Injected {
					injected++
				}
			}
		}
		if injected != 1 || fetched < 2 {
			t.Errorf("recorded CDN fetches: %d, %d injected; want the fetches with one injected", fetched, injected)
		}
	})

	t.Run("links expire after 24 hours", func(t *testing.T) {
		clock.Advance(cdnLinkLifetime - time.Second)
		if res, _ := get(ctx, t, c, http.MethodGet, att.URL); res.StatusCode != http.StatusOK {
			t.Errorf("GET just before expiry = %d", res.StatusCode)
		}
		clock.Advance(time.Second)
		if res, _ := get(ctx, t, c, http.MethodGet, att.URL); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET at expiry = %d, want 404", res.StatusCode)
		}
	})
}
