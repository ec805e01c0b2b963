package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const (
	goodHeader = "label,x0,x1,x2\n"
	goodTrain  = goodHeader + "3,0.5,-1,2e-3\n7,1,2,3\n"
	goodTest   = goodHeader + "0,-0.25,0,1\n"
)

func TestLoadMNIST1DSmall(t *testing.T) {
	dir := t.TempDir()
	// CRLF line ends and a trailing blank line are accepted.
	writeFile(t, filepath.Join(dir, "train.csv"), strings.ReplaceAll(goodTrain, "\n", "\r\n")+"\r\n")
	writeFile(t, filepath.Join(dir, "test.csv"), goodTest)
	train, test, err := LoadMNIST1D(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 2 || test.N != 1 || train.Features != 3 || train.Classes != 10 {
		t.Fatalf("train N=%d F=%d C=%d, test N=%d", train.N, train.Features, train.Classes, test.N)
	}
	if want := []float64{0.5, -1, 2e-3, 1, 2, 3}; !slices.Equal(train.X, want) {
		t.Errorf("train X = %v, want %v", train.X, want)
	}
	if want := []int64{3, 7}; !slices.Equal(train.Labels, want) {
		t.Errorf("train labels = %v, want %v", train.Labels, want)
	}
	if want := []float64{-0.25, 0, 1}; !slices.Equal(test.X, want) {
		t.Errorf("test X = %v, want %v", test.X, want)
	}
}

func TestLoadMNIST1DErrors(t *testing.T) {
	tests := []struct {
		name  string
		train string // "" means: do not write the file
		test  string
		want  string // substring of the error
	}{
		{"missing train", "", goodTest, "train.csv"},
		{"missing test", goodTrain, "", "test.csv"},
		{"empty file", " \n", goodTest, "train.csv: empty file"},
		{"bad header", "y,x0,x1,x2\n1,2,3,4\n", goodTest, "train.csv:1: header"},
		{"bad header column", "label,x0,x2,x1\n", goodTest, `train.csv:1: header column 3 is "x2", want "x1"`},
		{"too few fields", goodHeader + "1,2,3,4\n5,6,7\n", goodTest, "train.csv:3: 3 fields, want 4"},
		{"too many fields", goodHeader + "1,2,3,4,5\n", goodTest, "train.csv:2: 5 fields, want 4"},
		{"bad label", goodHeader + "x,2,3,4\n", goodTest, `train.csv:2: field 1 ("label"): invalid label "x"`},
		{"label out of range", goodHeader + "10,2,3,4\n", goodTest, "train.csv:2: label 10 out of range"},
		{"negative label", goodHeader + "-1,2,3,4\n", goodTest, "train.csv:2: label -1 out of range"},
		{"bad number", goodHeader + "1,2,abc,4\n", goodTest, `train.csv:2: field 3 ("x1"): invalid number "abc"`},
		{"NaN", goodHeader + "1,2,3,NaN\n", goodTest, `train.csv:2: field 4 ("x2"): non-finite value "NaN"`},
		{"overflow", goodHeader + "1,2,3,1e999\n", goodTest, `train.csv:2: field 4 ("x2"): number "1e999" out of range`},
		{"blank lines counted", goodHeader + "\n\n1,2,3\n", goodTest, "train.csv:4: 3 fields"},
		{"bad test line", goodTrain, goodHeader + "1,2,3,4\n2,3,4,oops\n", `test.csv:3: field 4 ("x2"): invalid number "oops"`},
		{"feature mismatch", goodTrain, "label,x0,x1\n1,2,3\n", "has 3 features but"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.train != "" {
				writeFile(t, filepath.Join(dir, "train.csv"), tc.train)
			}
			if tc.test != "" {
				writeFile(t, filepath.Join(dir, "test.csv"), tc.test)
			}
			_, _, err := LoadMNIST1D(dir)
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
			// Errors name the file by its path.
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the file's path", err)
			}
		})
	}
}
