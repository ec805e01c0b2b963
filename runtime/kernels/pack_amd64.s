//go:build amd64 && !noasm

#include "textflag.h"

// func copyRows64(dst, src *byte, stride, rows int)
//
// Copies rows 64-byte rows, src advancing by stride bytes per row and dst
// by 64: the rows of a B panel (16 f32 or 8 f64) packed from a matrix
// stored depth by depth.
TEXT ·copyRows64(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ stride+16(FP), DX
	MOVQ rows+24(FP), CX
	TESTQ CX, CX
	JZ done
loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ DX, SI
	ADDQ $64, DI
	DECQ CX
	JNZ loop
	VZEROUPPER
done:
	RET

// func transpose8x8s(dst, src *float32, dstStride, srcStride, blocks int)
//
// Transposes blocks 8×8 blocks of f32: block b reads 8 rows of 8 floats at
// src + b·32 (rows srcStride bytes apart) and writes its 8 columns as rows
// at dst + b·8·dstStride (dstStride bytes apart). This packs 8 rows of a
// matrix stored row by row into a panel stored depth by depth.
TEXT ·transpose8x8s(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ dstStride+16(FP), DX
	MOVQ srcStride+24(FP), BX
	MOVQ blocks+32(FP), CX
	TESTQ CX, CX
	JZ tdone
	LEAQ (BX)(BX*2), R8 // 3·srcStride
	LEAQ (DX)(DX*2), R9 // 3·dstStride
tloop:
	MOVQ SI, R10
	VMOVUPS (R10), Y0
	VMOVUPS (R10)(BX*1), Y1
	VMOVUPS (R10)(BX*2), Y2
	VMOVUPS (R10)(R8*1), Y3
	LEAQ (R10)(BX*4), R10
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(BX*1), Y5
	VMOVUPS (R10)(BX*2), Y6
	VMOVUPS (R10)(R8*1), Y7
	// Interleave pairs of rows, then pairs of pairs, then exchange the
	// 128-bit halves: the classic 8×8 transpose.
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	MOVQ DI, R11
	VMOVUPS Y8, (R11)
	VMOVUPS Y9, (R11)(DX*1)
	VMOVUPS Y10, (R11)(DX*2)
	VMOVUPS Y11, (R11)(R9*1)
	LEAQ (R11)(DX*4), R11
	VMOVUPS Y12, (R11)
	VMOVUPS Y13, (R11)(DX*1)
	VMOVUPS Y14, (R11)(DX*2)
	VMOVUPS Y15, (R11)(R9*1)
	ADDQ $32, SI
	LEAQ (DI)(DX*8), DI
	DECQ CX
	JNZ tloop
	VZEROUPPER
tdone:
	RET

// func transpose4x4d(dst, src *float64, dstStride, srcStride, blocks int)
//
// The f64 counterpart of transpose8x8s: 4×4 blocks of 4 doubles.
TEXT ·transpose4x4d(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ dstStride+16(FP), DX
	MOVQ srcStride+24(FP), BX
	MOVQ blocks+32(FP), CX
	TESTQ CX, CX
	JZ ddone
	LEAQ (BX)(BX*2), R8
	LEAQ (DX)(DX*2), R9
dloop:
	VMOVUPD (SI), Y0
	VMOVUPD (SI)(BX*1), Y1
	VMOVUPD (SI)(BX*2), Y2
	VMOVUPD (SI)(R8*1), Y3
	VUNPCKLPD Y1, Y0, Y4
	VUNPCKHPD Y1, Y0, Y5
	VUNPCKLPD Y3, Y2, Y6
	VUNPCKHPD Y3, Y2, Y7
	VPERM2F128 $0x20, Y6, Y4, Y0
	VPERM2F128 $0x20, Y7, Y5, Y1
	VPERM2F128 $0x31, Y6, Y4, Y2
	VPERM2F128 $0x31, Y7, Y5, Y3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (DI)(DX*1)
	VMOVUPD Y2, (DI)(DX*2)
	VMOVUPD Y3, (DI)(R9*1)
	ADDQ $32, SI
	LEAQ (DI)(DX*4), DI
	DECQ CX
	JNZ dloop
	VZEROUPPER
ddone:
	RET

// func packA6s(dst, src *float32, srcStride, blocks int)
//
// Packs six rows of f32, srcStride bytes apart, into an A panel: for each
// of blocks blocks of 8 depths, an 8×8 transpose (rows 6 and 7 zero) whose
// first six lanes are stored per depth, dst advancing 24 bytes a depth.
TEXT ·packA6s(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ srcStride+16(FP), BX
	MOVQ blocks+24(FP), CX
	TESTQ CX, CX
	JZ adone
	LEAQ (BX)(BX*2), R8 // 3·srcStride
	VXORPS Y6, Y6, Y6
aloop:
	MOVQ SI, R10
	VMOVUPS (R10), Y0
	VMOVUPS (R10)(BX*1), Y1
	VMOVUPS (R10)(BX*2), Y2
	VMOVUPS (R10)(R8*1), Y3
	LEAQ (R10)(BX*4), R10
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(BX*1), Y5
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y6, Y12, Y4
	VSHUFPS $0xEE, Y6, Y12, Y5
	VSHUFPS $0x44, Y6, Y13, Y14
	VSHUFPS $0xEE, Y6, Y13, Y15
	// Depth j < 4: rows 0–3 in the low half of Y0–Y3, rows 4–5 in the
	// low 64 bits of Y4, Y5, Y14, Y15; depth j+4: the high halves.
	VMOVUPS X0, (DI)
	VMOVQ X4, 16(DI)
	VMOVUPS X1, 24(DI)
	VMOVQ X5, 40(DI)
	VMOVUPS X2, 48(DI)
	VMOVQ X14, 64(DI)
	VMOVUPS X3, 72(DI)
	VMOVQ X15, 88(DI)
	VEXTRACTF128 $1, Y0, X0
	VEXTRACTF128 $1, Y1, X1
	VEXTRACTF128 $1, Y2, X2
	VEXTRACTF128 $1, Y3, X3
	VEXTRACTF128 $1, Y4, X4
	VEXTRACTF128 $1, Y5, X5
	VEXTRACTF128 $1, Y14, X14
	VEXTRACTF128 $1, Y15, X15
	VMOVUPS X0, 96(DI)
	VMOVQ X4, 112(DI)
	VMOVUPS X1, 120(DI)
	VMOVQ X5, 136(DI)
	VMOVUPS X2, 144(DI)
	VMOVQ X14, 160(DI)
	VMOVUPS X3, 168(DI)
	VMOVQ X15, 184(DI)
	ADDQ $32, SI
	ADDQ $192, DI
	DECQ CX
	JNZ aloop
	VZEROUPPER
adone:
	RET

// func packA6d(dst, src *float64, srcStride, blocks int)
//
// The f64 counterpart of packA6s: blocks of 4 depths, rows 0–3 by a 4×4
// transpose and rows 4–5 by an unpack, dst advancing 48 bytes a depth.
TEXT ·packA6d(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ srcStride+16(FP), BX
	MOVQ blocks+24(FP), CX
	TESTQ CX, CX
	JZ bdone
	LEAQ (BX)(BX*2), R8
bloop:
	MOVQ SI, R10
	VMOVUPD (R10), Y0
	VMOVUPD (R10)(BX*1), Y1
	VMOVUPD (R10)(BX*2), Y2
	VMOVUPD (R10)(R8*1), Y3
	LEAQ (R10)(BX*4), R10
	VMOVUPD (R10), Y4
	VMOVUPD (R10)(BX*1), Y5
	VUNPCKLPD Y1, Y0, Y8
	VUNPCKHPD Y1, Y0, Y9
	VUNPCKLPD Y3, Y2, Y10
	VUNPCKHPD Y3, Y2, Y11
	VUNPCKLPD Y5, Y4, Y12
	VUNPCKHPD Y5, Y4, Y13
	VPERM2F128 $0x20, Y10, Y8, Y0
	VPERM2F128 $0x20, Y11, Y9, Y1
	VPERM2F128 $0x31, Y10, Y8, Y2
	VPERM2F128 $0x31, Y11, Y9, Y3
	VMOVUPD Y0, (DI)
	VMOVUPD X12, 32(DI)
	VMOVUPD Y1, 48(DI)
	VMOVUPD X13, 80(DI)
	VEXTRACTF128 $1, Y12, X12
	VEXTRACTF128 $1, Y13, X13
	VMOVUPD Y2, 96(DI)
	VMOVUPD X12, 128(DI)
	VMOVUPD Y3, 144(DI)
	VMOVUPD X13, 176(DI)
	ADDQ $32, SI
	ADDQ $192, DI
	DECQ CX
	JNZ bloop
	VZEROUPPER
bdone:
	RET

// func copyRows24(dst, src *byte, stride, rows int)
//
// copyRows64 for 24-byte rows: the rows of an f32 A panel (6 floats).
TEXT ·copyRows24(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ stride+16(FP), DX
	MOVQ rows+24(FP), CX
	TESTQ CX, CX
	JZ c24done
c24loop:
	VMOVUPS (SI), X0
	MOVQ 16(SI), AX
	VMOVUPS X0, (DI)
	MOVQ AX, 16(DI)
	ADDQ DX, SI
	ADDQ $24, DI
	DECQ CX
	JNZ c24loop
c24done:
	RET

// func copyRows48(dst, src *byte, stride, rows int)
//
// copyRows64 for 48-byte rows: the rows of an f64 A panel (6 doubles).
TEXT ·copyRows48(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ stride+16(FP), DX
	MOVQ rows+24(FP), CX
	TESTQ CX, CX
	JZ c48done
c48loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), X1
	VMOVUPS Y0, (DI)
	VMOVUPS X1, 32(DI)
	ADDQ DX, SI
	ADDQ $48, DI
	DECQ CX
	JNZ c48loop
	VZEROUPPER
c48done:
	RET

// func copyRows128(dst, src *byte, stride, rows int)
//
// copyRows64 for 128-byte rows: the rows of an f64 A panel of the AVX-512
// kernels (16 doubles).
TEXT ·copyRows128(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ stride+16(FP), DX
	MOVQ rows+24(FP), CX
	TESTQ CX, CX
	JZ done128
loop128:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ DX, SI
	ADDQ $128, DI
	DECQ CX
	JNZ loop128
	VZEROUPPER
done128:
	RET

// func prefetchRows(src *byte, stride, rows, lines int)
//
// Prefetches into L2 the first lines 64-byte lines of rows rows, stride
// bytes apart, from src: the source of the next B panel a task packs,
// fetched while the micro-kernels run.
TEXT ·prefetchRows(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), SI
	MOVQ stride+8(FP), DX
	MOVQ rows+16(FP), CX
	MOVQ lines+24(FP), BX
	TESTQ CX, CX
	JZ pfdone
	TESTQ BX, BX
	JZ pfdone
pfrow:
	MOVQ SI, DI
	MOVQ BX, AX
pfline:
	PREFETCHT1 (DI)
	ADDQ $64, DI
	DECQ AX
	JNZ pfline
	ADDQ DX, SI
	DECQ CX
	JNZ pfrow
pfdone:
	RET
