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

func TestSharedBesideTheModuleRoot(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "proj")
	sub := filepath.Join(mod, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	if _, err := Shared("specs", "discord", "openapi.json"); err == nil || !strings.Contains(err.Error(), "openapi.json") {
		t.Fatalf("without shared/: %v, want a not-found error naming the file", err)
	}
	specDir := filepath.Join(dir, "shared", "specs", "discord")
	if err := os.MkdirAll(specDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(specDir, "openapi.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Shared("specs", "discord", "openapi.json")
	if err != nil || got != filepath.Join(specDir, "openapi.json") {
		t.Fatalf("Shared = %q, %v", got, err)
	}
}
