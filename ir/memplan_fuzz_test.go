package ir

import "testing"

// planSeeds are functions with recorded plans, safe and not, for
// FuzzCheckPlan.
var planSeeds = []string{
	"func @f(%x: f32[4] data) -> (f32[4]) {\n  %a = neg %x {buf=[0]} : f32[4]\n  %b = exp %a {buf=[0]} : f32[4]\n  return %b\n}\n",
	"func @f(%x: f32[4] data) -> (f32[4], f32[4]) {\n  %a = neg %x {buf=[0]} : f32[4]\n  %b = exp %a {buf=[2]} : f32[4]\n  return %a, %b\n}\n",
	"func @f(%x: f32[4,4] data) -> (f32[4,4]) {\n  %a = neg %x {buf=[0]} : f32[4,4]\n  %b = matmul %a, %a {buf=[0]} : f32[4,4]\n  return %b\n}\n",
	"func @f(%w: f32[4,4] data) -> (f32[4,4]) {\n  %q, %r = qr %w {buf=[0, 8]} : f32[4,4], f32[4,4]\n  %s = add %q, %r {buf=[16]} : f32[4,4]\n  return %s\n}\n",
	"func @f(%x: f32[0] data) -> (f32[0]) {\n  %a = neg %x {buf=[5]} : f32[0]\n  %b = exp %a {buf=[-1]} : f32[0]\n  return %b\n}\n",
	"func @f(%x: f32[4] data) -> (f64[4]) {\n  %a = cast %x {buf=[0]} : f64[4]\n  %b = neg %a {buf=[0, 1]} : f64[4]\n  %c = neg %b : f64[4]\n  return %c\n}\n",
}

// FuzzCheckPlan checks the verifier's check of memory plans on mutated
// planned functions: it never panics, reports errors as an ErrorList, and,
// on functions that are otherwise valid and whose offsets are all
// readable, accepts exactly the plans that a brute-force comparison of
// every pair of values finds safe.
func FuzzCheckPlan(f *testing.F) {
	for _, path := range goldenFiles(f) {
		m := parseFile(f, path)
		for _, fn := range m.Funcs {
			if err := RecordPlan(fn, PlanMemory(fn, PlanOptions{})); err != nil {
				f.Fatal(err)
			}
		}
		f.Add([]byte(m.String()))
	}
	for _, s := range planSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Parse("fuzz.pf", src)
		if err != nil {
			return
		}
		for _, fn := range m.Funcs {
			checkPlanAgainstBruteForce(t, fn)
		}
	})
}

// checkPlanAgainstBruteForce compares the checker with bruteForceUnsafe
// on fn.
func checkPlanAgainstBruteForce(t *testing.T, fn *Func) {
	err := CheckPlan(fn)
	if err != nil {
		list, ok := err.(ErrorList)
		if !ok || len(list) == 0 {
			t.Fatalf("CheckPlan returned %T %v, want a non-empty ErrorList", err, err)
		}
		for _, e := range list {
			if e.Msg == "" || e.Func != fn.Name {
				t.Fatalf("error without a message or function: %+v", e)
			}
		}
	}
	plain := fn.Clone()
	DropPlan(plain)
	if !HasPlan(fn) || Verify(plain) != nil {
		return // only the absence of panics is checked
	}
	p, errs := readPlan(fn)
	results := 0
	for _, in := range fn.Body {
		results += len(in.Results)
	}
	if p.Len() != results {
		if err == nil {
			t.Fatalf("CheckPlan accepts a plan that places %d of %d values", p.Len(), results)
		}
		return // malformed offsets, reported
	}
	unsafe := bruteForceUnsafe(fn, p)
	switch {
	case unsafe != "" && err == nil:
		t.Fatalf("CheckPlan accepts an unsafe plan (%s):\n%s", unsafe, fn)
	case unsafe == "" && err != nil:
		t.Fatalf("CheckPlan rejects a safe plan: %v\n%s", err, fn)
	case unsafe == "" && len(errs) > 0:
		t.Fatalf("readPlan reports errors on a safe plan: %v", errs)
	}
}
