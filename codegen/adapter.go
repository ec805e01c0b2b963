package codegen

import (
	"fmt"
	"go/format"
	"go/token"
	"strconv"

	"golang.org/x/tools/imports"

	"github.com/pushforward/pushforward/ir"
)

// AdapterOptions configure Adapter.
type AdapterOptions struct {
	// Package is the adapter's package clause's name.
	Package string
	// StepImport is the import path of the package Generate wrote the
	// step into, which must not be the adapter's own (the step's package
	// imports only the runtime's kernel packages, the adapter imports
	// package runtime).
	StepImport string
	// StepPackage is the name of that package's package clause (default:
	// the last element of StepImport).
	StepPackage string
	// Type names the adapter's type (default: the step's type followed
	// by "Tensors").
	Type string
}

// Adapter returns the Go source of an adapter that runs the step Generate
// gives f with opts on runtime tensors: a type with the method
//
//	Run(inputs []*runtime.Tensor) ([]*runtime.Tensor, error)
//
// which takes one tensor per parameter of f, in order, checks their types,
// runs Step and returns one tensor per result, as a runtime.Runner runs
// f: the results belong to the adapter and are overwritten by the next
// Run, and Run allocates nothing. Code that runs functions on tensors
// (the training loop of methods/train, tests against the interpreter)
// runs generated code through it. The adapter imports package runtime,
// so it lives in a package of its own.
func Adapter(f *ir.Func, opts Options, aopts AdapterOptions) ([]byte, error) {
	api, err := Describe(f, opts)
	if err != nil {
		return nil, err
	}
	if aopts.StepPackage == "" {
		aopts.StepPackage = lastElem(aopts.StepImport)
	}
	if aopts.Type == "" {
		aopts.Type = api.Type + "Tensors"
	}
	switch {
	case !validPackage(aopts.Package):
		return nil, fmt.Errorf("codegen: adapter package name %q is not a Go identifier", aopts.Package)
	case aopts.StepImport == "":
		return nil, fmt.Errorf("codegen: the adapter needs the import path of the step's package")
	case !validPackage(aopts.StepPackage):
		return nil, fmt.Errorf("codegen: step package name %q is not a Go identifier", aopts.StepPackage)
	case !token.IsIdentifier(aopts.Type) || !token.IsExported(aopts.Type):
		return nil, fmt.Errorf("codegen: adapter type name %q is not an exported Go identifier", aopts.Type)
	}
	var c code
	T, pkg := aopts.Type, aopts.StepPackage
	pkgNames := newNamespace(T, "New"+T)
	types := pkgNames.claim(lowerFirstWord(T) + "Inputs")
	c.line("%s", Header)
	c.line("")
	c.line("package %s", aopts.Package)
	c.line("")
	c.line("import (")
	c.line("\"fmt\"")
	c.line("\"github.com/pushforward/pushforward/ir\"")
	c.line("\"github.com/pushforward/pushforward/runtime\"")
	c.line("%s %q", pkg, aopts.StepImport)
	c.line(")")
	c.line("")
	c.line("// %s runs %s.%s, the function @%s compiled, on runtime tensors,", T, pkg, api.Type, commentText(f.Name))
	c.line("// as a runtime.Runner runs @%s: Run's results belong to the %s", commentText(f.Name), T)
	c.line("// and are overwritten by the next Run.")
	c.line("type %s struct {", T)
	c.line("// Step is the compiled function.")
	c.line("Step *%s.%s", pkg, api.Type)
	c.line("results []*runtime.Tensor")
	c.line("}")
	c.line("")
	c.line("// %s holds the types of the parameters of @%s.", types, commentText(f.Name))
	c.line("var %s = []ir.Type{", types)
	for _, fd := range api.Inputs {
		c.line("%s,", typeLit(fd.Value.Type))
	}
	c.line("}")
	c.line("")
	c.line("// New%s returns an adapter of a new %s.%s.", T, pkg, api.Type)
	c.line("func New%s() (*%s, error) {", T, T)
	c.line("s, err := %s.%s()", pkg, api.New)
	c.line("if err != nil {")
	c.line("return nil, err")
	c.line("}")
	c.line("a := &%s{Step: s, results: make([]*runtime.Tensor, %d)}", T, len(api.Outputs))
	for i, fd := range api.Outputs {
		if fd.Scalar() {
			c.line("a.results[%d] = runtime.Zeros(%s)", i, typeLit(fd.Value.Type))
		} else {
			c.line("a.results[%d] = &runtime.Tensor{Type: %s}", i, typeLit(fd.Value.Type))
		}
	}
	c.line("return a, nil")
	c.line("}")
	c.line("")
	c.line("// InputTypes returns the types of the inputs Run takes.")
	c.line("func (a *%s) InputTypes() []ir.Type { return %s }", T, types)
	c.line("")
	c.line("// Run runs the step on inputs, one per parameter in order, and returns")
	c.line("// its results.")
	c.line("func (a *%s) Run(inputs []*runtime.Tensor) ([]*runtime.Tensor, error) {", T)
	c.line("if len(inputs) != %d {", len(api.Inputs))
	c.line("return nil, fmt.Errorf(\"%%s: got %%d inputs, want %d\", %q, len(inputs))", len(api.Inputs), "@"+f.Name)
	c.line("}")
	c.line("for i, t := range inputs {")
	c.line("if t == nil {")
	c.line("return nil, fmt.Errorf(\"%%s: input %%d is nil\", %q, i)", "@"+f.Name)
	c.line("}")
	c.line("if !t.Type.Equal(%s[i]) {", types)
	c.line("return nil, fmt.Errorf(\"%%s: input %%d: got %%s, want %%s\", %q, i, t.Type, %s[i])", "@"+f.Name, types)
	c.line("}")
	c.line("}")
	for i, fd := range api.Inputs {
		field := dtypeField(fd.Value.Type.DType)
		if fd.Scalar() {
			c.line("if len(inputs[%d].%s) != 1 {", i, field)
			c.line("return nil, fmt.Errorf(\"%%s: input %%d holds %%d elements, want 1\", %q, %d, len(inputs[%d].%s))", "@"+f.Name, i, i, field)
			c.line("}")
			c.line("a.Step.In.%s = inputs[%d].%s[0]", fd.Name, i, field)
		} else {
			c.line("a.Step.In.%s = inputs[%d].%s", fd.Name, i, field)
		}
	}
	c.line("if err := a.Step.Step(); err != nil {")
	c.line("return nil, err")
	c.line("}")
	for i, fd := range api.Outputs {
		field := dtypeField(fd.Value.Type.DType)
		if fd.Scalar() {
			c.line("a.results[%d].%s[0] = a.Step.Out.%s", i, field, fd.Name)
		} else {
			c.line("a.results[%d].%s = a.Step.Out.%s", i, field, fd.Name)
		}
	}
	c.line("return a.results, nil")
	c.line("}")

	formatted, err := format.Source(c.Bytes())
	if err != nil {
		return nil, fmt.Errorf("codegen: internal error: generated adapter does not parse: %w\n%s", err, numbered(c.Bytes()))
	}
	return imports.Process("adapter.go", formatted, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8})
}

// typeLit is a Go expression of the ir.Type t.
func typeLit(t ir.Type) string {
	s := "ir.TensorOf(ir." + map[ir.DType]string{ir.F32: "F32", ir.F64: "F64", ir.I64: "I64", ir.U64: "U64"}[t.DType]
	for _, d := range t.Shape {
		s += ", " + strconv.Itoa(d)
	}
	return s + ")"
}

// dtypeField is the field of runtime.Tensor holding elements of dtype d.
func dtypeField(d ir.DType) string {
	return map[ir.DType]string{ir.F32: "F32", ir.F64: "F64", ir.I64: "I64", ir.U64: "U64"}[d]
}

func lastElem(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[i+1:]
		}
	}
	return path
}
