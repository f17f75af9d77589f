package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const configAbout = `Check a configuration: load the file (--config), the environment and the
flags as serve would, and validate the result, serve's needs included
(discord.token and discord.application_id, from the file or DISCORD_TOKEN
and DISCORD_APPLICATION_ID). Prints "ok" and the effective settings, with
secrets masked, or each problem on a line of its own and exits 1.`

func runConfig(_ context.Context, e *env, args []string) error {
	fs := e.flagSet("config", "check", configAbout)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return fmt.Errorf("%w: a subcommand is required (check)", errUsage)
	case pos[0] != "check":
		return fmt.Errorf("%w: unknown subcommand %q (check)", errUsage, pos[0])
	case len(pos) > 1:
		return fmt.Errorf("%w: config check takes no argument", errUsage)
	}
	cfg, err := e.config()
	if err == nil {
		err = cfg.CheckDiscord()
	}
	if err != nil {
		// Every problem, not the first: a file is fixed in one go. The
		// config package never echoes a secret in a problem, and redact
		// catches one the environment set.
		problems := strings.Split(e.redact(err.Error()), "\n")
		for _, p := range problems {
			fmt.Fprintln(e.stderr, p)
		}
		return fmt.Errorf("config check: %d problem%s", len(problems), map[bool]string{true: "", false: "s"}[len(problems) == 1])
	}
	// String masks the secrets (discord.token, discord.public_key,
	// llm.api_key, llm.headers' values, passwords in URLs).
	fmt.Fprintf(e.stdout, "ok\n%s", cfg.String())
	return nil
}

const healthcheckAbout = `Ask the running bot whether it is ready: GET /readyz on http.listen (an
address for all interfaces is asked on 127.0.0.1), or on --url. Exits 0
on 200 and 1 otherwise, within 2 s: the container's HEALTHCHECK.`

// healthcheckTimeout bounds the whole check, so that a hung bot fails its
// health check instead of piling up checks (Docker's default interval is
// 30 s).
const healthcheckTimeout = 2 * time.Second

func runHealthcheck(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("healthcheck", "", healthcheckAbout)
	target := fs.String("url", "", "the readiness `URL` to ask (default: http://HOST:PORT/readyz from http.listen)")
	if err := parseNoArgs(fs, args, ""); err != nil {
		return err
	}
	if *target == "" {
		// The configuration is read only to find the address: with --url
		// a broken file does not fail the check.
		cfg, err := e.config()
		if err != nil {
			return err
		}
		if *target, err = readyURL(cfg.HTTP.Listen); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s: %s", *target, resp.Status)
	}
	fmt.Fprintln(e.stdout, "ready")
	return nil
}

// readyURL is the readiness URL of a bot listening on listen; an address
// for all interfaces (":8080", "0.0.0.0:8080", "[::]:8080") is reached on
// the IPv4 loopback.
func readyURL(listen string) (string, error) {
	if listen == "" {
		return "", errors.New("http.listen is empty, so the bot serves no /readyz: set it, or give --url")
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("http.listen %q: %w", listen, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: "/readyz"}).String(), nil
}
