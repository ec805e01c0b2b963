package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
	"github.com/pushforward/pushforward/runtime/tensorjson"
)

// pf runs the command line in-process and returns its exit status and
// output streams.
func pf(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(&env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}, args)
	return code, out.String(), errOut.String()
}

const goldenMLP = "../../testdata/ir/mlp_xent.pf"

// randomInputs writes random inputs for every parameter of f.
func randomInputs(t *testing.T, f *ir.Func, r *rand.Rand) (string, []*runtime.Tensor) {
	var named []tensorjson.Named
	var ts []*runtime.Tensor
	for _, p := range f.Params {
		n := p.Type.Shape.Size()
		data := make([]float64, n)
		for i := range data {
			if p.Type.DType == ir.I64 {
				data[i] = float64(r.IntN(10))
			} else {
				data[i] = r.NormFloat64() * 0.2
			}
		}
		tensor := runtime.FromFloat64s(p.Type, data)
		named = append(named, tensorjson.Named{Name: p.Name, Tensor: tensor})
		ts = append(ts, tensor)
	}
	path := filepath.Join(t.TempDir(), "in.json")
	var buf bytes.Buffer
	if err := tensorjson.WriteInputs(&buf, named); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, ts
}

func dense(t *runtime.Tensor) *mat.Dense {
	s := t.Type.Shape
	return mat.NewDense(s[0], s[1], t.Float64s())
}

// gonumMLPLoss is the loss of mlp_xent.pf computed independently with
// gonum in float64: relu(x W1 + b1) W2 + b2, softmax cross-entropy.
func gonumMLPLoss(in []*runtime.Tensor) float64 {
	x, labels := dense(in[0]), in[1].I64
	w1, b1, w2, b2 := dense(in[2]), in[3].Float64s(), dense(in[4]), in[5].Float64s()
	var h, z mat.Dense
	h.Mul(x, w1)
	h.Apply(func(i, j int, v float64) float64 { return math.Max(v+b1[j], 0) }, &h)
	z.Mul(&h, w2)
	rows, _ := z.Dims()
	loss := 0.0
	for i := range rows {
		row := z.RawRowView(i)
		floats.Add(row, b2)
		loss += floats.LogSumExp(row) - row[labels[i]]
	}
	return loss / float64(rows)
}

func TestRunMLPAgreesWithGonum(t *testing.T) {
	src, err := os.ReadFile(goldenMLP)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ir.Parse(goldenMLP, src)
	if err != nil {
		t.Fatal(err)
	}
	inPath, inputs := randomInputs(t, m.Funcs[0], rand.New(rand.NewPCG(1, 2)))
	code, stdout, stderr := pf(t, "", "run", goldenMLP, "-in", inPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Results []struct {
			Name  string    `json:"name"`
			DType string    `json:"dtype"`
			Shape []int     `json:"shape"`
			Data  []float64 `json:"data"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if len(doc.Results) != 1 || doc.Results[0].Name != "loss" || doc.Results[0].DType != "f32" || len(doc.Results[0].Shape) != 0 {
		t.Fatalf("unexpected results: %s", stdout)
	}
	got, want := doc.Results[0].Data[0], gonumMLPLoss(inputs)
	// f32 accumulation over 40- and 128-long dot products: a relative
	// error of a few 1e-7 per element, 1e-5 leaves ample room.
	if math.Abs(got-want) > 1e-5*math.Abs(want) {
		t.Errorf("loss %v, gonum %v", got, want)
	}
}

func TestRunInputErrorsNameTheParameter(t *testing.T) {
	dir := t.TempDir()
	irPath := filepath.Join(dir, "f.pf")
	os.WriteFile(irPath, []byte("func @f(%x: f64[2] data) -> (f64[2]) {\n  %y = exp %x : f64[2]\n  return %y\n}\n"), 0o644)
	for _, tc := range []struct{ inputs, want string }{
		{`{"inputs":[]}`, "missing inputs for parameters [%x]"},
		{`{"inputs":[{"name":"x","dtype":"f64","shape":[3],"data":[1,2,3]}]}`, `input "x": got f64[3], want f64[2]`},
		{`{"inputs":[{"name":"x","dtype":"f64","shape":[2],"data":[1,2]},{"name":"q","dtype":"f64","shape":[],"data":[1]}]}`, `input "q": @f has no such parameter`},
	} {
		code, _, stderr := pf(t, tc.inputs, "run", irPath, "-in", "-")
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("exit %d, stderr %q, want %q", code, stderr, tc.want)
		}
	}
	code, stdout, _ := pf(t, `{"inputs":[{"name":"x","dtype":"f64","shape":[2],"data":[1000,"-Inf"]}]}`, "run", "-in", "-", irPath)
	if code != 0 || stdout != `{"results":[{"name":"y","dtype":"f64","shape":[2],"data":["+Inf",0]}]}`+"\n" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
}

func TestVerifyPrintsFileLineCol(t *testing.T) {
	path := "../../testdata/invalid/shape_mismatch_matmul.pf"
	code, _, stderr := pf(t, "", "verify", path)
	if code != 1 || !strings.HasPrefix(stderr, path+":") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		parts := strings.SplitN(line, ":", 4)
		if len(parts) < 4 || parts[0] != path {
			t.Errorf("line %q is not FILE:line:col: message", line)
		}
	}
	if code, _, _ := pf(t, "", "verify", goldenMLP); code != 0 {
		t.Errorf("valid file: exit %d", code)
	}
}

func TestFmtRoundTrip(t *testing.T) {
	src, err := os.ReadFile(goldenMLP)
	if err != nil {
		t.Fatal(err)
	}
	code, out1, stderr := pf(t, string(src), "fmt", "-")
	if code != 0 {
		t.Fatal(stderr)
	}
	_, out2, _ := pf(t, out1, "fmt", "-")
	if out1 != string(src) || out1 != out2 {
		t.Errorf("fmt does not give the canonical file back:\n%s\n%s", out1, out2)
	}
}

// fmt keeps comments, attached to the statement they precede.
func TestFmtKeepsComments(t *testing.T) {
	src := "// the model\nfunc @f(%x: f32[2] data) -> (f32[2]) {\n// negate\n%y = neg %x   :   f32[2]   // why\n  return %y\n}\n"
	want := "// the model\nfunc @f(%x: f32[2] data) -> (f32[2]) {\n  // negate\n  %y = neg %x : f32[2] // why\n  return %y\n}\n"
	code, out, stderr := pf(t, src, "fmt", "-")
	if code != 0 || out != want {
		t.Errorf("exit %d, output\n%s\nwant\n%s%s", code, out, want, stderr)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"fmt"},
		{"fmt", "a", "b"},
		{"verify", "-bogus", "x"},
		{"opt", goldenMLP},
		{"opt", "-passes=jvp", "-tangents=0", goldenMLP},
		{"help", "nope"},
	} {
		if code, _, _ := pf(t, "", args...); code != 2 {
			t.Errorf("pf %v: exit %d, want 2", args, code)
		}
	}
	for _, cmd := range []string{"fmt", "verify", "run", "opt", "help"} {
		code, _, stderr := pf(t, "", cmd, "-h")
		if code != 0 || !strings.Contains(stderr, "usage: pf "+cmd) {
			t.Errorf("pf %s -h: exit %d, %q", cmd, code, stderr)
		}
	}
	if code, stdout, _ := pf(t, "", "help", "ops"); code != 0 || !strings.Contains(stdout, "softmax_xent") {
		t.Errorf("pf help ops: exit %d", code)
	}
}

func TestMissingFile(t *testing.T) {
	code, _, stderr := pf(t, "", "verify", "no/such/file.pf")
	if code != 1 || !strings.Contains(stderr, "no/such/file.pf") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// opt -passes=jvp and -passes=vjp work on every golden file whose ops have
// derivative rules, and their output verifies.
func TestOptOnGoldenFiles(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/ir/*.pf")
	if len(files) < 12 {
		t.Fatalf("only %d golden files", len(files))
	}
	for _, file := range files {
		for _, p := range []string{"jvp,fold,cse,dce", "vjp,fold,cse,dce", "implicit,jvp,fold,cse,dce"} {
			code, stdout, stderr := pf(t, "", "opt", "-passes="+p, "-verify", file)
			if code != 0 {
				t.Errorf("pf opt -passes=%s %s: exit %d: %s", p, file, code, stderr)
				continue
			}
			if code, _, stderr := pf(t, stdout, "verify", "-"); code != 0 {
				t.Errorf("output of %s on %s does not verify: %s", p, file, stderr)
			}
		}
	}
}

// A transformed function runs like any other: tangent inputs are ordinary
// inputs. For f(x) = sum(x²) the tangent along v is 2⟨x, v⟩.
func TestRunTransformedFunction(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "f.pf")
	os.WriteFile(src, []byte("func @f(%x: f64[3] param) -> (f64[]) {\n  %s = square %x : f64[3]\n  %y = reduce_sum %s : f64[]\n  return %y\n}\n"), 0o644)
	code, jvp, stderr := pf(t, "", "opt", "-passes=jvp,fold,cse,dce", "-verify", src)
	if code != 0 {
		t.Fatal(stderr)
	}
	jvpPath := filepath.Join(dir, "jvp.pf")
	os.WriteFile(jvpPath, []byte(jvp), 0o644)
	in := `{"inputs":[{"name":"x","dtype":"f64","shape":[3],"data":[1,2,3]},{"name":"x.tangent","dtype":"f64","shape":[3],"data":[1,0,-1]}]}`
	code, out, stderr := pf(t, in, "run", jvpPath, "-in", "-")
	want := `{"results":[{"name":"y","dtype":"f64","shape":[],"data":[14]},{"name":"y.tangent","dtype":"f64","shape":[],"data":[-4]}]}` + "\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, got %s want %s (%s)", code, out, want, stderr)
	}
	code, vjp, stderr := pf(t, "", "opt", "-passes=vjp", src)
	if code != 0 {
		t.Fatalf("pf opt -passes=vjp: exit %d: %s", code, stderr)
	}
	os.WriteFile(jvpPath, []byte(vjp), 0o644)
	code, out, stderr = pf(t, `{"inputs":[{"name":"x","dtype":"f64","shape":[3],"data":[1,2,3]}]}`, "run", jvpPath, "-in", "-")
	want = `{"results":[{"name":"y","dtype":"f64","shape":[],"data":[14]},{"name":"x.grad","dtype":"f64","shape":[3],"data":[2,4,6]}]}` + "\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, got %s want %s (%s)", code, out, want, stderr)
	}
}

// pf run prepares an argmin with the implicit pass: x* = argmin ½‖x − a⊙w‖²
// is a⊙w, and the loss Σx*².
func TestRunArgmin(t *testing.T) {
	ones := strings.TrimSuffix(strings.Repeat("1,", 16), ",")
	twos := strings.TrimSuffix(strings.Repeat("2,", 16), ",")
	in := `{"inputs":[{"name":"a","dtype":"f32","shape":[16],"data":[` + ones + `]},{"name":"w","dtype":"f32","shape":[16],"data":[` + twos + `]}]}`
	code, out, stderr := pf(t, in, "run", "../../testdata/ir/argmin_projection.pf", "-in", "-")
	want := `{"results":[{"name":"loss","dtype":"f32","shape":[],"data":[64]}]}` + "\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, got %s want %s (%s)", code, out, want, stderr)
	}
}
