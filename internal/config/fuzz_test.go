package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every problem it reports
// is a *KeyError, that a secret set in the input never appears in an error,
// and that an accepted configuration survives String() and Parse again.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		"llm:\n  temprature: 0.3\n",
		"retrieval: {k: five}\n",
		"discord: {token: abcdefgh, cooldown: abcdefgh, api_base: 'https://discord.com/?q'}\n",
		"discord:\n  guild_ids: [1, x, '']\n",
		"a: &x {b: *x}\n",
		"<<: {llm: {model: m}}\n",
		"llm: !!binary aGVsbG8=\n",
		"- [\n",
		"corpus: {urls: ['http://a.example/x?token=abcdefgh'], max_document_bytes: 25MiB, refresh: 7d}\n",
		"corpus: {urls: [http://10.0.0.1/, http://10.0.0.1/], allow_private_urls: true, max_document_bytes: 1023}\n",
	}
	if ex, err := os.ReadFile(filepath.Join("..", "..", "config.example.yaml")); err == nil {
		seeds = append(seeds, string(ex))
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cfg, err := Parse([]byte(in), "fuzz.yaml")
		if err != nil {
			kes := keyErrors(t, err)
			if len(kes) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			_, idx, _ := decode([]byte(in))
			for _, ke := range kes {
				// Masks are cut out first: "[REDACTED]" itself contains
				// short strings such as "EDAC".
				text := strings.ReplaceAll(ke.Key+"\n"+ke.Problem, Mask, "\x00")
				for _, sec := range idx.secrets {
					if len(sec) >= minSecretLen && !strings.Contains(sec, "\x00") && strings.Contains(text, sec) {
						t.Fatalf("problem contains secret %q:\n%v", sec, ke)
					}
				}
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate rejects: %v", err)
		}
		if len(cfg.Secrets()) > 0 {
			return // String() masks them, so it cannot round-trip
		}
		back, err := Parse([]byte(cfg.String()), "string")
		if err != nil {
			t.Fatalf("Parse(String()) failed: %v\n%s", err, cfg)
		}
		if !reflect.DeepEqual(back, cfg) {
			t.Fatalf("round trip changed the config:\n%#v\n%#v", cfg, back)
		}
	})
}
