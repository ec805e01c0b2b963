package genmod

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// The pipe's format carries tensors of every dtype bit for bit (NaN
// payloads and signed zeros too), and failures as their messages.
func TestCodecRoundTrip(t *testing.T) {
	nan := math.Float32frombits(0x7fc00123)
	in := []*runtime.Tensor{
		runtime.FromF32([]int{2, 2}, []float32{1, float32(math.Copysign(0, -1)), nan, float32(math.Inf(-1))}),
		runtime.FromF64(nil, []float64{math.Float64frombits(0xfff8000000000001)}),
		runtime.FromI64([]int{3}, []int64{-1, 0, math.MaxInt64}),
		runtime.ScalarU64(math.MaxUint64),
		runtime.Zeros(ir.TensorOf(ir.F32, 0, 5)),
	}
	var buf bytes.Buffer
	if err := writeRequest(&buf, 7, modeInterpreter, in); err != nil {
		t.Fatal(err)
	}
	fn, mode, got, err := readRequest(&buf)
	if err != nil || fn != 7 || mode != modeInterpreter || len(got) != len(in) {
		t.Fatalf("request: %d %d %d tensors, %v", fn, mode, len(got), err)
	}
	for i := range in {
		if err := runtime.CheckIdentical(got[i], in[i]); err != nil {
			t.Errorf("tensor %d: %v", i, err)
		}
	}
	if math.Float32bits(got[0].F32[2]) != 0x7fc00123 {
		t.Errorf("NaN payload %#x", math.Float32bits(got[0].F32[2]))
	}
	buf.Reset()
	if err := writeResponse(&buf, in[:1], nil); err != nil {
		t.Fatal(err)
	}
	if res, failed, err := readResponse(&buf); err != nil || failed != "" || len(res) != 1 || runtime.CheckIdentical(res[0], in[0]) != nil {
		t.Errorf("response: %v %q %v", res, failed, err)
	}
	buf.Reset()
	writeResponse(&buf, nil, errors.New("3:5: %l = cholesky %a: not positive definite"))
	if res, failed, err := readResponse(&buf); err != nil || res != nil || failed != "3:5: %l = cholesky %a: not positive definite" {
		t.Errorf("failure: %v %q %v", res, failed, err)
	}
}
