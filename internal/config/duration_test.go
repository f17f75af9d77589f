package config

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestDurationYAML(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"d: 20s", 20 * time.Second, ""},
		{"d: 1m30s", 90 * time.Second, ""},
		{"d: 500ms", 500 * time.Millisecond, ""},
		{`d: " 2h "`, 2 * time.Hour, ""},
		{"d: 0", 0, ""},
		{"d: 30d", 30 * 24 * time.Hour, ""},
		{"d: 1d12h", 36 * time.Hour, ""},
		{"d: 0d", 0, ""},
		{"d: 7d30m", 7*24*time.Hour + 30*time.Minute, ""},
		{"d: 1.5d", 0, `"30d"`},
		{"d: 2days", 0, `"1d12h"`},
		{"d: 1d-1h", 0, `"1d12h"`},
		{"d: 106752d", 0, "up to 106751"},
		{"d: 106751d24h", 0, "too long"},
		{"d: 20", 0, `write "20s" for seconds`},
		{"d: 1.5", 0, `write "1.5s" for seconds`},
		{"d: soon", 0, `got "soon"`},
		{"d: [1s]", 0, "got a list"},
		{"d: {a: 1}", 0, "got a mapping"},
	}
	for _, tt := range tests {
		var v struct{ D Duration }
		err := yaml.Unmarshal([]byte(tt.in), &v)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			// The line and column let the caller name the key.
			if err != nil && !strings.Contains(err.Error(), "line 1: column 4:") {
				t.Errorf("%q: err = %v, want line 1 column 4", tt.in, err)
			}
			continue
		}
		if err != nil || v.D.Duration() != tt.want {
			t.Errorf("%q: got %v, %v; want %v", tt.in, v.D, err, tt.want)
		}
	}
}

// Whole days are written as days, so that String() shows "30d" as it was
// configured, and every form parses back to the same value.
func TestDurationString(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{30 * 24 * time.Hour, "30d"},
		{24 * time.Hour, "1d"},
		{36 * time.Hour, "36h0m0s"},
		{90 * time.Second, "1m30s"},
		{0, "0s"},
		{-48 * time.Hour, "-48h0m0s"},
	}
	for _, tt := range tests {
		got := Duration(tt.d).String()
		if got != tt.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tt.d, got, tt.want)
		}
		back, err := ParseDuration(got)
		if err != nil || back != tt.d {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", got, back, err, tt.d)
		}
	}
}

func TestDurationMarshal(t *testing.T) {
	d := Duration(90 * time.Second)
	b, err := yaml.Marshal(struct{ D Duration }{d})
	if err != nil || string(b) != "d: 1m30s\n" {
		t.Errorf("yaml = %q, %v", b, err)
	}
	j, err := json.Marshal(struct{ D Duration }{d})
	if err != nil || string(j) != `{"D":"1m30s"}` {
		t.Errorf("json = %s, %v", j, err)
	}
	var back struct{ D Duration }
	if err := json.Unmarshal(j, &back); err != nil || back.D != d {
		t.Errorf("json round trip = %v, %v", back.D, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"5"}`), &back); err == nil {
		t.Errorf("json accepted a duration without a unit")
	}
}
