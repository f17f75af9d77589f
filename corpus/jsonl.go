package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot"
)

// jsonlRecord is one line of a JSONL source. "_id" is accepted for "id"
// (the BEIR spelling); authors may be a list or a single string.
type jsonlRecord struct {
	ID        json.RawMessage `json:"id"`
	AltID     json.RawMessage `json:"_id"`
	Title     string          `json:"title"`
	Text      string          `json:"text"`
	URL       string          `json:"url"`
	Published string          `json:"published"`
	Authors   json.RawMessage `json:"authors"`
}

// parseJSONL parses one document per line; the text is Markdown. Bad lines
// (invalid JSON, missing id, no text, bad date, repeated id) are returned
// as *LineError and do not stop the others.
func parseJSONL(name string, data []byte, opts Options) ([]briefbot.Document, []*LineError) {
	var docs []briefbot.Document
	var bad []*LineError
	seen := map[string]int{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		doc, err := parseJSONLine(name, n, line, opts)
		if err == nil {
			if first, dup := seen[doc.ID]; dup {
				err = fmt.Errorf("duplicate id %q (first on line %d)", doc.ID, first)
			} else {
				seen[doc.ID] = n
			}
		}
		if err != nil {
			bad = append(bad, &LineError{Line: n, Err: err})
			continue
		}
		docs = append(docs, doc)
	}
	return docs, bad
}

func parseJSONLine(name string, n int, line []byte, opts Options) (briefbot.Document, error) {
	var rec jsonlRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return briefbot.Document{}, fmt.Errorf("invalid JSON: %w", err)
	}
	id, err := jsonID(rec.ID)
	if err == nil && id == "" {
		id, err = jsonID(rec.AltID)
	}
	if err != nil {
		return briefbot.Document{}, err
	}
	if id == "" {
		return briefbot.Document{}, errors.New(`missing "id"`)
	}
	m := meta{title: strings.TrimSpace(rec.Title), url: strings.TrimSpace(rec.URL)}
	if p := strings.TrimSpace(rec.Published); p != "" {
		t, ok := parseDate(p)
		if !ok {
			t, ok = parseYear(p)
		}
		if !ok {
			return briefbot.Document{}, fmt.Errorf("unrecognized published date %q", p)
		}
		m.published = t
	}
	if m.authors, err = jsonAuthors(rec.Authors); err != nil {
		return briefbot.Document{}, err
	}
	doc, err := parseMarkdownDoc(id, fmt.Sprintf("%s:%d", name, n), []byte(rec.Text), m, opts)
	if err != nil {
		return briefbot.Document{}, fmt.Errorf("document %q: %w", id, err)
	}
	return doc, nil
}

func parseYear(s string) (time.Time, bool) {
	for _, l := range []string{"2006-01", "2006"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// jsonID accepts a string or a number.
func jsonID(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		// Control characters would break the lines IDs are shown on.
		return escapeID(strings.TrimSpace(s)), nil
	}
	var num json.Number
	if err := json.Unmarshal(raw, &num); err == nil {
		return num.String(), nil
	}
	return "", fmt.Errorf("id must be a string or a number, got %s", raw)
}

func jsonAuthors(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var one string
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, fmt.Errorf("authors must be a list of strings or a string, got %s", raw)
		}
		list = reNameSep.Split(one, -1)
	}
	var out []string
	for _, a := range list {
		if a = strings.Join(strings.Fields(a), " "); a != "" {
			out = append(out, a)
		}
	}
	return out, nil
}
