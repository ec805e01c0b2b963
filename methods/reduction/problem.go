package reduction

import (
	"fmt"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// A Problem is a smooth objective f(x₁, x₂) of x₁ ∈ ℝ^{N1} and
// x₂ ∈ ℝ^{N2}, written as IR: Objective emits f into b from the f64
// vectors x1 [N1] and x2 [N2] and returns an f64 scalar. Data the objective
// needs (matrices, weights) are closed over and emitted as constants.
type Problem struct {
	Name      string
	N1, N2    int
	Objective func(b *builder.Builder, x1, x2 *ir.Value) *ir.Value
}

// A Map is a reduction mapping Ψ: ℝ^{N1} → ℝ^{N2}, either explicit (Emit)
// or the minimiser of an inner objective (Inner): exactly one is set.
type Map struct {
	Name string
	// Emit emits Ψ(x1) into b and returns an f64 vector [N2].
	Emit func(b *builder.Builder, x1 *ir.Value) *ir.Value
	// Inner emits G(u, x1), an f64 scalar, for u [N2] and x1 [N1];
	// Ψ(x1) = argmin_u G(u, x1) is then an argmin op of the IR, solved
	// by the runtime and differentiated by the argmin JVP rule.
	Inner func(b *builder.Builder, u, x1 *ir.Value) *ir.Value
	// Solver, Tol and MaxIter are the argmin's attributes (zero: the
	// runtime's defaults).
	Solver  string
	Tol     float64
	MaxIter int
}

// Explicit returns the explicit map Ψ = psi named name.
func Explicit(name string, psi func(b *builder.Builder, x1 *ir.Value) *ir.Value) Map {
	return Map{Name: name, Emit: psi}
}

// Argmin returns the map Ψ(x₁) = argmin_u g(u, x₁) named name, solved to
// the gradient tolerance tol (0: the runtime's default).
func Argmin(name string, g func(b *builder.Builder, u, x1 *ir.Value) *ir.Value, tol float64) Map {
	return Map{Name: name, Inner: g, Tol: tol}
}

// InnerArgmin returns the map Ψ(x₁) = argmin_{x₂} f(x₁, x₂) of p's own
// objective, for which Danskin's theorem gives ∇F = ∇_{x₁}f.
func InnerArgmin(p Problem, tol float64) Map {
	return Argmin("argmin", func(b *builder.Builder, u, x1 *ir.Value) *ir.Value {
		return p.Objective(b, x1, u)
	}, tol)
}

// IsArgmin reports whether the map is an inner argmin.
func (m Map) IsArgmin() bool { return m.Inner != nil }

func (p Problem) check() error {
	switch {
	case p.N1 <= 0 || p.N2 <= 0:
		return fmt.Errorf("problem %q: dimensions N1=%d, N2=%d must be positive", p.Name, p.N1, p.N2)
	case p.Objective == nil:
		return fmt.Errorf("problem %q has no objective", p.Name)
	case !ir.ValidName(p.Name):
		return fmt.Errorf("problem name %q is not a valid IR name", p.Name)
	}
	return nil
}

func (m Map) check() error {
	if (m.Emit == nil) == (m.Inner == nil) {
		return fmt.Errorf("map %q: set exactly one of Emit (explicit) and Inner (argmin)", m.Name)
	}
	if !ir.ValidName(m.Name) {
		return fmt.Errorf("map name %q is not a valid IR name", m.Name)
	}
	return nil
}

// vec is the type of an f64 vector of length n.
func vec(n int) ir.Type { return ir.TensorOf(ir.F64, n) }

// emitObjective emits f(x1, x2) and checks that it is an f64 scalar.
func (p Problem) emitObjective(b *builder.Builder, x1, x2 *ir.Value) *ir.Value {
	builder.Helper()
	f := p.Objective(b, x1, x2)
	if b.Err() == nil && (f == nil || !f.Type.Equal(ir.Scalar(ir.F64))) {
		b.Errorf("objective of %q returns %v, want an f64 scalar", p.Name, typeOf(f))
		return nil
	}
	return f
}

// emit emits Ψ(x1) into b, an f64 vector [n2].
func (m Map) emit(b *builder.Builder, x1 *ir.Value, n2 int) *ir.Value {
	builder.Helper()
	if m.Emit != nil {
		psi := m.Emit(b, x1)
		if b.Err() == nil && (psi == nil || !psi.Type.Equal(vec(n2))) {
			b.Errorf("map %q returns %v, want %s", m.Name, typeOf(psi), vec(n2))
			return nil
		}
		if psi != nil && psi.IsParam() {
			// The identity map: give Ψ a value of its own, which a
			// result name and the derivatives can refer to.
			psi = b.Reshape(psi, n2)
		}
		return psi
	}
	n1 := x1.Type.Shape[0]
	ib := builder.New(m.Name + "_inner")
	u := ib.Param("u", ir.F64, n2)
	ix := ib.Data("x1", ir.F64, n1)
	g := m.Inner(ib, u, ix)
	if ib.Err() == nil && (g == nil || !g.Type.Equal(ir.Scalar(ir.F64))) {
		b.Errorf("inner objective of map %q returns %v, want an f64 scalar", m.Name, typeOf(g))
		return nil
	}
	ib.Return(g)
	inner, err := ib.Build()
	if err != nil {
		b.Errorf("inner objective of map %q: %v", m.Name, err)
		return nil
	}
	var opts []builder.ArgminOption
	if m.Solver != "" {
		opts = append(opts, builder.Solver(m.Solver))
	}
	if m.Tol != 0 {
		opts = append(opts, builder.Tol(m.Tol))
	}
	if m.MaxIter != 0 {
		opts = append(opts, builder.MaxIter(m.MaxIter))
	}
	rs := b.Argmin(inner, []*ir.Value{x1}, opts...)
	if rs == nil {
		return nil
	}
	return rs[0]
}

func typeOf(v *ir.Value) string {
	if v == nil {
		return "nil"
	}
	return v.Type.String()
}

// The IR functions of a reduction. Each is built with the builder; the
// derivatives are derived from them by the passes (derive.go).

// buildObjective builds @<p>(x1, x2) -> f.
func (p Problem) buildObjective() (*ir.Func, error) {
	b := builder.New(p.Name)
	x1 := b.Param("x1", ir.F64, p.N1)
	x2 := b.Param("x2", ir.F64, p.N2)
	b.Return(b.Named("f", p.emitObjective(b, x1, x2)))
	return b.Build()
}

// buildMap builds @<map>(x1) -> Ψ(x1).
func buildMap(p Problem, m Map) (*ir.Func, error) {
	b := builder.New(m.Name)
	x1 := b.Param("x1", ir.F64, p.N1)
	b.Return(b.Named("psi", m.emit(b, x1, p.N2)))
	return b.Build()
}

// buildReduced builds @<p>_<map>(x1) -> F(x1) = f(x1, Ψ(x1)).
func buildReduced(p Problem, m Map) (*ir.Func, error) {
	b := builder.New(p.Name + "_" + m.Name)
	x1 := b.Param("x1", ir.F64, p.N1)
	psi := m.emit(b, x1, p.N2)
	b.Return(b.Named("F", p.emitObjective(b, x1, psi)))
	return b.Build()
}

// buildFrozen builds @<p>_<map>_frozen(x1, z) -> f(x1, Ψ(z)). Its gradient
// in x1 alone, at z = x1, is ∇_{x₁}f(Φ(x₁)): Danskin's gradient of F when Ψ
// is the inner argmin of f, and the first term of the chain rule otherwise.
func buildFrozen(p Problem, m Map) (*ir.Func, error) {
	b := builder.New(p.Name + "_" + m.Name + "_frozen")
	x1 := b.Param("x1", ir.F64, p.N1)
	z := b.Param("z", ir.F64, p.N1)
	psi := m.emit(b, z, p.N2)
	b.Return(b.Named("F", p.emitObjective(b, x1, psi)))
	return b.Build()
}

// buildDistance builds @<map>_distance(x1, a) -> ½‖Φ(x1+a) − Φ(x1)‖²
// = ½‖a‖² + ½‖Ψ(x1+a) − Ψ(x1)‖². Its Hessian in a at a = 0 is the pullback
// metric R = I + JᵀJ: the residual Ψ(x1+a) − Ψ(x1) is exactly zero there,
// so the second-derivative term of Ψ drops out.
func buildDistance(p Problem, m Map) (*ir.Func, error) {
	b := builder.New(m.Name + "_distance")
	x1 := b.Param("x1", ir.F64, p.N1)
	a := b.Param("a", ir.F64, p.N1)
	moved := m.emit(b, b.Add(x1, a), p.N2)
	here := m.emit(b, x1, p.N2)
	half := b.Scalar(ir.F64, 0.5)
	d := b.Add(b.Sum(b.Square(a)), b.Sum(b.Square(b.Sub(moved, here))))
	b.Return(b.Named("distance", b.Mul(half, d)))
	return b.Build()
}
