// Package builder is the Go API that builds pushforward IR functions.
//
// A Builder makes one ir.Func. Parameters come from Data (inputs and
// labels), Param (trainable) and State; every op of the ir table has a
// method that appends an instruction, infers its result types with
// ir.InferTypes and returns the result as an *ir.Value:
//
//	b := builder.New("mlp")
//	x := b.Data("x", ir.F32, 512, 40)
//	t := b.Data("t", ir.I64, 512)
//	w1 := b.Param("w1", ir.F32, 40, 128)
//	w2 := b.Param("w2", ir.F32, 128, 10)
//	h := b.Relu(b.Matmul(x, w1))
//	loss := b.Named("loss", b.SoftmaxXent(b.Matmul(h, w2), t))
//	b.Return(loss)
//	f, err := b.Build()
//
// Values are named %1, %2, ... in definition order unless given a name
// with Name or Named; names match [A-Za-z_][A-Za-z0-9_.]* and are unique.
// Each instruction records the file and line of the call that made it:
// the first caller outside this package and builder/nn (and outside
// functions marked with Helper), so a value made by nn.Linear points at the
// user's line.
//
// Errors are sticky. The first error (operand shapes that do not fit, a
// nil operand, a value of another builder, a bad or duplicate name) is
// kept as an *Error that names the op, the operand types and the caller's
// file:line; every later call does nothing and returns nil, and Build
// returns the error, so graph code checks once. Build also runs
// ir.Verify.
//
// Attributes are stored as the op table says (ir.Int, ir.Bool, ir.Float,
// lists) and canonically: required ones always, optional flags only when
// set (transpose_a, keepdims), reduction axes only when given.
//
// Declarative layers: Argmin returns the minimiser of an objective
// function over its leading parameters given operands for the rest,
// subject to Constraint functions (or Stiefel(j): XᵀX = I), with the
// solver, tolerances, WarmStart (the previous solution, from a state
// parameter) and derivative rule as options; Func builds such a region
// function with a Builder of its own, and LinearSolve a matrix-free
// linear solve whose operator is one:
//
//	obj := b.Func("ridge", []ir.Type{wType}, []*ir.Value{h, y}, func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
//		return []*ir.Value{r.Sum(r.Square(r.Sub(r.Matmul(p[0], x[0]), p[1])))}
//	})
//	w := b.Argmin(obj, []*ir.Value{h, y}, builder.Solver("newton"))[0]
//
// The passes differentiate the result implicitly (package passes).
//
// Parameters may carry an Initializer (ParamInit, SetInit); Inits returns
// them for nn.InitParams, which draws the initial values.
//
// Package builder imports only ir and the standard library.
package builder
