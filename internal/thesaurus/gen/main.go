// Command gen builds related.txt, the table of related phrases that
// package thesaurus embeds, from the WordNet 3.0 database files (Debian
// package wordnet-base, /usr/share/wordnet). Run it through go generate in
// the thesaurus directory; the output is deterministic (sorted lines), so a
// regeneration from the same WordNet files gives the same bytes and a diff
// shows only real changes. It is plain text, embedded as it is: the package
// searches it in place (sorted by whole line, as bytes), so nothing is
// unpacked when briefbot starts.
//
// Table format (UTF-8 text, one record a line, fields separated by tabs):
//
//	# comment (the WordNet licence and how the table was made)
//	r <lemma> <parts of speech> <phrase>|<weight percent> ...   related phrases, best first
//	x <form> <base> ...                        inflected form -> base lemmas
//
// Lemmas are lowercase with spaces between words, except acronym entries,
// which keep WordNet's capitals ("US", "WHO", "EU") and carry only the
// senses written that way.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Factors applied to a sense's weight for each kind of relation. Synonyms
// (same synset) are the paraphrases a search most needs, so they get the
// sense weight itself; the others are looser and rank below them.
const (
	reverseFactor  = 0.5 // synonym through a rare sense of the lemma but a frequent sense of the other word
	holonymFactor  = 0.7 // place -> the country or region it is part of
	capitalFactor  = 0.5 // country -> its national capital
	pertainFactor  = 0.6 // "soviet" <-> "soviet union", "intermittently" <-> "intermittent"
	derivFactor    = 0.5 // "demonstrator" <-> "demonstrate"
	similarFactor  = 0.5 // adjective satellite -> head ("intermittent" -> "sporadic")
	verbHypFactor  = 0.4 // verb -> its hypernym ("turn a blind eye" -> "ignore", "march" -> "protest")
	minWeightPct   = 1
	lexNounAnimal  = 5  // noun.animal
	lexNounPlant   = 20 // noun.plant
	wordnetVersion = "WordNet 3.0"
)

// settlementWords name the (instance) hypernyms of places that are commonly
// used for the country that contains them ("Moscow" for Russia); a place
// inside one of them ("Kremlin" in Moscow) is followed one more holonym up.
var settlementWords = map[string]bool{
	"city": true, "metropolis": true, "urban center": true, "national capital": true,
	"state capital": true, "provincial capital": true, "port": true, "town": true,
}

type ptr struct {
	sym      string
	pos      byte
	off      int
	src, tgt int // 1-based word numbers for lexical pointers; 0 for semantic ones
}

type word struct {
	text string // as WordNet writes it, without adjective markers, spaces for underscores
	key  string // lowercase text
	// taxon marks the scientific names of plants and animals
	// ("Meleagris gallopavo", "family Ophidiidae"): a fifth of WordNet's
	// synonyms and no use to a search over news and briefings.
	taxon bool
}

type skey struct {
	pos byte
	off int
}

type synset struct {
	pos       byte
	satellite bool // adjective satellite: its "similar to" pointer leads to its head
	off       int
	words     []word
	ptrs      []ptr
}

type sense struct {
	pos  byte
	off  int
	rank int // 1-based position in the index line: WordNet orders senses by frequency
}

type rkey struct {
	lemma string
	pos   byte
	off   int
}

type wordRef struct {
	s  *synset
	wi int
}

type db struct {
	synsets   map[skey]*synset
	senses    map[string][]sense
	rank      map[rkey]int
	pertainOf map[skey][]wordRef // reverse of the one-way pertainym pointers
	exc       map[string][]string
	taxa      map[string]bool // keys only ever used as scientific names
	stop      map[string]bool

	maxSenses  int
	maxRelated int
}

func main() {
	wnDir := flag.String("wordnet", "/usr/share/wordnet", "directory holding WordNet 3.0 data.*, index.* and *.exc files")
	out := flag.String("out", "related.txt", "output table")
	stopPath := flag.String("stopwords", "stopwords.txt", "stopword list (one a line, # comments)")
	licensePath := flag.String("license", "WORDNET_LICENSE", "WordNet licence text copied into the table header")
	maxSenses := flag.Int("max-senses", 4, "senses per part of speech that give synonyms (most frequent first)")
	maxRelated := flag.Int("max-related", 32, "related phrases kept per lemma, best first")
	flag.Parse()

	if err := run(*wnDir, *out, *stopPath, *licensePath, *maxSenses, *maxRelated); err != nil {
		slog.Error("generate thesaurus table", "err", err)
		os.Exit(1)
	}
}

func run(wnDir, out, stopPath, licensePath string, maxSenses, maxRelated int) error {
	stop, err := readStopwords(stopPath)
	if err != nil {
		return err
	}
	license, err := os.ReadFile(licensePath)
	if err != nil {
		return fmt.Errorf("read licence: %w", err)
	}
	d := &db{
		synsets:    map[skey]*synset{},
		senses:     map[string][]sense{},
		rank:       map[rkey]int{},
		pertainOf:  map[skey][]wordRef{},
		exc:        map[string][]string{},
		stop:       stop,
		maxSenses:  maxSenses,
		maxRelated: maxRelated,
	}
	for _, p := range []struct {
		name string
		pos  byte
	}{{"noun", 'n'}, {"verb", 'v'}, {"adj", 'a'}, {"adv", 'r'}} {
		if err := d.readData(filepath.Join(wnDir, "data."+p.name)); err != nil {
			return err
		}
		if err := d.readIndex(filepath.Join(wnDir, "index."+p.name), p.pos); err != nil {
			return err
		}
		if err := d.readExc(filepath.Join(wnDir, p.name+".exc")); err != nil {
			return err
		}
	}
	d.indexPertainyms()
	d.findTaxa()

	lines := d.lines()
	if err := writeTable(out, license, lines); err != nil {
		return err
	}
	slog.Info("wrote thesaurus table", "path", out, "records", len(lines))
	return nil
}

func readStopwords(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read stopwords: %w", err)
	}
	stop := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			stop[l] = true
		}
	}
	return stop, nil
}

// normWord turns a WordNet word field into display text: underscores become
// spaces and the syntactic markers of adjectives ("(a)", "(p)", "(ip)") go.
func normWord(s string) string {
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		s = s[:i]
	}
	return strings.ReplaceAll(s, "_", " ")
}

func normPos(b byte) byte {
	if b == 's' {
		return 'a'
	}
	return b
}

func (d *db) readData(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || line[0] == ' ' { // licence header
			continue
		}
		if i := strings.Index(line, " | "); i >= 0 {
			line = line[:i]
		}
		s, err := parseDataLine(line)
		if err != nil {
			return fmt.Errorf("parse %s:%d: %w", path, n, err)
		}
		d.synsets[skey{s.pos, s.off}] = s
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

func parseDataLine(line string) (*synset, error) {
	f := strings.Fields(line)
	if len(f) < 5 {
		return nil, fmt.Errorf("short synset line %q", line)
	}
	off, err := strconv.Atoi(f[0])
	if err != nil {
		return nil, fmt.Errorf("offset: %w", err)
	}
	lexFile, err := strconv.Atoi(f[1])
	if err != nil {
		return nil, fmt.Errorf("lexicographer file: %w", err)
	}
	s := &synset{pos: normPos(f[2][0]), off: off, satellite: f[2] == "s"}
	taxonomic := s.pos == 'n' && (lexFile == lexNounAnimal || lexFile == lexNounPlant)
	wcnt, err := strconv.ParseInt(f[3], 16, 32)
	if err != nil {
		return nil, fmt.Errorf("word count: %w", err)
	}
	i := 4
	for k := 0; k < int(wcnt); k++ {
		if i+1 >= len(f) {
			return nil, fmt.Errorf("truncated words in %q", line)
		}
		t := normWord(f[i])
		s.words = append(s.words, word{text: t, key: strings.ToLower(t), taxon: taxonomic && strings.ToLower(t) != t})
		i += 2
	}
	if i >= len(f) {
		return nil, fmt.Errorf("missing pointer count in %q", line)
	}
	pcnt, err := strconv.Atoi(f[i])
	if err != nil {
		return nil, fmt.Errorf("pointer count: %w", err)
	}
	i++
	for k := 0; k < pcnt; k++ {
		if i+3 >= len(f) {
			return nil, fmt.Errorf("truncated pointers in %q", line)
		}
		poff, err := strconv.Atoi(f[i+1])
		if err != nil {
			return nil, fmt.Errorf("pointer offset: %w", err)
		}
		st, err := strconv.ParseUint(f[i+3], 16, 16)
		if err != nil {
			return nil, fmt.Errorf("pointer source/target: %w", err)
		}
		s.ptrs = append(s.ptrs, ptr{sym: f[i], pos: normPos(f[i+2][0]), off: poff, src: int(st >> 8), tgt: int(st & 0xff)})
		i += 4
	}
	return s, nil
}

func (d *db) readIndex(path string, pos byte) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || line[0] == ' ' {
			continue
		}
		fl := strings.Fields(line)
		if len(fl) < 6 {
			return fmt.Errorf("parse %s:%d: short index line", path, n)
		}
		lemma := strings.ReplaceAll(fl[0], "_", " ")
		scnt, err1 := strconv.Atoi(fl[2])
		pcnt, err2 := strconv.Atoi(fl[3])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("parse %s:%d: bad counts", path, n)
		}
		offs := fl[4+pcnt+2:]
		if len(offs) != scnt {
			return fmt.Errorf("parse %s:%d: %d offsets, want %d", path, n, len(offs), scnt)
		}
		for k, o := range offs {
			off, err := strconv.Atoi(o)
			if err != nil {
				return fmt.Errorf("parse %s:%d: offset: %w", path, n, err)
			}
			d.senses[lemma] = append(d.senses[lemma], sense{pos: pos, off: off, rank: k + 1})
			d.rank[rkey{lemma, pos, off}] = k + 1
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

func (d *db) readExc(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		form := normWord(f[0])
		for _, b := range f[1:] {
			base := normWord(b)
			if base != form && !slices.Contains(d.exc[form], base) {
				d.exc[form] = append(d.exc[form], base)
			}
		}
	}
	return nil
}

// findTaxa records the keys that WordNet uses only as scientific names, so
// that they are neither lemmas nor related phrases; a key that is also a
// common word elsewhere ("Paris" the genus, Paris the city) stays.
func (d *db) findTaxa() {
	common := map[string]bool{}
	d.taxa = map[string]bool{}
	for _, s := range d.synsets {
		for _, w := range s.words {
			if w.taxon {
				d.taxa[w.key] = true
			} else {
				common[w.key] = true
			}
		}
	}
	for k := range common {
		delete(d.taxa, k)
	}
}

func (d *db) indexPertainyms() {
	for _, s := range d.synsets {
		for _, p := range s.ptrs {
			if p.sym != `\` {
				continue
			}
			for wi := range s.words {
				if p.src == 0 || p.src == wi+1 {
					k := skey{p.pos, p.off}
					d.pertainOf[k] = append(d.pertainOf[k], wordRef{s, wi})
				}
			}
		}
	}
}

// senseWeight favours frequent senses: 1 for the first, then 1/(1+0.4(r-1))
// (0.71, 0.56, 0.45, ...), and nothing past maxSenses, where WordNet's senses
// are rare and their synonyms mostly noise for search.
func (d *db) senseWeight(rank int) float64 {
	if rank < 1 || rank > d.maxSenses {
		return 0
	}
	return 1 / (1 + 0.4*float64(rank-1))
}

// isStop reports whether a phrase can never be a useful lemma or related
// phrase: a single character, or only stopwords.
func (d *db) isStop(phrase string) bool {
	if len([]rune(phrase)) < 2 {
		return true
	}
	for _, w := range strings.Fields(phrase) {
		if !d.stop[w] {
			return false
		}
	}
	return true
}

func hasPtr(s *synset, sym string) bool {
	for _, p := range s.ptrs {
		if p.sym == sym {
			return true
		}
	}
	return false
}

// instanceOfAny reports whether s is an instance of a synset holding one of
// the given lemmas.
func (d *db) instanceOfAny(s *synset, lemmas map[string]bool) bool {
	for _, p := range s.ptrs {
		if p.sym != "@i" {
			continue
		}
		if h := d.synsets[skey{p.pos, p.off}]; h != nil {
			for _, w := range h.words {
				if lemmas[w.key] {
					return true
				}
			}
		}
	}
	return false
}

// countryWords name the synsets whose instances are countries or continents:
// their holonyms (Russia -> Eurasia, Turkey -> Asia Minor) are too broad to
// stand for them in a search.
var countryWords = map[string]bool{"country": true, "continent": true, "sovereign state": true, "empire": true}

// isCountryLike reports whether the instance s is a country or continent,
// following hypernyms up from its instance classes a few steps.
func (d *db) isCountryLike(s *synset) bool {
	var frontier []*synset
	for _, p := range s.ptrs {
		if p.sym == "@i" {
			if h := d.synsets[skey{p.pos, p.off}]; h != nil {
				frontier = append(frontier, h)
			}
		}
	}
	for depth := 0; depth < 4 && len(frontier) > 0; depth++ {
		var next []*synset
		for _, h := range frontier {
			for _, w := range h.words {
				if countryWords[w.key] {
					return true
				}
			}
			for _, p := range h.ptrs {
				if p.sym == "@" {
					if u := d.synsets[skey{p.pos, p.off}]; u != nil {
						next = append(next, u)
					}
				}
			}
		}
		frontier = next
	}
	return false
}

var nationalCapital = map[string]bool{"national capital": true}

// related collects the related phrases of lemma over the senses for which
// keep is true, best first, at most maxRelated, and the parts of speech of
// those senses (in "nvar" order).
func (d *db) related(lemma string, keep func(w word) bool) ([]rel, string) {
	acc := map[string]float64{}
	add := func(phrase string, w float64) {
		if w <= 0 || phrase == lemma || d.isStop(phrase) || d.taxa[phrase] {
			return
		}
		if w > acc[phrase] {
			acc[phrase] = w
		}
	}
	addAll := func(k skey, w float64) {
		if t := d.synsets[k]; t != nil {
			for _, x := range t.words {
				add(x.key, w)
			}
		}
	}
	// kept counts the senses kept so far in each part of speech, so that an
	// acronym entry ranks its own senses from 1 ("EU" is first the European
	// Union, though "eu" is first europium).
	kept := map[byte]int{}
	posSeen := ""
	for _, sn := range d.senses[lemma] {
		s := d.synsets[skey{sn.pos, sn.off}]
		if s == nil {
			continue
		}
		wi := slices.IndexFunc(s.words, func(w word) bool { return w.key == lemma })
		if wi < 0 || s.words[wi].taxon || !keep(s.words[wi]) {
			continue
		}
		kept[sn.pos]++
		if !strings.ContainsRune(posSeen, rune(sn.pos)) {
			posSeen += string(rune(sn.pos))
		}
		rank := kept[sn.pos]
		w0 := d.senseWeight(rank)
		for _, m := range s.words {
			if m.key == lemma {
				continue
			}
			w := w0
			// A rare sense of this lemma that is a frequent sense of the
			// other word still pairs them ("conflict" -> "dispute"), but
			// not from the long tail of a very polysemous verb ("get").
			if w == 0 && rank <= 2*d.maxSenses {
				w = reverseFactor * d.senseWeight(d.rank[rkey{m.key, s.pos, s.off}])
			}
			add(m.key, w)
		}
		if w0 == 0 {
			continue
		}
		instance := hasPtr(s, "@i") && !d.isCountryLike(s)
		for _, p := range s.ptrs {
			k := skey{p.pos, p.off}
			switch p.sym {
			case `\`:
				if p.src == 0 || p.src == wi+1 {
					addAll(k, pertainFactor*w0)
				}
			case "+":
				if p.src == wi+1 {
					if t := d.synsets[k]; t != nil && p.tgt >= 1 && p.tgt <= len(t.words) {
						add(t.words[p.tgt-1].key, derivFactor*w0)
					}
				}
			case "&":
				// Only satellite -> head: a head's many satellites
				// ("good" has dozens) are each too specific to stand for it.
				if s.satellite {
					addAll(k, similarFactor*w0)
				}
			case "@":
				// Verb hypernyms are near-paraphrases (to march is to
				// protest in a manner); noun hypernyms are too general.
				if s.pos == 'v' {
					addAll(k, verbHypFactor*w0)
				}
			case "#p":
				if !instance {
					continue
				}
				addAll(k, holonymFactor*w0)
				if h := d.synsets[k]; h != nil && d.instanceOfAny(h, settlementWords) {
					for _, hp := range h.ptrs {
						if hp.sym == "#p" {
							addAll(skey{hp.pos, hp.off}, holonymFactor*holonymFactor*w0)
						}
					}
				}
			case "%p":
				if c := d.synsets[k]; c != nil && d.instanceOfAny(c, nationalCapital) {
					addAll(k, capitalFactor*w0)
				}
			}
		}
		for _, r := range d.pertainOf[skey{s.pos, s.off}] {
			add(r.s.words[r.wi].key, pertainFactor*w0)
		}
	}
	out := make([]rel, 0, len(acc))
	for p, w := range acc {
		pct := int(math.Round(w * 100))
		if pct < minWeightPct {
			pct = minWeightPct
		}
		out = append(out, rel{p, pct})
	}
	slices.SortFunc(out, func(a, b rel) int {
		if a.pct != b.pct {
			return b.pct - a.pct
		}
		return strings.Compare(a.phrase, b.phrase)
	})
	if len(out) > d.maxRelated {
		out = out[:d.maxRelated]
	}
	var pos strings.Builder
	for _, c := range "nvar" {
		if strings.ContainsRune(posSeen, c) {
			pos.WriteRune(c)
		}
	}
	return out, pos.String()
}

type rel struct {
	phrase string
	pct    int
}

func formatRels(rs []rel) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(r.phrase)
		b.WriteByte('|')
		b.WriteString(strconv.Itoa(r.pct))
	}
	return b.String()
}

// isAcronym reports whether WordNet writes a lemma in capitals: at least two
// letters and no lower-case letter ("US", "U.S.", "WHO").
func isAcronym(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// lines returns the table records, sorted.
func (d *db) lines() []string {
	lemmas := make([]string, 0, len(d.senses))
	for l := range d.senses {
		lemmas = append(lemmas, l)
	}
	slices.Sort(lemmas)

	present := map[string]bool{}
	var out []string
	for _, l := range lemmas {
		if strings.ContainsAny(l, "\t|") {
			continue
		}
		lower := ""
		if !d.isStop(l) {
			if rs, pos := d.related(l, func(word) bool { return true }); len(rs) > 0 {
				lower = pos + "\t" + formatRels(rs)
				out = append(out, "r\t"+l+"\t"+lower)
				present[l] = true
			}
		}
		// Acronym entries: "US" must not be lost to the stopword "us", and
		// "EU" should mean the European Union rather than europium.
		acr := map[string]bool{}
		for _, sn := range d.senses[l] {
			if s := d.synsets[skey{sn.pos, sn.off}]; s != nil {
				for _, w := range s.words {
					if w.key == l && isAcronym(w.text) {
						acr[w.text] = true
					}
				}
			}
		}
		for _, a := range slices.Sorted(maps.Keys(acr)) {
			rs, pos := d.related(l, func(w word) bool { return w.text == a })
			if f := pos + "\t" + formatRels(rs); len(rs) > 0 && f != lower {
				out = append(out, "r\t"+a+"\t"+f)
			}
		}
	}
	forms := slices.Sorted(maps.Keys(d.exc))
	for _, form := range forms {
		if d.isStop(form) || strings.ContainsAny(form, "\t|") {
			continue
		}
		var bases []string
		for _, b := range d.exc[form] {
			if present[b] {
				bases = append(bases, b)
			}
		}
		if len(bases) > 0 {
			slices.Sort(bases)
			out = append(out, "x\t"+form+"\t"+strings.Join(bases, "\t"))
		}
	}
	slices.Sort(out)
	return out
}

func writeTable(path string, license []byte, lines []string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", path, cerr)
		}
	}()
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "# Related phrases derived from %s by internal/thesaurus/gen; see README.md.\n", wordnetVersion)
	for _, l := range strings.Split(strings.TrimRight(string(license), "\n"), "\n") {
		fmt.Fprintf(bw, "# %s\n", strings.TrimRight(l, " "))
	}
	for _, l := range lines {
		if _, err := io.WriteString(bw, l+"\n"); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
