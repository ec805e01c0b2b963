package codegen_test

import (
	"os"
	"testing"

	"github.com/pushforward/pushforward/codegen"
	"github.com/pushforward/pushforward/ir"
)

func BenchmarkGenerate(b *testing.B) {
	src, _ := os.ReadFile("../testdata/ir/mlp3.pf")
	m, err := ir.Parse("mlp3.pf", src)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := codegen.Generate(m.Funcs[0], codegen.Options{Package: "x"}); err != nil {
			b.Fatal(err)
		}
	}
}
