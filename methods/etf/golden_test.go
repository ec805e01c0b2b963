package etf_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

var update = flag.Bool("update", false, "rewrite testdata/etf/nearest_etf.pf and its golden dump")

const goldenHeader = `// The implicit nearest-ETF head (nn.ETFClassifier) on 8 examples of 5 features and 4 classes:
// normalised features, the moving average of the centred class means and the nearest simplex ETF
// as one declarative op, an argmin over the Stiefel manifold whose closed form ("etf") and
// derivative rule methods/etf registers; logits (h − μ_G)·Wᵀ, and the next state.
//
//   pf opt -passes=implicit,jvp,fold,cse,dce -wrt phi -dump-after=implicit,dce testdata/etf/nearest_etf.pf
`

// headFunc builds the golden head.
func headFunc(t *testing.T) *ir.Func {
	b := builder.New("nearest_etf_head")
	phi := b.Data("phi", ir.F32, 8, 5)
	labels := b.Data("labels", ir.I64, 8)
	out := nn.ETFClassifier(b, phi, labels, nn.ETFConfig{Head: nn.ImplicitHead, Classes: 4, Tau: 5})
	b.Return(append([]*ir.Value{b.Named("loss", b.SoftmaxXent(out.Logits, labels))}, out.Next...)...)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The head in testdata/etf (not testdata/ir, whose files every runtime
// test runs without methods/etf's registrations) is what the builder makes, and its dump after
// the implicit pass (the derived region functions and the Procrustes
// closed form @nearest_etf.solution) and after jvp (the polar factor's
// rule) is checked in.
func TestGoldenHead(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "etf", "nearest_etf.pf")
	dumpPath := filepath.Join("..", "..", "testdata", "dumps", "nearest_etf.implicit.pf")
	text := goldenHeader + ir.Renumbered(headFunc(t)).String()
	if *update {
		if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), text); diff != "" {
		t.Errorf("%s differs from the builder's head (-want +got; rerun with -update):\n%s", src, diff)
	}
	m, err := ir.Parse("nearest_etf.pf", want)
	if err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	_, err = passes.Run(m.Funcs[0], append([]string{"implicit", "jvp"}, passes.Cleanup...),
		passes.Options{Verify: true, DumpAfter: []string{"implicit", "dce"}, Dump: &dump, Wrt: []string{"phi"}})
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(dumpPath, []byte(dump.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	golden, err := os.ReadFile(dumpPath)
	if err != nil {
		t.Fatalf("%v (run go test ./methods/etf -run TestGoldenHead -update)", err)
	}
	if diff := cmp.Diff(string(golden), dump.String()); diff != "" {
		t.Errorf("dump differs from %s (-want +got; rerun with -update and review):\n%s", dumpPath, diff)
	}
}
