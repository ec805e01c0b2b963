//go:build amd64

package main

import "github.com/pushforward/pushforward/runtime/kernels/isa"

// fmaLoop32 runs n iterations of 12 8-wide f32 FMAs (192 flops each).
func fmaLoop32(n int)

// fmaLoop512 runs n iterations of 12 16-wide f32 FMAs (384 flops each).
func fmaLoop512(n int)

// fmaLoops returns the FMA loops this CPU runs, narrowest first (none
// without AVX2, or with PUSHFORWARD_CPU=generic).
func fmaLoops() []fmaLoop {
	var loops []fmaLoop
	if isa.Selected() >= isa.AVX2 {
		loops = append(loops, fmaLoop{256, fmaLoop32, 12 * 8 * 2})
	}
	if isa.Selected() >= isa.AVX512 {
		loops = append(loops, fmaLoop{512, fmaLoop512, 12 * 16 * 2})
	}
	return loops
}
