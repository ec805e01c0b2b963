//go:build amd64 && !noasm

#include "textflag.h"

// Normals of four Philox blocks at a time, in AVX2: one 64-bit lane per
// block. The arithmetic is the stream's definition (doc.go) operation for
// operation, with no fused multiply-adds, so the results are those of
// normal64Pair bit for bit: the Box–Muller logarithm repeats math.Log's
// amd64 code (frexp, the reduction to [√2/2, √2), its polynomial in
// s = f/(2+f)) and the sine and cosine repeat math.Sincos (octant by
// truncation, three-part π/4 reduction, its two polynomials), for
// arguments in (0, 1] and [0, 2π), the only ones a stream produces.
// normal_test.go checks every path against normal64Pair.

// PHILOX_ROUND is one Philox round on the words Y0..Y3 under the round key
// (Y6, Y7). VPMULUDQ reads the low half of each lane only, so the high
// halves may hold garbage until the words are read at the end.
#define PHILOX_ROUND \
	VPMULUDQ m0<>(SB), Y0, Y4; \
	VPMULUDQ m1<>(SB), Y2, Y5; \
	VPSRLQ   $32, Y5, Y0; \
	VPXOR    Y1, Y0, Y0; \
	VPXOR    Y6, Y0, Y0; \
	VPSRLQ   $32, Y4, Y2; \
	VPXOR    Y3, Y2, Y2; \
	VPXOR    Y7, Y2, Y2; \
	VMOVDQU  Y5, Y1; \
	VMOVDQU  Y4, Y3

// NEXT_KEY advances the round key by the Weyl increments.
#define NEXT_KEY \
	VPADDD w0<>(SB), Y6, Y6; \
	VPADDD w1<>(SB), Y7, Y7

// TO_UNIFORM turns the 53-bit integers in lanes of a into the uniforms
// a·2⁻⁵³, exactly: the low 32 and high 21 bits become doubles through the
// 2⁵² exponent trick and are recombined (both sums are exact).
#define TO_UNIFORM(a, tmp) \
	VPBLENDD $0xAA, magic52<>(SB), a, tmp; \
	VSUBPD   two52<>(SB), tmp, tmp; \
	VPSRLQ   $32, a, a; \
	VPOR     magic52<>(SB), a, a; \
	VSUBPD   two52<>(SB), a, a; \
	VMULPD   two32<>(SB), a, a; \
	VADDPD   tmp, a, a; \
	VMULPD   twom53<>(SB), a, a

// PHILOX_BLOCKS computes the words of blocks Y15 + (0, 1, 2, 3) of the
// stream whose key is (Y12, Y11) and whose counter words are (Y14, Y13),
// lane by lane, into Y0..Y3, and advances Y15 by four. Y4..Y7 are
// clobbered.
#define PHILOX_BLOCKS \
	VMOVDQU Y15, Y0; \
	VPSRLQ  $32, Y15, Y1; \
	VMOVDQU Y14, Y2; \
	VMOVDQU Y13, Y3; \
	VMOVDQU Y12, Y6; \
	VMOVDQU Y11, Y7; \
	PHILOX_ROUND; \
	NEXT_KEY; \
	PHILOX_ROUND; \
	NEXT_KEY; \
	PHILOX_ROUND; \
	NEXT_KEY; \
	PHILOX_ROUND; \
	NEXT_KEY; \
	PHILOX_ROUND; \
	NEXT_KEY; \
	PHILOX_ROUND; \
	NEXT_KEY; \
	PHILOX_ROUND; \
	NEXT_KEY; \
	PHILOX_ROUND; \
	NEXT_KEY; \
	PHILOX_ROUND; \
	NEXT_KEY; \
	PHILOX_ROUND; \
	VPADDQ  fouri<>(SB), Y15, Y15

// BOX_MULLER turns the words w0..w3 of four blocks, the low halves of the
// lanes of Y0..Y3, into the blocks' normals: element 2j (r cos θ) in Y3 and
// 2j+1 (r sin θ) in Y4. Y0..Y10 are clobbered.
#define BOX_MULLER \
	 /* u1 from (w0, w1), u2 from (w2, w3): the top 53 of 64 bits */ \
	VPSLLQ   $32, Y0, Y0; \
	VPBLENDD $0x55, Y1, Y0, Y0; \
	VPSRLQ   $11, Y0, Y0; \
	VPSLLQ   $32, Y2, Y2; \
	VPBLENDD $0x55, Y3, Y2, Y2; \
	VPSRLQ   $11, Y2, Y2; \
	TO_UNIFORM(Y0, Y1); \
	TO_UNIFORM(Y2, Y3); \
	VMOVUPD one<>(SB), Y1; \
	VSUBPD  Y0, Y1, Y0; /* x = 1 - u1 in (0, 1] */ \
	VMULPD  twopi<>(SB), Y2, Y2; /* θ = 2π·u2 */ \
	 /* log x as math.Log: x = f1·2^k, f1 in [1/2, 1), no subnormals */ \
	VANDPD  mant<>(SB), Y0, Y1; \
	VORPD   half<>(SB), Y1, Y1; /* f1 */ \
	VPSRLQ  $52, Y0, Y3; \
	VPOR    magic52<>(SB), Y3, Y3; \
	VSUBPD  kbias<>(SB), Y3, Y3; /* k = exponent - 1022 */ \
	VCMPPD  $2, hsqrt2<>(SB), Y1, Y4; /* f1 <= √2/2: k--, f1 *= 2 */ \
	VANDPD  one<>(SB), Y4, Y4; \
	VSUBPD  Y4, Y3, Y3; \
	VADDPD  one<>(SB), Y4, Y4; \
	VMULPD  Y4, Y1, Y1; \
	VSUBPD  one<>(SB), Y1, Y1; /* f = f1 - 1 */ \
	VADDPD  two<>(SB), Y1, Y4; \
	VDIVPD  Y4, Y1, Y4; /* s = f/(2+f) */ \
	VMULPD  Y4, Y4, Y5; /* s² */ \
	VMULPD  Y5, Y5, Y6; /* s⁴ */ \
	VMULPD  l7<>(SB), Y6, Y7; \
	VADDPD  l5<>(SB), Y7, Y7; \
	VMULPD  Y6, Y7, Y7; \
	VADDPD  l3<>(SB), Y7, Y7; \
	VMULPD  Y6, Y7, Y7; \
	VADDPD  l1<>(SB), Y7, Y7; \
	VMULPD  Y7, Y5, Y5; /* t1 = s²(L1 + s⁴(L3 + s⁴(L5 + s⁴L7))) */ \
	VMULPD  l6<>(SB), Y6, Y7; \
	VADDPD  l4<>(SB), Y7, Y7; \
	VMULPD  Y6, Y7, Y7; \
	VADDPD  l2<>(SB), Y7, Y7; \
	VMULPD  Y7, Y6, Y6; /* t2 = s⁴(L2 + s⁴(L4 + s⁴L6)) */ \
	VADDPD  Y6, Y5, Y5; /* R = t1 + t2 */ \
	VMULPD  half<>(SB), Y1, Y6; \
	VMULPD  Y1, Y6, Y6; /* hfsq = 0.5·f·f */ \
	VADDPD  Y6, Y5, Y5; \
	VMULPD  Y5, Y4, Y4; /* s(hfsq + R) */ \
	VMULPD  ln2lo<>(SB), Y3, Y5; \
	VADDPD  Y5, Y4, Y4; /* s(hfsq + R) + k·Ln2Lo */ \
	VSUBPD  Y4, Y6, Y6; \
	VSUBPD  Y1, Y6, Y6; /* (hfsq - (s(hfsq + R) + k·Ln2Lo)) - f */ \
	VMULPD  ln2hi<>(SB), Y3, Y3; \
	VSUBPD  Y6, Y3, Y0; /* log x */ \
	VMULPD  minus2<>(SB), Y0, Y0; \
	VSQRTPD Y0, Y0; /* r = sqrt(-2 log x) */ \
	 /* sin θ, cos θ as math.Sincos for θ in [0, 2π) */ \
	VMULPD      fopi<>(SB), Y2, Y1; \
	VCVTTPD2DQY Y1, X1; \
	VPMOVZXDQ   X1, Y1; /* j = trunc(θ·4/π) */ \
	VPAND       onei<>(SB), Y1, Y3; \
	VPADDQ      Y3, Y1, Y1; /* odd j: j++ (y follows) */ \
	VPOR        magic52<>(SB), Y1, Y3; \
	VSUBPD      two52<>(SB), Y3, Y3; /* y = float64(j) */ \
	VMULPD      pi4a<>(SB), Y3, Y4; \
	VSUBPD      Y4, Y2, Y2; \
	VMULPD      pi4b<>(SB), Y3, Y4; \
	VSUBPD      Y4, Y2, Y2; \
	VMULPD      pi4c<>(SB), Y3, Y4; \
	VSUBPD      Y4, Y2, Y2; /* z = ((θ - y·A) - y·B) - y·C */ \
	VPAND       fouri<>(SB), Y1, Y5; \
	VPCMPEQQ    fouri<>(SB), Y5, Y5; /* j&7 > 3: reflect both signs */ \
	VPAND       twoi<>(SB), Y1, Y6; \
	VPCMPEQQ    twoi<>(SB), Y6, Y6; /* then j > 1: swap, flip cos */ \
	VPXOR       Y5, Y6, Y7; \
	VPAND       sign<>(SB), Y5, Y5; /* sin's sign bit */ \
	VPAND       sign<>(SB), Y7, Y7; /* cos's sign bit */ \
	VMULPD      Y2, Y2, Y3; /* zz */ \
	VMULPD      cos0<>(SB), Y3, Y8; \
	VADDPD      cos1<>(SB), Y8, Y8; \
	VMULPD      Y3, Y8, Y8; \
	VADDPD      cos2<>(SB), Y8, Y8; \
	VMULPD      Y3, Y8, Y8; \
	VADDPD      cos3<>(SB), Y8, Y8; \
	VMULPD      Y3, Y8, Y8; \
	VADDPD      cos4<>(SB), Y8, Y8; \
	VMULPD      Y3, Y8, Y8; \
	VADDPD      cos5<>(SB), Y8, Y8; \
	VMULPD      Y3, Y3, Y9; \
	VMULPD      Y9, Y8, Y8; /* zz·zz·P_cos */ \
	VMULPD      half<>(SB), Y3, Y9; \
	VMOVUPD     one<>(SB), Y1; \
	VSUBPD      Y9, Y1, Y1; \
	VADDPD      Y8, Y1, Y1; /* cos = (1 - 0.5·zz) + zz·zz·P_cos */ \
	VMULPD      sin0<>(SB), Y3, Y8; \
	VADDPD      sin1<>(SB), Y8, Y8; \
	VMULPD      Y3, Y8, Y8; \
	VADDPD      sin2<>(SB), Y8, Y8; \
	VMULPD      Y3, Y8, Y8; \
	VADDPD      sin3<>(SB), Y8, Y8; \
	VMULPD      Y3, Y8, Y8; \
	VADDPD      sin4<>(SB), Y8, Y8; \
	VMULPD      Y3, Y8, Y8; \
	VADDPD      sin5<>(SB), Y8, Y8; \
	VMULPD      Y3, Y2, Y9; \
	VMULPD      Y8, Y9, Y9; \
	VADDPD      Y9, Y2, Y2; /* sin = z + z·zz·P_sin */ \
	VBLENDVPD   Y6, Y2, Y1, Y3; \
	VBLENDVPD   Y6, Y1, Y2, Y4; \
	VXORPD      Y7, Y3, Y3; \
	VXORPD      Y5, Y4, Y4; \
	VMULPD      Y3, Y0, Y3; /* r cos θ */ \
	VMULPD      Y4, Y0, Y4 /* r sin θ */

// SETUP broadcasts the key and counter words and the first block indices.
#define SETUP \
	MOVQ         key+16(FP), AX; \
	MOVL         AX, BX; \
	MOVQ         BX, X12; \
	VPBROADCASTQ X12, Y12; \
	SHRQ         $32, AX; \
	MOVQ         AX, X11; \
	VPBROADCASTQ X11, Y11; \
	MOVQ         counter+24(FP), AX; \
	MOVL         AX, BX; \
	MOVQ         BX, X14; \
	VPBROADCASTQ X14, Y14; \
	SHRQ         $32, AX; \
	MOVQ         AX, X13; \
	VPBROADCASTQ X13, Y13; \
	MOVQ         j+32(FP), AX; \
	MOVQ         AX, X15; \
	VPBROADCASTQ X15, Y15; \
	VPADDQ       lanes<>(SB), Y15, Y15

// STORE64 interleaves Y3 and Y4 into the eight doubles at DI.
#define STORE64 \
	VUNPCKLPD  Y4, Y3, Y5; \
	VUNPCKHPD  Y4, Y3, Y6; \
	VPERM2F128 $0x20, Y6, Y5, Y7; \
	VPERM2F128 $0x31, Y6, Y5, Y8; \
	VMOVUPD    Y7, 0(DI); \
	VMOVUPD    Y8, 32(DI)

// func normalQuads32(dst *float32, quads int, key, counter, j uint64)
TEXT ·normalQuads32(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ quads+8(FP), CX
	SETUP
	TESTQ CX, CX
	JZ    done32

loop32:
	PHILOX_BLOCKS
	BOX_MULLER
	VCVTPD2PSY Y3, X3
	VCVTPD2PSY Y4, X4
	VUNPCKLPS  X4, X3, X5
	VUNPCKHPS  X4, X3, X6
	VMOVUPS    X5, 0(DI)
	VMOVUPS    X6, 16(DI)
	ADDQ       $32, DI
	DECQ       CX
	JNZ        loop32

done32:
	VZEROUPPER
	RET

// func normalQuads64(dst *float64, quads int, key, counter, j uint64)
TEXT ·normalQuads64(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ quads+8(FP), CX
	SETUP
	TESTQ CX, CX
	JZ    done64

loop64:
	PHILOX_BLOCKS
	BOX_MULLER
	STORE64
	ADDQ       $64, DI
	DECQ       CX
	JNZ        loop64

done64:
	VZEROUPPER
	RET

// func boxMullerQuad(dst *[8]float64, words *[4][4]uint64)
TEXT ·boxMullerQuad(SB), NOSPLIT, $0-16
	MOVQ    dst+0(FP), DI
	MOVQ    words+8(FP), SI
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	BOX_MULLER
	STORE64
	VZEROUPPER
	RET

// Constants, four lanes each.
DATA one<>+0(SB)/8, $0x3ff0000000000000
DATA one<>+8(SB)/8, $0x3ff0000000000000
DATA one<>+16(SB)/8, $0x3ff0000000000000
DATA one<>+24(SB)/8, $0x3ff0000000000000
GLOBL one<>(SB), RODATA|NOPTR, $32
DATA two<>+0(SB)/8, $0x4000000000000000
DATA two<>+8(SB)/8, $0x4000000000000000
DATA two<>+16(SB)/8, $0x4000000000000000
DATA two<>+24(SB)/8, $0x4000000000000000
GLOBL two<>(SB), RODATA|NOPTR, $32
DATA half<>+0(SB)/8, $0x3fe0000000000000
DATA half<>+8(SB)/8, $0x3fe0000000000000
DATA half<>+16(SB)/8, $0x3fe0000000000000
DATA half<>+24(SB)/8, $0x3fe0000000000000
GLOBL half<>(SB), RODATA|NOPTR, $32
DATA minus2<>+0(SB)/8, $0xc000000000000000
DATA minus2<>+8(SB)/8, $0xc000000000000000
DATA minus2<>+16(SB)/8, $0xc000000000000000
DATA minus2<>+24(SB)/8, $0xc000000000000000
GLOBL minus2<>(SB), RODATA|NOPTR, $32
DATA two32<>+0(SB)/8, $0x41f0000000000000
DATA two32<>+8(SB)/8, $0x41f0000000000000
DATA two32<>+16(SB)/8, $0x41f0000000000000
DATA two32<>+24(SB)/8, $0x41f0000000000000
GLOBL two32<>(SB), RODATA|NOPTR, $32
DATA twom53<>+0(SB)/8, $0x3ca0000000000000
DATA twom53<>+8(SB)/8, $0x3ca0000000000000
DATA twom53<>+16(SB)/8, $0x3ca0000000000000
DATA twom53<>+24(SB)/8, $0x3ca0000000000000
GLOBL twom53<>(SB), RODATA|NOPTR, $32
DATA magic52<>+0(SB)/8, $0x4330000000000000
DATA magic52<>+8(SB)/8, $0x4330000000000000
DATA magic52<>+16(SB)/8, $0x4330000000000000
DATA magic52<>+24(SB)/8, $0x4330000000000000
GLOBL magic52<>(SB), RODATA|NOPTR, $32
DATA kbias<>+0(SB)/8, $0x43300000000003fe
DATA kbias<>+8(SB)/8, $0x43300000000003fe
DATA kbias<>+16(SB)/8, $0x43300000000003fe
DATA kbias<>+24(SB)/8, $0x43300000000003fe
GLOBL kbias<>(SB), RODATA|NOPTR, $32
DATA mant<>+0(SB)/8, $0x000fffffffffffff
DATA mant<>+8(SB)/8, $0x000fffffffffffff
DATA mant<>+16(SB)/8, $0x000fffffffffffff
DATA mant<>+24(SB)/8, $0x000fffffffffffff
GLOBL mant<>(SB), RODATA|NOPTR, $32
DATA sign<>+0(SB)/8, $0x8000000000000000
DATA sign<>+8(SB)/8, $0x8000000000000000
DATA sign<>+16(SB)/8, $0x8000000000000000
DATA sign<>+24(SB)/8, $0x8000000000000000
GLOBL sign<>(SB), RODATA|NOPTR, $32
DATA m0<>+0(SB)/8, $0x00000000d2511f53
DATA m0<>+8(SB)/8, $0x00000000d2511f53
DATA m0<>+16(SB)/8, $0x00000000d2511f53
DATA m0<>+24(SB)/8, $0x00000000d2511f53
GLOBL m0<>(SB), RODATA|NOPTR, $32
DATA m1<>+0(SB)/8, $0x00000000cd9e8d57
DATA m1<>+8(SB)/8, $0x00000000cd9e8d57
DATA m1<>+16(SB)/8, $0x00000000cd9e8d57
DATA m1<>+24(SB)/8, $0x00000000cd9e8d57
GLOBL m1<>(SB), RODATA|NOPTR, $32
DATA w0<>+0(SB)/8, $0x000000009e3779b9
DATA w0<>+8(SB)/8, $0x000000009e3779b9
DATA w0<>+16(SB)/8, $0x000000009e3779b9
DATA w0<>+24(SB)/8, $0x000000009e3779b9
GLOBL w0<>(SB), RODATA|NOPTR, $32
DATA w1<>+0(SB)/8, $0x00000000bb67ae85
DATA w1<>+8(SB)/8, $0x00000000bb67ae85
DATA w1<>+16(SB)/8, $0x00000000bb67ae85
DATA w1<>+24(SB)/8, $0x00000000bb67ae85
GLOBL w1<>(SB), RODATA|NOPTR, $32
DATA fouri<>+0(SB)/8, $0x0000000000000004
DATA fouri<>+8(SB)/8, $0x0000000000000004
DATA fouri<>+16(SB)/8, $0x0000000000000004
DATA fouri<>+24(SB)/8, $0x0000000000000004
GLOBL fouri<>(SB), RODATA|NOPTR, $32
DATA two52<>+0(SB)/8, $0x4330000000000000
DATA two52<>+8(SB)/8, $0x4330000000000000
DATA two52<>+16(SB)/8, $0x4330000000000000
DATA two52<>+24(SB)/8, $0x4330000000000000
GLOBL two52<>(SB), RODATA|NOPTR, $32
DATA twopi<>+0(SB)/8, $0x401921fb54442d18
DATA twopi<>+8(SB)/8, $0x401921fb54442d18
DATA twopi<>+16(SB)/8, $0x401921fb54442d18
DATA twopi<>+24(SB)/8, $0x401921fb54442d18
GLOBL twopi<>(SB), RODATA|NOPTR, $32
DATA fopi<>+0(SB)/8, $0x3ff45f306dc9c883
DATA fopi<>+8(SB)/8, $0x3ff45f306dc9c883
DATA fopi<>+16(SB)/8, $0x3ff45f306dc9c883
DATA fopi<>+24(SB)/8, $0x3ff45f306dc9c883
GLOBL fopi<>(SB), RODATA|NOPTR, $32
DATA pi4a<>+0(SB)/8, $0x3fe921fb40000000
DATA pi4a<>+8(SB)/8, $0x3fe921fb40000000
DATA pi4a<>+16(SB)/8, $0x3fe921fb40000000
DATA pi4a<>+24(SB)/8, $0x3fe921fb40000000
GLOBL pi4a<>(SB), RODATA|NOPTR, $32
DATA pi4b<>+0(SB)/8, $0x3e64442d00000000
DATA pi4b<>+8(SB)/8, $0x3e64442d00000000
DATA pi4b<>+16(SB)/8, $0x3e64442d00000000
DATA pi4b<>+24(SB)/8, $0x3e64442d00000000
GLOBL pi4b<>(SB), RODATA|NOPTR, $32
DATA pi4c<>+0(SB)/8, $0x3ce8469898cc5170
DATA pi4c<>+8(SB)/8, $0x3ce8469898cc5170
DATA pi4c<>+16(SB)/8, $0x3ce8469898cc5170
DATA pi4c<>+24(SB)/8, $0x3ce8469898cc5170
GLOBL pi4c<>(SB), RODATA|NOPTR, $32
DATA sin0<>+0(SB)/8, $0x3de5d8fd1fd19ccd
DATA sin0<>+8(SB)/8, $0x3de5d8fd1fd19ccd
DATA sin0<>+16(SB)/8, $0x3de5d8fd1fd19ccd
DATA sin0<>+24(SB)/8, $0x3de5d8fd1fd19ccd
GLOBL sin0<>(SB), RODATA|NOPTR, $32
DATA sin1<>+0(SB)/8, $0xbe5ae5e5a9291f5d
DATA sin1<>+8(SB)/8, $0xbe5ae5e5a9291f5d
DATA sin1<>+16(SB)/8, $0xbe5ae5e5a9291f5d
DATA sin1<>+24(SB)/8, $0xbe5ae5e5a9291f5d
GLOBL sin1<>(SB), RODATA|NOPTR, $32
DATA sin2<>+0(SB)/8, $0x3ec71de3567d48a1
DATA sin2<>+8(SB)/8, $0x3ec71de3567d48a1
DATA sin2<>+16(SB)/8, $0x3ec71de3567d48a1
DATA sin2<>+24(SB)/8, $0x3ec71de3567d48a1
GLOBL sin2<>(SB), RODATA|NOPTR, $32
DATA sin3<>+0(SB)/8, $0xbf2a01a019bfdf03
DATA sin3<>+8(SB)/8, $0xbf2a01a019bfdf03
DATA sin3<>+16(SB)/8, $0xbf2a01a019bfdf03
DATA sin3<>+24(SB)/8, $0xbf2a01a019bfdf03
GLOBL sin3<>(SB), RODATA|NOPTR, $32
DATA sin4<>+0(SB)/8, $0x3f8111111110f7d0
DATA sin4<>+8(SB)/8, $0x3f8111111110f7d0
DATA sin4<>+16(SB)/8, $0x3f8111111110f7d0
DATA sin4<>+24(SB)/8, $0x3f8111111110f7d0
GLOBL sin4<>(SB), RODATA|NOPTR, $32
DATA sin5<>+0(SB)/8, $0xbfc5555555555548
DATA sin5<>+8(SB)/8, $0xbfc5555555555548
DATA sin5<>+16(SB)/8, $0xbfc5555555555548
DATA sin5<>+24(SB)/8, $0xbfc5555555555548
GLOBL sin5<>(SB), RODATA|NOPTR, $32
DATA cos0<>+0(SB)/8, $0xbda8fa49a0861a9b
DATA cos0<>+8(SB)/8, $0xbda8fa49a0861a9b
DATA cos0<>+16(SB)/8, $0xbda8fa49a0861a9b
DATA cos0<>+24(SB)/8, $0xbda8fa49a0861a9b
GLOBL cos0<>(SB), RODATA|NOPTR, $32
DATA cos1<>+0(SB)/8, $0x3e21ee9d7b4e3f05
DATA cos1<>+8(SB)/8, $0x3e21ee9d7b4e3f05
DATA cos1<>+16(SB)/8, $0x3e21ee9d7b4e3f05
DATA cos1<>+24(SB)/8, $0x3e21ee9d7b4e3f05
GLOBL cos1<>(SB), RODATA|NOPTR, $32
DATA cos2<>+0(SB)/8, $0xbe927e4f7eac4bc6
DATA cos2<>+8(SB)/8, $0xbe927e4f7eac4bc6
DATA cos2<>+16(SB)/8, $0xbe927e4f7eac4bc6
DATA cos2<>+24(SB)/8, $0xbe927e4f7eac4bc6
GLOBL cos2<>(SB), RODATA|NOPTR, $32
DATA cos3<>+0(SB)/8, $0x3efa01a019c844f5
DATA cos3<>+8(SB)/8, $0x3efa01a019c844f5
DATA cos3<>+16(SB)/8, $0x3efa01a019c844f5
DATA cos3<>+24(SB)/8, $0x3efa01a019c844f5
GLOBL cos3<>(SB), RODATA|NOPTR, $32
DATA cos4<>+0(SB)/8, $0xbf56c16c16c14f91
DATA cos4<>+8(SB)/8, $0xbf56c16c16c14f91
DATA cos4<>+16(SB)/8, $0xbf56c16c16c14f91
DATA cos4<>+24(SB)/8, $0xbf56c16c16c14f91
GLOBL cos4<>(SB), RODATA|NOPTR, $32
DATA cos5<>+0(SB)/8, $0x3fa555555555554b
DATA cos5<>+8(SB)/8, $0x3fa555555555554b
DATA cos5<>+16(SB)/8, $0x3fa555555555554b
DATA cos5<>+24(SB)/8, $0x3fa555555555554b
GLOBL cos5<>(SB), RODATA|NOPTR, $32
DATA hsqrt2<>+0(SB)/8, $0x3fe6a09e667f3bcd
DATA hsqrt2<>+8(SB)/8, $0x3fe6a09e667f3bcd
DATA hsqrt2<>+16(SB)/8, $0x3fe6a09e667f3bcd
DATA hsqrt2<>+24(SB)/8, $0x3fe6a09e667f3bcd
GLOBL hsqrt2<>(SB), RODATA|NOPTR, $32
DATA ln2hi<>+0(SB)/8, $0x3fe62e42fee00000
DATA ln2hi<>+8(SB)/8, $0x3fe62e42fee00000
DATA ln2hi<>+16(SB)/8, $0x3fe62e42fee00000
DATA ln2hi<>+24(SB)/8, $0x3fe62e42fee00000
GLOBL ln2hi<>(SB), RODATA|NOPTR, $32
DATA ln2lo<>+0(SB)/8, $0x3dea39ef35793c76
DATA ln2lo<>+8(SB)/8, $0x3dea39ef35793c76
DATA ln2lo<>+16(SB)/8, $0x3dea39ef35793c76
DATA ln2lo<>+24(SB)/8, $0x3dea39ef35793c76
GLOBL ln2lo<>(SB), RODATA|NOPTR, $32
DATA l1<>+0(SB)/8, $0x3fe5555555555593
DATA l1<>+8(SB)/8, $0x3fe5555555555593
DATA l1<>+16(SB)/8, $0x3fe5555555555593
DATA l1<>+24(SB)/8, $0x3fe5555555555593
GLOBL l1<>(SB), RODATA|NOPTR, $32
DATA l2<>+0(SB)/8, $0x3fd999999997fa04
DATA l2<>+8(SB)/8, $0x3fd999999997fa04
DATA l2<>+16(SB)/8, $0x3fd999999997fa04
DATA l2<>+24(SB)/8, $0x3fd999999997fa04
GLOBL l2<>(SB), RODATA|NOPTR, $32
DATA l3<>+0(SB)/8, $0x3fd2492494229359
DATA l3<>+8(SB)/8, $0x3fd2492494229359
DATA l3<>+16(SB)/8, $0x3fd2492494229359
DATA l3<>+24(SB)/8, $0x3fd2492494229359
GLOBL l3<>(SB), RODATA|NOPTR, $32
DATA l4<>+0(SB)/8, $0x3fcc71c51d8e78af
DATA l4<>+8(SB)/8, $0x3fcc71c51d8e78af
DATA l4<>+16(SB)/8, $0x3fcc71c51d8e78af
DATA l4<>+24(SB)/8, $0x3fcc71c51d8e78af
GLOBL l4<>(SB), RODATA|NOPTR, $32
DATA l5<>+0(SB)/8, $0x3fc7466496cb03de
DATA l5<>+8(SB)/8, $0x3fc7466496cb03de
DATA l5<>+16(SB)/8, $0x3fc7466496cb03de
DATA l5<>+24(SB)/8, $0x3fc7466496cb03de
GLOBL l5<>(SB), RODATA|NOPTR, $32
DATA l6<>+0(SB)/8, $0x3fc39a09d078c69f
DATA l6<>+8(SB)/8, $0x3fc39a09d078c69f
DATA l6<>+16(SB)/8, $0x3fc39a09d078c69f
DATA l6<>+24(SB)/8, $0x3fc39a09d078c69f
GLOBL l6<>(SB), RODATA|NOPTR, $32
DATA l7<>+0(SB)/8, $0x3fc2f112df3e5244
DATA l7<>+8(SB)/8, $0x3fc2f112df3e5244
DATA l7<>+16(SB)/8, $0x3fc2f112df3e5244
DATA l7<>+24(SB)/8, $0x3fc2f112df3e5244
GLOBL l7<>(SB), RODATA|NOPTR, $32
DATA onei<>+0(SB)/8, $0x0000000000000001
DATA onei<>+8(SB)/8, $0x0000000000000001
DATA onei<>+16(SB)/8, $0x0000000000000001
DATA onei<>+24(SB)/8, $0x0000000000000001
GLOBL onei<>(SB), RODATA|NOPTR, $32
DATA twoi<>+0(SB)/8, $0x0000000000000002
DATA twoi<>+8(SB)/8, $0x0000000000000002
DATA twoi<>+16(SB)/8, $0x0000000000000002
DATA twoi<>+24(SB)/8, $0x0000000000000002
GLOBL twoi<>(SB), RODATA|NOPTR, $32
DATA lanes<>+0(SB)/8, $0
DATA lanes<>+8(SB)/8, $1
DATA lanes<>+16(SB)/8, $2
DATA lanes<>+24(SB)/8, $3
GLOBL lanes<>(SB), RODATA|NOPTR, $32

// Eight blocks at a time, in AVX-512 (F and DQ): one 64-bit lane of a ZMM
// register per block, the same operations as the four-block code above in
// the same order, so the same bits. The differences are in the encoding
// only: constants are broadcast from their first lane, the comparisons
// and the octant tests write mask registers that the sign flips, the swap
// and the logarithm's halving use instead of blend vectors, VPTERNLOGQ
// XORs three words at once, and the integer↔double conversions that take
// two or three AVX2 instructions (every value is an integer below 2⁵³, so
// each conversion is exact either way) are VCVTUQQ2PD, VCVTQQ2PD and
// VCVTTPD2QQ. Eight blocks have twice the independent work of four at the
// same latency, which is what the transform's long dependency chains
// need.

// PHILOX_ROUND_ZMM is PHILOX_ROUND on the words w0..w3 under the round
// key (k0, k1), with p0 and p1 for the products; NEXT_KEY_ZMM advances the
// round key (only the low halves of the lanes are ever read, so a 64-bit
// add serves). PHILOX_ROUND_Z and NEXT_KEY_Z work on the words Z0..Z3,
// the products Z4, Z5 and the key (Z6, Z7).
#define PHILOX_ROUND_ZMM(w0, w1, w2, w3, p0, p1, k0, k1) \
	VPMULUDQ.BCST m0<>(SB), w0, p0; \
	VPMULUDQ.BCST m1<>(SB), w2, p1; \
	VPSRLQ        $32, p1, w0; \
	VPTERNLOGQ    $0x96, k0, w1, w0; \
	VPSRLQ        $32, p0, w2; \
	VPTERNLOGQ    $0x96, k1, w3, w2; \
	VMOVDQU64     p1, w1; \
	VMOVDQU64     p0, w3

#define NEXT_KEY_ZMM(k0, k1) \
	VPADDQ.BCST w0<>(SB), k0, k0; \
	VPADDQ.BCST w1<>(SB), k1, k1

#define PHILOX_ROUND_Z PHILOX_ROUND_ZMM(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
#define NEXT_KEY_Z NEXT_KEY_ZMM(Z6, Z7)

// PHILOX_BLOCKS_Z computes the words of blocks Z15 + (0, ..., 7) of the
// stream whose key is (Z12, Z11) and whose counter words are (Z14, Z13)
// into Z0..Z3, and advances Z15 by eight. Z4..Z7 are clobbered.
#define PHILOX_BLOCKS_Z \
	VMOVDQU64 Z15, Z0; \
	VPSRLQ    $32, Z15, Z1; \
	VMOVDQU64 Z14, Z2; \
	VMOVDQU64 Z13, Z3; \
	VMOVDQU64 Z12, Z6; \
	VMOVDQU64 Z11, Z7; \
	PHILOX_ROUND_Z; \
	NEXT_KEY_Z; \
	PHILOX_ROUND_Z; \
	NEXT_KEY_Z; \
	PHILOX_ROUND_Z; \
	NEXT_KEY_Z; \
	PHILOX_ROUND_Z; \
	NEXT_KEY_Z; \
	PHILOX_ROUND_Z; \
	NEXT_KEY_Z; \
	PHILOX_ROUND_Z; \
	NEXT_KEY_Z; \
	PHILOX_ROUND_Z; \
	NEXT_KEY_Z; \
	PHILOX_ROUND_Z; \
	NEXT_KEY_Z; \
	PHILOX_ROUND_Z; \
	NEXT_KEY_Z; \
	PHILOX_ROUND_Z; \
	VPADDQ.BCST eighti<>(SB), Z15, Z15

// BOX_MULLER_Z is BOX_MULLER on eight blocks: the words in the low halves
// of the lanes of Z0..Z3, element 2j into Z3 and 2j+1 into Z4. K1 must
// hold 0x5555 (the low dword of every lane); Z0..Z10 and K2..K5 are
// clobbered. It is written as ten parts, BOX_MULLER_Z1 to BOX_MULLER_Z10,
// which the loops interleave with the Philox rounds of the next eight
// blocks (PHILOX_NEXT_Z below).
#define BOX_MULLER_Z1 \
	VPSLLQ        $32, Z0, Z0; \
	VPBLENDMD     Z1, Z0, K1, Z0; \
	VPSRLQ        $11, Z0, Z0; \
	VPSLLQ        $32, Z2, Z2; \
	VPBLENDMD     Z3, Z2, K1, Z2; \
	VPSRLQ        $11, Z2, Z2; \
	VCVTUQQ2PD    Z0, Z0; \
	VMULPD.BCST   twom53<>(SB), Z0, Z0; \
	VCVTUQQ2PD    Z2, Z2; \
	VMULPD.BCST   twom53<>(SB), Z2, Z2

#define BOX_MULLER_Z2 \
	VBROADCASTSD  one<>(SB), Z1; \
	VSUBPD        Z0, Z1, Z0; \
	VMULPD.BCST   twopi<>(SB), Z2, Z2; \
	VANDPD.BCST   mant<>(SB), Z0, Z1; \
	VORPD.BCST    half<>(SB), Z1, Z1; \
	VPSRLQ        $52, Z0, Z3; \
	VPORQ.BCST    magic52<>(SB), Z3, Z3; \
	VSUBPD.BCST   kbias<>(SB), Z3, Z3; \
	VCMPPD.BCST   $2, hsqrt2<>(SB), Z1, K2; \
	VSUBPD.BCST   one<>(SB), Z3, K2, Z3

#define BOX_MULLER_Z3 \
	VADDPD        Z1, Z1, K2, Z1; \
	VSUBPD.BCST   one<>(SB), Z1, Z1; \
	VADDPD.BCST   two<>(SB), Z1, Z4; \
	VDIVPD        Z4, Z1, Z4; \
	VMULPD        Z4, Z4, Z5; \
	VMULPD        Z5, Z5, Z6; \
	VMULPD.BCST   l7<>(SB), Z6, Z7; \
	VADDPD.BCST   l5<>(SB), Z7, Z7; \
	VMULPD        Z6, Z7, Z7; \
	VADDPD.BCST   l3<>(SB), Z7, Z7

#define BOX_MULLER_Z4 \
	VMULPD        Z6, Z7, Z7; \
	VADDPD.BCST   l1<>(SB), Z7, Z7; \
	VMULPD        Z7, Z5, Z5; \
	VMULPD.BCST   l6<>(SB), Z6, Z7; \
	VADDPD.BCST   l4<>(SB), Z7, Z7; \
	VMULPD        Z6, Z7, Z7; \
	VADDPD.BCST   l2<>(SB), Z7, Z7; \
	VMULPD        Z7, Z6, Z6; \
	VADDPD        Z6, Z5, Z5; \
	VMULPD.BCST   half<>(SB), Z1, Z6

#define BOX_MULLER_Z5 \
	VMULPD        Z1, Z6, Z6; \
	VADDPD        Z6, Z5, Z5; \
	VMULPD        Z5, Z4, Z4; \
	VMULPD.BCST   ln2lo<>(SB), Z3, Z5; \
	VADDPD        Z5, Z4, Z4; \
	VSUBPD        Z4, Z6, Z6; \
	VSUBPD        Z1, Z6, Z6; \
	VMULPD.BCST   ln2hi<>(SB), Z3, Z3; \
	VSUBPD        Z6, Z3, Z0; \
	VMULPD.BCST   minus2<>(SB), Z0, Z0

#define BOX_MULLER_Z6 \
	VSQRTPD       Z0, Z0; \
	VMULPD.BCST   fopi<>(SB), Z2, Z1; \
	VCVTTPD2QQ    Z1, Z1; \
	VPANDQ.BCST   onei<>(SB), Z1, Z3; \
	VPADDQ        Z3, Z1, Z1; \
	VCVTQQ2PD     Z1, Z3; \
	VMULPD.BCST   pi4a<>(SB), Z3, Z4; \
	VSUBPD        Z4, Z2, Z2; \
	VMULPD.BCST   pi4b<>(SB), Z3, Z4; \
	VSUBPD        Z4, Z2, Z2

#define BOX_MULLER_Z7 \
	VMULPD.BCST   pi4c<>(SB), Z3, Z4; \
	VSUBPD        Z4, Z2, Z2; \
	VPTESTMQ.BCST fouri<>(SB), Z1, K3; \
	VPTESTMQ.BCST twoi<>(SB), Z1, K4; \
	KXORB         K3, K4, K5; \
	VMULPD        Z2, Z2, Z3; \
	VMULPD.BCST   cos0<>(SB), Z3, Z8; \
	VADDPD.BCST   cos1<>(SB), Z8, Z8; \
	VMULPD        Z3, Z8, Z8; \
	VADDPD.BCST   cos2<>(SB), Z8, Z8

#define BOX_MULLER_Z8 \
	VMULPD        Z3, Z8, Z8; \
	VADDPD.BCST   cos3<>(SB), Z8, Z8; \
	VMULPD        Z3, Z8, Z8; \
	VADDPD.BCST   cos4<>(SB), Z8, Z8; \
	VMULPD        Z3, Z8, Z8; \
	VADDPD.BCST   cos5<>(SB), Z8, Z8; \
	VMULPD        Z3, Z3, Z9; \
	VMULPD        Z9, Z8, Z8; \
	VMULPD.BCST   half<>(SB), Z3, Z9; \
	VBROADCASTSD  one<>(SB), Z1

#define BOX_MULLER_Z9 \
	VSUBPD        Z9, Z1, Z1; \
	VADDPD        Z8, Z1, Z1; \
	VMULPD.BCST   sin0<>(SB), Z3, Z8; \
	VADDPD.BCST   sin1<>(SB), Z8, Z8; \
	VMULPD        Z3, Z8, Z8; \
	VADDPD.BCST   sin2<>(SB), Z8, Z8; \
	VMULPD        Z3, Z8, Z8; \
	VADDPD.BCST   sin3<>(SB), Z8, Z8; \
	VMULPD        Z3, Z8, Z8; \
	VADDPD.BCST   sin4<>(SB), Z8, Z8

#define BOX_MULLER_Z10 \
	VMULPD        Z3, Z8, Z8; \
	VADDPD.BCST   sin5<>(SB), Z8, Z8; \
	VMULPD        Z3, Z2, Z9; \
	VMULPD        Z8, Z9, Z9; \
	VADDPD        Z9, Z2, Z2; \
	VBLENDMPD     Z2, Z1, K4, Z3; \
	VBLENDMPD     Z1, Z2, K4, Z4; \
	VXORPD.BCST   sign<>(SB), Z3, K5, Z3; \
	VXORPD.BCST   sign<>(SB), Z4, K3, Z4; \
	VMULPD        Z3, Z0, Z3; \
	VMULPD        Z4, Z0, Z4

#define BOX_MULLER_Z \
	BOX_MULLER_Z1; \
	BOX_MULLER_Z2; \
	BOX_MULLER_Z3; \
	BOX_MULLER_Z4; \
	BOX_MULLER_Z5; \
	BOX_MULLER_Z6; \
	BOX_MULLER_Z7; \
	BOX_MULLER_Z8; \
	BOX_MULLER_Z9; \
	BOX_MULLER_Z10

// The transform's chain of dependent operations (Philox's rounds, the
// division, square root and polynomials) is longer than the out-of-order
// window reaches across eight blocks: written one after the other, the
// Philox rounds of the next blocks wait behind the transform of these. So
// the loops run the transform of one group of eight blocks part by part
// between the Philox rounds of the next group, on registers of their own:
// PHILOX_ROUND_N and NEXT_KEY_N are PHILOX_ROUND_Z and NEXT_KEY_Z on the
// words Z16..Z19, the products Z23, Z24 and the round key (Z25, Z26).
#define PHILOX_ROUND_N PHILOX_ROUND_ZMM(Z16, Z17, Z18, Z19, Z23, Z24, Z25, Z26)
#define NEXT_KEY_N NEXT_KEY_ZMM(Z25, Z26)

// BOX_MULLER_NEXT_Z is BOX_MULLER_Z on the words in Z0..Z3 while it
// computes the words of blocks Z15 + (0, ..., 7) into Z16..Z19 (as
// PHILOX_BLOCKS_Z does into Z0..Z3) and advances Z15 by eight.
#define BOX_MULLER_NEXT_Z \
	VMOVDQU64 Z15, Z16; \
	VPSRLQ    $32, Z15, Z17; \
	VMOVDQU64 Z14, Z18; \
	VMOVDQU64 Z13, Z19; \
	VMOVDQU64 Z12, Z25; \
	VMOVDQU64 Z11, Z26; \
	BOX_MULLER_Z1; \
	PHILOX_ROUND_N; \
	NEXT_KEY_N; \
	BOX_MULLER_Z2; \
	PHILOX_ROUND_N; \
	NEXT_KEY_N; \
	BOX_MULLER_Z3; \
	PHILOX_ROUND_N; \
	NEXT_KEY_N; \
	BOX_MULLER_Z4; \
	PHILOX_ROUND_N; \
	NEXT_KEY_N; \
	BOX_MULLER_Z5; \
	PHILOX_ROUND_N; \
	NEXT_KEY_N; \
	BOX_MULLER_Z6; \
	PHILOX_ROUND_N; \
	NEXT_KEY_N; \
	BOX_MULLER_Z7; \
	PHILOX_ROUND_N; \
	NEXT_KEY_N; \
	BOX_MULLER_Z8; \
	PHILOX_ROUND_N; \
	NEXT_KEY_N; \
	BOX_MULLER_Z9; \
	PHILOX_ROUND_N; \
	NEXT_KEY_N; \
	BOX_MULLER_Z10; \
	PHILOX_ROUND_N; \
	VPADDQ.BCST eighti<>(SB), Z15, Z15

// NEXT_WORDS_Z moves the words BOX_MULLER_NEXT_Z computed into Z0..Z3.
#define NEXT_WORDS_Z \
	VMOVDQU64 Z16, Z0; \
	VMOVDQU64 Z17, Z1; \
	VMOVDQU64 Z18, Z2; \
	VMOVDQU64 Z19, Z3

// SETUP_Z broadcasts the key and counter words and the first block
// indices, loads the interleaving tables into Z20..Z22 and sets K1.
#define SETUP_Z \
	MOVQ         key+16(FP), AX; \
	MOVL         AX, BX; \
	VPBROADCASTQ BX, Z12; \
	SHRQ         $32, AX; \
	VPBROADCASTQ AX, Z11; \
	MOVQ         counter+24(FP), AX; \
	MOVL         AX, BX; \
	VPBROADCASTQ BX, Z14; \
	SHRQ         $32, AX; \
	VPBROADCASTQ AX, Z13; \
	MOVQ         j+32(FP), AX; \
	VPBROADCASTQ AX, Z15; \
	VPADDQ       lanes8<>(SB), Z15, Z15; \
	VMOVDQU64    ileave32<>(SB), Z20; \
	VMOVDQU64    ileave64lo<>(SB), Z21; \
	VMOVDQU64    ileave64hi<>(SB), Z22; \
	MOVL         $0x5555, AX; \
	KMOVW        AX, K1

// STORE32_Z rounds Z3 and Z4 to floats and interleaves them into the
// sixteen floats at DI.
#define STORE32_Z \
	VCVTPD2PS Z3, Y3; \
	VCVTPD2PS Z4, Y4; \
	VPERMT2PS Z4, Z20, Z3; \
	VMOVUPS   Z3, 0(DI)

// STORE64_Z interleaves Z3 and Z4 into the sixteen doubles at DI.
#define STORE64_Z \
	VMOVDQU64 Z3, Z5; \
	VPERMT2PD Z4, Z21, Z3; \
	VPERMT2PD Z4, Z22, Z5; \
	VMOVUPD   Z3, 0(DI); \
	VMOVUPD   Z5, 64(DI)

// func normalOcts32(dst *float32, octs int, key, counter, j uint64)
TEXT ·normalOcts32(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ octs+8(FP), CX
	SETUP_Z
	TESTQ CX, CX
	JZ    doneOcts32

	PHILOX_BLOCKS_Z
	DECQ CX
	JZ   lastOcts32

loopOcts32:
	BOX_MULLER_NEXT_Z
	STORE32_Z
	NEXT_WORDS_Z
	ADDQ $64, DI
	DECQ CX
	JNZ  loopOcts32

lastOcts32:
	BOX_MULLER_Z
	STORE32_Z

doneOcts32:
	VZEROUPPER
	RET

// func normalOcts64(dst *float64, octs int, key, counter, j uint64)
TEXT ·normalOcts64(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ octs+8(FP), CX
	SETUP_Z
	TESTQ CX, CX
	JZ    doneOcts64

	PHILOX_BLOCKS_Z
	DECQ CX
	JZ   lastOcts64

loopOcts64:
	BOX_MULLER_NEXT_Z
	STORE64_Z
	NEXT_WORDS_Z
	ADDQ $128, DI
	DECQ CX
	JNZ  loopOcts64

lastOcts64:
	BOX_MULLER_Z
	STORE64_Z

doneOcts64:
	VZEROUPPER
	RET

// func boxMullerOct(dst *[16]float64, words *[4][8]uint64)
TEXT ·boxMullerOct(SB), NOSPLIT, $0-16
	MOVQ      dst+0(FP), DI
	MOVQ      words+8(FP), SI
	MOVL      $0x5555, AX
	KMOVW     AX, K1
	VMOVDQU64 ileave64lo<>(SB), Z21
	VMOVDQU64 ileave64hi<>(SB), Z22
	VMOVDQU64 0(SI), Z0
	VMOVDQU64 64(SI), Z1
	VMOVDQU64 128(SI), Z2
	VMOVDQU64 192(SI), Z3
	BOX_MULLER_Z
	STORE64_Z
	VZEROUPPER
	RET

// Constants of the eight-block code: the lane offsets, the block step and
// the permutations that interleave cosines and sines.
DATA eighti<>+0(SB)/8, $8
GLOBL eighti<>(SB), RODATA|NOPTR, $8
DATA lanes8<>+0(SB)/8, $0
DATA lanes8<>+8(SB)/8, $1
DATA lanes8<>+16(SB)/8, $2
DATA lanes8<>+24(SB)/8, $3
DATA lanes8<>+32(SB)/8, $4
DATA lanes8<>+40(SB)/8, $5
DATA lanes8<>+48(SB)/8, $6
DATA lanes8<>+56(SB)/8, $7
GLOBL lanes8<>(SB), RODATA|NOPTR, $64
DATA ileave32<>+0(SB)/4, $0
DATA ileave32<>+4(SB)/4, $16
DATA ileave32<>+8(SB)/4, $1
DATA ileave32<>+12(SB)/4, $17
DATA ileave32<>+16(SB)/4, $2
DATA ileave32<>+20(SB)/4, $18
DATA ileave32<>+24(SB)/4, $3
DATA ileave32<>+28(SB)/4, $19
DATA ileave32<>+32(SB)/4, $4
DATA ileave32<>+36(SB)/4, $20
DATA ileave32<>+40(SB)/4, $5
DATA ileave32<>+44(SB)/4, $21
DATA ileave32<>+48(SB)/4, $6
DATA ileave32<>+52(SB)/4, $22
DATA ileave32<>+56(SB)/4, $7
DATA ileave32<>+60(SB)/4, $23
GLOBL ileave32<>(SB), RODATA|NOPTR, $64
DATA ileave64lo<>+0(SB)/8, $0
DATA ileave64lo<>+8(SB)/8, $8
DATA ileave64lo<>+16(SB)/8, $1
DATA ileave64lo<>+24(SB)/8, $9
DATA ileave64lo<>+32(SB)/8, $2
DATA ileave64lo<>+40(SB)/8, $10
DATA ileave64lo<>+48(SB)/8, $3
DATA ileave64lo<>+56(SB)/8, $11
GLOBL ileave64lo<>(SB), RODATA|NOPTR, $64
DATA ileave64hi<>+0(SB)/8, $4
DATA ileave64hi<>+8(SB)/8, $12
DATA ileave64hi<>+16(SB)/8, $5
DATA ileave64hi<>+24(SB)/8, $13
DATA ileave64hi<>+32(SB)/8, $6
DATA ileave64hi<>+40(SB)/8, $14
DATA ileave64hi<>+48(SB)/8, $7
DATA ileave64hi<>+56(SB)/8, $15
GLOBL ileave64hi<>(SB), RODATA|NOPTR, $64
