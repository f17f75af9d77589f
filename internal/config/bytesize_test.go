package config

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestByteSizeYAML(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{"s: 25MB", 25 << 20, ""},
		{"s: 25MiB", 25 << 20, ""},
		{"s: 25mb", 25 << 20, ""},
		{"s: 25M", 25 << 20, ""},
		{"s: 512 KB", 512 << 10, ""},
		{"s: 512KiB", 512 << 10, ""},
		{"s: 1GB", 1 << 30, ""},
		{"s: 26214400", 26214400, ""},
		{`s: "1000"`, 1000, ""},
		{"s: 1000B", 1000, ""},
		{"s: 0", 0, ""},
		{"s: 1.5MB", 0, `expected a size such as "25MB"`},
		{"s: -5", 0, `got "-5"`},
		{"s: MB", 0, `got "MB"`},
		{"s: 25 TB", 0, `got "25 TB"`},
		{"s: 99999999999GB", 0, "too large"},
		{"s: 99999999999999999999", 0, "too large"},
		{"s: [1]", 0, "got a list"},
	}
	for _, tt := range tests {
		var v struct{ S ByteSize }
		err := yaml.Unmarshal([]byte(tt.in), &v)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "line 1: column 4:") {
				t.Errorf("%q: err = %v, want line 1 column 4", tt.in, err)
			}
			continue
		}
		if err != nil || v.S.Bytes() != tt.want {
			t.Errorf("%q: got %d, %v; want %d", tt.in, v.S, err, tt.want)
		}
	}
}

// String writes the largest whole unit, and what it writes reads back.
func TestByteSizeString(t *testing.T) {
	for n, want := range map[ByteSize]string{
		25 << 20: "25MB", 1 << 30: "1GB", 3 << 30: "3GB", 1536 << 10: "1536KB", 1000: "1000", 0: "0", 1024: "1KB",
	} {
		if got := n.String(); got != want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(n), got, want)
		}
		out, err := yaml.Marshal(struct{ S ByteSize }{n})
		if err != nil {
			t.Fatal(err)
		}
		var back struct{ S ByteSize }
		if err := yaml.Unmarshal(out, &back); err != nil || back.S != n {
			t.Errorf("%d: round trip through %q gave %d, %v", int64(n), out, int64(back.S), err)
		}
		text, _ := n.MarshalText()
		var fromText ByteSize
		if err := fromText.UnmarshalText(text); err != nil || fromText != n {
			t.Errorf("%d: text round trip through %q gave %d, %v", int64(n), text, int64(fromText), err)
		}
	}
}
