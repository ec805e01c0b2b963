package fwdgrad

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// OrthonormalRows returns a random [p, d] matrix (p ≤ d) with orthonormal
// rows, drawn from seed: the initial warm start of wperp's bases.
func OrthonormalRows(t ir.Type, seed uint64) *runtime.Tensor {
	r := rand.New(rand.NewPCG(seed, 0x6f7274686f))
	p, d := t.Shape[0], t.Shape[1]
	a := mat.NewDense(d, p, nil)
	for i := range d {
		for j := range p {
			a.Set(i, j, r.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q mat.Dense
	qr.QTo(&q)
	data := make([]float64, p*d)
	for i := range p {
		for j := range d {
			data[i*d+j] = q.At(j, i)
		}
	}
	return runtime.FromFloat64s(t, data)
}
