package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/config"
	"github.com/briefbot/briefbot/internal/store"
)

// The JSON shape of 'feedback --json' is a public contract like the others
// (see commands.go): keep the field names exactly. Every key is always
// present, so that a reader need not tell "absent" from "empty".

type feedbackJSON struct {
	// Since is the start of the period, null for everything kept.
	Since   *time.Time          `json:"since"`
	Votes   []feedbackVoteJSON  `json:"votes"`
	Summary feedbackSummaryJSON `json:"summary"`
}

type feedbackVoteJSON struct {
	Time     time.Time `json:"time"`
	AnswerID string    `json:"answer_id"`
	Helpful  bool      `json:"helpful"`
	// Reason is one of wrong_source, incomplete, not_in_documents, other,
	// or "" when none was given.
	Reason  string `json:"reason"`
	Comment string `json:"comment"`
	// AnswerKept is false when the answer is no longer stored (expired
	// before its vote, or never stored); the fields below are then empty.
	AnswerKept bool                   `json:"answer_kept"`
	Question   string                 `json:"question"`
	Answerable bool                   `json:"answerable"`
	Mode       string                 `json:"mode"`
	Private    bool                   `json:"private"`
	Citations  []feedbackCitationJSON `json:"citations"`
}

type feedbackCitationJSON struct {
	N         int    `json:"n"`
	DocID     string `json:"doc_id"`
	PassageID string `json:"passage_id"`
	Title     string `json:"title"`
	Section   string `json:"section"`
	Paragraph int    `json:"paragraph"`
	Page      int    `json:"page,omitempty"`
	URL       string `json:"url"`
}

type feedbackSummaryJSON struct {
	Answers          int `json:"answers"`
	PrivateAnswers   int `json:"private_answers"`
	AnswersWithVotes int `json:"answers_with_votes"`
	Votes            int `json:"votes"`
	Helpful          int `json:"helpful"`
	NotHelpful       int `json:"not_helpful"`
	// HelpfulRate is Helpful / Votes, null when there are no votes.
	HelpfulRate *float64 `json:"helpful_rate"`
	// Reasons counts the unhelpful votes by reason; "none" counts those
	// without one.
	Reasons map[string]int `json:"reasons"`
	// PrivateVotesHidden counts the votes on private answers left out of
	// votes (0 with --include-private).
	PrivateVotesHidden int `json:"private_votes_hidden"`
	// Refused counts the answers that said the documents do not cover the
	// question, private ones included.
	Refused    int                `json:"refused"`
	TopRefused []refusedCountJSON `json:"top_refused"`
	// PrivateRefusedHidden counts the private refused questions left out
	// of top_refused (0 with --include-private).
	PrivateRefusedHidden int `json:"private_refused_hidden"`
}

type refusedCountJSON struct {
	// Question is the wording asked most often (the latest of equals);
	// Normalized is the form that groups wordings differing only in case,
	// spaces and punctuation.
	Question   string    `json:"question"`
	Normalized string    `json:"normalized"`
	Count      int       `json:"count"`
	Last       time.Time `json:"last"`
}

// maxTopRefused is how many refused questions the summary lists.
const maxTopRefused = 10

// storeLockTimeout bounds the wait for the store's lock; a variable so
// that the test of a held store need not wait a full second.
var storeLockTimeout = store.DefaultLockTimeout

func runFeedback(ctx context.Context, e *env, args []string) error {
	flags := e.flagSet("feedback", "", "Votes on the bot's answers with their questions and sources, then a summary:\n"+
		"answers, helpful rate, questions refused and the most frequent of them (what the\n"+
		"documents are missing). Private questions are only counted unless --include-private.\n"+
		"The bot must be stopped: it holds the store while it runs.")
	asJSON := flags.Bool("json", false, "print JSON")
	sinceArg := flags.String("since", "", "only what is newer than `D`: a duration back from now (7d, 24h) or a date (2026-11-01)")
	includePrivate := flags.Bool("include-private", false, "show private questions and the votes on them")
	if err := parseNoArgs(flags, args, ""); err != nil {
		return err
	}
	cfg, err := e.config()
	if err != nil {
		return err
	}
	now := time.Now()
	since, err := parseSince(*sinceArg, now)
	if err != nil {
		return err
	}
	var answers []briefbot.AnswerRecord
	var votes []briefbot.Vote
	st, err := openStoreForReading(cfg, e)
	if err != nil {
		return err
	}
	if st != nil {
		defer st.Close()
		// All answers kept, not only those since: a vote in the period
		// may be on an older answer.
		if answers, err = st.Answers(ctx, time.Time{}); err != nil {
			return err
		}
		if votes, err = st.Votes(ctx, since); err != nil {
			return err
		}
	}
	report := feedbackReport(answers, votes, since, *includePrivate)
	if *asJSON {
		return encodeJSON(e.stdout, report)
	}
	printFeedback(e.stdout, report, cfg.Discord.AnswerRetention)
	return nil
}

// openStoreForReading opens the store read-only, or returns nil when there
// is nothing to read. When an earlier version's feedback.jsonl is waiting
// to be imported, it opens the store for writing so that the import happens
// now, as it would at the bot's next start, and the votes are shown.
func openStoreForReading(cfg *config.Config, e *env) (*store.Store, error) {
	path := store.Path(cfg.DataDir)
	opts := store.Options{
		AnswerRetention: cfg.Discord.AnswerRetention.Duration(),
		MaxTurns:        cfg.Discord.ConversationTurns,
		ConversationTTL: cfg.Discord.ConversationTTL.Duration(),
		LockTimeout:     storeLockTimeout,
		ReadOnly:        true,
		Logger:          e.log,
	}
	_, legacyErr := os.Lstat(filepath.Join(cfg.DataDir, store.LegacyFeedbackFile))
	legacy := legacyErr == nil
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && !legacy {
		return nil, nil // no answer kept yet; create nothing
	}
	opts.ReadOnly = !legacy
	st, err := store.Open(path, opts)
	if errors.Is(err, store.ErrLocked) {
		// bbolt's lock is all or nothing: the bot's exclusive lock
		// excludes even readers.
		return nil, fmt.Errorf("feedback: %w; the bot (briefbot serve) holds the store while it runs and no other process can read it meanwhile: stop the bot, run 'briefbot feedback', then start the bot again", err)
	}
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	return st, nil
}

// parseSince reads --since: a duration back from now, with days ("7d",
// "36h", the configuration's form), or a date ("2026-11-01", the start of
// that day in local time), or a time in RFC 3339.
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := config.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%w: --since: a duration back from now cannot be negative, got %q", errUsage, s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: --since: expected a duration such as 7d or 24h, or a date such as 2026-11-01; got %q", errUsage, s)
}

// feedbackReport gathers the votes cast since, with their answers, and the
// summary of the answers given since.
func feedbackReport(answers []briefbot.AnswerRecord, votes []briefbot.Vote, since time.Time, includePrivate bool) feedbackJSON {
	out := feedbackJSON{Votes: []feedbackVoteJSON{}}
	if !since.IsZero() {
		out.Since = &since
	}
	sum := &out.Summary
	sum.TopRefused = []refusedCountJSON{}
	sum.Reasons = map[string]int{}
	for _, r := range reasons {
		sum.Reasons[r] = 0
	}

	byID := make(map[string]*briefbot.AnswerRecord, len(answers))
	for i := range answers {
		byID[answers[i].ID] = &answers[i]
	}
	voted := map[string]bool{}
	for _, v := range votes {
		sum.Votes++
		if v.Helpful {
			sum.Helpful++
		} else {
			sum.NotHelpful++
			sum.Reasons[cmp.Or(v.Reason, reasonNone)]++
		}
		voted[v.AnswerID] = true
		a := byID[v.AnswerID]
		if a != nil && a.Private && !includePrivate {
			sum.PrivateVotesHidden++
			continue
		}
		out.Votes = append(out.Votes, voteJSON(v, a))
	}
	if sum.Votes > 0 {
		rate := float64(sum.Helpful) / float64(sum.Votes)
		sum.HelpfulRate = &rate
	}

	refused := map[string]*refusedCountJSON{}
	// wordings counts each group's wordings (after folding spaces), so
	// that the one asked most often represents it.
	wordings := map[string]map[string]int{}
	for _, a := range answers {
		if a.Time.Before(since) {
			continue
		}
		sum.Answers++
		if a.Private {
			sum.PrivateAnswers++
		}
		if voted[a.ID] {
			sum.AnswersWithVotes++
		}
		if a.Answer.Answerable {
			continue
		}
		sum.Refused++
		if a.Private && !includePrivate {
			sum.PrivateRefusedHidden++
			continue
		}
		q := questionOf(a)
		norm := normalizeQuestion(q)
		if norm == "" {
			continue
		}
		r := refused[norm]
		if r == nil {
			r = &refusedCountJSON{Normalized: norm}
			refused[norm] = r
			wordings[norm] = map[string]int{}
		}
		r.Count++
		r.Last = a.Time
		// Answers come oldest first, so on a tie the latest wording wins.
		q = oneLine(q)
		wordings[norm][q]++
		if n := wordings[norm][q]; n >= wordings[norm][r.Question] {
			r.Question = q
		}
	}
	for _, r := range refused {
		sum.TopRefused = append(sum.TopRefused, *r)
	}
	slices.SortFunc(sum.TopRefused, func(a, b refusedCountJSON) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.Last.Compare(a.Last), cmp.Compare(a.Normalized, b.Normalized))
	})
	if len(sum.TopRefused) > maxTopRefused {
		sum.TopRefused = sum.TopRefused[:maxTopRefused]
	}
	return out
}

func voteJSON(v briefbot.Vote, a *briefbot.AnswerRecord) feedbackVoteJSON {
	out := feedbackVoteJSON{Time: v.Time, AnswerID: v.AnswerID, Helpful: v.Helpful, Reason: v.Reason, Comment: v.Comment,
		Citations: []feedbackCitationJSON{}}
	if a == nil {
		return out
	}
	out.AnswerKept, out.Question, out.Answerable, out.Mode, out.Private = true, questionOf(*a), a.Answer.Answerable, a.Answer.Mode, a.Private
	for _, c := range a.Answer.Citations {
		out.Citations = append(out.Citations, feedbackCitationJSON{N: c.N, DocID: c.DocID, PassageID: c.PassageID,
			Title: c.Title, Section: c.Section, Paragraph: c.Paragraph, Page: c.Page, URL: c.URL})
	}
	return out
}

// questionOf is the question as the user asked it.
func questionOf(a briefbot.AnswerRecord) string {
	return cmp.Or(a.Question, a.Answer.Question)
}

// normalizeQuestion groups wordings of one question: lower case, and every
// run of spaces and punctuation one space, so that "What is X?" and "what
// is  x" count together.
func normalizeQuestion(q string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(q) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
			continue
		}
		space = true
	}
	return b.String()
}

// reasonNone stands for "no reason given" in the summary's reasons.
const reasonNone = "none"

// reasons are the keys of the summary's reasons, in the order shown.
var reasons = []string{briefbot.ReasonWrongSource, briefbot.ReasonIncomplete, briefbot.ReasonNotInDocuments, briefbot.ReasonOther, reasonNone}

var reasonText = map[string]string{
	briefbot.ReasonWrongSource:    "wrong source",
	briefbot.ReasonIncomplete:     "incomplete",
	briefbot.ReasonNotInDocuments: "not in the documents",
	briefbot.ReasonOther:          "other",
	reasonNone:                    "no reason given",
}

// oneLine folds a user's text onto one line for the listing.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func printFeedback(w io.Writer, r feedbackJSON, retention config.Duration) {
	sum := r.Summary
	period := fmt.Sprintf("in the last %s (all that is kept)", retention)
	if r.Since != nil {
		period = "since " + r.Since.Local().Format("2006-01-02 15:04")
	}
	fmt.Fprintf(w, "Votes %s: %d", period, sum.Votes)
	if sum.PrivateVotesHidden > 0 {
		fmt.Fprintf(w, " (%d on private answers, not shown; --include-private shows them)", sum.PrivateVotesHidden)
	}
	fmt.Fprintln(w)
	for _, v := range r.Votes {
		verdict := "helpful"
		if !v.Helpful {
			verdict = "not helpful (" + reasonText[cmp.Or(v.Reason, reasonNone)] + ")"
		}
		fmt.Fprintf(w, "\n%s  %s", v.Time.Local().Format("2006-01-02 15:04"), verdict)
		if v.Comment != "" {
			fmt.Fprintf(w, ": %q", oneLine(v.Comment))
		}
		fmt.Fprintln(w)
		if !v.AnswerKept {
			fmt.Fprintf(w, "  (answer %s is no longer kept)\n", v.AnswerID)
			continue
		}
		private := ""
		if v.Private {
			private = " (private)"
		}
		fmt.Fprintf(w, "  Q%s: %s\n", private, oneLine(v.Question))
		if !v.Answerable {
			fmt.Fprintln(w, "  answered: not covered by the documents")
		}
		for _, c := range v.Citations {
			fmt.Fprintf(w, "  [%d] %s\n", c.N, citationLabel(c))
		}
	}

	fmt.Fprintln(w, "\nSummary")
	fmt.Fprintf(w, "  answers             %d", sum.Answers)
	if sum.PrivateAnswers > 0 {
		fmt.Fprintf(w, " (%d private)", sum.PrivateAnswers)
	}
	fmt.Fprintf(w, "\n  answers with votes  %d\n", sum.AnswersWithVotes)
	fmt.Fprintf(w, "  votes               %d: %d helpful, %d not helpful", sum.Votes, sum.Helpful, sum.NotHelpful)
	if sum.HelpfulRate != nil {
		fmt.Fprintf(w, " (helpful rate %.0f%%)", *sum.HelpfulRate*100)
	}
	fmt.Fprintln(w)
	if sum.NotHelpful > 0 {
		var parts []string
		for _, k := range reasons {
			if n := sum.Reasons[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", reasonText[k], n))
			}
		}
		fmt.Fprintf(w, "  why not helpful     %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "  questions refused   %d\n", sum.Refused)
	if len(sum.TopRefused) > 0 || sum.PrivateRefusedHidden > 0 {
		fmt.Fprintln(w, "\nMost frequent refused questions (what the documents are missing):")
		for _, q := range sum.TopRefused {
			fmt.Fprintf(w, "  %3d  %s\n", q.Count, q.Question)
		}
		if sum.PrivateRefusedHidden > 0 {
			fmt.Fprintf(w, "  (%d private, not shown; --include-private shows them)\n", sum.PrivateRefusedHidden)
		}
	}
}

// citationLabel is "Title — Section ¶n", as ask prints sources; the
// passage ID when the title is unknown (answers imported from the old
// feedback.jsonl kept only that).
func citationLabel(c feedbackCitationJSON) string {
	if c.Title == "" {
		return c.PassageID
	}
	s := c.Title
	if c.Section != "" {
		s += " — " + c.Section
	}
	if place := briefbot.Place(c.Paragraph, c.Page); place != "" {
		s += " " + place
	}
	return s
}
