package runtime

import (
	"math"
	"slices"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// Integer constants are exact over the whole range of their dtype.
func TestIntegerSourcesAreExact(t *testing.T) {
	m, err := ir.Parse("t.pf", []byte(`func @f() -> (i64[], i64[2], u64[], u64[3]) {
  %a = full {value=9223372036854775807} : i64[]
  %b = constant {value=[-9223372036854775808, 9007199254740993]} : i64[2]
  %c = full {value=18446744073709551615} : u64[]
  %d = constant {value=[18446744073709551615, 9223372036854775808, 4096.0]} : u64[3]
  return %a, %b, %c, %d
}`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Run(m.Funcs[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].I64; !slices.Equal(got, []int64{math.MaxInt64}) {
		t.Errorf("full i64: %v", got)
	}
	if got := out[1].I64; !slices.Equal(got, []int64{math.MinInt64, 9007199254740993}) {
		t.Errorf("constant i64: %v", got)
	}
	if got := out[2].U64; !slices.Equal(got, []uint64{math.MaxUint64}) {
		t.Errorf("full u64: %v", got)
	}
	if got := out[3].U64; !slices.Equal(got, []uint64{math.MaxUint64, 1 << 63, 4096}) {
		t.Errorf("constant u64: %v", got)
	}
}
