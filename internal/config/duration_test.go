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
