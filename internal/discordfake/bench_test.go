package discordfake

import (
	"os"
	"testing"
)

func benchSpec(b *testing.B) *apiSpec {
	path, err := findSpec()
	if err != nil {
		b.Skipf("Discord OpenAPI spec unavailable: %v", err)
	}
	sp, err := loadSpec(path)
	if err != nil {
		b.Fatal(err)
	}
	return sp
}

// BenchmarkParseSpec measures the one-time cost every test binary pays.
func BenchmarkParseSpec(b *testing.B) {
	path, err := findSpec()
	if err != nil {
		b.Skip(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := parseSpec(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateCallback validates a typical answer: a type-4 callback
// with content, two embeds with fields, and a button row.
func BenchmarkValidateCallback(b *testing.B) {
	sp := benchSpec(b)
	p, _ := sp.match("/interactions/1/tok/callback")
	schema := p.ops["POST"].jsonSchema
	body := []byte(`{"type":4,"data":{"content":"The brief says X [1].","allowed_mentions":{"parse":[]},"flags":64,
		"embeds":[{"title":"Answer","description":"Long text [1][2]","fields":[{"name":"[1]","value":"brief.txt §2"},{"name":"[2]","value":"notes.md"}],"footer":{"text":"briefbot"}},
		{"title":"More","description":"..."}],
		"components":[{"type":1,"components":[{"type":2,"style":1,"label":"More","custom_id":"more:1"},{"type":2,"style":2,"label":"Sources","custom_id":"src:1"}]}]}}`)
	for b.Loop() {
		v, err := decodeJSON(body)
		if err != nil {
			b.Fatal(err)
		}
		if errs := sp.validateSchema(schema, v, nil); len(errs) > 0 {
			b.Fatal(errs)
		}
		m := v.(map[string]any)
		if errs := checkMessage(m["data"], []string{"data"}, messageCheck{requireAllowedMentions: true, create: true}); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
