package projectdir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRootHoldsGoMod(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("Root() = %s without go.mod: %v", root, err)
	}
	wd, _ := os.Getwd()
	if !strings.HasPrefix(wd, root) {
		t.Errorf("Root() = %s is not above the working directory %s", root, wd)
	}
}

func TestSharedMissingSaysWhere(t *testing.T) {
	_, err := Shared("no-such-folder-here")
	if err == nil || !strings.Contains(err.Error(), filepath.Join("shared", "no-such-folder-here")) {
		t.Errorf("err = %v, want it to name the missing path", err)
	}
}

func TestRootOutsideAModule(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := Root(); err != ErrNoModule {
		t.Errorf("err = %v, want ErrNoModule", err)
	}
}
