//go:build amd64 && !noasm

#include "textflag.h"

// Elementwise kernels over n elements, n a multiple of the vector width
// (8 f32, 4 f64); elementwise.go does the rest in Go. Four vectors an
// iteration while they last, then one. IEEE arithmetic, so the results are
// those of the Go loops bit for bit; relu and step match Go's max(x, 0)
// and x > 0 including NaN and -0 (see the comments at each).

// func addVVs(dst, a, b *float32, n int)
TEXT ·addVVs(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX // vectors
	MOVQ CX, BX
	SHRQ $2, BX
	JZ addVVs_one
addVVs_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS 0(DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	VADDPS 64(DX), Y2, Y2
	VADDPS 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ BX
	JNZ addVVs_four
addVVs_one:
	ANDQ $3, CX
	JZ addVVs_done
addVVs_loop1:
	VMOVUPS (SI), Y0
	VADDPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ addVVs_loop1
addVVs_done:
	VZEROUPPER
	RET

// func subVVs(dst, a, b *float32, n int)
TEXT ·subVVs(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX // vectors
	MOVQ CX, BX
	SHRQ $2, BX
	JZ subVVs_one
subVVs_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPS 0(DX), Y0, Y0
	VSUBPS 32(DX), Y1, Y1
	VSUBPS 64(DX), Y2, Y2
	VSUBPS 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ BX
	JNZ subVVs_four
subVVs_one:
	ANDQ $3, CX
	JZ subVVs_done
subVVs_loop1:
	VMOVUPS (SI), Y0
	VSUBPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ subVVs_loop1
subVVs_done:
	VZEROUPPER
	RET

// func mulVVs(dst, a, b *float32, n int)
TEXT ·mulVVs(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX // vectors
	MOVQ CX, BX
	SHRQ $2, BX
	JZ mulVVs_one
mulVVs_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS 0(DX), Y0, Y0
	VMULPS 32(DX), Y1, Y1
	VMULPS 64(DX), Y2, Y2
	VMULPS 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ BX
	JNZ mulVVs_four
mulVVs_one:
	ANDQ $3, CX
	JZ mulVVs_done
mulVVs_loop1:
	VMOVUPS (SI), Y0
	VMULPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ mulVVs_loop1
mulVVs_done:
	VZEROUPPER
	RET

// func addVSs(dst, a *float32, s float32, n int)
TEXT ·addVSs(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSS s+16(FP), Y15
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	MOVQ CX, BX
	SHRQ $2, BX
	JZ addVSs_one
addVSs_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS Y15, Y0, Y0
	VADDPS Y15, Y1, Y1
	VADDPS Y15, Y2, Y2
	VADDPS Y15, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ addVSs_four
addVSs_one:
	ANDQ $3, CX
	JZ addVSs_done
addVSs_loop1:
	VMOVUPS (SI), Y0
	VADDPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ addVSs_loop1
addVSs_done:
	VZEROUPPER
	RET

// func subVSs(dst, a *float32, s float32, n int)
TEXT ·subVSs(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSS s+16(FP), Y15
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	MOVQ CX, BX
	SHRQ $2, BX
	JZ subVSs_one
subVSs_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPS Y15, Y0, Y0
	VSUBPS Y15, Y1, Y1
	VSUBPS Y15, Y2, Y2
	VSUBPS Y15, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ subVSs_four
subVSs_one:
	ANDQ $3, CX
	JZ subVSs_done
subVSs_loop1:
	VMOVUPS (SI), Y0
	VSUBPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ subVSs_loop1
subVSs_done:
	VZEROUPPER
	RET

// func mulVSs(dst, a *float32, s float32, n int)
TEXT ·mulVSs(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSS s+16(FP), Y15
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	MOVQ CX, BX
	SHRQ $2, BX
	JZ mulVSs_one
mulVSs_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS Y15, Y0, Y0
	VMULPS Y15, Y1, Y1
	VMULPS Y15, Y2, Y2
	VMULPS Y15, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ mulVSs_four
mulVSs_one:
	ANDQ $3, CX
	JZ mulVSs_done
mulVSs_loop1:
	VMOVUPS (SI), Y0
	VMULPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ mulVSs_loop1
mulVSs_done:
	VZEROUPPER
	RET

// func subSVs(dst *float32, s float32, b *float32, n int): dst = s - b
TEXT ·subSVs(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ b+16(FP), SI
	VBROADCASTSS s+8(FP), Y15
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	MOVQ CX, BX
	SHRQ $2, BX
	JZ subSVs_one
subSVs_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPS Y0, Y15, Y0
	VSUBPS Y1, Y15, Y1
	VSUBPS Y2, Y15, Y2
	VSUBPS Y3, Y15, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ subSVs_four
subSVs_one:
	ANDQ $3, CX
	JZ subSVs_done
subSVs_loop1:
	VMOVUPS (SI), Y0
	VSUBPS Y0, Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ subSVs_loop1
subSVs_done:
	VZEROUPPER
	RET

// func relus(dst, x *float32, n int)
//
// max(0, x) returns its second operand x when x is NaN (so NaN stays
// NaN) and when both are zeros (so -0 gives -0); adding +0 then turns
// -0 into +0, as Go's max(x, 0) gives, and changes nothing else.
TEXT ·relus(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	VXORPS Y15, Y15, Y15
	MOVQ CX, BX
	SHRQ $2, BX
	JZ relus_one
relus_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMAXPS Y0, Y15, Y4
	VADDPS Y15, Y4, Y4
	VMAXPS Y1, Y15, Y5
	VADDPS Y15, Y5, Y5
	VMAXPS Y2, Y15, Y6
	VADDPS Y15, Y6, Y6
	VMAXPS Y3, Y15, Y7
	VADDPS Y15, Y7, Y7
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ relus_four
relus_one:
	ANDQ $3, CX
	JZ relus_done
relus_loop1:
	VMOVUPS (SI), Y0
	VMAXPS Y0, Y15, Y4
	VADDPS Y15, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ relus_loop1
relus_done:
	VZEROUPPER
	RET

// func steps(dst, x *float32, n int)
//
// 1 where x > 0 and 0 elsewhere, NaN included: the ordered comparison
// x > 0 (GT_OQ, false for NaN) masks the ones.
TEXT ·steps(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	VXORPS Y15, Y15, Y15
	MOVL $0x3f800000, AX // 1.0
	VMOVD AX, X14
	VBROADCASTSS X14, Y14
	MOVQ CX, BX
	SHRQ $2, BX
	JZ steps_one
steps_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VCMPPS $0x1e, Y15, Y0, Y4
	VANDPS Y14, Y4, Y4
	VCMPPS $0x1e, Y15, Y1, Y5
	VANDPS Y14, Y5, Y5
	VCMPPS $0x1e, Y15, Y2, Y6
	VANDPS Y14, Y6, Y6
	VCMPPS $0x1e, Y15, Y3, Y7
	VANDPS Y14, Y7, Y7
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ steps_four
steps_one:
	ANDQ $3, CX
	JZ steps_done
steps_loop1:
	VMOVUPS (SI), Y0
	VCMPPS $0x1e, Y15, Y0, Y4
	VANDPS Y14, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ steps_loop1
steps_done:
	VZEROUPPER
	RET

// func addVVd(dst, a, b *float64, n int)
TEXT ·addVVd(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $2, CX // vectors
	MOVQ CX, BX
	SHRQ $2, BX
	JZ addVVd_one
addVVd_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPD 0(DX), Y0, Y0
	VADDPD 32(DX), Y1, Y1
	VADDPD 64(DX), Y2, Y2
	VADDPD 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ BX
	JNZ addVVd_four
addVVd_one:
	ANDQ $3, CX
	JZ addVVd_done
addVVd_loop1:
	VMOVUPS (SI), Y0
	VADDPD (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ addVVd_loop1
addVVd_done:
	VZEROUPPER
	RET

// func subVVd(dst, a, b *float64, n int)
TEXT ·subVVd(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $2, CX // vectors
	MOVQ CX, BX
	SHRQ $2, BX
	JZ subVVd_one
subVVd_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPD 0(DX), Y0, Y0
	VSUBPD 32(DX), Y1, Y1
	VSUBPD 64(DX), Y2, Y2
	VSUBPD 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ BX
	JNZ subVVd_four
subVVd_one:
	ANDQ $3, CX
	JZ subVVd_done
subVVd_loop1:
	VMOVUPS (SI), Y0
	VSUBPD (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ subVVd_loop1
subVVd_done:
	VZEROUPPER
	RET

// func mulVVd(dst, a, b *float64, n int)
TEXT ·mulVVd(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $2, CX // vectors
	MOVQ CX, BX
	SHRQ $2, BX
	JZ mulVVd_one
mulVVd_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPD 0(DX), Y0, Y0
	VMULPD 32(DX), Y1, Y1
	VMULPD 64(DX), Y2, Y2
	VMULPD 96(DX), Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	DECQ BX
	JNZ mulVVd_four
mulVVd_one:
	ANDQ $3, CX
	JZ mulVVd_done
mulVVd_loop1:
	VMOVUPS (SI), Y0
	VMULPD (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ mulVVd_loop1
mulVVd_done:
	VZEROUPPER
	RET

// func addVSd(dst, a *float64, s float64, n int)
TEXT ·addVSd(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSD s+16(FP), Y15
	MOVQ n+24(FP), CX
	SHRQ $2, CX
	MOVQ CX, BX
	SHRQ $2, BX
	JZ addVSd_one
addVSd_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPD Y15, Y0, Y0
	VADDPD Y15, Y1, Y1
	VADDPD Y15, Y2, Y2
	VADDPD Y15, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ addVSd_four
addVSd_one:
	ANDQ $3, CX
	JZ addVSd_done
addVSd_loop1:
	VMOVUPS (SI), Y0
	VADDPD Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ addVSd_loop1
addVSd_done:
	VZEROUPPER
	RET

// func subVSd(dst, a *float64, s float64, n int)
TEXT ·subVSd(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSD s+16(FP), Y15
	MOVQ n+24(FP), CX
	SHRQ $2, CX
	MOVQ CX, BX
	SHRQ $2, BX
	JZ subVSd_one
subVSd_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPD Y15, Y0, Y0
	VSUBPD Y15, Y1, Y1
	VSUBPD Y15, Y2, Y2
	VSUBPD Y15, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ subVSd_four
subVSd_one:
	ANDQ $3, CX
	JZ subVSd_done
subVSd_loop1:
	VMOVUPS (SI), Y0
	VSUBPD Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ subVSd_loop1
subVSd_done:
	VZEROUPPER
	RET

// func mulVSd(dst, a *float64, s float64, n int)
TEXT ·mulVSd(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	VBROADCASTSD s+16(FP), Y15
	MOVQ n+24(FP), CX
	SHRQ $2, CX
	MOVQ CX, BX
	SHRQ $2, BX
	JZ mulVSd_one
mulVSd_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPD Y15, Y0, Y0
	VMULPD Y15, Y1, Y1
	VMULPD Y15, Y2, Y2
	VMULPD Y15, Y3, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ mulVSd_four
mulVSd_one:
	ANDQ $3, CX
	JZ mulVSd_done
mulVSd_loop1:
	VMOVUPS (SI), Y0
	VMULPD Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ mulVSd_loop1
mulVSd_done:
	VZEROUPPER
	RET

// func subSVd(dst *float64, s float64, b *float64, n int): dst = s - b
TEXT ·subSVd(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ b+16(FP), SI
	VBROADCASTSD s+8(FP), Y15
	MOVQ n+24(FP), CX
	SHRQ $2, CX
	MOVQ CX, BX
	SHRQ $2, BX
	JZ subSVd_one
subSVd_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPD Y0, Y15, Y0
	VSUBPD Y1, Y15, Y1
	VSUBPD Y2, Y15, Y2
	VSUBPD Y3, Y15, Y3
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ subSVd_four
subSVd_one:
	ANDQ $3, CX
	JZ subSVd_done
subSVd_loop1:
	VMOVUPS (SI), Y0
	VSUBPD Y0, Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ subSVd_loop1
subSVd_done:
	VZEROUPPER
	RET

// func relud(dst, x *float64, n int)
//
// max(0, x) returns its second operand x when x is NaN (so NaN stays
// NaN) and when both are zeros (so -0 gives -0); adding +0 then turns
// -0 into +0, as Go's max(x, 0) gives, and changes nothing else.
TEXT ·relud(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	VXORPS Y15, Y15, Y15
	MOVQ CX, BX
	SHRQ $2, BX
	JZ relud_one
relud_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMAXPD Y0, Y15, Y4
	VADDPD Y15, Y4, Y4
	VMAXPD Y1, Y15, Y5
	VADDPD Y15, Y5, Y5
	VMAXPD Y2, Y15, Y6
	VADDPD Y15, Y6, Y6
	VMAXPD Y3, Y15, Y7
	VADDPD Y15, Y7, Y7
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ relud_four
relud_one:
	ANDQ $3, CX
	JZ relud_done
relud_loop1:
	VMOVUPS (SI), Y0
	VMAXPD Y0, Y15, Y4
	VADDPD Y15, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ relud_loop1
relud_done:
	VZEROUPPER
	RET

// func stepd(dst, x *float64, n int)
//
// 1 where x > 0 and 0 elsewhere, NaN included: the ordered comparison
// x > 0 (GT_OQ, false for NaN) masks the ones.
TEXT ·stepd(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	VXORPS Y15, Y15, Y15
	MOVQ $0x3ff0000000000000, AX // 1.0
	VMOVQ AX, X14
	VBROADCASTSD X14, Y14
	MOVQ CX, BX
	SHRQ $2, BX
	JZ stepd_one
stepd_four:
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VCMPPD $0x1e, Y15, Y0, Y4
	VANDPD Y14, Y4, Y4
	VCMPPD $0x1e, Y15, Y1, Y5
	VANDPD Y14, Y5, Y5
	VCMPPD $0x1e, Y15, Y2, Y6
	VANDPD Y14, Y6, Y6
	VCMPPD $0x1e, Y15, Y3, Y7
	VANDPD Y14, Y7, Y7
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ stepd_four
stepd_one:
	ANDQ $3, CX
	JZ stepd_done
stepd_loop1:
	VMOVUPS (SI), Y0
	VCMPPD $0x1e, Y15, Y0, Y4
	VANDPD Y14, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ stepd_loop1
stepd_done:
	VZEROUPPER
	RET
