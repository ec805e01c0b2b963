package etf_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// nodeBench is the node compiled one way, with its inputs.
type nodeBench struct {
	runner *runtime.Runner
	inputs []*runtime.Tensor
}

// compileNode builds the f32 node U* = NearestETF(H̄, U_prox) at K, d and
// returns it as mode asks: "forward" (the closed form), "jvp" (forward
// and one tangent of H̄), "vjp" (the loss ⟨G, U*⟩ and ∂/∂H̄: forward and
// backward), differentiated by rule.
func compileNode(tb testing.TB, k, d int, mode, rule string) nodeBench {
	b := builder.New("node")
	hbar := b.Data("hbar", ir.F32, d, k)
	prox := b.Data("prox", ir.F32, d, k)
	g := b.Data("g", ir.F32, d, k)
	u := nn.NearestETF(b, "etf", hbar, prox, b.Scalar(ir.F32, 0), nn.DefaultETFDelta, builder.ImplicitRule(rule))
	if mode == "vjp" {
		b.Return(b.Named("loss", b.Sum(b.Mul(u, g))))
	} else {
		b.Return(b.Named("u", u))
	}
	f, err := b.Build()
	if err != nil {
		tb.Fatal(err)
	}
	switch mode {
	case "jvp":
		f, err = passes.JVP(f, []string{"hbar"}, 1)
	case "vjp":
		f, err = passes.VJP(f, []string{"hbar"})
	}
	if err != nil {
		tb.Fatal(err)
	}
	f, err = passes.Run(f, append([]string{"implicit"}, passes.Cleanup...), passes.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	it, err := runtime.New(f)
	if err != nil {
		tb.Fatal(err)
	}
	c := newCase(uint64(k*d), d, k, 0, nn.DefaultETFDelta)
	rng := rand.New(rand.NewPCG(1, 2))
	byName := map[string]*runtime.Tensor{
		"hbar": runtime.FromFloat64s(ir.TensorOf(ir.F32, d, k), c.hbar),
		"prox": runtime.FromFloat64s(ir.TensorOf(ir.F32, d, k), c.prox),
		"g":    runtime.FromFloat64s(ir.TensorOf(ir.F32, d, k), normals(rng, d*k)),
	}
	byName["hbar.tangent"] = byName["g"]
	var inputs []*runtime.Tensor
	for _, p := range f.Params {
		inputs = append(inputs, byName[p.Name])
	}
	return nodeBench{runner: it.NewRunner(), inputs: inputs}
}

// BenchmarkNearestETF times one call of the node, f32, as a training
// step runs it: the closed form alone (forward), with one tangent (jvp)
// and with the gradient of a loss (vjp: forward and backward), by the
// polar factor's rule and, where its matrices fit, the reference's dense
// DDN rule. arena-B is the memory the step's Runner plans; B/op what a
// call allocates besides (the argmin's region functions and results).
//
//	go test -run X -bench NearestETF -benchtime 10x ./methods/etf
func BenchmarkNearestETF(b *testing.B) {
	for _, k := range []int{10, 100} {
		for _, d := range []int{512, 2048} {
			for _, rule := range []string{nn.ETFPolarRule, nn.ETFDDNRule} {
				p := k * (k + 1) / 2
				if rule == nn.ETFDDNRule && p*d*k > 1<<26 {
					continue // the DDN rule's A_h and T do not fit (TestDDNRuleLimit)
				}
				for _, mode := range []string{"forward", "jvp", "vjp"} {
					if mode == "forward" && rule != nn.ETFPolarRule {
						continue
					}
					b.Run(fmt.Sprintf("K=%d/d=%d/%s/%s", k, d, rule, mode), func(b *testing.B) {
						nb := compileNode(b, k, d, mode, rule)
						if _, err := nb.runner.Run(nb.inputs); err != nil {
							b.Fatal(err)
						}
						b.ReportAllocs()
						b.ResetTimer()
						for range b.N {
							if _, err := nb.runner.Run(nb.inputs); err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(float64(nb.runner.Bytes()), "arena-B")
					})
				}
			}
		}
	}
}
