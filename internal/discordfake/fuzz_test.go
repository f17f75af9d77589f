package discordfake

import (
	"encoding/json"
	"slices"
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

func fuzzSpec(f *testing.F) *apiSpec {
	path, err := findSpec()
	if err != nil {
		f.Skipf("Discord OpenAPI spec unavailable: %v", err)
	}
	sp, err := loadSpec(path)
	if err != nil {
		f.Fatal(err)
	}
	return sp
}

// FuzzThreadBody: whatever the spec accepts as a thread-creation body must
// give a thread Discord could have made: a name of 1 to 100 characters, an
// offered archive duration and a slowmode in range.
func FuzzThreadBody(f *testing.F) {
	sp := fuzzSpec(f)
	p, _ := sp.match("/channels/1/messages/2/threads")
	schema := p.ops["POST"].jsonSchema
	f.Add([]byte(`{"name":"Follow-up"}`))
	f.Add([]byte(`{"name":"x","auto_archive_duration":10080,"rate_limit_per_user":21600,"invitable":false}`))
	f.Add([]byte(`{"name":"x","auto_archive_duration":null,"rate_limit_per_user":null}`))
	f.Add([]byte(`{"name":"","auto_archive_duration":30}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeJSON(data)
		if err != nil || len(sp.validateSchema(schema, v, nil)) > 0 {
			return
		}
		body, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("accepted a non-object body: %s", data)
		}
		name, archive, slowmode := threadParams(body)
		if n := utf8.RuneCountInString(name); n < 1 || n > MaxThreadName {
			t.Fatalf("accepted a name of %d characters: %s", n, data)
		}
		if !slices.Contains([]int{60, 1440, 4320, 10080}, archive) {
			t.Fatalf("accepted auto_archive_duration %d: %s", archive, data)
		}
		if slowmode < 0 || slowmode > 21600 {
			t.Fatalf("accepted rate_limit_per_user %d: %s", slowmode, data)
		}
	})
}

// FuzzModalCallback feeds arbitrary callback bodies through the checks of
// the callback route. A modal they accept must store (the fake answers
// 50035 otherwise, never a half-read modal), get unique ids, and a submit
// built from it must not panic and must send every top-level component
// back with the id it was given.
func FuzzModalCallback(f *testing.F) {
	sp := fuzzSpec(f)
	p, _ := sp.match("/interactions/1/tok/callback")
	schema := p.ops["POST"].jsonSchema
	f.Add([]byte(`{"type":9,"data":{"custom_id":"m","title":"T","components":[{"type":1,"components":[{"type":4,"custom_id":"q","label":"Q","style":1}]}]}}`))
	f.Add([]byte(`{"type":9,"data":{"custom_id":"m","title":"T","components":[{"type":18,"label":"Pick","component":{"type":3,"custom_id":"p","options":[{"label":"A","value":"a"}],"min_values":0,"required":false}},{"type":18,"id":3,"label":"Why","description":"d","component":{"type":4,"custom_id":"w","style":2,"max_length":10}},{"type":10,"content":"hi"}]}}`))
	f.Add([]byte(`{"type":9,"data":{"custom_id":"m","title":"T","components":[{"type":18,"id":1.0,"label":"L","component":{"type":4,"id":1,"custom_id":"x","style":1}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeJSON(data)
		if err != nil {
			return
		}
		body, _ := v.(map[string]any)
		if body == nil || jsonEqual(body["type"], json.Number("9")) == false {
			return
		}
		dm, _ := body["data"].(map[string]any)
		if len(sp.validateSchema(schema, v, nil))+len(checkComponents(dm["components"], []string{"data", "components"})) > 0 {
			return
		}
		var md Modal
		if err := remarshal(dm, &md); err != nil {
			return // answered 50035 BASE_TYPE_BAD_TYPE
		}
		assignComponentIDs(md.Components)
		seen := map[int]bool{}
		eachComponent(md.Components, func(c *Component) {
			if c.ID <= 0 || seen[c.ID] {
				t.Fatalf("id %d given twice or not at all: %s", c.ID, data)
			}
			seen[c.ID] = true
		})
		// Fill in everything: "x" in text inputs, the first option in selects.
		values, selections := map[string]string{}, map[string][]string{}
		eachComponent(md.Components, func(c *Component) {
			switch {
			case c.Type == componentTypeTextInput:
				values[c.CustomID] = "x"
			case c.Type == componentTypeStringSelect && len(c.Options) > 0:
				selections[c.CustomID] = []string{c.Options[0].Value}
			}
		})
		sub, err := modalSubmitData(&md, values, selections)
		if err != nil {
			return // a limit the filler broke, or a child Interact cannot fill
		}
		comps, _ := sub["components"].([]any)
		if len(comps) != len(md.Components) {
			t.Fatalf("submit has %d components, modal %d: %s", len(comps), len(md.Components), data)
		}
		for i, c := range comps {
			if id := c.(map[string]any)["id"]; id != md.Components[i].ID {
				t.Fatalf("component %d submitted with id %v, shown with %d", i, id, md.Components[i].ID)
			}
		}
		_ = mustJSON(sub)
	})
}
