package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ContentWords returns the distinct content words of s, in order: lower
// cased, lightly stemmed, without stop words and without citation markers.
// Numbers are content words: they are what a hallucinated figure gets
// wrong.
func ContentWords(s string) []string {
	return span{toks: tokenize(stripMarkers(s))}.words()
}

// token is one word of a text: a run of letters, digits and combining marks.
type token struct {
	start, end int
	raw        string // as written
	// word is the content word (lower cased, stemmed); "" for a stop word
	// or a single letter.
	word string
}

// tokenize cuts s into words; everything else separates them.
func tokenize(s string) []token {
	var out []token
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		t := token{start: start, end: end, raw: s[start:end]}
		start = -1
		w := strings.ToLower(t.raw)
		if !stopWords[w] && (utf8.RuneCountInString(w) >= 2 || isDigits(w)) {
			t.word = stem(w)
		}
		out = append(out, t)
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// stem strips a few English inflections, enough for a paraphrase
// ("tensions rose", "rising tension") to share words with its passage. It
// is deliberately light: a wrong merge only makes the support check a
// little more lenient.
func stem(w string) string {
	if isDigits(w) || !isASCII(w) {
		return w
	}
	n := len(w)
	switch {
	case n > 5 && strings.HasSuffix(w, "ing"):
		w = w[:n-3]
	case n > 4 && (strings.HasSuffix(w, "ies") || strings.HasSuffix(w, "ied")):
		w = w[:n-3] + "y"
	case n > 4 && strings.HasSuffix(w, "ed"):
		w = w[:n-2]
	case n > 4 && (strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes")):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	}
	// "recognize", "recognized", "recognizes" all end up "recogniz".
	if len(w) > 4 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

func isASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// supportRatio decides whether a sentence with total distinct content words
// sharing shared of them with a passage is supported by it: either 40% of
// its words come from the passage, or at least three do and they make up
// 30% of it. A long claim citing the wrong passage often shares a couple of
// the topic's words with it ("Article 9 calls for unblocking..." cited to
// the passage on Article 6 shares "article" and "call"); that is not
// support.
func supportRatio(shared, total int) bool {
	if total == 0 || shared == 0 {
		return false
	}
	return shared*5 >= total*2 || (shared >= 3 && shared*10 >= total*3)
}

// Supports tells whether passage supports sentence (see claim.supportedBy):
// enough of the sentence's content words (see ContentWords) occur in the
// passage, and so do the words that carry the claim: its numbers, its
// names, any two specific words in a row, and its negation or the lack of
// one.
func Supports(passage, sentence string) bool {
	return newClaim(sentence).supportedBy(newGrounds(passage))
}

// grounds is what a passage offers to support claims: its content words,
// and its clauses, each with its words and whether it is negated.
type grounds struct {
	words   map[string]bool
	clauses []clause
}

// clause is a stretch of text between clause punctuation (see clauses),
// the scope a negation is judged in.
type clause struct {
	words   map[string]bool
	negated bool
}

func newGrounds(text string) *grounds {
	g := &grounds{words: map[string]bool{}}
	for _, c := range clauses(stripMarkers(text)) {
		cl := clause{words: map[string]bool{}, negated: c.negated()}
		for _, t := range c.toks {
			if t.word != "" {
				cl.words[t.word] = true
				g.words[t.word] = true
			}
		}
		g.clauses = append(g.clauses, cl)
	}
	return g
}

// hasName tells whether the passage gives the name w, or a longer or
// shorter form of it ("Iran" and "Iranian", "Azerbaijan" and
// "Azerbaijani").
func (g *grounds) hasName(w string) bool {
	if g.words[w] {
		return true
	}
	if utf8.RuneCountInString(w) < 4 {
		return false
	}
	for p := range g.words {
		if utf8.RuneCountInString(p) >= 4 && (strings.HasPrefix(p, w) || strings.HasPrefix(w, p)) {
			return true
		}
	}
	return false
}

// related tells whether a word of a claim is the passage's word or shares
// most of its beginning with one ("invaded" and "invasion"), for the check
// of invented specifics.
func (g *grounds) related(w string) bool {
	if g.words[w] {
		return true
	}
	rw := []rune(w)
	for p := range g.words {
		rp := []rune(p)
		n := 0
		for n < len(rw) && n < len(rp) && rw[n] == rp[n] {
			n++
		}
		if n >= 4 && n*3 >= min(len(rw), len(rp))*2 {
			return true
		}
	}
	return false
}

// claim is what the support check needs of one sentence of an answer.
type claim struct {
	// words are the distinct content words.
	words []string
	// names are the content words written with a capital, other than the
	// sentence's first word: the names a passage must give.
	names []string
	// pairs are content words written next to each other (only spaces or
	// hyphens between): "immediate bombing".
	pairs [][2]string
	// clauses are the sentence's clauses with content words, each with
	// its words and whether it is negated.
	clauses []claimClause
}

type claimClause struct {
	words   []string
	negated bool
}

func newClaim(sentence string) claim {
	text := stripMarkers(sentence)
	toks := tokenize(text)
	c := claim{words: span{text, toks}.words()}
	first := true
	for i, t := range toks {
		if t.word == "" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(t.raw)
		if !first && unicode.IsUpper(r) && !isDigits(t.word) {
			c.names = append(c.names, t.word)
		}
		first = false
		if i > 0 && toks[i-1].word != "" && strings.Trim(text[toks[i-1].end:t.start], " -‑") == "" {
			c.pairs = append(c.pairs, [2]string{toks[i-1].word, t.word})
		}
	}
	for _, cl := range clausesOf(text, toks) {
		if words := cl.words(); len(words) > 0 {
			c.clauses = append(c.clauses, claimClause{words: words, negated: cl.negated()})
		}
	}
	return c
}

// supportedBy tells whether the passage g supports the claim:
//   - every number and every name of the claim is in the passage;
//   - no two specific words in a row are both missing from it ("called for
//     immediate bombing" cited to a passage that never says so);
//   - each clause of the claim is negated, or not, like the passage clause
//     that shares the most words with it ("Iran sent troops" cited to
//     "Iran did not send troops", or the reverse, fails);
//   - and enough of its words are in the passage (see supportRatio).
func (c claim) supportedBy(g *grounds) bool {
	shared := 0
	for _, w := range c.words {
		if g.words[w] {
			shared++
		} else if isDigits(w) {
			// A number the passage does not give (a year, an article, a
			// count) is a claim it cannot support, whatever else matches.
			return false
		}
	}
	if !supportRatio(shared, len(c.words)) {
		return false
	}
	for _, n := range c.names {
		if !g.hasName(n) {
			return false
		}
	}
	for _, p := range c.pairs {
		if !g.related(p[0]) && !g.related(p[1]) {
			return false
		}
	}
	for _, cl := range c.clauses {
		if !g.agrees(cl) {
			return false
		}
	}
	return true
}

// agrees tells whether the passage clauses sharing the most words with cl
// include one negated as cl is. A clause sharing no word says nothing.
func (g *grounds) agrees(cl claimClause) bool {
	best, agree := 0, true
	for _, pc := range g.clauses {
		n := 0
		for _, w := range cl.words {
			if pc.words[w] {
				n++
			}
		}
		switch {
		case n == 0 || n < best:
		case n > best:
			best, agree = n, pc.negated == cl.negated
		default:
			agree = agree || pc.negated == cl.negated
		}
	}
	return agree
}

// span is a stretch of text with its words (positions within text).
type span struct {
	text string
	toks []token
}

// words returns the distinct content words of the span's tokens, in order.
func (sp span) words() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range sp.toks {
		if t.word != "" && !seen[t.word] {
			seen[t.word] = true
			out = append(out, t.word)
		}
	}
	return out
}

// clauses cuts text (without citation markers) into sentences
// (SplitSentences) and those into clauses (clausesOf). Clauses without
// words are left out.
func clauses(text string) []span {
	var out []span
	for _, s := range SplitSentences(text) {
		out = append(out, clausesOf(s.Text, tokenize(s.Text))...)
	}
	return out
}

// clausesOf cuts the tokens of one sentence (offsets into text) at clause
// punctuation and at the word "but": the stretches a negation applies to.
func clausesOf(text string, toks []token) []span {
	var out []span
	from := 0
	for i := 0; i <= len(toks); i++ {
		but := i < len(toks) && strings.EqualFold(toks[i].raw, "but")
		punct := i > 0 && i < len(toks) && strings.ContainsAny(text[toks[i-1].end:toks[i].start], ",;:()—–")
		if i < len(toks) && !but && !punct {
			continue
		}
		if i > from {
			out = append(out, span{text: text, toks: toks[from:i]})
		}
		from = i
		if but {
			from = i + 1
		}
	}
	return out
}

// negationWords negate a clause, in the languages of the stop words.
// "n't" is recognised apart ("didn't", "can't").
var negationWords = map[string]bool{
	"not": true, "no": true, "never": true, "none": true, "nobody": true, "nothing": true,
	"neither": true, "nor": true, "cannot": true, "nowhere": true,
	"pas": true, "jamais": true, "aucun": true, "aucune": true, "nunca": true, "ningún": true, "ninguna": true,
	"nicht": true, "kein": true, "keine": true, "keinen": true, "nie": true,
}

// notNegating follow a negation word to make it affirm: "not only",
// "no doubt", "not just".
var notNegating = map[string]bool{"only": true, "just": true, "doubt": true, "merely": true}

// negated tells whether the span holds a negation that is not an idiom of
// affirmation.
func (sp span) negated() bool {
	toks := sp.toks
	for i, t := range toks {
		lw := strings.ToLower(t.raw)
		var next string
		if i+1 < len(toks) {
			next = strings.ToLower(toks[i+1].raw)
		}
		switch {
		case negationWords[lw] && !notNegating[next]:
			return true
		case strings.HasSuffix(lw, "n") && next == "t" && isApostrophe(sp.text[t.end:toks[i+1].start]):
			return true
		}
	}
	return false
}

func isApostrophe(s string) bool { return s == "'" || s == "’" }

// stopWords are function words of the languages briefbot is most often
// asked in, plus the words a model uses to talk about its sources
// ("according to the passage"), which say nothing about support.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a about above after again against all also although am an and any are aren as at
be because been before being below between both but by can cannot could did didn do does
doesn doing don down during each either few for from further had has have having he her
hasn haven here hers herself him himself his how however i if in into is isn it its itself
just least less let like may me might more most much must my myself neither no nor not
now of off on once only or other our ours ourselves out over own per rather same she
should since so some such than that the their theirs them themselves then there these
they this those though through thus to too under until up upon us very via was wasn
we were weren what when where whether which while who whom whose why will with within without
won would yes yet you your yours yourself
across along around among amid beyond behind beside near onto toward towards throughout despite
according passage passages document documents source sources text texts states stated
says said mention mentions mentioned note notes noted report reports reported describe
describes described explain explains explained indicate indicates indicated suggest
suggests suggested answer question
le la les un une des du de et ou en dans sur pour par avec sans est sont été être
au aux ce ces cet cette qui que quoi dont où il elle ils elles nous vous leur leurs
son sa ses se ne pas plus ni mais donc car selon
el los las unos unas del y o en con sin es son por para que se su sus según
der die das den dem des ein eine einer und oder ist sind mit von zu im auf für nicht
`) {
		m[w] = true
	}
	return m
}()
