package train

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// Ticks marks a plot axis with labels that read as plain numbers, each
// the exact value of its tick, and never repeat: on a linear axis (Log
// false) every 1, 2 or 5 times a power of ten, four or so in the range
// ("2.286, 2.288, 2.290", where gonum's default ticks read "2.29, 2.29,
// 2.29"); on a log axis (Log true, with plot.LogScale) at the powers of
// ten and, where the range holds fewer than two of them, at 2 and 5 times
// them, labelled "0.01", "10", "1000" rather than "1e+01". With Integer
// (for counts such as epochs) a linear axis has ticks at integers only. It
// is a plot.Ticker.
type Ticks struct{ Log, Integer bool }

var _ plot.Ticker = Ticks{}

// Ticks returns the tick marks of [min, max].
func (t Ticks) Ticks(min, max float64) []plot.Tick {
	if t.Log {
		return logTicks(min, max)
	}
	return linearTicks(min, max, t.Integer)
}

// linearTicks places major ticks at the multiples of a step of 1, 2 or 5
// times a power of ten that gives about four of them, with minor ticks
// between.
func linearTicks(lo, hi float64, integer bool) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := (hi - lo) / 4
	mag := math.Pow10(int(math.Floor(math.Log10(raw))))
	step, minors := 10*mag, 5
	switch r := raw / mag; {
	case r < 1.5:
		step = mag
	case r < 3:
		step, minors = 2*mag, 4
	case r < 7:
		step = 5 * mag
	}
	if integer && step < 1 {
		step, minors = 1, 1
	}
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	minor := step / float64(minors)
	var ticks []plot.Tick
	for i := math.Ceil(lo/minor - 1e-9); i*minor <= hi+1e-9*minor; i++ {
		v := i * minor
		tk := plot.Tick{Value: v}
		if int(math.Round(i))%minors == 0 {
			tk.Label = formatTick(v, decimals)
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

// formatTick formats v with the given decimals, in plain notation unless
// it is very large or small.
func formatTick(v float64, decimals int) string {
	if a := math.Abs(v); a != 0 && (a >= 1e7 || a < 1e-5) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if s == "-0" || strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// logTicks marks [min, max] (both positive) for a log axis.
func logTicks(min, max float64) []plot.Tick {
	if min <= 0 || max <= min {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	lo, hi := int(math.Floor(math.Log10(min))), int(math.Ceil(math.Log10(max)))
	decades := 0
	for e := lo; e <= hi; e++ {
		if p := math.Pow10(e); p >= min && p <= max {
			decades++
		}
	}
	var ticks []plot.Tick
	for e := lo; e <= hi; e++ {
		p := math.Pow10(e)
		for m := 1; m < 10; m++ {
			v := float64(m) * p
			if v < min || v > max {
				continue
			}
			label := ""
			if m == 1 || (decades < 2 && (m == 2 || m == 5)) {
				label = plainNumber(v)
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
	}
	return ticks
}

// plainNumber formats v in the shortest plain notation: 0.01, 10, 1000.
func plainNumber(v float64) string {
	if a := math.Abs(v); a >= 1e7 || a < 1e-5 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
