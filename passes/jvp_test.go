package passes_test

import (
	"strings"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

func TestJVPConventions(t *testing.T) {
	f := deepMLP(t, ir.F32, 2, 8, 4, 3, 2)
	j, err := passes.JVP(f, []string{"w2", "w1"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := ir.Verify(j); err != nil {
		t.Fatalf("%v\n%s", err, j)
	}
	n := len(f.Params)
	if got := j.Params[n].Name; got != "w2.tangent" {
		t.Errorf("first tangent parameter %s, want w2.tangent", got)
	}
	if got, want := j.Params[n+1].Type.String(), "f32[5,3,8]"; got != want {
		t.Errorf("w1.tangent has type %s, want %s", got, want)
	}
	if j.Params[n+1].Role != ir.Data {
		t.Errorf("tangent role %s, want data", j.Params[n+1].Role)
	}
	if got := len(j.Results); got != 2 {
		t.Fatalf("%d results, want loss and its tangent", got)
	}
	if got, want := j.Results[1].Type.String(), "f32[5]"; got != want {
		t.Errorf("loss tangent type %s, want %s", got, want)
	}
}

// Values that do not depend on a perturbed input get no tangent code.
func TestJVPSymbolicZeros(t *testing.T) {
	b := builder.New("zeros")
	x := b.Data("x", ir.F64, 4, 3)
	w := b.Param("w", ir.F64, 3, 3)
	c := b.Param("c", ir.F64, 4, 3)
	onlyX := b.Named("onlyx", b.Exp(b.Tanh(x)))
	b.Return(b.Sum(b.Mul(b.Matmul(onlyX, w), c)), b.Sum(onlyX))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	j, err := passes.JVP(f, []string{"w"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	text := j.String()
	for _, absent := range []string{"onlyx.tangent", "= exp %", "step"} {
		if strings.Count(text, absent) > strings.Count(f.String(), absent) {
			t.Errorf("tangent code for an unperturbed value (%q):\n%s", absent, text)
		}
	}
	// The second result does not depend on w: its tangent is a zero
	// constant, not computed.
	last := j.Results[len(j.Results)-1]
	if last.Op() != ir.OpFull {
		t.Errorf("tangent of an unperturbed result is %s, want full zeros", last.Op())
	}
	if err := ir.Verify(j); err != nil {
		t.Fatal(err)
	}
}

// With T tangents, the product dH·W is one GEMM of T·B rows.
func TestJVPFoldsTangentsIntoOneGEMM(t *testing.T) {
	f := deepMLP(t, ir.F32, 2, 16, 8, 4, 3)
	j, err := passes.Run(f, []string{"jvp", "fold", "cse", "dce"}, passes.Options{Wrt: []string{"w1"}, Tangents: 6})
	if err != nil {
		t.Fatal(err)
	}
	var shapes []string
	for _, in := range j.Body {
		if in.Op == ir.OpMatmul {
			shapes = append(shapes, in.Args[0].Type.String()+"x"+in.Args[1].Type.String())
		}
	}
	// x·w1, h1·w2 (primal), dW1 folded as x·[4, 6*16], and dH1 as [6*8,16]·w2.
	want := []string{"f32[8,4]xf32[4,16]", "f32[8,4]xf32[4,96]", "f32[8,16]xf32[16,3]", "f32[48,16]xf32[16,3]"}
	if strings.Join(shapes, " ") != strings.Join(want, " ") {
		t.Errorf("matmuls %v, want %v\n%s", shapes, want, j)
	}
}

func TestJVPMissingRuleNamesOpAndValue(t *testing.T) {
	src := `func @f(%a: f64[3,3] param) -> (f64[3,3]) {
  %q, %r = qr %a : f64[3,3], f64[3,3]
  return %q
}`
	f, err := ir.ParseFunc(src)
	if err != nil {
		t.Fatal(err)
	}
	defer passes.WithoutRules(ir.OpQR)()
	_, err = passes.JVP(f, []string{"a"}, 1)
	if err == nil || !strings.Contains(err.Error(), "%q, %r = qr: no JVP rule for qr") || !strings.Contains(err.Error(), "2:3") {
		t.Errorf("got %v", err)
	}
}

func TestJVPRejectsBadWrt(t *testing.T) {
	f := deepMLP(t, ir.F32, 2, 8, 4, 3, 2)
	for _, tc := range []struct {
		wrt  []string
		want string
	}{
		{[]string{"nope"}, "has no parameter %nope"},
		{[]string{"t"}, "cannot differentiate with respect to %t of type i64[4]"},
		{[]string{"w1", "w1"}, "listed twice"},
		{nil, "no parameters"},
	} {
		if _, err := passes.JVP(f, tc.wrt, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("wrt %v: got %v, want %q", tc.wrt, err, tc.want)
		}
	}
}

func TestPipelineOrder(t *testing.T) {
	f := deepMLP(t, ir.F32, 2, 8, 4, 3, 2)
	for _, tc := range []struct {
		passes []string
		want   string
	}{
		{[]string{"dce", "fold"}, "pass dce must run after fold"},
		{[]string{"vjp", "nope"}, `unknown pass "nope"`},
	} {
		if _, err := passes.Run(f, tc.passes, passes.Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.passes, err, tc.want)
		}
	}
	if _, err := passes.Run(f, []string{"dce", "fold", "dce"}, passes.Options{Verify: true}); err != nil {
		t.Errorf("dce,fold,dce: %v", err)
	}
}

func TestDumpAfter(t *testing.T) {
	f := deepMLP(t, ir.F32, 2, 8, 4, 3, 2)
	var buf strings.Builder
	_, err := passes.Run(f, []string{"vjp", "fold", "dce"}, passes.Options{DumpAfter: []string{"vjp", "dce"}, Dump: &buf, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "// after ") != 2 || !strings.Contains(out, "// after vjp\nfunc @mlp2_vjp(") || !strings.Contains(out, "// after dce\n") {
		t.Errorf("dumps:\n%s", out)
	}
	dir := t.TempDir()
	if _, err := passes.Run(f, []string{"jvp", "dce"}, passes.Options{DumpAfter: []string{"all"}, DumpDir: dir}); err != nil {
		t.Fatal(err)
	}
}

// Forward mode stores no activations: the peak of live bytes of the JVP
// stays flat in depth, while reverse mode keeps every layer's activations.
func TestPeakLiveBytes(t *testing.T) {
	var jvpPeaks, vjpPeaks []int64
	for _, depth := range []int{2, 8, 32} {
		f := deepMLP(t, ir.F32, depth, 256, 128, 256, 10)
		wrt := passes.ParamsWithRole(f, ir.Param)
		j, err := passes.Run(f, []string{"jvp", "fold", "cse", "dce"}, passes.Options{Wrt: wrt})
		if err != nil {
			t.Fatal(err)
		}
		v, err := passes.Run(f, []string{"vjp", "fold", "cse", "dce"}, passes.Options{Wrt: wrt})
		if err != nil {
			t.Fatal(err)
		}
		jvpPeaks = append(jvpPeaks, passes.PeakLiveBytes(j))
		vjpPeaks = append(vjpPeaks, passes.PeakLiveBytes(v))
	}
	t.Logf("peak live bytes, depth 2, 8, 32: jvp %v, vjp %v", jvpPeaks, vjpPeaks)
	if jvpPeaks[2] != jvpPeaks[1] {
		t.Errorf("JVP peak grows with depth: %v", jvpPeaks)
	}
	if !(vjpPeaks[0] < vjpPeaks[1] && vjpPeaks[1] < vjpPeaks[2]) {
		t.Errorf("VJP peak does not grow with depth: %v", vjpPeaks)
	}
}
