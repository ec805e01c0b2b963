package train

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// A progress bar, redrawn in place on a terminal, within the terminal's
// width: as the width shrinks the bar's fields get shorter and the least
// useful ones go, so that an update never wraps onto a new line. When the
// terminal is resized the bar is redrawn at once. A nil *progress draws
// nothing, which is what newProgress returns for anything but a terminal.
type progress struct {
	w     io.Writer
	label string
	// width returns the terminal's width in columns (0 if unknown).
	width func() int
	// total is the number of steps of the run; the rate is measured from
	// the first step this process took.
	total     int64
	startStep int64
	start     time.Time
	lastDraw  time.Time
	// acc and testAcc are the last epoch's accuracies, NaN before.
	acc, testAcc float64

	mu   sync.Mutex // guards the drawing and last, for the resize redraw
	last status     // what the bar shows
	stop func()     // stops the resize redraws
}

// status is what one drawing of the bar shows.
type status struct {
	epoch, epochs, batch, batches int
	done                          int64
	loss                          float64
	now                           time.Time
}

// drawEvery limits the redraws.
const drawEvery = 100 * time.Millisecond

// newProgress returns a progress bar on w if w is a terminal, else nil.
func newProgress(w io.Writer, label string, total, done int64) *progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	p := &progress{w: w, label: label, total: total, startStep: done, start: time.Now(), acc: math.NaN(), testAcc: math.NaN(),
		width: func() int {
			cols, _, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0
			}
			return cols
		}}
	p.stop = onResize(p.redraw)
	return p
}

// step redraws the bar after a step, at most every drawEvery (and always
// at the end of an epoch).
func (p *progress) step(epoch, epochs, batch, batches int, done int64, loss float64) {
	if p == nil {
		return
	}
	now := time.Now()
	if now.Sub(p.lastDraw) < drawEvery && batch < batches {
		return
	}
	p.lastDraw = now
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = status{epoch, epochs, batch, batches, done, loss, now}
	p.draw()
}

// redraw draws the bar again, as the terminal's width has changed.
func (p *progress) redraw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last.epochs > 0 {
		p.draw()
	}
}

// draw writes the line of p.last over the current line.
func (p *progress) draw() {
	width := 80
	if p.width != nil {
		if w := p.width(); w > 0 {
			width = w
		}
	}
	// The last column stays free: a line that fills it wraps on some
	// terminals.
	fmt.Fprintf(p.w, "\r%s\x1b[K", p.line(p.last, width-1))
}

// line formats the bar in at most width columns: the first of its forms,
// from the most to the least detailed, that fits, and the shortest one
// cut to the width if none does.
func (p *progress) line(s status, width int) string {
	acc := "-"
	if !math.IsNaN(p.acc) {
		acc = fmt.Sprintf("%.3f/%.3f", p.acc, p.testAcc)
	}
	eta := p.eta(s.done, s.now)
	bar := func(n int) string {
		frac := float64(s.done) / float64(max(p.total, 1))
		filled := min(n, int(frac*float64(n)))
		return "[" + strings.Repeat("=", filled) + strings.Repeat(" ", n-filled) + "] "
	}
	forms := []string{
		fmt.Sprintf("%s %sepoch %d/%d step %d/%d loss %.4f acc (train/test) %s ETA %s",
			p.label, bar(20), s.epoch, s.epochs, s.batch, s.batches, s.loss, acc, eta),
		fmt.Sprintf("%s %sep %d/%d %d/%d loss %.4f acc %s ETA %s", p.label, bar(20), s.epoch, s.epochs, s.batch, s.batches, s.loss, acc, eta),
		fmt.Sprintf("%s %sep %d/%d %d/%d loss %.4f acc %s ETA %s", p.label, bar(10), s.epoch, s.epochs, s.batch, s.batches, s.loss, acc, eta),
		fmt.Sprintf("%s ep %d/%d %d/%d loss %.4f acc %s ETA %s", p.label, s.epoch, s.epochs, s.batch, s.batches, s.loss, acc, eta),
		fmt.Sprintf("%s ep %d/%d %d/%d loss %.3f acc %s ETA %s", p.label, s.epoch, s.epochs, s.batch, s.batches, s.loss, acc, eta),
		fmt.Sprintf("%s ep %d/%d %d/%d loss %.3f ETA %s", p.label, s.epoch, s.epochs, s.batch, s.batches, s.loss, eta),
		fmt.Sprintf("%s ep %d/%d ETA %s", p.label, s.epoch, s.epochs, eta),
	}
	for _, f := range forms {
		if utf8.RuneCountInString(f) <= width {
			return f
		}
	}
	return cut(forms[len(forms)-1], width)
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	n = max(n, 0)
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// eta estimates the time left from this process's rate.
func (p *progress) eta(done int64, now time.Time) string {
	steps := done - p.startStep
	if steps <= 0 {
		return "?"
	}
	per := now.Sub(p.start) / time.Duration(steps)
	left := per * time.Duration(p.total-done)
	return left.Round(time.Second).String()
}

// epoch records the accuracies of a finished epoch for the bar.
func (p *progress) epoch(m EpochMetrics) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.acc, p.testAcc = m.TrainAcc, m.TestAcc
}

// done replaces the bar by a line summing the run up.
func (p *progress) done(r *Result, err error) {
	if p == nil {
		return
	}
	if p.stop != nil {
		p.stop()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\x1b[K")
	m := r.Final()
	fmt.Fprintf(p.w, "%s: %d epochs, train loss %.4f, train acc %.4f, test acc %.4f, %s", p.label, len(r.Epochs),
		m.TrainLoss, m.TrainAcc, m.TestAcc, r.Wall.Round(100*time.Millisecond))
	if err != nil {
		fmt.Fprint(p.w, " (stopped)")
	}
	fmt.Fprintln(p.w)
}
