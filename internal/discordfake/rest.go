package discordfake

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Request is one REST call the fake received.
type Request struct {
	Method     string
	Path       string // as received, e.g. /api/v9/channels/1/messages
	Route      string // Discord spec template, e.g. /channels/{channel_id}/messages; "" if unknown
	APIVersion string // "9", "10", or "" for unversioned /api/
	Params     map[string]string
	Query      url.Values
	Header     http.Header
	Body       []byte // JSON body (the payload_json part for multipart bodies)
	Status     int
	Code       int  // Discord error code of the answer, 0 on success
	Injected   bool // answered by FailNext
	At         time.Time
	Wall       time.Time
}

type reqCtx struct {
	r           *http.Request
	method      string
	path        string
	route       string
	version     string
	params      map[string]string
	query       url.Values
	body        []byte
	attachments []Attachment
	op          specOp
	wall        time.Time
}

// resp is a handler's answer; a violation is recorded with the request.
type resp struct {
	status    int
	body      any
	header    http.Header
	violation *Violation
}

func jsonErr(status, code int, msg string) resp {
	return resp{status: status, body: map[string]any{"message": msg, "code": code}}
}

func (r resp) withViolation(kind ViolationKind, detail string) resp {
	r.violation = &Violation{Kind: kind, Detail: detail}
	return r
}

type handler func(s *Server, rc *reqCtx) resp

// routes maps "METHOD /spec/template" to its handler. Every key must exist
// in Discord's spec (checked in tests), so the fake never serves a route
// Discord does not have.
var routes = map[string]handler{
	"GET /gateway":                                                                  (*Server).getGateway,
	"GET /gateway/bot":                                                              (*Server).getGatewayBot,
	"GET /users/@me":                                                                (*Server).getMe,
	"GET /users/{user_id}":                                                          (*Server).getUser,
	"GET /applications/@me":                                                         (*Server).getApplication,
	"GET /guilds/{guild_id}":                                                        (*Server).getGuild,
	"GET /guilds/{guild_id}/roles":                                                  (*Server).getGuildRoles,
	"GET /guilds/{guild_id}/channels":                                               (*Server).getGuildChannels,
	"GET /guilds/{guild_id}/members/{user_id}":                                      (*Server).getGuildMember,
	"GET /channels/{channel_id}":                                                    (*Server).getChannel,
	"POST /channels/{channel_id}/typing":                                            (*Server).postTyping,
	"POST /channels/{channel_id}/messages":                                          (*Server).postChannelMessage,
	"GET /channels/{channel_id}/messages/{message_id}":                              (*Server).getChannelMessage,
	"PATCH /channels/{channel_id}/messages/{message_id}":                            (*Server).patchChannelMessage,
	"DELETE /channels/{channel_id}/messages/{message_id}":                           (*Server).deleteChannelMessage,
	"POST /channels/{channel_id}/messages/{message_id}/threads":                     (*Server).postMessageThread,
	"GET /applications/{application_id}/commands":                                   (*Server).getCommands,
	"PUT /applications/{application_id}/commands":                                   (*Server).putCommands,
	"POST /applications/{application_id}/commands":                                  (*Server).postCommand,
	"GET /applications/{application_id}/commands/{command_id}":                      (*Server).getCommand,
	"DELETE /applications/{application_id}/commands/{command_id}":                   (*Server).deleteCommand,
	"GET /applications/{application_id}/guilds/{guild_id}/commands":                 (*Server).getCommands,
	"PUT /applications/{application_id}/guilds/{guild_id}/commands":                 (*Server).putCommands,
	"POST /applications/{application_id}/guilds/{guild_id}/commands":                (*Server).postCommand,
	"GET /applications/{application_id}/guilds/{guild_id}/commands/{command_id}":    (*Server).getCommand,
	"DELETE /applications/{application_id}/guilds/{guild_id}/commands/{command_id}": (*Server).deleteCommand,
	"POST /interactions/{interaction_id}/{interaction_token}/callback":              (*Server).postCallback,
	"POST /webhooks/{webhook_id}/{webhook_token}":                                   (*Server).postFollowup,
	"GET /webhooks/{webhook_id}/{webhook_token}/messages/@original":                 (*Server).getWebhookMessage,
	"PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original":               (*Server).patchWebhookMessage,
	"DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original":              (*Server).deleteWebhookMessage,
	"GET /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}":              (*Server).getWebhookMessage,
	"PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}":            (*Server).patchWebhookMessage,
	"DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}":           (*Server).deleteWebhookMessage,
}

// Routes authenticated by the interaction token in the URL, not the bot token.
func tokenRoute(route string) bool {
	return strings.HasPrefix(route, "/webhooks/{webhook_id}/{webhook_token}") || strings.HasPrefix(route, "/interactions/") || route == "/gateway"
}

// splitAPIPath splits /api/v10/x into ("10", "/x"); /api/x gives ("", "/x").
func splitAPIPath(p string) (version, rest string, ok bool) {
	if !strings.HasPrefix(p, "/api/") {
		return "", "", false
	}
	rest = p[len("/api"):]
	if strings.HasPrefix(rest, "/v") {
		seg := rest[2:]
		end := strings.IndexByte(seg, '/')
		if end < 0 {
			end = len(seg)
		}
		if _, err := strconv.Atoi(seg[:end]); err == nil {
			return seg[:end], seg[end:], true
		}
	}
	return "", rest, true
}

// onePixelPNG answers CDN fetches (avatars, icons).
var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" && websocket.IsWebSocketUpgrade(r) {
		s.serveGateway(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/cdn/") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		s.serveCDN(w, r)
		return
	}
	rc := &reqCtx{r: r, method: r.Method, path: r.URL.Path, query: r.URL.Query(), wall: time.Now()}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		s.finish(w, rc, jsonErr(http.StatusBadRequest, 0, "discordfake: read body: "+err.Error()), false)
		return
	}
	rc.body = raw
	var res resp
	injected := false
	version, rest, ok := splitAPIPath(r.URL.Path)
	rc.version = version
	var sp *specPath
	if ok {
		sp, rc.params = s.spec.match(rest)
	}
	var h handler
	switch {
	case !ok || sp == nil:
		res = jsonErr(http.StatusNotFound, 0, "404: Not Found").withViolation(ViolationUnexpectedRequest, "no such route in Discord's API")
	default:
		rc.route = sp.template
		op, hasOp := sp.ops[r.Method]
		rc.op = op
		h = routes[r.Method+" "+sp.template]
		switch {
		case !hasOp:
			res = jsonErr(http.StatusMethodNotAllowed, 0, "405: Method Not Allowed").withViolation(ViolationUnexpectedRequest, "method not allowed on "+sp.template)
		case h == nil:
			res = jsonErr(http.StatusNotFound, 0, "404: Not Found").withViolation(ViolationUnexpectedRequest, "route "+r.Method+" "+sp.template+" exists in Discord's API but discordfake does not serve it")
		}
	}
	if h == nil {
		s.finish(w, rc, res, false)
		return
	}
	if err := s.readMultipart(rc); err != nil {
		s.finish(w, rc, jsonErr(http.StatusBadRequest, 50109, "The request body contains invalid JSON.").withViolation(ViolationInvalidJSON, err.Error()), false)
		return
	}

	if tok := rc.params["webhook_token"]; tok != "" {
		s.awaitSignedAnswer(r.Context(), tok)
	}
	s.mu.Lock()
	if want := s.opts.RequireAPIVersion; want != "" && version != want {
		s.recordViolationLocked(Violation{Kind: ViolationAPIVersion, Method: rc.method, Path: rc.path, Route: rc.route, Detail: fmt.Sprintf("API version %q, want %q", version, want)})
	}
	switch {
	case !tokenRoute(rc.route) && r.Header.Get("Authorization") != "Bot "+s.Token:
		res = jsonErr(http.StatusUnauthorized, 0, "401: Unauthorized").withViolation(ViolationUnauthorized, "missing or wrong Authorization header")
	default:
		if f := s.takeFaultLocked(rc); f != nil {
			res, injected = s.faultResponseLocked(rc, f), true
		} else if hdr, ok := s.takeBucketLocked(rc); !ok {
			res = hdr
		} else {
			res = h(s, rc)
			if res.header == nil {
				res.header = http.Header{}
			}
			for k, v := range hdr.header {
				res.header[k] = v
			}
		}
	}
	s.mu.Unlock()
	s.finish(w, rc, res, injected)
}

func (s *Server) readMultipart(rc *reqCtx) error {
	ct := rc.r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "multipart/form-data" {
		return nil
	}
	mr := multipart.NewReader(bytes.NewReader(rc.body), params["boundary"])
	var payload []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read multipart body: %w", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return fmt.Errorf("read multipart part %s: %w", part.FormName(), err)
		}
		switch name := part.FormName(); {
		case name == "payload_json":
			payload = data
		case strings.HasPrefix(name, "files["), strings.HasPrefix(name, "file"):
			a := Attachment{ID: s.newID(), Filename: part.FileName(), ContentType: part.Header.Get("Content-Type"), Size: len(data)}
			rc.attachments = append(rc.attachments, a)
			s.mu.Lock()
			s.storeFileLocked(a, data)
			s.mu.Unlock()
		}
	}
	rc.body = payload
	return nil
}

// finish writes the answer and logs the request.
func (s *Server) finish(w http.ResponseWriter, rc *reqCtx, res resp, injected bool) {
	if res.status == 0 {
		res.status = http.StatusOK
	}
	for k, v := range res.header {
		w.Header()[k] = v
	}
	var out []byte
	if res.body != nil {
		out = mustJSON(res.body)
		w.Header().Set("Content-Type", "application/json")
	}
	code := 0
	if m, ok := res.body.(map[string]any); ok && res.status >= 400 {
		if c, ok := m["code"].(int); ok {
			code = c
		}
	}
	s.mu.Lock()
	req := Request{
		Method: rc.method, Path: rc.path, Route: rc.route, APIVersion: rc.version, Params: rc.params,
		Query: rc.query, Header: rc.r.Header.Clone(), Body: rc.body, Status: res.status, Code: code,
		Injected: injected, At: s.now(), Wall: rc.wall,
	}
	s.requests = append(s.requests, req)
	if v := res.violation; v != nil {
		v.Method, v.Path, v.Route, v.Body = rc.method, rc.path, rc.route, string(rc.body)
		s.recordViolationLocked(*v)
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Info("discordfake rest", "method", rc.method, "path", rc.path, "status", res.status, "code", code)
	w.WriteHeader(res.status)
	if out != nil && res.status != http.StatusNoContent {
		_, _ = w.Write(out)
	}
}

// Requests returns the REST calls received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// WaitRequest waits for a received REST call matching pred.
func (s *Server) WaitRequest(ctx context.Context, pred func(Request) bool) (Request, error) {
	var got Request
	err := s.waitFor(ctx, "request", func() bool {
		for _, r := range s.requests {
			if pred(r) {
				got = r
				return true
			}
		}
		return false
	})
	return got, err
}

// decodeBody parses the JSON body; a missing required body or bad JSON is
// answered 50109 like Discord.
func (s *Server) decodeBody(rc *reqCtx) (any, *resp) {
	if len(bytes.TrimSpace(rc.body)) == 0 {
		if rc.op.bodyRequired {
			r := jsonErr(http.StatusBadRequest, 50109, "The request body contains invalid JSON.").withViolation(ViolationInvalidJSON, "empty body")
			return nil, &r
		}
		return nil, nil
	}
	v, err := decodeJSON(rc.body)
	if err != nil {
		r := jsonErr(http.StatusBadRequest, 50109, "The request body contains invalid JSON.").withViolation(ViolationInvalidJSON, err.Error())
		return nil, &r
	}
	return v, nil
}

// specErrors validates a decoded body against the route's JSON schema.
func (s *Server) specErrors(rc *reqCtx, v any) []fieldError {
	if rc.op.jsonSchema == nil {
		return nil
	}
	return s.spec.validateSchema(rc.op.jsonSchema, v, nil)
}

func invalidBody(errs []fieldError) resp {
	r := resp{status: http.StatusBadRequest, body: map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": discordErrors(errs)}}
	v := &Violation{Kind: ViolationInvalidBody, Detail: "Invalid Form Body"}
	for _, e := range errs {
		v.Errors = append(v.Errors, e.String())
	}
	r.violation = v
	return r
}

func emptyMessage() resp {
	return jsonErr(http.StatusBadRequest, 50006, "Cannot send an empty message").withViolation(ViolationEmptyMessage, "message has no content, embeds, components, files or poll")
}

// --- rate limits and faults ---

type bucket struct {
	hash    string
	limit   int
	window  time.Duration
	resetAt time.Time
	used    int
}

var majorParams = []string{"channel_id", "guild_id", "webhook_id", "webhook_token", "interaction_id", "interaction_token"}

func (s *Server) bucketFor(rc *reqCtx) *bucket {
	routeKey := rc.method + " " + rc.route
	key := routeKey
	for _, p := range majorParams {
		if v, ok := rc.params[p]; ok {
			key += "|" + v
		}
	}
	b, ok := s.buckets[key]
	if !ok {
		rl := s.opts.RateLimit
		if o, ok := s.opts.RouteRateLimits[routeKey]; ok {
			if o.Limit > 0 {
				rl.Limit = o.Limit
			}
			if o.Window > 0 {
				rl.Window = o.Window
			}
		}
		h := fnv.New64a()
		h.Write([]byte(routeKey))
		b = &bucket{hash: strconv.FormatUint(h.Sum64(), 16), limit: rl.Limit, window: rl.Window}
		s.buckets[key] = b
	}
	return b
}

// resetGrace absorbs the millisecond truncation clients apply to
// X-RateLimit-Reset-After.
const resetGrace = 5 * time.Millisecond

func (b *bucket) headers(now time.Time, remaining int) http.Header {
	after := b.resetAt.Sub(now)
	if after < 0 {
		after = 0
	}
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", secondsString(time.Duration(b.resetAt.UnixNano())))
	h.Set("X-RateLimit-Reset-After", secondsString(after+time.Millisecond))
	h.Set("X-RateLimit-Bucket", b.hash)
	return h
}

// secondsString renders d in seconds with millisecond precision, rounded up
// so a client that waits that long never arrives early.
func secondsString(d time.Duration) string {
	ms := int64(math.Ceil(float64(d) / float64(time.Millisecond)))
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// takeBucketLocked counts the request against its bucket. When the bucket
// is exhausted the answer is a 429 (and a violation: a client that honours
// the headers never gets there).
func (s *Server) takeBucketLocked(rc *reqCtx) (resp, bool) {
	b := s.bucketFor(rc)
	now := time.Now()
	if !now.Before(b.resetAt.Add(-resetGrace)) {
		b.used = 0
		b.resetAt = now.Add(b.window)
	}
	if b.used >= b.limit {
		retry := b.resetAt.Sub(now)
		h := b.headers(now, 0)
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
		h.Set("X-RateLimit-Scope", "user")
		r := resp{status: http.StatusTooManyRequests, header: h, body: map[string]any{
			"message": "You are being rate limited.", "retry_after": retryAfterJSON(retry), "global": false,
		}}
		return r.withViolation(ViolationRateLimit, fmt.Sprintf("bucket %s (%d per %v) exhausted; the client ignored X-RateLimit-Remaining: 0", rc.method+" "+rc.route, b.limit, b.window)), false
	}
	b.used++
	return resp{header: b.headers(now, b.limit-b.used)}, true
}

func retryAfterJSON(d time.Duration) float64 {
	ms := math.Ceil(float64(d) / float64(time.Millisecond))
	return ms / 1000
}

// Fault describes injected failures for FailNextWith.
type Fault struct {
	Method     string        // "" or "*" for any
	Path       string        // route template or concrete path, with or without /api/vN, or a /cdn/ path (CDN fetches); "*" and {param} match one segment
	Status     int           // 429 or 5xx (any error status for /cdn/ paths)
	RetryAfter time.Duration // for 429
	Count      int           // how many matching requests fail (default 1)
	Global     bool          // 429 is the global limit (X-RateLimit-Global: true)
}

type fault struct {
	Fault
	segs []string
}

// FailNext answers the next n requests matching method and pathPattern with
// status: 429 with retry_after (JSON body, seconds), Retry-After and
// X-RateLimit-* headers, or a 5xx error.
func (s *Server) FailNext(method, pathPattern string, status int, retryAfter time.Duration, n int) {
	s.FailNextWith(Fault{Method: method, Path: pathPattern, Status: status, RetryAfter: retryAfter, Count: n})
}

// FailNextWith is FailNext with every option.
func (s *Server) FailNextWith(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	p := f.Path
	if _, rest, ok := splitAPIPath(p); ok {
		p = rest
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{Fault: f, segs: splitPath(p)})
}

func (s *Server) takeFaultLocked(rc *reqCtx) *fault {
	_, rest, isAPI := splitAPIPath(rc.path)
	if !isAPI {
		rest = rc.path // a CDN fetch, /cdn/...
	}
	segs := splitPath(rest)
	for i, f := range s.faults {
		if f.Method != "" && f.Method != "*" && !strings.EqualFold(f.Method, rc.method) {
			continue
		}
		// Only a fault whose path starts with /cdn/ hits CDN fetches, so
		// an all-wildcard API pattern never does.
		if (len(f.segs) > 0 && f.segs[0] == "cdn") == isAPI {
			continue
		}
		if len(f.segs) != len(segs) {
			continue
		}
		match := true
		for j, p := range f.segs {
			if p != "*" && !isParam(p) && p != segs[j] {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		return f
	}
	return nil
}

func (s *Server) faultResponseLocked(rc *reqCtx, f *fault) resp {
	if f.Status != http.StatusTooManyRequests {
		return jsonErr(f.Status, 0, fmt.Sprintf("%d: %s", f.Status, http.StatusText(f.Status)))
	}
	b := s.bucketFor(rc)
	now := time.Now()
	if b.resetAt.Before(now.Add(f.RetryAfter)) {
		b.resetAt = now.Add(f.RetryAfter)
	}
	h := b.headers(now, 0)
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
	if f.Global {
		// Discord sends X-RateLimit-Global only for the global limit; any
		// value (even "false") makes discordgo treat the limit as global.
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
	} else {
		h.Set("X-RateLimit-Scope", "user")
	}
	return resp{status: http.StatusTooManyRequests, header: h, body: map[string]any{
		"message": "You are being rate limited.", "retry_after": retryAfterJSON(f.RetryAfter), "global": f.Global,
	}}
}

// --- simple read routes ---

func (s *Server) getGateway(rc *reqCtx) resp {
	return resp{body: map[string]any{"url": strings.TrimSuffix(s.GatewayURL, "/")}}
}

func (s *Server) getGatewayBot(rc *reqCtx) resp {
	return resp{body: map[string]any{
		"url": strings.TrimSuffix(s.GatewayURL, "/"), "shards": s.opts.RecommendedShards,
		"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": s.opts.MaxConcurrency},
	}}
}

func (s *Server) getMe(rc *reqCtx) resp {
	u := s.userWireLocked(s.Bot.ID)
	u["verified"] = true
	u["mfa_enabled"] = false
	return resp{body: u}
}

func (s *Server) getUser(rc *reqCtx) resp {
	id := rc.params["user_id"]
	if _, ok := s.users[id]; !ok {
		return jsonErr(http.StatusNotFound, 10013, "Unknown User")
	}
	return resp{body: s.userWireLocked(id)}
}

func (s *Server) getApplication(rc *reqCtx) resp {
	return resp{body: map[string]any{
		"id": s.ApplicationID, "name": s.Bot.Username, "icon": nil, "description": "", "bot_public": false,
		"bot_require_code_grant": false, "verify_key": s.PublicKeyHex, "flags": 0, "bot": s.userWireLocked(s.Bot.ID),
		"summary": "", "team": nil, "owner": s.userWireLocked(s.OwnerID),
	}}
}

func (s *Server) guildOr404(rc *reqCtx) (*Guild, *resp) {
	g, ok := s.guilds[rc.params["guild_id"]]
	if !ok {
		r := jsonErr(http.StatusNotFound, 10004, "Unknown Guild")
		return nil, &r
	}
	return g, nil
}

func (s *Server) getGuild(rc *reqCtx) resp {
	g, r := s.guildOr404(rc)
	if r != nil {
		return *r
	}
	w := s.guildWireLocked(g)
	if rc.query.Get("with_counts") == "true" {
		w["approximate_member_count"] = len(g.Members)
		w["approximate_presence_count"] = 0
	}
	return resp{body: w}
}

func (s *Server) getGuildRoles(rc *reqCtx) resp {
	g, r := s.guildOr404(rc)
	if r != nil {
		return *r
	}
	roles := []any{}
	for _, ro := range g.Roles {
		roles = append(roles, roleWire(ro))
	}
	return resp{body: roles}
}

func (s *Server) getGuildChannels(rc *reqCtx) resp {
	g, r := s.guildOr404(rc)
	if r != nil {
		return *r
	}
	out := []any{}
	for i := range g.Channels {
		out = append(out, s.channelWireLocked(&g.Channels[i]))
	}
	return resp{body: out}
}

func (s *Server) getGuildMember(rc *reqCtx) resp {
	g, r := s.guildOr404(rc)
	if r != nil {
		return *r
	}
	m := s.memberLocked(g, rc.params["user_id"])
	if m == nil {
		return jsonErr(http.StatusNotFound, 10007, "Unknown Member")
	}
	return resp{body: s.memberWireLocked(g, m, true)}
}

func (s *Server) channelOr404(rc *reqCtx) (*Channel, *resp) {
	c, ok := s.channels[rc.params["channel_id"]]
	if !ok {
		r := jsonErr(http.StatusNotFound, 10003, "Unknown Channel")
		return nil, &r
	}
	return c, nil
}

func (s *Server) getChannel(rc *reqCtx) resp {
	c, r := s.channelOr404(rc)
	if r != nil {
		return *r
	}
	return resp{body: s.channelWireLocked(c)}
}

// botCanLocked checks the bot's guild-level permissions for a channel.
func (s *Server) botCanLocked(c *Channel, perms int64) bool {
	if c.GuildID == "" {
		return true
	}
	p, err := s.memberPermissionsLocked(c.GuildID, s.Bot.ID, nil)
	return err == nil && p&perms == perms
}

func (s *Server) postTyping(rc *reqCtx) resp {
	c, r := s.channelOr404(rc)
	if r != nil {
		return *r
	}
	if !s.botCanLocked(c, PermViewChannel|sendPermission(c)) {
		return jsonErr(http.StatusForbidden, 50013, "Missing Permissions")
	}
	return resp{status: http.StatusNoContent}
}

// --- channel messages ---

func (s *Server) postChannelMessage(rc *reqCtx) resp {
	c, r := s.channelOr404(rc)
	if r != nil {
		return *r
	}
	// Threads need Send Messages in Threads instead of Send Messages.
	if !s.botCanLocked(c, PermViewChannel|sendPermission(c)) {
		return jsonErr(http.StatusForbidden, 50013, "Missing Permissions")
	}
	v, br := s.decodeBody(rc)
	if br != nil {
		return *br
	}
	errs := s.specErrors(rc, v)
	errs = append(errs, checkMessage(v, nil, messageCheck{requireAllowedMentions: true, create: true})...)
	body, _ := v.(map[string]any)
	var ref *MessageReference
	if body != nil {
		if rv, ok := body["message_reference"].(map[string]any); ok {
			id, _ := rv["message_id"].(string)
			if m, ok := s.messages[id]; !ok || m.ChannelID != c.ID || m.Deleted {
				errs = append(errs, fieldError{[]string{"message_reference"}, "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"})
			} else {
				ref = &MessageReference{MessageID: id, ChannelID: c.ID, GuildID: c.GuildID}
			}
		}
	}
	if len(errs) > 0 {
		return invalidBody(errs)
	}
	if body == nil || messageIsEmpty(body, len(rc.attachments)) {
		return emptyMessage()
	}
	m := &Message{ID: s.newID(), ChannelID: c.ID, GuildID: c.GuildID, AuthorID: s.Bot.ID, CreatedAt: s.now(), Attachments: rc.attachments}
	if err := applyMessageBody(m, body, false); err != nil {
		return invalidBody([]fieldError{{nil, "BASE_TYPE_BAD_TYPE", err.Error()}})
	}
	m.Reference = ref
	m.Flags &= MessageFlagSuppressEmbs | 1<<12 // only SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS may be set
	m.Mentions = parseMentions(m.Content)
	s.storeMessageLocked(m)
	s.joinThreadLocked(c, s.Bot.ID)
	s.dispatchMessageLocked("MESSAGE_CREATE", m)
	return resp{body: s.messageWireLocked(m)}
}

func (s *Server) channelMessageOr404(rc *reqCtx) (*Message, *resp) {
	c, r := s.channelOr404(rc)
	if r != nil {
		return nil, r
	}
	m, ok := s.messages[rc.params["message_id"]]
	if !ok || m.ChannelID != c.ID || m.Deleted || m.Ephemeral() {
		r := jsonErr(http.StatusNotFound, 10008, "Unknown Message")
		return nil, &r
	}
	return m, nil
}

func (s *Server) getChannelMessage(rc *reqCtx) resp {
	m, r := s.channelMessageOr404(rc)
	if r != nil {
		return *r
	}
	return resp{body: s.messageWireLocked(m)}
}

func (s *Server) patchChannelMessage(rc *reqCtx) resp {
	m, r := s.channelMessageOr404(rc)
	if r != nil {
		return *r
	}
	if m.AuthorID != s.Bot.ID {
		return jsonErr(http.StatusForbidden, 50005, "Cannot edit a message authored by another user")
	}
	v, br := s.decodeBody(rc)
	if br != nil {
		return *br
	}
	errs := s.specErrors(rc, v)
	errs = append(errs, checkMessage(v, nil, messageCheck{requireAllowedMentions: true})...)
	if len(errs) > 0 {
		return invalidBody(errs)
	}
	body, _ := v.(map[string]any)
	return s.editMessageLocked(m, body, rc.attachments)
}

func (s *Server) editMessageLocked(m *Message, body map[string]any, atts []Attachment) resp {
	next := cloneMessage(m)
	if err := applyMessageBody(&next, body, true); err != nil {
		return invalidBody([]fieldError{{nil, "BASE_TYPE_BAD_TYPE", err.Error()}})
	}
	next.Attachments = append(next.Attachments, atts...)
	if wireEmpty(&next) {
		return emptyMessage()
	}
	if m.Deferred {
		next.Deferred = false
		next.Flags &^= MessageFlagLoading
	} else {
		next.EditedAt = s.now()
	}
	next.Edits++
	next.Mentions = parseMentions(next.Content)
	*m = next
	s.notifyLocked()
	s.dispatchMessageLocked("MESSAGE_UPDATE", m)
	return resp{body: s.messageWireLocked(m)}
}

func wireEmpty(m *Message) bool {
	return strings.TrimSpace(m.Content) == "" && len(m.Embeds) == 0 && len(m.Components) == 0 && len(m.Attachments) == 0
}

func (s *Server) deleteChannelMessage(rc *reqCtx) resp {
	m, r := s.channelMessageOr404(rc)
	if r != nil {
		return *r
	}
	c := s.channels[m.ChannelID]
	if m.AuthorID != s.Bot.ID && !s.botCanLocked(c, PermManageMessages) {
		return jsonErr(http.StatusForbidden, 50013, "Missing Permissions")
	}
	m.Deleted = true
	s.notifyLocked()
	s.dispatchMessageLocked("MESSAGE_DELETE", m)
	return resp{status: http.StatusNoContent}
}
