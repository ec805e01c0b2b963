package runtime

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pushforward/pushforward/ir"
)

// A Profile accumulates the wall time a Runner spends in each instruction
// of its function, over the runs made while it is attached (see
// Runner.Profile). It answers where a step's time goes, by instruction or
// by op and operand types.
type Profile struct {
	instrs []*ir.Instr
	times  []time.Duration
	runs   int
}

// Profile starts accumulating per-instruction times in a new Profile and
// returns it; Runs made afterwards cost two clock reads per instruction
// more. Profile(nil) is not needed: StopProfile detaches it.
func (r *Runner) Profile() *Profile {
	p := &Profile{times: make([]time.Duration, len(r.it.steps))}
	for _, s := range r.it.steps {
		p.instrs = append(p.instrs, s.in)
	}
	r.prof = p
	return p
}

// StopProfile detaches the Runner's profile.
func (r *Runner) StopProfile() { r.prof = nil }

// Runs returns the number of runs the profile covers.
func (p *Profile) Runs() int { return p.runs }

// A ProfileEntry is the time of a group of instructions: one op applied to
// operands of the same types.
type ProfileEntry struct {
	Op    string
	Types string // operand types, then "->" and the result types
	Count int    // instructions in the group
	Time  time.Duration
}

// Entries returns the time per run of each group of instructions (one op,
// the same operand and result types), the longest first.
func (p *Profile) Entries() []ProfileEntry {
	byKey := map[string]*ProfileEntry{}
	var order []string
	for i, in := range p.instrs {
		types := ir.FormatTypes(ir.TypesOf(in.Args)) + " -> " + ir.FormatTypes(ir.TypesOf(in.Results))
		key := in.Op.String() + " " + types
		e := byKey[key]
		if e == nil {
			e = &ProfileEntry{Op: in.Op.String(), Types: types}
			byKey[key] = e
			order = append(order, key)
		}
		e.Count++
		e.Time += p.times[i]
	}
	entries := make([]ProfileEntry, len(order))
	for i, k := range order {
		entries[i] = *byKey[k]
		if p.runs > 0 {
			entries[i].Time /= time.Duration(p.runs)
		}
	}
	slices.SortStableFunc(entries, func(a, b ProfileEntry) int { return cmp.Compare(b.Time, a.Time) })
	return entries
}

// Write prints the n longest groups (all if n <= 0) as a table with each
// one's share of the run.
func (p *Profile) Write(w io.Writer, n int) error {
	entries := p.Entries()
	var total time.Duration
	for _, e := range entries {
		total += e.Time
	}
	if n > 0 && n < len(entries) {
		entries = entries[:n]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d runs, %v per run\n%10s %6s %5s  %s\n", p.runs, total.Round(time.Microsecond), "time/run", "share", "count", "op and types")
	for _, e := range entries {
		share := 0.0
		if total > 0 {
			share = 100 * float64(e.Time) / float64(total)
		}
		fmt.Fprintf(&b, "%10v %5.1f%% %5d  %s %s\n", e.Time.Round(time.Microsecond), share, e.Count, e.Op, e.Types)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
