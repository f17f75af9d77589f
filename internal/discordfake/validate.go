package discordfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/briefbot/briefbot/internal/projectdir"
)

// The validator below implements the subset of JSON Schema 2020-12 that
// Discord's OpenAPI 3.1 document uses (checked by listing every keyword in
// the document): type (string or array), properties, required,
// additionalProperties, maxProperties/minProperties, items,
// minItems/maxItems/uniqueItems, enum, const, minimum/maximum,
// minLength/maxLength, pattern, allOf/anyOf/oneOf and $ref. "format" is an
// annotation in 2020-12 and snowflakes already carry a pattern, so formats
// are not asserted. A hand-written validator was chosen over kin-openapi
// because the fake must also emit Discord's nested 50035 error shape, which
// needs the failing JSON path of every error.

// apiSpec is Discord's OpenAPI document, reduced to what the fake needs.
type apiSpec struct {
	root  map[string]any
	paths []specPath

	reMu sync.Mutex
	res  map[string]*regexp.Regexp
}

type specPath struct {
	template string
	segs     []string
	ops      map[string]specOp // by upper-case method
}

type specOp struct {
	jsonSchema      any // schema of the application/json body, nil if none
	multipartSchema any
	bodyRequired    bool
}

var specCache sync.Map // path -> *specLoad

type specLoad struct {
	once sync.Once
	spec *apiSpec
	err  error
}

// loadSpec parses the spec at path once per process; every Server shares it
// because parsing 1 MB of JSON per test would dominate test time.
func loadSpec(path string) (*apiSpec, error) {
	v, _ := specCache.LoadOrStore(path, &specLoad{})
	l := v.(*specLoad)
	l.once.Do(func() {
		l.spec, l.err = parseSpecFile(path)
	})
	return l.spec, l.err
}

func parseSpecFile(path string) (*apiSpec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read discord spec: %w", err)
	}
	return parseSpec(raw)
}

func parseSpec(raw []byte) (*apiSpec, error) {
	root, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("parse discord spec: %w", err)
	}
	doc, ok := root.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse discord spec: top level is %T, want object", root)
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("parse discord spec: no paths")
	}
	sp := &apiSpec{root: doc, res: map[string]*regexp.Regexp{}}
	for tmpl, item := range paths {
		m, _ := item.(map[string]any)
		p := specPath{template: tmpl, segs: splitPath(tmpl), ops: map[string]specOp{}}
		for method, opv := range m {
			op, ok := opv.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			var so specOp
			if rb, ok := op["requestBody"].(map[string]any); ok {
				so.bodyRequired, _ = rb["required"].(bool)
				content, _ := rb["content"].(map[string]any)
				if c, ok := content["application/json"].(map[string]any); ok {
					so.jsonSchema = c["schema"]
				}
				if c, ok := content["multipart/form-data"].(map[string]any); ok {
					so.multipartSchema = c["schema"]
				}
			}
			p.ops[strings.ToUpper(method)] = so
		}
		sp.paths = append(sp.paths, p)
	}
	// Deterministic matching order: templates with more literal segments
	// first, so "/messages/@original" wins over "/messages/{message_id}".
	sort.Slice(sp.paths, func(i, j int) bool {
		li, lj := literalCount(sp.paths[i].segs), literalCount(sp.paths[j].segs)
		if li != lj {
			return li > lj
		}
		return sp.paths[i].template < sp.paths[j].template
	})
	return sp, nil
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

func literalCount(segs []string) int {
	n := 0
	for _, s := range segs {
		if !isParam(s) {
			n++
		}
	}
	return n
}

// match finds the spec path template for a request path (without the
// /api/vN prefix) and returns the template and its path parameters.
func (sp *apiSpec) match(path string) (*specPath, map[string]string) {
	segs := splitPath(path)
	for i := range sp.paths {
		p := &sp.paths[i]
		if params, ok := matchSegs(p.segs, segs); ok {
			return p, params
		}
	}
	return nil, nil
}

func matchSegs(tmpl, segs []string) (map[string]string, bool) {
	if len(tmpl) != len(segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, t := range tmpl {
		if isParam(t) {
			if segs[i] == "" {
				return nil, false
			}
			params[strings.Trim(t, "{}")] = segs[i]
			continue
		}
		if t != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// decodeJSON decodes with UseNumber so 64-bit snowflakes and permission
// masks survive without float rounding, and rejects trailing data.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

// fieldError is one failure at a JSON path, in Discord's error vocabulary.
type fieldError struct {
	Path    []string
	Code    string
	Message string
}

// Weights for choosing which union branch to report.
const (
	weightMismatch      = 1     // an ordinary constraint failure
	weightDiscriminator = 100   // const/enum failure: usually the branch's "type" tag
	weightWrongType     = 10000 // the value is not even of the branch's type
)

func (e fieldError) String() string {
	p := strings.Join(e.Path, ".")
	if p == "" {
		p = "(body)"
	}
	return p + ": " + e.Code + ": " + e.Message
}

func appendPath(path []string, elem string) []string {
	out := make([]string, len(path)+1)
	copy(out, path)
	out[len(path)] = elem
	return out
}

// validateSchema validates value against schema, resolving $ref inside the
// spec document.
func (sp *apiSpec) validateSchema(schema any, value any, path []string) []fieldError {
	var errs []fieldError
	sp.validate(schema, value, path, &errs, 0)
	return errs
}

func (sp *apiSpec) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	var cur any = sp.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not an object", ref, tok)
		}
		cur, ok = m[tok]
		if !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
		}
	}
	return cur, nil
}

func (sp *apiSpec) regexp(pat string) (*regexp.Regexp, error) {
	sp.reMu.Lock()
	defer sp.reMu.Unlock()
	if re, ok := sp.res[pat]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, fmt.Errorf("compile pattern %q: %w", pat, err)
	}
	sp.res[pat] = re
	return re, nil
}

const maxSchemaDepth = 200

func (sp *apiSpec) validate(schemaV any, value any, path []string, errs *[]fieldError, depth int) {
	if depth > maxSchemaDepth {
		*errs = append(*errs, fieldError{path, "BASE_TYPE_BAD_TYPE", "Value nests too deeply."})
		return
	}
	switch s := schemaV.(type) {
	case bool:
		if !s {
			*errs = append(*errs, fieldError{path, "BASE_TYPE_BAD_TYPE", "Value is not allowed here."})
		}
		return
	case map[string]any:
		sp.validateObjSchema(s, value, path, errs, depth)
	default:
		// A nil or malformed schema accepts everything, as in JSON Schema.
	}
}

func (sp *apiSpec) validateObjSchema(s map[string]any, value any, path []string, errs *[]fieldError, depth int) {
	if ref, ok := s["$ref"].(string); ok {
		target, err := sp.resolve(ref)
		if err != nil {
			*errs = append(*errs, fieldError{path, "SPEC_ERROR", err.Error()})
		} else {
			sp.validate(target, value, path, errs, depth+1)
		}
	}
	if t, ok := s["type"]; ok {
		if !typeMatches(t, value) {
			*errs = append(*errs, fieldError{path, typeCode(t), fmt.Sprintf("Must be of type %s, got %s.", typeList(t), jsonType(value))})
			// Further keywords would only produce noise on a wrong type.
			return
		}
	}
	if c, ok := s["const"]; ok && !jsonEqual(c, value) {
		*errs = append(*errs, fieldError{path, "BASE_TYPE_CHOICES", fmt.Sprintf("Value must be %s.", compactJSON(c))})
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, c := range e {
			if jsonEqual(c, value) {
				found = true
				break
			}
		}
		if !found {
			*errs = append(*errs, fieldError{path, "BASE_TYPE_CHOICES", fmt.Sprintf("Value must be one of %s.", compactJSON(e))})
		}
	}
	switch v := value.(type) {
	case string:
		n := utf8.RuneCountInString(v)
		if m, ok := schemaInt(s, "maxLength"); ok && n > m {
			*errs = append(*errs, fieldError{path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", m)})
		}
		if m, ok := schemaInt(s, "minLength"); ok && n < m {
			*errs = append(*errs, fieldError{path, "BASE_TYPE_MIN_LENGTH", fmt.Sprintf("Must be %d or more in length.", m)})
		}
		if pat, ok := s["pattern"].(string); ok {
			re, err := sp.regexp(pat)
			if err != nil {
				*errs = append(*errs, fieldError{path, "SPEC_ERROR", err.Error()})
			} else if !re.MatchString(v) {
				*errs = append(*errs, fieldError{path, "STRING_TYPE_REGEX", fmt.Sprintf("String value did not match validation regex %s.", pat)})
			}
		}
	case json.Number:
		if m, ok := s["minimum"].(json.Number); ok && numCmp(v, m) < 0 {
			*errs = append(*errs, fieldError{path, "NUMBER_TYPE_MIN", fmt.Sprintf("Value should be greater than or equal to %s.", m)})
		}
		if m, ok := s["maximum"].(json.Number); ok && numCmp(v, m) > 0 {
			*errs = append(*errs, fieldError{path, "NUMBER_TYPE_MAX", fmt.Sprintf("Value should be less than or equal to %s.", m)})
		}
	case []any:
		if m, ok := schemaInt(s, "maxItems"); ok && len(v) > m {
			*errs = append(*errs, fieldError{path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", m)})
		}
		if m, ok := schemaInt(s, "minItems"); ok && len(v) < m {
			*errs = append(*errs, fieldError{path, "BASE_TYPE_MIN_LENGTH", fmt.Sprintf("Must be %d or more in length.", m)})
		}
		if u, _ := s["uniqueItems"].(bool); u {
			seen := map[string]bool{}
			for _, it := range v {
				k := canonicalJSON(it)
				if seen[k] {
					*errs = append(*errs, fieldError{path, "BASE_TYPE_UNIQUE", "Items must be unique."})
					break
				}
				seen[k] = true
			}
		}
		if items, ok := s["items"]; ok {
			for i, it := range v {
				sp.validate(items, it, appendPath(path, strconv.Itoa(i)), errs, depth+1)
			}
		}
	case map[string]any:
		if m, ok := schemaInt(s, "maxProperties"); ok && len(v) > m {
			*errs = append(*errs, fieldError{path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must have %d or fewer properties.", m)})
		}
		if m, ok := schemaInt(s, "minProperties"); ok && len(v) < m {
			*errs = append(*errs, fieldError{path, "BASE_TYPE_MIN_LENGTH", fmt.Sprintf("Must have %d or more properties.", m)})
		}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				name, _ := r.(string)
				if _, present := v[name]; !present {
					*errs = append(*errs, fieldError{appendPath(path, name), "BASE_TYPE_REQUIRED", "This field is required"})
				}
			}
		}
		props, _ := s["properties"].(map[string]any)
		addl, hasAddl := s["additionalProperties"]
		for _, k := range sortedKeys(v) {
			if ps, ok := props[k]; ok {
				sp.validate(ps, v[k], appendPath(path, k), errs, depth+1)
				continue
			}
			if hasAddl {
				if b, ok := addl.(bool); ok && !b {
					*errs = append(*errs, fieldError{appendPath(path, k), "BASE_TYPE_BAD_TYPE", "Unknown field."})
					continue
				}
				sp.validate(addl, v[k], appendPath(path, k), errs, depth+1)
			}
		}
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			sp.validate(sub, value, path, errs, depth+1)
		}
	}
	if anyOf, ok := s["anyOf"].([]any); ok {
		sp.validateUnion(anyOf, value, path, errs, depth, false)
	}
	if oneOf, ok := s["oneOf"].([]any); ok {
		sp.validateUnion(oneOf, value, path, errs, depth, true)
	}
}

// validateUnion checks anyOf (exactly=false) or oneOf (exactly=true). When
// no branch matches it reports the errors of the closest branch: the one
// whose errors weigh least, where a wrong type or a failed const/enum (the
// branch's discriminator) weigh much more than an ordinary constraint. That
// is the branch the sender meant, so its errors are the useful ones. A
// failed discriminator deeper inside a branch (a wrong child component in
// a modal, say) weighs like an ordinary constraint: the branch's own tag
// matched, so the sender meant it.
func (sp *apiSpec) validateUnion(branches []any, value any, path []string, errs *[]fieldError, depth int, exactly bool) {
	var best []fieldError
	matched := 0
	for _, b := range branches {
		var be []fieldError
		sp.validate(b, value, path, &be, depth+1)
		if len(be) == 0 {
			matched++
			continue
		}
		if best == nil || betterBranch(be, best, len(path)) {
			best = be
		}
	}
	switch {
	case matched == 0:
		*errs = append(*errs, best...)
	case exactly && matched > 1:
		*errs = append(*errs, fieldError{path, "BASE_TYPE_BAD_TYPE", fmt.Sprintf("Value matches %d alternatives, want exactly one.", matched)})
	}
}

func betterBranch(a, b []fieldError, depth int) bool {
	return branchWeight(a, depth) < branchWeight(b, depth)
}

// branchWeight weighs a branch's errors; depth is the path length of the
// value the union describes.
func branchWeight(errs []fieldError, depth int) int {
	w := 0
	for _, e := range errs {
		switch e.Code {
		case "NUMBER_TYPE_COERCE", "BASE_TYPE_STRING", "BASE_TYPE_BOOLEAN", "BASE_TYPE_ARRAY", "MODEL_TYPE_CONVERT", "BASE_TYPE_BAD_TYPE":
			w += weightWrongType
		case "BASE_TYPE_CHOICES":
			if len(e.Path) > depth+1 {
				w += weightMismatch
				continue
			}
			w += weightDiscriminator
		default:
			w += weightMismatch
		}
	}
	return w
}

func schemaInt(s map[string]any, key string) (int, bool) {
	n, ok := s[key].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	if err != nil {
		return 0, false
	}
	return int(i), true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if isInteger(x) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// parseNum reads a JSON number as a 256-bit float: exact for every integer
// Discord uses (snowflakes, permission masks) and, unlike big.Rat, cheap
// for absurd exponents such as 1e400000000.
func parseNum(n json.Number) (*big.Float, bool) {
	f, _, err := big.ParseFloat(string(n), 10, 256, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	return f, true
}

func isInteger(n json.Number) bool {
	f, ok := parseNum(n)
	return ok && f.IsInt()
}

func typeMatches(t any, v any) bool {
	switch tt := t.(type) {
	case string:
		return typeIs(tt, v)
	case []any:
		for _, x := range tt {
			if s, ok := x.(string); ok && typeIs(s, v) {
				return true
			}
		}
		return false
	}
	return true
}

func typeIs(t string, v any) bool {
	got := jsonType(v)
	if t == "number" {
		return got == "number" || got == "integer"
	}
	return got == t
}

func typeList(t any) string {
	switch tt := t.(type) {
	case string:
		return tt
	case []any:
		parts := make([]string, 0, len(tt))
		for _, x := range tt {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, " or ")
	}
	return fmt.Sprint(t)
}

// typeCode mirrors the codes Discord uses for type errors.
func typeCode(t any) string {
	first := ""
	switch tt := t.(type) {
	case string:
		first = tt
	case []any:
		if len(tt) > 0 {
			first, _ = tt[0].(string)
		}
	}
	switch first {
	case "integer", "number":
		return "NUMBER_TYPE_COERCE"
	case "string":
		return "BASE_TYPE_STRING"
	case "boolean":
		return "BASE_TYPE_BOOLEAN"
	case "array":
		return "BASE_TYPE_ARRAY"
	case "object":
		return "MODEL_TYPE_CONVERT"
	}
	return "BASE_TYPE_BAD_TYPE"
}

func numCmp(a, b json.Number) int {
	fa, ok1 := parseNum(a)
	fb, ok2 := parseNum(b)
	if !ok1 || !ok2 {
		return strings.Compare(string(a), string(b))
	}
	return fa.Cmp(fb)
}

func jsonEqual(a, b any) bool {
	if na, ok := a.(json.Number); ok {
		nb, ok := b.(json.Number)
		return ok && numCmp(na, nb) == 0
	}
	return canonicalJSON(a) == canonicalJSON(b)
}

// canonicalJSON renders v with sorted keys and normalized numbers, for
// equality and uniqueness checks.
func canonicalJSON(v any) string {
	var b strings.Builder
	writeCanonical(&b, v)
	return b.String()
}

func writeCanonical(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			writeCanonical(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	case json.Number:
		if f, ok := parseNum(x); ok {
			b.WriteString(f.Text('g', -1))
		} else {
			b.WriteString(string(x))
		}
	default:
		raw, _ := json.Marshal(x)
		b.Write(raw)
	}
}

func compactJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(raw) > 200 {
		return string(raw[:200]) + "…"
	}
	return string(raw)
}

// discordErrors renders field errors in Discord's nested 50035 shape:
// {"embeds":{"0":{"description":{"_errors":[{"code":..,"message":..}]}}}}.
func discordErrors(errs []fieldError) map[string]any {
	root := map[string]any{}
	for _, e := range errs {
		node := root
		for _, p := range e.Path {
			child, ok := node[p].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[p] = child
			}
			node = child
		}
		list, _ := node["_errors"].([]any)
		node["_errors"] = append(list, map[string]any{"code": e.Code, "message": e.Message})
	}
	return root
}

// findSpec returns Discord's OpenAPI document in ../shared beside the module
// root, or an error saying where it looked.
func findSpec() (string, error) {
	return projectdir.Shared("specs", "discord", "openapi.json")
}
