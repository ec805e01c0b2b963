// Package optim appends optimizer updates to gradient functions, so that a
// whole training step (loss, gradients, update) is one IR function that can
// be dumped, interpreted or emitted as Go.
//
// An Optimizer emits the update of one parameter through an ir.Emitter:
// SGD, Momentum (heavy ball or Nesterov) and AdamW, each with the
// semantics of its torch.optim counterpart (the single-tensor, non-foreach
// code path), formula by formula; the type comments give the formulas.
// New picks one by name for the command lines.
//
// Apply takes a gradient function, whose results are the loss, the
// gradient of each trained parameter and any extra results, and returns a
// training step: a new function taking the same parameters, then one state
// parameter "<param>.<slot>" per optimizer slot (zero initially), then the
// i64 scalar state "optim.step" (0 initially), and returning the loss, the
// new parameters, the new slots, the new step and the extra results. Step
// describes that layout so a training loop can feed results back:
//
//	st, err := optim.Apply(grad, []string{"w1", "w2"}, optim.DefaultAdamW())
//	// st.Func: (params..., w1.m, w1.v, w2.m, w2.v, optim.step)
//	//       -> (loss, w1.next, w2.next, w1.m.next, ..., optim.step.next, extras...)
//
// Package optim imports only ir; its tests also use builder, passes and
// runtime.
package optim
