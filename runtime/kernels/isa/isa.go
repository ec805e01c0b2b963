// Package isa chooses the instruction sets that pushforward's kernels
// (runtime/kernels, runtime/rng) use on this machine.
//
// At start-up it takes the widest level the CPU supports (checked with
// golang.org/x/sys/cpu): AVX512 on x86-64 CPUs with AVX-512 (F, VL, DQ
// and BW), AVX2 on those with AVX2 and FMA3, Generic (the pure-Go twins)
// elsewhere and in builds with the noasm tag. The environment variable
// PUSHFORWARD_CPU lowers it, so that every level can be measured on one
// machine:
//
//	PUSHFORWARD_CPU=avx512   the default on AVX-512 CPUs
//	PUSHFORWARD_CPU=avx2     the AVX2 kernels even where AVX-512 is present
//	PUSHFORWARD_CPU=generic  no assembly at all
//
// A level above what the CPU supports gives the CPU's own level: the
// kernels never run instructions the CPU lacks. Every level computes the
// same bits (the kernels' tests check it), so the variable changes speed
// only.
package isa

import (
	"fmt"
	"os"
	"strings"
)

// A Level is a set of instructions the kernels may use.
type Level int

// The levels, each a superset of the one before.
const (
	Generic Level = iota // pure Go
	AVX2                 // AVX2 and FMA3, 256-bit vectors
	AVX512               // AVX-512 F, VL, DQ and BW, 512-bit vectors
)

var names = [...]string{Generic: "generic", AVX2: "avx2", AVX512: "avx512"}

func (l Level) String() string {
	if l >= 0 && int(l) < len(names) {
		return names[l]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// EnvVar is the environment variable that lowers the level.
const EnvVar = "PUSHFORWARD_CPU"

// Parse returns the level named s (generic, avx2 or avx512).
func Parse(s string) (Level, error) {
	for l, name := range names {
		if strings.EqualFold(strings.TrimSpace(s), name) {
			return Level(l), nil
		}
	}
	return Generic, fmt.Errorf("isa: unknown level %q (want generic, avx2 or avx512)", s)
}

var (
	supported = detect()
	selected  = selectLevel()
)

func selectLevel() Level {
	env := os.Getenv(EnvVar)
	l, err := choose(supported, env)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pushforward: %s=%s: %v; using %s\n", EnvVar, env, err, l)
	}
	return l
}

// Supported returns the widest level this CPU and build support.
func Supported() Level { return supported }

// Selected returns the level the kernels use: Supported, lowered by
// PUSHFORWARD_CPU.
func Selected() Level { return selected }

// choose applies the request env (the value of PUSHFORWARD_CPU, maybe
// empty) to the supported level. An unknown value is ignored, with an
// error that selectLevel reports on standard error.
func choose(supported Level, env string) (Level, error) {
	if env == "" {
		return supported, nil
	}
	want, err := Parse(env)
	if err != nil {
		return supported, err
	}
	return min(want, supported), nil
}
