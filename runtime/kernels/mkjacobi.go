//go:build ignore

// mkjacobi writes jacobi_amd64.s, the Jacobi rotations of jacobi.go in
// AVX-512 (sixteen lanes) and AVX2 (eight): go generate ./runtime/kernels.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

type writer struct{ bytes.Buffer }

func (w *writer) f(format string, args ...any) { fmt.Fprintf(&w.Buffer, format+"\n", args...) }

// Constant registers.
const (
	zOne, zTol, zAbs, zSign, zZero = "Z31", "Z30", "Z29", "Z28", "Z27"
	zC, zS                         = "Z16", "Z17"
)

// rotate writes the loop that rotates count pairs of lane vectors (x at
// X, y at Y, both advancing by stride bytes) with the cosines in zC and
// the sines in zS, storing only the lanes of K1.
func rotate(w *writer, label, x, y, stride, count string) {
	w.f("\tMOVQ %s, DX", count)
	w.f("%s:", label)
	w.f("\tVMOVUPS (%s), Z18", x)
	w.f("\tVMOVUPS (%s), Z19", y)
	w.f("\tVMULPS Z18, %s, Z20 // c·x", zC)
	w.f("\tVMULPS Z19, %s, Z21 // s·y", zS)
	w.f("\tVSUBPS Z21, Z20, Z20")
	w.f("\tVMULPS Z18, %s, Z22 // s·x", zS)
	w.f("\tVMULPS Z19, %s, Z23 // c·y", zC)
	w.f("\tVADDPS Z23, Z22, Z22")
	w.f("\tVMOVUPS Z20, K1, (%s)", x)
	w.f("\tVMOVUPS Z22, K1, (%s)", y)
	w.f("\tADDQ %s, %s", stride, x)
	w.f("\tADDQ %s, %s", stride, y)
	w.f("\tDECQ DX")
	w.f("\tJNZ %s", label)
}

// broadcastConst sets reg to sixteen copies of the 32-bit pattern bits.
func broadcastConst(w *writer, reg string, bits uint32) {
	w.f("\tMOVL $0x%08x, AX", bits)
	w.f("\tVPBROADCASTD AX, %s", reg)
}

func pair(w *writer) {
	w.f("// func jacobiPair16(a, v *float32, n, p, q int, floor *[16]float32, active uint64) uint64")
	w.f("TEXT ·jacobiPair16(SB), NOSPLIT, $0-64")
	offsets(w)
	w.f("\tVMOVUPS (R8)(AX*1), Z0 // a_pp")
	w.f("\tVMOVUPS (R8)(BX*1), Z1 // a_qq")
	w.f("\tVMOVUPS (R8)(SI*1), Z2 // a_pq")
	broadcastConst(w, zOne, 0x3f800000)
	broadcastConst(w, zTol, 0x34000000) // 2⁻²³
	broadcastConst(w, zAbs, 0x7fffffff)
	broadcastConst(w, zSign, 0x80000000)
	w.f("\tVPXORD %s, %s, %s", zZero, zZero, zZero)
	w.f("\t// The lanes that rotate, K1: active, and |a_pq| > max(tol·√|a_pp·a_qq|, floor)")
	w.f("\t// (VMAXPS keeps its first operand unless the second is larger or either is NaN).")
	w.f("\tVMULPS Z1, Z0, Z3")
	w.f("\tVPANDD %s, Z3, Z3", zAbs)
	w.f("\tVSQRTPS Z3, Z3")
	w.f("\tVMULPS %s, Z3, Z3", zTol)
	w.f("\tMOVQ floor+40(FP), AX")
	w.f("\tVMOVUPS (AX), Z4")
	w.f("\tVMAXPS Z4, Z3, Z3")
	w.f("\tVPANDD %s, Z2, Z5", zAbs)
	w.f("\tVCMPPS $0x1e, Z3, Z5, K1 // |a_pq| > thr, false for NaN")
	w.f("\tMOVQ active+48(FP), AX")
	w.f("\tKMOVW AX, K2")
	w.f("\tKANDW K2, K1, K1")
	w.f("\tKMOVW K1, AX")
	w.f("\tMOVQ AX, ret+56(FP)")
	w.f("\tKORTESTW K1, K1")
	w.f("\tJZ done")
	w.f("\t// theta = (a_qq − a_pp)/(2·a_pq); t = sign(theta)/(|theta| + √(theta² + 1));")
	w.f("\t// c = 1/√(t² + 1); s = t·c.")
	w.f("\tVSUBPS Z0, Z1, Z6")
	w.f("\tVADDPS Z2, Z2, Z7")
	w.f("\tVDIVPS Z7, Z6, Z8 // theta")
	w.f("\tVMULPS Z8, Z8, Z9")
	w.f("\tVADDPS %s, Z9, Z9", zOne)
	w.f("\tVSQRTPS Z9, Z9")
	w.f("\tVPANDD %s, Z8, Z10", zAbs)
	w.f("\tVADDPS Z9, Z10, Z10")
	w.f("\tVDIVPS Z10, %s, Z11 // |t|", zOne)
	w.f("\tVPANDD %s, Z8, Z12", zSign)
	w.f("\tVPORD Z12, Z11, Z11 // t")
	w.f("\tVMULPS Z11, Z11, Z13")
	w.f("\tVADDPS %s, Z13, Z13", zOne)
	w.f("\tVSQRTPS Z13, Z13")
	w.f("\tVDIVPS Z13, %s, %s // c", zOne, zC)
	w.f("\tVMULPS %s, Z11, %s // s = t·c", zC, zS)
	rotations(w, rotate, "")
	w.f("\t// a_pq = a_qp = 0 in the lanes that rotated.")
	w.f("\tVMOVUPS %s, K1, (R8)(SI*1)", zZero)
	w.f("\tVMOVUPS %s, K1, (R8)(DI*1)", zZero)
	w.f("done:")
	w.f("\tVZEROUPPER")
	w.f("\tRET")
}

// rotate8 is rotate for the AVX2 kernel: eight lanes in Y registers, the
// cosines in Y10, the sines in Y11, the new values kept in the lanes of
// Y6.
func rotate8(w *writer, label, x, y, stride, count string) {
	w.f("\tMOVQ %s, DX", count)
	w.f("%s:", label)
	w.f("\tVMOVUPS (%s), Y0", x)
	w.f("\tVMOVUPS (%s), Y1", y)
	w.f("\tVMULPS Y0, Y10, Y2 // c·x")
	w.f("\tVMULPS Y1, Y11, Y3 // s·y")
	w.f("\tVSUBPS Y3, Y2, Y2")
	w.f("\tVMULPS Y0, Y11, Y4 // s·x")
	w.f("\tVMULPS Y1, Y10, Y5 // c·y")
	w.f("\tVADDPS Y5, Y4, Y4")
	// Lanes that do not rotate get their own values back: VMASKMOVPS
	// would leave them unwritten, but its stores are slow on AMD's cores.
	w.f("\tVBLENDVPS Y6, Y2, Y0, Y2")
	w.f("\tVBLENDVPS Y6, Y4, Y1, Y4")
	w.f("\tVMOVUPS Y2, (%s)", x)
	w.f("\tVMOVUPS Y4, (%s)", y)
	w.f("\tADDQ %s, %s", stride, x)
	w.f("\tADDQ %s, %s", stride, y)
	w.f("\tDECQ DX")
	w.f("\tJNZ %s", label)
}

// offsets writes the computation of the byte offsets the kernels use:
// R12 = n·64 (a row of the group), R13 = p·n, R14 = q·n, SI = (p, q),
// DI = (q, p), and AX, BX = (p, p), (q, q).
func offsets(w *writer) {
	w.f("\tMOVQ a+0(FP), R8")
	w.f("\tMOVQ v+8(FP), R9")
	w.f("\tMOVQ n+16(FP), CX")
	w.f("\tMOVQ p+24(FP), R10")
	w.f("\tMOVQ q+32(FP), R11")
	w.f("\tMOVQ CX, R12")
	w.f("\tSHLQ $6, R12 // a row of the group in bytes: n·64")
	w.f("\t// Offsets of (p, p), (q, q), (p, q), (q, p): (i·n + j)·64.")
	w.f("\tMOVQ R10, R13")
	w.f("\tIMULQ CX, R13 // p·n")
	w.f("\tMOVQ R11, R14")
	w.f("\tIMULQ CX, R14 // q·n")
	w.f("\tLEAQ (R13)(R10*1), AX")
	w.f("\tSHLQ $6, AX")
	w.f("\tLEAQ (R14)(R11*1), BX")
	w.f("\tSHLQ $6, BX")
	w.f("\tLEAQ (R13)(R11*1), SI")
	w.f("\tSHLQ $6, SI")
	w.f("\tLEAQ (R14)(R10*1), DI")
	w.f("\tSHLQ $6, DI")
}

// pointers writes the loops' start and stride registers, then calls rot
// for each: columns p and q of a (BX and R15, a row apart), rows p and q
// of a (64 bytes apart), columns p and q of v.
func rotations(w *writer, rot func(w *writer, label, x, y, stride, count string), suffix string) {
	w.f("\t// Columns p and q of a, a row apart.")
	w.f("\tMOVQ R10, BX")
	w.f("\tSHLQ $6, BX")
	w.f("\tADDQ R8, BX")
	w.f("\tMOVQ R11, R15")
	w.f("\tSHLQ $6, R15")
	w.f("\tADDQ R8, R15")
	rot(w, "cols"+suffix, "BX", "R15", "R12", "CX")
	w.f("\t// Rows p and q of a, at p·n·64 and q·n·64, 64 bytes apart.")
	w.f("\tMOVQ R13, BX")
	w.f("\tSHLQ $6, BX")
	w.f("\tADDQ R8, BX")
	w.f("\tMOVQ R14, R15")
	w.f("\tSHLQ $6, R15")
	w.f("\tADDQ R8, R15")
	w.f("\tMOVQ $64, R13")
	rot(w, "rows"+suffix, "BX", "R15", "R13", "CX")
	w.f("\t// Columns p and q of v.")
	w.f("\tMOVQ R10, BX")
	w.f("\tSHLQ $6, BX")
	w.f("\tADDQ R9, BX")
	w.f("\tMOVQ R11, R15")
	w.f("\tSHLQ $6, R15")
	w.f("\tADDQ R9, R15")
	rot(w, "vcols"+suffix, "BX", "R15", "R12", "CX")
}

// pair8 writes the AVX2 kernel: jacobiPair16 for the eight lanes at a
// (lane vectors still 64 bytes apart), with vector masks for the K
// registers and blends for the masked moves.
func pair8(w *writer) {
	w.f("// func jacobiPair8(a, v *float32, n, p, q int, floor *float32, active uint64) uint64")
	w.f("TEXT ·jacobiPair8(SB), NOSPLIT, $0-64")
	offsets(w)
	w.f("\tVMOVUPS (R8)(AX*1), Y0 // a_pp")
	w.f("\tVMOVUPS (R8)(BX*1), Y1 // a_qq")
	w.f("\tVMOVUPS (R8)(SI*1), Y2 // a_pq")
	for _, c := range []struct {
		reg  string
		bits uint32
	}{{"Y15", 0x3f800000}, {"Y12", 0x34000000}, {"Y14", 0x7fffffff}, {"Y13", 0x80000000}} {
		w.f("\tMOVL $0x%08x, AX", c.bits)
		w.f("\tVMOVD AX, X%s", c.reg[1:])
		w.f("\tVPBROADCASTD X%s, %s", c.reg[1:], c.reg)
	}
	w.f("\t// The lanes that rotate, Y6: as in jacobiPair16.")
	w.f("\tVMULPS Y1, Y0, Y3")
	w.f("\tVANDPS Y14, Y3, Y3")
	w.f("\tVSQRTPS Y3, Y3")
	w.f("\tVMULPS Y12, Y3, Y3")
	w.f("\tMOVQ floor+40(FP), AX")
	w.f("\tVMOVUPS (AX), Y4")
	w.f("\tVMAXPS Y4, Y3, Y3")
	w.f("\tVANDPS Y14, Y2, Y5")
	w.f("\tVCMPPS $0x1e, Y3, Y5, Y6 // |a_pq| > thr, false for NaN")
	w.f("\t// The active lanes: bit l of active set in lane l.")
	w.f("\tMOVQ active+48(FP), AX")
	w.f("\tVMOVD AX, X7")
	w.f("\tVPBROADCASTD X7, Y7")
	w.f("\tVMOVDQU laneBits<>(SB), Y8")
	w.f("\tVPAND Y8, Y7, Y7")
	w.f("\tVPCMPEQD Y8, Y7, Y7")
	w.f("\tVANDPS Y7, Y6, Y6")
	w.f("\tVMOVMSKPS Y6, AX")
	w.f("\tMOVQ AX, ret+56(FP)")
	w.f("\tTESTQ AX, AX")
	w.f("\tJZ done8")
	w.f("\tVSUBPS Y0, Y1, Y7")
	w.f("\tVADDPS Y2, Y2, Y8")
	w.f("\tVDIVPS Y8, Y7, Y8 // theta")
	w.f("\tVMULPS Y8, Y8, Y9")
	w.f("\tVADDPS Y15, Y9, Y9")
	w.f("\tVSQRTPS Y9, Y9")
	w.f("\tVANDPS Y14, Y8, Y7")
	w.f("\tVADDPS Y9, Y7, Y7")
	w.f("\tVDIVPS Y7, Y15, Y9 // |t|")
	w.f("\tVANDPS Y13, Y8, Y7")
	w.f("\tVORPS Y7, Y9, Y9 // t")
	w.f("\tVMULPS Y9, Y9, Y7")
	w.f("\tVADDPS Y15, Y7, Y7")
	w.f("\tVSQRTPS Y7, Y7")
	w.f("\tVDIVPS Y7, Y15, Y10 // c")
	w.f("\tVMULPS Y10, Y9, Y11 // s = t·c")
	rotations(w, rotate8, "8")
	w.f("\t// a_pq = a_qp = 0 in the lanes that rotated.")
	w.f("\tVMOVUPS (R8)(SI*1), Y0")
	w.f("\tVANDNPS Y0, Y6, Y0")
	w.f("\tVMOVUPS Y0, (R8)(SI*1)")
	w.f("\tVMOVUPS (R8)(DI*1), Y0")
	w.f("\tVANDNPS Y0, Y6, Y0")
	w.f("\tVMOVUPS Y0, (R8)(DI*1)")
	w.f("done8:")
	w.f("\tVZEROUPPER")
	w.f("\tRET")
	w.f("")
	w.f("// laneBits has bit l in lane l.")
	for l := range 8 {
		w.f("DATA laneBits<>+%d(SB)/4, $%d", 4*l, 1<<l)
	}
	w.f("GLOBL laneBits<>(SB), RODATA|NOPTR, $32")
}

// generatedMarker is the first line of the output, assembled so that no
// line of this file matches Go's generated-code convention.
const generatedMarker = "// Code generated by mkjacobi.go; DO NOT " + "EDIT.\n"

const header = `
//go:build amd64 && !noasm

#include "textflag.h"

// One Jacobi rotation of the pair (p, q) in sixteen (AVX-512) or eight
// (AVX2, called for each half) interleaved symmetric matrices at once
// (jacobi.go): element (i, j) of lane l at
// a[(i·n + j)·16 + l], so a lane vector is 64 bytes. The lanes that rotate
// are those active whose a_pq exceeds the threshold; the others are not
// written. Every operation is one IEEE-rounded instruction, in the order
// of jacobiPairGo, which gives the same bits.

`

func main() {
	out := flag.String("o", "jacobi_amd64.s", "the file to write")
	flag.Parse()
	var w writer
	w.WriteString(generatedMarker)
	w.WriteString(header)
	pair(&w)
	w.f("")
	pair8(&w)
	if err := os.WriteFile(*out, w.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
