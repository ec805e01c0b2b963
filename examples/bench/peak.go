package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// flopsPerCycle is the f32 flops per cycle of a core with two 256-bit FMA
// units (Haswell and later, Zen 2 and later): 2 units × 8 lanes × 2 flops.
const flopsPerCycle = 32

// runPeak measures the FMA peak with a loop of independent FMAs on one
// thread and on all of them, and reports the clock /proc/cpuinfo states
// with the peak it implies. f64 peaks are half the f32 ones (4 lanes).
func runPeak(o *options, emit func(result)) error {
	model, mhz := cpuInfo()
	threads := runtime.GOMAXPROCS(0)
	if mhz > 0 {
		emit(result{Case: "peak", Name: "cpuinfo_mhz " + model, Value: mhz})
		emit(result{Case: "peak", Name: "cpuinfo_peak_f32_gflops", Threads: threads, Value: float64(threads) * mhz / 1e3 * flopsPerCycle})
	}
	if !haveFMA {
		return nil
	}
	for _, th := range []int{1, threads} {
		var samples []float64
		for range o.rounds {
			samples = append(samples, fmaGFLOPS(th, o.minTime))
		}
		g := median(samples)
		emit(result{Case: "peak", DType: "f32", Threads: th, GFLOPS: g, Rounds: o.rounds})
		emit(result{Case: "peak", DType: "f64", Threads: th, GFLOPS: g / 2, Rounds: o.rounds})
		if th == 1 {
			emit(result{Case: "peak", Name: "measured_clock_ghz", Value: g / flopsPerCycle})
		}
	}
	return nil
}

// fmaGFLOPS runs the FMA loop on th goroutines (each locked to a thread)
// for about d and returns their total f32 GFLOP/s.
func fmaGFLOPS(th int, d time.Duration) float64 {
	// Iterations per call: about half a millisecond.
	const chunk = 1 << 18
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0.0
	for range th {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			n := 0
			start := time.Now()
			for time.Since(start) < d {
				fmaLoop32(chunk)
				n += chunk
			}
			rate := float64(n) * flopsPerIter / time.Since(start).Seconds() / 1e9
			mu.Lock()
			total += rate
			mu.Unlock()
		})
	}
	wg.Wait()
	return total
}

// cpuInfo returns the model name and the clock in MHz of the first
// processor listed in /proc/cpuinfo, if there is one.
func cpuInfo() (model string, mhz float64) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "", 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		key, value, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "model name":
			if model == "" {
				model = value
			}
		case "cpu MHz":
			if mhz == 0 {
				mhz, _ = strconv.ParseFloat(value, 64)
			}
		}
	}
	return model, mhz
}
