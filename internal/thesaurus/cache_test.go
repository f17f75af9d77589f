package thesaurus

import (
	"reflect"
	"testing"
)

// TestLookupCache: a word looked up again gives what it gave the first
// time, and what a caller does to its copy does not reach the cache; an
// expansion is the same before and after the cache holds its words.
func TestLookupCache(t *testing.T) {
	first := Lookup("dispute")
	if len(first) == 0 {
		t.Fatal("no relatives of dispute")
	}
	want := append([]Related(nil), first...)
	first[0].Phrase, first[0].Weight = "poisoned", 9
	if again := Lookup("dispute"); !reflect.DeepEqual(again, want) {
		t.Errorf("second lookup %v, want %v", again, want)
	}
	q := "Why did the United States and Ankara dispute the unmanned drones deal?"
	cold := Expand(q)
	if warm := Expand(q); !reflect.DeepEqual(warm, cold) || len(cold) < 3 {
		t.Errorf("expansion with the cache warm:\n%v\nwant\n%v", warm, cold)
	}
}
