//go:build unix

package train

import (
	"os"
	"os/signal"
	"syscall"
)

// onResize calls redraw whenever the terminal is resized (SIGWINCH), until
// the returned function is called.
func onResize(redraw func()) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	quit := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				redraw()
			case <-quit:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(quit)
	}
}
