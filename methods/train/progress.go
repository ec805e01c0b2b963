package train

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// A progress bar, redrawn in place on a terminal. A nil *progress draws
// nothing, which is what newProgress returns for anything but a terminal.
type progress struct {
	w     io.Writer
	label string
	// total is the number of steps of the run; the rate is measured from
	// the first step this process took.
	total     int64
	startStep int64
	start     time.Time
	lastDraw  time.Time
	// acc and testAcc are the last epoch's accuracies, NaN before.
	acc, testAcc float64
}

// drawEvery limits the redraws.
const drawEvery = 100 * time.Millisecond

// newProgress returns a progress bar on w if w is a terminal, else nil.
func newProgress(w io.Writer, label string, total, done int64) *progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{w: w, label: label, total: total, startStep: done, start: time.Now(), acc: math.NaN(), testAcc: math.NaN()}
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
	fmt.Fprintf(p.w, "\r%s\x1b[K", p.line(epoch, epochs, batch, batches, done, loss, now))
}

// line formats the bar.
func (p *progress) line(epoch, epochs, batch, batches int, done int64, loss float64, now time.Time) string {
	const width = 20
	frac := float64(done) / float64(max(p.total, 1))
	filled := min(width, int(frac*width))
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	acc := "-"
	if !math.IsNaN(p.acc) {
		acc = fmt.Sprintf("%.3f/%.3f", p.acc, p.testAcc)
	}
	return fmt.Sprintf("%s [%s] epoch %d/%d step %d/%d loss %.4f acc (train/test) %s ETA %s",
		p.label, bar, epoch, epochs, batch, batches, loss, acc, p.eta(done, now))
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
	p.acc, p.testAcc = m.TrainAcc, m.TestAcc
}

// done replaces the bar by a line summing the run up.
func (p *progress) done(r *Result, err error) {
	if p == nil {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	m := r.Final()
	fmt.Fprintf(p.w, "%s: %d epochs, train loss %.4f, train acc %.4f, test acc %.4f, %s", p.label, len(r.Epochs),
		m.TrainLoss, m.TrainAcc, m.TestAcc, r.Wall.Round(100*time.Millisecond))
	if err != nil {
		fmt.Fprint(p.w, " (stopped)")
	}
	fmt.Fprintln(p.w)
}
