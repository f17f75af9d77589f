package discordfake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// An HTTP-interactions bot: verifies signatures with discordgo, answers
// PING, defers commands and edits the response over REST.
func TestSignedHTTPInteractions(t *testing.T) {
	s := New(t, Options{})
	ctx := testCtx(t)
	rest, err := discordgo.New("Bot " + s.Token)
	if err != nil {
		t.Fatal(err)
	}
	rest.Client = s.HTTPClient()
	if _, err := rest.ApplicationCommandBulkOverwrite(s.ApplicationID, s.GuildID, []*discordgo.ApplicationCommand{{Name: "ask", Description: "ask"}}); err != nil {
		t.Fatal(err)
	}
	edited := make(chan error, 1)
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !discordgo.VerifyInteraction(r, s.PublicKey()) {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		var in discordgo.Interaction
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if in.Type == discordgo.InteractionPing {
			_ = json.NewEncoder(w).Encode(discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
			return
		}
		// The edit may race the fake reading this answer; the fake holds
		// webhook calls until the answer is processed.
		_ = json.NewEncoder(w).Encode(discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
		go func() {
			content := "answered over REST"
			_, err := rest.InteractionResponseEdit(&in, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions})
			edited <- err
		}()
	}))
	t.Cleanup(endpoint.Close)

	if err := s.PostSignedPing(ctx, endpoint.URL); err != nil {
		t.Fatalf("ping: %v", err)
	}
	it, err := s.PostSignedInteraction(ctx, endpoint.URL, InteractionSpec{CommandName: "ask"})
	if err != nil {
		t.Fatalf("interaction: %v", err)
	}
	if err := recv(ctx, t, edited); err != nil {
		t.Fatalf("edit: %v", err)
	}
	final, err := it.WaitFinal(ctx)
	if err != nil || final.Message.Content != "answered over REST" {
		t.Fatalf("final = %+v, %v", final.Message, err)
	}

	// A tampered body must not verify against the fake's key.
	req, err := s.SignedRequest(ctx, endpoint.URL, []byte(`{"type":1}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(strings.NewReader(`{"type":2}`))
	req.ContentLength = int64(len(`{"type":2}`))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("tampered request answered %d, want 401", res.StatusCode)
	}
	s.AssertClean(t)
}

func TestSignedInteractionFailures(t *testing.T) {
	s := New(t, Options{AllowUnregisteredCommands: true})
	ctx := testCtx(t)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    ViolationKind
	}{
		{"endpoint error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, ViolationNoAck},
		{"empty message", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"type":4,"data":{"content":"","allowed_mentions":{"parse":[]}}}`))
		}, ViolationEmptyMessage},
		{"missing allowed mentions", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"type":4,"data":{"content":"hi"}}`))
		}, ViolationInvalidBody},
		{"autocomplete answer to a command", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"type":8,"data":{"choices":[]}}`))
		}, ViolationCallbackType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ep := httptest.NewServer(tc.handler)
			defer ep.Close()
			it, err := s.PostSignedInteraction(ctx, ep.URL, InteractionSpec{CommandName: "x"})
			if err == nil {
				t.Fatal("delivery succeeded, want an error")
			}
			vs := s.TakeViolations()
			if len(vs) != 1 || vs[0].Kind != tc.want {
				t.Fatalf("violations = %v, want one %s", vs, tc.want)
			}
			if tc.want == ViolationNoAck && it.Failed() == "" {
				t.Error("Failed() empty after a failed delivery")
			}
		})
	}
}

func TestSignBytes(t *testing.T) {
	s := New(t, Options{})
	req, err := s.SignedRequest(testCtx(t), "http://127.0.0.1/", []byte(`{"type":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if !discordgo.VerifyInteraction(req, s.PublicKey()) {
		t.Fatal("discordgo rejects the fake's signature")
	}
	body, _ := io.ReadAll(req.Body)
	if !bytes.Equal(body, []byte(`{"type":1}`)) {
		t.Fatalf("body after verify = %q", body)
	}
}
