package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/boundedfile"
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
	bad, _ := eachJSONL(name, data, opts, func(d briefbot.Document) error {
		docs = append(docs, d)
		return nil
	})
	return docs, bad
}

// eachJSONL is parseJSONL handing each document to emit as it is parsed;
// an error from emit stops it and is returned.
func eachJSONL(name string, data []byte, opts Options, emit func(briefbot.Document) error) ([]*LineError, error) {
	j := jsonlParser{name: name, opts: opts, seen: map[string]int{}, emit: emit}
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if err := j.line(line); err != nil {
			return j.bad, err
		}
	}
	return j.bad, nil
}

// jsonlParser parses the lines of a JSONL source one at a time, in order.
type jsonlParser struct {
	name string
	opts Options
	n    int            // lines seen
	seen map[string]int // document ID -> line
	emit func(briefbot.Document) error
	bad  []*LineError
}

// line parses the next line; its error is emit's.
func (j *jsonlParser) line(line []byte) error {
	j.n++
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	doc, err := parseJSONLine(j.name, j.n, line, j.opts)
	if err == nil {
		if first, dup := j.seen[doc.ID]; dup {
			err = fmt.Errorf("duplicate id %q (first on line %d)", doc.ID, first)
		} else {
			j.seen[doc.ID] = j.n
		}
	}
	if err != nil {
		j.fail(err)
		return nil
	}
	return j.emit(doc)
}

func (j *jsonlParser) fail(err error) { j.bad = append(j.bad, &LineError{Line: j.n, Err: err}) }

// maxJSONLRecord bounds one line of a JSONL file read as a stream (see
// streamJSONL), as maxFileBytes bounds other files.
const maxJSONLRecord = maxFileBytes

// errJSONLUTF16 refuses a JSONL file in UTF-16 too large to read whole.
var errJSONLUTF16 = fmt.Errorf("UTF-16 JSONL file over %d MiB: convert it to UTF-8", maxFileBytes>>20)

// streamJSONL parses a JSONL file too large to read whole (a collection
// of many records) line by line from r: memory holds one line and the
// documents, and a line longer than maxRecord is reported and skipped.
// Each line is decoded as decodeText decodes a file (UTF-8, else Latin-1;
// binary refused); the file must not be UTF-16, and its first bytes must
// not be those of a binary format. opts must be normalized.
func streamJSONL(name string, r io.Reader, maxRecord int, opts Options) ([]briefbot.Document, []*LineError, error) {
	var docs []briefbot.Document
	bad, err := streamJSONLEach(name, r, maxRecord, opts, func(d briefbot.Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return docs, bad, nil
}

// streamJSONLEach is streamJSONL handing each document to emit as it is
// parsed, so that memory holds one line; an error from emit stops it and
// is returned.
func streamJSONLEach(name string, r io.Reader, maxRecord int, opts Options, emit func(briefbot.Document) error) ([]*LineError, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return nil, errJSONLUTF16
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3)
		head = head[3:]
	}
	if _, err := decodeText(head); errors.Is(err, ErrNotText) {
		return nil, err
	}
	j := jsonlParser{name: name, opts: opts, seen: map[string]int{}, emit: emit}
	var emitErr error
	err = boundedfile.ReadLines(br, maxRecord, func(line []byte) error {
		text, err := decodeText(line)
		if err != nil {
			j.n++
			j.fail(err)
			return nil
		}
		emitErr = j.line(text)
		return emitErr
	}, func() {
		j.n++
		j.fail(fmt.Errorf("record longer than %d bytes", maxRecord))
	})
	switch {
	case emitErr != nil:
		return j.bad, emitErr
	case err != nil:
		return nil, fmt.Errorf("read line %d: %w", j.n+1, err)
	}
	return j.bad, nil
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
