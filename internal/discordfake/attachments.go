package discordfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// optionTypeAttachment is the ATTACHMENT option type (11).
const optionTypeAttachment = 11

// cdnLinkLifetime is how long a signed CDN link works: Discord's links
// carry ex = is + 24 h.
const cdnLinkLifetime = 24 * time.Hour

// cdnGone is the CDN's answer to unknown, unsigned or expired links.
const cdnGone = "This content is no longer available."

// Upload is a file a user attaches to a slash-command option, for
// UploadFile.
type Upload struct {
	Filename    string
	ContentType string // "" leaves content_type out of the interaction, as Discord does for unknown types
	Data        []byte // what the CDN serves
	// Size is the size the interaction declares; 0 means len(Data). Any
	// other value makes a lying size: the CDN still serves all of Data
	// (with its true Content-Length), since a bot must bound what it
	// reads whatever the declared size says.
	Size int
	// Chunked leaves Content-Length out of the CDN's answer, so a bot
	// cannot lean on that header to bound its read either.
	Chunked bool
	// Stall holds the CDN's answer after its headers until the channel is
	// closed or the client gives up: a download that hangs, to test a
	// bot's download timeout without sleeping.
	Stall <-chan struct{}
}

// stored is a file the fake CDN serves: a user's upload (ephemeral) or a
// file the bot sent with a message.
type stored struct {
	att     Attachment
	data    []byte
	signed  bool // the link needs ex/is/hm, as ephemeral attachments' links do
	chunked bool
	stall   <-chan struct{}
}

// Upload stores a file a user attaches to a slash-command option and
// returns it for Opt: Opt("file", s.Upload("a.pdf", "application/pdf", b)).
// The interaction carries its ID as the option's value and the attachment
// in data.resolved.attachments, with Discord's signed ephemeral CDN links;
// the fake's CDN (through Transport) serves Data there for 24 hours of
// Options.Now.
func (s *Server) Upload(filename, contentType string, data []byte) Attachment {
	return s.UploadFile(Upload{Filename: filename, ContentType: contentType, Data: data})
}

// UploadFile is Upload with every option (lying size, no Content-Length,
// a stalled download).
func (s *Server) UploadFile(u Upload) Attachment {
	id := s.newID()
	size := u.Size
	if size == 0 {
		size = len(u.Data)
	}
	// Discord's link path is /ephemeral-attachments/{application}/{id}/{filename}.
	path := "/ephemeral-attachments/" + s.ApplicationID + "/" + id + "/" + url.PathEscape(u.Filename)
	issued := s.now()
	q := s.signCDN(path, issued)
	att := Attachment{
		ID: id, Filename: u.Filename, ContentType: u.ContentType, Size: size, Ephemeral: true,
		URL:      "https://cdn.discordapp.com" + path + "?" + q,
		ProxyURL: "https://media.discordapp.net" + path + "?" + q,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[id] = &stored{att: att, data: u.Data, signed: true, chunked: u.Chunked, stall: u.Stall}
	return att
}

// signCDN gives the query of a signed CDN link: ex and is in hex Unix
// seconds and hm an HMAC over the path and both, as Discord signs them.
func (s *Server) signCDN(path string, issued time.Time) string {
	is := strconv.FormatInt(issued.Unix(), 16)
	ex := strconv.FormatInt(issued.Add(cdnLinkLifetime).Unix(), 16)
	return "ex=" + ex + "&is=" + is + "&hm=" + s.cdnMAC(path, ex, is)
}

func (s *Server) cdnMAC(path, ex, is string) string {
	m := hmac.New(sha256.New, s.cdnKey)
	m.Write([]byte(path + "\x00" + ex + "\x00" + is))
	return hex.EncodeToString(m.Sum(nil))
}

// storeFileLocked keeps the bytes of a file the bot uploaded with a
// message, so the message's attachment URL serves them.
func (s *Server) storeFileLocked(a Attachment, data []byte) {
	s.files[a.ID] = &stored{att: a, data: data}
}

// attachmentWire is the attachment object of data.resolved.attachments.
func (st *stored) attachmentWire() map[string]any {
	a := st.att
	w := map[string]any{"id": a.ID, "filename": a.Filename, "size": a.Size, "url": a.URL, "proxy_url": a.ProxyURL}
	if a.ContentType != "" {
		w["content_type"] = a.ContentType
	}
	if a.Ephemeral {
		w["ephemeral"] = true
	}
	return w
}

// attachmentOptionLocked checks an option against the ATTACHMENT type and
// gives its value: the attachment's ID. Discord's client only sends a file
// the user uploaded, so a value that is not one (or an Attachment for an
// option of another type) is refused.
func (s *Server) attachmentOptionLocked(o Option, typ int) (string, error) {
	att, isAtt := o.Value.(Attachment)
	if p, ok := o.Value.(*Attachment); ok && p != nil {
		att, isAtt = *p, true
	}
	switch {
	case isAtt && typ != optionTypeAttachment:
		return "", fmt.Errorf("option %q has type %d: an Attachment only fits an attachment option (type %d)", o.Name, typ, optionTypeAttachment)
	case isAtt:
	case typ == optionTypeAttachment:
		id, _ := o.Value.(string)
		if _, ok := s.files[id]; !ok || id == "" {
			return "", fmt.Errorf("attachment option %q takes the Attachment Server.Upload returns, not %v (%T)", o.Name, o.Value, o.Value)
		}
		return id, nil
	default:
		return "", nil
	}
	if f, ok := s.files[att.ID]; !ok || !f.signed {
		return "", fmt.Errorf("attachment %s (%q) of option %q was not made by this server's Upload", att.ID, att.Filename, o.Name)
	}
	return att.ID, nil
}

// serveCDN answers GET and HEAD under /cdn/: stored files at their
// attachment links (404 for unknown files and, for ephemeral ones, for
// unsigned or expired links, like Discord's CDN), a 1-pixel PNG for
// anything else (avatars, icons). Faults registered with a path under
// /cdn/ apply. Fetches are recorded as Requests without a Route.
func (s *Server) serveCDN(w http.ResponseWriter, r *http.Request) {
	rc := &reqCtx{r: r, method: r.Method, path: r.URL.Path, query: r.URL.Query(), wall: time.Now()}
	status, ctype, body, f, injected := s.cdnAnswer(rc)
	h := w.Header()
	h.Set("Content-Type", ctype)
	if f == nil || !f.chunked {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Method: rc.method, Path: rc.path, Query: rc.query, Header: r.Header.Clone(), Status: status,
		Injected: injected, At: s.now(), Wall: rc.wall,
	})
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Info("discordfake cdn", "method", rc.method, "path", rc.path, "status", status)
	w.WriteHeader(status)
	if f != nil && (f.stall != nil || f.chunked) {
		// Flushing the headers before the body makes net/http send a body
		// without Content-Length chunked instead of measuring it, and lets
		// the client see a stalled download start.
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
	}
	if f != nil && f.stall != nil {
		select {
		case <-f.stall:
		case <-r.Context().Done():
			return
		}
	}
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// cdnAnswer decides a CDN fetch's answer; f is the file served, if any.
func (s *Server) cdnAnswer(rc *reqCtx) (status int, ctype string, body []byte, f *stored, injected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ft := s.takeFaultLocked(rc); ft != nil {
		res := s.faultResponseLocked(rc, ft)
		return res.status, "application/json", mustJSON(res.body), nil, true
	}
	segs := splitPath(strings.TrimPrefix(rc.path, "/cdn"))
	if len(segs) == 0 || (segs[0] != "attachments" && segs[0] != "ephemeral-attachments") {
		return http.StatusOK, "image/png", onePixelPNG, nil, false
	}
	gone := func() (int, string, []byte, *stored, bool) {
		return http.StatusNotFound, "text/plain; charset=utf-8", []byte(cdnGone), nil, false
	}
	if len(segs) != 4 {
		return gone()
	}
	f, ok := s.files[segs[2]]
	if !ok || f.att.Filename != segs[3] || f.signed != (segs[0] == "ephemeral-attachments") {
		return gone()
	}
	if f.signed {
		ex, is, hm := rc.query.Get("ex"), rc.query.Get("is"), rc.query.Get("hm")
		exp, err := strconv.ParseInt(ex, 16, 64)
		path := strings.TrimPrefix(rc.r.URL.EscapedPath(), "/cdn")
		if err != nil || !hmac.Equal([]byte(hm), []byte(s.cdnMAC(path, ex, is))) || s.now().Unix() >= exp {
			return gone()
		}
	}
	ctype = f.att.ContentType
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return http.StatusOK, ctype, f.data, f, false
}
