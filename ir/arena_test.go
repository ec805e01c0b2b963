package ir_test

import (
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

func TestPlanArenasReusesDeadMemory(t *testing.T) {
	// a and b are never alive together, so b takes a's place; c overlaps
	// both and goes after the larger.
	bufs := []ir.Buffer{
		{DType: ir.F32, Size: 8, Life: ir.Lifetime{First: 0, Last: 1}}, // a
		{DType: ir.F32, Size: 6, Life: ir.Lifetime{First: 2, Last: 3}}, // b
		{DType: ir.F32, Size: 4, Life: ir.Lifetime{First: 1, Last: 2}}, // c
		{DType: ir.I64, Size: 3, Life: ir.Lifetime{First: 0, Last: 3}}, // d: its own arena
	}
	offsets, lengths := ir.PlanArenas(bufs)
	want := []int{0, 0, 8, 0}
	for i := range want {
		if offsets[i] != want[i] {
			t.Errorf("offsets = %v, want %v", offsets, want)
			break
		}
	}
	if lengths[ir.F32] != 12 || lengths[ir.I64] != 3 || len(lengths) != 2 {
		t.Errorf("lengths = %v, want f32 12, i64 3", lengths)
	}
}

// TestPlanArenasNoOverlap checks on random lifetimes that buffers alive at
// once never share an element, and that every buffer fits its arena.
func TestPlanArenasNoOverlap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + r.IntN(30)
		bufs := make([]ir.Buffer, n)
		for i := range bufs {
			first := r.IntN(20)
			bufs[i] = ir.Buffer{DType: ir.DType(1 + r.IntN(2)), Size: 1 + r.IntN(50), Life: ir.Lifetime{First: first, Last: first + r.IntN(6)}}
		}
		offsets, lengths := ir.PlanArenas(bufs)
		for i, a := range bufs {
			if offsets[i] < 0 || offsets[i]+a.Size > lengths[a.DType] {
				t.Fatalf("trial %d: buffer %d at %d+%d outside its arena of %d", trial, i, offsets[i], a.Size, lengths[a.DType])
			}
			for j := range i {
				b := bufs[j]
				alive := a.DType == b.DType && a.Life.First <= b.Life.Last && b.Life.First <= a.Life.Last
				disjoint := offsets[i]+a.Size <= offsets[j] || offsets[j]+b.Size <= offsets[i]
				if alive && !disjoint {
					t.Fatalf("trial %d: buffers %d %+v at %d and %d %+v at %d overlap", trial, i, a, offsets[i], j, b, offsets[j])
				}
			}
		}
	}
}
