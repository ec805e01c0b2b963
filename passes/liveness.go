package passes

import "github.com/pushforward/pushforward/ir"

// PeakLiveBytes returns the largest total size of instruction results that
// are live at once when f's body runs in order (ir.Lifetimes): a result is
// live from its instruction until its last use (until the end for function
// results). Parameters are not counted: they are inputs, alive throughout
// whatever the schedule. This is the memory a step needs for activations,
// the quantity forward mode keeps flat in depth and reverse mode does not.
func PeakLiveBytes(f *ir.Func) int64 { return peakLive(f, true) }

// PeakTemporaryBytes is PeakLiveBytes without the function's results: what
// a step holds in flight beyond its inputs and its outputs. For a gradient
// step the outputs are one estimate per parameter, the same for every
// method, and what remains is the activations that reverse mode keeps for
// its backward pass and a scheduled forward-gradient step does not.
func PeakTemporaryBytes(f *ir.Func) int64 { return peakLive(f, false) }

func peakLive(f *ir.Func, results bool) int64 {
	skip := map[*ir.Value]bool{}
	if !results {
		for _, r := range f.Results {
			skip[r] = true
		}
	}
	// change[i] is the size of the values that become live at instruction
	// i less that of those that died at i-1.
	change := make([]int64, len(f.Body)+2)
	for v, l := range ir.Lifetimes(f) {
		if skip[v] {
			continue
		}
		change[l.First] += v.Type.Bytes()
		change[l.Last+1] -= v.Type.Bytes()
	}
	var live, peak int64
	for _, c := range change[:len(f.Body)] {
		live += c
		peak = max(peak, live)
	}
	return peak
}
