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
// Zen 4 runs a 512-bit FMA as two 256-bit halves, so it has the same peak;
// Intel's AVX-512 server cores have two 512-bit units, twice as many. The
// measured peaks below are what the percentages should use.
const flopsPerCycle = 32

// An fmaLoop is one width's loop of independent FMAs.
type fmaLoop struct {
	width int // bits per vector
	run   func(n int)
	flops int // f32 flops an iteration
}

// runPeak measures the FMA peak with a loop of independent FMAs on one
// thread and on all of them, for each vector width the CPU runs (256 and,
// with AVX-512, 512 bits: the widest is the machine's peak), and reports
// the clock /proc/cpuinfo states with the peak it implies. f64 peaks are
// half the f32 ones.
func runPeak(o *options, emit func(result)) error {
	info := cpuInfo()
	threads := runtime.GOMAXPROCS(0)
	if info.mhz > 0 {
		emit(result{Case: "peak", Name: "cpuinfo_mhz " + info.model, Value: info.mhz})
		emit(result{Case: "peak", Name: "cpuinfo_peak_f32_gflops", Threads: threads, Value: float64(threads) * info.mhz / 1e3 * flopsPerCycle})
	}
	for _, loop := range fmaLoops() {
		kernel := "avx" + strconv.Itoa(loop.width)
		if loop.width == 256 {
			kernel = "avx2"
		}
		for _, th := range []int{1, threads} {
			var samples []float64
			for range o.rounds {
				samples = append(samples, fmaGFLOPS(loop, th, o.minTime))
			}
			g := median(samples)
			emit(result{Case: "peak", Kernel: kernel, DType: "f32", Threads: th, GFLOPS: g, Rounds: o.rounds})
			emit(result{Case: "peak", Kernel: kernel, DType: "f64", Threads: th, GFLOPS: g / 2, Rounds: o.rounds})
			if th == 1 && loop.width == 256 {
				emit(result{Case: "peak", Name: "measured_clock_ghz", Value: g / flopsPerCycle})
			}
		}
	}
	return nil
}

// fmaGFLOPS runs loop on th goroutines (each locked to a thread) for about
// d and returns their total f32 GFLOP/s.
func fmaGFLOPS(loop fmaLoop, th int, d time.Duration) float64 {
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
				loop.run(chunk)
				n += chunk
			}
			rate := float64(n) * float64(loop.flops) / time.Since(start).Seconds() / 1e9
			mu.Lock()
			total += rate
			mu.Unlock()
		})
	}
	wg.Wait()
	return total
}

// cpu is what /proc/cpuinfo says of the first processor.
type cpu struct {
	model, vendor string
	mhz           float64
}

// cpuInfo reads the model name, vendor and clock in MHz of the first
// processor listed in /proc/cpuinfo, if there is one.
func cpuInfo() cpu {
	var c cpu
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return c
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		key, value, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case key == "model name" && c.model == "":
			c.model = value
		case key == "vendor_id" && c.vendor == "":
			c.vendor = value
		case key == "cpu MHz" && c.mhz == 0:
			c.mhz, _ = strconv.ParseFloat(value, 64)
		}
	}
	return c
}

// cpuVendor returns the CPU's vendor string (GenuineIntel, AuthenticAMD).
func cpuVendor() string { return cpuInfo().vendor }
