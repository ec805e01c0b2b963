package ir_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/ir"
)

func TestLifetimes(t *testing.T) {
	m, err := ir.Parse("l.pf", []byte(`func @f(%x: f32[4] data) -> (f32[4], f32[4]) {
  %a = neg %x : f32[4]
  %b = exp %a : f32[4]
  %unused = log %x : f32[4]
  %c = add %a, %b : f32[4]
  %d = mul %c, %c : f32[4]
  return %d, %b
}`))
	if err != nil {
		t.Fatal(err)
	}
	f := m.Funcs[0]
	got := map[string]ir.Lifetime{}
	for v, l := range ir.Lifetimes(f) {
		got[v.Name] = l
	}
	want := map[string]ir.Lifetime{
		"a":      {0, 3}, // last read by %c
		"b":      {1, 5}, // a result: live to the end
		"unused": {2, 2}, // its own instruction alone
		"c":      {3, 4}, // read twice by %d
		"d":      {4, 5},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lifetimes (-want +got):\n%s", diff)
	}
}
