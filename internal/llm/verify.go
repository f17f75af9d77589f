package llm

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NotInSourcesToken is what the system prompt asks the model to reply, alone,
// when the passages do not answer the question.
const NotInSourcesToken = "NOT_IN_SOURCES"

// maxConnectiveWords is the most content words an uncited sentence may have
// and still count as connective ("In short:", "Here is what the documents
// say."). A longer uncited sentence is a claim nobody can check, so it is
// dropped.
const maxConnectiveWords = 4

// Check is the outcome of verifying a model answer against the passages it
// was written from.
type Check struct {
	// Text is the answer with dropped sentences removed and citation groups
	// rewritten to the supporting, valid numbers, one bracket each.
	Text string
	// Citations are the distinct numbers cited by the kept sentences,
	// ascending.
	Citations []int
	// Dropped are the sentences removed, as the model wrote them.
	Dropped []string
	// Grounded counts the kept sentences that carry a valid citation to a
	// passage supporting them.
	Grounded int
	// NotInSources tells that the model said the passages do not answer,
	// by the agreed token or, when no sentence is grounded, in words.
	NotInSources bool
}

// VerifyAnswer checks answer against the passages it cites. Citation
// numbers that are not among sources are removed. A sentence is kept when
// at least one of its valid cited passages supports it (see Supports); the
// citations to passages that do not support it are removed. A sentence
// citing nothing valid is dropped, and so is an uncited one, unless it is
// merely connective (at most maxConnectiveWords content words, none of them
// a number or a word of the passages) and the answer has grounded
// sentences. A number is cited once per sentence. Numbers are never
// renumbered: they stay the N of the sources.
func VerifyAnswer(answer string, sources []Source) Check {
	v := newVerifier(sources)
	return v.check(answer, SplitSentences(answer))
}

// verifier holds what each passage offers to support claims, computed once
// per answer and reused for every partial of a stream, and the verdicts
// already given, since a stream re-checks its earlier sentences on every
// piece. It is not safe for concurrent use.
type verifier struct {
	passages map[int]*grounds
	verdicts map[string]verdict
}

func newVerifier(sources []Source) *verifier {
	v := &verifier{passages: make(map[int]*grounds, len(sources)), verdicts: map[string]verdict{}}
	for _, s := range sources {
		v.passages[s.N] = newGrounds(s.Title + "\n" + s.Section + "\n" + s.Text)
	}
	return v
}

// connective tells whether an uncited sentence with these content words
// merely links the others ("In short:", "Here is what the documents
// say."): a few words, no number, and none of them from the passages. An
// uncited sentence about what the passages are about is a claim, however
// short ("iran invaded azerbaijan.").
func (v *verifier) connective(words []string) bool {
	if len(words) > maxConnectiveWords {
		return false
	}
	for _, w := range words {
		if isDigits(w) {
			return false
		}
		for _, g := range v.passages {
			if g.words[w] {
				return false
			}
		}
	}
	return true
}

// verdict is the judgement of one sentence.
type verdict struct {
	text       string // with cleaned markers
	grounded   bool
	connective bool // uncited or without content words: kept only next to grounded ones
	token      bool // the not-in-sources token
}

func (v *verifier) judge(sentence string) verdict {
	if vd, ok := v.verdicts[sentence]; ok {
		return vd
	}
	vd := v.judgeNew(sentence)
	v.verdicts[sentence] = vd
	return vd
}

func (v *verifier) judgeNew(sentence string) verdict {
	if strings.Contains(strings.ToUpper(sentence), NotInSourcesToken) {
		return verdict{token: true}
	}
	cited := CitedNumbers(sentence)
	c := newClaim(sentence)
	words := c.words
	if len(cited) == 0 {
		return verdict{text: sentence, connective: v.connective(words)}
	}
	var supporting []int
	anyValid := false
	for _, n := range cited {
		g, ok := v.passages[n]
		if !ok {
			continue
		}
		anyValid = true
		if len(words) == 0 || c.supportedBy(g) {
			supporting = append(supporting, n)
		}
	}
	if !anyValid || len(supporting) == 0 {
		return verdict{}
	}
	text := CleanMarkers(sentence, func(n int) bool { return slices.Contains(supporting, n) })
	if len(words) == 0 {
		// "Yes [1]." cites validly but claims nothing checkable.
		return verdict{text: text, connective: true}
	}
	return verdict{text: text, grounded: true}
}

// check assembles the verdicts of sentences (spans of answer) into a Check.
func (v *verifier) check(answer string, sentences []Sentence) Check {
	verdicts := make([]verdict, len(sentences))
	var c Check
	for i, s := range sentences {
		verdicts[i] = v.judge(s.Text)
		if verdicts[i].grounded {
			c.Grounded++
		}
		if verdicts[i].token {
			c.NotInSources = true
		}
	}
	var b strings.Builder
	for i, s := range sentences {
		vd := verdicts[i]
		keep := vd.grounded || vd.connective && c.Grounded > 0
		if !keep {
			if !vd.connective && !vd.token && strings.TrimSpace(s.Text) != "" {
				c.Dropped = append(c.Dropped, strings.TrimSpace(s.Text))
			}
			// Keep the line structure: a dropped sentence that ended a
			// line hands its line break to the sentence before it.
			if ws := trailingSpace(s.Text); strings.Contains(ws, "\n") {
				out := b.String()
				if tail := trailingSpace(out); tail != "" && !strings.Contains(tail, "\n") {
					b.Reset()
					b.WriteString(out[:len(out)-len(tail)] + ws)
				}
			}
			continue
		}
		b.WriteString(vd.text)
		for _, n := range CitedNumbers(vd.text) {
			if !slices.Contains(c.Citations, n) {
				c.Citations = append(c.Citations, n)
			}
		}
	}
	slices.Sort(c.Citations)
	c.Text = strings.TrimSpace(b.String())
	if c.Grounded == 0 && !c.NotInSources && soundsNotInSources(answer) {
		c.NotInSources = true
	}
	return c
}

func trailingSpace(s string) string {
	t := strings.TrimRightFunc(s, unicode.IsSpace)
	return s[len(t):]
}

// complete drops a last sentence cut off by the token limit: one that does
// not end in terminal punctuation (optionally followed by closers and
// citation markers).
func complete(sentences []Sentence) []Sentence {
	if len(sentences) == 0 {
		return sentences
	}
	last := strings.TrimSpace(stripMarkers(sentences[len(sentences)-1].Text))
	last = strings.TrimRightFunc(last, func(r rune) bool { return isCloser(r) || unicode.IsSpace(r) })
	if r, _ := utf8.DecodeLastRuneInString(last); isTerminal(r) {
		return sentences
	}
	return sentences[:len(sentences)-1]
}

// notInSourcesPhrases are ways models say the passages do not answer when
// they do not use the agreed token.
var notInSourcesPhrases = []string{
	"do not contain", "does not contain", "don't contain", "doesn't contain",
	"do not answer", "does not answer", "don't answer", "doesn't answer",
	"do not mention", "does not mention", "don't mention", "doesn't mention",
	"do not provide", "does not provide", "do not say", "does not say",
	"do not address", "does not address", "no information", "not mentioned",
	"not covered", "cannot answer", "can't answer", "unable to answer",
	"not in the passages", "not in the documents", "not in the sources",
	"ne contiennent pas", "ne contient pas", "ne mentionnent pas", "ne mentionne pas",
	"aucune information", "ne permettent pas", "no contienen", "no mencionan",
	"no hay información", "enthalten keine", "keine informationen",
}

func soundsNotInSources(answer string) bool {
	s := strings.ToLower(strings.ReplaceAll(answer, "’", "'"))
	for _, p := range notInSourcesPhrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
