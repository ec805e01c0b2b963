package ops

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// requiredAttrs returns attributes that satisfy op's required specs.
func requiredAttrs(op ir.Op) ir.Attrs {
	attrs := ir.Attrs{}
	for _, s := range op.Info().Attrs {
		if s.Required {
			attrs[s.Name] = ir.Float(2)
		}
	}
	return attrs
}

// admitted returns the dtypes the type rule of an elementwise op accepts
// for its operands.
func admitted(op ir.Op) []ir.DType {
	var out []ir.DType
	for _, d := range []ir.DType{ir.F32, ir.F64, ir.I64, ir.U64} {
		args := slices.Repeat([]ir.Type{ir.TensorOf(d, 2)}, op.Info().MinArgs)
		if _, err := ir.InferTypes(op, args, requiredAttrs(op), nil); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// The tables have a kernel for exactly the dtypes each op's type rule
// admits, and every elementwise op of the IR is in them (or is cast or
// select, which have kernels of their own).
func TestTablesMatchTheTypeRules(t *testing.T) {
	for _, op := range ir.AllOps() {
		class := op.Info().Class
		_, _, inTables := ScalarFunc(op)
		if (class == ir.Elementwise || class == ir.Broadcast) != inTables {
			t.Errorf("%s (class %s) is in the tables: %t", op, class, inTables)
		}
	}
	for _, op := range UnaryOps() {
		want := admitted(op)
		for _, d := range []ir.DType{ir.F32, ir.F64, ir.I64, ir.U64} {
			if _, err := newUnaryFor(op, d); (err == nil) != slices.Contains(want, d) {
				t.Errorf("%s: kernel for %s: %v; the type rule admits %v", op, d, err, want)
			}
		}
	}
	for _, op := range BinaryOps() {
		want := admitted(op)
		for _, d := range []ir.DType{ir.F32, ir.F64, ir.I64, ir.U64} {
			if _, err := newBinaryFor(op, d); (err == nil) != slices.Contains(want, d) {
				t.Errorf("%s: kernel for %s: %v; the type rule admits %v", op, d, err, want)
			}
		}
	}
}

func newUnaryFor(op ir.Op, d ir.DType) (any, error) {
	attrs := requiredAttrs(op)
	switch d {
	case ir.F32:
		return NewUnary[float32](op, attrs)
	case ir.F64:
		return NewUnary[float64](op, attrs)
	case ir.I64:
		return NewUnary[int64](op, attrs)
	}
	return NewUnary[uint64](op, attrs)
}

func newBinaryFor(op ir.Op, d ir.DType) (any, error) {
	s := ir.Shape{2}
	switch d {
	case ir.F32:
		return NewBinary[float32](op, s, s, s)
	case ir.F64:
		return NewBinary[float64](op, s, s, s)
	case ir.I64:
		return NewBinary[int64](op, s, s, s)
	}
	return NewBinary[uint64](op, s, s, s)
}

// The scalar function each op names is a generic function of this package
// taking the op's operands and its attribute, as generated code will call
// it.
func TestScalarFuncsExist(t *testing.T) {
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	decls := map[string]*ast.FuncDecl{}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
				decls[fd.Name.Name] = fd
			}
		}
	}
	for _, op := range ir.AllOps() {
		name, attr, ok := ScalarFunc(op)
		if !ok {
			continue
		}
		fd := decls[name]
		if fd == nil || fd.Type.TypeParams == nil {
			t.Errorf("%s: no generic function %s", op, name)
			continue
		}
		params := 0
		for _, f := range fd.Type.Params.List {
			params += len(f.Names)
		}
		want := op.Info().MinArgs
		if attr != "" {
			want++
		}
		if params != want {
			t.Errorf("%s: %s takes %d parameters, want %d", op, name, params, want)
		}
	}
}
