package reduction_test

import (
	"context"
	"fmt"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/reduction"
)

// G.1 of the paper: f = x₁² + 10(x₂ − x₁)² has κ ≈ 42, but on the
// structure x₂ = x₁ it is F = x₁², whose metric R = 2 = F″ makes GeoPrecGD
// Newton's method.
func Example() {
	f := reduction.Problem{Name: "g1", N1: 1, N2: 1, Objective: func(b *builder.Builder, x1, x2 *ir.Value) *ir.Value {
		d := b.Sub(x2, x1)
		return b.Sum(b.Add(b.Square(x1), b.Mul(b.Scalar(ir.F64, 10), b.Square(d))))
	}}
	diagonal := reduction.Explicit("diagonal", func(b *builder.Builder, x1 *ir.Value) *ir.Value { return x1 })
	r, err := reduction.New(f, diagonal)
	if err != nil {
		panic(err)
	}
	full, _ := r.Full()
	reduced, _ := r.Reduced(reduction.ChainRule)
	metric, _ := r.MetricPreconditioner(0)
	ctx := context.Background()
	gd, _ := reduction.Minimize(ctx, full, []float64{-1.2, 4.5}, reduction.Options{Step: 1 / 41.025, MaxIter: 2000})
	geo, _ := reduction.Minimize(ctx, reduced, []float64{-1.2}, reduction.Options{Step: 1, MaxIter: 10, Precondition: metric})
	fmt.Println("GD on f:", gd.Iterations, "iterations")
	fmt.Println("GeoPrecGD on F:", geo.Iterations, "iteration")
	// Output:
	// GD on f: 802 iterations
	// GeoPrecGD on F: 1 iteration
}

// An argmin map: Ψ(x₁) = argmin_u G(u, x₁) becomes an argmin op, and the
// derivatives of F go through its implicit-function rule.
func ExampleArgmin() {
	f := reduction.A1(10)
	inner := reduction.Argmin("psi", func(b *builder.Builder, u, x1 *ir.Value) *ir.Value {
		return f.Objective(b, x1, u) // the inner argmin of f itself: Ψ(x₁) = x₁
	}, 1e-10)
	r, err := reduction.New(f, inner)
	if err != nil {
		panic(err)
	}
	h, _ := r.Hessian([]float64{0.3})
	fmt.Printf("F″(0.3) = %.6f\n", h.At(0, 0))
	// Output:
	// F″(0.3) = 2.000000
}
