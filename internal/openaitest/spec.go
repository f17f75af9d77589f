package openaitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/briefbot/briefbot/internal/projectdir"
)

// specPath returns the OpenAI OpenAPI document's path, specs/openai/
// openapi.yaml in ../shared beside the module root, or an error saying
// where it looked.
func specPath() (string, error) {
	return projectdir.Shared("specs", "openai", "openapi.yaml")
}

// spec is the loaded OpenAI document and the chat completion route in it.
type spec struct {
	doc   *openapi3.T
	route *routers.Route
}

var (
	specOnce   sync.Once
	loadedSpec *spec
	specErr    error
)

// loadSpec loads the document once per test binary: it is 3 MB of YAML.
func loadSpec(path string) (*spec, error) {
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			specErr = fmt.Errorf("load %s: %w", path, err)
			return
		}
		// The whole document is not validated: kin-openapi rejects one
		// unrelated schema ("AdditionalTools" uses $recursiveRef), and the
		// schemas this server uses load fine.
		item := doc.Paths.Value("/chat/completions")
		if item == nil || item.Post == nil {
			specErr = fmt.Errorf("load %s: no POST /chat/completions", path)
			return
		}
		loadedSpec = &spec{doc: doc, route: &routers.Route{
			Spec:      doc,
			Path:      "/chat/completions",
			PathItem:  item,
			Method:    http.MethodPost,
			Operation: item.Post,
		}}
	})
	return loadedSpec, specErr
}

// validateChat checks a chat completion request body and content type
// against the spec's createChatCompletion operation. It returns one message
// per problem.
func (s *spec) validateChat(body []byte, contentType string) []string {
	// The spec knows only OpenAI's path, and Azure's body is the same
	// shape, so both are validated as POST /chat/completions.
	req, err := http.NewRequest(http.MethodPost, "http://openaitest.invalid/v1/chat/completions", bytes.NewReader(body))
	if err != nil {
		return []string{err.Error()}
	}
	req.Header.Set("Content-Type", contentType)
	opts := &openapi3filter.Options{
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		MultiError:          true,
		SkipSettingDefaults: true,
	}
	err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: req,
		Route:   s.route,
		Options: opts,
	})
	if err == nil {
		return nil
	}
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		out := make([]string, 0, len(multi))
		for _, e := range multi {
			out = append(out, shorten(e.Error()))
		}
		return out
	}
	return []string{shorten(err.Error())}
}

// validateSchema checks a JSON document against a named component schema.
// It uses kin-openapi's OpenAPI 3.0 validator rather than JSON Schema
// 2020-12: OpenAI's document still marks fields like a stream chunk's
// finish_reason with the 3.0 keyword "nullable", and the real API sends
// null there, which 2020-12 semantics (ignoring "nullable") would reject.
func (s *spec) validateSchema(name string, doc []byte) error {
	ref := s.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("schema %s not in the spec", name)
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	if err := ref.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("%s: %s", name, shorten(err.Error()))
	}
	return nil
}

// shorten keeps violation messages readable in test output: kin-openapi
// follows each problem with a dump of the schema and value, pages long for
// this spec, while the problem lines ("Error at "/temperature": ...") are
// what a test needs.
func shorten(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || t == "Schema:" || t == "Value:" || line != strings.TrimLeft(line, " \t") {
			continue
		}
		keep = append(keep, t)
	}
	out := strings.Join(keep, " | ")
	const max = 1000
	if len(out) > max {
		out = out[:max] + "…"
	}
	return out
}
