//go:build amd64 && !noasm

package kernels

import "golang.org/x/sys/cpu"

// haveAsm reports whether the assembly micro-kernels can run: they use
// AVX2 and FMA3 (Haswell, Zen and later).
var haveAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sgemmKernel6x16 computes a 6×16 f32 tile from packed panels; see
// microkernel_amd64.s and sgemmKernelGo, its twin.
//
//go:noescape
func sgemmKernel6x16(k int, a, b, c *float32, ldc int, alpha, beta float32)

// dgemmKernel6x8 computes a 6×8 f64 tile; see dgemmKernelGo.
//
//go:noescape
func dgemmKernel6x8(k int, a, b, c *float64, ldc int, alpha, beta float64)

// copyRows64 copies rows 64-byte rows from src, stride bytes apart, to
// consecutive 64 bytes of dst; see pack_amd64.s.
//
//go:noescape
func copyRows64(dst, src *byte, stride, rows int)

// transpose8x8s transposes blocks 8×8 f32 blocks; see pack_amd64.s.
//
//go:noescape
func transpose8x8s(dst, src *float32, dstStride, srcStride, blocks int)

// transpose4x4d transposes blocks 4×4 f64 blocks; see pack_amd64.s.
//
//go:noescape
func transpose4x4d(dst, src *float64, dstStride, srcStride, blocks int)

// packA6s packs six f32 rows into an A panel, 8 depths a block; see
// pack_amd64.s.
//
//go:noescape
func packA6s(dst, src *float32, srcStride, blocks int)

// packA6d packs six f64 rows into an A panel, 4 depths a block.
//
//go:noescape
func packA6d(dst, src *float64, srcStride, blocks int)

// copyRows24 and copyRows48 are copyRows64 for the rows of A panels (6
// floats, 6 doubles); see pack_amd64.s.
//
//go:noescape
func copyRows24(dst, src *byte, stride, rows int)

//go:noescape
func copyRows48(dst, src *byte, stride, rows int)

// sdotKernel4x3 sets out[r·3+q] to the dot product of the k elements at
// a[r] and b[q]; see dot_amd64.s and dotKernelGo, its twin.
//
//go:noescape
func sdotKernel4x3(k int, a *[4]*float32, b *[3]*float32, out *[12]float32)

// ddotKernel4x3 is sdotKernel4x3 in f64.
//
//go:noescape
func ddotKernel4x3(k int, a *[4]*float64, b *[3]*float64, out *[12]float64)

// sdotKernel8x1 sets out[r] to the dot product of the k elements at a[r]
// and b[0]; see dot_amd64.s and dotGo.
//
//go:noescape
func sdotKernel8x1(k int, a *[8]*float32, b *[1]*float32, out *[8]float32)

// ddotKernel8x1 is sdotKernel8x1 in f64.
//
//go:noescape
func ddotKernel8x1(k int, a *[8]*float64, b *[1]*float64, out *[8]float64)

// scombineRows64 sets y[j] = Σ_p x[p]·a[p·lda + j] for j < 64, p < k; see
// dot_amd64.s and combineRowsGo.
//
//go:noescape
func scombineRows64(k int, x *float32, a *float32, lda int, y *[64]float32)

// dcombineRows32 is scombineRows64 in f64, for 32 outputs.
//
//go:noescape
func dcombineRows32(k int, x *float64, a *float64, lda int, y *[32]float64)
