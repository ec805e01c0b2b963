//go:build !amd64 || noasm

package kernels

// Stubs for builds without the assembly elementwise kernels; haveAsm is
// false, so they are never called.

func addVVs(dst, a, b *float32, n int) { panic("kernels: no assembly") }

func subVVs(dst, a, b *float32, n int) { panic("kernels: no assembly") }

func mulVVs(dst, a, b *float32, n int) { panic("kernels: no assembly") }

func addVSs(dst, a *float32, s float32, n int) { panic("kernels: no assembly") }

func subVSs(dst, a *float32, s float32, n int) { panic("kernels: no assembly") }

func mulVSs(dst, a *float32, s float32, n int) { panic("kernels: no assembly") }

func subSVs(dst *float32, s float32, b *float32, n int) { panic("kernels: no assembly") }

func relus(dst, x *float32, n int) { panic("kernels: no assembly") }

func steps(dst, x *float32, n int) { panic("kernels: no assembly") }

func addVVd(dst, a, b *float64, n int) { panic("kernels: no assembly") }

func subVVd(dst, a, b *float64, n int) { panic("kernels: no assembly") }

func mulVVd(dst, a, b *float64, n int) { panic("kernels: no assembly") }

func addVSd(dst, a *float64, s float64, n int) { panic("kernels: no assembly") }

func subVSd(dst, a *float64, s float64, n int) { panic("kernels: no assembly") }

func mulVSd(dst, a *float64, s float64, n int) { panic("kernels: no assembly") }

func subSVd(dst *float64, s float64, b *float64, n int) { panic("kernels: no assembly") }

func relud(dst, x *float64, n int) { panic("kernels: no assembly") }

func stepd(dst, x *float64, n int) { panic("kernels: no assembly") }
