package runtime

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/ir"
)

// CheckIdentical returns nil if got and want have the same type and the
// same bits in every element, signs of zeros included, a NaN matching any
// NaN; otherwise an error naming the first element that differs. It is
// for tests of transformations that must not change a result's bits (the
// fuse pass, generated code). NaN payloads and signs are not compared:
// Go's max gives a NaN without its sign where the vectorised relu keeps
// it, and Go may compile a + b with either operand first, which decides
// which of two NaNs comes out.
func CheckIdentical(got, want *Tensor) error {
	if !got.Type.Equal(want.Type) {
		return fmt.Errorf("got type %s, want %s", got.Type, want.Type)
	}
	if err := got.check(); err != nil {
		return err
	}
	for j := range want.Len() {
		var g, w uint64
		switch want.Type.DType {
		case ir.F32:
			a, b := got.F32[j], want.F32[j]
			if a != a && b != b {
				continue
			}
			g, w = uint64(math.Float32bits(a)), uint64(math.Float32bits(b))
		case ir.F64:
			a, b := got.F64[j], want.F64[j]
			if a != a && b != b {
				continue
			}
			g, w = math.Float64bits(a), math.Float64bits(b)
		case ir.I64:
			g, w = uint64(got.I64[j]), uint64(want.I64[j])
		default:
			g, w = got.U64[j], want.U64[j]
		}
		if g != w {
			return fmt.Errorf("element %d of %s: bits %#x, want %#x", j, want.Type, g, w)
		}
	}
	return nil
}
