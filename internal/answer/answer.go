// Package answer turns a question into a briefbot.Answer: it retrieves
// passages, decides whether they really cover the question, and composes an
// extractive answer from their best sentences with numbered citations. It
// owns the rule that nothing is presented as an answer unless a retrieved
// passage supports it.
package answer

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/index"
)

// Options tune retrieval and the coverage decision.
type Options struct {
	// K is the number of passages retrieved per question.
	K int
	// MaxCitations bounds the sources of one extractive answer.
	MaxCitations int
	// MinCoverage is the smallest IDF-weighted share of the question's
	// terms that the best passage must contain for the question to count
	// as covered.
	MinCoverage float64
	// MinMatchedTerms is the smallest number of distinct question terms the
	// best passage must share, unless the question has fewer terms and the
	// passage holds them all.
	MinMatchedTerms int
	// MaxRelated bounds the "possibly related" hits of an uncovered question.
	MaxRelated int
}

// DefaultOptions are the settings used when a field is zero.
var DefaultOptions = Options{K: 5, MaxCitations: 3, MinCoverage: 0.3, MinMatchedTerms: 2, MaxRelated: 3}

func (o Options) withDefaults() Options {
	d := DefaultOptions
	if o.K > 0 {
		d.K = o.K
	}
	if o.MaxCitations > 0 {
		d.MaxCitations = o.MaxCitations
	}
	if o.MinCoverage > 0 {
		d.MinCoverage = o.MinCoverage
	}
	if o.MinMatchedTerms > 0 {
		d.MinMatchedTerms = o.MinMatchedTerms
	}
	if o.MaxRelated > 0 {
		d.MaxRelated = o.MaxRelated
	}
	return d
}

// Index is what the answerer needs from the search index.
type Index interface {
	briefbot.Searcher
	Info() briefbot.IndexInfo
}

// NotCovered is the answer text when the documents do not answer.
const NotCovered = "The documents do not cover this question."

// Extractive answers from the passages' own sentences; it needs no model.
type Extractive struct {
	Index   Index
	Options Options
}

// Ask implements briefbot.Answerer. A follow-up (see isFollowUp) is
// searched with the questions before it in req.History; the answer cites
// only passages found for it, never the earlier answers.
func (e *Extractive) Ask(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
	a, _, err := e.answer(ctx, req.Question, e.topic(req.Question, req.History))
	return a, err
}

// topic returns the earlier turns a question is read with (see
// followUpTurns), oldest first; none for a question on its own.
func (e *Extractive) topic(question string, history []briefbot.Turn) []briefbot.Turn {
	var isName func(string) bool
	if n, ok := e.Index.(namer); ok {
		isName = n.IsName
	}
	return followUpTurns(question, history, isName)
}

// answer is the extractive answer with the hits it came from; turns are
// the earlier turns it is read with.
func (e *Extractive) answer(ctx context.Context, question string, turns []briefbot.Turn) (briefbot.Answer, []briefbot.Hit, error) {
	if l, ok := e.Index.(leader); ok && asksWhatItIsAbout(question) {
		if hits := l.Leads(e.Options.withDefaults().MaxCitations); len(hits) > 0 {
			return composeLeads(question, hits, e.Index.Info()), hits, nil
		}
	}
	hits, info, err := e.retrieve(ctx, question, contextOf(turns))
	if err != nil {
		return briefbot.Answer{}, nil, err
	}
	if names := e.unknownNames(question); len(names) > 0 {
		// The question is about something the documents never name.
		a := Compose(question, nil, info, e.Options)
		a.Related = hits[:min(len(hits), e.Options.withDefaults().MaxRelated)]
		return a, hits, nil
	}
	return Compose(question, hits, info, e.Options), hits, nil
}

// leader is implemented by indexes that can give the openings of their
// documents.
type leader interface {
	Leads(n int) []briefbot.Hit
}

// aboutQuestion asks what the documents are about as a whole: "what is
// this brief about", "summarize the report", "tl;dr". A question with a
// subject of its own ("what does the brief say about Israel") is not one.
var aboutQuestion = regexp.MustCompile(`(?i)^\W*(?:(?:so\s+)?(?:what(?:'s|’s| is| are)|tell me what)\s+(?:this|the|these)\s+(?:brief|document|documents|report|paper|article|piece|text|analysis)\s+(?:is\s+|are\s+)?(?:all\s+)?about|summari[sz]e(?:\s+(?:this|the)\s+(?:brief|document|report|paper|article))?|(?:give me )?(?:a |the )?summary(?:\s+of\s+(?:this|the)\s+(?:brief|document|report|paper|article))?|tl;?dr|what(?:'s|’s| is| are) the (?:main|key) (?:points?|arguments?|takeaways?|message))\W*$`)

func asksWhatItIsAbout(question string) bool { return aboutQuestion.MatchString(question) }

// composeLeads answers a question about what the documents are about with
// their openings.
func composeLeads(question string, hits []briefbot.Hit, info briefbot.IndexInfo) briefbot.Answer {
	a := briefbot.Answer{Question: question, Mode: briefbot.ModeExtractive, Index: info, Answerable: true}
	var parts []string
	for i, h := range hits {
		a.Citations = append(a.Citations, CitationFor(i+1, h.Passage, h.Quote))
		parts = append(parts, fmt.Sprintf("%s [%d]", h.Quote, i+1))
	}
	a.Text = strings.Join(parts, " ")
	return a
}

// nameChecker is implemented by indexes that can tell which names of a
// question the corpus never mentions.
type nameChecker interface {
	UnknownNames(question string) []string
}

func (e *Extractive) unknownNames(q string) []string {
	if nc, ok := e.Index.(nameChecker); ok {
		return nc.UnknownNames(q)
	}
	return nil
}

// Retrieve runs the search for a question and reports the index it used.
func (e *Extractive) Retrieve(ctx context.Context, question string) ([]briefbot.Hit, briefbot.IndexInfo, error) {
	return e.retrieve(ctx, question, nil)
}

// retrieve searches for a question read with the earlier questions of its
// conversation (see contextOf), or on its own when there are none or the
// index cannot.
func (e *Extractive) retrieve(ctx context.Context, question string, earlier []index.Weighted) ([]briefbot.Hit, briefbot.IndexInfo, error) {
	opts := e.Options.withDefaults()
	info := e.Index.Info()
	var hits []briefbot.Hit
	var err error
	if cs, ok := e.Index.(contextSearcher); ok && len(earlier) > 0 {
		hits, err = cs.SearchInContext(ctx, question, earlier, opts.K)
	} else {
		hits, err = e.Index.Search(ctx, question, opts.K)
	}
	if err != nil {
		return nil, info, fmt.Errorf("answer %q: %w", question, err)
	}
	return hits, info, nil
}

// Covered reports whether a hit holds enough of the question to answer it:
// a passage sharing a single ordinary word with a longer question is a
// coincidence, not an answer.
func Covered(h briefbot.Hit, opts Options) bool {
	opts = opts.withDefaults()
	// Related words alone do not make an answer: a passage that shares
	// not one word with the question ("Who wrote the novel War and
	// Peace?" against "…the new road…") is a paraphrase match at best.
	if h.Coverage < opts.MinCoverage || h.Exact == 0 {
		return false
	}
	if len(h.Matched) >= opts.MinMatchedTerms {
		return true
	}
	// A question of a single term (after stop words) is covered when the
	// passage has it and that term carries the whole question.
	return len(h.Matched) > 0 && h.Coverage >= 0.999
}

// Compose builds the extractive answer from ranked hits.
func Compose(question string, hits []briefbot.Hit, info briefbot.IndexInfo, opts Options) briefbot.Answer {
	opts = opts.withDefaults()
	a := briefbot.Answer{Question: question, Mode: briefbot.ModeExtractive, Index: info}
	if len(hits) == 0 || !Covered(hits[0], opts) || !holdsKind(hits[0].Passage.Text, askedKind(question)) ||
		!answersSpecifically(question, hits[0].Passage) {
		a.Text = NotCovered
		for i, h := range hits {
			if i == opts.MaxRelated {
				break
			}
			a.Related = append(a.Related, h)
		}
		return a
	}
	a.Answerable = true
	best, bestCoverage := hits[0].Score, hits[0].Coverage
	maxCitations := opts.MaxCitations
	if asksForList(question) {
		maxCitations = max(maxCitations, listCitations)
	}
	var parts []string
	seen := map[string]bool{}
	for _, h := range hits {
		if len(a.Citations) == maxCitations {
			break
		}
		// Later hits must stand on their own and be close to the best in
		// score and in how much of the question they hold, so that a weak
		// neighbour does not dilute a precise answer: every citation shown
		// must earn its place.
		if len(a.Citations) > 0 && (h.Score < laterScoreFloor*best || h.Coverage < laterCoverageFloor*bestCoverage || !Covered(h, opts)) {
			break
		}
		quote := strings.TrimSpace(h.Quote)
		if quote == "" {
			quote = h.Passage.Text
		}
		if seen[quote] {
			continue
		}
		seen[quote] = true
		quote = standAlone(h.Passage.Text, quote)
		n := len(a.Citations) + 1
		a.Citations = append(a.Citations, CitationFor(n, h.Passage, quote))
		parts = append(parts, fmt.Sprintf("%s [%d]", quote, n))
	}
	a.Text = strings.Join(parts, " ")
	return a
}

// The bars a later citation must clear, relative to the first one: its
// score and its coverage of the question (measured on the natural question
// set: see the README).
const (
	laterScoreFloor    = 0.7
	laterCoverageFloor = 0.9
	// listCitations bounds the sources of a question asking for a list.
	listCitations = 5
)

// listCue asks for several items: "what are the recommendations", "list
// the steps", "which countries…".
var listCue = regexp.MustCompile(`(?i)\b(list|enumerate|what are (the|all|some)|which (are|ones)|name (the|all|some)|all the|steps|options|recommendations|measures)\b`)

func asksForList(question string) bool { return listCue.MatchString(question) }

// connective opens a sentence that leans on the one before it: "Moreover,
// …", "Such problems …", "This relationship …".
var connective = regexp.MustCompile(`^(?i:moreover|furthermore|elsewhere|yet|however|also|in addition|additionally|meanwhile|indeed|still|likewise|similarly|nonetheless|nevertheless|thus|therefore|hence|as a result|consequently|in turn|instead|otherwise|even so|at the same time|for (its|their|his|her) part|and|but|or|so|such|these|this|that|those|it|they|the latter|the former)\b`)

// maxLeadIn bounds the sentence brought in before a quote that leans on it.
const maxLeadIn = 400

// standAlone makes a quote readable on its own: one that opens with a
// connective ("Moreover, …") is shown with the sentence before it in its
// passage, or after "…" when it has none there or that one is long.
func standAlone(passage, quote string) string {
	if !connective.MatchString(quote) {
		return quote
	}
	at := strings.Index(passage, quote)
	if at > 0 {
		var prev string
		for _, sp := range corpus.Sentences(passage) {
			if sp.End > at {
				break
			}
			prev = strings.TrimSpace(passage[sp.Start:sp.End])
		}
		if prev != "" && len(prev) <= maxLeadIn {
			return prev + " " + quote
		}
	}
	return "… " + quote
}

// CitationFor makes citation n of a passage with the quoted sentence.
func CitationFor(n int, p briefbot.Passage, quote string) briefbot.Citation {
	return briefbot.Citation{
		N:         n,
		DocID:     p.DocID,
		PassageID: p.ID,
		Title:     p.Title,
		Section:   p.Section,
		Paragraph: p.Paragraph,
		Page:      p.Page,
		URL:       LinkTo(p.URL, quote),
		Quote:     quote,
	}
}

// LinkTo points at the quoted text inside the page when the document has a
// web address, using a text fragment (#:~:text=start,end) that browsers
// scroll to and highlight; other browsers simply open the page.
func LinkTo(docURL, quote string) string {
	if docURL == "" || strings.Contains(docURL, "#") {
		return docURL
	}
	u, err := url.Parse(docURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return docURL
	}
	// Words without a letter or digit ("—") cannot anchor a fragment.
	var clean []string
	for _, w := range strings.Fields(quote) {
		if trimEdges(w) != "" {
			clean = append(clean, w)
		}
	}
	if len(clean) == 0 {
		return docURL
	}
	const span = 4
	start := clean
	if len(start) > span {
		start = start[:span]
	}
	frag := fragmentEscape(trimEdges(strings.Join(start, " ")))
	if len(clean) > 2*span {
		end := clean[len(clean)-span:]
		frag += "," + fragmentEscape(trimEdges(strings.Join(end, " ")))
	} else if len(clean) > span {
		frag = fragmentEscape(trimEdges(strings.Join(clean, " ")))
	}
	return docURL + "#:~:text=" + frag
}

// trimEdges drops punctuation at either end of a fragment term, which the
// page would have to match exactly, so small differences in quoting still
// match.
func trimEdges(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// fragmentEscape percent-encodes a text-fragment term; '-', ',' and '&' are
// syntax inside text fragments and must be escaped as well.
func fragmentEscape(s string) string {
	e := url.PathEscape(s)
	r := strings.NewReplacer("-", "%2D", ",", "%2C", "&", "%26")
	return r.Replace(e)
}
