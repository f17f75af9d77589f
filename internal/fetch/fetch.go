// Package fetch downloads documents from http(s) URLs for the library,
// with the limits a bot that fetches links given by chat users needs: only
// http and https; no loopback, private, link-local or cloud metadata
// addresses (unless Options.AllowPrivate), checked on the address actually
// dialed so that DNS rebinding and redirects do not get around it; a size
// limit enforced while reading, after decompression; one time-out for the
// whole request including the body; a redirect limit; and conditional GETs
// so that a refresh costs a 304 when nothing changed.
//
// Proxies from the environment (HTTP_PROXY, HTTPS_PROXY) are not used: a
// proxy resolves and connects on our behalf, so the address check would
// only ever see the proxy's address and the proxy would happily reach the
// private network for us.
//
// Errors are *Error values whose messages can be shown to users as they
// are; they never contain a URL's user name, password or query values.
package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults for the zero Options fields.
const (
	DefaultMaxBytes     = 25 << 20
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "briefbot (+https://github.com/briefbot/briefbot)"
)

// maxURLLen bounds the URLs accepted: a link pasted in chat is far
// shorter, and the length is echoed nowhere.
const maxURLLen = 8192

// maxHeaderBytes bounds the response headers read, which are outside data
// too; 64 KiB is far more than any real server sends.
const maxHeaderBytes = 64 << 10

// Resolver looks up a host's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configures a Fetcher. The zero value is usable.
type Options struct {
	// MaxBytes bounds a document's size after decompression; 0 means
	// DefaultMaxBytes (25 MB).
	MaxBytes int64
	// Timeout bounds the whole request: connecting, redirects, headers and
	// reading the body; 0 means DefaultTimeout (30 s).
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed; 0 means
	// DefaultMaxRedirects (5), negative follows none.
	MaxRedirects int
	// AllowPrivate permits loopback, private (RFC 1918, RFC 4193),
	// link-local and carrier-grade NAT addresses: corpus.allow_private_urls.
	// Cloud metadata, unspecified, multicast, broadcast and reserved
	// addresses stay refused.
	AllowPrivate bool
	// UserAgent is sent with every request; "" means DefaultUserAgent.
	UserAgent string

	// Resolver replaces net.DefaultResolver, so tests can make any name
	// resolve to any address.
	Resolver Resolver
	// Dial replaces the system dialer for addresses that passed the check
	// (always an IP and port, never a name), so tests can map a public
	// address to a local test server. The default dialer checks the
	// address again as the socket connects.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// TLSConfig replaces the default TLS configuration (tests trust their
	// server's certificate with it).
	TLSConfig *tls.Config
}

// Conditional carries the validators of the copy the caller already has;
// empty fields are not sent.
type Conditional struct {
	ETag         string
	LastModified string
}

// Result is a fetched document, or the news that it has not changed.
type Result struct {
	// URL is the final URL, after redirects.
	URL    string
	Status int
	// NotModified is true for a 304 answer to a conditional request; Data
	// is then nil and the caller's copy is current.
	NotModified bool
	// Data is the body, decompressed, at most MaxBytes.
	Data        []byte
	ContentType string
	// ETag and LastModified are the validators to send next time. On a
	// 304 without them they are the ones sent, so they stay usable.
	ETag         string
	LastModified string
	FetchedAt    time.Time
}

// Kinds of error, for errors.Is on the *Error that Get returns.
var (
	// ErrRefused: the URL or the address it leads to may not be fetched.
	ErrRefused = errors.New("refused")
	// ErrTooLarge: the document exceeds MaxBytes.
	ErrTooLarge = errors.New("too large")
	// ErrTimeout: the request took longer than Timeout.
	ErrTimeout = errors.New("timed out")
	// ErrTooManyRedirects: more than MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrStatus: the server answered with a status other than 2xx or 304.
	ErrStatus = errors.New("unexpected HTTP status")
	// ErrUnreachable: the name did not resolve, the connection failed, or
	// the body broke off.
	ErrUnreachable = errors.New("unreachable")
)

// Error is a failed fetch. Its message is meant for users: it says what
// was refused or what went wrong, and never quotes secrets in the URL.
type Error struct {
	// URL is the URL asked for, with user name, password and query values
	// masked.
	URL string
	// Status is the HTTP status for ErrStatus, else 0.
	Status int
	kind   error
	msg    string
	err    error
}

func (e *Error) Error() string { return e.msg }

// Is matches the error's kind (ErrRefused, ErrTooLarge, ...).
func (e *Error) Is(target error) bool { return target == e.kind }

// Unwrap returns the underlying error, if any (a context error, a network
// error).
func (e *Error) Unwrap() error { return e.err }

// Fetcher downloads documents. It is safe for concurrent use.
type Fetcher struct {
	opts   Options
	client *http.Client
}

// New returns a Fetcher with opts' zero fields set to their defaults.
func New(opts Options) *Fetcher {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	switch {
	case opts.MaxRedirects == 0:
		opts.MaxRedirects = DefaultMaxRedirects
	case opts.MaxRedirects < 0:
		opts.MaxRedirects = 0
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	f := &Fetcher{opts: opts}
	if f.opts.Dial == nil {
		d := &net.Dialer{Control: f.control}
		f.opts.Dial = d.DialContext
	}
	tlsConf := opts.TLSConfig
	if tlsConf == nil {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr := &http.Transport{
		// See the package comment: a proxy would connect where the check
		// cannot see.
		Proxy:       nil,
		DialContext: f.dialContext,
		// A custom DialContext turns HTTP/2 off unless asked for.
		ForceAttemptHTTP2: true,
		TLSClientConfig:   tlsConf,
		// Documents are fetched one at a time and rarely twice from one
		// host in a row; a fresh connection per request also means every
		// request, redirects included, resolves and checks again.
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
	f.client = &http.Client{Transport: tr, CheckRedirect: f.checkRedirect}
	return f
}

// errTimedOut is the cause of Get's own deadline, which tells it apart
// from the caller's.
var errTimedOut = errors.New("fetch time-out")

// Get downloads rawURL. With cond set, it asks only for a copy newer than
// the caller's, and a 304 answer is a Result with NotModified. Any other
// status than 2xx and 304 is an error of kind ErrStatus, with the Result's
// Status and URL filled in.
func (f *Fetcher) Get(ctx context.Context, rawURL string, cond Conditional) (Result, error) {
	u, err := parseURL(rawURL, f.opts.AllowPrivate)
	if err != nil {
		return Result{}, err
	}
	safe := RedactURL(u.String())
	ctx, cancel := context.WithTimeoutCause(ctx, f.opts.Timeout, errTimedOut)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Result{}, &Error{URL: safe, kind: ErrRefused, msg: "refused: not a valid URL"}
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	if cond.ETag != "" {
		req.Header.Set("If-None-Match", cond.ETag)
	}
	if cond.LastModified != "" {
		req.Header.Set("If-Modified-Since", cond.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return Result{}, f.wrap(ctx, safe, u.Hostname(), err)
	}
	defer resp.Body.Close()
	res := Result{
		URL:          resp.Request.URL.String(),
		Status:       resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		FetchedAt:    time.Now(),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.NotModified = true
		if res.ETag == "" && res.LastModified == "" {
			res.ETag, res.LastModified = cond.ETag, cond.LastModified
		}
		return res, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		msg := "HTTP " + strconv.Itoa(resp.StatusCode)
		if t := http.StatusText(resp.StatusCode); t != "" {
			msg += " " + t
		}
		return res, &Error{URL: safe, Status: resp.StatusCode, kind: ErrStatus, msg: msg}
	}
	if resp.ContentLength > f.opts.MaxBytes {
		return Result{}, f.tooLarge(safe, resp.ContentLength)
	}
	res.Data, err = readBounded(resp.Body, f.opts.MaxBytes, resp.ContentLength)
	if errors.Is(err, ErrTooLarge) {
		return Result{}, f.tooLarge(safe, -1)
	}
	if err != nil {
		return Result{}, f.wrap(ctx, safe, u.Hostname(), err)
	}
	return res, nil
}

// readBounded reads r to its end, or fails with ErrTooLarge as soon as
// more than max bytes arrive, so a body without Content-Length (or a gzip
// bomb, which the transport decompresses on the way) never takes more than
// max+1 bytes of memory.
func readBounded(r io.Reader, max, sizeHint int64) ([]byte, error) {
	var buf bytes.Buffer
	if sizeHint > 0 && sizeHint <= max {
		buf.Grow(int(sizeHint))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, ErrTooLarge
	}
	return buf.Bytes(), nil
}

func (f *Fetcher) tooLarge(safe string, size int64) error {
	limit := FormatSize(f.opts.MaxBytes)
	msg := fmt.Sprintf("the document is larger than %s (corpus.max_document_bytes)", limit)
	if size > 0 {
		msg = fmt.Sprintf("the document is %s, larger than %s (corpus.max_document_bytes)", FormatSize(size), limit)
	}
	return &Error{URL: safe, kind: ErrTooLarge, msg: msg}
}

// wrap turns a client or body error into an *Error. Refusals raised by
// the dial check or CheckRedirect come through as they are; the rest name
// only the host, because the URL's path and query may carry tokens.
func (f *Fetcher) wrap(ctx context.Context, safe, host string, err error) error {
	var fe *Error
	if errors.As(err, &fe) {
		c := *fe
		c.URL = safe
		return &c
	}
	if context.Cause(ctx) == errTimedOut {
		return &Error{URL: safe, kind: ErrTimeout, err: context.DeadlineExceeded,
			msg: fmt.Sprintf("timed out after %s", f.opts.Timeout)}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// Its message quotes the whole URL.
		err = ue.Err
	}
	if ctx.Err() != nil {
		// The caller gave up (shutdown, a cancelled command).
		return &Error{URL: safe, kind: ErrUnreachable, err: context.Cause(ctx),
			msg: fmt.Sprintf("fetching from %s was cancelled", host)}
	}
	return &Error{URL: safe, kind: ErrUnreachable, err: err,
		msg: fmt.Sprintf("cannot fetch from %s: %v", host, err)}
}

// checkRedirect bounds redirects and applies the URL rules to each target;
// the address it leads to is checked when it is dialed.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.opts.MaxRedirects {
		return &Error{kind: ErrTooManyRedirects, msg: fmt.Sprintf("too many redirects (max %d)", f.opts.MaxRedirects)}
	}
	if _, err := checkURL(req.URL, f.opts.AllowPrivate); err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			c := *fe
			c.msg = "redirect " + c.msg
			return &c
		}
		return err
	}
	return nil
}

// dialContext resolves addr's host itself, so that the addresses it
// checks are the ones it dials: there is no second lookup for a rebinding
// DNS server to answer differently.
func (f *Fetcher) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port: %w", addr, err)
	}
	name := host
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips, name = []netip.Addr{ip}, ""
	} else {
		ips, err = f.opts.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", host)
		}
	}
	// Only addresses that pass are dialed; when none does, the first
	// refusal says why.
	var refused, dialErr error
	for _, ip := range ips {
		if err := checkAddr(ip, name, f.opts.AllowPrivate); err != nil {
			if refused == nil {
				refused = err
			}
			continue
		}
		conn, err := f.opts.Dial(ctx, network, netip.AddrPortFrom(ip.Unmap(), uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		dialErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if dialErr != nil {
		return nil, dialErr
	}
	return nil, refused
}

// control runs as the system dialer's socket connects, on the address the
// kernel is given: the last word, whatever led to it.
func (f *Fetcher) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &Error{kind: ErrRefused, msg: "refused: cannot check the address " + address}
	}
	return checkAddr(ap.Addr(), "", f.opts.AllowPrivate)
}

// CheckURL applies the rules Get applies before connecting: an absolute
// http or https URL with a host, no user name or password, a valid port,
// and, when the host is an IP address, one that may be fetched from. Host
// names are checked only when Get dials them. Configuration validation
// uses it to refuse bad corpus.urls early.
func CheckURL(rawURL string, allowPrivate bool) error {
	_, err := parseURL(rawURL, allowPrivate)
	return err
}

func parseURL(raw string, allowPrivate bool) (*url.URL, error) {
	if len(raw) > maxURLLen {
		return nil, &Error{kind: ErrRefused, msg: fmt.Sprintf("refused: the URL is longer than %d characters", maxURLLen)}
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Parse's message quotes the URL, which may hold a token.
		return nil, &Error{kind: ErrRefused, msg: "refused: not a valid URL"}
	}
	return checkURL(u, allowPrivate)
}

func checkURL(u *url.URL, allowPrivate bool) (*url.URL, error) {
	refuse := func(msg string) (*url.URL, error) {
		return nil, &Error{URL: RedactURL(u.String()), kind: ErrRefused, msg: "refused: " + msg}
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		if u.Scheme == "" {
			return refuse("not an absolute URL; give one starting with https://")
		}
		if len(u.Scheme) > 16 {
			return refuse("only http and https URLs can be fetched")
		}
		return refuse(fmt.Sprintf("only http and https URLs can be fetched, not %s", u.Scheme))
	case u.Opaque != "":
		return refuse("not a valid URL (expected //host after the scheme)")
	case u.User != nil:
		return refuse("URLs with a user name or password are not fetched (the credentials would be stored and shown with the document)")
	case u.Hostname() == "":
		return refuse("the URL has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return refuse("the port must be a number from 1 to 65535")
		}
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		if err := checkAddr(ip, "", allowPrivate); err != nil {
			return nil, err
		}
	}
	c := *u
	// The fragment is never sent; dropping it keeps Result.URL canonical.
	c.Fragment, c.RawFragment = "", ""
	return &c, nil
}

// RedactURL returns raw fit for a log line or an error: the user name,
// password and every query value are replaced by "REDACTED" (signed
// download links carry their token in the query); the fragment is
// dropped. A string that does not parse is replaced as a whole.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, ok := strings.Cut(p, "=")
			if !ok {
				parts[i] = "REDACTED"
				continue
			}
			parts[i] = k + "=REDACTED"
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// FormatSize writes a byte count as people read limits: "25 MB" (MB being
// 2^20 bytes), "512 KB", "1.5 MB", "300 bytes".
func FormatSize(n int64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n >= gb && n%gb == 0:
		return fmt.Sprintf("%d GB", n/gb)
	case n >= mb && n%mb == 0:
		return fmt.Sprintf("%d MB", n/mb)
	case n >= mb:
		return fmt.Sprintf("%.1f MB", float64(n)/mb)
	case n >= kb && n%kb == 0:
		return fmt.Sprintf("%d KB", n/kb)
	case n >= kb:
		return fmt.Sprintf("%.1f KB", float64(n)/kb)
	}
	return fmt.Sprintf("%d bytes", n)
}
