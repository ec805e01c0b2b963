package codegen_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/codegen"
	"github.com/pushforward/pushforward/internal/genmod"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// hostileFunc is a function built in memory whose names no text file
// could hold: code, keywords, the blank identifier, init and main,
// unicode, dots, comment closers and newlines, the names of the generated
// struct's own members, and names that sanitise to the same identifier.
func hostileFunc(t *testing.T) *ir.Func {
	t.Helper()
	f := ir.NewFunc("step")
	v := ir.TensorOf(ir.F32, 4)
	s := ir.Scalar(ir.F32)
	p := []*ir.Value{
		f.AddParam(`x"; os.Exit(1); //`, v, ir.Data),
		f.AddParam("type", v, ir.Param),
		f.AddParam("_", v, ir.Param),
		f.AddParam("init", s, ir.Param),
		f.AddParam("main", v, ir.Data),
		f.AddParam("λ", v, ir.Data),
		f.AddParam("w1.tangent", v, ir.Data),
		f.AddParam("w1_tangent", v, ir.Data),
		f.AddParam("In", v, ir.Data),
		f.AddParam("x\n*/ y", v, ir.Data),
		f.AddParam("世界", v, ir.Data),
	}
	add := func(op ir.Op, name string, args ...*ir.Value) *ir.Value {
		types, err := ir.InferTypes(op, ir.TypesOf(args), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return f.Append(op, args, nil, types, []string{name}).Results[0]
	}
	gemm := add(ir.OpAdd, "gemm", p[0], p[1])
	step := add(ir.OpMul, "Step", gemm, p[2])
	scratch := add(ir.OpAdd, "scratch", step, p[3])
	f32 := add(ir.OpRelu, "f32", scratch)
	nl := add(ir.OpSub, "new\nline */", f32, p[4])
	zero := add(ir.OpMul, "0", nl, p[5])
	a := add(ir.OpAdd, "w1.tangent", zero, p[6])
	b := add(ir.OpAdd, "w1_tangent", a, p[7])
	c := add(ir.OpMul, "parallel", b, p[8])
	d := add(ir.OpSub, "init", c, p[9])
	e := add(ir.OpAdd, "main", d, p[10])
	f.Results = []*ir.Value{e, a, b, p[1], e, nl, zero}
	return f
}

func TestHostileNames(t *testing.T) {
	f := hostileFunc(t)
	opts := codegen.Options{Package: "steps", Type: "Step"}
	src, err := codegen.Generate(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := codegen.Generate(f, opts)
	if string(again) != string(src) {
		t.Error("two runs of Generate differ")
	}
	api, err := codegen.Describe(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	var in, out []string
	for _, fd := range api.Inputs {
		in = append(in, fd.Name)
	}
	for _, fd := range api.Outputs {
		out = append(out, fd.Name)
	}
	wantIn := []string{"XOsExit1", "Type", "Param2", "Init", "Main", "Λ", "W1Tangent", "W1Tangent2", "In", "XY", "P世界"}
	wantOut := []string{"Main", "W1Tangent", "W1Tangent2", "Type", "Main2", "NewLine", "Result6"}
	if !slices.Equal(in, wantIn) || !slices.Equal(out, wantOut) {
		t.Errorf("inputs %q, want %q\nresults %q, want %q", in, wantIn, out, wantOut)
	}

	// The source parses, imports nothing but the allowed packages, and
	// no comment holds a name's newline or block-comment closer raw.
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "step.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	checkImports(t, file)
	for _, cg := range file.Comments {
		for _, cm := range cg.List {
			if strings.Contains(cm.Text, "*/") && strings.HasPrefix(cm.Text, "//") && !strings.Contains(cm.Text, `*\/`) {
				t.Errorf("comment %q holds */", cm.Text)
			}
		}
	}
	// The names' text is in comments and string literals only: no
	// identifier of the code comes from it unsanitised.
	ast.Inspect(file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && (id.Name == "os" || id.Name == "Exit") {
			t.Errorf("identifier %s in the code", id.Name)
		}
		return true
	})

	// It compiles and computes what the interpreter computes.
	if testing.Short() {
		return
	}
	m, err := genmod.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	prog, err := genmod.Build(m, []*ir.Func{f})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	inputs := randomInputs(rand.New(rand.NewPCG(1, 2)), f)
	want, err := runtime.Run(f, inputs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := prog.Generated(0, inputs)
	if err != nil {
		t.Fatal(err)
	}
	compareBits(t, "hostile", got, want)
}

// allowedImports are the packages generated code may import besides the
// standard library.
var allowedImports = []string{
	"github.com/pushforward/pushforward/runtime/ops",
	"github.com/pushforward/pushforward/runtime/kernels",
	"github.com/pushforward/pushforward/runtime/rng",
}

// checkImports requires the file to import only the standard library
// and the runtime's kernel packages.
func checkImports(t *testing.T, file *ast.File) {
	t.Helper()
	for _, imp := range file.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		std := !strings.Contains(strings.Split(path, "/")[0], ".")
		if !std && !slices.Contains(allowedImports, path) {
			t.Errorf("generated code imports %s", path)
		}
	}
}

// TestGeneratedFiles checks the form of every golden function's file: the
// header on the first line, before the package clause, formatted source,
// and only the allowed imports.
func TestGeneratedFiles(t *testing.T) {
	names, funcs := goldenFuncs(t)
	for i, f := range funcs {
		src, err := codegen.Generate(f, codegen.Options{Package: "steps"})
		if err != nil {
			if !notYet.MatchString(err.Error()) {
				t.Errorf("%s: %v", names[i], err)
			}
			continue
		}
		if first, _, _ := strings.Cut(string(src), "\n"); first != codegen.Header {
			t.Errorf("%s: first line %q", names[i], first)
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "f.go", src, parser.ParseComments)
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		if len(file.Comments) == 0 || fset.Position(file.Comments[0].Pos()).Line != 1 || file.Comments[0].Pos() > file.Package {
			t.Errorf("%s: the header does not come before the package clause", names[i])
		}
		if !ast.IsGenerated(file) {
			t.Errorf("%s: go/ast does not see a generated file", names[i])
		}
		checkImports(t, file)
	}
}
