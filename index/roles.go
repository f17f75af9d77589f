package index

import (
	"regexp"
	"strings"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/corpus"
)

// role is what a passage is for, judged from the shape of the document
// (its section heading and the form of its sentences), never from a list
// of one document's words.
type role uint8

const (
	// roleText is ordinary content.
	roleText role = iota
	// roleAbout is about the people behind the document: an "About the
	// Authors" section, or sentences introducing people by title and
	// affiliation ("X is a senior fellow at Y"). It answers questions
	// about the authors and is noise for every other question.
	roleAbout
	// roleAdvice is a section of recommendations, conclusions or the way
	// ahead: where a question asking what should be done is answered.
	roleAdvice
)

// Role weights: an about-the-authors passage keeps a quarter of its score
// unless the question asks about authors; a passage of advice gains half
// again for a question asking what should be done (measured on the brief's
// natural question set, see the README).
const (
	aboutWeight  = 0.25
	adviceWeight = 1.5
	authorWeight = 2
)

var (
	aboutHeading = regexp.MustCompile(`(?i)^(about (the )?(authors?|contributors?|us)|(the )?authors?|contributors?|(author )?biograph(y|ies)|author (bio|information|notes?)s?|about the experts?)$`)
	// A sentence that introduces a person: a capitalized name, then "is
	// a/the ... fellow/professor/...".
	bioSentence   = regexp.MustCompile(`^(?:[A-Z][\p{L}.'’-]*\s+){1,4}(?:is|was|serves as)\s+(?:a|an|the)\b[^.;]{0,120}?\b(?:fellow|professor|director|researcher|analyst|editor|correspondent|chair|scholar|lecturer|journalist|advis[eo]r|consultant|president|founder|author)\b`)
	adviceHeading = regexp.MustCompile(`(?i)\b(recommendations?|conclusions?|concluding|way (ahead|forward)|what (should|to do|next)|policy (options|implications|prescriptions)|next steps|implications)\b`)

	// Questions asking what should be done, and questions about who wrote
	// the document.
	adviceIntent = intent{
		re:   regexp.MustCompile(`(?i)\b(should|ought|recommend\w*|propos\w*|advi[cs]\w*|suggest\w*|need(s)? to do|must do|can do|could do|way (ahead|forward)|next steps?)\b`),
		keys: []string{"should", "ought", "recommend", "propos", "advi", "suggest", "need", "must do", "can do", "could do", "way ", "next step"},
	}
	authorIntent = intent{
		re:   regexp.MustCompile(`(?i)\b(authors?|wrote|written|writers?|byline|biograph\w*|bios?|who (is|are) (behind|writing))\b`),
		keys: []string{"author", "wrote", "written", "writer", "byline", "bio", "who "},
	}
)

// intent is a kind of question, told by a pattern. Most questions hold
// none of the pattern's words, and the pattern (case-insensitive, between
// word boundaries) costs more than the rest of ranking a question's
// passages on a small corpus, so keys, words every match holds, rule most
// questions out first.
type intent struct {
	re   *regexp.Regexp
	keys []string // lower case; every match of re holds one, case folded
}

// MatchString reports whether the question shows the intent.
func (in intent) MatchString(question string) bool {
	// Case folding turns only "ſ" and the Kelvin sign into ASCII letters
	// other than by lower-casing: ToLower takes care of the sign.
	folded := strings.ReplaceAll(strings.ToLower(question), "ſ", "s")
	for _, k := range in.keys {
		if strings.Contains(folded, k) {
			return in.re.MatchString(question)
		}
	}
	return false
}

// roleOf classifies a passage by its section heading, then by its
// sentences: most of them introducing people by title makes a bio.
func roleOf(p briefbot.Passage) role {
	// A document without sections (a JSONL record, a plain note) repeats
	// its title as the heading: a title says what the document is about,
	// not what part of it a passage is ("Recommendations on biosimilars").
	heading := strings.Trim(strings.TrimSpace(p.Section), ".:")
	switch {
	case p.Section == p.Title:
	case aboutHeading.MatchString(heading):
		return roleAbout
	case adviceHeading.MatchString(heading):
		return roleAdvice
	}
	if !mayIntroducePeople(p.Text) {
		return roleText
	}
	sentences, bios := 0, 0
	for _, sp := range corpus.Sentences(p.Text) {
		sentences++
		if bioSentence.MatchString(strings.TrimSpace(p.Text[sp.Start:sp.End])) {
			bios++
		}
	}
	if bios > 0 && 2*bios >= sentences {
		return roleAbout
	}
	return roleText
}

// mayIntroducePeople is a cheap test that spares most passages the
// sentence split and bioSentence: every index open classifies every
// passage.
func mayIntroducePeople(text string) bool {
	for _, verb := range []string{" is a", " is the", " was a", " was the", " serves as"} {
		if strings.Contains(text, verb) {
			return true
		}
	}
	return false
}

// roleWeights are the score multipliers of each role for one question.
type roleWeights [3]float64

// weightsFor returns the role weights for a question with the analyzed
// terms terms. A question asks about the authors when it says so ("who
// wrote…") or names something that only the about-the-authors passages
// mention (an author's name, their post).
func (ix *Index) weightsFor(question string, terms []queryTerm) roleWeights {
	w := roleWeights{roleText: 1, roleAbout: aboutWeight, roleAdvice: 1}
	advice := adviceIntent.MatchString(question)
	// A question asking what someone recommends wants the advice, even
	// when it names the authors' institution.
	switch {
	case authorIntent.MatchString(question):
		// "Who wrote this?": the bios are the answer, ahead of passages
		// that merely mention authors (a study of authorship).
		w[roleAbout] = authorWeight
	case !advice && ix.onlyAbout(terms):
		w[roleAbout] = 1
	}
	if advice {
		w[roleAdvice] = adviceWeight
	}
	return w
}

// onlyAbout reports whether one of the question's own terms occurs in
// about-the-authors passages and nowhere else.
func (ix *Index) onlyAbout(terms []queryTerm) bool {
	for _, t := range terms {
		if t.rel < 1 || t.weight < 1 {
			continue // a related term, not the question's own
		}
		n := ix.aboutDF[t.term]
		if n == 0 {
			continue
		}
		if df, err := ix.docFreq(t.term); err == nil && df == n {
			return true
		}
	}
	return false
}

// classifyRoles sets the role of every passage and counts, per term, the
// about-the-authors passages holding it; a build keeps both (see
// deriveFrom), so only a build of an older format gets here.
func (ix *Index) classifyRoles() {
	ix.roles, ix.aboutDF = classify(ix.flat, ix.Analyze)
}

// classify returns the role of every passage of flat and counts, per term
// as analyze makes them, the about-the-authors passages holding it.
func classify(flat []briefbot.Passage, analyze func(string) []string) ([]role, map[string]uint64) {
	roles := make([]role, len(flat))
	aboutDF := map[string]uint64{}
	for i, p := range flat {
		roles[i] = classifyOne(p, analyze, aboutDF)
	}
	return roles, aboutDF
}

// classifyOne returns p's role and, for an about-the-authors passage,
// counts each term it holds in aboutDF (see classify).
func classifyOne(p briefbot.Passage, analyze func(string) []string, aboutDF map[string]uint64) role {
	r := roleOf(p)
	if r != roleAbout {
		return r
	}
	seen := map[string]bool{}
	for _, t := range analyze(bodyText(p)) {
		if !seen[t] {
			seen[t] = true
			aboutDF[t]++
		}
	}
	return r
}
