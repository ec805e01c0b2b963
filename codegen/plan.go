package codegen

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// memoryPlan returns where the step keeps every instruction result: the
// plan the memplan pass recorded in f (ir.RecordedPlan), or, for a
// function without one, the plan memplan would record (ir.PlanMemory).
// The interpreter's Runner follows the same plan, so generated code holds
// the same arenas at the same offsets. An elementwise result may take the
// buffer of an operand that dies at its instruction (ir.CanShareBuffer):
// the loops read every operand element before writing the result's at the
// same index.
func memoryPlan(f *ir.Func) (*ir.MemPlan, error) {
	if !ir.HasPlan(f) {
		return ir.PlanMemory(f, ir.PlanOptions{}), nil
	}
	if err := ir.CheckPlan(f); err != nil {
		return nil, fmt.Errorf("codegen: func @%s: the recorded memory plan: %w", f.Name, err)
	}
	return ir.RecordedPlan(f)
}
