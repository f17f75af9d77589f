package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeRenderings are the renderings shown in the README, by name of
// their golden file in testdata/render (written by TestRenderGolden).
var readmeRenderings = []string{"ask_private", "refusal_private", "followup_thread", "shared"}

var readmeBlock = regexp.MustCompile("(?s)(<!-- render:([a-z_]+) -->\n```text\n)(.*?)(```\n<!-- /render -->)")

// TestREADMERenderings keeps the README's pictures of what a user sees in
// step with what the bot renders: each block is its golden file, byte for
// byte (go test ./bot -run 'TestRenderGolden|TestREADMERenderings' -update
// rewrites both).
func TestREADMERenderings(t *testing.T) {
	path := filepath.Join("..", "README.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	found := map[string]bool{}
	out := readmeBlock.ReplaceAllStringFunc(readme, func(block string) string {
		m := readmeBlock.FindStringSubmatch(block)
		name := m[2]
		found[name] = true
		golden, err := os.ReadFile(filepath.Join("testdata", "render", name+".txt"))
		if err != nil {
			t.Errorf("README shows %q, which has no rendering: %v", name, err)
			return block
		}
		if !*update && m[3] != string(golden) {
			t.Errorf("README's %q rendering is out of date (run with -update):\n--- README\n%s--- renders\n%s", name, m[3], golden)
		}
		return m[1] + string(golden) + m[4]
	})
	for _, name := range readmeRenderings {
		if !found[name] {
			t.Errorf("README lacks the %q rendering (a block <!-- render:%s --> ```text … ``` <!-- /render -->)", name, name)
		}
	}
	if *update && out != readme {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Count(readme, "<!-- render:") != len(found) {
		t.Error("a README render block is malformed")
	}
}
