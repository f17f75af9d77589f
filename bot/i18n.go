package bot

// Every text a user reads comes from one message catalogue, chosen by the
// interaction's locale (discordgo's Interaction.Locale); English is the
// fallback for every other locale.
//
// Keys are the English text itself, fmt verbs included (gettext style):
//
//	l := langOf(it.i.Locale)
//	l.T("This answer has expired. Please ask again.")
//	l.T("You already voted %s on this answer.", l.quote(l.T("Helpful")))
//	l.N(n, "%d passage", "%d passages")
//	tr(it.i.Locale, "Please type a question.")
//
// so that wrapping a string where it is written is the whole change, and the
// English text stays readable at the call. i18n_test.go finds every such
// call in the package's files and fails for a key that lacks a translation
// in any language, or whose translation's fmt verbs differ from the key's.
//
// Why a plain Go map and not golang.org/x/text/message:
//
//   - A test can check it. The map is enumerable, so completeness and fmt
//     verbs are checked entry by entry. x/text's catalog.Builder offers no
//     way to list the keys it holds, so the same test would need a second
//     list of keys kept in step by hand.
//   - Plurals are few here: counts of passages and documents. English,
//     German, French and Spanish need two forms, Russian three (1, 21 →
//     "фрагмент"; 2–4, 22 → "фрагмента"; 5–20, 25 → "фрагментов").
//     pluralForm does this in a dozen lines. x/text's plural.Selectf also
//     gets it right, through its CLDR tables, but that is all this package
//     would use of them.
//   - Weight. x/text is in go.sum only as an indirect dependency, and the
//     binary links none of it. message, catalog, plural and language add
//     about 0.6 MB to a small binary (measured with go1.26). x/text would
//     also format numbers per locale ("1.000" in German), which nothing
//     here needs. Counts are small, and Discord's <t:…> timestamps are
//     shown in the reader's own locale anyway.
//   - Translators and reviewers read Go literals next to their English key.
//     There is no gotext extract/generate step to keep in sync.
//
// Register: German and Spanish say du/tú, as Discord's own interface does.
// French and Russian say vous/вы, the usual register of software in those
// languages. Commands named in a message (/search) are given by their
// localized name (/suchen), which is what the reader's client shows. The
// test checks this against commandNames.

import (
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// lang is a language of the catalogue.
type lang int

const (
	langEN lang = iota // the keys; the fallback
	langDE
	langFR
	langES
	langRU
	numLangs
)

// localeLangs are the Discord locales the catalogue serves. Commands are
// localized for exactly these.
var localeLangs = []struct {
	locale discordgo.Locale
	lang   lang
}{
	{discordgo.German, langDE},
	{discordgo.French, langFR},
	{discordgo.SpanishES, langES},
	{discordgo.SpanishLATAM, langES},
	{discordgo.Russian, langRU},
}

// langOf is the catalogue language for a Discord locale. Discord sends
// regional locales ("es-419", "en-GB", "pt-BR"), so the language part
// decides. Every language without a translation gets English.
func langOf(locale discordgo.Locale) lang {
	base, _, _ := strings.Cut(strings.ToLower(string(locale)), "-")
	switch base {
	case "de":
		return langDE
	case "fr":
		return langFR
	case "es":
		return langES
	case "ru":
		return langRU
	}
	return langEN
}

// translations holds one text per language, indexed by lang. The langEN
// slot stays empty, because the key is the English text.
type translations [numLangs]string

// T translates english into l and formats it with args, as fmt.Sprintf
// does. A text without args is returned as written, so a key that has no
// verbs may contain a plain "%". A key missing from the catalogue falls
// back to English. The test keeps that from happening.
func (l lang) T(english string, args ...any) string {
	text := english
	if t := catalogue[english][l]; l != langEN && t != "" {
		text = t
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// tr is T for an interaction's locale: tr(it.i.Locale, "…").
func tr(locale discordgo.Locale, english string, args ...any) string {
	return langOf(locale).T(english, args...)
}

// pluralForms holds a message's forms per language, in the order of the
// language's plural categories (see pluralForm). The langEN slot stays
// empty, because the English forms are given at the call.
type pluralForms [numLangs][]string

// N is T for a message about a count n: one and other are the English
// singular and plural, and other is the catalogue key. The form for n
// follows the language's plural rules. args default to n alone, so
// l.N(3, "%d passage", "%d passages") is "3 passages". When a message has
// more verbs, pass all of them:
// l.N(n, "Written by %s from %d passage", "Written by %s from %d passages", model, n).
func (l lang) N(n int, one, other string, args ...any) string {
	if len(args) == 0 {
		args = []any{n}
	}
	text := other
	if l == langEN {
		if n == 1 {
			text = one
		}
	} else if forms := plurals[other][l]; len(forms) > 0 {
		text = forms[min(pluralForm(l, n), len(forms)-1)]
	} else if n == 1 {
		text = one
	}
	return fmt.Sprintf(text, args...)
}

// pluralCount is how many forms each language's pluralForms hold.
var pluralCount = [numLangs]int{langEN: 2, langDE: 2, langFR: 2, langES: 2, langRU: 3}

// pluralForm is the index of n's form among a language's forms. The rules
// are CLDR's cardinal rules for whole numbers:
//   - en, de, es: one (1), other.
//   - fr: one (0, 1), other.
//   - ru: one (1, 21, 101…), few (2–4, 22–24…), many (0, 5–20, 25…).
//
// CLDR also gives French and Spanish a "many" form for exact millions.
// Counts of passages never get that large, so it is left out.
func pluralForm(l lang, n int) int {
	if n < 0 {
		n = -n
	}
	switch l {
	case langFR:
		if n <= 1 {
			return 0
		}
		return 1
	case langRU:
		switch mod10, mod100 := n%10, n%100; {
		case mod10 == 1 && mod100 != 11:
			return 0
		case mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14):
			return 1
		default:
			return 2
		}
	}
	if n == 1 {
		return 0
	}
	return 1
}

// quote puts s in the quotation marks of l: “…” „…“ « … » «…».
func (l lang) quote(s string) string {
	switch l {
	case langDE:
		return "„" + s + "“"
	case langFR:
		return "«\u00a0" + s + "\u00a0»"
	case langES, langRU:
		return "«" + s + "»"
	}
	return "“" + s + "”"
}

// monthNames are the months as a date writes them. In Russian that is the
// genitive ("2 января").
var monthNames = [numLangs][12]string{
	langEN: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	langDE: {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	langFR: {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	langES: {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	langRU: {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
}

// date writes a calendar date (a document's publication) the way l writes
// it: "2 January 2006", "2. Januar 2006", "1er janvier 2006",
// "2 de enero de 2006", "2 января 2006 г.". time.Format knows only English
// month names.
func (l lang) date(t time.Time) string {
	d, m, y := t.Day(), monthNames[l][t.Month()-1], t.Year()
	switch l {
	case langDE:
		return fmt.Sprintf("%d. %s %d", d, m, y)
	case langFR:
		if d == 1 {
			return fmt.Sprintf("1er %s %d", m, y)
		}
	case langES:
		return fmt.Sprintf("%d de %s de %d", d, m, y)
	case langRU:
		return fmt.Sprintf("%d %s %d г.", d, m, y)
	}
	return fmt.Sprintf("%d %s %d", d, m, y)
}

// localizeCommands adds name and description localizations, in every
// locale of localeLangs, to the commands, their options and choices. The
// English names stay the names: Discord sends the default command and
// option names in interaction data whatever the user's locale, so the
// handlers keep reading options by English name. Names come from
// commandNames. Descriptions and choice names come from the catalogue. A
// text without a translation gets no localization, and the test fails.
func localizeCommands(cmds []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
	for _, c := range cmds {
		if names := localized(commandNames, c.Name); names != nil {
			c.NameLocalizations = &names
		}
		if descs := localized(catalogue, c.Description); descs != nil {
			c.DescriptionLocalizations = &descs
		}
		localizeOptions(c.Options)
	}
	return cmds
}

func localizeOptions(opts []*discordgo.ApplicationCommandOption) {
	for _, o := range opts {
		o.NameLocalizations = localized(commandNames, o.Name)
		o.DescriptionLocalizations = localized(catalogue, o.Description)
		for _, ch := range o.Choices {
			ch.NameLocalizations = localized(catalogue, ch.Name)
		}
		localizeOptions(o.Options)
	}
}

// localized is the localization dictionary of english from table, nil
// when it has no translation.
func localized(table map[string]translations, english string) map[discordgo.Locale]string {
	t, ok := table[english]
	if !ok {
		return nil
	}
	m := map[discordgo.Locale]string{}
	for _, ll := range localeLangs {
		if s := t[ll.lang]; s != "" {
			m[ll.locale] = s
		}
	}
	return m
}
