package answer

import (
	"context"
	"errors"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/llm"
)

// Summarizer writes an answer from numbered sources; *llm.Client is one.
type Summarizer interface {
	Answer(ctx context.Context, user, question, indexVersion string, sources []llm.Source, onPartial func(text string)) (llm.Result, error)
}

// historySummarizer is a Summarizer that also reads the earlier turns of
// the conversation (*llm.Client is one). A Summarizer that is not one
// answers a follow-up from its question and passages alone.
type historySummarizer interface {
	AnswerWithHistory(ctx context.Context, user, question, indexVersion string, history []briefbot.Turn, sources []llm.Source, onPartial func(text string)) (llm.Result, error)
}

// Model answers with a model's summary of the retrieved passages, whose
// every citation the summarizer has checked, and falls back to the
// extractive answer, with the reason, whenever the model fails, is slow or
// cites nothing valid. Questions the documents do not cover never reach the
// model: there is nothing to summarize, and nothing for it to invent from.
type Model struct {
	Extractive
	Summarizer Summarizer
	// MaxPassages bounds the passages offered to the model.
	MaxPassages int
	// Published gives a document's date, shown to the model; may be nil.
	Published func(docID string) time.Time
}

// Ask implements briefbot.Answerer. A follow-up's earlier turns (those
// its search was read with, see followUpTurns) go to the model as the
// conversation so far; the summarizer fits them in its budget after the
// passages. Only the passages found now are cited.
func (m *Model) Ask(ctx context.Context, req briefbot.AskRequest) (briefbot.Answer, error) {
	turns := m.topic(req.Question, req.History)
	ext, hits, err := m.answer(ctx, req.Question, turns)
	if err != nil || !ext.Answerable {
		return ext, err
	}
	info := ext.Index
	n := len(hits)
	if m.MaxPassages > 0 {
		n = min(n, m.MaxPassages)
	}
	sources := make([]llm.Source, n)
	byN := make(map[int]briefbot.Hit, n)
	for i, h := range hits[:n] {
		var published time.Time
		if m.Published != nil {
			published = m.Published(h.Passage.DocID)
		}
		sources[i] = llm.FromPassage(i+1, h.Passage, published)
		byN[i+1] = h
	}
	var res llm.Result
	if hs, ok := m.Summarizer.(historySummarizer); ok && len(turns) > 0 {
		res, err = hs.AnswerWithHistory(ctx, req.UserID, req.Question, info.Version, turns, sources, req.OnPartial)
	} else {
		res, err = m.Summarizer.Answer(ctx, req.UserID, req.Question, info.Version, sources, req.OnPartial)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return briefbot.Answer{}, err
		}
		ext.FallbackReason = llm.FallbackReason(err)
		return ext, nil
	}
	a := briefbot.Answer{Question: req.Question, Text: res.Text, Answerable: true, Mode: briefbot.ModeLLM, Index: info}
	for _, num := range res.Citations {
		h, ok := byN[num]
		if !ok {
			continue // the summarizer keeps only numbers it was sent
		}
		quote := h.Quote
		if quote == "" {
			quote = h.Passage.Text
		}
		a.Citations = append(a.Citations, CitationFor(num, h.Passage, quote))
	}
	if len(a.Citations) == 0 {
		ext.FallbackReason = llm.FallbackReason(llm.ErrNoValidCitation)
		return ext, nil
	}
	return a, nil
}

// Documents is an Index that also lists its documents.
type Documents interface {
	Index
	Documents() []briefbot.Document
}

// New returns the answerer the product puts over ix: extractive, or
// written by the model s (offered at most maxPassages passages) when s is
// not nil, with each document's date looked up in ix.
func New(ix Documents, o Options, s Summarizer, maxPassages int) briefbot.Answerer {
	ext := Extractive{Index: ix, Options: o}
	if s == nil {
		return &ext
	}
	published := func(docID string) time.Time {
		for _, d := range ix.Documents() {
			if d.ID == docID {
				return d.Published
			}
		}
		return time.Time{}
	}
	return &Model{Extractive: ext, Summarizer: s, MaxPassages: maxPassages, Published: published}
}
