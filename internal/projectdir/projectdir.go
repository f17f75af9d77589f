// Package projectdir locates the module root and the read-only ../shared
// folder beside it (evaluation collections, API specifications, the seed
// brief), so that every test finds them the same way wherever it runs.
package projectdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNoModule is returned when no go.mod is found above the directory.
var ErrNoModule = errors.New("no go.mod above the working directory")

// Root returns the nearest directory holding go.mod at or above the
// working directory.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoModule
		}
		dir = parent
	}
}

// Shared returns the path of rel inside ../shared beside the module root,
// and an error saying where it looked when that path does not exist (a
// user's own clone has no ../shared; tests then skip).
func Shared(rel ...string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	p := filepath.Join(append([]string{root, "..", "shared"}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s not found beside the module root: %w", filepath.Clean(p), err)
	}
	return filepath.Clean(p), nil
}
