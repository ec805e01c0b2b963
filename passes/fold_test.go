package passes_test

import (
	"strings"
	"testing"

	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// fold computes with the interpreter's op semantics in the value's dtype:
// the folded function returns the same bits as the unfolded one, for
// integers beyond 2⁵³, integer wraparound and f32 rounding alike.
func TestFoldAgreesWithTheInterpreter(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		folded    string // the value the result folds to
	}{
		{"i64 add beyond 2^53", `func @f() -> (i64[]) {
  %a = full {value=9007199254740993} : i64[]
  %b = add %a, %a : i64[]
  return %b
}`, "18014398509481986"},
		{"i64 mul wraps", `func @f() -> (i64[2]) {
  %a = full {value=9223372036854775807} : i64[2]
  %b = full {value=3} : i64[]
  %c = mul %a, %b : i64[2]
  return %c
}`, "9223372036854775805"},
		{"u64 sub wraps", `func @f() -> (u64[]) {
  %a = full {value=0} : u64[]
  %b = full {value=1} : u64[]
  %c = sub %a, %b : u64[]
  return %c
}`, "18446744073709551615"},
		{"u64 beyond 2^63", `func @f() -> (u64[3]) {
  %a = full {value=18446744073709551615} : u64[3]
  %b = full {value=2} : u64[]
  %c = div %a, %b : u64[3]
  return %c
}`, "9223372036854775807"},
		{"i64 division truncates", `func @f() -> (i64[]) {
  %a = full {value=-7} : i64[]
  %b = full {value=2} : i64[]
  %c = div %a, %b : i64[]
  return %c
}`, "-3"},
		{"u64 compare beyond 2^53", `func @f() -> (u64[]) {
  %a = full {value=18446744073709551615} : u64[]
  %b = full {value=18446744073709551614} : u64[]
  %c = gt %a, %b : u64[]
  return %c
}`, "1"},
		{"cast of a u64 beyond 2^53 to f64", `func @f() -> (f64[]) {
  %a = full {value=9007199254740993} : u64[]
  %b = cast %a : f64[]
  return %b
}`, "9.007199254740992e+15"},
		{"cast of a float to u64 saturates", `func @f() -> (u64[]) {
  %a = full {value=1e30} : f32[]
  %b = cast %a : u64[]
  return %b
}`, "18446744073709551615"},
		{"reduce_sum of a splat in f32", `func @f() -> (f32[2]) {
  %a = full {value=0.1} : f32[2,7]
  %b = reduce_sum %a {axes=[1]} : f32[2]
  return %b
}`, "0.699999988079071"},
		{"reduce_sum of a u64 splat wraps", `func @f() -> (u64[]) {
  %a = full {value=9223372036854775808} : u64[4]
  %b = reduce_sum %a : u64[]
  return %b
}`, "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := parseVerified(t, tc.src)
			want, err := runtime.Run(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			g, err := passes.Run(f, []string{"fold", "dce"}, passes.Options{Verify: true})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(body(g), "\n") != 1 || !strings.Contains(body(g), "{value="+tc.folded+"}") {
				t.Errorf("folded to\n%s\nwant one full {value=%s}", body(g), tc.folded)
			}
			got, err := runtime.Run(g, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !got[0].Equal(want[0]) {
				t.Errorf("folded function gives %v, the original %v", got[0], want[0])
			}
		})
	}
}

// fold leaves what it cannot compute as the interpreter would: an integer
// division by zero stays, to be reported when the function runs.
func TestFoldLeavesIntegerDivisionByZero(t *testing.T) {
	f := parseVerified(t, `func @f() -> (i64[]) {
  %a = full {value=1} : i64[]
  %b = full {value=0} : i64[]
  %c = div %a, %b : i64[]
  return %c
}`)
	g, err := passes.Run(f, []string{"fold"}, passes.Options{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body(g), "div %a, %b") {
		t.Errorf("folded a division by zero:\n%s", body(g))
	}
	if _, err := runtime.Run(g, nil); err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("running it: %v, want a division by zero error", err)
	}
}
