package runtime_test

import (
	"fmt"
	goruntime "runtime"
	"slices"
	"strings"
)

// Allocation sites. The parallel allocation test must tell the kernels'
// allocations from those Go's runtime makes on its own account (sudogs for
// goroutines that park, timers, new Ms after a GC), which depend on the
// scheduling and the load of the machine. It profiles every allocation
// while the steps run and classifies each by its stack.

// codeAllocations runs f with every allocation profiled and returns the
// number of objects allocated by code (ours, the standard library's,
// gonum's) rather than by the Go runtime's own bookkeeping, with their
// stacks.
func codeAllocations(f func()) (n int64, sites []string) {
	rate := goruntime.MemProfileRate
	goruntime.MemProfileRate = 1 // from here on every allocation is recorded
	defer func() { goruntime.MemProfileRate = rate }()
	before := allocationsByStack()
	f()
	after := allocationsByStack()
	for stack, count := range after {
		if d := count - before[stack]; d > 0 && !strings.Contains(stack, "runtime_test.allocationsByStack") && byCode(stack) {
			n += d
			sites = append(sites, fmt.Sprintf("%d object(s) at\n%s", d, stack))
		}
	}
	slices.Sort(sites)
	return n, sites
}

// allocationsByStack returns the objects allocated so far per stack (one
// function per line). The profile is published at the end of a GC cycle
// and may lag by two.
func allocationsByStack() map[string]int64 {
	goruntime.GC()
	goruntime.GC()
	n, _ := goruntime.MemProfile(nil, true)
	records := make([]goruntime.MemProfileRecord, n+64)
	n, _ = goruntime.MemProfile(records, true)
	out := make(map[string]int64, n)
	for _, r := range records[:n] {
		var b strings.Builder
		frames := goruntime.CallersFrames(r.Stack())
		for more := true; more; {
			var fr goruntime.Frame
			fr, more = frames.Next()
			fmt.Fprintf(&b, "\t%s\n", fr.Function)
		}
		out[b.String()] += r.AllocObjects
	}
	return out
}

// byCode reports whether the allocation with the given stack was asked for
// by code: whether the frames between the allocator and the first frame
// outside the runtime are all allocation entry points (new, make, append,
// conversions to interfaces, map growth, go statements). A runtime
// function among them (acquireSudog, allocm, …) means the runtime
// allocated for itself; time.Sleep allocates the sleeping goroutine's timer
// once.
func byCode(stack string) bool {
	for _, fn := range strings.Fields(stack) {
		switch {
		case fn == "time.Sleep":
			return false
		case strings.HasPrefix(fn, "internal/runtime/maps."):
		case strings.HasPrefix(fn, "runtime."):
			if !allocationEntry(strings.TrimPrefix(fn, "runtime.")) {
				return false
			}
		default:
			return true
		}
	}
	return false
}

func allocationEntry(fn string) bool {
	for _, prefix := range []string{
		"mallocgc", "newobject", "newarray", "makeslice", "growslice",
		"makemap", "mapassign", "convT", "rawbyteslice", "rawstring",
		"rawruneslice", "slicebytetostring", "stringtoslice", "concatstring",
		"makechan", "newproc", "malg", "systemstack",
	} {
		if strings.HasPrefix(fn, prefix) {
			return true
		}
	}
	return false
}
