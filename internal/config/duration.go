package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written as a Go duration string ("20s",
// "1m30s", "500ms") in the file, or with whole days in front ("30d",
// "1d12h"): retention periods are thought of in days, and "720h" hides
// that it means a month.
type Duration time.Duration

// Duration returns d as a time.Duration.
func (d Duration) Duration() time.Duration { return time.Duration(d) }

// String writes a whole number of days as "30d", which reads as what was
// meant; anything else is time.Duration's form. Both parse back.
func (d Duration) String() string {
	if d > 0 && time.Duration(d)%day == 0 {
		return strconv.FormatInt(int64(time.Duration(d)/day), 10) + "d"
	}
	return time.Duration(d).String()
}

const day = 24 * time.Hour

// UnmarshalYAML reports a bad value as a *yaml.TypeError carrying the
// node's line and column, so that the key can be named; any other error
// type would make yaml.v3 stop at the first problem.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return durationError(n, "expected a duration such as \"20s\", got "+describeNode(n))
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		return durationError(n, err.Error())
	}
	*d = Duration(v)
	return nil
}

func durationError(n *yaml.Node, problem string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: %s", n.Line, n.Column, problem)}}
}

// MarshalYAML writes d in the form UnmarshalYAML reads.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalText lets JSON and slog's JSON handler show d as "20s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := parseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseDuration reads a duration the way the configuration file does: a Go
// duration ("20s", "1m30s"), optionally preceded by whole days ("7d",
// "1d12h"). A bare number is refused, since its unit would be a guess.
// Commands that take a duration on the command line use it too, so that
// "7d" means the same everywhere.
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s) }

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	v, err := time.ParseDuration(s)
	if err == nil {
		return v, nil
	}
	if v, ok, err := parseDays(s); ok {
		return v, err
	}
	if s != "" && strings.Trim(s, "0123456789.") == "" {
		// A bare number is ambiguous (seconds? milliseconds?), so it is
		// refused rather than guessed.
		return 0, fmt.Errorf("expected a duration with a unit, got the number %s (write %q for seconds)", quoteValue(s), s+"s")
	}
	return 0, fmt.Errorf("expected a duration such as \"20s\", \"1m30s\", \"500ms\" or \"30d\", got %s", quoteValue(s))
}

// parseDays reads "Nd" followed by an optional Go duration ("30d",
// "1d12h"). ok is false when s does not start with whole days, so that the
// caller's general message applies; time.ParseDuration has no day unit
// because days are not always 24 hours, but for retention and "since" an
// approximate day is what people mean.
func parseDays(s string) (d time.Duration, ok bool, err error) {
	i := strings.IndexByte(s, 'd')
	if i <= 0 || strings.Trim(s[:i], "0123456789") != "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n > math.MaxInt64/int64(day) {
		return 0, true, fmt.Errorf("expected a number of days up to %d, got %s", math.MaxInt64/int64(day), quoteValue(s))
	}
	d = time.Duration(n) * day
	rest := s[i+1:]
	if rest == "" {
		return d, true, nil
	}
	if rest[0] == '-' || rest[0] == '+' {
		return 0, true, fmt.Errorf("expected a duration such as \"30d\" or \"1d12h\", got %s", quoteValue(s))
	}
	r, err := time.ParseDuration(rest)
	if err != nil {
		return 0, true, fmt.Errorf("expected a duration such as \"30d\" or \"1d12h\", got %s", quoteValue(s))
	}
	if d > math.MaxInt64-r {
		return 0, true, fmt.Errorf("duration %s is too long", quoteValue(s))
	}
	return d + r, true, nil
}
