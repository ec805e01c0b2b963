package pushforward_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/reduction"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// A model built in Go, printed, transformed into its gradient, its JVP and
// a forward-gradient step, and run on inputs given by name. The README's
// Go snippets are this function's body (readme_test.go checks it).
func Example() {
	b := builder.New("mlp")
	x := b.Data("x", ir.F32, 32, 40)
	t := b.Data("t", ir.I64, 32)
	w1 := b.ParamInit("w1", ir.F32, nn.KaimingNormal(math.Sqrt2), 40, 128)
	b1 := b.ParamInit("b1", ir.F32, nn.Zeros(), 128)
	w2 := b.ParamInit("w2", ir.F32, nn.KaimingNormal(1), 128, 10)

	h := b.Relu(b.Add(b.Matmul(x, w1), b1))
	logits := b.Named("logits", b.Matmul(h, w2))
	b.Return(b.Named("loss", b.SoftmaxXent(logits, t)), logits)

	f, err := b.Build() // the first shape error, with its op, operand types and file:line
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(f)

	jvp, err := passes.JVP(f, []string{"w1", "w2"}, 4) // 4 tangents on a leading axis
	if err != nil {
		log.Fatal(err)
	}
	grad, err := passes.VJP(f, []string{"w1", "b1", "w2"}) // the loss and its gradients
	if err != nil {
		log.Fatal(err)
	}
	step, err := passes.Guess(f, passes.GuessOptions{Method: passes.WT}) // a forward-gradient step
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("jvp takes", jvp.Params[5], jvp.Params[5].Type)

	// Inputs by name: data, parameters from their initialisers (seed 1).
	xs, ts := make([]float64, 32*40), make([]float64, 32)
	for i := range xs {
		xs[i] = math.Sin(float64(i))
	}
	for i := range ts {
		ts[i] = float64(i % 10)
	}
	inputs := map[string]*runtime.Tensor{
		"x": runtime.FromFloat64s(x.Type, xs),
		"t": runtime.FromFloat64s(t.Type, ts),
	}
	params, err := nn.InitParams(f, b.Inits(), 1)
	if err != nil {
		log.Fatal(err)
	}
	for name, values := range params {
		inputs[name] = runtime.FromFloat64s(f.Param(name).Type, values)
	}
	out, err := runtime.RunNamed(grad, inputs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loss %.4f, gradient of w1 %s\n", out[0].F32[0], out[1].Type)

	// The guess step also takes the noise's key and step counter.
	inputs["guess.key"], inputs["guess.counter"] = runtime.ScalarU64(7), runtime.ScalarU64(0)
	est, err := runtime.RunNamed(step.Func, inputs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loss %.4f, estimate of %s %s\n", est[0].F32[0], step.Estimates[0], est[1].Type)
	// Output:
	// func @mlp(%x: f32[32,40] data, %t: i64[32] data, %w1: f32[40,128] param, %b1: f32[128] param, %w2: f32[128,10] param) -> (f32[], f32[32,10]) {
	//   %1 = matmul %x, %w1 : f32[32,128]
	//   %2 = add %1, %b1 : f32[32,128]
	//   %3 = relu %2 : f32[32,128]
	//   %logits = matmul %3, %w2 : f32[32,10]
	//   %loss = softmax_xent %logits, %t : f32[]
	//   return %loss, %logits
	// }
	// jvp takes %w1.tangent f32[4,40,128]
	// loss 2.4912, gradient of w1 f32[40,128]
	// loss 2.4912, estimate of w1 f32[40,128]
}

// Declarative layers: a ridge readout (a registered closed form) and an
// argmin on the Stiefel manifold (the riemannian solver), differentiated
// implicitly by reverse mode. The README's declarative-layer snippet is
// part of this function's body (readme_test.go checks it).
func Example_declarative() {
	b := builder.New("model")
	h := b.Data("h", ir.F64, 64, 8)     // features
	y := b.Data("y", ir.F64, 64, 3)     // targets
	logits, w := nn.Ridge(b, h, y, 0.1) // w = argmin ½‖hW − y‖² + ½·0.1‖W‖², closed form, implicit derivative

	// or any objective, built as a function of the variables and the operands:
	obj := b.Func("fit", []ir.Type{ir.TensorOf(ir.F64, 8, 3)}, []*ir.Value{h, y},
		func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
			return []*ir.Value{r.Sum(r.Square(r.Sub(r.Matmul(p[0], x[0]), p[1])))}
		})
	u := b.Argmin(obj, []*ir.Value{h, y}, builder.Stiefel(0))[0] // orthonormal columns: riemannian solver

	b.Return(b.Named("loss", b.Add(b.Sum(b.Square(logits)), b.Sum(b.Mul(u, w)))))
	f, err := b.Build()
	if err != nil {
		log.Fatal(err)
	}
	grad, err := passes.VJP(f, []string{"h", "y"}) // through both argmins: transposed implicit JVPs
	if err != nil {
		log.Fatal(err)
	}
	hs, ys := make([]float64, 64*8), make([]float64, 64*3)
	for i := range hs {
		hs[i] = math.Sin(float64(i * i)) // full rank: hᵀh is positive definite
	}
	for i := range ys {
		ys[i] = math.Cos(float64(3 * i))
	}
	out, err := runtime.Run(grad, []*runtime.Tensor{runtime.FromFloat64s(h.Type, hs), runtime.FromFloat64s(y.Type, ys)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loss %.4f, gradients %s %s\n", out[0].F64[0], out[1].Type, out[2].Type)
	// Output:
	// loss 12.4326, gradients f64[64,8] f64[64,3]
}

// GeoPrecGD on the reduced G.2 problem of the reduction-mappings paper: one
// preconditioned step reaches the minimiser. The README's reduction snippet
// is part of this function's body (readme_test.go checks it).
func Example_reduction() {
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	x0 := make([]float64, 40)
	for i := range x0 {
		x0[i] = rng.NormFloat64()
	}
	k, _ := reduction.SpectralK(40, 1, 1999, rng) // G.2's K = U diag(s) Vᵀ
	r, _ := reduction.New(reduction.G2(k, 10), reduction.Linear("kx", k))
	F, _ := r.Reduced(reduction.ChainRule)
	pc, _ := r.MetricPreconditioner(0) // CG on R·v to 1e-12
	ls := reduction.DefaultArmijo()
	res, _ := reduction.Minimize(ctx, F, x0, reduction.Options{LineSearch: &ls, Precondition: pc, MaxIter: 1000})
	fmt.Println("GeoPrecGD:", res.Iterations, "iteration")
	// Output:
	// GeoPrecGD: 1 iteration
}
