package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConfigCheck: a good configuration prints "ok" and its settings with
// the secrets masked; a bad one prints each problem on its line and exits
// 1, without the secrets either.
func TestConfigCheck(t *testing.T) {
	const token, apiKey = "MTIzNDU2Nzg5MDEyMzQ1Njc4.token-never-printed", "sk-key-never-printed-1234"
	t.Setenv("DISCORD_TOKEN", token)
	t.Setenv("DISCORD_APPLICATION_ID", "123456789012345678")
	good := writeConfig(t, "llm:\n  api_key: "+apiKey+"\n  model: gpt-test\nhttp:\n  listen: \"0.0.0.0:9090\"\n")
	code, out, errs := runCLI(t, t.TempDir(), "", "--config", good, "config", "check")
	if code != 0 || !strings.HasPrefix(out, "ok\n") || !strings.Contains(out, `listen: 0.0.0.0:9090`) ||
		!strings.Contains(out, "model: gpt-test") || !strings.Contains(out, "application_id: \"123456789012345678\"") {
		t.Errorf("good config: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	printed := out + errs

	bad := writeConfig(t, "llm:\n  api_key: "+apiKey+"\n  temperature: 9\ndiscord:\n  mode: nope\n")
	code, out, errs = runCLI(t, t.TempDir(), "", "config", "check", "--config", bad)
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if code != 1 || out != "" || len(lines) != 3 ||
		!strings.Contains(lines[0], "llm.temperature") || !strings.Contains(lines[1], "discord.mode") ||
		lines[2] != "briefbot: config check: 2 problems" {
		t.Errorf("bad config: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	printed += out + errs

	// What serve needs is checked too.
	t.Setenv("DISCORD_TOKEN", "")
	code, _, errs = runCLI(t, t.TempDir(), "", "--config", good, "config", "check")
	if code != 1 || !strings.Contains(errs, "discord.token") || !strings.Contains(errs, "DISCORD_TOKEN") {
		t.Errorf("no token: exit %d\nstderr:\n%s", code, errs)
	}
	printed += errs
	if strings.Contains(printed, token) || strings.Contains(printed, apiKey) || !strings.Contains(printed, "[REDACTED]") {
		t.Errorf("a secret was printed, or none was masked:\n%s", printed)
	}

	for _, args := range [][]string{{"config"}, {"config", "nope"}, {"config", "check", "extra"}} {
		if code, _, errs := runCLI(t, t.TempDir(), "", args...); code != 2 || !strings.Contains(errs, "briefbot config --help") {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", args, code, errs)
		}
	}
}

// TestHealthcheck: exit 0 on a 200 from /readyz, 1 on anything else, a
// hung bot included; without --url the address comes from http.listen.
func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			w.WriteHeader(status)
		case "/hang":
			<-r.Context().Done() // until the check gives up
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	data := t.TempDir()

	if code, out, errs := runCLI(t, data, "", "healthcheck", "--url", srv.URL+"/readyz"); code != 0 || out != "ready\n" {
		t.Errorf("ready: exit %d %q %q", code, out, errs)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	cfg := writeConfig(t, "http:\n  listen: \"0.0.0.0:"+port+"\"\n")
	if code, _, errs := runCLI(t, data, "", "--config", cfg, "healthcheck"); code != 0 {
		t.Errorf("from http.listen: exit %d %q", code, errs)
	}

	status = http.StatusServiceUnavailable
	if code, _, errs := runCLI(t, data, "", "--config", cfg, "healthcheck"); code != 1 || !strings.Contains(errs, "503") {
		t.Errorf("not ready: exit %d %q", code, errs)
	}
	start := time.Now()
	if code, _, errs := runCLI(t, data, "", "healthcheck", "--url", srv.URL+"/hang"); code != 1 || time.Since(start) > healthcheckTimeout+time.Second {
		t.Errorf("hung: exit %d after %s, %q", code, time.Since(start), errs)
	}
	if code, _, errs := runCLI(t, data, "", "healthcheck", "--url", "http://"+freeAddr(t)+"/readyz"); code != 1 {
		t.Errorf("nothing listening: exit %d %q", code, errs)
	}
	off := writeConfig(t, "http:\n  listen: \"\"\n")
	if code, _, errs := runCLI(t, data, "", "--config", off, "healthcheck"); code != 1 || !strings.Contains(errs, "--url") {
		t.Errorf("http.listen off: exit %d %q", code, errs)
	}
}

func TestReadyURL(t *testing.T) {
	for listen, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/readyz",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/readyz",
		":8080":          "http://127.0.0.1:8080/readyz",
		"[::]:8080":      "http://127.0.0.1:8080/readyz",
		"localhost:9000": "http://localhost:9000/readyz",
		"[::1]:8080":     "http://[::1]:8080/readyz",
	} {
		if got, err := readyURL(listen); got != want || err != nil {
			t.Errorf("readyURL(%q) = %q %v, want %q", listen, got, err, want)
		}
	}
}
