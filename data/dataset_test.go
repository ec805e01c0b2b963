package data

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// toyDataset has 5 samples of 3 features; sample i holds 10i, 10i+1, 10i+2.
func toyDataset() *Dataset {
	d := &Dataset{N: 5, Features: 3, Classes: 3}
	for i := range d.N {
		for j := range d.Features {
			d.X = append(d.X, float64(10*i+j))
		}
		d.Labels = append(d.Labels, int64(i%3))
	}
	return d
}

func TestBatch(t *testing.T) {
	d := toyDataset()
	tests := []struct {
		name    string
		indices []int
		wantX   []float64
		wantY   []int64
	}{
		{"empty", nil, nil, nil},
		{"one", []int{2}, []float64{20, 21, 22}, []int64{2}},
		{"reordered", []int{4, 0}, []float64{40, 41, 42, 0, 1, 2}, []int64{1, 0}},
		{"repeated", []int{1, 1}, []float64{10, 11, 12, 10, 11, 12}, []int64{1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Buffers longer than needed: the tail must stay untouched.
			x := make([]float64, len(tc.indices)*3+2)
			y := make([]int64, len(tc.indices)+1)
			for i := range x {
				x[i] = -1
			}
			for i := range y {
				y[i] = -1
			}
			d.Batch(tc.indices, x, y)
			if got := x[:len(tc.wantX)]; !slices.Equal(got, tc.wantX) {
				t.Errorf("x = %v, want %v", got, tc.wantX)
			}
			if got := y[:len(tc.wantY)]; !slices.Equal(got, tc.wantY) {
				t.Errorf("labels = %v, want %v", got, tc.wantY)
			}
			if x[len(x)-1] != -1 || y[len(y)-1] != -1 {
				t.Errorf("Batch wrote past the batch: x tail %v, labels tail %v", x[len(x)-1], y[len(y)-1])
			}
		})
	}
}

func TestBatchPanics(t *testing.T) {
	d := toyDataset()
	tests := []struct {
		name    string
		indices []int
		x       []float64
		y       []int64
		want    string
	}{
		{"short x", []int{0, 1}, make([]float64, 5), make([]int64, 2), "x has 5 values"},
		{"short labels", []int{0, 1}, make([]float64, 6), make([]int64, 1), "labels has 1"},
		{"index too large", []int{5}, make([]float64, 3), make([]int64, 1), "index 5 out of range"},
		{"negative index", []int{-1}, make([]float64, 3), make([]int64, 1), "index -1 out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if msg, _ := r.(string); !strings.Contains(msg, tc.want) {
					t.Fatalf("panic %v, want it to contain %q", r, tc.want)
				}
			}()
			d.Batch(tc.indices, tc.x, tc.y)
		})
	}
}

func TestBatchDoesNotAllocate(t *testing.T) {
	d := toyDataset()
	idx := []int{3, 1, 4, 0}
	x := make([]float64, len(idx)*d.Features)
	y := make([]int64, len(idx))
	if allocs := testing.AllocsPerRun(100, func() { d.Batch(idx, x, y) }); allocs != 0 {
		t.Errorf("Batch allocates %v times per call, want 0", allocs)
	}
}

func isPermutation(p []int) bool {
	seen := make([]bool, len(p))
	for _, v := range p {
		if v < 0 || v >= len(p) || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

func TestShuffle(t *testing.T) {
	d := &Dataset{N: 1000, Features: 1, Classes: 1, X: make([]float64, 1000), Labels: make([]int64, 1000)}
	base := d.Shuffle(7, 3)
	if !isPermutation(base) {
		t.Fatalf("Shuffle(7, 3) is not a permutation of [0,%d)", d.N)
	}
	tests := []struct {
		name      string
		seed      uint64
		epoch     int
		wantEqual bool
	}{
		{"same seed and epoch", 7, 3, true},
		{"next epoch", 7, 4, false},
		{"other seed", 8, 3, false},
		{"epoch 0", 7, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := d.Shuffle(tc.seed, tc.epoch)
			if !isPermutation(p) {
				t.Fatalf("Shuffle(%d, %d) is not a permutation", tc.seed, tc.epoch)
			}
			if got := slices.Equal(p, base); got != tc.wantEqual {
				t.Errorf("Shuffle(%d, %d) equal to Shuffle(7, 3): %v, want %v", tc.seed, tc.epoch, got, tc.wantEqual)
			}
			into := make([]int, d.N)
			d.ShuffleInto(into, tc.seed, tc.epoch)
			if !slices.Equal(into, p) {
				t.Errorf("ShuffleInto differs from Shuffle for (%d, %d)", tc.seed, tc.epoch)
			}
		})
	}
	// A shuffle must actually move things: fewer than 1% fixed points
	// expected (about 1 of 1000).
	fixed := 0
	for i, v := range base {
		if i == v {
			fixed++
		}
	}
	if fixed > 10 {
		t.Errorf("Shuffle has %d fixed points of %d", fixed, d.N)
	}
}

func TestSubsetRangeConcat(t *testing.T) {
	d := toyDataset()
	s := d.Subset([]int{4, 2})
	if s.N != 2 || s.Features != 3 || s.Classes != 3 {
		t.Fatalf("Subset shape N=%d F=%d C=%d", s.N, s.Features, s.Classes)
	}
	if want := []float64{40, 41, 42, 20, 21, 22}; !slices.Equal(s.X, want) {
		t.Errorf("Subset X = %v, want %v", s.X, want)
	}
	s.X[0] = -5 // a copy, not a view
	if d.X[12] != 40 {
		t.Errorf("Subset shares memory with the original")
	}
	r := d.Range(1, 3)
	if want := []float64{10, 11, 12, 20, 21, 22}; r.N != 2 || !slices.Equal(r.X, want) || !slices.Equal(r.Labels, []int64{1, 2}) {
		t.Errorf("Range(1,3) = N %d X %v labels %v", r.N, r.X, r.Labels)
	}
	c, err := Concat(d.Range(0, 2), d.Range(2, 5))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.X, d.X) || !slices.Equal(c.Labels, d.Labels) || c.N != d.N {
		t.Errorf("Concat of the two halves differs from the whole")
	}
	if _, err := Concat(d, &Dataset{Features: 4, Classes: 3}); err == nil {
		t.Errorf("Concat with different Features: no error")
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d *Dataset)
		want   string
	}{
		{"short X", func(d *Dataset) { d.X = d.X[:4] }, "len(X)=4"},
		{"short labels", func(d *Dataset) { d.Labels = d.Labels[:4] }, "len(Labels)=4"},
		{"label too large", func(d *Dataset) { d.Labels[2] = 3 }, "sample 2: label 3 out of range"},
		{"negative label", func(d *Dataset) { d.Labels[0] = -1 }, "sample 0: label -1"},
		{"no classes", func(d *Dataset) { d.Classes = 0 }, "bad dataset shape"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := toyDataset()
			tc.mutate(d)
			err := d.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestStats(t *testing.T) {
	const tol = 1e-12
	d := &Dataset{
		X:      []float64{1, 2, 3, 4, 5, 6, 7, 8},
		Labels: []int64{0, 2, 2, 2},
		N:      4, Features: 2, Classes: 3,
	}
	s := d.Stats()
	if !slices.Equal(s.ClassCounts, []int{1, 0, 3}) {
		t.Errorf("ClassCounts = %v, want [1 0 3]", s.ClassCounts)
	}
	// mean 4.5, population variance (sum of (k-4.5)^2 for k=1..8)/8 = 42/8.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Mean", s.Mean, 4.5},
		{"Std", s.Std, math.Sqrt(42.0 / 8)},
		{"Min", s.Min, 1},
		{"Max", s.Max, 8},
	} {
		if math.Abs(c.got-c.want) > tol {
			t.Errorf("%s = %v, want %v (tol %g)", c.name, c.got, c.want, tol)
		}
	}
	m := d.ClassMeans()
	want := [][]float64{{1, 2}, {0, 0}, {5, 6}}
	for c := range want {
		for j := range want[c] {
			if math.Abs(m[c][j]-want[c][j]) > tol {
				t.Errorf("ClassMeans[%d][%d] = %v, want %v", c, j, m[c][j], want[c][j])
			}
		}
	}
}
