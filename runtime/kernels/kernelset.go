package kernels

import (
	"os"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/runtime/kernels/isa"
)

// A kernelSet is the packed GEMM's micro-kernels and block sizes for one
// instruction-set level. Every set keeps kc, the k-blocking, and sums each
// element of C by the same chain of fused multiply-adds, so that all sets
// give the same bits; they differ in the register tile (which elements are
// computed together) and in the blocks that keep panels in cache.
type kernelSet struct {
	level isa.Level
	s, d  blocking
}

// The micro-kernels are called directly, by level (packed.go's kernel),
// not through function values: the compiler would then have to assume
// that the tile's memory escapes, and move the edge tile of every task to
// the heap.

// kc is the most k per block, the same for every set: an element's sum is
// cut into k-blocks whose partial results pass through C, so the blocks
// fix the rounding.
const kc = 256

// maxTile is the most elements of any set's register tile.
const maxTile = 16 * 16

var (
	genericSet = kernelSet{level: isa.Generic,
		s: blocking{mr: mrS, nr: nrS, kc: kc, mc: 144},
		d: blocking{mr: mrD, nr: nrD, kc: kc, mc: 144}}
	avx2Set = kernelSet{level: isa.AVX2,
		s: blocking{mr: mrS, nr: nrS, kc: kc, mc: 144},
		d: blocking{mr: mrD, nr: nrD, kc: kc, mc: 144}}
	avx512Set = kernelSet{level: isa.AVX512,
		s: blocking{mr: 16, nr: 16, kc: kc, mc: mcFor(16, 4)},
		d: blocking{mr: 12, nr: 16, kc: kc, mc: mcFor(12, 8)}}
)

// kernelSetFor returns the set of level l (AVX-512 only where the CPU has
// it: never above isa.Supported).
func kernelSetFor(l isa.Level) *kernelSet {
	switch min(l, isa.Supported()) {
	case isa.AVX512:
		return &avx512Set
	case isa.AVX2:
		return &avx2Set
	}
	return &genericSet
}

// blockingOf returns the block sizes of T's precision.
func blockingOf[T float](ks *kernelSet) blocking {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return ks.s
	}
	return ks.d
}

// Level returns the instruction-set level of the packed GEMM's
// micro-kernels on this machine (isa.Selected: AVX512, AVX2 or Generic).
func Level() isa.Level { return kernelSetFor(isa.Selected()).level }

// mcFor returns the rows of A per compute task for a tile of mr rows and
// elements of size bytes: as many as keep an mc×kc block of A in half of
// the L2 cache the system reports (the other half holds C and the B
// panels passing through), in whole panels, between 4 and 64 panels.
func mcFor(mr, size int) int {
	rows := l2Bytes() / 2 / (kc * size)
	return mr * max(4, min(64, rows/mr))
}

// l2Bytes returns the size of one core's L2 cache as Linux reports it
// (sysfs), or 512 KiB if it does not.
func l2Bytes() int {
	const fallback = 512 << 10
	for i := range 8 {
		dir := "/sys/devices/system/cpu/cpu0/cache/index" + strconv.Itoa(i) + "/"
		level, err := os.ReadFile(dir + "level")
		if err != nil {
			break
		}
		if strings.TrimSpace(string(level)) != "2" {
			continue
		}
		size, err := os.ReadFile(dir + "size")
		if err != nil {
			return fallback
		}
		if n, ok := parseCacheSize(strings.TrimSpace(string(size))); ok {
			return n
		}
	}
	return fallback
}

// parseCacheSize parses sysfs's cache sizes: "1024K", "2M", "512".
func parseCacheSize(s string) (int, bool) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n * mult, true
}
