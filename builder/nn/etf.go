package nn

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// The nearest simplex ETF (arXiv:2411.01248) as a declarative layer.
//
// Given the normalised centred class means H̄ [d, K] of the features, the
// nearest ETF is U* = argmin over U [d, r] with UᵀU = I of
//
//	‖H̄ − U·Bᵀ/√(K−1)‖²_F + (δ/2)·(1 − first)·‖U − U_prox‖²_F
//
// with B = M (r = K) for d ≥ K, or the Helmert basis Φ (r = K − 1) for
// d = K − 1, and the classifier is W = √(K/(K−1))·B·U*ᵀ [K, d]. The
// proximal term to the previous solution U_prox pins the one direction,
// U·1, that the fit leaves free; on the first call (first = 1) the fit is
// solved alone, as the reference does, and its solution (closed form:
// ties broken towards eye(d, K)) is that call's U_prox.
//
// On the Stiefel manifold the objective is a constant minus ⟨U, A⟩ with
// A = (2/√(K−1))·H̄·B + δ·(1 − first)·U_prox, so U* is the orthogonal
// Procrustes solution, the polar factor of A. Package methods/etf
// registers that closed form (solver "etf") and the polar factor's
// derivative (rule "etf", O(dK² + K³), reverse mode by transposition),
// the reference's dense DDN derivative ("etf_ddn") and the ablation that
// drops the node's gradient ("etf_detached"): a program that builds these
// nodes imports it (import _ "github.com/pushforward/pushforward/methods/etf").

// ETF solver and rule names registered by methods/etf.
const (
	ETFSolver       = "etf"          // the Procrustes closed form
	ETFPolarRule    = "etf"          // the polar factor's JVP (the default with the solver)
	ETFDDNRule      = "etf_ddn"      // the reference's dense DDN/KKT derivative
	ETFDetachedRule = "etf_detached" // no derivative: the node's result is a constant
)

// DefaultETFDelta is the reference's proximal weight δ.
const DefaultETFDelta = 1e-3

// NearestETF returns U* [d, r] for the normalised class means hbar [d, K]
// (float, K ≥ 2, d ≥ K − 1), the previous solution prox [d, r], the
// first-call flag first (a scalar of hbar's dtype, 1 on the first call,
// else 0) and the proximal weight delta. The node is an argmin over the
// Stiefel manifold with solver "etf" and no optimality check (the closed
// form is exact; its tests check the KKT conditions); opts, applied after
// those, may change them: builder.Solver("riemannian") with
// builder.WarmStart(prox) and builder.Check(true) runs the generic
// solver, builder.ImplicitRule picks the derivative.
//
// Its constants are name+".basis" (B) and name+".delta".
func NearestETF(b *builder.Builder, name string, hbar, prox, first *ir.Value, delta float64, opts ...builder.ArgminOption) *ir.Value {
	if b.Err() != nil {
		return nil
	}
	if hbar == nil || prox == nil || first == nil {
		b.Errorf("nn.NearestETF: nil operand")
		return nil
	}
	if hbar.Type.Rank() != 2 || !hbar.Type.DType.IsFloat() {
		b.Errorf("nn.NearestETF: class means %s, want a float matrix [d, K]", hbar.Type)
		return nil
	}
	dt := hbar.Type.DType
	d, k := hbar.Type.Shape[0], hbar.Type.Shape[1]
	basis, r, err := ETFBasis(k, d)
	if err != nil {
		b.Errorf("nn.NearestETF: %v", err)
		return nil
	}
	switch {
	case !prox.Type.Equal(ir.TensorOf(dt, d, r)):
		b.Errorf("nn.NearestETF: previous solution %s, want %s", prox.Type, ir.TensorOf(dt, d, r))
		return nil
	case !first.Type.Equal(ir.Scalar(dt)):
		b.Errorf("nn.NearestETF: first-call flag %s, want %s", first.Type, ir.Scalar(dt))
		return nil
	case !(delta >= 0) || math.IsInf(delta, 0):
		b.Errorf("nn.NearestETF: δ = %g, want a finite δ ≥ 0", delta)
		return nil
	}
	bm := b.Named(name+".basis", b.Constant(ir.TensorOf(dt, k, r), basis...))
	dl := b.Named(name+".delta", b.Scalar(dt, delta))
	operands := []*ir.Value{hbar, bm, prox, first, dl}
	inv := 1 / math.Sqrt(float64(k-1))
	obj := b.Func("nearest_etf", []ir.Type{ir.TensorOf(dt, d, r)}, operands, func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
		u, hb, basis, prev, first, delta := x[0], p[0], p[1], p[2], p[3], p[4]
		etf := r.Mul(r.MatmulT(u, basis, false, true), r.Scalar(dt, inv))
		fit := r.Sum(r.Square(r.Sub(hb, etf)))
		weight := r.Mul(r.Mul(r.Scalar(dt, 0.5), delta), r.Sub(r.Scalar(dt, 1), first))
		return []*ir.Value{r.Add(fit, r.Mul(weight, r.Sum(r.Square(r.Sub(u, prev)))))}
	}, "u", "hbar", "basis", "prox", "first", "delta")
	all := append([]builder.ArgminOption{builder.Stiefel(0), builder.Solver(ETFSolver), builder.Check(false)}, opts...)
	us := b.Argmin(obj, operands, all...)
	if us == nil {
		return nil
	}
	return us[0]
}

// An ETFHead is the classifier on τ-normalised features: standard
// (learned), fixed (the canonical simplex ETF) or implicit (the nearest
// simplex ETF to the features' class means, re-solved at every step).
type ETFHead uint8

// The heads.
const (
	StandardHead ETFHead = iota
	FixedHead
	ImplicitHead
)

var headNames = [...]string{StandardHead: "standard", FixedHead: "fixed", ImplicitHead: "implicit"}

// String returns the head's name: standard, fixed or implicit.
func (h ETFHead) String() string {
	if int(h) < len(headNames) {
		return headNames[h]
	}
	return fmt.Sprintf("ETFHead(%d)", uint8(h))
}

// ParseETFHead returns the head named s.
func ParseETFHead(s string) (ETFHead, error) {
	for h, name := range headNames {
		if name == s {
			return ETFHead(h), nil
		}
	}
	return 0, fmt.Errorf("unknown head %q (want standard, fixed or implicit)", s)
}

// ETFConfig configures ETFClassifier.
type ETFConfig struct {
	Head ETFHead
	// Classes is K.
	Classes int
	// Tau is the feature temperature τ: features are scaled to norm τ
	// (default 1).
	Tau float64
	// Name prefixes the head's parameters and state (default "head").
	Name string
	// Delta is the implicit head's proximal weight (default
	// DefaultETFDelta; ignored for d = K − 1, whose problem needs none).
	Delta float64
	// Rule is the implicit head's derivative rule: "" for the polar
	// factor's, or ETFDDNRule, "krylov", "dense", ETFDetachedRule.
	Rule string
	// NoDDN drops the implicit head's DDN path, the gradient through the
	// nearest ETF to the class means (the paper's ablation): the node's
	// rule becomes ETFDetachedRule.
	NoDDN bool
	// Bias gives the standard head a learned bias (the reference trains
	// it without: --no-bias).
	Bias bool
	// Eval builds the evaluation form: the classifier of the last
	// training step, read from the state, which stays as it is.
	Eval bool
}

// An ETFOutput is what ETFClassifier built.
type ETFOutput struct {
	// Logits [B, K].
	Logits *ir.Value
	// Features are the normalised features h [B, d] the classifier reads.
	Features *ir.Value
	// W [K, d] and Bias [K] (nil for none) are the classifier,
	// logits = h·Wᵀ + Bias.
	W, Bias *ir.Value
	// Next holds the next value of each state parameter the head added,
	// named "<state>.next", in the order of the parameters (empty in the
	// evaluation form and for the standard head).
	Next []*ir.Value
}

// ETFClassifier is the classifier of the nearest-ETF paper on features
// phi [B, d] with labels [B] (i64): phi is normalised to h = τ·φ/‖φ‖ and
//
//   - standard: logits = h·W (+ b), W = name.w [d, K] a parameter
//     (PyTorch's default init); the paper renormalises its K vectors
//     after every step (methods/etf.UnitClassifier);
//   - fixed: W [K, d] the canonical ETF (CanonicalETF), logits =
//     (h − μ_G)·Wᵀ with μ_G the batch mean of h, which the state name.mu
//     keeps for evaluation;
//   - implicit: W = √(K/(K−1))·B·U*ᵀ with U* = NearestETF of the
//     normalised exponential moving average of the batch's centred class
//     means, logits = (h − μ_G)·Wᵀ.
//
// The implicit head's state, carried from step to step (and in
// checkpoints): name.ema [d, K] the moving average F before
// normalisation, name.prox [d, r] the last solution, name.step (i64) the
// number of steps t, name.seen [K] which classes any batch has held, and
// name.mu [d] the last batch mean. At step t the weight is
// α_t = max(2/(t+2), 1e-4), the average of a class absent from the batch
// keeps its value (or takes μ_G if no batch has held the class yet), and
// the first step solves without the proximal term (NearestETF). The
// gradient reaches the features directly (through the logits and μ_G) and
// through the node (the DDN path, scaled by α_t), which NoDDN drops.
//
// In the evaluation form (Eval) no statistic is taken from the batch:
// the implicit head's W comes from name.prox, the fixed and implicit
// heads' bias −W·μ from name.mu.
func ETFClassifier(b *builder.Builder, phi, labels *ir.Value, cfg ETFConfig) *ETFOutput {
	if b.Err() != nil {
		return nil
	}
	if phi == nil || labels == nil {
		b.Errorf("nn.ETFClassifier: nil features or labels")
		return nil
	}
	if phi.Type.Rank() != 2 || !phi.Type.DType.IsFloat() {
		b.Errorf("nn.ETFClassifier: features %s, want a float matrix [batch, d]", phi.Type)
		return nil
	}
	if cfg.Tau == 0 {
		cfg.Tau = 1
	}
	if cfg.Name == "" {
		cfg.Name = "head"
	}
	if cfg.Delta == 0 {
		cfg.Delta = DefaultETFDelta
	}
	d := phi.Type.Shape[1]
	switch {
	case int(cfg.Head) >= len(headNames):
		b.Errorf("nn.ETFClassifier: unknown head %s", cfg.Head)
		return nil
	case !(cfg.Tau > 0) || math.IsInf(cfg.Tau, 0):
		b.Errorf("nn.ETFClassifier: τ = %g, want a positive temperature", cfg.Tau)
		return nil
	case cfg.Head != StandardHead:
		if err := CheckETFDims(cfg.Classes, d); err != nil {
			b.Errorf("nn.ETFClassifier (%s head): %v", cfg.Head, err)
			return nil
		}
	case cfg.Classes < 2:
		b.Errorf("nn.ETFClassifier: %d classes, want at least 2", cfg.Classes)
		return nil
	}
	h := b.Mul(normalizeRows(b, phi), b.Scalar(phi.Type.DType, cfg.Tau))
	switch cfg.Head {
	case StandardHead:
		return standardHead(b, h, cfg)
	case FixedHead:
		return fixedHead(b, h, cfg)
	}
	return implicitHead(b, h, labels, cfg)
}

// normalizeRows returns x/max(‖x‖, 1e-12) row by row (torch's
// F.normalize).
func normalizeRows(b *builder.Builder, x *ir.Value) *ir.Value {
	n := b.Sqrt(b.ReduceSum(b.Square(x), []int{1}, true))
	return b.Div(x, b.Maximum(n, b.Scalar(x.Type.DType, 1e-12)))
}

func standardHead(b *builder.Builder, h *ir.Value, cfg ETFConfig) *ETFOutput {
	d := h.Type.Shape[1]
	w := b.ParamInit(cfg.Name+".w", h.Type.DType, FanInUniform(0), d, cfg.Classes)
	out := &ETFOutput{Features: h, Logits: b.Matmul(h, w), W: b.Transpose(w, 1, 0)}
	if cfg.Bias {
		out.Bias = b.ParamInit(cfg.Name+".b", h.Type.DType, FanInUniform(d), cfg.Classes)
		out.Logits = b.Add(out.Logits, out.Bias)
	}
	return out
}

// centred returns the logits (h − μ)·Wᵀ and the bias −W·μ of the
// classifier W [K, d] given as Wᵀ.
func centred(b *builder.Builder, h, mu, wt *ir.Value, out *ETFOutput) *ETFOutput {
	d, k := wt.Type.Shape[0], wt.Type.Shape[1]
	out.Logits = b.Matmul(b.Sub(h, b.Reshape(mu, 1, d)), wt)
	out.W = b.Transpose(wt, 1, 0)
	out.Bias = b.Neg(b.Reshape(b.Matmul(b.Reshape(mu, 1, d), wt), k))
	return out
}

func fixedHead(b *builder.Builder, h *ir.Value, cfg ETFConfig) *ETFOutput {
	dt, d, k := h.Type.DType, h.Type.Shape[1], cfg.Classes
	w, _ := CanonicalETF(k, d)
	wt := b.Transpose(b.Constant(ir.TensorOf(dt, k, d), w...), 1, 0)
	mu := b.State(cfg.Name+".mu", dt, d)
	out := &ETFOutput{Features: h}
	if cfg.Eval {
		return centred(b, h, mu, wt, out)
	}
	mean := b.Named(cfg.Name+".mu.next", b.ReduceMean(h, []int{0}, false))
	out.Next = []*ir.Value{mean}
	return centred(b, h, mean, wt, out)
}

// etfState are the implicit head's state parameters.
type etfState struct {
	ema, prox, step, seen, mu *ir.Value
}

func implicitHead(b *builder.Builder, h, labels *ir.Value, cfg ETFConfig) *ETFOutput {
	dt, d, k := h.Type.DType, h.Type.Shape[1], cfg.Classes
	basis, r, _ := ETFBasis(k, d)
	st := etfState{
		ema:  b.State(cfg.Name+".ema", dt, d, k),
		prox: b.State(cfg.Name+".prox", dt, d, r),
		step: b.State(cfg.Name+".step", ir.I64),
		seen: b.State(cfg.Name+".seen", dt, k),
		mu:   b.State(cfg.Name+".mu", dt, d),
	}
	// W = s·B·Uᵀ, so Wᵀ = s·U·Bᵀ.
	scaledBT := b.Named(cfg.Name+".scaled_basis_t", b.Constant(ir.TensorOf(dt, r, k), scaledTranspose(basis, k, r, ETFScale(k))...))
	out := &ETFOutput{Features: h}
	if cfg.Eval {
		return centred(b, h, st.mu, b.Matmul(st.prox, scaledBT), out)
	}
	mu := b.ReduceMean(h, []int{0}, false)
	ema, seen := classMeansEMA(b, h, labels, mu, st, k, cfg.Name)
	hbar := b.Named(cfg.Name+".hbar", b.Div(ema, b.Sqrt(b.Sum(b.Square(ema)))))
	first := b.Named(cfg.Name+".first", b.Cast(b.Eq(st.step, b.Scalar(ir.I64, 0)), dt))
	delta := cfg.Delta
	if r < k {
		delta = 0 // d = K − 1: the fit alone has a unique minimiser
	}
	var opts []builder.ArgminOption
	switch {
	case cfg.NoDDN:
		opts = append(opts, builder.ImplicitRule(ETFDetachedRule))
	case cfg.Rule != "":
		opts = append(opts, builder.ImplicitRule(cfg.Rule))
	}
	u := NearestETF(b, cfg.Name, hbar, st.prox, first, delta, opts...)
	out = centred(b, h, mu, b.Matmul(u, scaledBT), out)
	out.Next = []*ir.Value{
		b.Named(cfg.Name+".ema.next", ema),
		b.Named(cfg.Name+".prox.next", u),
		b.Named(cfg.Name+".step.next", b.Add(st.step, b.Scalar(ir.I64, 1))),
		b.Named(cfg.Name+".seen.next", seen),
		b.Named(cfg.Name+".mu.next", mu),
	}
	return out
}

// classMeansEMA returns the moving average F_t [d, K] of the batch's
// centred class means and the classes seen so far. A class absent from
// the batch keeps its average, or takes μ_G if no batch has held it.
func classMeansEMA(b *builder.Builder, h, labels, mu *ir.Value, st etfState, k int, name string) (ema, seen *ir.Value) {
	dt, d := h.Type.DType, h.Type.Shape[1]
	hot := b.OneHot(labels, k, dt)
	counts := b.ReduceSum(hot, []int{0}, true) // [1, K]
	present := b.Gt(counts, b.Scalar(dt, 0))
	means := b.Div(b.MatmulT(h, hot, true, false), b.Maximum(counts, b.Scalar(dt, 1)))
	muCol := b.Reshape(mu, d, 1)
	c := b.Named(name+".means", b.Sub(means, muCol))
	t := b.Cast(st.step, dt)
	alpha := b.Named(name+".alpha", b.Maximum(b.Div(b.Scalar(dt, 2), b.Add(t, b.Scalar(dt, 2))), b.Scalar(dt, 1e-4)))
	blend := b.Add(b.Mul(alpha, c), b.Mul(b.Sub(b.Scalar(dt, 1), alpha), st.ema))
	seenRow := b.Reshape(st.seen, 1, k)
	absent := b.Select(seenRow, st.ema, b.BroadcastTo(muCol, d, k))
	ema = b.Select(present, blend, absent)
	seen = b.Reshape(b.Maximum(seenRow, present), k)
	return ema, seen
}

// scaledTranspose returns s·Bᵀ [r, K] of B [K, r].
func scaledTranspose(basis []float64, k, r int, s float64) []float64 {
	t := make([]float64, r*k)
	for i := range k {
		for j := range r {
			t[j*k+i] = s * basis[i*r+j]
		}
	}
	return t
}
