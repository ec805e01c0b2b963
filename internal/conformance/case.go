package conformance

import (
	"fmt"
	"math/rand/v2"

	"github.com/pushforward/pushforward/ir"
)

// Kind says what an input of a case holds.
type Kind uint8

// Input kinds.
const (
	Float  Kind = iota // a float tensor, differentiated
	Labels             // i64 indices in [0, N)
	Key                // a u64 scalar
)

// Dist is the distribution a float input is drawn from.
type Dist uint8

// Input distributions, chosen to keep each op away from its kinks and
// singularities.
const (
	Normal       Dist = iota // N(0, 1)
	Positive                 // U(0.5, 2)
	AwayFromZero             // ±U(0.3, 1.5)
	SPD                      // symmetric positive definite: M Mᵀ + n I
	Triangular               // well-conditioned: N(0, 0.3) off the diagonal, ±U(1, 2) on it
)

// Input describes one parameter of a case's function.
type Input struct {
	Shape ir.Shape
	Kind  Kind
	Dist  Dist
	N     int // label range for Labels
}

// A Case is one op applied to inputs of given shapes.
type Case struct {
	Name   string
	Op     ir.Op
	Attrs  ir.Attrs
	Inputs []Input
	// Declared gives the declared result types of ops that take them from
	// the declaration (constant, reshape, cast, ...), for dtype d.
	Declared func(d ir.DType) []ir.Type
	// Scaled composes an op without float operands with a float input of
	// the result's shape: the case computes op(...) * x, so the op's
	// (zero) derivative meets a differentiated path.
	Scaled bool
	// Separate makes the first two float inputs differ by at least 0.3
	// elementwise (maximum, minimum and compare ops have kinks at ties).
	Separate bool
	// Region gives the region of a declarative op (argmin) for dtype d.
	Region func(d ir.DType) *ir.Region
	// Pending, if set, says why the case cannot pass yet; Check skips it.
	Pending string
}

// shapes of the case's inputs.
func (c *Case) floatInputs() []int {
	var idx []int
	for i, in := range c.Inputs {
		if in.Kind == Float {
			idx = append(idx, i)
		}
	}
	return idx
}

// Build returns the case's function in dtype d: parameters x0, x1, ... (role
// param for float inputs, data otherwise; plus "scale" if Scaled), one
// instruction, and the op's float results.
func (c *Case) Build(d ir.DType) (*ir.Func, error) {
	f := ir.NewFunc(funcName(c.Name))
	args := make([]*ir.Value, len(c.Inputs))
	for i, in := range c.Inputs {
		t, role := ir.Type{DType: d, Shape: in.Shape}, ir.Param
		switch in.Kind {
		case Labels:
			t, role = ir.Type{DType: ir.I64, Shape: in.Shape}, ir.Data
		case Key:
			t, role = ir.Scalar(ir.U64), ir.Data
		}
		args[i] = f.AddParam(fmt.Sprintf("x%d", i), t, role)
	}
	var declared []ir.Type
	if c.Declared != nil {
		declared = c.Declared(d)
	}
	res, err := appendOp(f, c.Op, args, c.Attrs, declared)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", c.Name, err)
	}
	if c.Region != nil {
		res[0].Def.Region = c.Region(d)
	}
	if c.Scaled {
		s := f.AddParam("scale", res[0].Type, ir.Param)
		res, err = appendOp(f, ir.OpMul, []*ir.Value{res[0], s}, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.Name, err)
		}
	}
	for _, r := range res {
		if r.Type.DType.IsFloat() {
			f.Results = append(f.Results, r)
		}
	}
	return f, ir.Verify(f)
}

// appendOp appends op to f with fresh names and inferred result types.
func appendOp(f *ir.Func, op ir.Op, args []*ir.Value, attrs ir.Attrs, declared []ir.Type) ([]*ir.Value, error) {
	ts := make([]ir.Type, len(args))
	for i, a := range args {
		ts[i] = a.Type
	}
	types, err := ir.InferTypes(op, ts, attrs, declared)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(types))
	for i := range names {
		names[i] = fmt.Sprintf("v%d_%d", len(f.Body), i)
	}
	return f.Append(op, args, attrs, types, names).Results, nil
}

// sample draws the case's inputs (as float64, row-major) for the f64 and
// f32 versions alike. Params of Build's function come in the same order.
func (c *Case) sample(r *rand.Rand, f *ir.Func) [][]float64 {
	xs := make([][]float64, len(f.Params))
	for i, p := range f.Params {
		var in Input
		if i < len(c.Inputs) {
			in = c.Inputs[i]
		}
		xs[i] = draw(r, in, p.Type)
	}
	if c.Separate {
		fl := c.floatInputs()
		a, b := xs[fl[0]], xs[fl[1]]
		for k := range b {
			b[k] = a[k%len(a)] + sign(r)*(0.3+r.Float64())
		}
	}
	return xs
}

func sign(r *rand.Rand) float64 {
	if r.IntN(2) == 0 {
		return -1
	}
	return 1
}

func draw(r *rand.Rand, in Input, t ir.Type) []float64 {
	n := t.Shape.Size()
	xs := make([]float64, n)
	switch {
	case t.DType == ir.U64:
		xs[0] = float64(r.Uint32())
		return xs
	case in.Kind == Labels:
		for i := range xs {
			xs[i] = float64(r.IntN(in.N))
		}
		return xs
	}
	switch in.Dist {
	case Positive:
		for i := range xs {
			xs[i] = 0.5 + 1.5*r.Float64()
		}
	case AwayFromZero:
		for i := range xs {
			xs[i] = sign(r) * (0.3 + 1.2*r.Float64())
		}
	case SPD:
		return spd(r, t.Shape)
	case Triangular:
		return triangular(r, t.Shape)
	default:
		for i := range xs {
			xs[i] = r.NormFloat64()
		}
	}
	return xs
}

// spd fills each trailing n×n matrix with M Mᵀ + n I.
func spd(r *rand.Rand, s ir.Shape) []float64 {
	n := s[len(s)-1]
	xs := make([]float64, s.Size())
	for off := 0; off < len(xs); off += n * n {
		m := make([]float64, n*n)
		for i := range m {
			m[i] = r.NormFloat64()
		}
		for i := range n {
			for j := range n {
				v := 0.0
				for k := range n {
					v += m[i*n+k] * m[j*n+k]
				}
				if i == j {
					v += float64(n)
				}
				xs[off+i*n+j] = v
			}
		}
	}
	return xs
}

func triangular(r *rand.Rand, s ir.Shape) []float64 {
	n := s[len(s)-1]
	xs := make([]float64, s.Size())
	for i := range xs {
		row, col := (i/n)%n, i%n
		if row == col {
			xs[i] = sign(r) * (1 + r.Float64())
		} else {
			xs[i] = 0.3 * r.NormFloat64()
		}
	}
	return xs
}

// funcName turns a case name such as "matmul/ta" or "pow/-1" into a valid
// function name.
func funcName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c == '_' || c == '.' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}
