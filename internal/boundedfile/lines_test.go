package boundedfile

import (
	"reflect"
	"strings"
	"testing"
)

func TestReadLines(t *testing.T) {
	long := strings.Repeat("y", 70<<10) // over bufio's buffer, under max
	tests := []struct {
		name string
		in   string
		max  int
		want []string
		long int
	}{
		{"empty", "", 10, nil, 0},
		{"no final newline", "a\nb", 10, []string{"a", "b"}, 0},
		{"final newline", "a\nb\n", 10, []string{"a", "b"}, 0},
		{"blank lines", "\n\na\n", 10, []string{"", "", "a"}, 0},
		{"crlf", "a\r\nb\r\n", 10, []string{"a", "b"}, 0},
		{"at the limit", "0123456789\nx", 10, []string{"0123456789", "x"}, 0},
		{"over the limit", "0123456789A\nx\n", 10, []string{"x"}, 1},
		{"over the limit at the end", "x\n0123456789A", 10, []string{"x"}, 1},
		{"longer than the reader's buffer", long + "\nz", 80 << 10, []string{long, "z"}, 0},
		{"far over the limit", strings.Repeat("z", 200<<10) + "\nok", 10, []string{"ok"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			n := 0
			err := ReadLines(strings.NewReader(tt.in), tt.max, func(b []byte) error { got = append(got, string(b)); return nil }, func() { n++ })
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) || n != tt.long {
				t.Errorf("lines %q and %d too long; want %q and %d", got, n, tt.want, tt.long)
			}
		})
	}
}
