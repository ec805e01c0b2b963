package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/methods/reduction"
)

// A value is one measured number of an experiment: an eigenvalue, a
// condition number or a curvature (with the point where it is largest).
type value struct {
	Experiment string   `json:"experiment"`
	Seed       *uint64  `json:"seed,omitempty"`
	Kind       string   `json:"kind"` // eigenvalue, condition, curvature
	Case       string   `json:"case"`
	Value      float64  `json:"value"`
	At         *float64 `json:"at,omitempty"`
	Paper      string   `json:"paper"`
}

// A runRecord is one optimisation run.
type runRecord struct {
	Experiment   string  `json:"experiment"`
	Seed         *uint64 `json:"seed,omitempty"`
	Kind         string  `json:"kind"` // run
	Method       string  `json:"method"`
	Step         string  `json:"step"`
	Iterations   int     `json:"iterations"`
	Stop         string  `json:"stop"`
	F            float64 `json:"f"`
	GradNorm     float64 `json:"grad_norm"`
	Seconds      float64 `json:"seconds"`
	TimeRatio    float64 `json:"time_ratio"` // wall time over GeoPrecGD's
	Values       int     `json:"values"`
	Gradients    int     `json:"gradients"`
	CGIterations int     `json:"cg_iterations,omitempty"`
	PaperIters   string  `json:"paper_iterations"`
	PaperRatio   string  `json:"paper_time_ratio"`

	trace []reduction.Point
}

// An outcome is what one experiment (and seed) measured.
type outcome struct {
	experiment string  // a1, ..., g3
	seed       *uint64 // G.2 and G.3
	name       string  // a1, g2-seed3, ...: the plots' file names
	title      string  // the plots' titles
	values     []value
	runs       []runRecord
}

// stamp writes the experiment and seed into every record.
func (out *outcome) stamp() {
	for i := range out.values {
		out.values[i].Experiment, out.values[i].Seed = out.experiment, out.seed
	}
	for i := range out.runs {
		out.runs[i].Experiment, out.runs[i].Seed = out.experiment, out.seed
	}
}

// The methods of G.1–G.3.
const (
	fullGD    = "full GD"
	reducedGD = "reduced GD"
	geoPrec   = "GeoPrecGD"
)

// a1 measures App. A.1 (M = 10).
func a1() (*outcome, error) {
	p := reduction.A1(10)
	out := &outcome{experiment: "a1", name: "a1"}
	if err := eigenvalues(out, p, []float64{0, 0}, "∇²f", [2]string{"0.975", "41.02"}); err != nil {
		return nil, err
	}
	cases := []struct {
		name  string
		m     reduction.Map
		paper string
	}{
		{"Ψ = 0", reduction.Zero(1), "22"},
		{"Ψ = argmin (x₁)", reduction.InnerArgmin(p, 1e-10), "2"},
		{"Ψ = x₁ − 2 sin x₁", reduction.A1Bad(), "82"},
	}
	for _, c := range cases {
		if err := maxCurvature(out, p, c.m, c.name, -0.5, 0.5, 1001, c.paper); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// a2 measures App. A.2.
func a2() (*outcome, error) {
	p := reduction.A2()
	out := &outcome{experiment: "a2", name: "a2"}
	if err := eigenvalues(out, p, []float64{0, 0}, "∇²f at (0, sin 0)", [2]string{"0", "4"}); err != nil {
		return nil, err
	}
	cases := []struct {
		name, paper, paperF2 string
		m                    reduction.Map
	}{
		{"Ψ₁ = sin x₁", "≈ 2.14 (outside the basin)", "0", reduction.SinMap()},
		{"Ψ₁ = argmin (sin x₁)", "≈ 2.14 (outside the basin)", "0", reduction.InnerArgmin(p, 1e-10)},
		{"Ψ₂ = 0", "2", "2", reduction.Zero(1)},
		{"Ψ₃ = x₁", "≈ 2.22", "", reduction.Identity()},
	}
	for _, c := range cases {
		r, err := reduction.New(p, c.m)
		if err != nil {
			return nil, err
		}
		h, err := r.Hessian([]float64{0})
		if err != nil {
			return nil, err
		}
		zero := 0.0
		out.values = append(out.values, value{Kind: "second derivative", Case: "F″(0), " + c.name, Value: h.At(0, 0), At: &zero, Paper: c.paperF2})
		if err := maxCurvature(out, p, c.m, c.name, -1.5, 1.5, 601, c.paper); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eigenvalues records the extreme eigenvalues of ∇²f at x.
func eigenvalues(out *outcome, p reduction.Problem, x []float64, what string, paper [2]string) error {
	r, err := reduction.New(p, reduction.Zero(p.N2))
	if err != nil {
		return err
	}
	h, err := r.FullHessian(x)
	if err != nil {
		return err
	}
	ev, err := reduction.Eigenvalues(h)
	if err != nil {
		return err
	}
	out.values = append(out.values,
		value{Kind: "eigenvalue", Case: "λ_min(" + what + ")", Value: ev[0], Paper: paper[0]},
		value{Kind: "eigenvalue", Case: "λ_max(" + what + ")", Value: ev[len(ev)-1], Paper: paper[1]})
	return nil
}

// maxCurvature records the largest curvature of F = f(x₁, Ψ(x₁)) over
// [lo, hi].
func maxCurvature(out *outcome, p reduction.Problem, m reduction.Map, name string, lo, hi float64, points int, paper string) error {
	r, err := reduction.New(p, m)
	if err != nil {
		return err
	}
	profile, err := r.CurvatureProfile(lo, hi, points)
	if err != nil {
		return err
	}
	best := reduction.MaxCurvature(profile)
	out.values = append(out.values, value{Kind: "curvature", Case: fmt.Sprintf("max curvature on [%g, %g], %s", lo, hi, name), Value: best.Curvature, At: &best.X, Paper: paper})
	return nil
}

// g1 runs experiment G.1.
func g1(ctx context.Context, o options, stderr io.Writer) (*outcome, error) {
	out := &outcome{experiment: "g1", name: "g1", title: "G.1: G = x² + 10(y − x)², Φ(x) = (x, x)"}
	r, err := reduction.New(reduction.A1(10), reduction.Identity())
	if err != nil {
		return nil, err
	}
	h, err := r.FullHessian([]float64{0, 0})
	if err != nil {
		return nil, err
	}
	ev, err := reduction.Eigenvalues(h)
	if err != nil {
		return nil, err
	}
	beta := ev[1]
	runs := []methodRun{
		{method: fullGD, step: fmt.Sprintf("η = 1/λ_max = 1/%.5g", beta), opts: reduction.Options{Step: 1 / beta}, x0: []float64{-1.2, 4.5}, paperIters: "802"},
		{method: reducedGD, step: "η = ½", opts: reduction.Options{Step: 0.5}, x0: []float64{-1.2}, paperIters: "1"},
		{method: geoPrec, step: "η = 1", opts: reduction.Options{Step: 1}, x0: []float64{-1.2}, paperIters: "1"},
	}
	return out, runMethods(ctx, o, out, r, runs, stderr)
}

// spectralProblem draws K for seed and returns it with the start point
// (x₀, y₀) ~ N(0, I), drawn after K from the same stream.
// With -diagonal-k, K = diag(s) instead (the draws are the same, so x₀
// and y₀ are too).
func spectralProblem(o options, seed uint64) (*mat.Dense, []float64) {
	rng := rand.New(rand.NewPCG(seed, 0))
	k, s := reduction.SpectralK(o.n, 1, o.s2max, rng)
	if o.diagonalK {
		k = mat.NewDense(o.n, o.n, nil)
		for i, si := range s {
			k.Set(i, i, si)
		}
	}
	return k, reduction.Normals(2*o.n, rng)
}

// g2 runs experiment G.2 for one seed.
func g2(ctx context.Context, o options, seed uint64, stderr io.Writer) (*outcome, error) {
	k, x0 := spectralProblem(o, seed)
	r, err := reduction.New(reduction.G2(k, o.lambda), reduction.Linear("kx", k))
	if err != nil {
		return nil, err
	}
	out := &outcome{experiment: "g2", seed: &seed, name: fmt.Sprintf("g2-seed%d", seed),
		title: fmt.Sprintf("G.2: ½‖x‖² + ½‖y‖² + (λ/2)‖y − Kx‖², n = %d, seed %d", o.n, seed)}
	paper := o.paperSetup(false)
	betaFull, betaReduced, err := conditioning(out, r, paper.pick("2.0e4", "1.0e3"))
	if err != nil {
		return nil, err
	}
	runs := armijoRuns(o, x0, o.maxIter,
		paper.pick("≈ 1.32e5", "≈ 9.5e3", "1"), paper.pick("64786.6×", "2310.8×", "1×"))
	if err := runMethods(ctx, o, out, r, runs, stderr); err != nil || !o.g2Fixed {
		return out, err
	}
	fixed := []methodRun{
		{method: fullGD, step: fmt.Sprintf("η = 1/λ_max(∇²G) = 1/%.6g", betaFull), opts: reduction.Options{Step: 1 / betaFull}, x0: x0},
		{method: reducedGD, step: fmt.Sprintf("η = 1/λ_max(∇²F) = 1/%.6g", betaReduced), opts: reduction.Options{Step: 1 / betaReduced}, x0: x0[:o.n]},
		{method: geoPrec, step: "η = 1", opts: reduction.Options{Step: 1}, x0: x0[:o.n]},
	}
	return out, runMethods(ctx, o, out, r, fixed, stderr)
}

// g3 runs experiment G.3 for one seed.
func g3(ctx context.Context, o options, seed uint64, stderr io.Writer) (*outcome, error) {
	k, x0 := spectralProblem(o, seed)
	r, err := reduction.New(reduction.G3(k, o.lambda, o.alpha), reduction.Tanh(k, o.alpha))
	if err != nil {
		return nil, err
	}
	out := &outcome{experiment: "g3", seed: &seed, name: fmt.Sprintf("g3-seed%d", seed),
		title: fmt.Sprintf("G.3: ½‖x‖² + ½‖y‖² + (λ/2)‖y − α tanh(Kx)‖², n = %d, α = %g, seed %d", o.n, o.alpha, seed)}
	paper := o.paperSetup(true)
	if _, _, err := conditioning(out, r, paper.pick("2.0e6", "2.0e3")); err != nil {
		return nil, err
	}
	runs := armijoRuns(o, x0, o.g3Cap,
		paper.pick("not converged in 2e6 (f ≈ 1)", "≈ 2.8e4", "a handful"), paper.pick("19592.2×", "198.9×", "1×"))
	return out, runMethods(ctx, o, out, r, runs, stderr)
}

// paperSetup reports whether G.2 (or G.3, with α) runs with the settings
// the paper's numbers are for.
type paperSetup bool

func (o options) paperSetup(g3 bool) paperSetup {
	return paperSetup(o.n == 40 && o.lambda == 10 && o.s2max == 1999 && !o.diagonalK && (!g3 || o.alpha == 10))
}

// pick returns the paper's numbers, or "(other setup)" for each when the
// settings differ from the paper's.
func (p paperSetup) pick(numbers ...string) []string {
	if p {
		return numbers
	}
	other := make([]string, len(numbers))
	for i := range other {
		other[i] = "(other setup)"
	}
	return other
}

// armijoRuns are the three methods of G.2 and G.3 with the paper's line
// search, full GD capped at fullCap iterations.
func armijoRuns(o options, x0 []float64, fullCap int, paperIters, paperRatio []string) []methodRun {
	armijo := reduction.DefaultArmijo()
	opts := reduction.Options{LineSearch: &armijo}
	full := opts
	full.MaxIter = fullCap
	return []methodRun{
		{method: fullGD, step: "Armijo", opts: full, x0: x0, paperIters: paperIters[0], paperRatio: paperRatio[0]},
		{method: reducedGD, step: "Armijo", opts: opts, x0: x0[:o.n], paperIters: paperIters[1], paperRatio: paperRatio[1]},
		{method: geoPrec, step: "Armijo", opts: opts, x0: x0[:o.n], paperIters: paperIters[2], paperRatio: paperRatio[2]},
	}
}

// conditioning records the condition numbers at the minimiser 0: of ∇²G,
// of ∇²F and of R (Euclidean), and of ∇²F in the metric R. It returns
// λ_max(∇²G(0)) and λ_max(∇²F(0)).
func conditioning(out *outcome, r *reduction.Reduction, paper []string) (betaFull, betaReduced float64, err error) {
	n1 := r.N1()
	x := make([]float64, n1)
	var spectra [3][]float64 // ∇²G, ∇²F, R
	var metric, h *mat.SymDense
	for i := range spectra {
		var a *mat.SymDense
		switch i {
		case 0:
			a, err = r.FullHessian(make([]float64, n1+r.N2()))
		case 1:
			h, err = r.Hessian(x)
			a = h
		case 2:
			metric, err = r.Metric(x)
			a = metric
		}
		if err != nil {
			return 0, 0, err
		}
		if spectra[i], err = reduction.Eigenvalues(a); err != nil {
			return 0, 0, err
		}
	}
	pencil, err := reduction.PencilEigenvalues(h, metric)
	if err != nil {
		return 0, 0, err
	}
	cond := func(ev []float64) float64 { return ev[len(ev)-1] / ev[0] }
	out.values = append(out.values,
		value{Kind: "condition", Case: "κ(∇²G(0)), full", Value: cond(spectra[0]), Paper: paper[0]},
		value{Kind: "condition", Case: "κ(∇²F(0)), reduced", Value: cond(spectra[1]), Paper: paper[1]},
		value{Kind: "condition", Case: "κ(R(0))", Value: cond(spectra[2])},
		value{Kind: "condition", Case: "κ of ∇²F(0) in the metric R", Value: cond(pencil)},
	)
	return spectra[0][len(spectra[0])-1], spectra[1][n1-1], nil
}

// A methodRun is one method of G.1–G.3 to run.
type methodRun struct {
	method, step           string
	opts                   reduction.Options
	x0                     []float64
	paperIters, paperRatio string
}

// runMethods runs the methods on r and records them, with wall times
// relative to GeoPrecGD's.
func runMethods(ctx context.Context, o options, out *outcome, r *reduction.Reduction, runs []methodRun, stderr io.Writer) error {
	var geoSeconds float64
	first := len(out.runs)
	for _, mr := range runs {
		obj, pc, err := objectiveFor(r, mr.method)
		if err != nil {
			return err
		}
		opts := mr.opts
		if opts.MaxIter == 0 {
			opts.MaxIter = o.maxIter
		}
		opts.Trace = true
		if pc != nil {
			opts.Precondition = pc
		}
		prog := newProgress(stderr, out.name+" "+mr.method, opts.MaxIter, o.progressInterval)
		opts.Progress = prog.update
		res, err := reduction.Minimize(ctx, obj, mr.x0, opts)
		prog.done()
		if err != nil {
			return fmt.Errorf("%s, %s: %w", out.name, mr.method, err)
		}
		rec := runRecord{Kind: "run", Method: mr.method, Step: mr.step, Iterations: res.Iterations, Stop: res.Stop.String(),
			F: res.F, GradNorm: res.GNorm, Seconds: res.Elapsed.Seconds(), Values: res.Values, Gradients: res.Gradients,
			PaperIters: mr.paperIters, PaperRatio: mr.paperRatio, trace: res.Trace}
		if pc != nil {
			rec.CGIterations = pc.Iterations
			geoSeconds = rec.Seconds
		}
		out.runs = append(out.runs, rec)
	}
	for i := first; i < len(out.runs); i++ {
		out.runs[i].TimeRatio = out.runs[i].Seconds / geoSeconds
	}
	return nil
}

// objectiveFor returns the objective of a method, and GeoPrecGD's
// preconditioner.
func objectiveFor(r *reduction.Reduction, method string) (reduction.Objective, *reduction.MetricCG, error) {
	switch method {
	case fullGD:
		obj, err := r.Full()
		return obj, nil, err
	case reducedGD:
		obj, err := r.Reduced(reduction.ChainRule)
		return obj, nil, err
	}
	obj, err := r.Reduced(reduction.ChainRule)
	if err != nil {
		return nil, nil, err
	}
	pc, err := r.MetricPreconditioner(0)
	return obj, pc, err
}
