package runtime

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/ops"
)

// An Interpreter runs one function. It is immutable once built, so Run may
// be called from several goroutines at once.
type Interpreter struct {
	fn      *ir.Func
	gemm    kernels.GEMM
	steps   []step
	slots   int         // parameters first, then instruction results in order
	results []int       // slot of each function result
	plan    *ir.MemPlan // the memory plan recorded in fn, or nil (runner.go)
}

// A step is one instruction bound to its kernel and its value slots.
type step struct {
	in      *ir.Instr
	kern    kernel
	args    []int
	results []int
	// region holds the interpreters of a declarative op's region, or nil.
	region *boundRegion
}

// A kernel runs one bound instruction. Most kernels write into outs, which
// hold tensors of the declared result types with arbitrary contents (into
// is set); the others, the linear-algebra ops and argmin, leave outs nil
// on entry and store tensors they allocate. Plans that do not depend on
// the operands' values (strides, offsets, attributes) are computed once,
// when the interpreter is built, and captured by run.
type kernel struct {
	run  runFunc
	into bool
}

// An execCtx is what kernels share during one run: scratch memory and the
// task objects of parallel loops, reused from step to step (and from run
// to run by a Runner), so that kernels need not allocate.
type execCtx struct {
	f64   []float64
	rand  randomTask
	batch batchLoop // of the linear-algebra ops
	ops   linalgOps

	fused fusedState

	tasksF32 elemTasks[float32]
	tasksF64 elemTasks[float64]
	tasksI64 elemTasks[int64]
	tasksU64 elemTasks[uint64]
}

// float64s returns scratch space of n elements, valid until the next call.
func (x *execCtx) float64s(n int) []float64 {
	if cap(x.f64) < n {
		x.f64 = make([]float64, n)
	}
	return x.f64[:n]
}

// A call is what an allocating executor sees: the instruction and its
// operands.
type call struct {
	in     *ir.Instr
	args   []*Tensor
	gemm   kernels.GEMM
	region *boundRegion
}

// An execFunc binds an instruction to its kernel when the interpreter is
// built. The operands have the types the op's type rule accepts (New
// checks it); the results must have the declared types. Errors in
// attributes are reported when the kernel runs, as an executor would.
type execFunc func(b *binding) kernel

// A binding is what an execFunc sees.
type binding struct {
	in     *ir.Instr
	cfg    config
	region *boundRegion
}

// out returns the declared type of result i.
func (b *binding) out(i int) ir.Type { return b.in.Results[i].Type }

// allocating adapts an executor that returns new tensors.
func allocating(f func(c *call) ([]*Tensor, error)) execFunc {
	return func(b *binding) kernel {
		in, gemm, region := b.in, b.cfg.gemm, b.region
		return kernel{run: func(_ *execCtx, args, outs []*Tensor) error {
			ts, err := f(&call{in: in, args: args, gemm: gemm, region: region})
			if err != nil {
				return err
			}
			if len(ts) != len(outs) {
				return fmt.Errorf("internal error: kernel returned %d results", len(ts))
			}
			copy(outs, ts)
			return nil
		}}
	}
}

// bindKernel binds an instruction, turning a panic of the planning (which
// the type rules should rule out) into a kernel that reports it when run,
// as a panic of the kernel itself would be: New does not panic.
func bindKernel(exec execFunc, b *binding) (k kernel) {
	defer func() {
		if r := recover(); r != nil {
			k = failing(fmt.Errorf("kernel panic: %v", r))
		}
	}()
	return exec(b)
}

// failing is the kernel of an instruction whose binding failed: it reports
// err when run.
func failing(err error) kernel {
	return kernel{run: func(*execCtx, []*Tensor, []*Tensor) error { return err }, into: true}
}

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
	var err error
	if it.plan, err = ir.RecordedPlan(f); err != nil {
		return nil, fmt.Errorf("func @%s: memory plan: %w", f.Name, err)
	}
	return it, nil
}

// bind checks one instruction, assigns slots to its results and returns
// its step.
func bind(in *ir.Instr, slot map[*ir.Value]int, cfg config) (step, error) {
	s := step{in: in}
	exec := executors[in.Op]
	if exec == nil {
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
	if in.Op.Info().HasRegion {
		region, err := bindRegion(in, cfg)
		if err != nil {
			return s, err
		}
		s.region = region
	}
	s.kern = bindKernel(exec, &binding{in: in, cfg: cfg, region: s.region})
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
// memory with the inputs or with each other. Every result and temporary is
// newly allocated; a Runner reuses them from run to run instead.
func (it *Interpreter) Run(inputs []*Tensor) ([]*Tensor, error) {
	if err := it.checkInputs(inputs); err != nil {
		return nil, err
	}
	env := make([]*Tensor, it.slots)
	copy(env, inputs)
	x := new(execCtx)
	for i := range it.steps {
		s := &it.steps[i]
		args := make([]*Tensor, len(s.args))
		for j, n := range s.args {
			args[j] = env[n]
		}
		outs := make([]*Tensor, len(s.results))
		if s.kern.into {
			for j, r := range s.in.Results {
				outs[j] = Zeros(r.Type)
			}
		}
		if err := s.run(x, args, outs); err != nil {
			return nil, err
		}
		for j, n := range s.results {
			env[n] = outs[j]
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

// run executes one step, turning kernel panics into errors and checking
// the results of kernels that allocate them.
func (s *step) run(x *execCtx, args, outs []*Tensor) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Instr: s.in, Err: fmt.Errorf("kernel panic: %v", r)}
		}
	}()
	if err := s.kern.run(x, args, outs); err != nil {
		return &Error{Instr: s.in, Err: err}
	}
	if s.kern.into {
		return nil
	}
	for i, t := range outs {
		if want := s.in.Results[i].Type; t == nil || !t.Type.Equal(want) || t.check() != nil {
			got := "nothing"
			if t != nil {
				got = t.Type.String()
			}
			return &Error{Instr: s.in, Err: fmt.Errorf("internal error: kernel returned %s for result %d, want %s", got, i, want)}
		}
	}
	return nil
}

// A runFunc is the body of a kernel that writes into its outputs.
type runFunc = func(x *execCtx, args, outs []*Tensor) error

// A binder plans an instruction for one element type and returns its
// kernel's body.
type binder = func(b *binding) (runFunc, error)

// byDType picks the binder of a generic kernel by the dtype of the
// instruction's first result; nil entries are dtypes the type rule
// excludes.
func byDType(f32, f64, i64, u64 binder) execFunc {
	return func(b *binding) kernel {
		var f binder
		switch b.out(0).DType {
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
			return failing(fmt.Errorf("no %s kernel", b.out(0).DType))
		}
		return into(f)(b)
	}
}

func floatsOnly(f32, f64 binder) execFunc { return byDType(f32, f64, nil, nil) }

// into adapts a binder of any dtype.
func into(f binder) execFunc {
	return func(b *binding) kernel {
		run, err := f(b)
		if err != nil {
			return failing(err)
		}
		return kernel{run: run, into: true}
	}
}

// Executors shared by families of ops.
var (
	unaryExec    = byDType(bindUnary[float32], bindUnary[float64], bindUnary[int64], bindUnary[uint64])
	binaryExec   = byDType(bindBinary[float32], bindBinary[float64], bindBinary[int64], bindBinary[uint64])
	reduceExec   = byDType(bindReduce[float32], bindReduce[float64], bindReduce[int64], bindReduce[uint64])
	dataMoveExec = byDType(bindDataMove[float32], bindDataMove[float64], bindDataMove[int64], bindDataMove[uint64])
	softmaxExec  = floatsOnly(bindSoftmax[float32], bindSoftmax[float64])
	randomExec   = floatsOnly(bindRandom[float32], bindRandom[float64])
)

// executors maps every op to its executor: the elementwise ops of
// runtime/ops' tables to the shared ones, the others one by one. A test
// checks that it covers ir.AllOps().
var executors = func() map[ir.Op]execFunc {
	m := map[ir.Op]execFunc{
		ir.OpConstant:   byDType(bindConstant[float32], bindConstant[float64], bindConstant[int64], bindConstant[uint64]),
		ir.OpFull:       byDType(bindFull[float32], bindFull[float64], bindFull[int64], bindFull[uint64]),
		ir.OpRngNormal:  randomExec,
		ir.OpRngUniform: randomExec,

		ir.OpCast:   byDType(bindCast[float32], bindCast[float64], bindCast[int64], bindCast[uint64]),
		ir.OpSelect: byDType(bindSelect[float32], bindSelect[float64], bindSelect[int64], bindSelect[uint64]),

		ir.OpBroadcastTo: dataMoveExec,
		ir.OpReshape:     dataMoveExec,
		ir.OpTranspose:   dataMoveExec,
		ir.OpSlice:       dataMoveExec,
		ir.OpConcat:      byDType(bindConcat[float32], bindConcat[float64], bindConcat[int64], bindConcat[uint64]),
		ir.OpMatmul:      floatsOnly(bindMatmul[float32], bindMatmul[float64]),
		ir.OpGather:      byDType(bindGather[float32], bindGather[float64], bindGather[int64], bindGather[uint64]),

		ir.OpReduceSum:  reduceExec,
		ir.OpReduceMean: reduceExec,
		ir.OpReduceMax:  reduceExec,

		ir.OpSoftmax:     softmaxExec,
		ir.OpLogSoftmax:  softmaxExec,
		ir.OpSoftmaxXent: floatsOnly(bindSoftmaxXent[float32], bindSoftmaxXent[float64]),
		ir.OpOneHot:      byDType(bindOneHot[float32], bindOneHot[float64], bindOneHot[int64], bindOneHot[uint64]),

		// The linear-algebra ops run float64 kernels of runtime/kernels per
		// matrix and convert (linalg.go); the declarative ops allocate
		// their results.
		ir.OpQR:              floatsOnly(bindQR, bindQR),
		ir.OpSVD:             floatsOnly(bindSVD, bindSVD),
		ir.OpEigh:            floatsOnly(bindEigh, bindEigh),
		ir.OpCholesky:        floatsOnly(bindCholesky, bindCholesky),
		ir.OpTriangularSolve: floatsOnly(bindTriangularSolve, bindTriangularSolve),

		ir.OpArgmin:      allocating(execArgmin),
		ir.OpLinearSolve: allocating(execLinearSolve),

		// fused runs its region's body in one loop (fused.go).
		ir.OpFused: execFused,
	}
	for _, op := range ops.UnaryOps() {
		m[op] = unaryExec
	}
	for _, op := range ops.BinaryOps() {
		m[op] = binaryExec
	}
	return m
}()

// Supports reports whether the interpreter has a kernel for op.
func Supports(op ir.Op) bool { return executors[op] != nil }
