package main

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// lcs is the length of a longest common subsequence, by dynamic
// programming: the oracle of the diff's minimality.
func lcs(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// TestDiffLines checks on random inputs that the script turns a into b
// and is as short as a longest common subsequence allows.
func TestDiffLines(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := func() []string {
		s := make([]string, r.IntN(12))
		for i := range s {
			s[i] = string(rune('a' + r.IntN(3)))
		}
		return s
	}
	for range 2000 {
		a, b := random(), random()
		script := diffLines(a, b)
		var fromA, fromB []string
		edits := 0
		for _, e := range script {
			if e.op != '+' {
				fromA = append(fromA, e.line)
			}
			if e.op != '-' {
				fromB = append(fromB, e.line)
			}
			if e.op != ' ' {
				edits++
			}
		}
		if !slices.Equal(fromA, a) || !slices.Equal(fromB, b) {
			t.Fatalf("script %v does not turn %v into %v", script, a, b)
		}
		if want := len(a) + len(b) - 2*lcs(a, b); edits != want {
			t.Fatalf("%v → %v: %d edits, want %d", a, b, edits, want)
		}
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n"
	b := "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n13\n14\nfifteen\n"
	// The output of diff -u for the same files.
	want := `--- a
+++ b
@@ -1,6 +1,6 @@
 1
 2
-3
+three
 4
 5
 6
@@ -9,6 +9,6 @@
 9
 10
 11
-12
 13
 14
+fifteen
`
	if got := unifiedDiff("a", a, "b", b, 3); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := unifiedDiff("a", a, "b", a, 3); got != "" {
		t.Errorf("equal texts give %q", got)
	}
	if got := unifiedDiff("a", "", "b", "x\n", 3); got != "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n" {
		t.Errorf("from nothing: %q", got)
	}
	if !strings.HasPrefix(unifiedDiff("a", "x\n", "b", "", 3), "--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n") {
		t.Error("to nothing")
	}
}
