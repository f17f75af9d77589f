package corpus

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scalingCase is an adversarial input shape for one parser: gen builds an
// input of about n bytes, run parses it. All run with CORPUS_SCALING=all.
type scalingCase struct {
	name string
	// quick cases run in the normal test suite, the others with
	// CORPUS_SCALING=all (and in the benchmark).
	gen func(n int) string
	run func(s string)
}

func parseAs(f Format) func(string) {
	return func(s string) { _, _ = Parse("x", []byte(s), f, Options{}) }
}

func repeatTo(unit string, n int) string { return strings.Repeat(unit, max(1, n/len(unit))) }

func markdownShape(name, unit string) scalingCase {
	return scalingCase{name: "markdown/" + name, gen: func(n int) string { return repeatTo(unit, n) }, run: parseAs(FormatMarkdown)}
}

func htmlShape(name, unit string) scalingCase {
	return scalingCase{name: "html/" + name, gen: func(n int) string { return repeatTo(unit, n) }, run: parseAs(FormatHTML)}
}

// letters writes k in base 26 with the letters a to z.
func letters(k int) string {
	s := string(rune('a' + k%26))
	for k /= 26; k > 0; k /= 26 {
		s = string(rune('a'+k%26)) + s
	}
	return s
}

// sectionNames makes n distinct headings that share one slug.
func sectionNames(n int) string {
	var b strings.Builder
	b.WriteString("# T\n\nSome text here.\n\n")
	const punct = "!?.,;:"
	for k := 0; b.Len() < n; k++ {
		name := "A"
		for v := k; v > 0; v /= len(punct) {
			name += string(punct[v%len(punct)])
		}
		b.WriteString("## " + name + "\n\nBody text.\n\n")
	}
	return b.String()
}

func scalingCases() []scalingCase {
	md := []scalingCase{
		markdownShape("quote-markers", ">"),
		markdownShape("spaced-quote-markers", "> "),
		markdownShape("hashes", "#"),
		markdownShape("stars", "*"),
		markdownShape("underscores", "_"),
		markdownShape("brackets", "["),
		markdownShape("parens", "("),
		markdownShape("backticks", "`"),
		markdownShape("lt", "<"),
		markdownShape("amp", "&"),
		markdownShape("comment-openers", "<!--"),
		markdownShape("tag-openers", "<a "),
		markdownShape("backslashes", "\\"),
		markdownShape("tildes", "~"),
		markdownShape("pipes", "|"),
		markdownShape("dots", "."),
		markdownShape("unclosed-links", "[a]("),
		markdownShape("unclosed-images", "!["),
		markdownShape("ref-links", "[a][b] "),
		markdownShape("links", "[a](http://x.example/) word "),
		markdownShape("alternating-backticks", "`` ``` "),
		markdownShape("emphasis-openers", "_a *b "),
		markdownShape("one-huge-sentence", "word "),
		markdownShape("one-huge-word", "x"),
		markdownShape("page-broken-paragraphs", "one two three four five six seven eight\n\n"),
		markdownShape("list-continuations", "- item\n\n  more\n\n"),
		markdownShape("nested-list", "- a\n  - b\n    - c\n      - d\n"),
		markdownShape("url-split-lines", "(/a-\n"),
		markdownShape("rules-and-labels", "---\n\nWord\n\n"),
		markdownShape("url-after-dots", ". (/x) "),
		markdownShape("bold-link-url", "**[a](http://u.example/)** (/x) "),
		markdownShape("quotes-then-urls", `**a** """" (/x) `),
		markdownShape("headings", "## Heading\n\n"),
		markdownShape("spaces", " "),
		markdownShape("entities", "&amp;"),
		markdownShape("autolinks", "<http://a.example/> "),
		{name: "markdown/emphasis-stack", gen: func(n int) string {
			return repeatTo("_a ", n/2) + repeatTo("a* ", n/2)
		}, run: parseAs(FormatMarkdown)},
		{name: "markdown/abbreviation-dots", gen: func(n int) string {
			return "Mr" + strings.Repeat(".", n) + " X"
		}, run: parseAs(FormatMarkdown)},
		{name: "markdown/dots-then-urls", gen: func(n int) string {
			return strings.Repeat(".", n/2) + repeatTo(" (/x)", n/2)
		}, run: parseAs(FormatMarkdown)},
		{name: "markdown/trailing-headings", gen: func(n int) string {
			return repeatTo("x\n\n", n/3) + "This paragraph has more than twelve words in it, so it is content.\n\n" + repeatTo("## H\n\n", n/2)
		}, run: parseAs(FormatMarkdown)},
		{name: "markdown/rules-before-prose", gen: func(n int) string {
			return repeatTo("---\n\n", n) + strings.Repeat("word ", 30) + "end.\n"
		}, run: parseAs(FormatMarkdown)},
		{name: "markdown/colliding-slugs", gen: sectionNames, run: parseAs(FormatMarkdown)},
		{name: "markdown/bio-names", gen: func(n int) string {
			return "# T\n\nby Jane Doe\n\n## About the Authors\n\n" + repeatTo("Jane Doe\n\n", n/2) + repeatTo("Jane Doe is a fellow. ", n/2)
		}, run: parseAs(FormatMarkdown)},
		{name: "text/quote-markers", gen: func(n int) string { return strings.Repeat(">", n) }, run: parseAs(FormatText)},
	}
	html := []scalingCase{
		htmlShape("paragraphs", "<p>word "),
		htmlShape("bold", "<b>x"),
		htmlShape("anchors", "<a href=x>y"),
		htmlShape("lt", "<"),
		htmlShape("amp", "&"),
		htmlShape("comments", "<!--"),
		htmlShape("tables", "<table><tr><td>x"),
		htmlShape("list-items", "<li>x"),
		htmlShape("spans-with-spaces", "<span> </span>"),
		htmlShape("text", "word "),
		htmlShape("rules", "<hr><p>Word</p>"),
	}
	jsonl := []scalingCase{
		{name: "jsonl/records", gen: func(n int) string {
			var b strings.Builder
			for k := 0; b.Len() < n; k++ {
				fmt.Fprintf(&b, "{\"id\":\"r%d\",\"text\":\"Some text.\"}\n", k)
			}
			return b.String()
		}, run: parseAs(FormatJSONL)},
		{name: "jsonl/huge-quote-line", gen: func(n int) string {
			return `{"id":"a","text":"` + strings.Repeat(">", n) + `"}`
		}, run: parseAs(FormatJSONL)},
		{name: "jsonl/duplicate-ids", gen: func(n int) string { return repeatTo("{\"id\":\"a\",\"text\":\"x\"}\n", n) }, run: parseAs(FormatJSONL)},
		{name: "jsonl/brackets", gen: func(n int) string { return strings.Repeat("[", n) }, run: parseAs(FormatJSONL)},
		{name: "jsonl/many-distinct-authors", gen: func(n int) string {
			// Each bio names the last author, the one found last.
			var authors, bios strings.Builder
			k := 0
			for ; authors.Len() < n/2; k++ {
				fmt.Fprintf(&authors, `"Jane Doe%s",`, letters(k))
			}
			for bios.Len() < n/2 {
				fmt.Fprintf(&bios, `Doe%s is a fellow.\n\n`, letters(k-1))
			}
			return `{"id":"a","authors":[` + strings.TrimSuffix(authors.String(), ",") + `],"text":"## About the Authors\n\n` + bios.String() + `"}`
		}, run: parseAs(FormatJSONL)},
		{name: "jsonl/many-authors", gen: func(n int) string {
			return `{"id":"a","authors":[` + strings.TrimSuffix(repeatTo(`"Jane Doe",`, n/2), ",") + `],"text":"## About the Authors\n\n` + repeatTo(`Jane Doe\n\nJane Doe is here. `, n/2) + `"}`
		}, run: parseAs(FormatJSONL)},
	}
	other := []scalingCase{
		{name: "sentences/dots", gen: func(n int) string { return strings.Repeat(".", n) }, run: func(s string) { Sentences(s) }},
		{name: "sentences/abbreviation-dots", gen: func(n int) string { return "Mr" + strings.Repeat(".", n) + " X" }, run: func(s string) { Sentences(s) }},
		{name: "sentences/short", gen: func(n int) string { return repeatTo("A b. ", n) }, run: func(s string) { Sentences(s) }},
		{name: "sentences/lines", gen: func(n int) string { return repeatTo("a\n", n) }, run: func(s string) { Sentences(s) }},
		{name: "passage/chunk-huge-sentence", gen: func(n int) string { return repeatTo("word ", n) }, run: func(s string) { chunkSpans(s, 100) }},
		{name: "passage/chunk-sentences", gen: func(n int) string { return repeatTo("A sentence. ", n) }, run: func(s string) { chunkSpans(s, 100) }},
		{name: "plain/paragraphs", gen: func(n int) string { return repeatTo("Some words here.\n\n", n) }, run: func(s string) { PlainDocument("p", "T", s, Options{}) }},
		{name: "plain/one-line", gen: func(n int) string { return repeatTo("word ", n) }, run: func(s string) { PlainDocument("p", "T", s, Options{}) }},
		{name: "sidecar/authors", gen: func(n int) string {
			return `{"authors":[` + strings.TrimSuffix(repeatTo(`"A B",`, n), ",") + `]}`
		}, run: func(s string) { _, _ = parseSidecar([]byte(s)) }},
		{name: "sidecar/brackets", gen: func(n int) string { return strings.Repeat("[", n) }, run: func(s string) { _, _ = parseSidecar([]byte(s)) }},
	}
	return append(append(append(md, html...), jsonl...), other...)
}

// quickScaling names the shapes that run in the normal test suite: at least
// one per parser, and those that were quadratic before.
var quickScaling = map[string]bool{
	"markdown/quote-markers":          true,
	"markdown/brackets":               true,
	"markdown/dots":                   true,
	"markdown/one-huge-sentence":      true,
	"markdown/page-broken-paragraphs": true,
	"markdown/emphasis-stack":         true,
	"markdown/url-after-dots":         true,
	"markdown/trailing-headings":      true,
	"text/quote-markers":              true,
	"html/bold":                       true,
	"jsonl/many-distinct-authors":     true,
	"jsonl/huge-quote-line":           true,
	"sentences/abbreviation-dots":     true,
	"passage/chunk-huge-sentence":     true,
	"plain/one-line":                  true,
	"sidecar/authors":                 true,
}

// bestOf returns the shortest of several timings of f: the minimum is the
// measure least disturbed by the machine's other work.
func bestOf(runs int, f func()) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range runs {
		runtime.GC()
		start := time.Now()
		f()
		if d := time.Since(start); d < best {
			best = d
		}
	}
	return best
}

// growthRatio picks an input size n at which parsing takes a few
// milliseconds and returns time(2n)/time(n), best of several runs each.
func growthRatio(c scalingCase) (ratio float64, n int, tn, t2n time.Duration) {
	// The collector's pacing depends on the heap's size, which changes
	// with n: runs are timed without it (bestOf collects in between).
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	// Small inputs fit in the processor's caches and their larger
	// doubles do not, which alone can nearly triple the time.
	n = 16 << 10
	for {
		s := c.gen(n)
		tn = bestOf(2, func() { c.run(s) })
		if tn >= 2*time.Millisecond || n >= 1<<20 {
			break
		}
		n *= 2
	}
	if tn > 500*time.Millisecond {
		return 0, n, tn, 0 // far too slow already; do not wait for 2n
	}
	small, big := c.gen(n), c.gen(2*n)
	tn, t2n = time.Duration(1<<63-1), time.Duration(1<<63-1)
	for range 5 {
		tn = min(tn, bestOf(1, func() { c.run(small) }))
		t2n = min(t2n, bestOf(1, func() { c.run(big) }))
	}
	return float64(t2n) / float64(max(tn, time.Microsecond)), n, tn, t2n
}

// TestParsersScaleLinearly doubles adversarial inputs of every parser and
// checks that the parse time roughly doubles too (a quadratic path
// quadruples it).
func TestParsersScaleLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	if raceEnabled {
		t.Skip("timings are meaningless under the race detector")
	}
	for _, c := range scalingCases() {
		if !quickScaling[c.name] && os.Getenv("CORPUS_SCALING") != "all" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			ratio, n, tn, t2n := growthRatio(c)
			// A busy machine (other tests, other builds) can disturb a
			// measure; a quadratic path fails every time.
			for try := 0; try < 4 && ratio >= 3; try++ {
				ratio, n, tn, t2n = growthRatio(c)
			}
			t.Logf("n=%d: %v, 2n: %v, ratio %.2f", n, tn, t2n, ratio)
			if ratio >= 3 {
				t.Errorf("time(2n)/time(n) = %.2f (n=%d: %v, 2n: %v), want < 3: superlinear", ratio, n, tn, t2n)
			}
			if tn > 500*time.Millisecond {
				t.Errorf("n=%d takes %v: far too slow", n, tn)
			}
		})
	}
}

// BenchmarkParsers parses every adversarial shape at doubling sizes; compare
// ns/op across sizes with benchstat or by eye.
func BenchmarkParsers(b *testing.B) {
	for _, c := range scalingCases() {
		for _, n := range []int{16 << 10, 32 << 10, 64 << 10} {
			s := c.gen(n)
			b.Run(c.name+"/n="+strconv.Itoa(n), func(b *testing.B) {
				b.SetBytes(int64(len(s)))
				for b.Loop() {
					c.run(s)
				}
			})
		}
	}
}

// BenchmarkQuoteLine parses one line of ">" markers, the input that took
// minutes when each marker was stripped by a new copy of the line:
//
//	go test ./corpus -run '^$' -bench BenchmarkQuoteLine -benchtime 5x
func BenchmarkQuoteLine(b *testing.B) {
	for _, n := range []int{25_000, 100_000, 400_000} {
		s := []byte(strings.Repeat(">", n))
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				_, _ = Parse("q.md", s, FormatMarkdown, Options{})
			}
		})
	}
}
