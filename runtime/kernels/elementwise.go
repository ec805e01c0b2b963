package kernels

import "unsafe"

//go:generate go run mkelementwise.go

// Vectorised elementwise kernels for the ops training steps run most. Each
// computes exactly what the plain Go loop in its comment computes (IEEE
// arithmetic is the same in a vector), with the assembly of
// elementwise_amd64.s where the CPU has AVX2, and that loop elsewhere.
// The operands must not overlap dst unless they are dst.

// An Op is an elementwise binary operation.
type Op uint8

// The binary operations.
const (
	OpAdd Op = iota // a + b
	OpSub           // a - b
	OpMul           // a · b
)

// The assembly kernels by operation.
var (
	vv32 = [...]func(dst, a, b *float32, n int){OpAdd: addVVs, OpSub: subVVs, OpMul: mulVVs}
	vv64 = [...]func(dst, a, b *float64, n int){OpAdd: addVVd, OpSub: subVVd, OpMul: mulVVd}
	vs32 = [...]func(dst, a *float32, s float32, n int){OpAdd: addVSs, OpSub: subVSs, OpMul: mulVSs}
	vs64 = [...]func(dst, a *float64, s float64, n int){OpAdd: addVSd, OpSub: subVSd, OpMul: mulVSd}
)

// width is the elements of T in a 256-bit vector.
func width[T float]() int {
	var zero T
	return 32 / int(unsafe.Sizeof(zero))
}

// BinaryVV sets dst[i] = a[i] op b[i] for i < len(dst).
func BinaryVV[T Float](op Op, dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	n := 0
	if haveAsm {
		n = len(dst) / width[T]() * width[T]()
	}
	if n > 0 {
		switch dst := any(dst).(type) {
		case []float32:
			a, b := any(a).([]float32), any(b).([]float32)
			vv32[op](&dst[0], &a[0], &b[0], n)
		case []float64:
			a, b := any(a).([]float64), any(b).([]float64)
			vv64[op](&dst[0], &a[0], &b[0], n)
		}
	}
	for i := n; i < len(dst); i++ {
		dst[i] = apply(op, a[i], b[i])
	}
}

// BinaryVS sets dst[i] = a[i] op s for i < len(dst).
func BinaryVS[T Float](op Op, dst, a []T, s T) {
	a = a[:len(dst)]
	n := 0
	if haveAsm {
		n = len(dst) / width[T]() * width[T]()
	}
	if n > 0 {
		switch dst := any(dst).(type) {
		case []float32:
			a := any(a).([]float32)
			vs32[op](&dst[0], &a[0], any(s).(float32), n)
		case []float64:
			a := any(a).([]float64)
			vs64[op](&dst[0], &a[0], any(s).(float64), n)
		}
	}
	for i := n; i < len(dst); i++ {
		dst[i] = apply(op, a[i], s)
	}
}

// BinarySV sets dst[i] = s op b[i] for i < len(dst).
func BinarySV[T Float](op Op, dst []T, s T, b []T) {
	b = b[:len(dst)]
	switch op {
	case OpAdd, OpMul: // commutative: the same bits either way round
		BinaryVS(op, dst, b, s)
		return
	}
	n := 0
	if haveAsm {
		n = len(dst) / width[T]() * width[T]()
	}
	if n > 0 {
		switch dst := any(dst).(type) {
		case []float32:
			subSVs(&dst[0], any(s).(float32), &any(b).([]float32)[0], n)
		case []float64:
			subSVd(&dst[0], any(s).(float64), &any(b).([]float64)[0], n)
		}
	}
	for i := n; i < len(dst); i++ {
		dst[i] = s - b[i]
	}
}

func apply[T float](op Op, a, b T) T {
	switch op {
	case OpAdd:
		return a + b
	case OpSub:
		return a - b
	}
	return a * b
}

// Relu sets dst[i] = max(x[i], 0) for i < len(dst), with Go's max: NaN
// stays NaN and -0 becomes +0.
func Relu[T Float](dst, x []T) {
	x = x[:len(dst)]
	n := 0
	if haveAsm {
		n = len(dst) / width[T]() * width[T]()
	}
	if n > 0 {
		switch dst := any(dst).(type) {
		case []float32:
			relus(&dst[0], &any(x).([]float32)[0], n)
		case []float64:
			relud(&dst[0], &any(x).([]float64)[0], n)
		}
	}
	for i := n; i < len(dst); i++ {
		dst[i] = max(x[i], 0)
	}
}

// Step sets dst[i] to 1 where x[i] > 0 and to 0 elsewhere (NaN included),
// for i < len(dst).
func Step[T Float](dst, x []T) {
	x = x[:len(dst)]
	n := 0
	if haveAsm {
		n = len(dst) / width[T]() * width[T]()
	}
	if n > 0 {
		switch dst := any(dst).(type) {
		case []float32:
			steps(&dst[0], &any(x).([]float32)[0], n)
		case []float64:
			stepd(&dst[0], &any(x).([]float64)[0], n)
		}
	}
	for i := n; i < len(dst); i++ {
		v := x[i] // read before the write: dst may be x
		dst[i] = 0
		if v > 0 {
			dst[i] = 1
		}
	}
}
