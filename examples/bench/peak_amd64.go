//go:build amd64

package main

import "golang.org/x/sys/cpu"

// fmaLoop32 runs n iterations of 12 8-wide f32 FMAs (192 flops each).
func fmaLoop32(n int)

// haveFMA reports whether fmaLoop32 can run.
var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// flopsPerIter is the f32 flops of one fmaLoop32 iteration.
const flopsPerIter = 12 * 8 * 2
