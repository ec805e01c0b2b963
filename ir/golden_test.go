package ir

import (
	"path/filepath"
	"slices"
	"testing"
)

// walkInstrs calls fn for every instruction of f and of the functions in
// its regions, depth first.
func walkInstrs(f *Func, fn func(f *Func, in *Instr)) {
	for _, in := range f.Body {
		fn(f, in)
		if in.Region != nil {
			for _, rf := range in.Region.Funcs {
				walkInstrs(rf, fn)
			}
		}
	}
}

// TestGoldenTypeRules checks that every instruction of every golden file
// obeys its op's type rule, with the declared types equal to the inferred
// ones, and that each file passes the verifier.
func TestGoldenTypeRules(t *testing.T) {
	for _, path := range goldenFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			m := parseFile(t, path)
			for _, f := range m.Funcs {
				walkInstrs(f, func(f *Func, in *Instr) {
					declared := in.ResultTypes()
					got, err := InferTypes(in.Op, in.ArgTypes(), in.Attrs, declared)
					if err != nil {
						t.Errorf("%s: @%s: %s: %v", in.Pos, f.Name, in, err)
						return
					}
					if !slices.EqualFunc(got, declared, Type.Equal) {
						t.Errorf("%s: @%s: %s: declared %s, rule gives %s", in.Pos, f.Name, in, joinTypes(declared), joinTypes(got))
					}
				})
			}
			if err := VerifyModule(m); err != nil {
				t.Errorf("verifier: %v", err)
			}
		})
	}
}

// TestGoldenCoverage checks that the golden files together use every op,
// every dtype and every role, and have multi-result ops and regions.
func TestGoldenCoverage(t *testing.T) {
	ops := map[Op]bool{}
	dtypes := map[DType]bool{}
	roles := map[Role]bool{}
	multi := false
	for _, path := range goldenFiles(t) {
		m := parseFile(t, path)
		for _, f := range m.Funcs {
			for _, p := range f.Params {
				roles[p.Role] = true
				dtypes[p.Type.DType] = true
			}
			walkInstrs(f, func(_ *Func, in *Instr) {
				ops[in.Op] = true
				multi = multi || len(in.Results) > 1
				for _, r := range in.Results {
					dtypes[r.Type.DType] = true
				}
			})
		}
	}
	for _, op := range AllOps() {
		if !ops[op] {
			t.Errorf("no golden file uses op %s", op)
		}
	}
	for _, d := range []DType{F32, F64, I64, U64} {
		if !dtypes[d] {
			t.Errorf("no golden file uses dtype %s", d)
		}
	}
	for _, r := range []Role{Data, Param, State} {
		if !roles[r] {
			t.Errorf("no golden file uses role %s", r)
		}
	}
	if !multi {
		t.Error("no golden file has a multi-result op")
	}
}
