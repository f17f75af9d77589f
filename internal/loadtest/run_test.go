package loadtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var ds []time.Duration
		for _, n := range ns {
			ds = append(ds, time.Duration(n)*time.Millisecond)
		}
		return ds
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100..1, unsorted
	}
	for _, c := range []struct {
		name          string
		in            []time.Duration
		p50, p99, max float64
	}{
		{"none", nil, 0, 0, 0},
		{"one", ms(7), 7, 7, 7},
		{"1 to 100", ms(hundred...), 50, 99, 100},
	} {
		p50, p99, mx := percentiles(c.in)
		if p50 != c.p50 || p99 != c.p99 || mx != c.max {
			t.Errorf("%s: %v %v %v, want %v %v %v", c.name, p50, p99, mx, c.p50, c.p99, c.max)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		body, kind string
	}{
		{`{"embeds":[{"description":"Article 9 calls for…","fields":[{"name":"Sources"}]}]}`, ""},
		{`{"content":"Not in the indexed documents: …","flags":64}`, "refused"},
		{`{"embeds":[{"description":"Sorry, the answer took too long."}]}`, "answer: not an answer"},
		{`not json`, "answer: not an answer"},
	} {
		if kind, _ := classify([]byte(c.body)); kind != c.kind {
			t.Errorf("%s: kind %q, want %q", c.body, kind, c.kind)
		}
	}
}

// TestRunAgainstAnEndpoint drives a tiny endpoint that verifies the
// signature, defers, and answers through the stand-in REST API: every
// interaction is counted, answers and failures apart.
func TestRunAgainstAnEndpoint(t *testing.T) {
	d, err := NewDiscord()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pub, _ := hex.DecodeString(d.PublicKeyHex())
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sig, _ := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
		if !ed25519.Verify(pub, append([]byte(r.Header.Get("X-Signature-Timestamp")), body...), sig) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var in struct {
			Token string `json:"token"`
			Data  struct {
				Options []struct {
					Value any `json:"value"`
				} `json:"options"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &in)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"type":5}`))
		go func() {
			answer := `{"embeds":[{"fields":[{"name":"Sources"}]}]}`
			if in.Data.Options[0].Value == "fails" {
				answer = `{"content":"Sorry, I could not answer that right now."}`
			}
			req, _ := http.NewRequest(http.MethodPatch, d.URL()+"/api/v10/webhooks/"+ApplicationID+"/"+in.Token+"/messages/@original", bytes.NewReader([]byte(answer)))
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}()
	}))
	defer endpoint.Close()
	rep, err := d.Run(context.Background(), Config{Endpoint: endpoint.URL, Rate: 100, Duration: 300 * time.Millisecond,
		Questions: []string{"works", "works", "fails"}, AnswerTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 30 || rep.Acked != 30 || rep.Answered != 20 || rep.Errors != 10 || rep.ErrorKinds["answer: not an answer"] != 10 || rep.Unexpected != 0 {
		t.Errorf("report = %+v", rep)
	}
	if rep.AckP99MS <= 0 || rep.AnswerP50 <= 0 || rep.AnswerMax < rep.AnswerP99 {
		t.Errorf("latencies: ack p99 %v, answer p50 %v p99 %v max %v", rep.AckP99MS, rep.AnswerP50, rep.AnswerP99, rep.AnswerMax)
	}
}
