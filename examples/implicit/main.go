package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

func main() {
	n := flag.Int("n", 100000, "number of variables")
	tangents := flag.Int("tangents", 4, "tangents of the forward-mode step")
	asJSON := flag.Bool("json", false, "print one JSON line per step instead of a table")
	seed := flag.Uint64("seed", 1, "seed of θ, u and the tangents")
	flag.Parse()
	if *n < 2 || *tangents < 1 {
		fmt.Fprintln(os.Stderr, "implicit: -n must be at least 2 and -tangents at least 1")
		os.Exit(2)
	}
	steps, err := measure(*n, *tangents, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "implicit:", err)
		os.Exit(1)
	}
	for _, s := range steps {
		if *asJSON {
			line, _ := json.Marshal(s)
			fmt.Println(string(line))
		} else {
			fmt.Printf("%-8s n=%-7d T=%-2d %10.3f s  %9.1f MiB allocated  max rel. error %.2g\n", s.Step, s.N, s.T, s.Seconds, float64(s.Alloc)/(1<<20), s.MaxRelErr)
		}
	}
	if hwm := peakRSS(); hwm != "" && !*asJSON {
		fmt.Println("peak resident memory (VmHWM):", hwm)
	}
}

// A step is one measured run.
type step struct {
	Step      string  `json:"step"`
	N         int     `json:"n"`
	T         int     `json:"tangents"`
	Seconds   float64 `json:"seconds"`
	Alloc     uint64  `json:"bytes_allocated"`
	MaxRelErr float64 `json:"max_rel_err"`
}

// model builds L(θ, u) = ⟨u, x*(θ)⟩.
func model(n int) (*ir.Func, error) {
	b := builder.New("chain")
	theta := b.Param("theta", ir.F64, n)
	u := b.Data("u", ir.F64, n)
	obj := b.Func("objective", []ir.Type{ir.TensorOf(ir.F64, n)}, []*ir.Value{theta}, func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
		half := r.Scalar(ir.F64, 0.5)
		d := r.Sub(r.Slice(x[0], []int{1}, []int{n}), r.Slice(x[0], []int{0}, []int{n - 1}))
		quad := r.Mul(half, r.Add(r.Sum(r.Square(x[0])), r.Sum(r.Square(d))))
		quart := r.Mul(r.Scalar(ir.F64, 0.1), r.Sum(r.Square(r.Square(x[0]))))
		return []*ir.Value{r.Sub(r.Add(quad, quart), r.Sum(r.Mul(p[0], x[0])))}
	})
	x := b.Named("x", b.Argmin(obj, []*ir.Value{theta})[0])
	b.Return(b.Named("loss", b.Sum(b.Mul(u, x))), x)
	f, err := b.Build()
	if err != nil {
		return nil, err
	}
	return passes.Implicit(f)
}

// thomas solves H y = r for the tridiagonal Hessian at x: diagonal
// 1 + (1 or 2) + 1.2 x², off-diagonal −1.
func thomas(x, r []float64) []float64 {
	n := len(x)
	diag := func(i int) float64 {
		d := 3.0
		if i == 0 || i == n-1 {
			d = 2
		}
		return d + 1.2*x[i]*x[i]
	}
	c, d := make([]float64, n), make([]float64, n)
	c[0], d[0] = -1/diag(0), r[0]/diag(0)
	for i := 1; i < n; i++ {
		m := diag(i) + c[i-1]
		c[i], d[i] = -1/m, (r[i]+d[i-1])/m
	}
	y := make([]float64, n)
	y[n-1] = d[n-1]
	for i := n - 2; i >= 0; i-- {
		y[i] = d[i] - c[i]*y[i+1]
	}
	return y
}

func maxRelErr(got, want []float64) float64 {
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	e := 0.0
	for i := range got {
		e = max(e, math.Abs(got[i]-want[i])/scale)
	}
	return e
}

// timed runs fn and returns its wall time and the bytes it allocated.
func timed(fn func() error) (float64, uint64, error) {
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	start := time.Now()
	err := fn()
	secs := time.Since(start).Seconds()
	goruntime.ReadMemStats(&after)
	return secs, after.TotalAlloc - before.TotalAlloc, err
}

// measure runs the model, its T-tangent JVP and its VJP, and checks the
// derivatives against the tridiagonal solve.
func measure(n, T int, seed uint64) ([]step, error) {
	f, err := model(n)
	if err != nil {
		return nil, err
	}
	jvp, err := passes.Run(f, append([]string{"jvp"}, passes.Cleanup...), passes.Options{Wrt: []string{"theta"}, Tangents: T})
	if err != nil {
		return nil, err
	}
	vjp, err := passes.Run(f, append([]string{"vjp"}, passes.Cleanup...), passes.Options{Wrt: []string{"theta"}})
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, 2))
	normal := func(k int) []float64 {
		v := make([]float64, k)
		for i := range v {
			v[i] = r.NormFloat64()
		}
		return v
	}
	theta, u, v := normal(n), normal(n), normal(T*n)
	in := []*runtime.Tensor{runtime.FromF64([]int{n}, theta), runtime.FromF64([]int{n}, u)}
	tanShape := []int{n}
	if T > 1 {
		tanShape = []int{T, n}
	}
	tan := runtime.FromF64(tanShape, v)
	var steps []step
	var out []*runtime.Tensor
	run := func(name string, fn *ir.Func, inputs []*runtime.Tensor, check func([]*runtime.Tensor) float64) error {
		secs, alloc, err := timed(func() error {
			var err error
			out, err = runtime.Run(fn, inputs)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		steps = append(steps, step{Step: name, N: n, T: T, Seconds: secs, Alloc: alloc, MaxRelErr: check(out)})
		return nil
	}
	var x []float64
	if err := run("solve", f, in, func(o []*runtime.Tensor) float64 { x = o[1].F64; return 0 }); err != nil {
		return nil, err
	}
	if err := run("jvp", jvp, append(in, tan), func(o []*runtime.Tensor) float64 {
		dx := o[3].F64 // ẋ = H⁻¹ θ̇, one row per tangent
		e := 0.0
		for k := range T {
			e = max(e, maxRelErr(dx[k*n:(k+1)*n], thomas(x, v[k*n:(k+1)*n])))
		}
		return e
	}); err != nil {
		return nil, err
	}
	if err := run("vjp", vjp, in, func(o []*runtime.Tensor) float64 {
		return maxRelErr(o[1].F64, thomas(x, u)) // ∇_θ⟨u, x*⟩ = H⁻¹ u
	}); err != nil {
		return nil, err
	}
	return steps, nil
}

// peakRSS reads the process's peak resident set size from /proc.
func peakRSS() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
