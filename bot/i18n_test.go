package bot

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/internal/discordfake"
)

func TestLangOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		locale discordgo.Locale
		want   lang
	}{
		{"de", langDE},
		{"fr", langFR},
		{"es-ES", langES},
		{"es-419", langES},
		{"ru", langRU},
		{"en-US", langEN},
		{"en-GB", langEN},
		{"pt-BR", langEN},
		{"uk", langEN},
		{"zh-CN", langEN},
		{"", langEN},
		{"not a locale", langEN},
	} {
		if got := langOf(tc.locale); got != tc.want {
			t.Errorf("langOf(%q) = %d, want %d", tc.locale, got, tc.want)
		}
	}
	// The commands are localized for localeLangs. Each of those locales
	// must get the same language in messages.
	for _, ll := range localeLangs {
		if got := langOf(ll.locale); got != ll.lang {
			t.Errorf("langOf(%q) = %d, but localeLangs gives it %d", ll.locale, got, ll.lang)
		}
		if _, ok := discordgo.Locales[ll.locale]; !ok {
			t.Errorf("localeLangs has %q, which is not a Discord locale", ll.locale)
		}
	}
}

func TestTranslate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		locale discordgo.Locale
		key    string
		args   []any
		want   string
	}{
		{"en-US", "Sources", nil, "Sources"},
		{"de", "Sources", nil, "Quellen"},
		{"es-ES", "Sources", nil, "Fuentes"},
		{"es-419", "Sources", nil, "Fuentes"},
		{"ru", "Sources", nil, "Источники"},
		{"fr", "Search: %s", []any{"Bakou"}, "Recherche\u00a0: Bakou"},
		{"ru", "Slow down a little: you can ask again in %d s.", []any{3}, "Не так быстро: снова спросить можно через 3 с."},
		// Unknown locales fall back to English.
		{"pt-BR", "Sources", nil, "Sources"},
		{"ja", "Search: %s", []any{"Baku"}, "Search: Baku"},
		// A text missing from the catalogue falls back to English.
		{"de", "Not in the catalogue: %d", []any{7}, "Not in the catalogue: 7"},
		// Without args a text is not a format: "%" stays as written.
		{"de", "100% sure", nil, "100% sure"},
	} {
		if got := tr(tc.locale, tc.key, tc.args...); got != tc.want {
			t.Errorf("tr(%q, %q, %v) = %q, want %q", tc.locale, tc.key, tc.args, got, tc.want)
		}
	}
}

func TestPlural(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		l    lang
		n    int
		want string
	}{
		{langEN, 0, "0 passages"},
		{langEN, 1, "1 passage"},
		{langEN, 2, "2 passages"},
		{langDE, 1, "1 Textstelle"},
		{langDE, 0, "0 Textstellen"},
		{langES, 1, "1 pasaje"},
		{langES, 21, "21 pasajes"},
		// French counts 0 as singular.
		{langFR, 0, "0 passage"},
		{langFR, 1, "1 passage"},
		{langFR, 2, "2 passages"},
		// Russian: one (1, 21, 101), few (2–4, 22–24), many (0, 5–20, 25…,
		// and 11–14 whatever their last digit).
		{langRU, 1, "1 фрагмент"},
		{langRU, 2, "2 фрагмента"},
		{langRU, 4, "4 фрагмента"},
		{langRU, 5, "5 фрагментов"},
		{langRU, 0, "0 фрагментов"},
		{langRU, 11, "11 фрагментов"},
		{langRU, 12, "12 фрагментов"},
		{langRU, 14, "14 фрагментов"},
		{langRU, 21, "21 фрагмент"},
		{langRU, 22, "22 фрагмента"},
		{langRU, 25, "25 фрагментов"},
		{langRU, 101, "101 фрагмент"},
		{langRU, 111, "111 фрагментов"},
	} {
		if got := tc.l.N(tc.n, "%d passage", "%d passages"); got != tc.want {
			t.Errorf("lang %d: N(%d) = %q, want %q", tc.l, tc.n, got, tc.want)
		}
	}
	// A sentence around the count: Russian's singular form after 21.
	if got, want := langRU.N(21, "Written by the model from %d passage", "Written by the model from %d passages"), "Написано моделью по 21 фрагменту"; got != want {
		t.Errorf("N in a sentence = %q, want %q", got, want)
	}
	if got, want := langEN.N(1, "Written by the model from %d passage", "Written by the model from %d passages"), "Written by the model from 1 passage"; got != want {
		t.Errorf("N in English = %q, want %q", got, want)
	}
	// A plural the catalogue lacks falls back to the English forms.
	if got := langDE.N(1, "%d cat", "%d cats"); got != "1 cat" {
		t.Errorf("N of an unknown plural = %q, want English", got)
	}
}

func TestDateAndQuote(t *testing.T) {
	t.Parallel()
	d := time.Date(2023, time.March, 31, 12, 0, 0, 0, time.UTC)
	first := time.Date(2023, time.May, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		l           lang
		date, first string
		quote       string
	}{
		{langEN, "31 March 2023", "1 May 2023", "“x”"},
		{langDE, "31. März 2023", "1. Mai 2023", "„x“"},
		{langFR, "31 mars 2023", "1er mai 2023", "«\u00a0x\u00a0»"},
		{langES, "31 de marzo de 2023", "1 de mayo de 2023", "«x»"},
		{langRU, "31 марта 2023 г.", "1 мая 2023 г.", "«x»"},
	} {
		if got := tc.l.date(d); got != tc.date {
			t.Errorf("lang %d: date = %q, want %q", tc.l, got, tc.date)
		}
		if got := tc.l.date(first); got != tc.first {
			t.Errorf("lang %d: date = %q, want %q", tc.l, got, tc.first)
		}
		if got := tc.l.quote("x"); got != tc.quote {
			t.Errorf("lang %d: quote = %q, want %q", tc.l, got, tc.quote)
		}
	}
}

// fmtVerbs maps each argument a format uses (1-based, explicit indexes
// resolved as fmt does) to its verb letter. Flags, width and precision are
// the translator's choice and are not compared.
func fmtVerbs(format string) (map[int]rune, error) {
	verbs := map[int]rune{}
	arg := 1
	i := 0
	index := func() error {
		if i < len(format) && format[i] == '[' {
			j := strings.IndexByte(format[i:], ']')
			if j < 0 {
				return fmt.Errorf("unclosed [ in %q", format)
			}
			n, err := strconv.Atoi(format[i+1 : i+j])
			if err != nil || n < 1 {
				return fmt.Errorf("bad argument index in %q", format)
			}
			arg = n
			i += j + 1
		}
		return nil
	}
	number := func() error {
		if err := index(); err != nil {
			return err
		}
		if i < len(format) && format[i] == '*' {
			verbs[arg] = '*'
			arg++
			i++
			return nil
		}
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			i++
		}
		return nil
	}
	for i < len(format) {
		if format[i] != '%' {
			i++
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			i++
			continue
		}
		for i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0 {
			i++
		}
		if err := number(); err != nil {
			return nil, err
		}
		if i < len(format) && format[i] == '.' {
			i++
			if err := number(); err != nil {
				return nil, err
			}
		}
		if err := index(); err != nil {
			return nil, err
		}
		if i >= len(format) {
			return nil, fmt.Errorf("%q ends inside a verb", format)
		}
		r, size := utf8.DecodeRuneInString(format[i:])
		verbs[arg] = r
		arg++
		i += size
	}
	return verbs, nil
}

func TestFmtVerbs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format string
		want   map[int]rune
	}{
		{"plain", map[int]rune{}},
		{"100%% sure", map[int]rune{}},
		{"%d of %s", map[int]rune{1: 'd', 2: 's'}},
		{"%[2]s then %[1]d", map[int]rune{1: 'd', 2: 's'}},
		{"%-5.2f and %q", map[int]rune{1: 'f', 2: 'q'}},
		{"%*d", map[int]rune{1: '*', 2: 'd'}},
		{"«\u00a0%s\u00a0»", map[int]rune{1: 's'}},
	} {
		got, err := fmtVerbs(tc.format)
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("fmtVerbs(%q) = %v, %v; want %v", tc.format, got, err, tc.want)
		}
	}
	if _, err := fmtVerbs("ends with %"); err == nil {
		t.Error("fmtVerbs accepted a format ending inside a verb")
	}
}

// commandRef finds a command named in a message ("/search").
var commandRef = regexp.MustCompile(`(?:^|[\s(“"])/([a-z]+)`)

// checkText compares a translation with its English key. It reports
// different fmt verbs, markdown bold that does not pair up the same way,
// whitespace added at either end, and a command named by its English name
// where the reader's client shows the localized one.
func checkText(key, text string, l lang) []string {
	var probs []string
	kv, err := fmtVerbs(key)
	if err != nil {
		return []string{err.Error()}
	}
	tv, err := fmtVerbs(text)
	if err != nil {
		return []string{err.Error()}
	}
	if !maps.Equal(kv, tv) {
		probs = append(probs, fmt.Sprintf("fmt verbs %v, the key has %v", verbList(tv), verbList(kv)))
	}
	if strings.Count(key, "**") != strings.Count(text, "**") {
		probs = append(probs, "markdown ** differs from the key's")
	}
	if strings.TrimSpace(text) != text && strings.TrimSpace(key) == key {
		probs = append(probs, "leading or trailing space the key does not have")
	}
	for _, m := range commandRef.FindAllStringSubmatch(key, -1) {
		if names, ok := commandNames[m[1]]; ok && !strings.Contains(text, "/"+names[l]) {
			probs = append(probs, fmt.Sprintf("names /%s, but the reader's client shows /%s", m[1], names[l]))
		}
	}
	return probs
}

func verbList(v map[int]rune) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(v)) {
		parts = append(parts, fmt.Sprintf("%d:%%%c", k, v[k]))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

var langNames = [numLangs]string{langEN: "English", langDE: "German", langFR: "French", langES: "Spanish", langRU: "Russian"}

// checkEntry checks a message's translations in every language.
func checkEntry(key string, t translations) []string {
	var probs []string
	if t[langEN] != "" {
		probs = append(probs, fmt.Sprintf("%q: has an English translation; the key is the English text", key))
	}
	for l := langEN + 1; l < numLangs; l++ {
		if t[l] == "" {
			probs = append(probs, fmt.Sprintf("%q: no %s translation", key, langNames[l]))
			continue
		}
		for _, p := range checkText(key, t[l], l) {
			probs = append(probs, fmt.Sprintf("%q: %s %q: %s", key, langNames[l], t[l], p))
		}
	}
	return probs
}

// checkPlural checks a count message's forms in every language.
func checkPlural(other string, f pluralForms) []string {
	var probs []string
	for l := langEN + 1; l < numLangs; l++ {
		if len(f[l]) != pluralCount[l] {
			probs = append(probs, fmt.Sprintf("%q: %s has %d forms, want %d", other, langNames[l], len(f[l]), pluralCount[l]))
		}
		for _, form := range f[l] {
			for _, p := range checkText(other, form, l) {
				probs = append(probs, fmt.Sprintf("%q: %s %q: %s", other, langNames[l], form, p))
			}
		}
	}
	return probs
}

// TestCatalogueComplete checks every entry, used yet or not: a
// translation in every language with the key's fmt verbs.
func TestCatalogueComplete(t *testing.T) {
	t.Parallel()
	for _, key := range slices.Sorted(maps.Keys(catalogue)) {
		for _, p := range checkEntry(key, catalogue[key]) {
			t.Error(p)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(plurals)) {
		for _, p := range checkPlural(key, plurals[key]) {
			t.Error(p)
		}
	}
}

// TestComponentTextLimits keeps the texts meant for buttons, modals and
// selects within Discord's limits in every language: a modal title and a
// text input label take 45 characters, a button label 80, a select
// option 100.
func TestComponentTextLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key   string
		limit int
	}{
		{"Ask a follow-up question", 45}, // modal title
		{"Your follow-up question", 45},  // text input label
		{"What was wrong?", 45},          // modal title
		{"Tell us more (optional)", 45},  // text input label
		{"Follow up", 80},
		{"Share to channel", 80},
		{"Show related passages", 80},
		{"Show passages", 80},
		{"Helpful", 80},
		{"Not helpful", 80},
		{"Wrong source", 100},
		{"Incomplete", 100},
		{"Not in the documents", 100},
		{"Other", 100},
	} {
		t.Run(tc.key, func(t *testing.T) {
			if _, ok := catalogue[tc.key]; !ok {
				t.Fatalf("%q is not in the catalogue", tc.key)
			}
			for l := langEN; l < numLangs; l++ {
				if s := l.T(tc.key); runeLen(s) > tc.limit {
					t.Errorf("%s %q: %d characters > %d", langNames[l], s, runeLen(s), tc.limit)
				}
			}
		})
	}
}

// catalogueCalls are the functions whose key argument the test checks: the
// position of the key and the form. N has the English singular and then
// the plural, which is its key.
var catalogueCalls = map[string]struct{ key int }{"T": {0}, "tr": {1}, "N": {1}}

// checkCalls finds every call T("…", …), tr(locale, "…", …) and
// N(n, "…", "…", …) in files and checks each key against the catalogue:
// present, translated into every language with the same fmt verbs, and
// called with as many arguments as the key has verbs. A key must be a
// string constant (a literal, a constant, or string() of one) so that it
// can be checked. Only a function named T, tr or N may pass on a key it
// was given as a parameter. It returns the problems and the keys used.
func checkCalls(fset *token.FileSet, files []*ast.File, cat map[string]translations, pl map[string]pluralForms) (probs []string, used map[string]bool) {
	consts := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	var constant func(e ast.Expr) (string, bool)
	constant = func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.BasicLit:
			if x.Kind == token.STRING {
				s, err := strconv.Unquote(x.Value)
				return s, err == nil
			}
		case *ast.Ident:
			s, ok := consts[x.Name]
			return s, ok
		case *ast.ParenExpr:
			return constant(x.X)
		case *ast.CallExpr: // string(errTooSlow)
			if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "string" && len(x.Args) == 1 {
				return constant(x.Args[0])
			}
		case *ast.BinaryExpr:
			if x.Op == token.ADD {
				a, okA := constant(x.X)
				b, okB := constant(x.Y)
				return a + b, okA && okB
			}
		}
		return "", false
	}
	used = map[string]bool{}
	report := func(pos token.Pos, format string, args ...any) {
		p := fset.Position(pos)
		probs = append(probs, fmt.Sprintf("%s:%d: %s", filepath.Base(p.Filename), p.Line, fmt.Sprintf(format, args...)))
	}
	// argCount checks that a call passes what its key's verbs take.
	argCount := func(call *ast.CallExpr, key string, passed int) {
		v, err := fmtVerbs(key)
		if err != nil {
			report(call.Pos(), "%v", err)
			return
		}
		if call.Ellipsis == token.NoPos && passed != len(v) {
			report(call.Pos(), "%q takes %d arguments, the call passes %d", key, len(v), passed)
		}
	}
	check := func(fn *ast.FuncDecl, call *ast.CallExpr) {
		var name string
		switch f := call.Fun.(type) {
		case *ast.Ident:
			name = f.Name
		case *ast.SelectorExpr:
			name = f.Sel.Name
		}
		spec, ok := catalogueCalls[name]
		if !ok || len(call.Args) <= spec.key {
			return
		}
		keyArg := call.Args[spec.key]
		if name == "N" && len(call.Args) > 2 {
			keyArg = call.Args[2]
		}
		key, ok := constant(keyArg)
		if !ok {
			if id, isIdent := keyArg.(*ast.Ident); isIdent && fn != nil && isParam(fn, id.Name) {
				if _, wrapper := catalogueCalls[fn.Name.Name]; wrapper {
					return // a wrapper passing its caller's key on
				}
			}
			report(call.Pos(), "the key of %s is not a string constant, so the catalogue cannot be checked", name)
			return
		}
		used[key] = true
		if name == "N" {
			if len(call.Args) < 3 {
				return
			}
			one, ok := constant(call.Args[1])
			if !ok {
				report(call.Pos(), "the singular of N is not a string constant")
				return
			}
			ov, _ := fmtVerbs(one)
			kv, _ := fmtVerbs(key)
			if !maps.Equal(ov, kv) {
				report(call.Pos(), "singular %q and plural %q take different verbs", one, key)
			}
			f, ok := pl[key]
			if !ok {
				report(call.Pos(), "plural %q is not in the catalogue's plurals", key)
				return
			}
			for _, p := range checkPlural(key, f) {
				report(call.Pos(), "%s", p)
			}
			if passed := len(call.Args) - 3; passed > 0 {
				argCount(call, key, passed)
			} else {
				argCount(call, key, 1) // N passes n alone
			}
			return
		}
		t, ok := cat[key]
		if !ok {
			report(call.Pos(), "%q is not in the catalogue", key)
			return
		}
		for _, p := range checkEntry(key, t) {
			report(call.Pos(), "%s", p)
		}
		argCount(call, key, len(call.Args)-spec.key-1)
	}
	for _, f := range files {
		for _, d := range f.Decls {
			fn, _ := d.(*ast.FuncDecl)
			ast.Inspect(d, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					check(fn, call)
				}
				return true
			})
		}
	}
	return probs, used
}

func isParam(fn *ast.FuncDecl, name string) bool {
	for _, field := range fn.Type.Params.List {
		for _, n := range field.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

// TestCatalogueCoversCalls parses every non-test file of the package and
// fails for each message key used without a full translation, so a string
// cannot be added without its translations.
func TestCatalogueCoversCalls(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) < 5 {
		t.Fatalf("found %d files of the package; is the test running in bot/?", len(files))
	}
	probs, used := checkCalls(fset, files, catalogue, plurals)
	for _, p := range probs {
		t.Error(p)
	}
	// An entry no call uses is dead weight that translators would keep
	// up to date for nothing. Command and option descriptions are used by
	// localizeCommands.
	var describe func(opts []*discordgo.ApplicationCommandOption)
	describe = func(opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			used[o.Description] = true
			describe(o.Options)
		}
	}
	for _, c := range commands() {
		used[c.Description] = true
		describe(c.Options)
	}
	for k := range catalogue {
		if !used[k] {
			t.Errorf("catalogue entry %q is used by no call", k)
		}
	}
	for k := range plurals {
		if !used[k] {
			t.Errorf("plural entry %q is used by no call", k)
		}
	}
	t.Logf("%d catalogue keys used by calls, %d messages and %d plurals in the catalogue", len(used), len(catalogue), len(plurals))
}

// TestCheckCallsFindsProblems feeds checkCalls sources with known
// problems, so that TestCatalogueCoversCalls cannot pass by finding
// nothing.
func TestCheckCallsFindsProblems(t *testing.T) {
	t.Parallel()
	full := func(de, fr, es, ru string) translations {
		return translations{langDE: de, langFR: fr, langES: es, langRU: ru}
	}
	cat := map[string]translations{
		"Hello":          full("Hallo", "Bonjour", "Hola", "Привет"),
		"Hello %s":       full("Hallo %s", "Bonjour %s", "Hola %s", "Привет, %s"),
		"Bad verbs %s":   full("Falsch %d", "Faux %s", "Mal %s", "Плохо %s"),
		"Half done":      {langDE: "Halb fertig"},
		"Use /search":    full("Nutze /search", "Utilisez /rechercher", "Usa /buscar", "Используйте /поиск"),
		"Both %s and %d": full("%[2]d und %[1]s", "%s et %d", "%s y %d", "%s и %d"),
	}
	pl := map[string]pluralForms{
		"%d cats": {langDE: {"%d Katze", "%d Katzen"}, langFR: {"%d chat", "%d chats"}, langES: {"%d gato", "%d gatos"}, langRU: {"%d кошка", "%d кошки", "%d кошек"}},
		"%d dogs": {langDE: {"%d Hund", "%d Hunde"}, langFR: {"%d chien"}, langES: {"%d perro", "%d perros"}, langRU: {"%d собака", "%d собаки", "%d собак"}},
	}
	for _, tc := range []struct {
		name, src string
		want      []string // substrings of the problems, in order; none for a clean source
	}{
		{"clean", `func f(l lang) string { return l.T("Hello") + l.T("Hello %s", "x") + tr("de", "Hello") }`, nil},
		{"reordered args", `func f(l lang) string { return l.T("Both %s and %d", "x", 1) }`, nil},
		{"constant key", `const k = "Hello"
func f(l lang) string { return l.T(k) + l.T(string(k)) }`, nil},
		{"wrapper", `func (it *interaction) T(english string, args ...any) string { return langOf(it.i.Locale).T(english, args...) }`, nil},
		{"spread args", `func f(l lang, a []any) string { return l.T("Hello %s", a...) }`, nil},
		{"missing key", `func f(l lang) string { return l.T("Goodbye") }`, []string{`"Goodbye" is not in the catalogue`}},
		{"missing via tr", `func f() string { return tr("de", "Goodbye") }`, []string{`"Goodbye" is not in the catalogue`}},
		{"missing language", `func f(l lang) string { return l.T("Half done") }`, []string{"no French", "no Spanish", "no Russian"}},
		{"verbs differ", `func f(l lang) string { return l.T("Bad verbs %s", "x") }`, []string{`German "Falsch %d": fmt verbs [1:%d], the key has [1:%s]`}},
		{"english command name", `func f(l lang) string { return l.T("Use /search") }`, []string{"names /search, but the reader's client shows /suchen"}},
		{"too few args", `func f(l lang) string { return l.T("Hello %s") }`, []string{"takes 1 arguments, the call passes 0"}},
		{"too many args", `func f(l lang) string { return l.T("Hello", 1) }`, []string{"takes 0 arguments, the call passes 1"}},
		{"variable key", `func f(l lang, s string) string { return l.T(s) }`, []string{"not a string constant"}},
		{"plural", `func f(l lang) string { return l.N(2, "%d cat", "%d cats") }`, nil},
		{"plural missing", `func f(l lang) string { return l.N(2, "%d mouse", "%d mice") }`, []string{`plural "%d mice" is not in the catalogue's plurals`}},
		{"plural forms", `func f(l lang) string { return l.N(2, "%d dog", "%d dogs") }`, []string{"French has 1 forms, want 2"}},
		{"plural singular verbs", `func f(l lang) string { return l.N(1, "one cat", "%d cats") }`, []string{"take different verbs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "src.go", "package bot\n"+tc.src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			probs, _ := checkCalls(fset, []*ast.File{f}, cat, pl)
			if len(tc.want) == 0 && len(probs) > 0 {
				t.Errorf("problems in a clean source:\n%s", strings.Join(probs, "\n"))
			}
			all := strings.Join(probs, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q; got:\n%s", w, all)
				}
			}
		})
	}
}

// commandNameRE is Discord's rule for command and option names (and their
// localizations), with Go's script names for \p{sc=Deva} and \p{sc=Thai}.
var commandNameRE = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// TestCommandLocalizations checks the localizations of every command,
// option and choice against Discord's rules: every locale of localeLangs,
// names lowercase and matching the name pattern, descriptions of 1–100
// characters, a localized command name unique among the commands in its
// locale, and a localized option name different from the command's other
// option names, default or localized.
func TestCommandLocalizations(t *testing.T) {
	t.Parallel()
	cmds := commands()
	checkName := func(what, name string) {
		if !commandNameRE.MatchString(name) || strings.ToLower(name) != name {
			t.Errorf("%s: name %q breaks Discord's rule (lowercase, ^[-_\\p{L}\\p{N}]{1,32}$)", what, name)
		}
	}
	checkDesc := func(what, desc string) {
		if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
			t.Errorf("%s: description %q has %d characters, want 1–100", what, desc, n)
		}
	}
	checkLocales := func(what string, names, descs map[discordgo.Locale]string) {
		for _, ll := range localeLangs {
			name, ok := names[ll.locale]
			if !ok {
				t.Errorf("%s: no name in %s (add it to commandNames)", what, ll.locale)
			} else {
				checkName(fmt.Sprintf("%s in %s", what, ll.locale), name)
			}
			desc, ok := descs[ll.locale]
			if !ok {
				t.Errorf("%s: no description in %s (add it to the catalogue)", what, ll.locale)
			} else {
				checkDesc(fmt.Sprintf("%s in %s", what, ll.locale), desc)
			}
		}
		for loc := range names {
			if _, ok := discordgo.Locales[loc]; !ok {
				t.Errorf("%s: %q is not a Discord locale", what, loc)
			}
		}
	}
	var checkOptions func(path string, opts []*discordgo.ApplicationCommandOption)
	checkOptions = func(path string, opts []*discordgo.ApplicationCommandOption) {
		defaults := map[string]bool{}
		for _, o := range opts {
			defaults[o.Name] = true
		}
		byLocale := map[discordgo.Locale]map[string]string{}
		for _, o := range opts {
			what := path + " " + o.Name
			checkName(what, o.Name)
			checkDesc(what, o.Description)
			checkLocales(what, o.NameLocalizations, o.DescriptionLocalizations)
			for loc, name := range o.NameLocalizations {
				if name != o.Name && defaults[name] {
					t.Errorf("%s: %s name %q is another option's name", what, loc, name)
				}
				if byLocale[loc] == nil {
					byLocale[loc] = map[string]string{}
				}
				if other, dup := byLocale[loc][name]; dup {
					t.Errorf("%s: %s name %q is also option %s's", what, loc, name, other)
				}
				byLocale[loc][name] = o.Name
			}
			for _, ch := range o.Choices {
				for _, ll := range localeLangs {
					if n := utf8.RuneCountInString(ch.NameLocalizations[ll.locale]); n < 1 || n > 100 {
						t.Errorf("%s choice %q: %s name has %d characters, want 1–100", what, ch.Name, ll.locale, n)
					}
				}
			}
			checkOptions(what, o.Options)
		}
	}
	commandsIn := map[discordgo.Locale]map[string]string{}
	for _, c := range cmds {
		what := "/" + c.Name
		var names, descs map[discordgo.Locale]string
		if c.NameLocalizations != nil {
			names = *c.NameLocalizations
		}
		if c.DescriptionLocalizations != nil {
			descs = *c.DescriptionLocalizations
		}
		checkLocales(what, names, descs)
		for loc, name := range names {
			if commandsIn[loc] == nil {
				commandsIn[loc] = map[string]string{}
			}
			if other, dup := commandsIn[loc][name]; dup {
				t.Errorf("%s: %s name %q is also /%s's", what, loc, name, other)
			}
			commandsIn[loc][name] = c.Name
		}
		checkOptions(what, c.Options)
	}
}

// TestLocalizedCommandsOnDiscord registers the localized commands with the
// fake Discord, which checks the body against Discord's OpenAPI document
// and its naming rules. It then asks in German. Discord sends the English
// option names whatever the reader's locale, so the answer comes as for
// anyone else.
func TestLocalizedCommandsOnDiscord(t *testing.T) {
	t.Parallel()
	e := startBot(t, setup{})
	var put *discordfake.Request
	for _, r := range e.fake.Requests() {
		if r.Method == "PUT" && strings.HasSuffix(r.Route, "/commands") {
			put = &r
		}
	}
	if put == nil {
		t.Fatal("no bulk overwrite of the commands")
	}
	var sent []struct {
		Name              string            `json:"name"`
		NameLocalizations map[string]string `json:"name_localizations"`
		Options           []struct {
			Name                     string            `json:"name"`
			NameLocalizations        map[string]string `json:"name_localizations"`
			DescriptionLocalizations map[string]string `json:"description_localizations"`
		} `json:"options"`
	}
	if err := json.Unmarshal(put.Body, &sent); err != nil {
		t.Fatal(err)
	}
	if len(sent) == 0 || sent[0].Name != "ask" || sent[0].NameLocalizations["de"] != "fragen" || sent[0].NameLocalizations["es-419"] != "preguntar" {
		t.Fatalf("first command sent = %+v, want /ask localized (de fragen, es-419 preguntar)", sent[0])
	}
	if o := sent[0].Options[0]; o.Name != "question" || o.NameLocalizations["ru"] != "вопрос" || o.DescriptionLocalizations["fr"] != "Votre question" {
		t.Errorf("/ask's first option sent = %+v, want English name with localizations", o)
	}
	// What the fake stored and returns keeps the localizations.
	for _, c := range e.fake.Commands(e.fake.GuildID) {
		if !strings.Contains(string(c.Raw), `"name_localizations"`) {
			t.Errorf("/%s stored without name_localizations: %s", c.Name, c.Raw)
		}
	}
	it := e.fake.Interact(e.ctx, discordfake.InteractionSpec{
		CommandName: "ask", Locale: "de",
		Options: []discordfake.Option{discordfake.Opt("question", "What does Article 9 call for?")},
	})
	if msg := e.final(it); !strings.Contains(msg.Text(), "unblocking") {
		t.Errorf("answer to a German reader = %q, want the Article 9 passage", msg.Text())
	}
}
