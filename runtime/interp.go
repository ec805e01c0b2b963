package runtime

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
)

// An Interpreter runs one function. It is immutable once built, so Run may
// be called from several goroutines at once.
type Interpreter struct {
	fn      *ir.Func
	gemm    kernels.GEMM
	steps   []step
	slots   int   // parameters first, then instruction results in order
	results []int // slot of each function result
}

// A step is one instruction bound to its kernel and its value slots.
type step struct {
	in      *ir.Instr
	exec    execFunc
	args    []int
	results []int
	// region is the interpreter of an argmin's objective, or nil.
	region *Interpreter
}

// A call is what an executor sees: the instruction and its operands.
type call struct {
	in     *ir.Instr
	args   []*Tensor
	gemm   kernels.GEMM
	region *Interpreter
}

// out returns the declared type of result i.
func (c *call) out(i int) ir.Type { return c.in.Results[i].Type }

// An execFunc computes an instruction's results from its operands. The
// operands have the types the op's type rule accepts (New checks it); the
// results must have the declared types.
type execFunc func(c *call) ([]*Tensor, error)

// An Option configures an Interpreter.
type Option func(*config)

type config struct {
	gemm kernels.GEMM
}

// WithGEMM makes the interpreter compute matrix products with g instead of
// kernels.Default() at the time New is called.
func WithGEMM(g kernels.GEMM) Option {
	return func(c *config) { c.gemm = g }
}

// New checks f and binds each instruction to its kernel. It checks what
// execution relies on: every operand is defined before use, every op is
// known and every instruction's declared result types are the ones its
// op's type rule gives. (The verifier checks more.)
func New(f *ir.Func, opts ...Option) (*Interpreter, error) {
	cfg := config{gemm: kernels.Default()}
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.gemm == nil {
		return nil, errors.New("runtime: nil GEMM")
	}
	return newInterpreter(f, cfg)
}

// Run runs f once on inputs, one per parameter in order.
func Run(f *ir.Func, inputs []*Tensor) ([]*Tensor, error) {
	it, err := New(f)
	if err != nil {
		return nil, err
	}
	return it.Run(inputs)
}

func newInterpreter(f *ir.Func, cfg config) (*Interpreter, error) {
	if f == nil {
		return nil, errors.New("runtime: nil function")
	}
	it := &Interpreter{fn: f, gemm: cfg.gemm}
	slot := make(map[*ir.Value]int)
	for _, p := range f.Params {
		if p == nil {
			return nil, fmt.Errorf("func @%s: nil parameter", f.Name)
		}
		if err := checkType(p.Type); err != nil {
			return nil, fmt.Errorf("func @%s: parameter %s: %w", f.Name, p, err)
		}
		if _, dup := slot[p]; dup {
			return nil, fmt.Errorf("func @%s: parameter %s listed twice", f.Name, p)
		}
		slot[p] = len(slot)
	}
	for _, in := range f.Body {
		if in == nil {
			return nil, fmt.Errorf("func @%s: nil instruction", f.Name)
		}
		s, err := bind(in, slot, cfg)
		if err != nil {
			return nil, &Error{Instr: in, Err: err}
		}
		it.steps = append(it.steps, s)
	}
	for i, r := range f.Results {
		n, ok := slot[r]
		if !ok {
			return nil, fmt.Errorf("func @%s: result %d (%s) is not defined in the function", f.Name, i, valueName(r))
		}
		it.results = append(it.results, n)
	}
	it.slots = len(slot)
	return it, nil
}

// bind checks one instruction, assigns slots to its results and returns
// its step.
func bind(in *ir.Instr, slot map[*ir.Value]int, cfg config) (step, error) {
	s := step{in: in, exec: executors[in.Op]}
	if s.exec == nil {
		return s, fmt.Errorf("the interpreter has no kernel for op %s", in.Op)
	}
	for i, a := range in.Args {
		n, ok := slot[a]
		if !ok {
			return s, fmt.Errorf("operand %d (%s) is not defined before use", i, valueName(a))
		}
		s.args = append(s.args, n)
	}
	if err := checkResultTypes(in); err != nil {
		return s, err
	}
	if in.Op == ir.OpArgmin {
		region, err := bindObjective(in, cfg)
		if err != nil {
			return s, err
		}
		s.region = region
	}
	for _, r := range in.Results {
		if _, dup := slot[r]; dup {
			return s, fmt.Errorf("%s is defined twice", r)
		}
		slot[r] = len(slot)
		s.results = append(s.results, slot[r])
	}
	return s, nil
}

// checkResultTypes compares the declared result types with the op's type
// rule, so that kernels can trust both.
func checkResultTypes(in *ir.Instr) (err error) {
	declared := make([]ir.Type, len(in.Results))
	for i, r := range in.Results {
		if r == nil {
			return fmt.Errorf("result %d is nil", i)
		}
		if err := checkType(r.Type); err != nil {
			return fmt.Errorf("result %s: %w", r, err)
		}
		declared[i] = r.Type
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("type rule panicked: %v", r)
		}
	}()
	inferred, err := ir.InferTypes(in.Op, in.ArgTypes(), in.Attrs, declared)
	if err != nil {
		return err
	}
	if !slices.EqualFunc(inferred, declared, ir.Type.Equal) {
		return fmt.Errorf("declared result types (%s) differ from the op's (%s)", joinTypes(declared), joinTypes(inferred))
	}
	return nil
}

// checkType reports types that cannot be allocated.
func checkType(t ir.Type) error {
	if !t.DType.Valid() {
		return fmt.Errorf("invalid dtype in %s", t)
	}
	if n, ok := t.Shape.NumElements(); !ok || n > math.MaxInt {
		return fmt.Errorf("invalid shape in %s", t)
	}
	return nil
}

// Func returns the function the interpreter runs.
func (it *Interpreter) Func() *ir.Func { return it.fn }

// Run executes the function on inputs, one per parameter in order, and
// returns its results. Inputs are not modified; the results share no
// memory with the inputs or with each other.
func (it *Interpreter) Run(inputs []*Tensor) ([]*Tensor, error) {
	if err := it.checkInputs(inputs); err != nil {
		return nil, err
	}
	env := make([]*Tensor, it.slots)
	copy(env, inputs)
	for i := range it.steps {
		if err := it.steps[i].run(env, it.gemm); err != nil {
			return nil, err
		}
	}
	return it.collect(env, len(inputs)), nil
}

// RunNamed is Run with the inputs given by parameter name (without the %).
func (it *Interpreter) RunNamed(inputs map[string]*Tensor) ([]*Tensor, error) {
	params := it.fn.Params
	ordered := make([]*Tensor, len(params))
	for i, p := range params {
		t, ok := inputs[p.Name]
		if !ok {
			return nil, fmt.Errorf("missing input %s", p)
		}
		ordered[i] = t
	}
	if len(inputs) != len(params) {
		var unknown []string
		for name := range inputs {
			if it.fn.Param(name) == nil {
				unknown = append(unknown, "%"+name)
			}
		}
		slices.Sort(unknown)
		return nil, fmt.Errorf("unknown inputs %s (parameters: %s)", strings.Join(unknown, ", "), paramList(params))
	}
	return it.Run(ordered)
}

func paramList(params []*ir.Value) string {
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.String()
	}
	return strings.Join(names, ", ")
}

func (it *Interpreter) checkInputs(inputs []*Tensor) error {
	params := it.fn.Params
	if len(inputs) != len(params) {
		return fmt.Errorf("got %d inputs, want %d (%s)", len(inputs), len(params), paramList(params))
	}
	for i, p := range params {
		t := inputs[i]
		if t == nil {
			return fmt.Errorf("input %s: missing (nil)", p)
		}
		if !t.Type.Equal(p.Type) {
			return fmt.Errorf("input %s: got %s, want %s", p, t.Type, p.Type)
		}
		if err := t.check(); err != nil {
			return fmt.Errorf("input %s: %w", p, err)
		}
	}
	return nil
}

// collect returns the results, copying those that are inputs or that were
// already returned, so that the caller owns every tensor.
func (it *Interpreter) collect(env []*Tensor, numInputs int) []*Tensor {
	out := make([]*Tensor, len(it.results))
	seen := make(map[int]bool)
	for i, n := range it.results {
		out[i] = env[n]
		if n < numInputs || seen[n] {
			out[i] = env[n].Clone()
		}
		seen[n] = true
	}
	return out
}

// run executes one step, turning kernel panics into errors.
func (s *step) run(env []*Tensor, gemm kernels.GEMM) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Instr: s.in, Err: fmt.Errorf("kernel panic: %v", r)}
		}
	}()
	c := &call{in: s.in, args: make([]*Tensor, len(s.args)), gemm: gemm, region: s.region}
	for i, n := range s.args {
		c.args[i] = env[n]
	}
	outs, err := s.exec(c)
	if err != nil {
		return &Error{Instr: s.in, Err: err}
	}
	if len(outs) != len(s.results) {
		return &Error{Instr: s.in, Err: fmt.Errorf("internal error: kernel returned %d results", len(outs))}
	}
	for i, t := range outs {
		if want := s.in.Results[i].Type; !t.Type.Equal(want) || t.check() != nil {
			return &Error{Instr: s.in, Err: fmt.Errorf("internal error: kernel returned %s for result %d, want %s", t.Type, i, want)}
		}
		env[s.results[i]] = t
	}
	return nil
}

// single adapts an executor of one result.
func single(f func(c *call) (*Tensor, error)) execFunc {
	return func(c *call) ([]*Tensor, error) {
		t, err := f(c)
		if err != nil {
			return nil, err
		}
		return []*Tensor{t}, nil
	}
}

// perDType picks the instantiation of a generic kernel by the dtype of the
// instruction's first result; nil entries are dtypes the type rule excludes.
func perDType(f32, f64, i64, u64 func(c *call) (*Tensor, error)) execFunc {
	return single(func(c *call) (*Tensor, error) {
		var f func(c *call) (*Tensor, error)
		switch d := c.out(0).DType; d {
		case ir.F32:
			f = f32
		case ir.F64:
			f = f64
		case ir.I64:
			f = i64
		case ir.U64:
			f = u64
		}
		if f == nil {
			return nil, fmt.Errorf("no %s kernel", c.out(0).DType)
		}
		return f(c)
	})
}

func floatsOnly(f32, f64 func(c *call) (*Tensor, error)) execFunc {
	return perDType(f32, f64, nil, nil)
}

// Executors shared by families of ops.
var (
	unaryExec    = perDType(unary[float32], unary[float64], unary[int64], unary[uint64])
	binaryExec   = perDType(binary[float32], binary[float64], binary[int64], binary[uint64])
	reduceExec   = perDType(reduce[float32], reduce[float64], reduce[int64], reduce[uint64])
	softmaxExec  = floatsOnly(softmax[float32], softmax[float64])
	dataMoveExec = single(execDataMove)
)

// executors maps every op to its executor; a test checks that it covers
// ir.AllOps().
var executors = map[ir.Op]execFunc{
	ir.OpConstant:   perDType(constant[float32], constant[float64], constant[int64], constant[uint64]),
	ir.OpFull:       perDType(full[float32], full[float64], full[int64], full[uint64]),
	ir.OpRngNormal:  single(execRandom),
	ir.OpRngUniform: single(execRandom),

	ir.OpNeg:     unaryExec,
	ir.OpExp:     unaryExec,
	ir.OpLog:     unaryExec,
	ir.OpTanh:    unaryExec,
	ir.OpSigmoid: unaryExec,
	ir.OpRelu:    unaryExec,
	ir.OpStep:    unaryExec,
	ir.OpAbs:     unaryExec,
	ir.OpSqrt:    unaryExec,
	ir.OpSquare:  unaryExec,
	ir.OpPow:     unaryExec,
	ir.OpCast:    single(execCast),

	ir.OpAdd:     binaryExec,
	ir.OpSub:     binaryExec,
	ir.OpMul:     binaryExec,
	ir.OpDiv:     binaryExec,
	ir.OpMaximum: binaryExec,
	ir.OpMinimum: binaryExec,
	ir.OpEq:      binaryExec,
	ir.OpNe:      binaryExec,
	ir.OpLt:      binaryExec,
	ir.OpLe:      binaryExec,
	ir.OpGt:      binaryExec,
	ir.OpGe:      binaryExec,
	ir.OpSelect:  perDType(selectOp[float32], selectOp[float64], selectOp[int64], selectOp[uint64]),

	ir.OpBroadcastTo: dataMoveExec,
	ir.OpReshape:     dataMoveExec,
	ir.OpTranspose:   dataMoveExec,
	ir.OpSlice:       dataMoveExec,
	ir.OpConcat:      single(execConcat),
	ir.OpMatmul:      floatsOnly(matmul[float32], matmul[float64]),
	ir.OpGather:      single(execGather),

	ir.OpReduceSum:  reduceExec,
	ir.OpReduceMean: reduceExec,
	ir.OpReduceMax:  reduceExec,

	ir.OpSoftmax:     softmaxExec,
	ir.OpLogSoftmax:  softmaxExec,
	ir.OpSoftmaxXent: floatsOnly(softmaxXent[float32], softmaxXent[float64]),
	ir.OpOneHot:      perDType(oneHot[float32], oneHot[float64], oneHot[int64], oneHot[uint64]),

	ir.OpQR:              execQR,
	ir.OpSVD:             execSVD,
	ir.OpEigh:            execEigh,
	ir.OpCholesky:        single(execCholesky),
	ir.OpTriangularSolve: single(execTriangularSolve),

	ir.OpArgmin: execArgmin,
}
