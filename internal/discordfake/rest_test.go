package discordfake

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

type apiResult struct {
	status int
	header http.Header
	body   map[string]any
	list   []any
	raw    []byte
}

// call sends a request through Transport, as the bot's client will.
func call(t *testing.T, s *Server, method, path, body string, auth bool) apiResult {
	t.Helper()
	req, err := http.NewRequest(method, "https://discord.com/api/v10"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		req.Header.Set("Authorization", "Bot "+s.Token)
	}
	res, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := apiResult{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %q", method, path, raw)
		}
		switch x := v.(type) {
		case map[string]any:
			out.body = x
		case []any:
			out.list = x
		}
	}
	return out
}

func TestRoutesExistInSpec(t *testing.T) {
	s := New(t, Options{})
	for key := range routes {
		method, tmpl, _ := strings.Cut(key, " ")
		p, _ := s.spec.match(tmpl)
		if p == nil || p.template != tmpl {
			t.Errorf("route %s: template not in Discord's spec (matched %v)", key, p)
			continue
		}
		if _, ok := p.ops[method]; !ok {
			t.Errorf("route %s: method not in Discord's spec", key)
		}
	}
}

func TestSpecMatch(t *testing.T) {
	s := New(t, Options{})
	tests := []struct {
		path, want string
		params     map[string]string
	}{
		{"/webhooks/1/tok/messages/@original", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", map[string]string{"webhook_id": "1", "webhook_token": "tok"}},
		{"/webhooks/1/tok/messages/55", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", map[string]string{"message_id": "55"}},
		{"/users/@me", "/users/@me", nil},
		{"/users/42", "/users/{user_id}", map[string]string{"user_id": "42"}},
		{"/applications/9/guilds/8/commands", "/applications/{application_id}/guilds/{guild_id}/commands", map[string]string{"guild_id": "8"}},
		{"/interactions/1/abc/callback", "/interactions/{interaction_id}/{interaction_token}/callback", map[string]string{"interaction_token": "abc"}},
		{"/no/such/route", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p, params := s.spec.match(tc.path)
			got := ""
			if p != nil {
				got = p.template
			}
			if got != tc.want {
				t.Fatalf("match = %q, want %q", got, tc.want)
			}
			for k, v := range tc.params {
				if params[k] != v {
					t.Errorf("param %s = %q, want %q", k, params[k], v)
				}
			}
		})
	}
}

func TestRESTBasics(t *testing.T) {
	s := New(t, Options{})
	tests := []struct {
		name       string
		method     string
		path       string
		auth       bool
		wantStatus int
		wantCode   float64
		check      func(t *testing.T, r apiResult)
	}{
		{"gateway needs no auth", "GET", "/gateway", false, 200, 0, func(t *testing.T, r apiResult) {
			if r.body["url"] != strings.TrimSuffix(s.GatewayURL, "/") {
				t.Errorf("url = %v, want %s", r.body["url"], s.GatewayURL)
			}
		}},
		{"gateway bot", "GET", "/gateway/bot", true, 200, 0, func(t *testing.T, r apiResult) {
			if r.body["shards"] != 1.0 {
				t.Errorf("shards = %v", r.body["shards"])
			}
		}},
		{"me", "GET", "/users/@me", true, 200, 0, func(t *testing.T, r apiResult) {
			if r.body["id"] != s.Bot.ID || r.body["bot"] != true {
				t.Errorf("me = %v", r.body)
			}
		}},
		{"application has verify key", "GET", "/applications/@me", true, 200, 0, func(t *testing.T, r apiResult) {
			if r.body["verify_key"] != s.PublicKeyHex {
				t.Errorf("verify_key = %v", r.body["verify_key"])
			}
		}},
		{"guild", "GET", "/guilds/" + s.GuildID, true, 200, 0, func(t *testing.T, r apiResult) {
			if r.body["owner_id"] != s.OwnerID {
				t.Errorf("owner = %v, want %s", r.body["owner_id"], s.OwnerID)
			}
		}},
		{"unknown guild", "GET", "/guilds/1", true, 404, 10004, nil},
		{"guild channels", "GET", "/guilds/" + s.GuildID + "/channels", true, 200, 0, func(t *testing.T, r apiResult) {
			if len(r.list) != 1 {
				t.Errorf("channels = %v", r.list)
			}
		}},
		{"member", "GET", "/guilds/" + s.GuildID + "/members/" + s.UserID, true, 200, 0, func(t *testing.T, r apiResult) {
			if u, _ := r.body["user"].(map[string]any); u["id"] != s.UserID {
				t.Errorf("member = %v", r.body)
			}
		}},
		{"typing", "POST", "/channels/" + s.ChannelID + "/typing", true, 204, 0, nil},
		{"missing auth", "GET", "/users/@me", false, 401, 0, nil},
		{"unknown route", "GET", "/not/a/route", true, 404, 0, nil},
		{"route the fake does not serve", "DELETE", "/guilds/" + s.GuildID, true, 405, 0, nil},
		{"unserved but real route", "GET", "/guilds/" + s.GuildID + "/bans", true, 404, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, tc.method, tc.path, "", tc.auth)
			if r.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (%v)", r.status, tc.wantStatus, r.body)
			}
			if tc.wantCode != 0 && r.body["code"] != tc.wantCode {
				t.Errorf("code = %v, want %v", r.body["code"], tc.wantCode)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
	kinds := map[ViolationKind]int{}
	for _, v := range s.TakeViolations() {
		kinds[v.Kind]++
	}
	if kinds[ViolationUnauthorized] != 1 || kinds[ViolationUnexpectedRequest] != 3 || len(kinds) != 2 {
		t.Errorf("violation kinds = %v, want 1 unauthorized and 3 unexpected_request", kinds)
	}
}

func TestTransportRefusesOtherHosts(t *testing.T) {
	s := New(t, Options{})
	if _, err := s.HTTPClient().Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("request to example.com: %v, want refusal", err)
	}
	res, err := s.HTTPClient().Get("https://cdn.discordapp.com/avatars/1/a.png")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("cdn = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestRateLimitHeadersAndEnforcement(t *testing.T) {
	s := New(t, Options{RouteRateLimits: map[string]RateLimit{"GET /users/@me": {Limit: 2, Window: time.Minute}}})
	var remaining []string
	for i := 0; i < 2; i++ {
		r := call(t, s, "GET", "/users/@me", "", true)
		remaining = append(remaining, r.header.Get("X-RateLimit-Remaining"))
		if r.header.Get("X-RateLimit-Limit") != "2" || r.header.Get("X-RateLimit-Bucket") == "" {
			t.Fatalf("headers = %v", r.header)
		}
		after, err := strconv.ParseFloat(r.header.Get("X-RateLimit-Reset-After"), 64)
		if err != nil || after <= 0 || after > 60.01 {
			t.Fatalf("reset-after = %q", r.header.Get("X-RateLimit-Reset-After"))
		}
	}
	if strings.Join(remaining, ",") != "1,0" {
		t.Fatalf("remaining = %v, want 1,0", remaining)
	}
	r := call(t, s, "GET", "/users/@me", "", true)
	if r.status != 429 || r.header.Get("Retry-After") == "" || r.body["retry_after"] == nil {
		t.Fatalf("third call = %d %v %v, want 429 with retry_after", r.status, r.header, r.body)
	}
	vs := s.TakeViolations()
	if len(vs) != 1 || vs[0].Kind != ViolationRateLimit {
		t.Fatalf("violations = %v, want one rate_limit", vs)
	}
	// Another bucket is unaffected.
	if r := call(t, s, "GET", "/gateway/bot", "", true); r.status != 200 {
		t.Fatalf("other bucket = %d", r.status)
	}
}

func TestFailNext(t *testing.T) {
	s := New(t, Options{})
	tests := []struct {
		name       string
		fault      Fault
		wantStatus int
		check      func(t *testing.T, r apiResult)
	}{
		{"429 per route", Fault{Method: "GET", Path: "/users/@me", Status: 429, RetryAfter: 1500 * time.Millisecond}, 429, func(t *testing.T, r apiResult) {
			if r.body["retry_after"] != 1.5 || r.body["global"] != false {
				t.Errorf("body = %v, want retry_after 1.5 global false", r.body)
			}
			if r.header.Get("Retry-After") != "2" || r.header.Get("X-RateLimit-Remaining") != "0" || r.header.Get("X-RateLimit-Bucket") == "" || r.header.Get("X-RateLimit-Scope") != "user" {
				t.Errorf("headers = %v", r.header)
			}
			// discordgo treats any X-RateLimit-Global value as global.
			if _, ok := r.header["X-Ratelimit-Global"]; ok {
				t.Errorf("X-RateLimit-Global present on a per-route 429")
			}
		}},
		{"429 global", Fault{Path: "/api/v10/users/@me", Status: 429, RetryAfter: 10 * time.Millisecond, Global: true}, 429, func(t *testing.T, r apiResult) {
			if r.header.Get("X-RateLimit-Global") != "true" || r.body["global"] != true {
				t.Errorf("headers = %v body = %v", r.header, r.body)
			}
		}},
		{"503", Fault{Method: "*", Path: "/users/*", Status: 503}, 503, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.FailNextWith(tc.fault)
			r := call(t, s, "GET", "/users/@me", "", true)
			if r.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d", r.status, tc.wantStatus)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			if r := call(t, s, "GET", "/users/@me", "", true); r.status != 200 {
				t.Fatalf("after the fault: %d, want 200", r.status)
			}
		})
	}
	injected := 0
	for _, r := range s.Requests() {
		if r.Injected {
			injected++
		}
	}
	if injected != len(tests) {
		t.Errorf("injected requests = %d, want %d", injected, len(tests))
	}
}

func TestRequireAPIVersion(t *testing.T) {
	s := New(t, Options{RequireAPIVersion: "10"})
	if r := call(t, s, "GET", "/users/@me", "", true); r.status != 200 {
		t.Fatalf("v10: %d", r.status)
	}
	req, _ := http.NewRequest("GET", "https://discord.com/api/v9/users/@me", nil)
	req.Header.Set("Authorization", "Bot "+s.Token)
	res, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	vs := s.TakeViolations()
	if res.StatusCode != 200 || len(vs) != 1 || vs[0].Kind != ViolationAPIVersion {
		t.Fatalf("v9 call: %d, violations %v; want served and one api_version violation", res.StatusCode, vs)
	}
	if got := s.Requests()[1].APIVersion; got != "9" {
		t.Errorf("recorded version = %q", got)
	}
}
