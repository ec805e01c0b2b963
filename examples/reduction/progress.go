package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/pushforward/pushforward/methods/reduction"
)

// progress reports a long run on stderr: redrawn in place on a terminal,
// else a line every interval. Runs shorter than quiet show nothing.
type progress struct {
	w        io.Writer
	label    string
	cap      int
	terminal bool
	interval time.Duration
	start    time.Time
	last     time.Time
	drawn    bool
}

const (
	quiet      = time.Second
	redraw     = 200 * time.Millisecond
	checkEvery = 512 // iterations between looks at the clock
)

func newProgress(w io.Writer, label string, cap int, intervalSeconds float64) *progress {
	f, ok := w.(*os.File)
	now := time.Now()
	return &progress{w: w, label: label, cap: cap, terminal: ok && term.IsTerminal(int(f.Fd())),
		interval: time.Duration(intervalSeconds * float64(time.Second)), start: now, last: now}
}

// update is Options.Progress.
func (p *progress) update(pt reduction.Point) {
	if pt.Iter%checkEvery != 0 {
		return
	}
	now := time.Now()
	if now.Sub(p.start) < quiet {
		return
	}
	every := p.interval
	if p.terminal {
		every = redraw
	}
	if now.Sub(p.last) < every {
		return
	}
	p.last = now
	line := fmt.Sprintf("%s: iteration %d of at most %d, f = %.4g, ‖∇‖ = %.3g, %s", p.label, pt.Iter, p.cap, pt.F, pt.GNorm,
		now.Sub(p.start).Round(time.Second))
	if p.terminal {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		p.drawn = true
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// done clears the line drawn on a terminal.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
