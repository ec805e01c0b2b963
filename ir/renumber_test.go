package ir

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRenumber(t *testing.T) {
	f := mustParseFunc(t, `func @f(%7: f32[2] data, %w: f32[2] param) -> (f32[2], f32[]) {
  %12 = mul %7, %w : f32[2]
  %3 = neg %12 : f32[2]
  %x = add %3, %12 : f32[2]
  %01 = argmin %x region {
    func @o(%9: f32[2] param, %4: f32[2] data) -> (f32[]) {
      %2 = sub %9, %4 : f32[2]
      %8 = reduce_sum %2 : f32[]
      return %8
    }
  } : f32[2]
  %5 = reduce_sum %01 : f32[]
  return %x, %5
}`)
	before := f.String()
	g := Renumbered(f)
	if f.String() != before {
		t.Error("Renumbered changed its argument")
	}
	want := `func @f(%1: f32[2] data, %w: f32[2] param) -> (f32[2], f32[]) {
  %2 = mul %1, %w : f32[2]
  %3 = neg %2 : f32[2]
  %x = add %3, %2 : f32[2]
  %4 = argmin %x region {
    func @o(%1: f32[2] param, %2: f32[2] data) -> (f32[]) {
      %3 = sub %1, %2 : f32[2]
      %4 = reduce_sum %3 : f32[]
      return %4
    }
  } : f32[2]
  %5 = reduce_sum %4 : f32[]
  return %x, %5
}
`
	if diff := cmp.Diff(want, g.String()); diff != "" {
		t.Errorf("renumbered (-want +got):\n%s", diff)
	}
	if err := Verify(g); err != nil {
		t.Errorf("the renumbered function does not verify: %v", err)
	}
	// Renumbering is idempotent.
	g.Renumber()
	if diff := cmp.Diff(want, g.String()); diff != "" {
		t.Errorf("renumbered twice (-want +got):\n%s", diff)
	}
}
