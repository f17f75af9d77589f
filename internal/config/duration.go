package config

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written as a Go duration string ("20s",
// "1m30s", "500ms") in the file.
type Duration time.Duration

// Duration returns d as a time.Duration.
func (d Duration) Duration() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

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

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	v, err := time.ParseDuration(s)
	if err == nil {
		return v, nil
	}
	if s != "" && strings.Trim(s, "0123456789.") == "" {
		// A bare number is ambiguous (seconds? milliseconds?), so it is
		// refused rather than guessed.
		return 0, fmt.Errorf("expected a duration with a unit, got the number %s (write %q for seconds)", quoteValue(s), s+"s")
	}
	return 0, fmt.Errorf("expected a duration such as \"20s\", \"1m30s\" or \"500ms\", got %s", quoteValue(s))
}
