package runtime_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// fusedBenchSrc are chains the training steps fuse, with %R and %C
// standing for the rows and columns: a layer's bias, ReLU and mask on a
// tangent; the same as a matmul epilogue; an AdamW-like update.
var fusedBenchSrc = map[string]string{
	"chain": `func @f(%s: f32[R,C] data, %b: f32[C] data, %t: f32[R,C] data) -> (f32[R,C], f32[R,C]) {
  %a = add %s, %b : f32[R,C]
  %h = relu %a : f32[R,C]
  %m = step %a : f32[R,C]
  %ht = mul %m, %t : f32[R,C]
  return %h, %ht
}`,
	"epilogue": `func @f(%x: f32[R,C] data, %w: f32[C,C] data, %b: f32[C] data, %t: f32[R,C] data) -> (f32[R,C], f32[R,C]) {
  %p = matmul %x, %w : f32[R,C]
  %a = add %p, %b : f32[R,C]
  %h = relu %a : f32[R,C]
  %m = step %a : f32[R,C]
  %ht = mul %m, %t : f32[R,C]
  return %h, %ht
}`,
	"adam": `func @f(%w: f32[R,C] data, %g: f32[R,C] data, %m: f32[R,C] data, %v: f32[R,C] data) -> (f32[R,C], f32[R,C], f32[R,C]) {
  %b1 = full {value=0.9} : f32[]
  %c1 = full {value=0.1} : f32[]
  %b2 = full {value=0.999} : f32[]
  %c2 = full {value=0.001} : f32[]
  %lr = full {value=0.001} : f32[]
  %eps = full {value=1e-08} : f32[]
  %m1 = mul %m, %b1 : f32[R,C]
  %m2 = mul %g, %c1 : f32[R,C]
  %mn = add %m1, %m2 : f32[R,C]
  %g2 = square %g : f32[R,C]
  %v1 = mul %v, %b2 : f32[R,C]
  %v2 = mul %g2, %c2 : f32[R,C]
  %vn = add %v1, %v2 : f32[R,C]
  %sq = sqrt %vn : f32[R,C]
  %den = add %sq, %eps : f32[R,C]
  %u = div %mn, %den : f32[R,C]
  %lu = mul %u, %lr : f32[R,C]
  %wn = sub %w, %lu : f32[R,C]
  return %wn, %mn, %vn
}`,
}

// BenchmarkFused times chains unfused and fused, run by a Runner:
// go test -bench Fused ./runtime.
func BenchmarkFused(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, name := range []string{"chain", "epilogue", "adam"} {
		for _, shape := range [][2]int{{512, 128}, {128, 1024}, {1024, 1024}} {
			src := fusedBenchSrc[name]
			src = replaceDims(src, shape[0], shape[1])
			f, err := ir.ParseFunc(src)
			if err != nil {
				b.Fatal(err)
			}
			fused, err := passes.Fuse(f, passes.FuseOptions{})
			if err != nil {
				b.Fatal(err)
			}
			inputs := specialInputs(f, r)
			for _, v := range []struct {
				name string
				fn   *ir.Func
			}{{"unfused", f}, {"fused", fused}} {
				it, err := runtime.New(v.fn)
				if err != nil {
					b.Fatal(err)
				}
				runner := it.NewRunner()
				b.Run(fmt.Sprintf("%s/%dx%d/%s", name, shape[0], shape[1], v.name), func(b *testing.B) {
					for b.Loop() {
						if _, err := runner.Run(inputs); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(passes.TrafficBytes(v.fn))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				})
			}
		}
	}
}

func replaceDims(src string, rows, cols int) string {
	out := []byte{}
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == 'R' && i+1 < len(src) && (src[i+1] == ',' || src[i+1] == ']'):
			out = fmt.Appendf(out, "%d", rows)
		case src[i] == 'C' && i+1 < len(src) && (src[i+1] == ',' || src[i+1] == ']') && i > 0 && (src[i-1] == ',' || src[i-1] == '['):
			out = fmt.Appendf(out, "%d", cols)
		default:
			out = append(out, src[i])
		}
	}
	return string(out)
}
