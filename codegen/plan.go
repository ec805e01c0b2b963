package codegen

import "github.com/pushforward/pushforward/ir"

// A bufferPlan places every instruction result in one arena per dtype:
// the plan the interpreter's Runner makes (runtime/runner.go), from the
// same lifetimes (ir.Lifetimes) by the same placement (ir.PlanArenas), so
// that generated code holds the same memory as the Runner. An
// instruction's results never share memory with its operands.
//
// When the memplan pass records offsets in the function, read them here
// instead of planning.
type bufferPlan struct {
	offset map[*ir.Value]int
	length map[ir.DType]int
}

func planBuffers(f *ir.Func) *bufferPlan {
	life := ir.Lifetimes(f)
	var values []*ir.Value
	var bufs []ir.Buffer
	for _, in := range f.Body {
		for _, r := range in.Results {
			values = append(values, r)
			bufs = append(bufs, ir.Buffer{DType: r.Type.DType, Size: r.Type.Shape.Size(), Life: life[r]})
		}
	}
	offsets, lengths := ir.PlanArenas(bufs)
	p := &bufferPlan{offset: make(map[*ir.Value]int, len(values)), length: lengths}
	for i, v := range values {
		p.offset[v] = offsets[i]
	}
	return p
}
