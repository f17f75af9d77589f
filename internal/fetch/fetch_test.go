package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// publicIP stands for a server on the internet; the test dial hook sends
// every connection to it to the local test server.
var publicIP = netip.MustParseAddr("93.184.216.34")

// resolverFunc lets a function serve as the Resolver.
type resolverFunc func(host string) ([]netip.Addr, error)

func (r resolverFunc) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return r(host)
}

// hosts resolves the given names and fails the rest.
func hosts(m map[string]string) resolverFunc {
	return func(host string) ([]netip.Addr, error) {
		if a, ok := m[host]; ok {
			return []netip.Addr{netip.MustParseAddr(a)}, nil
		}
		return nil, fmt.Errorf("no such host %s", host)
	}
}

// everyNamePublic resolves every name to publicIP.
var everyNamePublic = resolverFunc(func(string) ([]netip.Addr, error) {
	return []netip.Addr{publicIP}, nil
})

// dialer records the addresses the fetcher dials and connects them all to
// target.
type dialer struct {
	target string
	mu     sync.Mutex
	dialed []string
}

func (d *dialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.dialed = append(d.dialed, addr)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, network, d.target)
}

func (d *dialer) addrs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.dialed...)
}

// noDial fails the test if anything is dialed: refusals must come first.
func noDial(t *testing.T) func(context.Context, string, string) (net.Conn, error) {
	return func(_ context.Context, _, addr string) (net.Conn, error) {
		t.Errorf("dialed %s, which should have been refused before connecting", addr)
		return nil, errors.New("test: no dialing")
	}
}

// serve starts srv's handler behind a fetcher for which every name is
// public and every connection reaches srv.
func fetcherFor(t *testing.T, srv *httptest.Server, opts Options) (*Fetcher, *dialer) {
	t.Helper()
	d := &dialer{target: srv.Listener.Addr().String()}
	if opts.Resolver == nil {
		opts.Resolver = everyNamePublic
	}
	opts.Dial = d.dial
	if srv.TLS != nil {
		opts.TLSConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig
	}
	return New(opts), d
}

func wantErr(t *testing.T, err error, kind error, substr string) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v containing %q", kind, substr)
	}
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %T %q is not an *Error", err, err)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Errorf("error %q does not contain %q", err, substr)
	}
	return fe
}

func TestGetPlainAndTLS(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			var ua atomic.Value
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ua.Store(r.UserAgent())
				w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
				w.Header().Set("ETag", `"v1"`)
				w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
				io.WriteString(w, "# Brief\n\nText.")
			})
			var srv *httptest.Server
			if tls {
				srv = httptest.NewTLSServer(h)
			} else {
				srv = httptest.NewServer(h)
			}
			t.Cleanup(srv.Close)
			f, d := fetcherFor(t, srv, Options{UserAgent: "test-agent"})
			scheme := map[bool]string{false: "http", true: "https"}[tls]
			// example.com is a name the test certificate covers.
			raw := scheme + "://example.com/brief.md#part"
			res, err := f.Get(t.Context(), raw, Conditional{})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Data) != "# Brief\n\nText." || res.Status != 200 || res.NotModified {
				t.Errorf("got status %d, not modified %v, data %q", res.Status, res.NotModified, res.Data)
			}
			if res.URL != scheme+"://example.com/brief.md" {
				t.Errorf("URL = %q, want it without the fragment", res.URL)
			}
			if res.ContentType != "text/markdown; charset=utf-8" || res.ETag != `"v1"` || res.LastModified != "Mon, 02 Jan 2006 15:04:05 GMT" {
				t.Errorf("headers: %+v", res)
			}
			if res.FetchedAt.IsZero() {
				t.Error("FetchedAt not set")
			}
			if ua.Load() != "test-agent" {
				t.Errorf("User-Agent = %v", ua.Load())
			}
			port := map[bool]string{false: "80", true: "443"}[tls]
			if got := d.addrs(); len(got) != 1 || got[0] != publicIP.String()+":"+port {
				t.Errorf("dialed %v, want the resolved address", got)
			}
		})
	}
}

// Each class of address is refused before anything is dialed, with a
// message that names the address and what it is.
func TestRefusedURLs(t *testing.T) {
	const hint = "set corpus.allow_private_urls"
	tests := []struct{ url, want string }{
		{"ftp://example.com/doc.pdf", "only http and https URLs can be fetched, not ftp"},
		{"file:///etc/passwd", "only http and https"},
		{"javascript:alert(1)", "only http and https"},
		{"//example.com/doc", "not an absolute URL"},
		{"example.com/doc", "not an absolute URL"},
		{"http:example.com", "not a valid URL"},
		{"http:///doc", "no host"},
		{"http://user:hunter22@example.com/", "user name or password"},
		{"http://example.com:0/", "port"},
		{"http://example.com:99999/", "port"},
		{"http://exa mple.com/", "not a valid URL"},
		{"http://" + strings.Repeat("a", maxURLLen) + ".com/", "longer than"},
		{"http://127.0.0.1/", "refused: 127.0.0.1 is a loopback address; " + hint + " to fetch from private networks"},
		{"http://127.8.9.10:8080/", "loopback"},
		{"http://[::1]/", "::1 is a loopback address"},
		{"http://10.1.2.3/", "10.1.2.3 is a private address; " + hint},
		{"http://172.16.0.1/", "private"},
		{"http://172.31.255.255/", "private"},
		{"http://192.168.1.1/", "private"},
		{"http://[fd12:3456::1]/", "private"},
		{"http://[fc00::1]/", "private"},
		{"http://169.254.1.1/", "link-local"},
		{"http://[fe80::1%25eth0]/", "fe80::1 is a link-local address"},
		{"http://100.64.0.1/", "carrier-grade NAT"},
		{"http://100.127.255.254/", "carrier-grade NAT"},
		{"http://0.0.0.0/", "unspecified"},
		{"http://0.1.2.3/", "unspecified"},
		{"http://[::]/", "unspecified"},
		{"http://224.0.0.1/", "multicast"},
		{"http://[ff02::1]/", "multicast"},
		{"http://255.255.255.255/", "broadcast"},
		{"http://240.0.0.1/", "reserved"},
		{"http://[::ffff:127.0.0.1]/", "127.0.0.1 is a loopback address"},
		{"http://[::ffff:10.0.0.1]/", "10.0.0.1 is a private address"},
		{"http://[::ffff:169.254.169.254]/", "cloud metadata"},
		{"http://[64:ff9b::a00:1]/", "private"},   // NAT64 of 10.0.0.1
		{"http://[64:ff9b::7f00:1]/", "loopback"}, // NAT64 of 127.0.0.1
		{"http://[2002:c0a8:101::]/", "private"},  // 6to4 of 192.168.1.1
		{"http://[::a00:1]/", "private"},          // IPv4-compatible 10.0.0.1
		{"http://[::ffff:0:a00:1]/", "private"},   // IPv4-translated 10.0.0.1
		{"http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a cloud metadata address"},
		{"http://[fd00:ec2::254]/", "cloud metadata"},
		{"http://100.100.100.200/", "cloud metadata"},
	}
	f := New(Options{Resolver: everyNamePublic, Dial: noDial(t)})
	for _, tt := range tests {
		_, err := f.Get(t.Context(), tt.url, Conditional{})
		fe := wantErr(t, err, ErrRefused, tt.want)
		if strings.Contains(err.Error(), "hunter22") || strings.Contains(fe.URL, "hunter22") {
			t.Errorf("%s: the password leaks: %q, URL %q", tt.url, err, fe.URL)
		}
		if strings.Contains(tt.want, "metadata") && strings.Contains(err.Error(), hint) {
			t.Errorf("%s: %q suggests allow_private_urls, which does not lift it", tt.url, err)
		}
	}
}

// A name is judged by what it resolves to; the private address is never
// dialed.
func TestRefusedAfterResolution(t *testing.T) {
	r := hosts(map[string]string{
		"localhost":                "127.0.0.1",
		"wiki.corp.example":        "10.0.0.5",
		"metadata.google.internal": "169.254.169.254",
		"v6.corp.example":          "fd00::1",
		"mapped.example":           "::ffff:192.168.0.1",
	})
	f := New(Options{Resolver: r, Dial: noDial(t)})
	tests := []struct{ url, want string }{
		{"http://localhost:8080/", "refused: localhost resolves to 127.0.0.1, a loopback address; set corpus.allow_private_urls"},
		{"https://wiki.corp.example/page", "wiki.corp.example resolves to 10.0.0.5, a private address"},
		{"http://metadata.google.internal/computeMetadata/v1/", "resolves to 169.254.169.254, a cloud metadata address"},
		{"http://v6.corp.example/", "resolves to fd00::1, a private address"},
		{"http://mapped.example/", "resolves to 192.168.0.1, a private address"},
	}
	for _, tt := range tests {
		_, err := f.Get(t.Context(), tt.url, Conditional{})
		wantErr(t, err, ErrRefused, tt.want)
	}
	_, err := f.Get(t.Context(), "http://nowhere.example/", Conditional{})
	wantErr(t, err, ErrUnreachable, "cannot fetch from nowhere.example")
}

// The system dialer's Control hook refuses at connect time, whatever led
// to the address.
func TestControlRefusesAtConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := New(Options{})
	d := net.Dialer{Control: f.control}
	_, err = d.DialContext(t.Context(), "tcp", ln.Addr().String())
	wantErr(t, err, ErrRefused, "127.0.0.1 is a loopback address")

	allowed := New(Options{AllowPrivate: true})
	d = net.Dialer{Control: allowed.control}
	conn, err := d.DialContext(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	conn.Close()
}

// With AllowPrivate, a server on the loopback interface is fetched through
// the real dialer, but the metadata address stays refused.
func TestAllowPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "intranet")
	}))
	t.Cleanup(srv.Close)
	f := New(Options{AllowPrivate: true})
	res, err := f.Get(t.Context(), srv.URL+"/wiki", Conditional{})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Data) != "intranet" {
		t.Errorf("data %q", res.Data)
	}
	_, err = New(Options{}).Get(t.Context(), srv.URL+"/wiki", Conditional{})
	wantErr(t, err, ErrRefused, "loopback")

	_, err = f.Get(t.Context(), "http://169.254.169.254/latest/meta-data/", Conditional{})
	wantErr(t, err, ErrRefused, "cloud metadata")
	r := hosts(map[string]string{"metadata.google.internal": "169.254.169.254"})
	_, err = New(Options{AllowPrivate: true, Resolver: r, Dial: noDial(t)}).Get(t.Context(), "http://metadata.google.internal/", Conditional{})
	wantErr(t, err, ErrRefused, "cloud metadata")
}

// A DNS server that answers with a public address first and a private one
// next does not get the second request through: every connection resolves
// and checks again, and only checked addresses are dialed.
func TestRebinding(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			http.Redirect(w, r, "/second", http.StatusFound)
			return
		}
		io.WriteString(w, "internal secrets")
	}))
	t.Cleanup(srv.Close)
	var lookups atomic.Int32
	r := resolverFunc(func(host string) ([]netip.Addr, error) {
		if lookups.Add(1) == 1 {
			return []netip.Addr{publicIP}, nil
		}
		return []netip.Addr{netip.MustParseAddr("10.0.0.7")}, nil
	})
	f, d := fetcherFor(t, srv, Options{Resolver: r})
	_, err := f.Get(t.Context(), "http://rebind.example/first", Conditional{})
	wantErr(t, err, ErrRefused, "rebind.example resolves to 10.0.0.7, a private address")
	if got := d.addrs(); len(got) != 1 || !strings.HasPrefix(got[0], publicIP.String()) {
		t.Errorf("dialed %v; want only the public address", got)
	}

	// Of mixed answers only the public address is dialed.
	r = func(string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1"), publicIP}, nil
	}
	f, d = fetcherFor(t, srv, Options{Resolver: r})
	if _, err := f.Get(t.Context(), "http://mixed.example/second", Conditional{}); err != nil {
		t.Fatal(err)
	}
	if got := d.addrs(); len(got) != 1 || !strings.HasPrefix(got[0], publicIP.String()) {
		t.Errorf("dialed %v; want only the public address", got)
	}
}

func TestRedirectToPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	r := resolverFunc(func(host string) ([]netip.Addr, error) {
		if host == "intranet.example" {
			return []netip.Addr{netip.MustParseAddr("192.168.10.10")}, nil
		}
		return []netip.Addr{publicIP}, nil
	})
	f, d := fetcherFor(t, srv, Options{Resolver: r})
	tests := []struct{ to, want string }{
		{"http://127.0.0.1:9/", "redirect refused: 127.0.0.1 is a loopback address"},
		{"http://169.254.169.254/latest/meta-data/", "redirect refused: 169.254.169.254 is a cloud metadata address"},
		{"http://intranet.example/", "refused: intranet.example resolves to 192.168.10.10, a private address"},
		{"ftp://files.example/doc", "redirect refused: only http and https"},
		{"http://u:p@public.example/", "redirect refused: URLs with a user name"},
	}
	for _, tt := range tests {
		_, err := f.Get(t.Context(), "http://public.example/r?to="+tt.to, Conditional{})
		wantErr(t, err, ErrRefused, tt.want)
	}
	for _, a := range d.addrs() {
		if !strings.HasPrefix(a, publicIP.String()) {
			t.Errorf("dialed %s", a)
		}
	}
}

func TestRedirects(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		var n int
		fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
		switch {
		case r.URL.Path == "/loop":
			http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
		case n > 0:
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusTemporaryRedirect)
		default:
			io.WriteString(w, "arrived")
		}
	}))
	t.Cleanup(srv.Close)
	f, _ := fetcherFor(t, srv, Options{})

	_, err := f.Get(t.Context(), "http://docs.example/loop", Conditional{})
	wantErr(t, err, ErrTooManyRedirects, "too many redirects (max 5)")
	if got := hits.Load(); got != 6 {
		t.Errorf("%d requests for a loop, want 6 (the first and 5 redirects)", got)
	}

	res, err := f.Get(t.Context(), "http://docs.example/hop/5", Conditional{})
	if err != nil {
		t.Fatalf("5 redirects: %v", err)
	}
	if res.URL != "http://docs.example/hop/0" || string(res.Data) != "arrived" {
		t.Errorf("got %q from %s", res.Data, res.URL)
	}
	_, err = f.Get(t.Context(), "http://docs.example/hop/6", Conditional{})
	wantErr(t, err, ErrTooManyRedirects, "max 5")

	two, _ := fetcherFor(t, srv, Options{MaxRedirects: 2})
	_, err = two.Get(t.Context(), "http://docs.example/hop/3", Conditional{})
	wantErr(t, err, ErrTooManyRedirects, "too many redirects (max 2)")
	none, _ := fetcherFor(t, srv, Options{MaxRedirects: -1})
	_, err = none.Get(t.Context(), "http://docs.example/hop/1", Conditional{})
	wantErr(t, err, ErrTooManyRedirects, "too many redirects (max 0)")
}

func TestTooLarge(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Query().Get("n"), "%d", &n)
		body := bytes.Repeat([]byte("x"), n)
		if r.URL.Query().Get("chunked") != "" {
			// Flushing before the end makes the server send no
			// Content-Length, so only the reading limit can stop it.
			for len(body) > 0 {
				k := min(len(body), 512)
				w.Write(body[:k])
				w.(http.Flusher).Flush()
				body = body[k:]
			}
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(n))
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	f, _ := fetcherFor(t, srv, Options{MaxBytes: 4096})

	_, err := f.Get(t.Context(), "http://docs.example/?n=10240", Conditional{})
	wantErr(t, err, ErrTooLarge, "the document is 10 KB, larger than 4 KB (corpus.max_document_bytes)")
	_, err = f.Get(t.Context(), "http://docs.example/?n=10240&chunked=1", Conditional{})
	wantErr(t, err, ErrTooLarge, "the document is larger than 4 KB")
	_, err = f.Get(t.Context(), "http://docs.example/?n=4097&chunked=1", Conditional{})
	wantErr(t, err, ErrTooLarge, "larger than 4 KB")
	for _, q := range []string{"n=4096", "n=4096&chunked=1"} {
		res, err := f.Get(t.Context(), "http://docs.example/?"+q, Conditional{})
		if err != nil || len(res.Data) != 4096 {
			t.Errorf("%s: exactly the limit: %d bytes, %v", q, len(res.Data), err)
		}
	}
	// The default limit is 25 MB, and says so.
	big, _ := fetcherFor(t, srv, Options{})
	_, err = big.Get(t.Context(), fmt.Sprintf("http://docs.example/?n=%d", 25<<20+1), Conditional{})
	wantErr(t, err, ErrTooLarge, "larger than 25 MB")
}

// A small gzip body is decompressed on the way; a gzip bomb is stopped by
// the limit on the decompressed size.
func TestGzip(t *testing.T) {
	compress := func(b []byte) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	small := compress([]byte("hello, compressed world"))
	bomb := compress(make([]byte, 16<<20))
	if len(bomb) > 1<<20 {
		t.Fatalf("bomb of %d bytes is not below the limit compressed", len(bomb))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		body := small
		if r.URL.Path == "/bomb" {
			body = bomb
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	f, _ := fetcherFor(t, srv, Options{MaxBytes: 1 << 20})
	res, err := f.Get(t.Context(), "http://docs.example/small", Conditional{})
	if err != nil || string(res.Data) != "hello, compressed world" {
		t.Fatalf("got %q, %v", res.Data, err)
	}
	_, err = f.Get(t.Context(), "http://docs.example/bomb", Conditional{})
	wantErr(t, err, ErrTooLarge, "the document is larger than 1 MB")
}

// A server that never answers, or stops half-way through the body, is
// given up on after Timeout.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stall-body" {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, "the start")
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	// Cleanups run last first: release the handlers, then close.
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	f, _ := fetcherFor(t, srv, Options{Timeout: 100 * time.Millisecond})
	for _, path := range []string{"/stall-headers", "/stall-body"} {
		_, err := f.Get(t.Context(), "http://docs.example"+path, Conditional{})
		wantErr(t, err, ErrTimeout, "timed out after 100ms")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v does not wrap context.DeadlineExceeded", path, err)
		}
	}

	// The caller's own cancellation is not reported as a time-out.
	slow, _ := fetcherFor(t, srv, Options{Timeout: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, err := slow.Get(ctx, "http://docs.example/stall-body", Conditional{})
		done <- err
	}()
	cancel()
	err := <-done
	wantErr(t, err, ErrUnreachable, "cancelled")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v does not wrap context.Canceled", err)
	}
}

func TestConditional(t *testing.T) {
	const etag, lastMod = `"abc123"`, "Tue, 03 Mar 2026 10:00:00 GMT"
	var gotINM, gotIMS atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotINM.Store(r.Header.Get("If-None-Match"))
		gotIMS.Store(r.Header.Get("If-Modified-Since"))
		if r.URL.Path == "/bare304" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, "v1")
	}))
	t.Cleanup(srv.Close)
	f, _ := fetcherFor(t, srv, Options{})

	first, err := f.Get(t.Context(), "http://docs.example/doc", Conditional{})
	if err != nil || first.NotModified || string(first.Data) != "v1" {
		t.Fatalf("first: %+v, %v", first, err)
	}
	if gotINM.Load() != "" || gotIMS.Load() != "" {
		t.Errorf("unconditional request sent validators %v %v", gotINM.Load(), gotIMS.Load())
	}
	second, err := f.Get(t.Context(), "http://docs.example/doc", Conditional{ETag: first.ETag, LastModified: first.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || second.Status != 304 || second.Data != nil || second.ETag != etag || second.LastModified != lastMod {
		t.Errorf("second: %+v", second)
	}
	if gotINM.Load() != etag || gotIMS.Load() != lastMod {
		t.Errorf("sent If-None-Match %v, If-Modified-Since %v", gotINM.Load(), gotIMS.Load())
	}
	// A 304 without validators keeps the caller's.
	bare, err := f.Get(t.Context(), "http://docs.example/bare304", Conditional{ETag: `"x"`, LastModified: lastMod})
	if err != nil || !bare.NotModified || bare.ETag != `"x"` || bare.LastModified != lastMod {
		t.Errorf("bare 304: %+v, %v", bare, err)
	}
}

func TestHTTPStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscanf(r.URL.Path, "/%d", &code)
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	f, _ := fetcherFor(t, srv, Options{})
	for code, want := range map[int]string{404: "HTTP 404 Not Found", 500: "HTTP 500 Internal Server Error", 599: "HTTP 599"} {
		res, err := f.Get(t.Context(), fmt.Sprintf("http://docs.example/%d?token=sekrit", code), Conditional{})
		fe := wantErr(t, err, ErrStatus, want)
		if err.Error() != want || fe.Status != code || res.Status != code {
			t.Errorf("%d: %q, status %d/%d", code, err, fe.Status, res.Status)
		}
		if fe.URL != fmt.Sprintf("http://docs.example/%d?token=REDACTED", code) {
			t.Errorf("Error.URL = %q", fe.URL)
		}
	}
}

// Network errors name the host only: the URL's path and query may carry a
// token, and Go's own errors quote the whole URL.
func TestErrorsHideSecrets(t *testing.T) {
	f := New(Options{Resolver: everyNamePublic, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	}})
	_, err := f.Get(t.Context(), "https://cdn.example/att/s3cr3tpath?ex=1&hm=t0k3nvalue&sig", Conditional{})
	fe := wantErr(t, err, ErrUnreachable, "cannot fetch from cdn.example: ")
	for _, secret := range []string{"t0k3nvalue", "s3cr3tpath"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains %s", err, secret)
		}
	}
	if fe.URL != "https://cdn.example/att/s3cr3tpath?ex=REDACTED&hm=REDACTED&REDACTED" {
		t.Errorf("Error.URL = %q", fe.URL)
	}
}

// Proxy settings in the environment are ignored: a proxy would connect to
// addresses the check never sees.
func TestProxyFromEnvironmentIgnored(t *testing.T) {
	var proxied atomic.Bool
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Store(true)
		io.WriteString(w, "from the proxy")
	}))
	t.Cleanup(proxy.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "direct")
	}))
	t.Cleanup(srv.Close)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	f, _ := fetcherFor(t, srv, Options{})
	res, err := f.Get(t.Context(), "http://docs.example/", Conditional{})
	if err != nil || string(res.Data) != "direct" || proxied.Load() {
		t.Errorf("got %q, %v; proxy used: %v", res.Data, err, proxied.Load())
	}
}

func TestClassifyPublic(t *testing.T) {
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1",
		"2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"} {
		if c := classify(netip.MustParseAddr(s)); c != public {
			t.Errorf("%s is %s, want public", s, c)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		25 << 20: "25 MB", 1 << 30: "1 GB", 1536 << 10: "1.5 MB", 4096: "4 KB", 1500: "1.5 KB", 300: "300 bytes",
	} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
