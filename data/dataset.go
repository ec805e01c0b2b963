package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Dataset is a labelled data set held in memory: N samples of Features
// float64 values each, stored row-major in X (sample i is
// X[i*Features:(i+1)*Features]), and one label in [0, Classes) per sample.
type Dataset struct {
	X        []float64 // row-major, N×Features
	Labels   []int64   // length N, each in [0, Classes)
	N        int
	Features int
	Classes  int
}

// Validate checks that the sizes agree and every label is in range.
func (d *Dataset) Validate() error {
	if d.N < 0 || d.Features <= 0 || d.Classes <= 0 {
		return fmt.Errorf("data: bad dataset shape N=%d Features=%d Classes=%d", d.N, d.Features, d.Classes)
	}
	if len(d.X) != d.N*d.Features {
		return fmt.Errorf("data: len(X)=%d, want N×Features=%d×%d=%d", len(d.X), d.N, d.Features, d.N*d.Features)
	}
	if len(d.Labels) != d.N {
		return fmt.Errorf("data: len(Labels)=%d, want N=%d", len(d.Labels), d.N)
	}
	for i, l := range d.Labels {
		if l < 0 || l >= int64(d.Classes) {
			return fmt.Errorf("data: sample %d: label %d out of range [0,%d)", i, l, d.Classes)
		}
	}
	return nil
}

// Row returns sample i's features (a view into X, not a copy).
func (d *Dataset) Row(i int) []float64 {
	return d.X[i*d.Features : (i+1)*d.Features : (i+1)*d.Features]
}

// Batch copies the samples named by indices, in that order, into the
// caller's buffers: x gets len(indices)×Features values (row-major) and
// labels gets len(indices) labels. It does not allocate. It panics if a
// buffer is too short or an index is out of range, like a slice access.
func (d *Dataset) Batch(indices []int, x []float64, labels []int64) {
	f := d.Features
	if len(x) < len(indices)*f {
		panic(fmt.Sprintf("data: Batch: x has %d values, need %d×%d", len(x), len(indices), f))
	}
	if len(labels) < len(indices) {
		panic(fmt.Sprintf("data: Batch: labels has %d entries, need %d", len(labels), len(indices)))
	}
	for b, i := range indices {
		if i < 0 || i >= d.N {
			panic(fmt.Sprintf("data: Batch: index %d out of range [0,%d)", i, d.N))
		}
		copy(x[b*f:(b+1)*f], d.X[i*f:(i+1)*f])
		labels[b] = d.Labels[i]
	}
}

// Shuffle returns the permutation of [0, N) for the given epoch. It is a
// deterministic function of (seed, epoch): the generator is math/rand/v2's
// PCG seeded with (seed, uint64(epoch)), and the permutation is a
// Fisher–Yates shuffle (rand.Rand.Shuffle) of the identity.
func (d *Dataset) Shuffle(seed uint64, epoch int) []int {
	perm := make([]int, d.N)
	d.ShuffleInto(perm, seed, epoch)
	return perm
}

// ShuffleInto writes the permutation Shuffle(seed, epoch) into perm, which
// must have length N.
func (d *Dataset) ShuffleInto(perm []int, seed uint64, epoch int) {
	if len(perm) != d.N {
		panic(fmt.Sprintf("data: ShuffleInto: len(perm)=%d, want N=%d", len(perm), d.N))
	}
	for i := range perm {
		perm[i] = i
	}
	r := rand.New(rand.NewPCG(seed, uint64(epoch)))
	r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
}

// Subset returns a new Dataset holding copies of the samples named by
// indices, in that order. It panics if an index is out of range.
func (d *Dataset) Subset(indices []int) *Dataset {
	s := &Dataset{
		X:        make([]float64, len(indices)*d.Features),
		Labels:   make([]int64, len(indices)),
		N:        len(indices),
		Features: d.Features,
		Classes:  d.Classes,
	}
	d.Batch(indices, s.X, s.Labels)
	return s
}

// Range returns a new Dataset holding copies of samples lo..hi-1.
func (d *Dataset) Range(lo, hi int) *Dataset {
	if lo < 0 || hi > d.N || lo > hi {
		panic(fmt.Sprintf("data: Range [%d,%d) out of [0,%d]", lo, hi, d.N))
	}
	f := d.Features
	return &Dataset{
		X:        append([]float64(nil), d.X[lo*f:hi*f]...),
		Labels:   append([]int64(nil), d.Labels[lo:hi]...),
		N:        hi - lo,
		Features: f,
		Classes:  d.Classes,
	}
}

// Stats summarises a Dataset.
type Stats struct {
	N, Features, Classes int
	ClassCounts          []int   // samples per class, length Classes
	Mean, Std            float64 // over all N×Features values; Std is the population std
	Min, Max             float64 // over all values
}

// Stats computes class counts and the global mean, (population) standard
// deviation, minimum and maximum over all values. Labels out of range are
// not counted.
func (d *Dataset) Stats() Stats {
	s := Stats{N: d.N, Features: d.Features, Classes: d.Classes, ClassCounts: make([]int, d.Classes)}
	for _, l := range d.Labels {
		if l >= 0 && l < int64(d.Classes) {
			s.ClassCounts[l]++
		}
	}
	s.Mean, s.Std = meanStd(d.X)
	s.Min, s.Max = math.Inf(1), math.Inf(-1)
	for _, v := range d.X {
		s.Min = math.Min(s.Min, v)
		s.Max = math.Max(s.Max, v)
	}
	return s
}

// ClassMeans returns, for each class, the mean feature vector over the
// samples of that class (a zero vector for a class without samples).
func (d *Dataset) ClassMeans() [][]float64 {
	means := make([][]float64, d.Classes)
	counts := make([]int, d.Classes)
	for c := range means {
		means[c] = make([]float64, d.Features)
	}
	for i, l := range d.Labels {
		if l < 0 || l >= int64(d.Classes) {
			continue
		}
		counts[l]++
		m := means[l]
		for j, v := range d.Row(i) {
			m[j] += v
		}
	}
	for c, m := range means {
		if counts[c] == 0 {
			continue
		}
		for j := range m {
			m[j] /= float64(counts[c])
		}
	}
	return means
}

// Concat returns a new Dataset with the samples of a followed by those of b.
// The two must have the same Features; Classes is the larger of the two.
func Concat(a, b *Dataset) (*Dataset, error) {
	if a.Features != b.Features {
		return nil, fmt.Errorf("data: Concat: Features %d and %d differ", a.Features, b.Features)
	}
	return &Dataset{
		X:        append(append(make([]float64, 0, len(a.X)+len(b.X)), a.X...), b.X...),
		Labels:   append(append(make([]int64, 0, len(a.Labels)+len(b.Labels)), a.Labels...), b.Labels...),
		N:        a.N + b.N,
		Features: a.Features,
		Classes:  max(a.Classes, b.Classes),
	}, nil
}

// meanStd returns the mean and population standard deviation of xs (two
// passes, as NumPy's mean and std).
func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	var sum float64
	for _, v := range xs {
		sum += v
	}
	mean = sum / float64(len(xs))
	var ss float64
	for _, v := range xs {
		d := v - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / float64(len(xs)))
}
