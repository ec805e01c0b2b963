package passes

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pushforward/pushforward/ir"
)

// A Pass is a named transformation of a function.
type Pass struct {
	Name string
	Doc  string
	Run  func(f *ir.Func, opts *Options) (*ir.Func, error)
}

// passes is the table of passes in their canonical order: transforms
// first, then clean-up.
var passes = []Pass{
	{Name: "implicit", Doc: "derive each argmin's gradient, Hessian-vector product and constraint Jacobian products (and its closed form) as region functions, for the solvers and the implicit derivative", Run: func(f *ir.Func, _ *Options) (*ir.Func, error) { return Implicit(f) }},
	{Name: "guess", Doc: "seed a forward-gradient step: the model with each layer's guess direction (-method, -k, ...), marked for jvp", Run: runGuess},
	{Name: "jvp", Doc: "forward mode: add tangent inputs for -wrt and return the tangents of the results; after guess, carry the guesses and assemble the gradient estimates", Run: runJVP},
	{Name: "vjp", Doc: "reverse mode (linearize + transpose): return the loss and its gradients for -wrt", Run: runVJP},
	{Name: "fold", Doc: "fold splat constants; simplify x+0, x*1, x*0, identity reshapes, masks applied twice; take products before broadcasts, and chains of products in the cheaper order", Run: func(f *ir.Func, _ *Options) (*ir.Func, error) { return Fold(f), nil }},
	{Name: "cse", Doc: "merge identical instructions", Run: func(f *ir.Func, _ *Options) (*ir.Func, error) { return CSE(f), nil }},
	{Name: "dce", Doc: "remove instructions whose results are unused", Run: func(f *ir.Func, _ *Options) (*ir.Func, error) { return DCE(f), nil }},
	{Name: "schedule", Doc: "recompute a guess step's activations and guesses after the loss tangents, so its live set stays flat in depth", Run: func(f *ir.Func, _ *Options) (*ir.Func, error) { return Schedule(f), nil }},
	{Name: "fuse", Doc: "fuse elementwise chains into one loop each, with the matmul they follow (epilogues) or the reduction they feed", Run: func(f *ir.Func, o *Options) (*ir.Func, error) { return Fuse(f, o.Fuse) }},
	{Name: "memplan", Doc: "plan memory: place every result in an arena per dtype (buf=[offset] attributes), reusing dead values' memory and computing elementwise ops in place; -stats reports it", Run: runMemPlan},
}

// passOrder lists pairs (a, b): when both passes are run, the last b must
// come after the last a.
var passOrder = [...]struct{ a, b, why string }{
	{"implicit", "guess", "guess's step runs the argmins implicit prepares"},
	{"implicit", "jvp", "jvp's implicit rule uses the functions implicit derives"},
	{"implicit", "vjp", "vjp transposes jvp's implicit rule"},
	{"guess", "jvp", "jvp completes the step from guess's seeds"},
	{"jvp", "fold", "jvp leaves zeros and ones for fold"},
	{"vjp", "fold", "vjp leaves zeros and ones for fold"},
	{"jvp", "cse", "jvp repeats subexpressions"},
	{"vjp", "cse", "vjp repeats subexpressions"},
	{"fold", "dce", "fold leaves dead code"},
	{"cse", "dce", "cse leaves dead code"},
	{"jvp", "dce", "jvp leaves dead code"},
	{"cse", "schedule", "cse would merge schedule's recomputed values back into the originals"},
	{"jvp", "schedule", "schedule recomputes after the loss tangents that jvp makes"},
	// fuse comes after every transform: the derivative rules work op by
	// op (fused ops differentiate only by inlining their bodies again),
	// and the schedule decides what is recomputed before fuse joins it.
	{"guess", "fuse", "fuse joins the ops of the finished step"},
	{"jvp", "fuse", "fuse joins the ops of the derivative; jvp would only inline fused ops again"},
	{"vjp", "fuse", "fuse joins the ops of the derivative; vjp would only inline fused ops again"},
	{"schedule", "fuse", "fuse joins the ops of the schedule's recomputation too"},
	// memplan is the last pass before execution: any pass after it would
	// invalidate the plan (Run drops a recorded plan before every pass).
	{"guess", "memplan", "memplan plans the final function"},
	{"jvp", "memplan", "memplan plans the final function"},
	{"vjp", "memplan", "memplan plans the final function"},
	{"fold", "memplan", "memplan plans the final function"},
	{"cse", "memplan", "memplan plans the final function"},
	{"dce", "memplan", "memplan plans the final function"},
	{"schedule", "memplan", "memplan plans the order schedule chose"},
	{"fuse", "memplan", "memplan plans the buffers of the fused function"},
}

func init() {
	for _, c := range passOrder {
		i, j := passIndex(c.a), passIndex(c.b)
		if i < 0 || j < 0 {
			panic(fmt.Sprintf("passes: ordering constraint names an unknown pass: %s, %s", c.a, c.b))
		}
		if i >= j {
			panic(fmt.Sprintf("passes: table order violates constraint %s before %s", c.a, c.b))
		}
	}
}

func passIndex(name string) int {
	return slices.IndexFunc(passes, func(p Pass) bool { return p.Name == name })
}

// Passes returns the table of passes.
func Passes() []Pass { return slices.Clone(passes) }

// Cleanup is the usual clean-up after a transform. fold runs again after
// cse: the copies of a segment that a transform inlines repeat their
// masks, and fold drops a mask applied twice only once cse has made the
// two one value.
var Cleanup = []string{"fold", "cse", "fold", "dce"}

// Options configure Run.
type Options struct {
	// Wrt names the parameters jvp and vjp differentiate with respect to;
	// empty means every float parameter with role param, or every float
	// parameter if none has that role.
	Wrt []string
	// Tangents is the number of tangents jvp carries (0 means 1).
	Tangents int
	// Guess configures the guess pass; its Method is required.
	Guess GuessOptions
	// Fuse configures the fuse pass.
	Fuse FuseOptions
	// Verify runs the verifier after every pass.
	Verify bool
	// DumpAfter names the passes after which to print the function, or
	// "all".
	DumpAfter []string
	// Dump receives the dumps, each headed by a comment naming the pass,
	// unless DumpDir is set, in which case each dump is written to the file
	// DumpDir/NN-PASS.pf. Dumps are renumbered (ir.Renumbered), so that
	// dumps after different passes can be compared.
	Dump    io.Writer
	DumpDir string
	// Timing, if set, receives one line per pass with its duration and the
	// size of its result.
	Timing io.Writer
	// Stats, if set, receives memplan's report: the memory of the
	// function's values before and after planning (MemStats).
	Stats io.Writer
	// AfterPass, if set, is called with each pass's result (after the
	// verifier, if asked), which it must not modify: pf html draws them.
	AfterPass func(pass string, f *ir.Func)
}

// Run applies the named passes to f in order and returns the result. f
// itself is not modified. A pass that panics does not crash the caller:
// Run returns a *PanicError naming the pass (and the instruction, where
// known), with the panic's stack and the function the pass was given.
func Run(f *ir.Func, names []string, opts Options) (*ir.Func, error) {
	if err := checkOrder(names); err != nil {
		return nil, err
	}
	for _, d := range opts.DumpAfter {
		if d != "all" && passIndex(d) < 0 {
			return nil, fmt.Errorf("-dump-after: unknown pass %q", d)
		}
	}
	for i, name := range names {
		p := passes[passIndex(name)]
		start := time.Now()
		// Each pass works on a copy, so that f, the input of the pass,
		// can be printed for the report if the pass panics. The copy has
		// no memory plan: the pass would invalidate it (memplan makes a
		// new one).
		in := f.Clone()
		ir.DropPlan(in)
		g, err := runPass(p, in, f, &opts)
		var pe *PanicError
		if errors.As(err, &pe) {
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("pass %s: %w", name, err)
		}
		f = g
		if opts.Timing != nil {
			fmt.Fprintf(opts.Timing, "pass %-6s %10v  %d instructions\n", name, time.Since(start).Round(time.Microsecond), len(f.Body))
		}
		if opts.Verify {
			if err := ir.Verify(f); err != nil {
				return nil, fmt.Errorf("verify after pass %s:\n%w", name, err)
			}
		}
		if err := dump(f, i, name, &opts); err != nil {
			return nil, err
		}
		if opts.AfterPass != nil {
			opts.AfterPass(name, f)
		}
	}
	return f, nil
}

// checkOrder rejects unknown passes and lists that break passOrder.
func checkOrder(names []string) error {
	last := map[string]int{}
	for i, n := range names {
		if passIndex(n) < 0 {
			return fmt.Errorf("unknown pass %q (known: %s)", n, strings.Join(passNames(), ", "))
		}
		last[n] = i
	}
	for _, c := range passOrder {
		i, okA := last[c.a]
		j, okB := last[c.b]
		if okA && okB && j < i {
			return fmt.Errorf("pass %s must run after %s (%s)", c.b, c.a, c.why)
		}
	}
	return nil
}

func passNames() []string {
	names := make([]string, len(passes))
	for i, p := range passes {
		names[i] = p.Name
	}
	return names
}

func dump(f *ir.Func, i int, name string, opts *Options) error {
	if !slices.Contains(opts.DumpAfter, "all") && !slices.Contains(opts.DumpAfter, name) {
		return nil
	}
	text := fmt.Sprintf("// after %s\n%s", name, ir.Renumbered(f))
	if opts.DumpDir != "" {
		if err := os.MkdirAll(opts.DumpDir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(opts.DumpDir, fmt.Sprintf("%02d-%s.pf", i+1, name)), []byte(text), 0o644)
	}
	if opts.Dump == nil {
		return nil
	}
	_, err := io.WriteString(opts.Dump, text+"\n")
	return err
}

func wrtOf(f *ir.Func, opts *Options) []string {
	if len(opts.Wrt) > 0 {
		return opts.Wrt
	}
	if names := ParamsWithRole(f, ir.Param); len(names) > 0 {
		return names
	}
	return floatParams(f)
}

func floatParams(f *ir.Func) []string {
	var names []string
	for _, p := range f.Params {
		if p.Type.DType.IsFloat() {
			names = append(names, p.Name)
		}
	}
	return names
}

func runJVP(f *ir.Func, opts *Options) (*ir.Func, error) {
	if isGuessSeeded(f) {
		st, err := guessForward(f, false)
		if err != nil {
			return nil, err
		}
		return st.g, nil
	}
	T := opts.Tangents
	if T == 0 {
		T = 1
	}
	return JVP(f, wrtOf(f, opts), T)
}

func runGuess(f *ir.Func, opts *Options) (*ir.Func, error) {
	st, err := GuessSeeds(f, opts.Guess)
	if err != nil {
		return nil, err
	}
	return st.Func, nil
}

func runVJP(f *ir.Func, opts *Options) (*ir.Func, error) {
	return VJP(f, wrtOf(f, opts))
}
