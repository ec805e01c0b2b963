package passes_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// body returns the statements of f's printed form without the signature.
func body(f *ir.Func) string {
	lines := strings.Split(strings.TrimSpace(f.String()), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines[1:len(lines)-1], "\n")
}

func TestCleanupPasses(t *testing.T) {
	for _, tc := range []struct {
		name, pass, src, want string
	}{
		{"dce removes unused", "dce", `func @f(%x: f32[2] data) -> (f32[2]) {
  %a = exp %x : f32[2]
  %b = log %x : f32[2]
  %c = neg %b : f32[2]
  return %a
}`, "%a = exp %x : f32[2]\nreturn %a"},
		{"cse merges repeats", "cse", `func @f(%x: f32[2] data) -> (f32[2]) {
  %a = exp %x : f32[2]
  %b = exp %x : f32[2]
  %c = add %a, %b : f32[2]
  return %c
}`, "%a = exp %x : f32[2]\n%c = add %a, %a : f32[2]\nreturn %c"},
		{"cse keeps different attributes", "cse", `func @f(%x: f32[2,2] data) -> (f32[2], f32[2]) {
  %a = reduce_sum %x {axes=[0]} : f32[2]
  %b = reduce_sum %x {axes=[1]} : f32[2]
  return %a, %b
}`, "%a = reduce_sum %x {axes=[0]} : f32[2]\n%b = reduce_sum %x {axes=[1]} : f32[2]\nreturn %a, %b"},
		{"fold x*1 and x+0", "fold", `func @f(%x: f32[2] data) -> (f32[2]) {
  %one = full {value=1} : f32[]
  %zero = full {value=0} : f32[2]
  %a = mul %x, %one : f32[2]
  %b = add %zero, %a : f32[2]
  return %b
}`, "%one = full {value=1} : f32[]\n%zero = full {value=0} : f32[2]\nreturn %x"},
		{"fold x*0 to zeros of the result shape", "fold", `func @f(%x: f32[3] data) -> (f32[2,3]) {
  %zero = full {value=0} : f32[2,1]
  %a = mul %x, %zero : f32[2,3]
  return %a
}`, "%zero = full {value=0} : f32[2,1]\n%1 = full {value=0.0} : f32[2,3]\nreturn %1"},
		{"fold broadcasts x+0 when the result is larger", "fold", `func @f(%x: f32[3] data) -> (f32[2,3]) {
  %zero = full {value=0} : f32[2,3]
  %a = add %x, %zero : f32[2,3]
  return %a
}`, "%zero = full {value=0} : f32[2,3]\n%1 = broadcast_to %x : f32[2,3]\nreturn %1"},
		{"fold splat arithmetic in f32", "fold", `func @f() -> (f32[2]) {
  %a = full {value=0.1} : f32[2]
  %b = full {value=0.2} : f32[]
  %c = add %a, %b : f32[2]
  return %c
}`, "%a = full {value=0.1} : f32[2]\n%b = full {value=0.2} : f32[]\n%1 = full {value=0.30000001192092896} : f32[2]\nreturn %1"},
		{"fold double negation and identity reshape", "fold", `func @f(%x: f32[2,3] data) -> (f32[2,3]) {
  %a = neg %x : f32[2,3]
  %b = neg %a : f32[2,3]
  %c = reshape %b : f32[2,3]
  %d = transpose %c {perm=[0, 1]} : f32[2,3]
  return %d
}`, "%a = neg %x : f32[2,3]\nreturn %x"},
		{"fold select on a splat condition", "fold", `func @f(%x: f32[2] data, %y: f32[2] data) -> (f32[2]) {
  %c = full {value=0} : f32[]
  %s = select %c, %x, %y : f32[2]
  return %s
}`, "%c = full {value=0} : f32[]\nreturn %y"},
		{"fold takes a product before a broadcast of its left operand", "fold", `func @f(%r: f32[3,4] data, %w: f32[5,4] data) -> (f32[3,2,5]) {
  %a = reshape %r : f32[3,1,4]
  %b = broadcast_to %a : f32[3,2,4]
  %c = reshape %b : f32[6,4]
  %d = matmul %c, %w {transpose_b=true} : f32[6,5]
  %e = reshape %d : f32[3,2,5]
  return %e
}`, "%a = reshape %r : f32[3,1,4]\n%b = broadcast_to %a : f32[3,2,4]\n%c = reshape %b : f32[6,4]\n%1 = reshape %a : f32[3,4]\n%2 = matmul %1, %w {transpose_b=true} : f32[3,5]\n%3 = reshape %2 : f32[3,1,5]\n%4 = broadcast_to %3 : f32[3,2,5]\n%5 = reshape %4 : f32[6,5]\nreturn %4"},
		{"fold keeps a product whose operand broadcasts its last axis", "fold", `func @f(%r: f32[3,1] data, %w: f32[4,5] data) -> (f32[3,5]) {
  %b = broadcast_to %r : f32[3,4]
  %d = matmul %b, %w : f32[3,5]
  return %d
}`, "%b = broadcast_to %r : f32[3,4]\n%d = matmul %b, %w : f32[3,5]\nreturn %d"},
		{"fold leaves transcendental functions", "fold", `func @f() -> (f32[]) {
  %a = full {value=1} : f32[]
  %b = exp %a : f32[]
  return %b
}`, "%a = full {value=1} : f32[]\n%b = exp %a : f32[]\nreturn %b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := parseVerified(t, tc.src)
			g, err := passes.Run(f, []string{tc.pass}, passes.Options{Verify: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := body(g); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if f.String() == "" || body(f) == "" {
				t.Error("Run modified its input")
			}
		})
	}
}

// Taking a product before the broadcast of its left operand gives the
// same numbers, with the broadcast over one axis or several and with the
// right operand transposed or not.
func TestHoistBroadcastMatmulAgrees(t *testing.T) {
	for _, src := range []string{`func @f(%r: f64[3,4] data, %w: f64[5,4] data) -> (f64[3,2,5]) {
  %a = reshape %r : f64[3,1,4]
  %b = broadcast_to %a : f64[3,2,4]
  %c = reshape %b : f64[6,4]
  %d = matmul %c, %w {transpose_b=true} : f64[6,5]
  %e = reshape %d : f64[3,2,5]
  return %e
}`, `func @f(%r: f64[4] data, %w: f64[4,5] data) -> (f64[2,3,5]) {
  %b = broadcast_to %r : f64[2,3,4]
  %d = matmul %b, %w : f64[2,3,5]
  return %d
}`} {
		f := parseVerified(t, src)
		g, err := passes.Run(f, []string{"fold", "dce"}, passes.Options{Verify: true})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(body(g), "matmul %b") || strings.Contains(body(g), "matmul %c") {
			t.Errorf("product not hoisted:\n%s", body(g))
		}
		r := rand.New(rand.NewPCG(1, 2))
		var in []*runtime.Tensor
		for _, p := range f.Params {
			in = append(in, randomTensor(r, p.Type))
		}
		want, err := runtime.Run(f, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := runtime.Run(g, in)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range want[0].F64 {
			if got[0].F64[i] != v {
				t.Fatalf("element %d: %g after folding, %g before", i, got[0].F64[i], v)
			}
		}
	}
}
