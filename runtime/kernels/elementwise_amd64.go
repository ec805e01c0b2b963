//go:build amd64 && !noasm

package kernels

// The assembly elementwise kernels of elementwise_amd64.s; n is a multiple
// of the vector width (8 f32, 4 f64).

//go:noescape
func addVVs(dst, a, b *float32, n int)

//go:noescape
func subVVs(dst, a, b *float32, n int)

//go:noescape
func mulVVs(dst, a, b *float32, n int)

//go:noescape
func addVSs(dst, a *float32, s float32, n int)

//go:noescape
func subVSs(dst, a *float32, s float32, n int)

//go:noescape
func mulVSs(dst, a *float32, s float32, n int)

//go:noescape
func subSVs(dst *float32, s float32, b *float32, n int)

//go:noescape
func relus(dst, x *float32, n int)

//go:noescape
func steps(dst, x *float32, n int)

//go:noescape
func addVVd(dst, a, b *float64, n int)

//go:noescape
func subVVd(dst, a, b *float64, n int)

//go:noescape
func mulVVd(dst, a, b *float64, n int)

//go:noescape
func addVSd(dst, a *float64, s float64, n int)

//go:noescape
func subVSd(dst, a *float64, s float64, n int)

//go:noescape
func mulVSd(dst, a *float64, s float64, n int)

//go:noescape
func subSVd(dst *float64, s float64, b *float64, n int)

//go:noescape
func relud(dst, x *float64, n int)

//go:noescape
func stepd(dst, x *float64, n int)
