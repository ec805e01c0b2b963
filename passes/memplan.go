package passes

import (
	"fmt"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// MemPlan returns a copy of f with its memory plan recorded: every
// instruction result placed in the arena of its dtype (ir.PlanMemory),
// reusing the memory of values that are dead, and computing elementwise
// results in place of an operand that dies at their instruction
// (ir.CanShareBuffer). Each instruction carries the offsets of its
// results as the attribute buf=[...] (ir.PlanAttr), which the printer
// shows, the parser reads back and the verifier checks; the interpreter's
// Runner and generated code run over that plan. A plan already recorded
// is replaced.
//
// MemPlan is the last pass before execution: a pass after it would have
// to drop the plan (Run does so), so the pass table orders it after every
// other pass.
func MemPlan(f *ir.Func) *ir.Func {
	g := f.Clone()
	ir.DropPlan(g)
	// Every result is placed and the plan is consistent by construction,
	// so recording it cannot fail.
	if err := ir.RecordPlan(g, ir.PlanMemory(g, ir.PlanOptions{})); err != nil {
		panic(err)
	}
	return g
}

// MemStats describes the memory of a function's instruction results
// (parameters, the step's inputs, are not counted).
type MemStats struct {
	// Values is the number of instruction results.
	Values int
	// Buffers is the number of distinct buffers: without a plan, one per
	// value; with one, the distinct ranges of the arenas (values that
	// reuse the same range count once).
	Buffers int
	// InPlace is the number of results computed in place of an operand.
	InPlace int
	// PeakBytes is the largest total size of the values alive at once
	// (PeakLiveBytes), a result computed in place counted once with its
	// operand.
	PeakBytes int64
	// ArenaBytes is the memory per dtype: without a plan, every value
	// allocated on its own; with one, the arena's size.
	ArenaBytes map[ir.DType]int64
}

// UnplannedStats returns the memory of f's results when each has memory
// of its own, as an interpreter without a plan allocates them.
func UnplannedStats(f *ir.Func) MemStats {
	s := MemStats{PeakBytes: PeakLiveBytes(f), ArenaBytes: map[ir.DType]int64{}}
	for _, in := range f.Body {
		for _, r := range in.Results {
			s.Values++
			s.ArenaBytes[r.Type.DType] += r.Type.Bytes()
		}
	}
	s.Buffers = s.Values
	return s
}

// PlannedStats returns the memory of f's results under plan p.
func PlannedStats(f *ir.Func, p *ir.MemPlan) MemStats {
	s := MemStats{PeakBytes: peakLive(f, true, p), ArenaBytes: map[ir.DType]int64{}}
	type span struct {
		d         ir.DType
		off, size int
	}
	spans := map[span]bool{}
	for _, in := range f.Body {
		if p.InPlace(in) >= 0 {
			s.InPlace++
		}
		for _, r := range in.Results {
			s.Values++
			if off, ok := p.Offset(r); ok {
				spans[span{r.Type.DType, off, r.Type.Shape.Size()}] = true
			}
		}
	}
	s.Buffers = len(spans)
	for _, d := range []ir.DType{ir.F32, ir.F64, ir.I64, ir.U64} {
		if n := p.ArenaBytes(d); n > 0 {
			s.ArenaBytes[d] = n
		}
	}
	return s
}

// TotalBytes is the sum of ArenaBytes.
func (s MemStats) TotalBytes() int64 {
	var n int64
	for _, b := range s.ArenaBytes {
		n += b
	}
	return n
}

// String formats s on one line: "12 values in 7 buffers (3 in place),
// peak 1.50 MiB, f32 1.50 MiB + i64 512 B = 1.50 MiB".
func (s MemStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d values in %d buffers", s.Values, s.Buffers)
	if s.InPlace > 0 {
		fmt.Fprintf(&b, " (%d in place)", s.InPlace)
	}
	fmt.Fprintf(&b, ", peak %s, ", FormatBytes(s.PeakBytes))
	var parts []string
	for _, d := range []ir.DType{ir.F32, ir.F64, ir.I64, ir.U64} {
		if n, ok := s.ArenaBytes[d]; ok {
			parts = append(parts, d.String()+" "+FormatBytes(n))
		}
	}
	if len(parts) == 0 {
		parts = []string{"no memory"}
	}
	b.WriteString(strings.Join(parts, " + "))
	if len(parts) > 1 {
		b.WriteString(" = " + FormatBytes(s.TotalBytes()))
	}
	return b.String()
}

// FormatBytes formats a byte count for people: "512 B", "3.50 KiB",
// "1.00 MiB", "2.25 GiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n), ""
	for _, s := range []string{"KiB", "MiB", "GiB", "TiB"} {
		v /= unit
		suffix = s
		if v < unit {
			break
		}
	}
	return fmt.Sprintf("%.2f %s", v, suffix)
}

// runMemPlan is the memplan pass of the table: it plans, and reports the
// memory before and after to opts.Stats.
func runMemPlan(f *ir.Func, opts *Options) (*ir.Func, error) {
	g := MemPlan(f)
	if opts.Stats != nil {
		p, err := ir.RecordedPlan(g)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(opts.Stats, "memplan @%s before: %s\n", f.Name, UnplannedStats(f))
		fmt.Fprintf(opts.Stats, "memplan @%s after:  %s\n", f.Name, PlannedStats(g, p))
	}
	return g, nil
}

// PlannedTemporaryBytes is the memory a plan of f (in place where it can)
// gives its temporaries: the arenas' size when the function's results
// have buffers of their own. It is the planned counterpart of
// PeakTemporaryBytes, what a step holds beyond its inputs and outputs.
func PlannedTemporaryBytes(f *ir.Func) int64 {
	outside := map[*ir.Value]bool{}
	for _, r := range f.Results {
		outside[r] = true
	}
	return ir.PlanMemory(f, ir.PlanOptions{Outside: outside}).Bytes()
}
