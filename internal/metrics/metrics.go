// Package metrics owns briefbot's Prometheus registry: it is the only
// package that imports client_golang. The bot and the library report to
// it through briefbot.Observer, the model client through
// briefbot.ModelObserver; the index and gateway state are read at
// scrape time, so a scrape always shows the index being served.
package metrics

import (
	"net/http"
	"time"

	"github.com/briefbot/briefbot"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is a registry with briefbot's metrics. Its methods are safe for
// concurrent use.
type Metrics struct {
	reg       *prometheus.Registry
	questions *prometheus.CounterVec
	answer    prometheus.Histogram
	retrieval prometheus.Histogram

	interactions *prometheus.CounterVec

	modelRequest    prometheus.Histogram
	modelFirstToken prometheus.Histogram
	modelTokens     *prometheus.CounterVec
	modelErrors     *prometheus.CounterVec
	modelRetries    prometheus.Counter
	modelFallbacks  *prometheus.CounterVec
	// modelErrorReasons are the ModelError values; any other error counts
	// as "other", so that the label stays a fixed set.
	modelErrorReasons map[string]bool
}

// New makes the registry with the question metrics and the Go runtime and
// process collectors; WatchIndex and WatchGateway add the rest.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_questions_total",
			Help: "Questions finished, by command (ask, followup, mention) and outcome (answered, refused, failed, busy, timeout, limited).",
		}, []string{"command", "outcome"}),
		answer: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "briefbot_answer_seconds",
			Help: "Time from a question's arrival to its outcome (end to end).",
			// Extractive answers take milliseconds, model answers seconds,
			// up to discord.answer_timeout.
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}),
		retrieval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "briefbot_retrieval_seconds",
			Help:    "Time of one search of the index made for an answer.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
		interactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_interactions_total",
			Help: "Requests to POST /interactions (http mode), by result (answered, unauthorized, too_large, malformed, stopping, not_answered).",
		}, []string{"result"}),
		modelRequest: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "briefbot_model_request_seconds",
			Help: "Time of one model request, every attempt and wait between retries included, the wait for a call slot not.",
			// Model answers take from a fraction of a second to
			// llm.timeout (20 s by default).
			Buckets: modelBuckets,
		}),
		modelFirstToken: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "briefbot_model_first_token_seconds",
			Help:    "Time from a streamed model request's start (retries included) to its first text.",
			Buckets: modelBuckets,
		}),
		modelTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_model_tokens_total",
			Help: "Tokens the model server reported using, by kind (prompt, completion); replies without usage add nothing.",
		}, []string{"kind"}),
		modelErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_model_errors_total",
			Help: "Model requests that failed after their retries, by reason (timeout, canceled, rate_limited, server, client, unreachable, truncated, bad_response, other).",
		}, []string{"reason"}),
		modelRetries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "briefbot_model_retries_total",
			Help: "Model request attempts retried after a 429 or a 5xx.",
		}),
		modelFallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_model_fallbacks_total",
			Help: "Questions that wanted a model answer and got the extractive one, by fallback reason (daily_cap, busy, timeout, no_valid_citations, not_in_sources...).",
		}, []string{"reason"}),
	}
	// The fixed label values are exported from the start, at 0, so that
	// rates over them need no first occurrence.
	for _, kind := range []string{tokensPrompt, tokensCompletion} {
		m.modelTokens.WithLabelValues(kind)
	}
	for _, result := range briefbot.Interactions() {
		m.interactions.WithLabelValues(result)
	}
	m.modelErrorReasons = map[string]bool{}
	for _, reason := range briefbot.ModelErrors() {
		m.modelErrors.WithLabelValues(reason)
		m.modelErrorReasons[reason] = true
	}
	m.reg.MustRegister(m.questions, m.answer, m.retrieval, m.interactions,
		m.modelRequest, m.modelFirstToken, m.modelTokens, m.modelErrors, m.modelRetries, m.modelFallbacks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Interaction counts one request to the interactions endpoint.
func (m *Metrics) Interaction(result string) { m.interactions.WithLabelValues(result).Inc() }

// Question counts a finished question and its end-to-end latency.
func (m *Metrics) Question(command, outcome string, d time.Duration) {
	m.questions.WithLabelValues(command, outcome).Inc()
	m.answer.Observe(d.Seconds())
}

// Retrieval records one search's latency.
func (m *Metrics) Retrieval(d time.Duration) { m.retrieval.Observe(d.Seconds()) }

// modelBuckets suit model latencies, 0.1 s to 30 s.
var modelBuckets = []float64{.1, .25, .5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30}

// The kinds of briefbot_model_tokens_total.
const (
	tokensPrompt     = "prompt"
	tokensCompletion = "completion"
)

// ModelCall records one model request: its latency, its time to first
// token when streamed, the tokens its server reported, its retries and
// its error.
func (m *Metrics) ModelCall(c briefbot.ModelCall) {
	m.modelRequest.Observe(c.Duration.Seconds())
	if c.FirstToken > 0 {
		m.modelFirstToken.Observe(c.FirstToken.Seconds())
	}
	if c.PromptTokens > 0 {
		m.modelTokens.WithLabelValues(tokensPrompt).Add(float64(c.PromptTokens))
	}
	if c.CompletionTokens > 0 {
		m.modelTokens.WithLabelValues(tokensCompletion).Add(float64(c.CompletionTokens))
	}
	if c.Retries > 0 {
		m.modelRetries.Add(float64(c.Retries))
	}
	if c.Error != "" {
		reason := c.Error
		if !m.modelErrorReasons[reason] {
			reason = briefbot.ModelErrorOther
		}
		m.modelErrors.WithLabelValues(reason).Inc()
	}
}

// ModelFallback counts a question answered extractively in place of the
// model, by reason.
func (m *Metrics) ModelFallback(reason string) {
	m.modelFallbacks.WithLabelValues(reason).Inc()
}

// WatchIndex exports the served index's documents, passages and version,
// read from info at each scrape. Call it once.
func (m *Metrics) WatchIndex(info func() briefbot.IndexInfo) {
	m.reg.MustRegister(indexCollector{info})
}

// WatchGateway exports whether the gateway is connected (1) or not (0),
// read from connected at each scrape. Call it once.
func (m *Metrics) WatchGateway(connected func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "briefbot_gateway_connected",
		Help: "1 while the Discord gateway session is ready, 0 otherwise.",
	}, func() float64 {
		if connected() {
			return 1
		}
		return 0
	}))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

var (
	documentsDesc = prometheus.NewDesc("briefbot_index_documents", "Documents in the index being served.", nil, nil)
	passagesDesc  = prometheus.NewDesc("briefbot_index_passages", "Passages in the index being served.", nil, nil)
	infoDesc      = prometheus.NewDesc("briefbot_index_info", "1, labelled with the version (content hash) of the index being served.", []string{"version"}, nil)
)

// indexCollector reads the three index metrics from one Info, so that a
// scrape during a swap does not mix two indexes; the version is a label,
// which a GaugeFunc cannot set.
type indexCollector struct{ info func() briefbot.IndexInfo }

func (c indexCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- documentsDesc
	ch <- passagesDesc
	ch <- infoDesc
}

func (c indexCollector) Collect(ch chan<- prometheus.Metric) {
	info := c.info()
	ch <- prometheus.MustNewConstMetric(documentsDesc, prometheus.GaugeValue, float64(info.Documents))
	ch <- prometheus.MustNewConstMetric(passagesDesc, prometheus.GaugeValue, float64(info.Passages))
	// A closed index has no version: no info series rather than an empty label.
	if info.Version != "" {
		ch <- prometheus.MustNewConstMetric(infoDesc, prometheus.GaugeValue, 1, info.Version)
	}
}

// The registry is the bot's and the library's observer, and the model
// client's.
var (
	_ briefbot.Observer      = (*Metrics)(nil)
	_ briefbot.ModelObserver = (*Metrics)(nil)
)
