package discordfake

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestSchemaKeywords(t *testing.T) {
	sp, err := parseSpec([]byte(`{"paths":{"/x":{}},"components":{"schemas":{
		"Snowflake":{"type":"string","pattern":"^(0|[1-9][0-9]*)$"},
		"A":{"type":"object","properties":{"kind":{"type":"integer","const":1},"a":{"type":"string"}},"required":["kind"]},
		"B":{"type":"object","properties":{"kind":{"type":"integer","enum":[2]},"b":{"type":"integer","minimum":0,"maximum":10}},"required":["kind","b"]},
		"Root":{"type":"object","additionalProperties":false,"properties":{
			"name":{"type":["string","null"],"minLength":1,"maxLength":3},
			"id":{"$ref":"#/components/schemas/Snowflake"},
			"tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2,"uniqueItems":true},
			"one":{"oneOf":[{"$ref":"#/components/schemas/A"},{"$ref":"#/components/schemas/B"}]},
			"any":{"anyOf":[{"type":"integer"},{"type":"number","maximum":1.5}]},
			"all":{"allOf":[{"type":"integer"},{"minimum":3}]},
			"map":{"type":"object","additionalProperties":{"type":"boolean"},"maxProperties":1}
		}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	root := map[string]any{"$ref": "#/components/schemas/Root"}
	tests := []struct {
		name string
		body string
		want []string // error codes, in order
	}{
		{"valid", `{"name":"abc","id":"123","tags":["x"],"one":{"kind":2,"b":3},"any":7,"all":4,"map":{"k":true}}`, nil},
		{"null allowed by type array", `{"name":null}`, nil},
		{"too long", `{"name":"abcd"}`, []string{"BASE_TYPE_MAX_LENGTH"}},
		{"too short counts runes", `{"name":""}`, []string{"BASE_TYPE_MIN_LENGTH"}},
		{"multibyte within limit", `{"name":"héé"}`, nil},
		{"wrong type", `{"name":5}`, []string{"BASE_TYPE_STRING"}},
		{"snowflake pattern", `{"id":"12a"}`, []string{"STRING_TYPE_REGEX"}},
		{"snowflake as number", `{"id":123}`, []string{"BASE_TYPE_STRING"}},
		{"unknown field", `{"extra":1}`, []string{"BASE_TYPE_BAD_TYPE"}},
		{"array bounds", `{"tags":[]}`, []string{"BASE_TYPE_MIN_LENGTH"}},
		{"array max and unique", `{"tags":["a","a","b"]}`, []string{"BASE_TYPE_MAX_LENGTH", "BASE_TYPE_UNIQUE"}},
		{"oneOf picks the branch that got furthest", `{"one":{"kind":2,"b":11}}`, []string{"NUMBER_TYPE_MAX"}},
		{"oneOf required in matching branch", `{"one":{"kind":2}}`, []string{"BASE_TYPE_REQUIRED"}},
		{"anyOf number branch", `{"any":1.25}`, nil},
		{"anyOf none", `{"any":2.5}`, []string{"NUMBER_TYPE_MAX"}},
		{"allOf", `{"all":2}`, []string{"NUMBER_TYPE_MIN"}},
		{"integer rejects fraction", `{"all":3.5}`, []string{"NUMBER_TYPE_COERCE"}},
		{"additionalProperties schema", `{"map":{"k":1}}`, []string{"BASE_TYPE_BOOLEAN"}},
		{"maxProperties", `{"map":{"a":true,"b":true}}`, []string{"BASE_TYPE_MAX_LENGTH"}},
		{"big integers keep precision", `{"one":{"kind":1},"all":18014398509481985}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := decodeJSON([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range sp.validateSchema(root, v, nil) {
				got = append(got, e.Code)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("codes = %v, want %v", got, tc.want)
			}
		})
	}
}

// A union whose branches are tagged (like the callback types, or modal
// components) must report the branch whose tag matched even when a child
// deeper inside it has a wrong tag: that is the error Discord reports.
func TestUnionPrefersBranchWhoseTagMatched(t *testing.T) {
	sp, err := parseSpec([]byte(`{"paths":{"/x":{}},"components":{"schemas":{
		"Other":{"type":"object","properties":{"kind":{"const":4}},"required":["kind"]},
		"Leaf":{"type":"object","properties":{"kind":{"const":1}},"required":["kind"]},
		"Nest":{"type":"object","properties":{"kind":{"const":3},"items":{"type":"array","items":{"$ref":"#/components/schemas/Leaf"}}},"required":["kind"]},
		"Root":{"oneOf":[{"$ref":"#/components/schemas/Other"},{"$ref":"#/components/schemas/Nest"}]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	v, err := decodeJSON([]byte(`{"kind":3,"items":[{"kind":1},{"kind":9}]}`))
	if err != nil {
		t.Fatal(err)
	}
	errs := sp.validateSchema(map[string]any{"$ref": "#/components/schemas/Root"}, v, []string{"data"})
	if len(errs) != 1 || errs[0].String() != "data.items.1.kind: BASE_TYPE_CHOICES: Value must be 1." {
		t.Fatalf("errors = %v, want the wrong leaf inside the Nest branch", errs)
	}
}

func TestDiscordErrorShape(t *testing.T) {
	got := discordErrors([]fieldError{
		{[]string{"embeds", "0", "description"}, "BASE_TYPE_MAX_LENGTH", "Must be 4096 or fewer in length."},
		{[]string{"embeds"}, "MAX_EMBED_SIZE_EXCEEDED", "too big"},
	})
	want := `{"embeds":{"0":{"description":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 4096 or fewer in length."}]}},"_errors":[{"code":"MAX_EMBED_SIZE_EXCEEDED","message":"too big"}]}}`
	var a, b any
	_ = json.Unmarshal(mustJSON(got), &a)
	_ = json.Unmarshal([]byte(want), &b)
	if canonicalJSON(a) != canonicalJSON(b) {
		t.Fatalf("errors = %s\nwant %s", mustJSON(got), want)
	}
}

func embedsJSON(descs ...int) string {
	var parts []string
	for _, n := range descs {
		parts = append(parts, fmt.Sprintf(`{"description":%q}`, strings.Repeat("d", n)))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func fieldsJSON(n, valueLen int) string {
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, fmt.Sprintf(`{"name":"f%d","value":%q}`, i, strings.Repeat("v", valueLen)))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

const am = `"allowed_mentions":{"parse":[]}`

func TestMessageBodyRules(t *testing.T) {
	s := New(t, Options{AllowViolations: true, RateLimit: RateLimit{Limit: 1000}})
	tests := []struct {
		name     string
		body     string
		wantCode float64
		wantErr  string // field error code expected in the violation
	}{
		{"minimal", `{"content":"hi",` + am + `}`, 0, ""},
		{"allowed_mentions missing", `{"content":"hi"}`, 50035, "ALLOWED_MENTIONS_REQUIRED"},
		{"allowed_mentions null", `{"content":"hi","allowed_mentions":null}`, 50035, "ALLOWED_MENTIONS_REQUIRED"},
		{"parse null", `{"content":"hi","allowed_mentions":{"parse":null}}`, 50035, "ALLOWED_MENTIONS_REQUIRED"},
		{"parse missing", `{"content":"hi","allowed_mentions":{"users":[]}}`, 50035, "ALLOWED_MENTIONS_REQUIRED"},
		{"parse users", `{"content":"hi","allowed_mentions":{"parse":["users"]}}`, 0, ""},
		{"parse bad value", `{"content":"hi","allowed_mentions":{"parse":["all"]}}`, 50035, "BASE_TYPE_CHOICES"},
		{"content 2000", `{"content":"` + strings.Repeat("c", 2000) + `",` + am + `}`, 0, ""},
		{"content 2001", `{"content":"` + strings.Repeat("c", 2001) + `",` + am + `}`, 50035, "BASE_TYPE_MAX_LENGTH"},
		{"content counts characters not bytes", `{"content":"` + strings.Repeat("é", 2000) + `",` + am + `}`, 0, ""},
		{"embeds 6000 total ok", `{"embeds":` + embedsJSON(3000, 3000) + `,` + am + `}`, 0, ""},
		{"embeds 6001 total", `{"embeds":` + embedsJSON(3000, 3001) + `,` + am + `}`, 50035, "MAX_EMBED_SIZE_EXCEEDED"},
		{"description 4097", `{"embeds":` + embedsJSON(4097) + `,` + am + `}`, 50035, "BASE_TYPE_MAX_LENGTH"},
		{"11 embeds", `{"embeds":` + embedsJSON(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1) + `,` + am + `}`, 50035, "BASE_TYPE_MAX_LENGTH"},
		{"25 fields", `{"embeds":[{"fields":` + fieldsJSON(25, 10) + `}],` + am + `}`, 0, ""},
		{"26 fields", `{"embeds":[{"fields":` + fieldsJSON(26, 10) + `}],` + am + `}`, 50035, "BASE_TYPE_MAX_LENGTH"},
		{"field value 1025", `{"embeds":[{"fields":` + fieldsJSON(1, 1025) + `}],` + am + `}`, 50035, "BASE_TYPE_MAX_LENGTH"},
		{"title 257", `{"embeds":[{"title":"` + strings.Repeat("t", 257) + `"}],` + am + `}`, 50035, "BASE_TYPE_MAX_LENGTH"},
		{"fields count toward total", `{"embeds":[{"description":"` + strings.Repeat("d", 4000) + `","fields":` + fieldsJSON(2, 1000) + `}],` + am + `}`, 50035, "MAX_EMBED_SIZE_EXCEEDED"},
		{"footer and author count", `{"embeds":[{"description":"` + strings.Repeat("d", 4000) + `","footer":{"text":"` + strings.Repeat("f", 1000) + `"},"author":{"name":"` + strings.Repeat("a", 256) + `"},"title":"` + strings.Repeat("t", 256) + `","fields":` + fieldsJSON(1, 500) + `}],` + am + `}`, 50035, "MAX_EMBED_SIZE_EXCEEDED"},
		{"color out of range", `{"embeds":[{"color":16777216}],` + am + `}`, 50035, "NUMBER_TYPE_MAX"},
		{"custom_id 100", `{"components":[{"type":1,"components":[{"type":2,"style":1,"label":"x","custom_id":"` + strings.Repeat("i", 100) + `"}]}],` + am + `}`, 0, ""},
		{"custom_id 101", `{"components":[{"type":1,"components":[{"type":2,"style":1,"label":"x","custom_id":"` + strings.Repeat("i", 101) + `"}]}],` + am + `}`, 50035, "BASE_TYPE_MAX_LENGTH"},
		{"button style invalid", `{"components":[{"type":1,"components":[{"type":2,"style":9,"label":"x","custom_id":"a"}]}],` + am + `}`, 50035, "BASE_TYPE_CHOICES"},
		{"reply to unknown message", `{"content":"hi",` + am + `,"message_reference":{"message_id":"12345"}}`, 50035, "MESSAGE_REFERENCE_UNKNOWN_MESSAGE"},
		{"empty", `{` + am + `}`, 50006, ""},
		{"invalid json", `{"content":`, 50109, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "POST", "/channels/"+s.ChannelID+"/messages", tc.body, true)
			vs := s.TakeViolations()
			if tc.wantCode == 0 {
				if r.status != 200 || len(vs) != 0 {
					t.Fatalf("status %d, violations %v; want 200 and none", r.status, vs)
				}
				return
			}
			if r.status != 400 || r.body["code"] != tc.wantCode {
				t.Fatalf("answer = %d %v, want 400 code %v", r.status, r.body, tc.wantCode)
			}
			if len(vs) != 1 {
				t.Fatalf("violations = %v, want one", vs)
			}
			if tc.wantErr != "" && !vs[0].Has(tc.wantErr) {
				t.Fatalf("violation %v lacks %s", vs[0], tc.wantErr)
			}
			if tc.wantCode == 50035 {
				if _, ok := r.body["errors"].(map[string]any); !ok {
					t.Errorf("50035 without errors object: %v", r.body)
				}
			}
		})
	}
}

func commandJSON(name, desc string, extra string) string {
	return fmt.Sprintf(`{"name":%q,"description":%q%s}`, name, desc, extra)
}

func TestCommandRules(t *testing.T) {
	s := New(t, Options{AllowViolations: true, RateLimit: RateLimit{Limit: 1000}})
	longChoices := func(n, valueLen int) string {
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, fmt.Sprintf(`{"name":"c%02d","value":%q}`, i, strings.Repeat("v", valueLen)))
		}
		return `,"options":[{"type":3,"name":"q","description":"d","choices":[` + strings.Join(parts, ",") + `]}]`
	}
	tests := []struct {
		name    string
		body    string
		wantErr string // "" = accepted
	}{
		{"valid", `[` + commandJSON("ask", "Ask a question", `,"default_member_permissions":"8"`) + `]`, ""},
		{"unicode name", `[` + commandJSON("frage-ü_2", "Eine Frage", "") + `]`, ""},
		{"uppercase name", `[` + commandJSON("Ask", "d", "") + `]`, "APPLICATION_COMMAND_INVALID_NAME"},
		{"space in name", `[` + commandJSON("ask me", "d", "") + `]`, "APPLICATION_COMMAND_INVALID_NAME"},
		{"33 characters", `[` + commandJSON(strings.Repeat("a", 33), "d", "") + `]`, "APPLICATION_COMMAND_INVALID_NAME"},
		{"empty description", `[` + commandJSON("ask", "", "") + `]`, "BASE_TYPE_BAD_LENGTH"},
		{"permissions as integer", `[` + commandJSON("ask", "d", `,"default_member_permissions":8`) + `]`, "PERMISSIONS_NOT_STRING"},
		{"permissions not numeric", `[` + commandJSON("ask", "d", `,"default_member_permissions":"admin"`) + `]`, "NUMBER_TYPE_COERCE"},
		{"duplicate names", `[` + commandJSON("ask", "d", "") + `,` + commandJSON("ask", "e", "") + `]`, "APPLICATION_COMMANDS_DUPLICATE_NAME"},
		{"option name uppercase", `[` + commandJSON("ask", "d", `,"options":[{"type":3,"name":"Q","description":"d"}]`) + `]`, "APPLICATION_COMMAND_INVALID_NAME"},
		{"required after optional", `[` + commandJSON("ask", "d", `,"options":[{"type":3,"name":"a","description":"d"},{"type":3,"name":"b","description":"d","required":true}]`) + `]`, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"},
		{"autocomplete with choices", `[` + commandJSON("ask", "d", `,"options":[{"type":3,"name":"a","description":"d","autocomplete":true,"choices":[{"name":"x","value":"x"}]}]`) + `]`, "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID"},
		{"7900 characters ok", `[` + commandJSON("ask", "d", longChoices(25, 312)) + `]`, ""},
		{"8000 characters exceeded", `[` + commandJSON("ask", "d", longChoices(25, 320)) + `]`, "APPLICATION_COMMAND_TOO_LARGE"},
		{"26 choices", `[` + commandJSON("ask", "d", longChoices(26, 1)) + `]`, "BASE_TYPE_MAX_LENGTH"},
		{"user command may have caps and spaces", `[{"type":2,"name":"Ask About"}]`, ""},
		{"user command description", `[{"type":2,"name":"Ask About","description":"x"}]`, "APPLICATION_COMMAND_DESCRIPTION_NOT_ALLOWED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "PUT", "/applications/"+s.ApplicationID+"/commands", tc.body, true)
			vs := s.TakeViolations()
			if tc.wantErr == "" {
				if r.status != 200 || len(vs) != 0 {
					t.Fatalf("status %d, violations %v; want accepted", r.status, vs)
				}
				return
			}
			if r.status != 400 || len(vs) != 1 || !vs[0].Has(tc.wantErr) {
				t.Fatalf("status %d, violations %v; want 400 with %s", r.status, vs, tc.wantErr)
			}
		})
	}
	// The stored permission comes back as a string.
	r := call(t, s, "PUT", "/applications/"+s.ApplicationID+"/commands", `[`+commandJSON("ask", "d", `,"default_member_permissions":"32"`)+`]`, true)
	if r.status != 200 || len(r.list) != 1 || r.list[0].(map[string]any)["default_member_permissions"] != "32" {
		t.Fatalf("answer = %d %v", r.status, r.list)
	}
}

func TestAutocompleteRules(t *testing.T) {
	choices := func(n, nameLen int) map[string]any {
		var cs []any
		for i := 0; i < n; i++ {
			cs = append(cs, map[string]any{"name": strings.Repeat("n", nameLen), "value": "v"})
		}
		return map[string]any{"choices": cs}
	}
	tests := []struct {
		name string
		data any
		want int
	}{
		{"25 choices", choices(25, 100), 0},
		{"26 choices", choices(26, 1), 1},
		{"name 101", choices(1, 101), 1},
		{"name empty", choices(1, 0), 1},
		{"no data", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := decodeJSON(mustJSON(tc.data))
			if got := len(checkAutocomplete(v, []string{"data"})); got != tc.want {
				t.Fatalf("errors = %d, want %d", got, tc.want)
			}
		})
	}
}
