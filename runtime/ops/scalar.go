package ops

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// ScalarFunc returns the name of the generic scalar function of this
// package that defines an elementwise op of the tables (Neg, Add, Pow,
// ...), for generated code to call in its fused loops, and the number
// attribute it takes after its operands (pow's exponent), or "".
func ScalarFunc(op ir.Op) (name, attr string, ok bool) {
	if row, ok := unaryOps[op]; ok {
		return row.name, row.attr, true
	}
	if row, ok := binaryOps[op]; ok {
		return row.name, "", true
	}
	switch op {
	case ir.OpSelect:
		return "Select", "", true
	case ir.OpCast:
		return "Cast", "", true
	}
	return "", "", false
}

// Portable reports whether an elementwise op computes the same bits on
// every platform. The ops built on the math library (exp, log, tanh,
// sigmoid, pow) may differ in the last bit between its implementations,
// so the fold pass leaves them to run where the function runs.
func Portable(op ir.Op) bool {
	if row, ok := unaryOps[op]; ok {
		return !row.libm
	}
	_, _, ok := ScalarFunc(op)
	return ok
}

// EvalScalar computes an elementwise op (of the tables, select or cast) on
// scalar operands written as number attributes, args[i] of dtype
// argTypes[i], and returns the result, of dtype out, as an attribute
// (ToAttr). It converts the operands as full does (AttrValue) and runs
// the kernels the interpreter runs, so a splat folded with it has the
// bits of every element the interpreter computes from splat operands. An
// integer division by zero is ErrIntDivByZero.
func EvalScalar(op ir.Op, attrs ir.Attrs, args []ir.Attr, argTypes []ir.DType, out ir.DType) (ir.Attr, error) {
	if len(args) != len(argTypes) {
		return nil, fmt.Errorf("%d operands of %d dtypes", len(args), len(argTypes))
	}
	switch out {
	case ir.F32:
		return evalScalar[float32](op, attrs, args, argTypes)
	case ir.F64:
		return evalScalar[float64](op, attrs, args, argTypes)
	case ir.I64:
		return evalScalar[int64](op, attrs, args, argTypes)
	case ir.U64:
		return evalScalar[uint64](op, attrs, args, argTypes)
	}
	return nil, fmt.Errorf("invalid dtype %s", out)
}

func evalScalar[T Number](op ir.Op, attrs ir.Attrs, args []ir.Attr, argTypes []ir.DType) (ir.Attr, error) {
	scalar := ir.Shape{}
	dst := make([]T, 1)
	operand := func(i int) ([]T, error) {
		if argTypes[i] != DTypeOf[T]() {
			return nil, fmt.Errorf("%s: operand %d has dtype %s, want %s", op, i, argTypes[i], DTypeOf[T]())
		}
		v, err := AttrValue[T](args[i])
		return []T{v}, err
	}
	_, unary := unaryOps[op]
	_, binary := binaryOps[op]
	switch {
	case unary && len(args) == 1:
		x, err := operand(0)
		if err != nil {
			return nil, err
		}
		k, err := NewUnary[T](op, attrs)
		if err != nil {
			return nil, err
		}
		k.Run(dst, x)
	case binary && len(args) == 2:
		a, err := operand(0)
		if err != nil {
			return nil, err
		}
		b, err := operand(1)
		if err != nil {
			return nil, err
		}
		k, err := NewBinary[T](op, scalar, scalar, scalar)
		if err != nil {
			return nil, err
		}
		if err := k.Run(dst, a, b); err != nil {
			return nil, err
		}
	case op == ir.OpSelect && len(args) == 3:
		a, err := operand(1)
		if err != nil {
			return nil, err
		}
		b, err := operand(2)
		if err != nil {
			return nil, err
		}
		if err := selectScalar(dst, args[0], argTypes[0], a, b); err != nil {
			return nil, err
		}
	case op == ir.OpCast && len(args) == 1:
		if err := castScalar(dst, args[0], argTypes[0]); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s of %d operands is not an elementwise op", op, len(args))
	}
	return ToAttr(dst[0]), nil
}

// selectScalar runs select's kernel with a condition of dtype d.
func selectScalar[T Number](dst []T, cond ir.Attr, d ir.DType, a, b []T) error {
	switch d {
	case ir.F32:
		return selectWith[float32](dst, cond, a, b)
	case ir.F64:
		return selectWith[float64](dst, cond, a, b)
	case ir.I64:
		return selectWith[int64](dst, cond, a, b)
	}
	return selectWith[uint64](dst, cond, a, b)
}

func selectWith[C, T Number](dst []T, cond ir.Attr, a, b []T) error {
	c, err := AttrValue[C](cond)
	if err != nil {
		return err
	}
	k, err := NewSelect[C, T](ir.Shape{}, ir.Shape{}, ir.Shape{}, ir.Shape{})
	if err != nil {
		return err
	}
	k.Run(dst, []C{c}, a, b)
	return nil
}

// castScalar casts x, of dtype d, into dst.
func castScalar[T Number](dst []T, x ir.Attr, d ir.DType) error {
	switch d {
	case ir.F32:
		return castFrom[T, float32](dst, x)
	case ir.F64:
		return castFrom[T, float64](dst, x)
	case ir.I64:
		return castFrom[T, int64](dst, x)
	}
	return castFrom[T, uint64](dst, x)
}

func castFrom[T, S Number](dst []T, x ir.Attr) error {
	v, err := AttrValue[S](x)
	if err != nil {
		return err
	}
	CastSlice(dst, []S{v})
	return nil
}

// ReduceScalar computes what the reduction op gives for count elements
// equal to the number attribute c, of dtype d (see ReduceRepeated), as an
// attribute.
func ReduceScalar(op ir.Op, c ir.Attr, d ir.DType, count int) (ir.Attr, error) {
	switch d {
	case ir.F32:
		return reduceScalar[float32](op, c, count)
	case ir.F64:
		return reduceScalar[float64](op, c, count)
	case ir.I64:
		return reduceScalar[int64](op, c, count)
	case ir.U64:
		return reduceScalar[uint64](op, c, count)
	}
	return nil, fmt.Errorf("invalid dtype %s", d)
}

func reduceScalar[T Number](op ir.Op, c ir.Attr, count int) (ir.Attr, error) {
	v, err := AttrValue[T](c)
	if err != nil {
		return nil, err
	}
	switch op {
	case ir.OpReduceSum, ir.OpReduceMax:
	case ir.OpReduceMean:
		if !IsFloat[T]() {
			return nil, fmt.Errorf("%s of %s", op, DTypeOf[T]())
		}
	default:
		return nil, fmt.Errorf("%s is not a reduction", op)
	}
	return ToAttr(ReduceRepeated(op, v, count)), nil
}
