package bot

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot"
	"github.com/briefbot/briefbot/internal/discordfake"
)

// uiTexts are the parts of a message the bot writes itself: content,
// footers, field names and button labels. Titles, descriptions and field
// values hold the question and the documents' own (English) words.
func uiTexts(m message) []string {
	out := []string{m.Content}
	for _, e := range m.Embeds {
		if e.Footer != nil {
			out = append(out, e.Footer.Text)
		}
		for _, f := range e.Fields {
			out = append(out, f.Name)
		}
	}
	for _, c := range m.Components {
		if row, ok := c.(discordgo.ActionsRow); ok {
			for _, b := range row.Components {
				if b, ok := b.(discordgo.Button); ok {
					out = append(out, b.Label)
				}
			}
		}
	}
	return out
}

// leakedKeys are the catalogue's English keys (and plural keys) found in
// texts although German translates them differently. Short keys ("Link",
// "Other") are skipped: they are words German shares or may contain.
func leakedKeys(texts []string) []string {
	var leaked []string
	check := func(key, de string) {
		if runeLen(key) < 8 || de == key || strings.Contains(key, "%") {
			return
		}
		for _, s := range texts {
			if strings.Contains(s, key) {
				leaked = append(leaked, key)
				return
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(catalogue)) {
		check(key, catalogue[key][langDE])
	}
	// The fixed words of the plurals: "Quoted from", "Written by the model".
	for _, key := range slices.Sorted(maps.Keys(plurals)) {
		if before, _, ok := strings.Cut(key, "%d"); ok {
			check(strings.TrimSpace(before), "")
		}
	}
	return leaked
}

// TestRenderGerman renders an answer, a model answer that fell back to
// quotes, a refusal and the related passages in German: the texts the
// bot writes are translated, and no English key leaks through.
func TestRenderGerman(t *testing.T) {
	t.Parallel()
	a := makeAnswer(400, 2, "A title", "https://www.example.org/doc#p")
	fallback := a
	fallback.Mode = briefbot.ModeLLM
	fallback.FallbackReason = "timeout"
	long := makeAnswer(9000, 3, "A title", "https://www.example.org/doc#p")
	refused := briefbot.Answer{Question: "Population of Canada?", Related: []briefbot.Hit{
		{Passage: briefbot.Passage{Title: "", Section: "", Text: "The population grew."}, Quote: "The population grew.", Exact: 2, Coverage: 0.5},
	}}
	cases := []struct {
		name string
		m    message
		want []string
	}{
		{"answer", answerMessage(langDE, a, "id"), []string{"Zitiert aus 2 Textstellen", "Quellen", "Index aktualisiert", "Nachfragen", "Textstellen zeigen"}},
		{"fallback", answerMessage(langDE, fallback, "id"), []string{"Vom Modell geschrieben aus 2 Textstellen", "Das Zusammenfassungsmodell war nicht verfügbar"}},
		{"shortened", answerMessage(langDE, long, ""), []string{"Antwort gekürzt, damit sie in Discord passt"}},
		{"refusal", refusalMessage(langDE, refused, true), []string{"Nicht in den indexierten Dokumenten. Versuch /suchen", "Einige Textstellen teilen Wörter mit der Frage"}},
		{"related", relatedMessage(langDE, refused), []string{"1 · keine Antwort"}},
		{"not covered", answerMessage(langDE, refused, ""), []string{"Möglicherweise verwandt 1 (keine Antwort)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkLimits(t, c.m)
			texts := uiTexts(c.m)
			all := strings.Join(texts, "\n")
			for _, e := range c.m.Embeds {
				all += "\n" + e.Title + "\n" + e.Description
				for _, f := range e.Fields {
					all += "\n" + f.Value
				}
			}
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("%q missing from %q", w, all)
				}
			}
			if leaked := leakedKeys(texts); len(leaked) > 0 {
				t.Errorf("English left in %q: %q", texts, leaked)
			}
		})
	}
	// The check finds English where it is.
	if leaked := leakedKeys(uiTexts(answerMessage(langEN, fallback, "id"))); !slices.Contains(leaked, "Written by the model from") || !slices.Contains(leaked, "Show passages") {
		t.Errorf("leakedKeys of an English answer = %q", leaked)
	}
	if got, want := footerText(langDE, a), "Zitiert aus 2 Textstellen"; got != want {
		t.Errorf("footer = %q, want %q", got, want)
	}
	one := a
	one.Citations = a.Citations[:1]
	if got, want := footerText(langRU, one), "Цитаты из 1 фрагмента"; got != want {
		t.Errorf("Russian footer = %q, want %q", got, want)
	}
	// The untitled document and the passage without a place.
	if got := docTitle(langDE, ""); got != "Unbenanntes Dokument" {
		t.Errorf("docTitle = %q", got)
	}
	if got := relatedField(langDE, "n", refused.Related[0]).Value; !strings.Contains(got, "Unbenanntes Dokument · Textstelle") {
		t.Errorf("related field = %q", got)
	}
}

// TestRenderGermanCards checks the document list, a document's card, the
// search results and /reindex's report in German, dates included.
func TestRenderGermanCards(t *testing.T) {
	t.Parallel()
	lib := openLibrary(t)
	docs := lib.Documents()
	src := embedText(sourcesMessage(langDE, docs))
	lead, _ := leadOf(docs[0])
	full, _ := lib.Passage(lead.ID)
	card := briefMessage(langDE, docs[0], full.Text)
	for _, w := range []string{"Quellen", "Textstellen", "/steckbrief zeigt eines"} {
		if !strings.Contains(src, w) {
			t.Errorf("sources: %q missing from %q", w, src)
		}
	}
	var names []string
	for _, f := range card.Embeds[0].Fields {
		names = append(names, f.Name)
	}
	if !slices.Contains(names, "Textstellen") || slices.Contains(names, "Passages") {
		t.Errorf("card fields = %v", names)
	}
	if !docs[0].Published.IsZero() {
		date := langDE.date(docs[0].Published)
		if !strings.Contains(src, date) || !strings.Contains(embedText(card), date) {
			t.Errorf("the German date %q is missing", date)
		}
	}
	if d := searchMessage(langDE, "xyz", nil).Embeds[0]; d.Title != "Suche: xyz" || d.Description != "Keine Textstelle passt." {
		t.Errorf("search = %q / %q", d.Title, d.Description)
	}
	rep := reindexMessage(langDE, briefbot.ReindexReport{Info: briefbot.IndexInfo{Documents: 1, Passages: 3}, Failed: []briefbot.Failure{{Source: "a", Reason: "b"}}}, 0)
	if want := "Index neu aufgebaut: 1 Dokument, 3 Textstellen in 0s.\n1 Dokument ist fehlgeschlagen und wurde übersprungen:\n- a: b"; rep.Content != want {
		t.Errorf("reindex = %q, want %q", rep.Content, want)
	}
	if got := progressMessage(langDE, 1, 2).Content; !strings.HasPrefix(got, "Index wird neu aufgebaut… 1/2 Textstellen.") {
		t.Errorf("progress = %q", got)
	}
	if got := progressMessage(langDE, 500, 0).Content; !strings.HasPrefix(got, "Index wird neu aufgebaut… bisher 500 Textstellen.") {
		t.Errorf("progress of a build of unknown size = %q", got)
	}
	if got := mentionHelp(langDE, "bot", nil).Content; got != "Stell mir eine Frage zu den Dokumenten, z. B. „@bot Worum geht es in den Dokumenten?“, oder nutze /fragen." {
		t.Errorf("mention help = %q", got)
	}
}

func embedText(m message) string {
	var b strings.Builder
	b.WriteString(m.Content)
	for _, e := range m.Embeds {
		b.WriteString("\n" + e.Title + "\n" + e.Description)
		for _, f := range e.Fields {
			b.WriteString("\n" + f.Name + "\n" + f.Value)
		}
		if e.Footer != nil {
			b.WriteString("\n" + e.Footer.Text)
		}
	}
	return b.String()
}

// TestAskInGerman asks through Discord with the German locale: the answer
// comes with German sources, footer and button labels.
func TestAskInGerman(t *testing.T) {
	t.Parallel()
	e := startBot(t, setup{svc: newFakeService(t)})
	msg := e.final(e.fake.Interact(e.ctx, discordfake.InteractionSpec{CommandName: "ask", Locale: "de",
		Options: []discordfake.Option{discordfake.Opt("question", "What does Article 9 call for?")}}))
	em := embedOf(t, msg)
	if em.Footer.Text != "Zitiert aus 2 Textstellen" {
		t.Errorf("footer = %+v, want the German count", em.Footer)
	}
	if len(em.Fields) != 2 || em.Fields[0].Name != "Quellen" || em.Fields[1].Name != "Index aktualisiert" {
		t.Errorf("fields = %+v", em.Fields)
	}
	var labels []string
	for _, row := range msg.Components {
		for _, c := range row.Components {
			labels = append(labels, c.Label)
		}
	}
	if !slices.Equal(labels, []string{"Nachfragen", "Textstellen zeigen", "", ""}) {
		t.Errorf("button labels = %v", labels)
	}
}
