package passes

import "github.com/pushforward/pushforward/ir"

// PeakLiveBytes returns the largest total size of instruction results that
// are live at once when f's body runs in order: a result is live from its
// instruction until its last use (until the end for function results).
// Parameters are not counted: they are inputs, alive throughout whatever
// the schedule. This is the memory a step needs for activations, the
// quantity forward mode keeps flat in depth and reverse mode does not.
func PeakLiveBytes(f *ir.Func) int64 { return peakLive(f, true) }

// PeakTemporaryBytes is PeakLiveBytes without the function's results: what
// a step holds in flight beyond its inputs and its outputs. For a gradient
// step the outputs are one estimate per parameter, the same for every
// method, and what remains is the activations that reverse mode keeps for
// its backward pass and a scheduled forward-gradient step does not.
func PeakTemporaryBytes(f *ir.Func) int64 { return peakLive(f, false) }

func peakLive(f *ir.Func, results bool) int64 {
	isResult := map[*ir.Value]bool{}
	for _, r := range f.Results {
		isResult[r] = !results
	}
	size := func(v *ir.Value) int64 {
		if isResult[v] {
			return 0
		}
		return v.Type.Bytes()
	}
	lastUse := map[*ir.Value]int{}
	for i, in := range f.Body {
		for _, a := range in.Args {
			lastUse[a] = i
		}
	}
	for _, r := range f.Results {
		lastUse[r] = len(f.Body)
	}
	var live, peak int64
	for i, in := range f.Body {
		for _, r := range in.Results {
			live += size(r)
		}
		peak = max(peak, live)
		for _, r := range in.Results {
			if last, used := lastUse[r]; !used || last == i {
				live -= size(r)
			}
		}
		for _, a := range in.Args {
			if a.Def != nil && lastUse[a] == i && !isResultOf(a, in) {
				live -= size(a)
				lastUse[a] = -1 // freed once even if used twice by in
			}
		}
	}
	return peak
}

func isResultOf(v *ir.Value, in *ir.Instr) bool { return v.Def == in }
