package discordfake

import (
	"testing"
	"unicode/utf8"
)

// FuzzCheckMessage feeds arbitrary JSON to the schema validator and the
// hand-written message rules: they must not panic, and whatever they accept
// must respect the limits computed independently from the typed embeds.
func FuzzCheckMessage(f *testing.F) {
	path, err := findSpec()
	if err != nil {
		f.Skipf("Discord OpenAPI spec unavailable: %v", err)
	}
	sp, err := loadSpec(path)
	if err != nil {
		f.Fatal(err)
	}
	p, _ := sp.match("/channels/1/messages")
	schema := p.ops["POST"].jsonSchema
	f.Add([]byte(`{"content":"hi","allowed_mentions":{"parse":[]}}`))
	f.Add([]byte(`{"embeds":[{"title":"t","description":"d","fields":[{"name":"n","value":"v"}],"footer":{"text":"f"},"author":{"name":"a"}}],"allowed_mentions":{"parse":["users"]}}`))
	f.Add([]byte(`{"components":[{"type":1,"components":[{"type":2,"style":1,"custom_id":"x","label":"l"}]}],"allowed_mentions":{"parse":null}}`))
	f.Add([]byte(`[1,{"a":[null,true,1e400]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeJSON(data)
		if err != nil {
			return
		}
		specErrs := sp.validateSchema(schema, v, nil)
		ruleErrs := checkMessage(v, nil, messageCheck{requireAllowedMentions: true, create: true})
		_ = discordErrors(append(specErrs, ruleErrs...))
		if len(specErrs)+len(ruleErrs) > 0 {
			return
		}
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("accepted a non-object body: %s", data)
		}
		var msg Message
		if err := applyMessageBody(&msg, m, false); err != nil {
			t.Fatalf("accepted body does not apply: %v: %s", err, data)
		}
		if n := utf8.RuneCountInString(msg.Content); n > MaxContentLength {
			t.Fatalf("accepted content of %d characters", n)
		}
		if len(msg.Embeds) > MaxEmbeds {
			t.Fatalf("accepted %d embeds", len(msg.Embeds))
		}
		total := 0
		for _, e := range msg.Embeds {
			total += utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description) +
				utf8.RuneCountInString(e.Footer.Text) + utf8.RuneCountInString(e.Author.Name)
			for _, fl := range e.Fields {
				total += utf8.RuneCountInString(fl.Name) + utf8.RuneCountInString(fl.Value)
			}
		}
		if total > MaxEmbedTotal {
			t.Fatalf("accepted embeds totalling %d characters", total)
		}
		if msg.AllowedMentions == nil || msg.AllowedMentions.Parse == nil {
			t.Fatalf("accepted a body without allowed_mentions.parse: %s", data)
		}
	})
}
