package discordfake

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// PublicKey is the key a bot in HTTP-interactions mode verifies with (the
// application's "public key"; also PublicKeyHex and verify_key of
// GET /applications/@me).
func (s *Server) PublicKey() ed25519.PublicKey { return s.pub }

// Sign returns the hex X-Signature-Ed25519 for timestamp+body.
func (s *Server) Sign(timestamp string, body []byte) string {
	msg := append([]byte(timestamp), body...)
	return hex.EncodeToString(ed25519.Sign(s.priv, msg))
}

// SignedRequest builds the POST Discord sends to an interactions endpoint,
// signed with the fake's key. Tests may tamper with it before sending.
func (s *Server) SignedRequest(ctx context.Context, url string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("signed request: %w", err)
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", s.Sign(ts, body))
	return req, nil
}

// PostSignedPing sends a signed PING (type 1) and checks the endpoint
// answers PONG, as Discord does when the endpoint URL is saved.
func (s *Server) PostSignedPing(ctx context.Context, url string) error {
	s.mu.Lock()
	it := &Interaction{s: s, ID: s.newID(), Token: "cGluZw" + randomHex(24), Type: InteractionPing}
	it.Payload = mustJSON(map[string]any{"id": it.ID, "application_id": s.ApplicationID, "type": InteractionPing, "token": it.Token, "version": 1})
	it.DispatchedAt, it.wall = s.now(), time.Now()
	s.interactions[it.ID] = it
	s.byToken[it.Token] = it
	it.httpPending = true
	s.mu.Unlock()
	return s.postSigned(ctx, url, it)
}

// PostSignedInteraction delivers an interaction to an HTTP interactions
// endpoint (url) the way Discord does: signed POST, the initial response
// read from the HTTP answer within 3 s. Followups and edits then go
// through the REST routes as in gateway mode. The returned error reports a
// failed delivery (non-200, timeout, invalid response); the Interaction is
// returned whenever it was created.
func (s *Server) PostSignedInteraction(ctx context.Context, url string, spec InteractionSpec) (*Interaction, error) {
	s.mu.Lock()
	it, err := s.newInteractionLocked(spec)
	if it != nil {
		it.httpPending = true
	}
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("post signed interaction: %w", err)
	}
	return it, s.postSigned(ctx, url, it)
}

func (s *Server) postSigned(ctx context.Context, url string, it *Interaction) error {
	ctx, cancel := context.WithTimeout(ctx, AckDeadline)
	defer cancel()
	defer func() {
		s.mu.Lock()
		it.httpPending = false
		s.notifyLocked()
		s.mu.Unlock()
	}()
	req, err := s.SignedRequest(ctx, url, it.Payload)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.failSigned(it, url, "no answer from the interactions endpoint: "+err.Error())
		return fmt.Errorf("post signed interaction to %s: %w", url, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		s.failSigned(it, url, "reading the endpoint's answer: "+err.Error())
		return fmt.Errorf("post signed interaction to %s: read answer: %w", url, err)
	}
	if res.StatusCode != http.StatusOK {
		s.failSigned(it, url, fmt.Sprintf("endpoint answered %s", res.Status))
		return fmt.Errorf("post signed interaction to %s: endpoint answered %s: %.200s", url, res.Status, raw)
	}
	v, err := decodeJSON(raw)
	if err != nil {
		s.failSigned(it, url, "endpoint answered invalid JSON: "+err.Error())
		return fmt.Errorf("post signed interaction to %s: invalid JSON answer: %w", url, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []fieldError
	if sp, _ := s.spec.match("/interactions/{interaction_id}/{interaction_token}/callback"); sp != nil {
		errs = s.spec.validateSchema(sp.ops[http.MethodPost].jsonSchema, v, nil)
	}
	r := s.acceptCallbackLocked(it, v, errs, nil)
	if r.violation != nil {
		vi := *r.violation
		vi.Method, vi.Path, vi.Body = http.MethodPost, url, string(raw)
		s.recordViolationLocked(vi)
	}
	if r.status >= 400 {
		return fmt.Errorf("post signed interaction to %s: Discord would reject the response: %d %v", url, r.status, r.body)
	}
	return nil
}

// awaitSignedAnswer holds a webhook call for an interaction whose signed
// delivery is still in flight until the endpoint's answer is processed: a
// bot may start editing as soon as it has written its answer, before the
// fake has read it. Bounded by the acknowledgement deadline.
func (s *Server) awaitSignedAnswer(ctx context.Context, token string) {
	ctx, cancel := context.WithTimeout(ctx, AckDeadline)
	defer cancel()
	_ = s.waitFor(ctx, "signed interaction answer", func() bool {
		it, ok := s.byToken[token]
		return !ok || !it.httpPending
	})
}

func (s *Server) failSigned(it *Interaction, url, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it.failure = why
	it.lateReported = true
	s.recordViolationLocked(Violation{Kind: ViolationNoAck, Method: http.MethodPost, Path: url, Detail: fmt.Sprintf("%s: %s", it.describe(), why)})
}
