package rng

import "math"

// The Box–Muller transform of the normal streams, written out so that the
// streams are the same on every platform and build: each product that
// feeds a sum is rounded by an explicit conversion, which forbids the
// compiler to fuse the two into one multiply-add (it does on arm64, and
// on amd64 from GOAMD64=v3). The operations are those of Go's math.Log on
// amd64 and of math.Sincos, restricted to the arguments a stream produces;
// on amd64 below v3 the results are theirs bit for bit
// (boxmuller_oracle_test.go), and normal_amd64.s computes the same
// operations four blocks at a time.

// Coefficients of the logarithm: ln(1+f) = 2s + s·R(s²) with s = f/(2+f).
const (
	ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
	lg1   = 6.666666666666735130e-01   // 0x3FE5555555555593
	lg2   = 3.999999999940941908e-01   // 0x3FD999999997FA04
	lg3   = 2.857142874366239149e-01   // 0x3FD2492494229359
	lg4   = 2.222219843214978396e-01   // 0x3FCC71C51D8E78AF
	lg5   = 1.818357216161805012e-01   // 0x3FC7466496CB03DE
	lg6   = 1.531383769920937332e-01   // 0x3FC39A09D078C69F
	lg7   = 1.479819860511658591e-01   // 0x3FC2F112DF3E5244
)

// logUnit returns ln x for x in (0, 1] (no zeros, subnormals, infinities
// or NaNs reach it: x = 1-u1 is a multiple of 2⁻⁵³).
func logUnit(x float64) float64 {
	bits := math.Float64bits(x)
	f1 := math.Float64frombits(bits&(1<<52-1) | math.Float64bits(0.5))
	k := float64(int64(bits>>52) - 1022)
	if f1 <= math.Sqrt2/2 { // f1 in [√2/2, √2) after this
		k--
		f1 = float64(f1 * 2)
	}
	f := f1 - 1
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * (lg1 + float64(s4*(lg3+float64(s4*(lg5+float64(s4*lg7)))))))
	t2 := float64(s4 * (lg2 + float64(s4*(lg4+float64(s4*lg6)))))
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+float64(t1+t2))) + float64(k*ln2Lo))) - f)
}

// Coefficients of the sine and cosine on [-π/4, π/4], and π/4 in three
// parts for an exact reduction.
var (
	sinCoef = [...]float64{1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6, -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1}
	cosCoef = [...]float64{-1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7, 2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2}
)

const (
	pi4A = 7.85398125648498535156e-1  // 0x3fe921fb40000000
	pi4B = 3.77489470793079817668e-8  // 0x3e64442d00000000
	pi4C = 2.69515142907905952645e-15 // 0x3ce8469898cc5170
)

// sincosAngle returns sin θ and cos θ for θ in [0, 2π].
func sincosAngle(theta float64) (sin, cos float64) {
	j := uint64(theta * (4 / math.Pi)) // octant
	if j&1 == 1 {                      // map zeros to the origin
		j++
	}
	y := float64(j)
	j &= 7
	z := float64(float64(theta-float64(y*pi4A))-float64(y*pi4B)) - float64(y*pi4C)
	sinSign, cosSign := j > 3, j > 3
	if j > 3 {
		j -= 4
	}
	if j > 1 {
		cosSign = !cosSign
	}
	zz := float64(z * z)
	cos = float64(1-float64(0.5*zz)) + float64(float64(zz*zz)*poly(cosCoef, zz))
	sin = z + float64(float64(z*zz)*poly(sinCoef, zz))
	if j == 1 || j == 2 {
		sin, cos = cos, sin
	}
	if cosSign {
		cos = -cos
	}
	if sinSign {
		sin = -sin
	}
	return sin, cos
}

// poly evaluates c[0]·x⁵ + c[1]·x⁴ + ... + c[5] by Horner's rule.
func poly(c [6]float64, x float64) float64 {
	p := c[0]
	for _, ci := range c[1:] {
		p = float64(p*x) + ci
	}
	return p
}
