package answer

import (
	"slices"
	"testing"

	"github.com/briefbot/briefbot"
)

func TestAnswersSpecificallyKindInTopic(t *testing.T) {
	const corridor = "After six weeks of fighting, Armenian forces fired Russian-made Iskander missiles at Baku. " +
		"Azerbaijan downed the salvo using an Israeli Barak 8 missile defense system. " +
		"Armenia's forces have since been bolstered by Russian peacekeepers, who patrol the Lachin corridor."
	const arrests = "In November, Azerbaijani authorities arrested nineteen people who claimed they had been trained by Iran. " +
		"The suspects had allegedly been flown to Syria."
	const bloc = "Following the clash in 1988-94, the conflict was frozen for decades. " +
		"Russia was Yerevan's main security guarantor for years and is allied with it in the Collective Security Treaty Organization."
	tests := []struct {
		q, text string
		want    bool
	}{
		// The count is in a sentence about the question, and counts.
		{"How many suspects did Azerbaijan detain in November?", arrests, true},
		{"how many people got arrested in november", arrests, true},
		// The passage's only numbers are a span of time and a label.
		{"how many russian peacekeepers patrol the lachin corridor", corridor, false},
		{"How many Iskander missiles did Armenian forces fire at Baku?", corridor, false},
		// ... unless time is what is counted.
		{"How many weeks did the fighting last?", corridor, true},
		// A range of years is no count; a date must be about the question.
		{"How many members does the Collective Security Treaty Organization have?", bloc, false},
		{"When was the Collective Security Treaty Organization founded?", bloc, false},
		{"When was the conflict frozen?", bloc, true},
		// A sentence pointing back takes its time from the one before.
		{"when did azerbaijan retake the districts", "The war broke out in September 2020. In response, Azerbaijan retook seven districts.", true},
		// One word of the question is enough: the sentence with the date
		// says "stormed" and the next one "the attack"; "there" stands
		// for the Caucasus.
		{"when did the embassy attack happen", "This January, a gunman stormed Azerbaijan's embassy in Tehran. Aliyev blamed Iran for the attack.", true},
		{"how long has russia had troops in the south caucasus", "The South Caucasus remains a key link. Russia has had a military presence there for over two centuries.", true},
		// A count of another thing the question names.
		{"How many troops took part in the October exercises?", "In October, Iran held two large military exercises near the border.", false},
		{"How many military exercises did Iran hold in October?", "In October, Iran held two large military exercises near the border.", true},
		// Questions that ask for no kind of fact are left alone.
		{"Why did Russia send peacekeepers?", corridor, true},
	}
	for _, tt := range tests {
		if got := answersSpecifically(tt.q, briefbot.Passage{Text: tt.text}); got != tt.want {
			t.Errorf("answersSpecifically(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestSameWord(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"iran", "iranian", true},
		{"armenia", "armenians", true},
		{"defence", "defense", true},
		{"minister", "ministry", true},
		{"armed", "armenia", false},
		{"us", "use", false},
		{"state", "statement", false},
		{"iran", "iraq", false},
	}
	for _, tt := range tests {
		if got := sameWord(tt.a, tt.b); got != tt.want {
			t.Errorf("sameWord(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestWords(t *testing.T) {
	ws := words("Israel’s then-defense minister Benny Gantz (visited) Article 6, in 1988-94—U.S. aid")
	want := []word{
		{text: "Israel", lower: "israel", cap: true, poss: true},
		{text: "then-defense", lower: "then-defense"},
		{text: "minister", lower: "minister"},
		{text: "Benny", lower: "benny", cap: true},
		{text: "Gantz", lower: "gantz", cap: true, brk: true},
		{text: "visited", lower: "visited", brk: true},
		{text: "Article", lower: "article", cap: true},
		{text: "6", lower: "6", brk: true, label: true},
		{text: "in", lower: "in"},
		{text: "1988-94", lower: "1988-94"},
		{text: "U.S", lower: "us", cap: true},
		{text: "aid", lower: "aid"},
	}
	if len(ws) != len(want) {
		t.Fatalf("words = %+v", ws)
	}
	for i := range want {
		if ws[i] != want[i] {
			t.Errorf("word %d = %+v, want %+v", i, ws[i], want[i])
		}
	}
}

func TestAnswersSpecificallyPerson(t *testing.T) {
	const envoy = "On March 26, Azerbaijan's first-ever ambassador to Israel presented his credentials to President Isaac Herzog."
	const gantz = "When Israel's then-defense minister Benny Gantz visited Azerbaijan in October, the two countries signed agreements."
	const pm = "Prime Minister Pashinyan is Armenia's most pro-Western leader in decades. " +
		"Armenian prime minister Nikol Pashinyan has spoken with Putin."
	const icc = "Moscow deems it unacceptable now that the ICC issued an arrest warrant for Russia's President Vladimir Putin on March 17."
	const barak = "Azerbaijan downed the salvo using an Israeli Barak 8 missile defense system."
	const supplier = "Tehran is concerned about Azerbaijan's ties with Israel, one of Baku's largest weapons suppliers."
	tests := []struct {
		q, text string
		want    bool
	}{
		// The role is there, but nobody is named in it.
		{"What is the name of Azerbaijan's ambassador to Israel?", envoy, false},
		{"who is the ambassador baku sent to israel", envoy, false},
		{"Who is the US ambassador to Azerbaijan?", envoy, false},
		// A name in another role, or the role of another place.
		{"Who is Iran's president?", envoy, false},
		{"who is armenia's foreign minister", pm, false},
		{"who is iran's supreme leader", pm, false},
		{"Who is the president of Russia?", icc, true},
		// A name in the role: after it, before it, introduced by it.
		{"who is armenia's prime minister", pm, true},
		{"Who is Armenia's leader?", pm, true},
		{"who was israel's defense minister", gantz, true},
		{"What is the name of the missile defense system?", barak, true},
		{"what is the name of the missile defense system azerbaijan used", barak, true},
		{"who is israel's former defense minister", gantz, true},
		{"who is azerbaijan's biggest weapons supplier", supplier, true},
		// A country modifier qualifies the role from a sentence near by.
		{"who is the us secretary of state", "More U.S. engagement would help. Secretary of State Antony Blinken's call is a step.", true},
		{"who is the french secretary of state", "More U.S. engagement would help. Secretary of State Antony Blinken's call is a step.", false},
		// A former holder does not answer for the current one.
		{"Who is Israel's current defense minister?", gantz, false},
		// A question about a name, not for one, is left alone.
		{"who is pashinyan", envoy, true},
		{"Who received the ambassador's credentials?", envoy, true},
	}
	for _, tt := range tests {
		if got := answersSpecifically(tt.q, briefbot.Passage{Text: tt.text}); got != tt.want {
			t.Errorf("answersSpecifically(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
	// A heading that names the role: the passage is about its holders.
	authors := briefbot.Passage{Section: "About the Authors", Text: "Anna Borshchevskaya is a senior fellow at The Washington Institute."}
	if !answersSpecifically("who are the authors", authors) {
		t.Error(`answersSpecifically("who are the authors") = false under "About the Authors"`)
	}
}

func TestAskedPerson(t *testing.T) {
	tests := []struct {
		q    string
		want personAsk
		ok   bool
	}{
		{"What is the name of Azerbaijan's ambassador to Israel?", personAsk{role: []string{"ambassador"}, quals: []string{"azerbaijan", "israel"}}, true},
		{"who is armenia's foreign minister", personAsk{role: []string{"foreign", "minister"}, quals: []string{"armenia"}}, true},
		{"Who's the current defense minister of Israel?", personAsk{role: []string{"defense", "minister"}, quals: []string{"israel"}, current: true}, true},
		{"who is pashinyan", personAsk{}, false},
		{"Who guards Armenia's frontiers?", personAsk{}, false},
		{"who", personAsk{}, false},
		{"the name of", personAsk{}, false},
	}
	for _, tt := range tests {
		got, ok := askedPerson(words(tt.q))
		if ok != tt.ok || !slices.Equal(got.role, tt.want.role) || !slices.Equal(got.quals, tt.want.quals) || got.current != tt.want.current {
			t.Errorf("askedPerson(%q) = %+v, %v; want %+v, %v", tt.q, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAnswersSpecificallyLeader(t *testing.T) {
	const tabler = "Andrew J. Tabler is the Martin J. Gross Senior Fellow, and Director of the Institute's Junior Research Program."
	const border = "Russian peacekeepers patrol the Lachin corridor and the Russian Border Service patrols Armenia's frontiers."
	tests := []struct {
		q, text string
		want    bool
	}{
		{"who runs the junior research program", tabler, true},
		{"who leads the russian border service", border, false},
		{"who heads the eu monitoring mission", border, false},
		// Other verbs ask about the subject, not for who is in charge.
		{"who patrols the lachin corridor", border, true},
	}
	for _, tt := range tests {
		if got := answersSpecifically(tt.q, briefbot.Passage{Text: tt.text}); got != tt.want {
			t.Errorf("answersSpecifically(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestAnswersSpecificallyPlaceAndCalled(t *testing.T) {
	const incidents = "In October, Iran held two large military exercises near the border with Azerbaijan. " +
		"The suspects had allegedly been flown to Syria to conduct military training. " +
		"In March, Iranian operatives reportedly attempted to assassinate parliamentarian Fazil Mustafa."
	const corridor = "The exclave would be connected to Azerbaijan through the Zangezur corridor."
	tests := []struct {
		q, text string
		want    bool
	}{
		{"Where were the detainees allegedly taken to be trained?", incidents, true},
		{"Where did Iran hold its exercises?", incidents, true},
		// The sentence about him gives only a month; another sentence's
		// place is not his.
		{"Where was Fazil Mustafa when Iranian operatives tried to kill him?", incidents, false},
		// "What is X called" asks for a name.
		{"what were iran's october exercises called", incidents, false},
		{"what is the corridor to the exclave called", corridor, true},
		// A place without a name, reached without a preposition.
		{"Where did the volcano's lava go?", "The volcano erupted and lava reached the sea.", true},
	}
	for _, tt := range tests {
		if got := answersSpecifically(tt.q, briefbot.Passage{Text: tt.text}); got != tt.want {
			t.Errorf("answersSpecifically(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// FuzzAnswersSpecifically feeds arbitrary questions and passages to the
// specific-answer rules: they must not panic, every word has a text, and
// a question none of the rules reads is answered by any passage.
func FuzzAnswersSpecifically(f *testing.F) {
	for _, s := range []string{"Who is Iran's president?", "what is the name of the", "who leads", "where was", "how many 5 weeks",
		"What is X called", "Article 6, 1988-94—U.S.", "'s ’s . ( —", "", "é ™ 12", "who's the current"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, question, text string) {
		for _, w := range words(text) {
			if w.text == "" || w.lower == "" {
				t.Fatalf("words(%q): empty word %+v", text, w)
			}
		}
		got := answersSpecifically(question, briefbot.Passage{Text: text, Section: text})
		q := words(question)
		_, person := askedPerson(q)
		_, leader := askedLeader(q)
		if askedKind(question) == kindAny && !person && !leader && !askedPlace(q) && !got {
			t.Fatalf("answersSpecifically(%q, %q) = false for a question no rule reads", question, text)
		}
	})
}
