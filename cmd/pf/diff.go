package main

import (
	"fmt"
	"strings"
)

// An edit is one line of a line diff: kept (' '), deleted ('-') or
// inserted ('+').
type edit struct {
	op   byte
	line string
}

// diffLines returns a shortest edit script from a to b (Myers' O(ND)
// algorithm, "An O(ND) difference algorithm and its variations", 1986):
// every line of a and b in order, each kept, deleted or inserted.
func diffLines(a, b []string) []edit {
	n, m := len(a), len(b)
	max := n + m
	off := max + 1
	v := make([]int, 2*max+3)
	var trace [][]int
	var d int
search:
	for d = 0; d <= max; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: an insertion
			} else {
				x = v[off+k-1] + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				break search
			}
		}
	}
	// Walk back through the trace from (n, m).
	var script []edit
	x, y := n, m
	for ; d > 0; d-- {
		vd := trace[d]
		k := x - y
		var prevK int
		if k == -d || (k != d && vd[off+k-1] < vd[off+k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[off+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x, y = x-1, y-1
			script = append(script, edit{' ', a[x]})
		}
		if x == prevX {
			y--
			script = append(script, edit{'+', b[y]})
		} else {
			x--
			script = append(script, edit{'-', a[x]})
		}
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		script = append(script, edit{' ', a[x]})
	}
	for i, j := 0, len(script)-1; i < j; i, j = i+1, j-1 {
		script[i], script[j] = script[j], script[i]
	}
	return script
}

// unifiedDiff returns the differences between texts a and b in the
// unified format of diff -u with context lines of context, headed by the
// names of the two sides, or "" if the texts are equal.
func unifiedDiff(nameA, a, nameB, b string, context int) string {
	script := diffLines(splitLines(a), splitLines(b))
	var out strings.Builder
	// line numbers (0-based) in a and b before each edit
	la, lb := make([]int, len(script)+1), make([]int, len(script)+1)
	for i, e := range script {
		la[i+1], lb[i+1] = la[i], lb[i]
		if e.op != '+' {
			la[i+1]++
		}
		if e.op != '-' {
			lb[i+1]++
		}
	}
	for i := 0; i < len(script); {
		if script[i].op == ' ' {
			i++
			continue
		}
		// A hunk: from context lines before the change to context lines
		// after the last change that is less than 2·context lines away.
		start := max(0, i-context)
		end := i
		for j := i; j < len(script); j++ {
			if script[j].op != ' ' {
				end = j + 1
			} else if j-end >= 2*context {
				break
			}
		}
		end = min(len(script), end+context)
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(la[start], la[end]), hunkRange(lb[start], lb[end]))
		for _, e := range script[start:end] {
			out.WriteByte(e.op)
			out.WriteString(e.line)
			out.WriteByte('\n')
		}
		i = end
	}
	return out.String()
}

// hunkRange formats the lines [from, to) of one side as diff -u does:
// "start,count" (1-based), or "start" for one line.
func hunkRange(from, to int) string {
	switch n := to - from; n {
	case 0:
		return fmt.Sprintf("%d,0", from)
	case 1:
		return fmt.Sprint(from + 1)
	default:
		return fmt.Sprintf("%d,%d", from+1, n)
	}
}

// splitLines splits text into its lines, without their newlines.
func splitLines(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}
