package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/briefbot/briefbot"
)

type fakeIndex briefbot.IndexInfo

func (f fakeIndex) Info() briefbot.IndexInfo { return briefbot.IndexInfo(f) }

type fakeGateway bool

func (f fakeGateway) Serving() bool { return bool(f) }

// TestHealthAndReadiness: /healthz is 200 whenever the process answers;
// /readyz is 200 only with the index open and the gateway connected, and
// both keep the {"ready","index"} body.
func TestHealthAndReadiness(t *testing.T) {
	open := fakeIndex{Version: "v1", Documents: 2, Passages: 9}
	cases := []struct {
		name      string
		index     fakeIndex
		connected bool
		ready     bool
	}{
		{"ready", open, true, true},
		{"gateway down", open, false, false},
		{"index closed", fakeIndex{}, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mux := healthMux(c.index, fakeGateway(c.connected), nil)
			for path, want := range map[string]int{"/healthz": 200, "/readyz": map[bool]int{true: 200, false: 503}[c.ready]} {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				var body struct {
					Ready bool               `json:"ready"`
					Index briefbot.IndexInfo `json:"index"`
				}
				if err := json.NewDecoder(rec.Body).Decode(&body); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if rec.Code != want || body.Ready != c.ready || body.Index.Documents != c.index.Documents {
					t.Errorf("%s = %d %+v, want %d ready=%v", path, rec.Code, body, want, c.ready)
				}
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			if rec.Code != http.StatusNotFound {
				t.Errorf("/metrics without a registry = %d, want 404", rec.Code)
			}
		})
	}
}
