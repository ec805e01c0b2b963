package codegen

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// A buffer is a struct field holding a value's elements: a view of its
// dtype's arena, or memory of its own.
type buffer struct {
	field string
	value *ir.Value
	// own is set for buffers outside the arenas: the boxes of scalar
	// inputs and the copies of results that are inputs or repeated.
	own bool
}

// emitAll names every value, emits every instruction into the step and
// the results' assignments after them. It reports every instruction it
// cannot emit.
func (g *gen) emitAll() error {
	plan, err := memoryPlan(g.f)
	if err != nil {
		return err
	}
	g.plan = plan
	for _, fd := range g.api.Inputs {
		p := fd.Value
		if !fd.Scalar() {
			g.val[p] = g.recv + ".In." + fd.Name
			continue
		}
		// Scalars are boxed, so that every value is a slice.
		field := g.mem.claim(identifier(p.Name, false, "v", "param"))
		g.val[p] = g.recv + "." + field
		g.bufs = append(g.bufs, buffer{field: field, value: p, own: true})
		g.boxes = append(g.boxes, fmt.Sprintf("%s.%s[0] = %s.In.%s", g.recv, field, g.recv, fd.Name))
	}
	for _, in := range g.f.Body {
		for _, r := range in.Results {
			field := g.mem.claim(identifier(r.Name, false, "v", "v"))
			g.val[r] = g.recv + "." + field
			g.bufs = append(g.bufs, buffer{field: field, value: r})
		}
	}
	var errs []error
	for i := 0; i < len(g.f.Body); i++ {
		in := g.f.Body[i]
		g.step.line("")
		g.step.line("// %s", commentText(statement(in)))
		if i+1 < len(g.f.Body) {
			if p, ok := g.pairs(in, g.f.Body[i+1]); ok {
				g.step.line("// %s", commentText(statement(g.f.Body[i+1])))
				emitMatmulPair(g, in, g.f.Body[i+1], p)
				i++
				continue
			}
		}
		emit, ok := emitters[in.Op]
		if !ok {
			errs = append(errs, instrError(in, fmt.Errorf("cannot emit op %s", in.Op)))
			continue
		}
		if err := emit(g, in); err != nil {
			errs = append(errs, instrError(in, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	g.emitResults()
	return nil
}

// emitResults assigns Out at the end of the step. A result that is an
// input, or that an earlier result already returns, is copied into a
// buffer of its own, as the interpreter's Runner does, so that no result
// shares memory with an input or another result.
func (g *gen) emitResults() {
	g.step.line("")
	seen := map[*ir.Value]bool{}
	for _, fd := range g.api.Outputs {
		v := fd.Value
		src := g.val[v]
		if v.IsParam() || seen[v] {
			field := g.mem.claim(identifier(fd.Name, false, "r", "result"))
			g.bufs = append(g.bufs, buffer{field: field, value: v, own: true})
			g.step.line("copy(%s.%s, %s)", g.recv, field, src)
			src = g.recv + "." + field
		}
		seen[v] = true
		if fd.Scalar() {
			g.step.line("%s.Out.%s = %s[0]", g.recv, fd.Name, src)
		} else {
			g.step.line("%s.Out.%s = %s", g.recv, fd.Name, src)
		}
	}
}

// file assembles the generated file.
func (g *gen) file() []byte {
	var c code
	api := g.api
	c.line("%s", Header)
	if g.opts.Command != "" {
		c.line("//")
		c.line("// %s", commentText(g.opts.Command))
	}
	c.line("")
	c.line("package %s", api.Package)
	c.line("")
	c.line("import (")
	for _, p := range []string{"errors", "fmt", "math", "runtime", kernelsPath, opsPath, rngPath} {
		c.line("%q", p)
	}
	c.line(")")
	c.line("")
	g.typeDecls(&c)
	g.constructor(&c)
	g.stepMethod(&c)
	g.helpers(&c)
	g.linalgHelpers(&c)
	c.Write(g.decls.Bytes())
	return c.Bytes()
}

// signature is the function's header line in the text format, on one
// line.
func signature(f *ir.Func) string {
	var b strings.Builder
	b.WriteString("func @" + f.Name + "(")
	for i, p := range f.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteName(p) + ": " + p.Type.String() + " " + p.Role.String())
	}
	b.WriteString(") -> (" + ir.FormatTypes(f.ResultTypes()) + ")")
	return b.String()
}

func (g *gen) typeDecls(c *code) {
	api := g.api
	c.line("// %s is the fingerprint of the function this file was generated from", api.Fingerprint)
	c.line("// (codegen.Fingerprint): a program that builds the function can check")
	c.line("// that the file is current.")
	c.line("const %s = %q", api.Fingerprint, Fingerprint(g.f))
	c.line("")
	c.line("// %s is the function @%s compiled to Go by pf gen: set the inputs", api.Type, commentText(g.f.Name))
	c.line("// in In, call Step, and read the results in Out, which belong to the")
	c.line("// %s and stay valid until the next Step. Step allocates nothing.", api.Type)
	c.line("//")
	c.line("//\t%s", commentText(signature(g.f)))
	c.line("type %s struct {", api.Type)
	c.line("// In holds the inputs, one per parameter.")
	c.line("In %s", api.In)
	c.line("// Out holds the results, one per result, after Step.")
	c.line("Out %s", api.Out)
	c.line("")
	for _, d := range arenaOrder {
		if n := g.plan.ArenaLen(d); n > 0 {
			c.line("%s []%s // the arena of the %s values: %d elements", d, elemType(d), d, n)
		}
	}
	for _, b := range g.bufs {
		c.line("%s []%s // %s: %s", b.field, elemType(b.value.Type.DType), commentText(quoteName(b.value)), b.value.Type)
	}
	if g.gemm {
		c.line("gemm kernels.Packed")
	}
	if g.procs {
		c.line("procs int // goroutines a loop may use")
		c.line("task %s", g.taskType())
	}
	if g.scratch > 0 {
		c.line("scratch []float64")
	}
	if g.linalg {
		c.line("linalg %s", g.linalgTask)
	}
	for _, d := range arenaOrder {
		if g.blockRegs[d] > 0 {
			c.line("reg%s [][]%s // per part, the registers of fused bodies run by blocks", d, elemType(d))
		}
	}
	c.Write(g.fields.Bytes())
	c.line("}")
	c.line("")
	c.line("// %s holds the inputs of %s, one per parameter of @%s: a value for a", api.In, api.Type, commentText(g.f.Name))
	c.line("// scalar, else the elements in row-major order.")
	c.line("type %s struct {", api.In)
	for _, fd := range api.Inputs {
		p := fd.Value
		c.line("%s %s // %s: %s %s", fd.Name, fd.GoType(), commentText(quoteName(p)), p.Type, p.Role)
	}
	c.line("}")
	c.line("")
	c.line("// %s holds the results of %s after Step, one per result of @%s: a", api.Out, api.Type, commentText(g.f.Name))
	c.line("// value for a scalar, else the elements in row-major order.")
	c.line("type %s struct {", api.Out)
	for _, fd := range api.Outputs {
		r := fd.Value
		c.line("%s %s // result %d, %s: %s", fd.Name, fd.GoType(), fd.Index, commentText(quoteName(r)), r.Type)
	}
	c.line("}")
	c.line("")
}

// arenaOrder is the order of the arenas in the struct.
var arenaOrder = []ir.DType{ir.F32, ir.F64, ir.I64, ir.U64}

func (g *gen) constructor(c *code) {
	api := g.api
	c.line("// %s allocates the memory of a %s and plans its kernels.", api.New, api.Type)
	c.line("func %s() (*%s, error) {", api.New, api.Type)
	c.line("%s := &%s{}", g.recv, api.Type)
	if g.procs {
		c.line("%s.procs = runtime.GOMAXPROCS(0)", g.recv)
	}
	for _, d := range arenaOrder {
		if n := g.plan.ArenaLen(d); n > 0 {
			c.line("%s.%s = make([]%s, %d)", g.recv, d, elemType(d), n)
		}
	}
	for _, b := range g.bufs {
		n := b.value.Type.Shape.Size()
		if b.own {
			c.line("%s.%s = make([]%s, %d)", g.recv, b.field, elemType(b.value.Type.DType), n)
			continue
		}
		off, _ := g.plan.Offset(b.value)
		c.line("%s.%s = %s.%s[%d:%d:%d]", g.recv, b.field, g.recv, b.value.Type.DType, off, off+n, off+n)
	}
	if g.scratch > 0 {
		c.line("%s.scratch = make([]float64, %d)", g.recv, g.scratch)
	}
	for _, d := range arenaOrder {
		if n := g.blockRegs[d]; n > 0 {
			parts := "1"
			if g.procs {
				parts = g.recv + ".procs"
			}
			c.line("%s.reg%s = make([][]%s, %s)", g.recv, d, elemType(d), parts)
			c.line("for p := range %s.reg%s {", g.recv, d)
			c.line("%s.reg%s[p] = make([]%s, %d)", g.recv, d, elemType(d), n*blockLen)
			c.line("}")
		}
	}
	g.linalgConstructor(c)
	if g.ctorErr {
		c.line("var err error")
	}
	c.Write(g.ctor.Bytes())
	c.line("return %s, nil", g.recv)
	c.line("}")
	c.line("")
}

func (g *gen) stepMethod(c *code) {
	api := g.api
	c.line("// Step runs @%s on the inputs in In and sets Out. It reports inputs", commentText(g.f.Name))
	c.line("// of the wrong length and the errors of the instructions that can")
	c.line("// fail (an index out of range, a matrix that is not positive definite,")
	c.line("// ...), naming the instruction; Out is then not set.")
	c.line("func (%s *%s) Step() error {", g.recv, api.Type)
	for _, fd := range api.Inputs {
		if fd.Scalar() {
			continue
		}
		n := fd.Value.Type.Shape.Size()
		c.line("if len(%s.In.%s) != %d {", g.recv, fd.Name, n)
		c.line("return fmt.Errorf(\"%s.Step: In.%s holds %%d elements, want %d (%%s)\", len(%s.In.%s), %s)",
			api.Type, fd.Name, n, g.recv, fd.Name, strconv.Quote(quoteName(fd.Value)+": "+fd.Value.Type.String()))
		c.line("}")
	}
	for _, b := range g.boxes {
		c.line("%s", b)
	}
	c.Write(g.step.Bytes())
	c.line("return nil")
	c.line("}")
	c.line("")
}

// taskType is the name of the file's parallel task type.
func (g *gen) taskType() string {
	if g.task == "" {
		g.task = g.helper("Task")
	}
	return g.task
}

func (g *gen) helpers(c *code) {
	api := g.api
	if g.procs {
		task := g.taskType()
		c.line("// %s runs part of a loop of a %s on one goroutine.", task, api.Type)
		c.line("type %s struct {", task)
		c.line("s *%s", api.Type)
		c.line("run func(s *%s, part, lo, hi int)", api.Type)
		c.line("n, parts int")
		c.line("}")
		c.line("")
		c.line("// RunPart runs part i of the loop: its share of [0, n).")
		c.line("func (t *%s) RunPart(i int) { t.run(t.s, i, i*t.n/t.parts, (i+1)*t.n/t.parts) }", task)
		c.line("")
		c.line("// parallel runs run over [0, n) in parts on as many goroutines (or")
		c.line("// inline for one part); part p may use the scratch of part p. Each")
		c.line("// element is computed the same way whatever the part, so the result")
		c.line("// has the same bits.")
		c.line("func (%s *%s) parallel(parts, n int, run func(s *%s, part, lo, hi int)) {", g.recv, api.Type, api.Type)
		c.line("if parts <= 1 {")
		c.line("run(%s, 0, 0, n)", g.recv)
		c.line("return")
		c.line("}")
		c.line("%s.task = %s{s: %s, run: run, n: n, parts: parts}", g.recv, task, g.recv)
		c.line("kernels.Parallel(parts, &%s.task)", g.recv)
		c.line("%s.task = %s{}", g.recv, task)
		c.line("}")
		c.line("")
	}
}
