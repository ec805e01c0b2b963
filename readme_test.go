package pushforward_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMESnippetsAreTheExample checks that every Go snippet of the
// README is a run of consecutive lines of Example's body, so that what the
// README shows compiles and runs.
func TestREADMESnippetsAreTheExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var body []string // Example's lines, one tab of indentation removed
	for line := range strings.Lines(string(src)) {
		body = append(body, strings.TrimPrefix(strings.TrimSuffix(line, "\n"), "\t"))
	}
	snippets := goSnippets(string(readme))
	if len(snippets) < 3 {
		t.Fatalf("README has %d Go snippets, want the three of the example", len(snippets))
	}
	for i, s := range snippets {
		if !containsRun(body, s) {
			t.Errorf("README Go snippet %d is not a run of lines of example_test.go:\n%s", i+1, strings.Join(s, "\n"))
		}
	}
}

// goSnippets returns the lines of each ```go block of md.
func goSnippets(md string) [][]string {
	var out [][]string
	var cur []string
	in := false
	for line := range strings.Lines(md) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case !in && line == "```go":
			in, cur = true, nil
		case in && line == "```":
			in = false
			out = append(out, cur)
		case in:
			cur = append(cur, line)
		}
	}
	return out
}

// containsRun reports whether lines holds run as consecutive elements.
func containsRun(lines, run []string) bool {
	for i := 0; i+len(run) <= len(lines); i++ {
		match := true
		for j, l := range run {
			if lines[i+j] != l {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
