package nn

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// Rand returns the generator that draws the initial value of the parameter
// name under seed: ChaCha8 (math/rand/v2) keyed by the SHA-256 hash of the
// seed (8 bytes, little-endian) followed by the name. Streams of different
// names are independent, and a parameter's stream depends on nothing but
// the seed and its name.
func Rand(seed uint64, name string) *rand.Rand {
	h := sha256.New()
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	h.Write(s[:])
	h.Write([]byte(name))
	var key [32]byte
	copy(key[:], h.Sum(nil))
	return rand.New(rand.NewChaCha8(key))
}

// InitParams draws the initial values of f's parameters, one flat
// row-major slice per parameter name, rounded to the parameter's dtype
// (f32 values are exactly representable as float32). Every parameter of
// role param must have an initializer in inits (usually b.Inits() of the
// builder that made f); a state parameter without one starts at zero;
// data parameters get no values and must have no initializer. Each
// parameter's values are drawn from Rand(seed, name), so they depend only
// on the seed, the name, the type and the initializer.
func InitParams(f *ir.Func, inits map[string]builder.Initializer, seed uint64) (map[string][]float64, error) {
	var errs []error
	out := map[string][]float64{}
	known := map[string]bool{}
	for _, p := range f.Params {
		known[p.Name] = true
		init, ok := inits[p.Name]
		switch {
		case p.Role == ir.Data:
			if ok {
				errs = append(errs, fmt.Errorf("nn: initializer for data parameter %s", p))
			}
			continue
		case p.Role == ir.Param && (!ok || init == nil):
			errs = append(errs, fmt.Errorf("nn: no initializer for param %s", p))
			continue
		}
		n, okSize := p.Type.Shape.NumElements()
		if !okSize || n > math.MaxInt32 {
			errs = append(errs, fmt.Errorf("nn: parameter %s has type %s, invalid or too large", p, p.Type))
			continue
		}
		vals := make([]float64, n)
		if init != nil {
			if err := init.Init(vals, p.Type, Rand(seed, p.Name)); err != nil {
				errs = append(errs, fmt.Errorf("nn: initializing %s: %w", p, err))
				continue
			}
		}
		if err := roundTo(vals, p.Type.DType); err != nil {
			errs = append(errs, fmt.Errorf("nn: initializing %s: %w", p, err))
			continue
		}
		out[p.Name] = vals
	}
	var unknown []string
	for name := range inits {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		errs = append(errs, fmt.Errorf("nn: initializer for %q, which is not a parameter of @%s", name, f.Name))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// roundTo rounds vals to what a tensor of dtype d holds.
func roundTo(vals []float64, d ir.DType) error {
	switch d {
	case ir.F32:
		for i, v := range vals {
			vals[i] = float64(float32(v))
		}
	case ir.I64, ir.U64:
		for _, v := range vals {
			if v != math.Trunc(v) || (d == ir.U64 && v < 0) {
				return fmt.Errorf("value %v is not a valid %s", v, d)
			}
		}
	}
	return nil
}

// FanIn is the fan-in of a weight of type t in the [in..., out] layout of
// this package: the product of all axes but the last. It needs rank 2 or
// more.
func FanIn(t ir.Type) (int, error) {
	if t.Rank() < 2 {
		return 0, fmt.Errorf("fan-in of %s is undefined (want rank 2 or more, or give it explicitly)", t)
	}
	n := 1
	for _, d := range t.Shape[:t.Rank()-1] {
		n *= d
	}
	return n, nil
}

// Uniform draws from U(low, high).
func Uniform(low, high float64) builder.Initializer { return uniform{low, high} }

type uniform struct{ low, high float64 }

func (u uniform) Init(dst []float64, _ ir.Type, rng *rand.Rand) error {
	for i := range dst {
		dst[i] = u.low + (u.high-u.low)*rng.Float64()
	}
	return nil
}

func (u uniform) String() string { return fmt.Sprintf("uniform(%g, %g)", u.low, u.high) }

// Normal draws from N(mean, std²).
func Normal(mean, std float64) builder.Initializer { return normal{mean, std} }

type normal struct{ mean, std float64 }

func (n normal) Init(dst []float64, _ ir.Type, rng *rand.Rand) error {
	for i := range dst {
		dst[i] = n.mean + n.std*rng.NormFloat64()
	}
	return nil
}

func (n normal) String() string { return fmt.Sprintf("normal(%g, %g)", n.mean, n.std) }

// Constant sets every element to v; it draws nothing.
func Constant(v float64) builder.Initializer { return constant(v) }

// Zeros sets every element to 0.
func Zeros() builder.Initializer { return constant(0) }

type constant float64

func (c constant) Init(dst []float64, _ ir.Type, _ *rand.Rand) error {
	for i := range dst {
		dst[i] = float64(c)
	}
	return nil
}

func (c constant) String() string { return fmt.Sprintf("constant(%g)", float64(c)) }

// FanInUniform draws from U(−1/√n, 1/√n) with n = fanIn, or the fan-in of
// the parameter's type (see FanIn) when fanIn is 0: PyTorch's default
// initialisation of nn.Linear, both for the weight (kaiming_uniform with
// a=√5 comes to this bound) and for the bias (with the weight's fan-in).
func FanInUniform(fanIn int) builder.Initializer { return fanInUniform{fanIn} }

type fanInUniform struct{ fanIn int }

func (u fanInUniform) Init(dst []float64, t ir.Type, rng *rand.Rand) error {
	n, err := fanIn(u.fanIn, t)
	if err != nil {
		return err
	}
	bound := 1 / math.Sqrt(float64(n))
	return uniform{-bound, bound}.Init(dst, t, rng)
}

func (u fanInUniform) String() string { return fmt.Sprintf("fan_in_uniform(%d)", u.fanIn) }

func fanIn(given int, t ir.Type) (int, error) {
	if given < 0 {
		return 0, fmt.Errorf("negative fan-in %d", given)
	}
	n := given
	if n == 0 {
		var err error
		if n, err = FanIn(t); err != nil {
			return 0, err
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("fan-in of %s is 0", t)
	}
	return n, nil
}

// KaimingNormal draws from N(0, std²) with std = gain/√fan_in (He et al.,
// PyTorch's kaiming_normal_ in fan_in mode); fan_in is that of the
// parameter's type (see FanIn). Use ReLU.Gain() (√2) before a ReLU.
func KaimingNormal(gain float64) builder.Initializer { return kaimingNormal{gain} }

type kaimingNormal struct{ gain float64 }

func (k kaimingNormal) Init(dst []float64, t ir.Type, rng *rand.Rand) error {
	n, err := fanIn(0, t)
	if err != nil {
		return err
	}
	return normal{0, k.gain / math.Sqrt(float64(n))}.Init(dst, t, rng)
}

func (k kaimingNormal) String() string { return fmt.Sprintf("kaiming_normal(%g)", k.gain) }

// Orthogonal draws a (semi-)orthogonal matrix times gain, as PyTorch's
// orthogonal_: the parameter is viewed as a rows×cols matrix (cols the
// last axis, rows the product of the others); a Gaussian matrix of shape
// max×min is factorised A = QR, the columns of Q are multiplied by the
// signs of diag(R) (making Q Haar distributed), and Q, transposed when
// rows < cols, is the result. So the columns are orthonormal (WᵀW = I)
// when rows ≥ cols, and the rows otherwise (W Wᵀ = I).
func Orthogonal(gain float64) builder.Initializer { return orthogonal{gain} }

type orthogonal struct{ gain float64 }

func (o orthogonal) Init(dst []float64, t ir.Type, rng *rand.Rand) error {
	if t.Rank() < 2 {
		return fmt.Errorf("orthogonal initialisation needs rank 2 or more, got %s", t)
	}
	cols := t.Shape[t.Rank()-1]
	rows := len(dst) / max(cols, 1)
	if rows == 0 || cols == 0 {
		return nil
	}
	m, n := max(rows, cols), min(rows, cols)
	a := mat.NewDense(m, n, nil)
	for i := range m {
		for j := range n {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := range n {
		s := o.gain
		if r.At(j, j) < 0 {
			s = -s
		}
		for i := range m {
			v := s * q.At(i, j)
			if rows >= cols {
				dst[i*cols+j] = v
			} else {
				dst[j*cols+i] = v
			}
		}
	}
	return nil
}

func (o orthogonal) String() string { return fmt.Sprintf("orthogonal(%g)", o.gain) }
