//go:build !amd64 || noasm

package kernels

// haveAsm is false: this build has no assembly micro-kernels.
const haveAsm = false

func sgemmKernel6x16(k int, a, b, c *float32, ldc int, alpha, beta float32) {
	panic("kernels: no assembly micro-kernel in this build")
}

func dgemmKernel6x8(k int, a, b, c *float64, ldc int, alpha, beta float64) {
	panic("kernels: no assembly micro-kernel in this build")
}

func sgemmKernel16x16AVX512(k int, a, b, c *float32, ldc int, alpha, beta float32) {
	panic("kernels: no assembly micro-kernel in this build")
}

func dgemmKernel12x16AVX512(k int, a, b, c *float64, ldc int, alpha, beta float64) {
	panic("kernels: no assembly micro-kernel in this build")
}

func jacobiPair16(a, v *float32, n, p, q int, floor *[16]float32, active uint64) uint64 {
	panic("kernels: no assembly Jacobi rotation in this build")
}

func jacobiPair8(a, v *float32, n, p, q int, floor *float32, active uint64) uint64 {
	panic("kernels: no assembly Jacobi rotation in this build")
}

func copyRows64(dst, src *byte, stride, rows int) {
	panic("kernels: no assembly copy in this build")
}

func transpose8x8s(dst, src *float32, dstStride, srcStride, blocks int) {
	panic("kernels: no assembly transpose in this build")
}

func transpose4x4d(dst, src *float64, dstStride, srcStride, blocks int) {
	panic("kernels: no assembly transpose in this build")
}

func packA6s(dst, src *float32, srcStride, blocks int) {
	panic("kernels: no assembly packing in this build")
}

func packA6d(dst, src *float64, srcStride, blocks int) {
	panic("kernels: no assembly packing in this build")
}

func copyRows24(dst, src *byte, stride, rows int) {
	panic("kernels: no assembly copy in this build")
}

func copyRows128(dst, src *byte, stride, rows int) {
	panic("kernels: no assembly copy in this build")
}

func copyRows48(dst, src *byte, stride, rows int) {
	panic("kernels: no assembly copy in this build")
}

func sdotKernel4x3(k int, a *[4]*float32, b *[3]*float32, out *[12]float32) {
	panic("kernels: no assembly dot kernel in this build")
}

func ddotKernel4x3(k int, a *[4]*float64, b *[3]*float64, out *[12]float64) {
	panic("kernels: no assembly dot kernel in this build")
}

func sdotKernel8x1(k int, a *[8]*float32, b *[1]*float32, out *[8]float32) {
	panic("kernels: no assembly dot kernel in this build")
}

func ddotKernel8x1(k int, a *[8]*float64, b *[1]*float64, out *[8]float64) {
	panic("kernels: no assembly dot kernel in this build")
}

func scombineRows64(k int, x *float32, a *float32, lda int, y *[64]float32) {
	panic("kernels: no assembly row combination in this build")
}

func dcombineRows32(k int, x *float64, a *float64, lda int, y *[32]float64) {
	panic("kernels: no assembly row combination in this build")
}

// prefetchRows does nothing without assembly.
func prefetchRows(src *byte, stride, rows, lines int) {}
