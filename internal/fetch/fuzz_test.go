package fetch

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckURL checks that URL validation never panics, that what it
// accepts is an http(s) URL with a host and no credentials whose literal
// IP, if any, is public, that every refusal is an *Error of kind
// ErrRefused, and that neither a refusal nor RedactURL repeats a password
// or a query value.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/doc.pdf",
		"http://127.0.0.1/",
		"http://[::ffff:10.0.0.1]:8080/x",
		"http://[fe80::1%25eth0]/",
		"http://user:pw-secret-1@example.com/?token=tok-secret-2",
		"HTTP://EXAMPLE.COM:65535",
		"http://0x7f.1/",
		"http://2130706433/",
		"ftp://x/",
		"http:opaque",
		"http://[64:ff9b::a00:1]/",
		"//host/path",
		"http://example.com:/",
		"http://%31%32%37.0.0.1/",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, allowPrivate bool) {
		err := CheckURL(raw, allowPrivate)
		// secrets are the password and the query values, except those
		// that the rest of the URL shows anyway (a value equal to a key or
		// to part of the path is not hidden by redacting it).
		var secrets []string
		var keys string
		shown, _, _ := strings.Cut(raw, "?")
		if u, perr := url.Parse(strings.TrimSpace(raw)); perr == nil {
			if u.User != nil {
				shown = strings.Replace(shown, u.User.String(), u.User.Username(), 1)
			}
			for k := range u.Query() {
				keys += k + "\x00"
			}
			add := func(v string) {
				if len(v) >= 8 && !strings.Contains(shown+"REDACTED"+keys, v) {
					secrets = append(secrets, v)
				}
			}
			if p, ok := u.User.Password(); ok {
				add(p)
			}
			for _, vs := range u.Query() {
				for _, v := range vs {
					add(v)
				}
			}
		}
		red := RedactURL(raw)
		// The redacted path may run into its query ("a?" + "=REDACTED"),
		// so each part is looked at on its own.
		before, query, _ := strings.Cut(red, "?")
		for _, s := range secrets {
			if strings.Contains(before, s) || strings.Contains(query, s) {
				t.Fatalf("RedactURL(%q) = %q keeps %q", raw, red, s)
			}
		}
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || !errors.Is(err, ErrRefused) {
				t.Fatalf("CheckURL(%q) = %v (%T), want an *Error of kind ErrRefused", raw, err, err)
			}
			for _, s := range secrets {
				before, query, _ := strings.Cut(fe.URL, "?")
				if strings.Contains(err.Error(), s) || strings.Contains(before, s) || strings.Contains(query, s) {
					t.Fatalf("refusal of %q repeats %q: %q, URL %q", raw, s, err, fe.URL)
				}
			}
			return
		}
		u, perr := url.Parse(strings.TrimSpace(raw))
		if perr != nil {
			t.Fatalf("accepted %q, which does not parse: %v", raw, perr)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("accepted scheme %q in %q", u.Scheme, raw)
		}
		if u.User != nil || u.Hostname() == "" || u.Opaque != "" {
			t.Fatalf("accepted %q: user %v, host %q, opaque %q", raw, u.User, u.Hostname(), u.Opaque)
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
			c := classify(ip)
			if c != public && !(allowPrivate && c.liftable()) {
				t.Fatalf("accepted %q: %s is %s", raw, ip, c)
			}
		}
	})
}
