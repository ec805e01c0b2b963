package codegen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// An API describes the Go API Generate gives a function: a struct type
// holding its inputs (In), results (Out) and buffers, a constructor, and a
// Step method.
//
//	s, err := NewMLP()
//	s.In.X, s.In.Labels, s.In.W1 = x, labels, w1
//	err = s.Step()
//	loss, grad := s.Out.Loss, s.Out.W1Grad
//
// Inputs and results of rank 0 are Go values (float32, uint64, ...); the
// others are row-major slices of the element type ([]float32, []int64,
// ...) of exactly the type's size, which Step checks. Step reads the
// inputs and writes nothing into them. The result slices belong to the
// struct and are overwritten by the next Step.
type API struct {
	Package string // the package clause's name
	Type    string // the struct type
	New     string // its constructor, func() (*Type, error)
	In, Out string // the types of the fields In and Out
	// Fingerprint names the constant holding the function's Fingerprint.
	Fingerprint string
	Inputs      []Field
	Outputs     []Field
}

// A Field is an input (a function parameter) or a result of the function.
type Field struct {
	Name  string    // the field's Go name in In or Out
	Value *ir.Value // the parameter, or the value returned
	// Index is the parameter's or the result's position.
	Index int
}

// Scalar reports whether the field holds a Go value rather than a slice.
func (fd Field) Scalar() bool { return fd.Value.Type.Rank() == 0 }

// GoType is the field's Go type, e.g. "[]float32" or "uint64".
func (fd Field) GoType() string {
	if fd.Scalar() {
		return elemType(fd.Value.Type.DType)
	}
	return "[]" + elemType(fd.Value.Type.DType)
}

// elemType is the Go type of one element of dtype d.
func elemType(d ir.DType) string {
	switch d {
	case ir.F32:
		return "float32"
	case ir.F64:
		return "float64"
	case ir.I64:
		return "int64"
	case ir.U64:
		return "uint64"
	}
	panic(fmt.Sprintf("codegen: invalid dtype %s", d))
}

// Describe returns the API Generate gives f with opts, without generating
// anything.
func Describe(f *ir.Func, opts Options) (*API, error) {
	if f == nil {
		return nil, fmt.Errorf("codegen: nil function")
	}
	opts, err := opts.withDefaults(f)
	if err != nil {
		return nil, err
	}
	api := &API{Package: opts.Package, Type: opts.Type, New: "New" + opts.Type, In: opts.Type + "In", Out: opts.Type + "Out",
		Fingerprint: opts.Type + "Fingerprint"}
	in := newNamespace()
	for i, p := range f.Params {
		if p == nil {
			return nil, fmt.Errorf("codegen: func @%s: parameter %d is nil", f.Name, i)
		}
		name := in.claim(identifier(p.Name, true, "P", fmt.Sprintf("Param%d", i)))
		api.Inputs = append(api.Inputs, Field{Name: name, Value: p, Index: i})
	}
	out := newNamespace()
	for i, r := range f.Results {
		if r == nil {
			return nil, fmt.Errorf("codegen: func @%s: result %d is nil", f.Name, i)
		}
		hint := identifier(r.Name, true, "R", "")
		if hint == "" || isNumber(r.Name) {
			hint = fmt.Sprintf("Result%d", i)
		}
		api.Outputs = append(api.Outputs, Field{Name: out.claim(hint), Value: r, Index: i})
	}
	return api, nil
}

// Fingerprint identifies a function by its text: the hex SHA-256 of its
// canonical form (ir.Func.String). A generated file records the
// fingerprint of the function it was generated from (the constant
// API.Fingerprint), so that a program that builds the function can tell
// whether the file is current.
func Fingerprint(f *ir.Func) string {
	sum := sha256.Sum256([]byte(f.String()))
	return hex.EncodeToString(sum[:])
}

// isNumber reports whether s is a decimal number, the name of an unnamed
// value.
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
