package llm

import (
	"slices"
	"strings"
	"testing"
)

// The passages of the tests are from the seed brief, shortened.
var testSources = []Source{
	{N: 1, DocID: "brief", PassageID: "brief/analysis/1", Title: "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus",
		Section: "Brief Analysis", Published: "2023-03-31",
		Text: "On March 26, Azerbaijan's first-ever ambassador to Israel presented his credentials to President Isaac Herzog. " +
			"Two weeks earlier, officials in Baku noted that an Iranian military aircraft had flown without warning along the countries' shared border, the latest in a series of escalations."},
	{N: 2, DocID: "brief", PassageID: "brief/analysis/2", Title: "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus",
		Section: "Brief Analysis", Published: "2023-03-31",
		Text: "The rising Azerbaijani-Iranian tensions appear driven by the fallout from the 2020 war over the enclave of Nagorno-Karabakh; " +
			"this includes Baku's recent efforts to secure access to corridors outlined in the Russian-brokered ceasefire agreement that ended the fighting between Armenia and Azerbaijan."},
	{N: 3, DocID: "brief", PassageID: "brief/analysis/3", Title: "Iran's Tensions with Azerbaijan Point to Broader Shifts in the South Caucasus",
		Section: "Brief Analysis", Published: "2023-03-31",
		Text: "This relationship is one of several recent geostrategic shifts affecting Tehran's calculus, including Russia's invasion of Ukraine " +
			"and the resultant deepening of Iran's relationship with Moscow."},
}

func TestSupports(t *testing.T) {
	p := testSources[0].Text
	tests := []struct {
		sentence string
		want     bool
	}{
		{"Azerbaijan's first ambassador to Israel presented credentials to Herzog on March 26.", true},
		{"An Iranian military aircraft flew along the shared border without warning.", true},
		{"Officials in Baku noted the escalation.", true},
		{"Herzog.", true}, // one content word, shared
		{"The ambassador later resigned over a corruption scandal involving oil contracts and bribery.", false},
		{"Turkey and Greece signed a maritime agreement in the Aegean.", false},
		{"According to the passages, the documents say so.", false}, // only meta words: nothing to share
	}
	// The wrong passage for a claim often shares a couple of its topic words.
	article6 := "Article 6 called for the construction of a new road through the Lachin corridor by 2023."
	if Supports(article6, "Article 9 calls for unblocking all economic and transport connections throughout the region.") {
		t.Error("a claim about Article 9 is supported by the passage on Article 6")
	}
	if !Supports(article6, "Article 6 called for a new road through the Lachin corridor.") {
		t.Error("the passage's own claim is not supported")
	}
	if Supports(article6, "Article 6 called for a new road through the Lachin corridor by 2025.") {
		t.Error("a number the passage does not give is supported")
	}
	for _, tc := range tests {
		if got := Supports(p, tc.sentence); got != tc.want {
			t.Errorf("Supports(%q) = %v, want %v (words %v)", tc.sentence, got, tc.want, ContentWords(tc.sentence))
		}
	}
}

func TestSupportRatio(t *testing.T) {
	tests := []struct {
		shared, total int
		want          bool
	}{
		{0, 0, false}, {0, 5, false}, {1, 1, true}, {1, 2, true}, {1, 3, false},
		{2, 5, true}, {2, 8, false}, {2, 10, false}, {3, 10, true}, {3, 11, false}, {4, 13, true}, {8, 20, true},
	}
	for _, tc := range tests {
		if got := supportRatio(tc.shared, tc.total); got != tc.want {
			t.Errorf("supportRatio(%d, %d) = %v, want %v", tc.shared, tc.total, got, tc.want)
		}
	}
}

func TestContentWords(t *testing.T) {
	got := ContentWords("The tensions rose [1], and Baku's officials noted 2 escalations in 2020.")
	want := []string{"tension", "rose", "baku", "official", "2", "escalation", "2020"} // "noted" is a reporting verb
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestStem(t *testing.T) {
	tests := map[string]string{
		"tensions": "tension", "watching": "watch", "watched": "watch", "watches": "watch",
		"recognized": "recogniz", "recognizes": "recogniz", "recognize": "recogniz",
		"countries": "country", "class": "class", "corpus": "corpus", "analysis": "analysis",
		"2020": "2020", "élections": "élections",
	}
	for in, want := range tests {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVerifyAnswer(t *testing.T) {
	tests := []struct {
		name         string
		answer       string
		wantText     string
		wantCites    []int
		wantDropped  int
		wantGrounded int
		notInSources bool
	}{
		{
			name:         "grounded answer kept whole",
			answer:       "Azerbaijan's first ambassador to Israel presented his credentials to Herzog [1]. The tensions stem from the 2020 war over Nagorno-Karabakh [2].",
			wantText:     "Azerbaijan's first ambassador to Israel presented his credentials to Herzog [1]. The tensions stem from the 2020 war over Nagorno-Karabakh [2].",
			wantCites:    []int{1, 2},
			wantGrounded: 2,
		},
		{
			name:         "invented number removed from a group",
			answer:       "The tensions stem from the 2020 war over Nagorno-Karabakh [2, 7].",
			wantText:     "The tensions stem from the 2020 war over Nagorno-Karabakh [2].",
			wantCites:    []int{2},
			wantGrounded: 1,
		},
		{
			name:         "sentence citing only an invented number dropped",
			answer:       "The tensions stem from the 2020 war over Nagorno-Karabakh [2]. Iran also sanctioned Baku's oil exports [7].",
			wantText:     "The tensions stem from the 2020 war over Nagorno-Karabakh [2].",
			wantCites:    []int{2},
			wantDropped:  1,
			wantGrounded: 1,
		},
		{
			name:         "unsupported cited sentence dropped",
			answer:       "Iran deepened its relationship with Moscow [3]. The ambassador later resigned over a corruption scandal involving oil contracts [1].",
			wantText:     "Iran deepened its relationship with Moscow [3].",
			wantCites:    []int{3},
			wantDropped:  1,
			wantGrounded: 1,
		},
		{
			name:         "citation to a passage that does not support the sentence removed",
			answer:       "Iran deepened its relationship with Moscow after Russia's invasion of Ukraine [1][3].",
			wantText:     "Iran deepened its relationship with Moscow after Russia's invasion of Ukraine [3].",
			wantCites:    []int{3},
			wantGrounded: 1,
		},
		{
			name:         "short connective kept next to grounded sentences",
			answer:       "In short: Iran deepened its relationship with Moscow [3].",
			wantText:     "In short: Iran deepened its relationship with Moscow [3].",
			wantCites:    []int{3},
			wantGrounded: 1,
		},
		{
			name:         "short uncited lead-in kept, long uncited claim dropped",
			answer:       "Here is the summary.\nIran deepened its relationship with Moscow [3].\nThe Iranian economy shrank by twelve percent during the sanctions period.",
			wantText:     "Here is the summary.\nIran deepened its relationship with Moscow [3].",
			wantCites:    []int{3},
			wantDropped:  1,
			wantGrounded: 1,
		},
		{
			name:        "no valid citation",
			answer:      "The conflict is very old [5]. Things are complicated.",
			wantDropped: 1,
		},
		{
			name:        "uncited answer",
			answer:      "Azerbaijan's first ambassador to Israel presented his credentials to Herzog.",
			wantDropped: 1,
		},
		{
			name:         "the agreed token",
			answer:       "NOT_IN_SOURCES",
			notInSources: true,
		},
		{
			name:         "not in sources in words",
			answer:       "The passages do not mention the price of oil.",
			notInSources: true,
		},
		{
			name:         "the token beside a grounded sentence is dropped",
			answer:       "Iran deepened its relationship with Moscow [3]. NOT_IN_SOURCES",
			wantText:     "Iran deepened its relationship with Moscow [3].",
			wantCites:    []int{3},
			wantGrounded: 1,
			notInSources: true,
		},
		{
			name:         "lower-case uncited claim after a cited sentence dropped",
			answer:       "Iran deepened its relationship with Moscow [3]. iran invaded azerbaijan yesterday.",
			wantText:     "Iran deepened its relationship with Moscow [3].",
			wantCites:    []int{3},
			wantDropped:  1,
			wantGrounded: 1,
		},
		{
			name:         "uncited claim before a lower-case cited sentence dropped",
			answer:       "Iran invaded Azerbaijan with tanks yesterday. iran deepened its relationship with Moscow [3].",
			wantText:     "iran deepened its relationship with Moscow [3].",
			wantCites:    []int{3},
			wantDropped:  1,
			wantGrounded: 1,
		},
		{
			name:         "short uncited sentence naming what the passages are about is a claim",
			answer:       "Iran deepened its relationship with Moscow [3]. Iran invaded Azerbaijan.",
			wantText:     "Iran deepened its relationship with Moscow [3].",
			wantCites:    []int{3},
			wantDropped:  1,
			wantGrounded: 1,
		},
		{
			name:         "paraphrases and inflections of the passages kept",
			answer:       "Azerbaijan named its first ambassador to Israel, who presented credentials to President Herzog [1]. Russia's invasion of Ukraine deepened Iran's ties with Moscow [3]. An Iranian military aircraft flew along the shared border without warning [1].",
			wantText:     "Azerbaijan named its first ambassador to Israel, who presented credentials to President Herzog [1]. Russia's invasion of Ukraine deepened Iran's ties with Moscow [3]. An Iranian military aircraft flew along the shared border without warning [1].",
			wantCites:    []int{1, 3},
			wantGrounded: 3,
		},
		{
			name:         "negated claim and invented specific dropped",
			answer:       "Azerbaijan's ambassador did not present his credentials to Herzog [1]. Iran deepened its relationship with Moscow [3]. Iran deepened its nuclear cooperation with Moscow [3].",
			wantText:     "Iran deepened its relationship with Moscow [3].",
			wantCites:    []int{3},
			wantDropped:  2,
			wantGrounded: 1,
		},
		{
			name:         "repeated markers collapse, in each sentence",
			answer:       "Iran deepened its relationship with Moscow " + strings.Repeat("[3]", 500) + ". The tensions stem from the 2020 war [2][3][2] over Nagorno-Karabakh [2].",
			wantText:     "Iran deepened its relationship with Moscow [3]. The tensions stem from the 2020 war [2] over Nagorno-Karabakh.",
			wantCites:    []int{2, 3},
			wantGrounded: 2,
		},
		{
			name:         "line structure kept around a dropped item",
			answer:       "- Baku noted an Iranian military aircraft on the border [1]\n- Iran sanctioned Baku's oil exports [9]\n- Iran's relationship with Moscow deepened [3]",
			wantText:     "- Baku noted an Iranian military aircraft on the border [1]\n- Iran's relationship with Moscow deepened [3]",
			wantCites:    []int{1, 3},
			wantDropped:  1,
			wantGrounded: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := VerifyAnswer(tc.answer, testSources)
			if c.Text != tc.wantText {
				t.Errorf("text %q, want %q", c.Text, tc.wantText)
			}
			if !slices.Equal(c.Citations, tc.wantCites) {
				t.Errorf("citations %v, want %v", c.Citations, tc.wantCites)
			}
			if len(c.Dropped) != tc.wantDropped {
				t.Errorf("dropped %q, want %d", c.Dropped, tc.wantDropped)
			}
			if c.Grounded != tc.wantGrounded {
				t.Errorf("grounded %d, want %d", c.Grounded, tc.wantGrounded)
			}
			if c.NotInSources != tc.notInSources {
				t.Errorf("not in sources %v, want %v", c.NotInSources, tc.notInSources)
			}
			for _, n := range CitedNumbers(c.Text) {
				if n < 1 || n > len(testSources) {
					t.Errorf("invalid number %d reached the text %q", n, c.Text)
				}
			}
		})
	}
}

func TestComplete(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"One [1]. Two [2].", 2},
		{"One [1]. Two [2]. And then the", 2},
		{"One [1]. Two [2", 1},
		{"One [1]. \"Quoted.\" [2]", 2},
		{"", 0},
	}
	for _, tc := range tests {
		if got := len(complete(SplitSentences(tc.text))); got != tc.want {
			t.Errorf("complete(%q) keeps %d sentences, want %d", tc.text, got, tc.want)
		}
	}
}

func TestVerifiedTextNeverCitesUnsent(t *testing.T) {
	answer := strings.Repeat("Iran deepened its relationship with Moscow [3][4][0][99]. ", 3)
	c := VerifyAnswer(answer, testSources)
	if strings.Contains(c.Text, "[4]") || strings.Contains(c.Text, "[0]") || strings.Contains(c.Text, "[99]") {
		t.Errorf("unsent numbers kept: %q", c.Text)
	}
}

// The words that carry a claim must come from the passage: a negation, a
// name, a number, a specific the passage does not give. Paraphrase and
// inflection still pass.
func TestSupportsClaimWords(t *testing.T) {
	const (
		sent    = "Iran sent troops to the border with Azerbaijan in October."
		notSent = "Iran did not send troops to the border with Azerbaijan in October."
		article = "Elsewhere, Article 9 calls for “unblocking” all economic and transport connections throughout the region, most notably between Azerbaijan and its western “Nakhchivan Autonomous Republic.”"
		kremlin = "The Kremlin did not respond to Armenia's calls for military support last September, during the deadliest outbreak of fighting with Azerbaijan since 2020."
		peace   = "Additional senior-level U.S. engagement in the South Caucasus would not only support peace efforts between Baku and Yerevan, but also counter Russian and Iranian activities in the region."
		embassy = "Azerbaijan, which had no embassy in Israel until then, named its first ambassador to Israel in March."
	)
	tests := []struct {
		name, passage, sentence string
		want                    bool
	}{
		{"affirmative claim, negated passage", notSent, "Iran sent troops to the border with Azerbaijan.", false},
		{"negated claim, affirmative passage", sent, "Iran did not send troops to the border with Azerbaijan.", false},
		{"contracted negation, affirmative passage", sent, "Iran didn't send troops to the border.", false},
		{"never, affirmative passage", sent, "Iran never sent troops to the border with Azerbaijan.", false},
		{"the passage's own negated wording", notSent, "Iran did not send troops to the border with Azerbaijan in October.", true},
		{"contracted form of the passage's negation", notSent, "Iran didn't send troops to the border in October.", true},
		{"affirmative claim, Kremlin passage", kremlin, "The Kremlin responded to Armenia's calls for military support last September.", false},
		{"negated claim, Kremlin passage", kremlin, "The Kremlin did not respond to Armenia's calls for military support.", true},
		{"negated claim, affirmative Article 9", article, "Article 9 does not call for unblocking economic and transport connections throughout the region.", false},
		{"invented specific", article, "Article 9 called for immediate bombing.", false},
		{"invented specific in a long claim", article, "Article 9 calls for the immediate bombing of transport connections throughout the region.", false},
		{"invented name", article, "Article 9, drafted by Turkey, calls for unblocking all economic and transport connections.", false},
		{"paraphrase of Article 9", article, "Article 9 calls for unblocking economic and transport links across the region.", true},
		{"Article 9 with inflections", article, "Article 9 called for the unblocking of economic and transport connections, notably to Nakhchivan.", true},
		{"demonym of a name in the passage", article, "Article 9 calls for unblocking transport connections between Azerbaijani territory and Nakhchivan.", true},
		{"not only is no negation", peace, "U.S. engagement in the South Caucasus would support peace efforts between Baku and Yerevan.", true},
		{"negation in another clause of the passage", embassy, "Azerbaijan named its first ambassador to Israel in March.", true},
		{"negation in its own clause of the claim", "Iran sent troops but did not invade Azerbaijan.", "Although Iran sent troops, it did not invade Azerbaijan.", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Supports(tc.passage, tc.sentence); got != tc.want {
				t.Errorf("Supports(%q, %q) = %v, want %v", tc.passage, tc.sentence, got, tc.want)
			}
		})
	}
}
