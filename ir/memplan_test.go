package ir

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// offsetsByName returns the offsets of f's results under p by value name.
func offsetsByName(f *Func, p *MemPlan) map[string]int {
	got := map[string]int{}
	for _, in := range f.Body {
		for _, r := range in.Results {
			if off, ok := p.Offset(r); ok {
				got[r.Name] = off
			}
		}
	}
	return got
}

// A small function planned by hand: dead values' memory is reused, an
// elementwise result takes the buffer of an operand that dies at it, and
// no other result does.
func TestPlanMemory(t *testing.T) {
	f, err := ParseFunc(`func @f(%x: f32[4,8] data, %w: f32[8,8] param, %b: f32[8] param) -> (f32[4,8], f32[]) {
  %s = matmul %x, %w : f32[4,8]
  %z = add %s, %b : f32[4,8]
  %h = relu %z : f32[4,8]
  %m = matmul %h, %w : f32[4,8]
  %q = mul %m, %h : f32[4,8]
  %l = reduce_sum %q : f32[]
  %k = cast %l : f64[]
  return %m, %l
}`)
	if err != nil {
		t.Fatal(err)
	}
	p := PlanMemory(f, PlanOptions{})
	// %s, %z, %h share one buffer in place (a chain of elementwise ops on
	// dying operands); %m is a matmul and a result, so it needs its own;
	// %q cannot take %m's buffer (a result, live to the end) but takes
	// %h's, which dies at %q. %l and %k are small; %k is an f64.
	want := map[string]int{"s": 0, "z": 0, "h": 0, "m": 32, "q": 0, "l": 64, "k": 0}
	if diff := cmp.Diff(want, offsetsByName(f, p)); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
	if got, want := p.ArenaLen(F32), 65; got != want {
		t.Errorf("f32 arena of %d elements, want %d", got, want)
	}
	if got, want := p.ArenaLen(F64), 1; got != want {
		t.Errorf("f64 arena of %d elements, want %d", got, want)
	}
	inPlace := map[string]int{}
	for _, in := range f.Body {
		inPlace[in.Results[0].Name] = p.InPlace(in)
	}
	if diff := cmp.Diff(map[string]int{"s": -1, "z": 0, "h": 0, "m": -1, "q": 1, "l": -1, "k": -1}, inPlace); diff != "" {
		t.Errorf("in place (-want +got):\n%s", diff)
	}

	// Without sharing in place, the chain ping-pongs between buffers, and
	// %h, %m and %q are live at once (%l fits in %h's place).
	p = PlanMemory(f, PlanOptions{NoInPlace: true})
	for _, in := range f.Body {
		if j := p.InPlace(in); j >= 0 {
			t.Errorf("NoInPlace: %s in place of operand %d", in.Results[0], j)
		}
	}
	if got, want := p.ArenaLen(F32), 3*32; got != want {
		t.Errorf("NoInPlace: f32 arena of %d elements, want %d", got, want)
	}

	// Values outside the arenas are not placed.
	h := f.Body[2].Results[0]
	p = PlanMemory(f, PlanOptions{Outside: map[*Value]bool{h: true}})
	if _, ok := p.Offset(h); ok {
		t.Errorf("%s is outside, but placed", h)
	}
}

func TestCanShareBuffer(t *testing.T) {
	f, err := ParseFunc(`func @f(%a: f32[4,3] data, %r: f32[3] data, %c: i64[4,3] data, %one: f32[1,3] data) -> () {
  %add = add %a, %r : f32[4,3]
  %row = add %r, %one : f32[1,3]
  %sel = select %c, %a, %a : f32[4,3]
  %cast = cast %a : f32[4,3]
  %mm = matmul %a, %one {transpose_b=true} : f32[4,1]
  %neg = neg %a : f32[4,3]
  %flat = reshape %a : f32[12]
  return
}`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		instr   int
		operand int
		want    bool
	}{
		{0, 0, true},  // same shape
		{0, 1, false}, // broadcast row
		{1, 0, true},  // [3] read as [1,3]: same elements in the same order
		{1, 1, true},
		{2, 0, false}, // the condition's dtype differs
		{2, 1, true},
		{3, 0, false}, // cast: not in place
		{4, 0, false}, // matmul
		{5, 0, true},
		{5, 1, false}, // no such operand
		{5, -1, false},
		{6, 0, true}, // reshape: the same elements in the same order
	}
	for _, tt := range tests {
		in := f.Body[tt.instr]
		if got := CanShareBuffer(in, tt.operand); got != tt.want {
			t.Errorf("CanShareBuffer(%s, %d) = %v, want %v", in.Results[0], tt.operand, got, tt.want)
		}
	}
}

// Every golden function's plan, recorded, prints and parses back to the
// same text and the same plan, and the verifier accepts it.
func TestPlanGoldenRoundTrip(t *testing.T) {
	for _, path := range goldenFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			m := parseFile(t, path)
			for _, f := range m.Funcs {
				p := PlanMemory(f, PlanOptions{})
				if err := RecordPlan(f, p); err != nil {
					t.Fatal(err)
				}
				if !HasPlan(f) && len(f.Body) > 0 {
					t.Fatalf("@%s: no plan recorded", f.Name)
				}
				if err := Verify(f); err != nil {
					t.Fatalf("@%s: the recorded plan does not verify: %v\n%s", f.Name, err, f)
				}
				checkPlanSafe(t, f, p)
			}
			text := m.String()
			m2, err := Parse("planned.pf", []byte(text))
			if err != nil {
				t.Fatalf("the planned module does not parse: %v\n%s", err, text)
			}
			if again := m2.String(); again != text {
				t.Fatalf("print∘parse∘print differs from print:\n%s", cmp.Diff(text, again))
			}
			for i, f := range m2.Funcs {
				p, err := RecordedPlan(f)
				if err != nil {
					t.Fatal(err)
				}
				want := offsetsByName(m.Funcs[i], PlanMemory(m.Funcs[i], PlanOptions{}))
				if diff := cmp.Diff(want, offsetsByName(f, p)); diff != "" {
					t.Errorf("@%s: parsed plan (-computed +parsed):\n%s", f.Name, diff)
				}
				DropPlan(f)
				if HasPlan(f) {
					t.Errorf("@%s: DropPlan left a plan", f.Name)
				}
			}
		})
	}
}

// checkPlanSafe checks p on f by brute force, independently of the
// checker's sweep: any two values of one dtype whose ranges intersect and
// whose lifetimes intersect must be a result computed in place of an
// operand that dies at its instruction.
func checkPlanSafe(t *testing.T, f *Func, p *MemPlan) {
	t.Helper()
	if msg := bruteForceUnsafe(f, p); msg != "" {
		t.Errorf("@%s: %s", f.Name, msg)
	}
}

// bruteForceUnsafe returns why plan p is unsafe for f, or "".
func bruteForceUnsafe(f *Func, p *MemPlan) string {
	life := Lifetimes(f)
	var vals []*Value
	for _, in := range f.Body {
		for _, r := range in.Results {
			if _, ok := p.Offset(r); ok {
				vals = append(vals, r)
			}
		}
	}
	body := map[*Instr]int{}
	for i, in := range f.Body {
		body[in] = i
	}
	inPlace := func(r, a *Value) bool {
		in := r.Def
		for j, x := range in.Args {
			if x == a && life[a].Last == body[in] && CanShareBuffer(in, j) && p.offset[a] == p.offset[r] && a.Type.Shape.Size() == r.Type.Shape.Size() {
				return true
			}
		}
		return false
	}
	for i, u := range vals {
		for _, v := range vals[:i] {
			lu, lv := life[u], life[v]
			ou, ov := p.offset[u], p.offset[v]
			su, sv := u.Type.Shape.Size(), v.Type.Shape.Size()
			if u.Type.DType != v.Type.DType || su == 0 || sv == 0 || ou >= ov+sv || ov >= ou+su || lu.Last < lv.First || lv.Last < lu.First {
				continue
			}
			if !inPlace(u, v) && !inPlace(v, u) {
				return u.String() + " and " + v.String() + " overlap while both are live"
			}
		}
	}
	return ""
}

// The verifier reports malformed and unsafe plans with the value, the op
// and what is wrong.
func TestCheckPlanErrors(t *testing.T) {
	const head = "func @f(%x: f32[4] data, %w: f32[4,4] param) -> (f32[4], f32[4]) {\n"
	tests := []struct {
		name string
		body string
		want []string // fragments of the one error
	}{
		{"missing", "  %a = neg %x {buf=[0]} : f32[4]\n  %b = exp %a : f32[4]\n  return %a, %b\n",
			[]string{"%b = exp", "no buf=[...] offsets"}},
		{"not a list", "  %a = neg %x {buf=0} : f32[4]\n  %b = exp %a {buf=[4]} : f32[4]\n  return %a, %b\n",
			[]string{"%a = neg", "buf=0: want a list of 1 offsets, one per result"}},
		{"too many", "  %a = neg %x {buf=[0, 4]} : f32[4]\n  %b = exp %a {buf=[4]} : f32[4]\n  return %a, %b\n",
			[]string{"buf=[0, 4]: want a list of 1 offsets"}},
		{"negative", "  %a = neg %x {buf=[-4]} : f32[4]\n  %b = exp %a {buf=[4]} : f32[4]\n  return %a, %b\n",
			[]string{"%a = neg", "buf offset -4: want a non-negative integer (an element offset in the f32 arena)"}},
		{"not an integer", "  %a = neg %x {buf=[1.5]} : f32[4]\n  %b = exp %a {buf=[4]} : f32[4]\n  return %a, %b\n",
			[]string{"buf offset 1.5: want a non-negative integer"}},
		{"overflow", "  %a = neg %x {buf=[9223372036854775807]} : f32[4]\n  %b = exp %a {buf=[4]} : f32[4]\n  return %a, %b\n",
			[]string{"the value's 4 elements end beyond the largest arena"}},
		{"overlap", "  %a = neg %x {buf=[0]} : f32[4]\n  %b = exp %a {buf=[2]} : f32[4]\n  return %a, %b\n",
			[]string{"%b = exp", "%b [2, 6) overlaps %a [0, 4) in the f32 arena, an operand that is read again later (until the return)"}},
		{"live elsewhere", "  %a = neg %x {buf=[0]} : f32[4]\n  %c = abs %x {buf=[4]} : f32[4]\n  %b = exp %c {buf=[0]} : f32[4]\n  return %a, %b\n",
			[]string{"%b = exp", "%b [0, 4) overlaps %a [0, 4) in the f32 arena, which is live until the return"}},
		{"partial in place", "  %a = neg %x {buf=[0]} : f32[4]\n  %b = exp %a {buf=[1]} : f32[4]\n  %c = abs %b {buf=[8]} : f32[4]\n  return %c, %c\n",
			[]string{"%b [1, 5) overlaps %a [0, 4)", "takes the operand's whole buffer, at its offset"}},
		{"not elementwise", "  %a = reshape %x {buf=[0]} : f32[1,4]\n  %m = matmul %a, %w {buf=[0]} : f32[1,4]\n  %b = reshape %m {buf=[4]} : f32[4]\n  return %b, %b\n",
			[]string{"%m = matmul", "matmul cannot run in place"}},
		{"two results", "  %q, %r = qr %w {buf=[0, 8]} : f32[4,4], f32[4,4]\n  %a = reshape %x {buf=[32]} : f32[4]\n  return %a, %a\n",
			[]string{"%r [8, 24) overlaps %q [0, 16) in the f32 arena: results of one instruction are live at once"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFunc(head + tt.body + "}")
			if err != nil {
				t.Fatal(err)
			}
			err = Verify(f)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if n := len(err.(ErrorList)); n != 1 {
				t.Errorf("%d errors, want 1:\n%v", n, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if _, err := RecordedPlan(f); err == nil {
				t.Error("RecordedPlan accepts the plan")
			}
		})
	}
}

// A plan in place where the rule allows it verifies.
func TestCheckPlanAcceptsInPlace(t *testing.T) {
	f, err := ParseFunc(`func @f(%x: f32[4] data) -> (f32[4]) {
  %a = neg %x {buf=[0]} : f32[4]
  %b = exp %a {buf=[0]} : f32[4]
  %c = mul %b, %b {buf=[0]} : f32[4]
  return %c
}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(f); err != nil {
		t.Fatal(err)
	}
	p, err := RecordedPlan(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.InPlace(f.Body[2]); got != 0 {
		t.Errorf("InPlace(%%c) = %d, want 0", got)
	}
}
