package passes

import "github.com/pushforward/pushforward/ir"

// PeakLiveBytes returns the largest total size of instruction results that
// are live at once when f's body runs in order (ir.Lifetimes): a result is
// live from its instruction until its last use (until the end for function
// results). Parameters are not counted: they are inputs, alive throughout
// whatever the schedule. This is the memory a step needs for activations,
// the quantity forward mode keeps flat in depth and reverse mode does not.
func PeakLiveBytes(f *ir.Func) int64 { return peakLive(f, true, nil) }

// PeakTemporaryBytes is PeakLiveBytes without the function's results: what
// a step holds in flight beyond its inputs and its outputs. For a gradient
// step the outputs are one estimate per parameter, the same for every
// method, and what remains is the activations that reverse mode keeps for
// its backward pass and a scheduled forward-gradient step does not.
func PeakTemporaryBytes(f *ir.Func) int64 { return peakLive(f, false, nil) }

// peakLive computes the peak, counting a result that plan p (if any)
// computes in place of an operand once with the operand, at the one
// instruction where both are live.
func peakLive(f *ir.Func, results bool, p *ir.MemPlan) int64 {
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
	for i, in := range f.Body {
		if p != nil && p.InPlace(in) >= 0 && !skip[in.Results[0]] {
			change[i] -= in.Results[0].Type.Bytes()
			change[i+1] += in.Results[0].Type.Bytes()
		}
	}
	var live, peak int64
	for _, c := range change[:len(f.Body)] {
		live += c
		peak = max(peak, live)
	}
	return peak
}
