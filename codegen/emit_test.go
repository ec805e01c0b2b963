package codegen

import (
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// Every op of the table has an emitter (which, for argmin and
// linear_solve, says why it cannot emit them yet).
func TestEveryOpHasAnEmitter(t *testing.T) {
	for _, op := range ir.AllOps() {
		if emitters[op] == nil {
			t.Errorf("no emitter for %s", op)
		}
	}
	for _, op := range []ir.Op{ir.OpArgmin, ir.OpLinearSolve} {
		if Supports(op) {
			t.Errorf("Supports(%s), which Generate does not emit", op)
		}
	}
	if !Supports(ir.OpFused) || !Supports(ir.OpMatmul) {
		t.Error("Supports rejects ops that Generate emits")
	}
}
