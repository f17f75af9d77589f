package config

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// KeyError is one configuration problem. Errors returned by Parse, Load and
// Validate are errors.Join of *KeyError, one per problem; use errors.As to
// inspect the first, or the Unwrap() []error of the joined error for all.
type KeyError struct {
	// Source is the file the value came from ("" when not from a file).
	Source string
	// Line is the 1-based line in Source, 0 when unknown.
	Line int
	// Key is the dotted key path, for example "llm.temperature" or
	// "corpus.paths[2]"; "" when the problem is not about one key (a YAML
	// syntax error).
	Key string
	// Env is the environment variable the value came from, if any.
	Env string
	// Problem says what is wrong and what was expected. It never contains a
	// known secret.
	Problem string
}

func (e *KeyError) Error() string {
	var b strings.Builder
	switch {
	case e.Source != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.Source, e.Line)
	case e.Source != "":
		b.WriteString(e.Source + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		if e.Env != "" {
			fmt.Fprintf(&b, " (from %s)", e.Env)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

// nodeEntry is one key (or list item) of the parsed file.
type nodeEntry struct {
	path  string
	key   *yaml.Node // nil for list items
	value *yaml.Node
	// typ is the Go type value decodes into; nil when it has no place in
	// Config.
	typ  reflect.Type
	used bool
}

// nodeIndex maps yaml.v3's line-numbered messages back to dotted key paths:
// yaml.v3 reports "line 7: cannot unmarshal ..." without saying which key.
type nodeIndex struct {
	entries []*nodeEntry
	// secrets are the values found at secret keys, so that they can be
	// redacted even when decoding them failed.
	secrets []string
	// problems are those yaml.v3 does not report.
	problems []*KeyError
}

// secretKeys are the keys whose values are secrets; every value under
// llm.headers is a secret too.
var secretKeys = map[string]bool{
	"discord.token":      true,
	"discord.public_key": true,
	"llm.api_key":        true,
}

func (x *nodeIndex) build(root *yaml.Node) {
	if len(root.Content) > 0 {
		x.walk(root.Content[0], "", reflect.TypeFor[Config]())
	}
}

// walk indexes n, found at path, which decodes into a value of type t (nil
// when n has no place in Config, which yaml.v3 reports by itself).
func (x *nodeIndex) walk(n *yaml.Node, path string, t reflect.Type) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			mt := memberType(t, k.Value)
			x.entries = append(x.entries, &nodeEntry{path: p, key: k, value: v, typ: mt})
			if v.Kind == yaml.ScalarNode && v.Value != "" && (secretKeys[p] || path == "llm.headers") {
				x.secrets = append(x.secrets, v.Value)
			}
			x.walk(v, p, mt)
		}
	case yaml.SequenceNode:
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		for i, v := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			x.entries = append(x.entries, &nodeEntry{path: p, value: v, typ: elem})
			x.walk(v, p, elem)
		}
	case yaml.ScalarNode:
		x.checkWhole(n, path, t)
	}
	// Aliases are not followed: their target is indexed where it is
	// defined, and following them could loop.
}

// checkWhole reports a fraction given for a whole number, which yaml.v3
// would silently truncate ("max_tokens: 1.5" becoming 1).
func (x *nodeIndex) checkWhole(n *yaml.Node, path string, t reflect.Type) {
	if t == nil || n.ShortTag() != "!!float" {
		return
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
	default:
		return
	}
	var f float64
	if err := n.Decode(&f); err == nil && f == math.Trunc(f) && !math.IsInf(f, 0) {
		return
	}
	x.problems = append(x.problems, &KeyError{Key: path, Line: n.Line,
		Problem: "expected a whole number, got the number " + quoteNumber(n.Value)})
}

// memberType is the type that key of a mapping of type t decodes into.
func memberType(t reflect.Type, key string) reflect.Type {
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Map:
		return t.Elem()
	case reflect.Struct:
		for f := range t.Fields() {
			if yamlName(f) == key {
				return f.Type
			}
		}
	}
	return nil
}

// line is the line where key is set, 0 when the file does not set it.
func (x *nodeIndex) line(key string) int {
	for _, e := range x.entries {
		if e.path == key {
			if e.key != nil {
				return e.key.Line
			}
			return e.value.Line
		}
	}
	return 0
}

// find returns the first entry not yet reported that satisfies ok, marking
// it reported so that two identical problems on one line (flow style) map
// to two keys.
func (x *nodeIndex) find(ok func(*nodeEntry) bool) *nodeEntry {
	for _, e := range x.entries {
		if !e.used && ok(e) {
			e.used = true
			return e
		}
	}
	return nil
}

var (
	reLine      = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	reUnknown   = regexp.MustCompile(`^field (.+) not found in type (\S+)$`)
	reType      = regexp.MustCompile("^cannot unmarshal (!!?[^ ]+)(?: `(.*)`)? into (.+)$")
	reDuplicate = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
	reSetTwice  = regexp.MustCompile(`^field (.+) already set in type (\S+)$`)
	reColumn    = regexp.MustCompile(`^column (\d+): (.*)$`)
)

// translate turns one of yaml.v3's decoding messages into a KeyError that
// names the key and says what was expected.
func (x *nodeIndex) translate(msg string) *KeyError {
	m := reLine.FindStringSubmatch(msg)
	if m == nil {
		return &KeyError{Problem: msg}
	}
	line, _ := strconv.Atoi(m[1])
	rest := m[2]
	ke := &KeyError{Line: line, Problem: rest}

	if m := reUnknown.FindStringSubmatch(rest); m != nil {
		name, typ := m[1], m[2]
		if e := x.find(func(e *nodeEntry) bool { return e.key != nil && e.key.Line == line && e.key.Value == name }); e != nil {
			ke.Key = e.path
		} else {
			ke.Key = name
		}
		ke.Problem = unknownKeyProblem(name, typ)
		return ke
	}
	if m := reType.FindStringSubmatch(rest); m != nil {
		tag, shown, target := m[1], m[2], m[3]
		matches := func(e *nodeEntry) bool {
			v := e.value
			if v.Line != line || v.ShortTag() != tag {
				return false
			}
			// yaml.v3 shows long values as their first 7 bytes and "...".
			return shown == "" || v.Value == shown ||
				(strings.HasSuffix(shown, "...") && strings.HasPrefix(v.Value, strings.TrimSuffix(shown, "...")))
		}
		// On one line in flow style ("llm: {api_key: {a: b}}") a parent
		// and its member may both hold a mapping: the key at fault is the
		// one whose Go type is the message's.
		e := x.find(func(e *nodeEntry) bool { return e.typ != nil && e.typ.String() == target && matches(e) })
		if e == nil {
			e = x.find(matches)
		}
		if e == nil {
			ke.Problem = "expected " + describeType(target) + ", got " + describeTag(tag, shown)
			return ke
		}
		ke.Key = e.path
		// A fraction never gets here: yaml.v3 truncates it (see checkWhole).
		if (tag == "!!int" || tag == "!!float") && describeType(target) == "a whole number" {
			ke.Problem = "the number " + quoteNumber(e.value.Value) + " is out of range"
			return ke
		}
		ke.Problem = "expected " + describeType(target) + ", got " + describeNode(e.value) + quoteHint(e.value, target)
		return ke
	}
	if m := reDuplicate.FindStringSubmatch(rest); m != nil {
		name, first := m[1], m[2]
		if e := x.find(func(e *nodeEntry) bool { return e.key != nil && e.key.Line == line && e.key.Value == name }); e != nil {
			ke.Key = e.path
		}
		ke.Problem = "set twice (first at line " + first + "); keep one"
		return ke
	}
	if m := reSetTwice.FindStringSubmatch(rest); m != nil {
		name := m[1]
		if e := x.find(func(e *nodeEntry) bool { return e.key != nil && e.key.Line == line && e.key.Value == name }); e != nil {
			ke.Key = e.path
		}
		ke.Problem = "set twice; keep one"
		return ke
	}
	if m := reColumn.FindStringSubmatch(rest); m != nil {
		col, _ := strconv.Atoi(m[1])
		if e := x.find(func(e *nodeEntry) bool { return e.value.Line == line && e.value.Column == col }); e != nil {
			ke.Key = e.path
		}
		ke.Problem = m[2]
		return ke
	}
	return ke
}

// syntaxError reports a file that is not valid YAML.
func syntaxError(err error, data []byte) *KeyError {
	msg := err.Error()
	if m := reLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		ke := &KeyError{Line: line, Problem: "invalid YAML: " + m[2]}
		// The parser's own message about a tab says nothing of tabs.
		if lines := strings.Split(string(data), "\n"); line >= 1 && line <= len(lines) &&
			strings.Contains(lines[line-1], "\t") {
			ke.Problem += " (tabs are not allowed for indentation; use spaces)"
		}
		return ke
	}
	return &KeyError{Problem: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// reSecretLine finds values of secret-looking keys in text that did not
// parse as YAML, so that a syntax error cannot carry them into a log.
var reSecretLine = regexp.MustCompile(`(?mi)^[\s-]*["']?(?:token|public_key|api_key|api-key|authorization)["']?\s*:[ \t]*["']?([^"'\s#]+)`)

func scrapeSecrets(data []byte) []string {
	var out []string
	for _, m := range reSecretLine.FindAllSubmatch(data, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func unknownKeyProblem(name, typ string) string {
	known := knownKeys(typ)
	if len(known) == 0 {
		return "unknown key"
	}
	p := "unknown key"
	if s := closest(name, known); s != "" {
		p += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return p + "; known keys here: " + strings.Join(known, ", ")
}

// knownKeys lists the yaml keys of the config struct type named typ (as
// reflect.Type.String spells it, e.g. "config.LLM").
func knownKeys(typ string) []string {
	var keys []string
	var visit func(t reflect.Type) bool
	visit = func(t reflect.Type) bool {
		if t.String() == typ {
			for f := range t.Fields() {
				if name := yamlName(f); name != "" {
					keys = append(keys, name)
				}
			}
			return true
		}
		for f := range t.Fields() {
			if f.Type.Kind() == reflect.Struct && f.IsExported() && visit(f.Type) {
				return true
			}
		}
		return false
	}
	visit(reflect.TypeFor[Config]())
	slices.Sort(keys)
	return keys
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

// closest is the known key nearest to name, if it is near enough to be a
// likely typo.
func closest(name string, known []string) string {
	best, bestD := "", len(name)/3+1
	if bestD > 3 {
		bestD = 3
	}
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), k); d <= bestD && (best == "" || d < editDistance(strings.ToLower(name), best)) {
			best = k
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func describeType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "a list of " + strings.TrimPrefix(describeType(goType[2:]), "a ") + "s"
	case strings.HasPrefix(goType, "map["):
		return "a mapping of names to values"
	case strings.HasPrefix(goType, "config."):
		return "a section (a mapping of keys)"
	}
	return goType
}

func describeTag(tag, value string) string {
	switch tag {
	case "!!seq":
		return "a list"
	case "!!map":
		return "a mapping"
	case "!!str":
		return "the string " + quoteValue(value)
	case "!!int", "!!float":
		return "the number " + quoteNumber(value)
	case "!!bool":
		return value
	case "!!null":
		return "nothing"
	}
	return "a value tagged " + tag
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return describeTag(n.ShortTag(), n.Value)
}

// quoteHint suggests dropping quotes when the quoted text would have been
// accepted unquoted: `k: "5"` is a string in YAML.
func quoteHint(n *yaml.Node, target string) string {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		return ""
	}
	var err error
	switch {
	case strings.HasPrefix(target, "int"):
		_, err = strconv.Atoi(n.Value)
	case strings.HasPrefix(target, "float"):
		_, err = strconv.ParseFloat(n.Value, 64)
	case target == "bool":
		_, err = strconv.ParseBool(n.Value)
	default:
		return ""
	}
	if err != nil {
		return ""
	}
	return " (remove the quotes)"
}

// maxShown bounds the values echoed in messages. Tokens and API keys are
// longer than this, so a secret pasted under the wrong key is not echoed
// even though nothing marks it as a secret.
const maxShown = 24

func quoteNumber(s string) string {
	if len(s) > maxShown {
		return quoteValue(s)
	}
	return s
}

func quoteValue(s string) string {
	if len(s) > maxShown {
		return fmt.Sprintf("(%d characters, not shown)", len(s))
	}
	return strconv.Quote(s)
}
