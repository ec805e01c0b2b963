//go:build ignore

// mkelementwise writes elementwise_amd64.s, the vector kernels of
// elementwise.go, in f32 and f64: go generate ./runtime/kernels.
//
// Every kernel has the same frame: load the pointers (and the scalar,
// broadcast into Y15), count the vectors, then run four vectors an
// iteration while they last and one at a time after. What differs is the
// operation on each loaded vector, which a kernel gives as a function of
// the vector's register and of the address of its second operand.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
)

// A precision names the instructions and sizes of one element type.
type precision struct {
	suffix, goType string
	ps             string // packed suffix: PS or PD
	bcst           string // broadcast of a scalar
	lanes          int
	one            []string // the instructions that broadcast 1.0 into Y14
	abs            []string // the instructions that set Y14 to the mask of all bits but the sign
}

var (
	f32 = precision{"s", "float32", "PS", "VBROADCASTSS", 8, []string{
		"MOVL $0x3f800000, AX // 1.0", "VMOVD AX, X14", "VBROADCASTSS X14, Y14"},
		[]string{"VPCMPEQD Y14, Y14, Y14", "VPSRLD $1, Y14, Y14"}}
	f64 = precision{"d", "float64", "PD", "VBROADCASTSD", 4, []string{
		"MOVQ $0x3ff0000000000000, AX // 1.0", "VMOVQ AX, X14", "VBROADCASTSD X14, Y14"},
		[]string{"VPCMPEQD Y14, Y14, Y14", "VPSRLQ $1, Y14, Y14"}}
)

type writer struct{ bytes.Buffer }

func (w *writer) f(format string, args ...any) { fmt.Fprintf(&w.Buffer, format+"\n", args...) }

// A kernel is one elementwise function.
type kernel struct {
	name string
	// params is the Go parameter list; the frame is 8 bytes a parameter.
	params string
	// note follows the signature on its line.
	note string
	// doc is the comment after the signature line, if any.
	doc []string
	// args loads the arguments other than dst and n.
	args []string
	// nOffset is the frame offset of n.
	nOffset int
	// twoInputs says that DX walks a second operand, as SI walks the first.
	twoInputs bool
	// setup runs once after the vectors are counted.
	setup []string
	// op returns the instructions that compute vector i, loaded into Yi,
	// into the register it returns; b is the address of the vector's
	// second operand when twoInputs.
	op func(i int, b string) (code []string, result int)
}

// write writes the kernel k in precision p.
func (k kernel) write(w *writer, p precision) {
	name := k.name + p.suffix
	w.f("// func %s(%s)%s", name, strings.ReplaceAll(k.params, "T", p.goType), k.note)
	for _, line := range k.doc {
		w.f("//%s", line)
	}
	w.f("TEXT ·%s(SB), NOSPLIT, $0-%d", name, 8*(strings.Count(k.params, ",")+1))
	w.f("\tMOVQ dst+0(FP), DI")
	for _, a := range k.args {
		w.f("\t%s", strings.ReplaceAll(a, "BCST", p.bcst))
	}
	w.f("\tMOVQ n+%d(FP), CX", k.nOffset)
	comment := ""
	if k.twoInputs {
		comment = " // vectors"
	}
	w.f("\tSHRQ $%d, CX%s", log2(p.lanes), comment)
	for _, s := range k.setup {
		switch s {
		case "ONE", "ABS":
			lines := p.one
			if s == "ABS" {
				lines = p.abs
			}
			for _, line := range lines {
				w.f("\t%s", line)
			}
			continue
		}
		w.f("\t%s", s)
	}
	w.f("\tMOVQ CX, BX")
	w.f("\tSHRQ $2, BX")
	w.f("\tJZ %s_one", name)
	w.f("%s_four:", name)
	for i := range 4 {
		w.f("\tVMOVUPS %d(SI), Y%d", 32*i, i)
	}
	var results [4]int
	for i := range 4 {
		code, r := k.op(i, fmt.Sprintf("%d(DX)", 32*i))
		k.emit(w, p, code)
		results[i] = r
	}
	for i, r := range results {
		w.f("\tVMOVUPS Y%d, %d(DI)", r, 32*i)
	}
	k.advance(w, 128)
	w.f("\tDECQ BX")
	w.f("\tJNZ %s_four", name)
	w.f("%s_one:", name)
	w.f("\tANDQ $3, CX")
	w.f("\tJZ %s_done", name)
	w.f("%s_loop1:", name)
	w.f("\tVMOVUPS (SI), Y0")
	code, r := k.op(0, "(DX)")
	k.emit(w, p, code)
	w.f("\tVMOVUPS Y%d, (DI)", r)
	k.advance(w, 32)
	w.f("\tDECQ CX")
	w.f("\tJNZ %s_loop1", name)
	w.f("%s_done:", name)
	w.f("\tVZEROUPPER")
	w.f("\tRET")
	w.f("")
}

// emit writes instructions, PS in their names standing for the precision's
// packed suffix.
func (k kernel) emit(w *writer, p precision, code []string) {
	for _, c := range code {
		op, rest, _ := strings.Cut(c, " ")
		w.f("\t%s %s", strings.Replace(op, "PS", p.ps, 1), rest)
	}
}

// advance moves the operand pointers by bytes.
func (k kernel) advance(w *writer, bytes int) {
	w.f("\tADDQ $%d, SI", bytes)
	if k.twoInputs {
		w.f("\tADDQ $%d, DX", bytes)
	}
	w.f("\tADDQ $%d, DI", bytes)
}

// vv, vs and sv return the kernels of one arithmetic instruction inst
// (VADDPS, VSUBPS or VMULPS) named op: dst = a op b, a op s and s op b.
func vv(op, inst string) kernel {
	return kernel{
		name: op + "VV", params: "dst, a, b *T, n int", nOffset: 24, twoInputs: true,
		args: []string{"MOVQ a+8(FP), SI", "MOVQ b+16(FP), DX"},
		op: func(i int, b string) ([]string, int) {
			return []string{fmt.Sprintf("%s %s, Y%d, Y%d", inst, b, i, i)}, i
		},
	}
}

func vs(op, inst string) kernel {
	return kernel{
		name: op + "VS", params: "dst, a *T, s T, n int", nOffset: 24,
		args: []string{"MOVQ a+8(FP), SI", "BCST s+16(FP), Y15"},
		op: func(i int, _ string) ([]string, int) {
			return []string{fmt.Sprintf("%s Y15, Y%d, Y%d", inst, i, i)}, i
		},
	}
}

func sv(op, inst string) kernel {
	return kernel{
		name: op + "SV", params: "dst *T, s T, b *T, n int", note: ": dst = s - b", nOffset: 24,
		args: []string{"MOVQ b+16(FP), SI", "BCST s+8(FP), Y15"},
		op: func(i int, _ string) ([]string, int) {
			return []string{fmt.Sprintf("%s Y%d, Y15, Y%d", inst, i, i)}, i
		},
	}
}

// unaryKernels are relu and step: Y15 holds zeros, the result of vector i
// goes to Y(i+4).
var unaryKernels = []kernel{{
	name: "relu", params: "dst, x *T, n int", nOffset: 16,
	doc: []string{"",
		" max(0, x) returns its second operand x when x is NaN (so NaN stays",
		" NaN) and when both are zeros (so -0 gives -0); clearing the sign bit",
		" (Y14) then turns -0 into +0 and -NaN into +NaN with the same payload,",
		" as Go's max(x, 0) gives, and changes nothing else (the rest is ≥ +0)."},
	args:  []string{"MOVQ x+8(FP), SI"},
	setup: []string{"VXORPS Y15, Y15, Y15", "ABS"},
	op: func(i int, _ string) ([]string, int) {
		r := i + 4
		return []string{fmt.Sprintf("VMAXPS Y%d, Y15, Y%d", i, r), fmt.Sprintf("VANDPS Y14, Y%d, Y%d", r, r)}, r
	},
}, {
	name: "step", params: "dst, x *T, n int", nOffset: 16,
	doc: []string{"",
		" 1 where x > 0 and 0 elsewhere, NaN included: the ordered comparison",
		" x > 0 (GT_OQ, false for NaN) masks the ones."},
	args:  []string{"MOVQ x+8(FP), SI"},
	setup: []string{"VXORPS Y15, Y15, Y15", "ONE"},
	op: func(i int, _ string) ([]string, int) {
		r := i + 4
		return []string{fmt.Sprintf("VCMPPS $0x1e, Y15, Y%d, Y%d", i, r), fmt.Sprintf("VANDPS Y14, Y%d, Y%d", r, r)}, r
	},
}}

func log2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}

// generatedMarker is the first line of the output, assembled so that no
// line of this file matches Go's generated-code convention.
const generatedMarker = "// Code generated by mkelementwise.go; DO NOT " + "EDIT.\n"

const header = `
//go:build amd64 && !noasm

#include "textflag.h"

// Elementwise kernels over n elements, n a multiple of the vector width
// (8 f32, 4 f64); elementwise.go does the rest in Go. Four vectors an
// iteration while they last, then one. IEEE arithmetic, so the results are
// those of the Go loops bit for bit; relu and step match Go's max(x, 0)
// and x > 0 including NaN and -0 (see the comments at each).

`

func main() {
	out := flag.String("o", "elementwise_amd64.s", "the file to write")
	flag.Parse()
	kernels := []kernel{
		vv("add", "VADDPS"), vv("sub", "VSUBPS"), vv("mul", "VMULPS"),
		vs("add", "VADDPS"), vs("sub", "VSUBPS"), vs("mul", "VMULPS"),
		sv("sub", "VSUBPS"),
	}
	kernels = append(kernels, unaryKernels...)
	var w writer
	w.WriteString(generatedMarker)
	w.WriteString(header)
	for _, p := range []precision{f32, f64} {
		for _, k := range kernels {
			k.write(&w, p)
		}
	}
	if err := os.WriteFile(*out, w.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
