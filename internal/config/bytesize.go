package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ByteSize is a number of bytes written as a whole number ("26214400") or
// with a unit: "25MB", "25MiB", "512 KB", "1GB". KB, MB and GB are binary
// (1024, 1024², 1024³), the same as KiB, MiB and GiB: that is what upload
// limits mean in practice, and it keeps "25MB" and the 25 MB printed in
// refusals the same number.
type ByteSize int64

// Bytes returns s as an int64.
func (s ByteSize) Bytes() int64 { return int64(s) }

var byteUnits = []struct {
	names []string
	size  int64
}{
	{[]string{"gb", "gib", "g"}, 1 << 30},
	{[]string{"mb", "mib", "m"}, 1 << 20},
	{[]string{"kb", "kib", "k"}, 1 << 10},
	{[]string{"b", ""}, 1},
}

// String writes s in the largest unit that divides it ("25MB"), or as a
// bare number of bytes; both parse back to s.
func (s ByteSize) String() string {
	n := int64(s)
	for _, u := range byteUnits[:3] {
		if n != 0 && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + strings.ToUpper(u.names[0])
		}
	}
	return strconv.FormatInt(n, 10)
}

// UnmarshalYAML reports a bad value as a *yaml.TypeError carrying the
// node's line and column, like Duration, so that the key is named.
func (s *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return durationError(n, "expected a size such as \"25MB\", got "+describeNode(n))
	}
	v, err := parseByteSize(n.Value)
	if err != nil {
		return durationError(n, err.Error())
	}
	*s = ByteSize(v)
	return nil
}

// MarshalYAML writes s in the form UnmarshalYAML reads.
func (s ByteSize) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalText lets JSON and slog show s as "25MB".
func (s ByteSize) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what String writes, and the other spellings.
func (s *ByteSize) UnmarshalText(b []byte) error {
	v, err := parseByteSize(string(b))
	if err != nil {
		return err
	}
	*s = ByteSize(v)
	return nil
}

// ParseByteSize reads a size the way the configuration file does.
func ParseByteSize(s string) (int64, error) { return parseByteSize(s) }

func parseByteSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	bad := fmt.Errorf("expected a size such as \"25MB\", \"512KB\" or a number of bytes, got %s", quoteValue(s))
	if num == "" {
		return 0, bad
	}
	for _, u := range byteUnits {
		for _, name := range u.names {
			if unit != name {
				continue
			}
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil || n > math.MaxInt64/u.size {
				return 0, fmt.Errorf("size %s is too large", quoteValue(s))
			}
			return n * u.size, nil
		}
	}
	return 0, bad
}
