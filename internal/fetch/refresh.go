package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Getter is what a Refresher fetches with; *Fetcher is one.
type Getter interface {
	Get(ctx context.Context, rawURL string, cond Conditional) (Result, error)
}

// Source is a URL document as it was last fetched.
type Source struct {
	URL string
	// ETag and LastModified are the validators of the stored copy.
	ETag         string
	LastModified string
	// Hash is Hash(Data) of the stored copy; "" when there is none yet.
	Hash string
}

// Outcome is what a refresh found for one source.
type Outcome int

const (
	// Unchanged: a 304, or the same bytes again.
	Unchanged Outcome = iota
	// Changed: new content (or the first copy), in Report.Result.Data.
	Changed
	// Failed: Report.Err says why; the stored copy stays as it was.
	Failed
)

func (o Outcome) String() string {
	switch o {
	case Unchanged:
		return "unchanged"
	case Changed:
		return "changed"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Report is the refresh of one source.
type Report struct {
	Source  Source
	Outcome Outcome
	// Result is the fetch: for Changed it holds the new document; for
	// Unchanged its ETag and LastModified are the validators to store
	// (a server may renew them without changing the content).
	Result Result
	// Hash is the content hash to store: the new one for Changed,
	// Source.Hash otherwise.
	Hash string
	Err  error
}

// Hash is the content hash a Source records: hex SHA-256 of data.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Refresher checks URL sources for changes. It holds no state: the caller
// stores what the reports say and passes it back next time.
type Refresher struct {
	Getter Getter
}

// Refresh fetches each source conditionally, one after the other (gentle
// on servers, and at most one document in memory at a time besides the
// changed ones returned), and reports one Report per source, in order.
// Once ctx is done, the remaining sources are reported Failed without
// being fetched.
func (r *Refresher) Refresh(ctx context.Context, sources []Source) []Report {
	reports := make([]Report, 0, len(sources))
	for _, s := range sources {
		rep := Report{Source: s, Hash: s.Hash}
		if err := ctx.Err(); err != nil {
			rep.Outcome, rep.Err = Failed, fmt.Errorf("refresh %s: %w", RedactURL(s.URL), err)
			reports = append(reports, rep)
			continue
		}
		res, err := r.Getter.Get(ctx, s.URL, Conditional{ETag: s.ETag, LastModified: s.LastModified})
		switch {
		case err != nil:
			rep.Outcome, rep.Err = Failed, err
		case res.NotModified:
			rep.Outcome, rep.Result = Unchanged, res
		default:
			rep.Result = res
			// Servers that ignore validators (or send none) answer 200
			// every time; the hash keeps that from reading as a change.
			if h := Hash(res.Data); h != s.Hash {
				rep.Outcome, rep.Hash = Changed, h
			} else {
				rep.Outcome = Unchanged
				rep.Result.Data = nil
			}
		}
		reports = append(reports, rep)
	}
	return reports
}

// Summary describes reports in one line for a log or a moderator: "3 URL
// sources: 1 changed, 1 unchanged, 1 failed (https://a.example/x: HTTP
// 404 Not Found)". URLs are redacted.
func Summary(reports []Report) string {
	var n [3]int
	var failures []string
	for _, r := range reports {
		if r.Outcome >= Unchanged && r.Outcome <= Failed {
			n[r.Outcome]++
		}
		if r.Outcome == Failed && r.Err != nil {
			failures = append(failures, RedactURL(r.Source.URL)+": "+r.Err.Error())
		}
	}
	noun := "URL sources"
	if len(reports) == 1 {
		noun = "URL source"
	}
	s := fmt.Sprintf("%d %s: %d changed, %d unchanged, %d failed", len(reports), noun, n[Changed], n[Unchanged], n[Failed])
	if len(failures) > 0 {
		s += " (" + strings.Join(failures, "; ") + ")"
	}
	return s
}
