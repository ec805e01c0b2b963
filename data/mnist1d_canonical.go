package data

import (
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
)

// The canonical MNIST-1D split, as published by its authors (Apache
// License 2.0; see mnist1d/README.md and mnist1d/LICENSE), compressed.
//
//go:embed mnist1d/train.csv.gz mnist1d/test.csv.gz
var canonicalFiles embed.FS

// canonicalSHA256 holds the sha256 of each file's decompressed CSV, the
// hashes the data set's distribution lists.
var canonicalSHA256 = map[string]string{
	"mnist1d/train.csv.gz": "513f976008c31d1e8c59562e2f9485aa152cae170c87cf2b4fff9c0faed1548b",
	"mnist1d/test.csv.gz":  "1da3b121513b545ef518f6407b64f27e5c5785a14e771265af3b36f7674613aa",
}

// CanonicalMNIST1D returns the canonical MNIST-1D split, 4000 training and
// 1000 test examples of 40 features, on which the forward-gradient paper
// reports its tables. The split is embedded in the package, so it needs
// neither a file nor a download; its sha256 is checked when it is first
// read. Each call returns new copies that the caller may modify.
func CanonicalMNIST1D() (train, test *Dataset, err error) {
	c := canonicalSplit()
	if c.err != nil {
		return nil, nil, c.err
	}
	return c.train.Range(0, c.train.N), c.test.Range(0, c.test.N), nil
}

// canonicalSplit reads and checks the embedded split once.
var canonicalSplit = sync.OnceValue(func() (c struct {
	train, test *Dataset
	err         error
}) {
	c.train, c.err = readEmbedded("mnist1d/train.csv.gz")
	if c.err == nil {
		c.test, c.err = readEmbedded("mnist1d/test.csv.gz")
	}
	return c
})

// readEmbedded parses one embedded file, checking the sha256 of its
// decompressed text.
func readEmbedded(name string) (*Dataset, error) {
	f, err := canonicalFiles.Open(name)
	if err != nil {
		return nil, fmt.Errorf("data: embedded %s: %w", name, err)
	}
	defer f.Close()
	return readGzipCSV(f, name, canonicalSHA256[name])
}

// readGzipCSV parses gzip-compressed MNIST-1D CSV from r; name is used in
// errors. If wantSHA256 is set, the decompressed text must have that hash.
func readGzipCSV(r io.Reader, name, wantSHA256 string) (*Dataset, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", name, err)
	}
	h := sha256.New()
	src := &readErr{r: io.TeeReader(zr, h)}
	d, err := parseMNIST1DCSV(src, name)
	if src.err != nil {
		// A damaged file ends in a partial line, which is not the error
		// to report.
		return nil, fmt.Errorf("data: %s: %w", name, src.err)
	}
	if err != nil {
		return nil, err
	}
	// Read to the end, so that the gzip checksum is verified and the
	// hash covers what follows the last line.
	if _, err := io.Copy(h, zr); err != nil {
		return nil, fmt.Errorf("data: %s: %w", name, err)
	}
	if wantSHA256 != "" {
		if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA256 {
			return nil, fmt.Errorf("data: %s: sha256 of the data is %s, want %s: the file is damaged or not the canonical split", name, got, wantSHA256)
		}
	}
	return d, nil
}

// readErr remembers the first error of r other than io.EOF.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}
