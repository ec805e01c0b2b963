package conformance

import (
	"testing"

	"github.com/pushforward/pushforward/ir"
)

func TestInterpreter(t *testing.T) {
	for _, c := range Cases() {
		for _, d := range []ir.DType{ir.F64, ir.F32} {
			t.Run(c.Name+"/"+d.String(), func(t *testing.T) {
				t.Parallel()
				Check(t, Interpreter, c, d)
			})
		}
	}
}

func TestCasesCoverEveryOp(t *testing.T) {
	covered := map[ir.Op]bool{}
	for _, c := range Cases() {
		covered[c.Op] = true
	}
	for _, op := range ir.AllOps() {
		if !covered[op] {
			t.Errorf("no conformance case for %s", op)
		}
	}
}
