package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MNIST1DClasses is the number of classes of MNIST-1D (digits 0..9).
const MNIST1DClasses = 10

// LoadMNIST1D reads an MNIST-1D split in CSV from dir/train.csv and
// dir/test.csv, or their gzip-compressed forms train.csv.gz and
// test.csv.gz. Each file has the header "label,x0,...,xF-1" and one sample
// per line: an integer label in [0, 10) and F float64 values (F = 40 for
// the canonical split; both files must agree). Errors name the file and the
// line, e.g. "…/train.csv:17: field 3 ("x1"): invalid number "abc"". The
// canonical split itself needs no directory: see CanonicalMNIST1D.
func LoadMNIST1D(dir string) (train, test *Dataset, err error) {
	train, trainPath, err := readMNIST1DCSV(filepath.Join(dir, "train.csv"))
	if err != nil {
		return nil, nil, err
	}
	test, testPath, err := readMNIST1DCSV(filepath.Join(dir, "test.csv"))
	if err != nil {
		return nil, nil, err
	}
	if train.Features != test.Features {
		return nil, nil, fmt.Errorf("data: %s has %d features but %s has %d", trainPath, train.Features, testPath, test.Features)
	}
	return train, test, nil
}

// readMNIST1DCSV reads the CSV file at path, or path.gz if there is no
// such file, and returns it with the path read.
func readMNIST1DCSV(path string) (*Dataset, string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		if g, gerr := os.Open(path + ".gz"); gerr == nil {
			defer g.Close()
			d, err := readGzipCSV(g, path+".gz", "")
			return d, path + ".gz", err
		}
	}
	if err != nil {
		return nil, path, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	d, err := parseMNIST1DCSV(f, path)
	return d, path, err
}

// parseMNIST1DCSV parses the CSV text of r; name is used in errors.
func parseMNIST1DCSV(r io.Reader, name string) (*Dataset, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	lineErr := func(line int, format string, args ...any) error {
		return fmt.Errorf("data: %s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}

	line := 0
	var header []string
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff") // a byte-order mark
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		header = strings.Split(text, ",")
		break
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("data: %s: %w", name, err)
	}
	if header == nil {
		return nil, fmt.Errorf("data: %s: empty file, want a header \"label,x0,...\"", name)
	}
	if len(header) < 2 || strings.TrimSpace(header[0]) != "label" {
		return nil, lineErr(line, "header %q: want \"label,x0,x1,...\"", truncate(strings.Join(header, ","), 60))
	}
	features := len(header) - 1
	for j, h := range header[1:] {
		if want := "x" + strconv.Itoa(j); strings.TrimSpace(h) != want {
			return nil, lineErr(line, "header column %d is %q, want %q", j+2, h, want)
		}
	}

	d := &Dataset{Features: features, Classes: MNIST1DClasses}
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue // blank lines, e.g. at the end of the file
		}
		fields := strings.Split(text, ",")
		if len(fields) != features+1 {
			return nil, lineErr(line, "%d fields, want %d (label and %d values)", len(fields), features+1, features)
		}
		label, err := strconv.ParseInt(strings.TrimSpace(fields[0]), 10, 64)
		if err != nil {
			return nil, lineErr(line, "field 1 (\"label\"): invalid label %q", fields[0])
		}
		if label < 0 || label >= MNIST1DClasses {
			return nil, lineErr(line, "label %d out of range [0,%d)", label, MNIST1DClasses)
		}
		for j, s := range fields[1:] {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				var ne *strconv.NumError
				if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
					return nil, lineErr(line, "field %d (%q): number %q out of range", j+2, header[j+1], s)
				}
				return nil, lineErr(line, "field %d (%q): invalid number %q", j+2, header[j+1], truncate(s, 40))
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, lineErr(line, "field %d (%q): non-finite value %q", j+2, header[j+1], s)
			}
			d.X = append(d.X, v)
		}
		d.Labels = append(d.Labels, label)
		d.N++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("data: %s:%d: %w", name, line+1, err)
	}
	return d, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
