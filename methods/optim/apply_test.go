package optim

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// quadratic builds a gradient function with two parameters of different
// dtypes and an extra result:
//
//	loss = ½Σ a·(w − c)² + ½Σ (b − 1)²,  ∂w = a·(w − c),  ∂b = b − 1
//
// returning (loss, ∂b, ∂w, 2·loss): the gradients in the order b, w.
func quadratic(t *testing.T) *ir.Func {
	t.Helper()
	b := builder.New("quad")
	w := b.Param("w", ir.F64, 2, 2)
	bias := b.Param("b", ir.F32, 3)
	a := b.Data("a", ir.F64, 2, 2)
	c := b.Data("c", ir.F64, 2, 2)
	dw := b.Named("dw", b.Mul(a, b.Sub(w, c)))
	db := b.Named("db", b.Sub(bias, b.Scalar(ir.F32, 1)))
	lw := b.Mul(b.Scalar(ir.F64, 0.5), b.Sum(b.Mul(dw, b.Sub(w, c))))
	lb := b.Cast(b.Mul(b.Scalar(ir.F32, 0.5), b.Sum(b.Square(db))), ir.F64)
	loss := b.Named("loss", b.Add(lw, lb))
	b.Return(loss, db, dw, b.Named("twice", b.Mul(b.Scalar(ir.F64, 2), loss)))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLayout(t *testing.T) {
	g := quadratic(t)
	before := g.String()
	st, err := Apply(g, []string{"b", "w"}, DefaultAdamW())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, g.String()); diff != "" {
		t.Errorf("Apply modified its input (-was +now):\n%s", diff)
	}
	f := st.Func
	if err := ir.Verify(f); err != nil {
		t.Fatal(err)
	}
	if f.Name != "quad_step" {
		t.Errorf("name %q, want quad_step", f.Name)
	}

	type param struct {
		name string
		typ  string
		role ir.Role
	}
	var params []param
	for _, p := range f.Params {
		params = append(params, param{p.Name, p.Type.String(), p.Role})
	}
	wantParams := []param{
		{"w", "f64[2,2]", ir.Param}, {"b", "f32[3]", ir.Param}, {"a", "f64[2,2]", ir.Data}, {"c", "f64[2,2]", ir.Data},
		{"b.m", "f32[3]", ir.State}, {"b.v", "f32[3]", ir.State}, {"w.m", "f64[2,2]", ir.State}, {"w.v", "f64[2,2]", ir.State},
		{"optim.step", "i64[]", ir.State},
	}
	if !slices.Equal(params, wantParams) {
		t.Errorf("params\n got %v\nwant %v", params, wantParams)
	}

	var results []string
	for _, r := range f.Results {
		results = append(results, r.Name+":"+r.Type.String())
	}
	wantResults := []string{"loss:f64[]", "b.next:f32[3]", "w.next:f64[2,2]",
		"b.m.next:f32[3]", "b.v.next:f32[3]", "w.m.next:f64[2,2]", "w.v.next:f64[2,2]",
		"optim.step.next:i64[]", "twice:f64[]"}
	if !slices.Equal(results, wantResults) {
		t.Errorf("results\n got %v\nwant %v", results, wantResults)
	}

	want := Step{Params: []string{"b", "w"}, Slots: []string{"b.m", "b.v", "w.m", "w.v"}, StepName: "optim.step", Extra: 1}
	if !slices.Equal(st.Params, want.Params) || !slices.Equal(st.Slots, want.Slots) || st.StepName != want.StepName || st.Extra != want.Extra {
		t.Errorf("step %+v, want %+v", *st, want)
	}
	for name, i := range map[string]int{"b": 1, "w": 2, "b.m": 3, "w.v": 6, "optim.step": 7, "a": -1, "loss": -1} {
		if got := st.ResultOf(name); got != i {
			t.Errorf("ResultOf(%q) = %d, want %d", name, got, i)
		}
		if i >= 0 && f.Results[i].Name != name+".next" {
			t.Errorf("result %d is %s, want %s.next", i, f.Results[i], name)
		}
	}

	// The text form round-trips and the values of w's update are named w.….
	text := f.String()
	back, err := ir.ParseFunc(text)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, text)
	}
	if diff := cmp.Diff(text, back.String()); diff != "" {
		t.Errorf("print ∘ parse ∘ print differs (-print +print∘parse):\n%s", diff)
	}
	for _, want := range []string{"%w.bc1 = ", "%w.denom = ", "%b.step_size = ", "%w.decayed = ", "%optim.step.next = add %optim.step, "} {
		if !strings.Contains(text, want) {
			t.Errorf("dump lacks %q:\n%s", want, text)
		}
	}
}

// TestTrainQuadratic trains the two-parameter quadratic with momentum and
// checks the loss, the extra result and the step against the oracle.
func TestTrainQuadratic(t *testing.T) {
	st, err := Apply(quadratic(t), []string{"b", "w"}, Momentum{LR: 0.2, Mu: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	a := []float64{1, 2, 0.5, 3}
	c := []float64{1, -1, 2, 0.5}
	w := []float64{0.1, 0.2, -0.3, 0.4}
	bias := []float64{0.5, 2, -1}
	tr := newTrainer(t, st, map[string]*runtime.Tensor{
		"w": runtime.FromF64([]int{2, 2}, slices.Clone(w)),
		"b": runtime.FromFloat64s(ir.TensorOf(ir.F32, 3), bias),
	})
	data := map[string]*runtime.Tensor{"a": runtime.FromF64([]int{2, 2}, a), "c": runtime.FromF64([]int{2, 2}, c)}
	ow := &momentumOracle{lr: 0.2, mu: 0.5}
	var firstLoss, lastLoss float64
	for k := 1; k <= 20; k++ {
		// The oracle's loss and gradient at the current w.
		gw := make([]float64, len(w))
		loss := 0.0
		for i := range w {
			gw[i] = a[i] * (w[i] - c[i])
			loss += 0.5 * gw[i] * (w[i] - c[i])
		}
		res := tr.step(data)
		ow.step(w, gw, k)
		got := res[0].F64[0]
		if k == 1 {
			firstLoss = got
		}
		lastLoss = got
		if twice := res[len(res)-1].F64[0]; twice != 2*got {
			t.Errorf("step %d: extra result %v, want 2·loss = %v", k, twice, 2*got)
		}
		if err := checkClose(tr.get("w"), w, 1e-14); err != nil {
			t.Errorf("step %d: w: %v", k, err)
		}
		if k == 1 { // b's loss term is f32: compare w's term only at the start.
			bl := 0.0
			for _, x := range bias {
				bl += 0.5 * (x - 1) * (x - 1)
			}
			if math.Abs(got-(loss+bl)) > 1e-6 {
				t.Errorf("step 1: loss %v, want %v", got, loss+bl)
			}
		}
	}
	if got := tr.get(StepName)[0]; got != 20 {
		t.Errorf("step counter %v after 20 steps", got)
	}
	if !(lastLoss < 1e-3*firstLoss) {
		t.Errorf("loss went from %v to %v in 20 steps", firstLoss, lastLoss)
	}
}

// badOpt is an Optimizer whose Update misbehaves in the way its fields say.
type badOpt struct {
	slots  []string
	update func(e ir.Emitter, p, g *ir.Value, slots []*ir.Value, step *ir.Value) (*ir.Value, []*ir.Value)
}

func (badOpt) Name() string      { return "bad" }
func (o badOpt) Slots() []string { return o.slots }
func (o badOpt) Update(e ir.Emitter, p, g *ir.Value, slots []*ir.Value, step *ir.Value) (*ir.Value, []*ir.Value) {
	return o.update(e, p, g, slots, step)
}

func TestApplyErrors(t *testing.T) {
	build := func(f func(b *builder.Builder)) *ir.Func {
		b := builder.New("g")
		f(b)
		g, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	// @g(%w: f64[3] param, %x: f64[3] data, %n: i64[3] data) -> (loss, %w_grad...)
	simple := func(results func(b *builder.Builder, w, x, n *ir.Value) []*ir.Value) *ir.Func {
		return build(func(b *builder.Builder) {
			w := b.Param("w", ir.F64, 3)
			x := b.Data("x", ir.F64, 3)
			n := b.Data("n", ir.I64, 3)
			b.Return(results(b, w, x, n)...)
		})
	}
	good := simple(func(b *builder.Builder, w, x, n *ir.Value) []*ir.Value {
		return []*ir.Value{b.Named("loss", b.Sum(b.Mul(w, x))), x, n, b.Named("f32grad", b.Cast(x, ir.F32))}
	})
	shortGrad := simple(func(b *builder.Builder, w, x, _ *ir.Value) []*ir.Value {
		return []*ir.Value{b.Named("loss", b.Sum(w)), b.Named("short", b.Slice(x, []int{0}, []int{2}))}
	})
	f32Grad := simple(func(b *builder.Builder, w, x, _ *ir.Value) []*ir.Value {
		return []*ir.Value{b.Named("loss", b.Sum(w)), b.Named("g32", b.Cast(x, ir.F32))}
	})
	unverified := good.Clone()
	unverified.Name = "not a name"
	returnP := func(e ir.Emitter, p, _ *ir.Value, _ []*ir.Value, _ *ir.Value) (*ir.Value, []*ir.Value) { return p, nil }

	cases := []struct {
		name  string
		g     *ir.Func
		grads []string
		opt   Optimizer
		want  []string // fragments of the error
	}{
		{"nil function", nil, []string{"w"}, SGD{}, []string{"nil function"}},
		{"nil optimizer", good, []string{"w"}, nil, []string{"nil optimizer"}},
		{"does not verify", unverified, []string{"w"}, SGD{}, []string{"does not verify", "invalid function name"}},
		{"no params", good, nil, SGD{}, []string{"no parameters to train"}},
		{"unknown", good, []string{"w", "nope"}, SGD{}, []string{"no parameter %nope"}},
		{"twice", good, []string{"w", "w"}, SGD{}, []string{"%w is listed twice"}},
		{"not float", good, []string{"w", "n"}, SGD{}, []string{"parameter %n has type i64[3], want f32 or f64"}},
		{"not param", good, []string{"w", "x"}, SGD{}, []string{"parameter %x has role data, want param"}},
		{"too few results", good, []string{"w", "x", "n", "w"}, SGD{}, []string{"returns 4 results", "4 parameters"}},
		{"grad shape", shortGrad, []string{"w"}, SGD{}, []string{"gradient of parameter %w (result 1, %short) has type f64[2], want f64[3]"}},
		{"grad dtype", f32Grad, []string{"w"}, SGD{}, []string{"gradient of parameter %w (result 1, %g32) has type f32[3], want f64[3]"}},
		{"loss not scalar", simple(func(b *builder.Builder, w, x, n *ir.Value) []*ir.Value { return []*ir.Value{x, x} }),
			[]string{"w"}, SGD{}, []string{"loss (result 0, %x) has type f64[3], want a float scalar"}},
		{"slot name taken", build(func(b *builder.Builder) {
			w := b.Param("w", ir.F64, 3)
			m := b.Data("w.m", ir.F64, 3)
			b.Return(b.Named("loss", b.Sum(w)), m)
		}), []string{"w"}, DefaultAdamW(), []string{"cannot add state parameter %w.m: the name is taken"}},
		{"step name taken", build(func(b *builder.Builder) {
			w := b.Param("w", ir.F64, 3)
			b.Return(b.Named("optim.step", b.Sum(w)), w)
		}), []string{"w"}, SGD{}, []string{"cannot add state parameter %optim.step"}},
		{"bad lr", good, []string{"w"}, SGD{LR: -1}, []string{"sgd: invalid learning rate -1"}},
		{"nan lr", good, []string{"w"}, AdamW{LR: math.NaN(), Beta1: 0.9, Beta2: 0.999}, []string{"adamw: invalid learning rate NaN"}},
		{"bad beta", good, []string{"w"}, AdamW{LR: 1e-3, Beta1: 1, Beta2: 0.999}, []string{"adamw: invalid beta1 1"}},
		{"bad eps", good, []string{"w"}, AdamW{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: -1}, []string{"adamw: invalid eps -1"}},
		{"nesterov dampening", good, []string{"w"}, Momentum{LR: 0.1, Mu: 0.9, Dampening: 0.1, Nesterov: true},
			[]string{"Nesterov momentum needs momentum > 0 and dampening 0"}},
		{"nesterov mu 0", good, []string{"w"}, Momentum{LR: 0.1, Nesterov: true}, []string{"Nesterov"}},
		{"negative momentum", good, []string{"w"}, Momentum{LR: 0.1, Mu: -0.5}, []string{"invalid momentum -0.5"}},
		{"bad slot name", good, []string{"w"}, badOpt{slots: []string{"a b"}, update: returnP}, []string{`invalid or repeated slot name "a b"`}},
		{"repeated slot", good, []string{"w"}, badOpt{slots: []string{"m", "m"}, update: returnP}, []string{`repeated slot name "m"`}},
		{"wrong new type", good, []string{"w"}, badOpt{update: func(e ir.Emitter, p, g *ir.Value, _ []*ir.Value, step *ir.Value) (*ir.Value, []*ir.Value) {
			return step, nil
		}}, []string{"bad update of %w", "new value of the parameter has type i64[], want f64[3]"}},
		{"no new value", good, []string{"w"}, badOpt{update: func(ir.Emitter, *ir.Value, *ir.Value, []*ir.Value, *ir.Value) (*ir.Value, []*ir.Value) {
			return nil, nil
		}}, []string{"bad update of %w", "no new value of the parameter"}},
		{"slot count", good, []string{"w"}, badOpt{slots: []string{"s"}, update: returnP}, []string{"bad update of %w", "0 new slot values for the 1 slots [s]"}},
		{"slot type", good, []string{"w"}, badOpt{slots: []string{"s"}, update: func(e ir.Emitter, p, _ *ir.Value, _ []*ir.Value, step *ir.Value) (*ir.Value, []*ir.Value) {
			return p, []*ir.Value{step}
		}}, []string{"bad update of %w", "new value of slot s has type i64[], want f64[3]"}},
		{"ill-typed emit", good, []string{"w"}, badOpt{update: func(e ir.Emitter, p, _ *ir.Value, _ []*ir.Value, step *ir.Value) (*ir.Value, []*ir.Value) {
			return add(e, p, step), nil
		}}, []string{"bad update of %w", "emitting add (operands f64[3], i64[])", "operand dtypes differ"}},
		{"emit region op", good, []string{"w"}, badOpt{update: func(e ir.Emitter, p, _ *ir.Value, _ []*ir.Value, _ *ir.Value) (*ir.Value, []*ir.Value) {
			e.Emit(ir.OpArgmin, nil, nil, p.Type)
			return p, nil
		}}, []string{"bad update of %w", "ops with a region cannot be emitted"}},
		{"declared type mismatch", good, []string{"w"}, badOpt{update: func(e ir.Emitter, p, _ *ir.Value, _ []*ir.Value, _ *ir.Value) (*ir.Value, []*ir.Value) {
			return emit1(e, ir.OpNeg, nil, []ir.Type{ir.Scalar(ir.F64)}, p), nil
		}}, []string{"bad update of %w", "declared result types (f64[]) differ from the inferred ones (f64[3])"}},
		{"nil operand", good, []string{"w"}, badOpt{update: func(e ir.Emitter, p, _ *ir.Value, _ []*ir.Value, _ *ir.Value) (*ir.Value, []*ir.Value) {
			return add(e, p, nil), nil
		}}, []string{"bad update of %w", "emitting add: operand 2 is nil"}},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before string
			if c.g != nil {
				before = c.g.String()
			}
			st, err := Apply(c.g, c.grads, c.opt)
			if err == nil {
				t.Fatalf("no error; got\n%s", st.Func)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if c.g != nil && c.g.String() != before {
				t.Errorf("Apply modified its input")
			}
		})
	}
}

func TestNew(t *testing.T) {
	cases := []struct {
		name string
		lr   float64
		want Optimizer
		err  string
	}{
		{"sgd", 0.1, SGD{LR: 0.1}, ""},
		{"momentum", 0.05, Momentum{LR: 0.05, Mu: 0.9}, ""},
		{"adamw", 3e-4, AdamW{LR: 3e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}, ""},
		{"adam", 0.1, nil, `unknown optimizer "adam" (known: sgd, momentum, adamw)`},
		{"SGD", 0.1, nil, "unknown optimizer"},
		{"sgd", -0.1, nil, "sgd: invalid learning rate -0.1"},
		{"adamw", math.Inf(1), nil, "adamw: invalid learning rate +Inf"},
	}
	for _, c := range cases {
		got, err := New(c.name, c.lr)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("New(%q, %v): error %v, want %q", c.name, c.lr, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("New(%q, %v): %v", c.name, c.lr, err)
		case c.err == "" && got != c.want:
			t.Errorf("New(%q, %v) = %#v, want %#v", c.name, c.lr, got, c.want)
		case c.err == "" && got.Name() != c.name:
			t.Errorf("New(%q, %v).Name() = %q", c.name, c.lr, got.Name())
		}
	}
	for _, name := range Names() {
		if _, err := New(name, 0.01); err != nil {
			t.Errorf("New(%q): %v", name, err)
		}
	}
}

// TestUpdateWithBuilder emits the updates through a builder.Builder, the
// other ir.Emitter: Update needs nothing of Apply's emitter, and Label is
// a no-op there.
func TestUpdateWithBuilder(t *testing.T) {
	for _, opt := range []Optimizer{SGD{LR: 0.1, WeightDecay: 0.1}, Momentum{LR: 0.1, Mu: 0.9, Nesterov: true}, DefaultAdamW()} {
		t.Run(opt.Name(), func(t *testing.T) {
			b := builder.New("upd")
			p := b.Param("p", ir.F32, 4)
			g := b.Data("g", ir.F32, 4)
			var slots []*ir.Value
			for _, s := range opt.Slots() {
				slots = append(slots, b.State(s, ir.F32, 4))
			}
			step := b.State("step", ir.I64)
			np, ns := opt.Update(b, p, g, slots, step)
			b.Return(append([]*ir.Value{np}, ns...)...)
			f, err := b.Build()
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range f.Results {
				if !r.Type.Equal(p.Type) {
					t.Errorf("result %s: %s, want %s", r, r.Type, p.Type)
				}
			}
		})
	}
}
