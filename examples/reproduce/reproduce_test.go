package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGrid(t *testing.T) {
	cells := paperGrid()
	seen := map[string]bool{}
	tables := map[string]int{}
	for _, c := range cells {
		if seen[c.ID()] {
			t.Errorf("cell %s twice", c.ID())
		}
		seen[c.ID()] = true
		for _, tb := range c.Tables {
			tables[tb]++
		}
	}
	// Table 3: 4 widths × 5 methods, plus 2 more seeds of W̃ᵀ and W̃⊥ at
	// widths 128 and 512.
	if tables["3"] != 20+8 {
		t.Errorf("table 3 has %d cells, want 28", tables["3"])
	}
	for _, tb := range []string{"1", "2", "4", "5"} {
		if tables[tb] == 0 {
			t.Errorf("no cell for table %s", tb)
		}
	}
	if last := cells[len(cells)-1]; last.Width != 512 {
		t.Errorf("the most expensive cell should come last, got %s", last.ID())
	}
}

// A cell trains, resumes (nothing left to do) and reports.
func TestRunAndReport(t *testing.T) {
	out := t.TempDir()
	var stderr bytes.Buffer
	args := []string{"-run", "-epochs", "1", "-only", "^backprop-w64-", "-results", out}
	for range 2 {
		if err := run(context.Background(), args, &stderr, &stderr); err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
	}
	if err := run(context.Background(), []string{"-report", "-epochs", "1", "-results", out}, &stderr, &stderr); err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), "| 64 | — [0.121] | — [0.201] | — [0.268] | — [0.268] | 0.") {
		t.Errorf("report lacks the width-64 row:\n%s", report)
	}
	ms, err := epochsDone(filepath.Join(out, "backprop-w64-s100"))
	if err != nil || len(ms) != 1 {
		t.Errorf("metrics: %v, %d epochs", err, len(ms))
	}
}
