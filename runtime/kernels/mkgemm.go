//go:build ignore

// mkgemm writes microkernel_avx512_amd64.s, the AVX-512 micro-kernels of
// the packed GEMM (packed.go), in f32 and f64: go generate
// ./runtime/kernels.
//
// A kernel computes an MR×NR tile of C from an MR-row panel of A and an
// NR-column panel of B, each element a chain of fused multiply-adds in
// increasing p, as the AVX2 kernels and the Go twin (microkernel.go)
// compute it: the tile's shape changes which elements share a register,
// not how any one is summed, so all give the same bits.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

// A precision names the instructions and sizes of one element type.
type precision struct {
	prefix, goType string
	ps             string // packed suffix
	bcst           string // broadcast from memory
	size, lanes    int    // bytes an element, elements a ZMM register
}

var (
	f32 = precision{"s", "float32", "PS", "VBROADCASTSS", 4, 16}
	f64 = precision{"d", "float64", "PD", "VBROADCASTSD", 8, 8}
)

type writer struct{ bytes.Buffer }

func (w *writer) f(format string, args ...any) { fmt.Fprintf(&w.Buffer, format+"\n", args...) }

// tile is a kernel's shape: rows of C and ZMM vectors a row.
type tile struct{ rows, vectors int }

// The unrolling of the k loop.
const unroll = 4

// Registers: accumulators Z0… (row r, vector v in Z(r·vectors+v)), the B
// row in the two sets after them (alternating between unrolled steps, so
// that a load need not wait for the FMAs of the step before), alpha and
// beta in Z30 and Z31, Z29 for C in the epilogue.
const zAlpha, zBeta, zC = 30, 31, 29

func (t tile) acc(r, v int) int { return r*t.vectors + v }
func (t tile) bReg(step, v int) int {
	return t.rows*t.vectors + step%2*t.vectors + v
}

// kernel writes the kernel of tile t in precision p.
func kernel(w *writer, p precision, t tile) {
	nr := t.vectors * p.lanes
	name := fmt.Sprintf("%sgemmKernel%dx%dAVX512", p.prefix, t.rows, nr)
	aStep, bStep := t.rows*p.size, nr*p.size // bytes per k step
	w.f("// func %s(k int, a, b, c *%s, ldc int, alpha, beta %s)", name, p.goType, p.goType)
	frame := 48
	if p.size == 8 {
		frame = 56
	}
	w.f("TEXT ·%s(SB), NOSPLIT, $0-%d", name, frame)
	w.f("\tMOVQ k+0(FP), CX")
	w.f("\tMOVQ a+8(FP), AX")
	w.f("\tMOVQ b+16(FP), BX")
	w.f("\tMOVQ c+24(FP), DI")
	w.f("\tMOVQ ldc+32(FP), DX")
	w.f("\tSHLQ $%d, DX // ldc in bytes", log2(p.size))
	for r := range t.rows * t.vectors {
		w.f("\tVPXORD Z%d, Z%d, Z%d", r, r, r)
	}
	w.f("\t// The C tile, for the epilogue.")
	w.f("\tMOVQ DI, R9")
	for r := range t.rows {
		// Every line of the row, which need not be aligned.
		for line := 0; line < nr*p.size; line += 64 {
			w.f("\tPREFETCHT0 %d(R9)", line)
		}
		w.f("\tPREFETCHT0 %d(R9)", nr*p.size-1)
		if r < t.rows-1 {
			w.f("\tADDQ DX, R9")
		}
	}
	w.f("\tMOVQ CX, R8")
	w.f("\tSHRQ $%d, R8 // k / %d", log2(unroll), unroll)
	w.f("\tJZ %s_tail", name)
	w.f("%s_loop:", name)
	// Prefetch the A panel (streamed from L2) eight steps ahead and the B
	// panel (mostly in L1) four.
	for line := 0; line < unroll*aStep; line += 64 {
		w.f("\tPREFETCHT0 %d(AX)", 8*aStep+line)
	}
	for line := 0; line < unroll*bStep; line += 64 {
		w.f("\tPREFETCHT0 %d(BX)", 4*bStep+line)
	}
	for s := range unroll {
		step(w, p, t, s, s*aStep, s*bStep)
	}
	w.f("\tADDQ $%d, AX", unroll*aStep)
	w.f("\tADDQ $%d, BX", unroll*bStep)
	w.f("\tDECQ R8")
	w.f("\tJNZ %s_loop", name)
	w.f("%s_tail:", name)
	w.f("\tANDQ $%d, CX", unroll-1)
	w.f("\tJZ %s_store", name)
	w.f("%s_loop1:", name)
	step(w, p, t, 0, 0, 0)
	w.f("\tADDQ $%d, AX", aStep)
	w.f("\tADDQ $%d, BX", bStep)
	w.f("\tDECQ CX")
	w.f("\tJNZ %s_loop1", name)
	w.f("%s_store:", name)
	epilogue(w, p, t, name)
	w.f("")
}

// step writes one k step: the B row's vectors at bOff(BX), then for each
// row of the tile one FMA per vector with the A element at aOff(AX),
// broadcast by the FMA itself.
func step(w *writer, p precision, t tile, s, aOff, bOff int) {
	for v := range t.vectors {
		w.f("\tVMOVUP%s %d(BX), Z%d", p.ps[1:], bOff+64*v, t.bReg(s, v))
	}
	for r := range t.rows {
		for v := range t.vectors {
			w.f("\tVFMADD231%s.BCST %d(AX), Z%d, Z%d", p.ps, aOff+r*p.size, t.bReg(s, v), t.acc(r, v))
		}
	}
}

// epilogue writes c = alpha·acc + beta·c, each product rounded before the
// sum and c not read when beta is ±0, row by row.
func epilogue(w *writer, p precision, t tile, name string) {
	alphaOff, betaOff := 40, 44
	betaTest := []string{"MOVL beta+44(FP), R8", "ANDL $0x7fffffff, R8 // beta = ±0: overwrite without reading c"}
	if p.size == 8 {
		betaOff = 48
		betaTest = []string{"MOVQ beta+48(FP), R8", "SHLQ $1, R8 // beta = ±0: overwrite without reading c"}
	}
	w.f("\t%s alpha+%d(FP), Z%d", p.bcst, alphaOff, zAlpha)
	for _, l := range betaTest {
		w.f("\t%s", l)
	}
	w.f("\tJZ %s_overwrite", name)
	w.f("\t%s beta+%d(FP), Z%d", p.bcst, betaOff, zBeta)
	if t.vectors == 1 {
		loadThenStore(w, p, t)
	} else {
		rows(w, t, func(r, v int) {
			acc := t.acc(r, v)
			w.f("\tVMUL%s Z%d, Z%d, Z%d", p.ps, zAlpha, acc, acc)
			w.f("\tVMUL%s %d(DI), Z%d, Z%d", p.ps, 64*v, zBeta, zC)
			w.f("\tVADD%s Z%d, Z%d, Z%d", p.ps, zC, acc, acc)
			w.f("\tVMOVUP%s Z%d, %d(DI)", p.ps[1:], acc, 64*v)
		})
	}
	w.f("\tVZEROUPPER")
	w.f("\tRET")
	w.f("%s_overwrite:", name)
	rows(w, t, func(r, v int) {
		acc := t.acc(r, v)
		w.f("\tVMUL%s Z%d, Z%d, Z%d", p.ps, zAlpha, acc, acc)
		w.f("\tVMOVUP%s Z%d, %d(DI)", p.ps[1:], acc, 64*v)
	})
	w.f("\tVZEROUPPER")
	w.f("\tRET")
}

// loadThenStore writes the update of a tile of one vector a row in
// batches of eight rows: the batch's rows of C are all read (times beta)
// before any is written. Rows of C a multiple of 4 KiB apart look alike to
// the memory disambiguation, so reading a row right after writing the row
// above can wait for that write: f32 128×{784,1024}×1024 on one Zen 4
// thread +1.5% in alternating runs. (Padding C's rows apart gains 4%;
// the rest is the L1 sets the rows all map to.) The f64 tile, two vectors
// a row, has no registers to spare for it.
func loadThenStore(w *writer, p precision, t tile) {
	const batch = 8
	first := t.rows // the B registers, free after the loop, and on
	for r0 := 0; r0 < t.rows; r0 += batch {
		n := min(batch, t.rows-r0)
		w.f("\tMOVQ DI, R9")
		for r := range n {
			w.f("\tVMUL%s (R9), Z%d, Z%d", p.ps, zBeta, first+r)
			if r < n-1 {
				w.f("\tADDQ DX, R9")
			}
		}
		for r := range n {
			acc := t.acc(r0+r, 0)
			w.f("\tVMUL%s Z%d, Z%d, Z%d", p.ps, zAlpha, acc, acc)
			w.f("\tVADD%s Z%d, Z%d, Z%d", p.ps, first+r, acc, acc)
			w.f("\tVMOVUP%s Z%d, (DI)", p.ps[1:], acc)
			if r0+r < t.rows-1 {
				w.f("\tADDQ DX, DI")
			}
		}
	}
}

// rows calls store for each vector of each row, DI advancing a row of C
// between rows.
func rows(w *writer, t tile, store func(r, v int)) {
	for r := range t.rows {
		for v := range t.vectors {
			store(r, v)
		}
		if r < t.rows-1 {
			w.f("\tADDQ DX, DI")
		}
	}
}

func log2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}

// generatedMarker is the first line of the output, assembled so that no
// line of this file matches Go's generated-code convention.
const generatedMarker = "// Code generated by mkgemm.go; DO NOT " + "EDIT.\n"

const header = `
//go:build amd64 && !noasm

#include "textflag.h"

// The AVX-512 micro-kernels compute one register tile of C from packed
// panels: acc[r][j] = Σ_p a[p·MR + r]·b[p·NR + j] over p in [0, k), one
// fused multiply-add per term in increasing p, then
//
//	c[r·ldc + j] = alpha·acc[r][j] + beta·c[r·ldc + j]
//
// with each product rounded before the sum, and c not read when beta is
// ±0: per element exactly what the AVX2 kernels (microkernel_amd64.s) and
// the Go twin (microkernel.go) compute, in larger tiles. Each row of the
// tile is one ZMM register (f32, 16×16) or two (f64, 12×16); the FMAs
// broadcast their A element from memory themselves, and the B row
// alternates between two sets of registers from one unrolled step to the
// next.

`

func main() {
	out := flag.String("o", "microkernel_avx512_amd64.s", "the file to write")
	flag.Parse()
	var w writer
	w.WriteString(generatedMarker)
	w.WriteString(header)
	kernel(&w, f32, tile{rows: 16, vectors: 1})
	// f64: twelve rows of two ZMM registers (24 accumulators, the most
	// that leave two B rows and alpha, beta and C their registers), which
	// loads 14 times per 24 FMAs where a 16×8 tile loads 17 times per 16:
	// 0 to +16% on one Zen 4 thread, −3 to +11% on two.
	kernel(&w, f64, tile{rows: 12, vectors: 2})
	if err := os.WriteFile(*out, w.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
