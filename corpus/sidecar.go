package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// SidecarSuffix names a document's metadata file: "brief.md" may come with
// "brief.md.meta.json" giving what the text itself lacks, most often the
// web address it was converted from, so that citations can link to it.
// Fields given there win over what the parser finds in the text.
const SidecarSuffix = ".meta.json"

// sidecar is the metadata file's shape.
type sidecar struct {
	URL       string   `json:"url"`
	Title     string   `json:"title"`
	Authors   []string `json:"authors"`
	Published string   `json:"published"` // YYYY-MM-DD or a date as written in briefs
}

// readSidecar reads path's metadata file; no file is no metadata.
func readSidecar(path string) (meta, error) {
	data, err := readLimited(path+SidecarSuffix, maxSidecarBytes)
	if errors.Is(err, os.ErrNotExist) {
		return meta{}, nil
	}
	if err != nil {
		return meta{}, fmt.Errorf("metadata %s: %w", displayName(filepath.Base(path)+SidecarSuffix), err)
	}
	m, err := parseSidecar(data)
	if err != nil {
		return meta{}, fmt.Errorf("metadata %s: %w", displayName(filepath.Base(path)+SidecarSuffix), err)
	}
	return m, nil
}

func parseSidecar(data []byte) (meta, error) {
	var sc sidecar
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return meta{}, err
	}
	m := meta{title: strings.TrimSpace(sc.Title)}
	if u := strings.TrimSpace(sc.URL); u != "" {
		parsed, err := url.Parse(u)
		if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
			return meta{}, fmt.Errorf("url %q: want an absolute http(s) address", u)
		}
		m.url = u
	}
	for _, a := range sc.Authors {
		if a = strings.TrimSpace(a); a != "" {
			m.authors = append(m.authors, a)
		}
	}
	if p := strings.TrimSpace(sc.Published); p != "" {
		t, ok := parseDate(p)
		if !ok {
			return meta{}, fmt.Errorf("published %q: want a date such as 2023-03-31", p)
		}
		m.published = t
	}
	return m, nil
}
