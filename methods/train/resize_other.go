//go:build !unix

package train

// onResize does nothing where there is no resize signal: the bar takes
// the new width at its next redraw.
func onResize(func()) (stop func()) { return func() {} }
