package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/kernels/isa"
)

// gemmShapes are the square sizes of the issue and the products of one
// step of the 784-1024-1024-10 MLP at batch 128: forward (x·W), input
// gradients (g·Wᵀ) and weight gradients or estimates (xᵀ·g).
var gemmShapes = []struct {
	tA, tB  bool
	m, n, k int
}{
	{false, false, 256, 256, 256},
	{false, false, 512, 512, 512},
	{false, false, 1024, 1024, 1024},
	{false, false, 128, 1024, 784},
	{false, false, 128, 1024, 1024},
	{false, false, 128, 10, 1024},
	{false, true, 128, 1024, 1024},
	{false, true, 128, 1024, 10},
	{true, false, 784, 1024, 128},
	{true, false, 1024, 1024, 128},
	{true, false, 1024, 10, 128},
}

// gemmImpl times one implementation on one product: it returns ns/op for
// a round of at least o.minTime.
type gemmImpl struct {
	name   string
	kernel string // the kernel family it runs (for the JSON)
	round  func(f32, tA, tB bool, m, n, k int) (float64, error)
}

// runGEMM times every shape in f32 and f64, the implementations taking
// turns round by round so that a change of load on the machine hits them
// alike.
func runGEMM(o *options, emit func(result)) error {
	packed := kernels.Packed{}
	impls := []gemmImpl{goGEMM("packed", packed, o)}
	impls[0].kernel = packed.KernelLevel().String()
	if o.levels {
		// The packed GEMM at every lower level the CPU runs too.
		for l := packed.KernelLevel() - 1; l >= isa.AVX2; l-- {
			im := goGEMM("packed-"+l.String(), packed.WithLevel(l), o)
			im.kernel = l.String()
			impls = append(impls, im)
		}
	}
	if o.gonum {
		impls = append(impls, goGEMM("gonum", kernels.Gonum{}, o))
	}
	if o.numpy {
		np, err := startNumpy(o)
		if err != nil {
			return err
		}
		defer np.close()
		emit(result{Case: "gemm", Impl: "openblas", Kernel: np.info.Architecture,
			Name: fmt.Sprintf("openblas %s %s (%s), %d threads", np.info.Version, np.info.Architecture, np.info.how, np.info.Threads)})
		impls = append(impls, gemmImpl{name: "openblas", kernel: np.info.Architecture, round: np.round})
	}
	for _, dtype := range []string{"f32", "f64"} {
		for _, s := range gemmShapes {
			samples := make([][]float64, len(impls))
			for r := range o.rounds {
				for j := range impls {
					// Turns in alternating order, so that neither side
					// always follows the other's idle settling.
					i := j
					if r%2 == 1 {
						i = len(impls) - 1 - j
					}
					im := impls[i]
					ns, err := im.round(dtype == "f32", s.tA, s.tB, s.m, s.n, s.k)
					if err != nil {
						return fmt.Errorf("%s: %w", im.name, err)
					}
					samples[i] = append(samples[i], ns)
				}
			}
			size := int64(8)
			if dtype == "f32" {
				size = 4
			}
			for i, im := range impls {
				ns := median(samples[i])
				emit(result{
					Case: "gemm", Impl: im.name, Kernel: im.kernel, DType: dtype, Shape: []int{s.m, s.n, s.k}, Trans: transName(s.tA, s.tB),
					NsPerOp: ns, GFLOPS: 2 * float64(s.m) * float64(s.n) * float64(s.k) / ns,
					BytesPeak: size * int64(s.m*s.k+s.k*s.n+s.m*s.n), Rounds: o.rounds,
				})
			}
		}
	}
	return nil
}

// transName marks the transposed operands of a product: "a" for Aᵀ·B,
// "b" for A·Bᵀ, "" for A·B.
func transName(tA, tB bool) string {
	switch {
	case tA && tB:
		return "ab"
	case tA:
		return "a"
	case tB:
		return "b"
	}
	return ""
}

// goGEMM times a kernels.GEMM on operands made once per shape.
func goGEMM(name string, g kernels.GEMM, o *options) gemmImpl {
	type key struct {
		f32, tA, tB bool
		m, n, k     int
	}
	type operands struct {
		a, b, c       []float64
		a32, b32, c32 []float32
		lda, ldb      int
	}
	cache := map[key]*operands{}
	r := rand.New(rand.NewPCG(1, 2))
	return gemmImpl{name: name, round: func(f32, tA, tB bool, m, n, k int) (float64, error) {
		kk := key{f32, tA, tB, m, n, k}
		op := cache[kk]
		if op == nil {
			op = &operands{lda: k, ldb: n}
			if tA {
				op.lda = m
			}
			if tB {
				op.ldb = k
			}
			fill := func(n int) []float64 {
				x := make([]float64, n)
				for i := range x {
					x[i] = r.Float64()
				}
				return x
			}
			op.a, op.b, op.c = fill(m*k), fill(k*n), fill(m*n)
			if f32 {
				op.a32, op.b32, op.c32 = toF32(op.a), toF32(op.b), toF32(op.c)
			}
			clear(cache) // keep one shape's operands at a time
			cache[kk] = op
		}
		product := func() {
			if f32 {
				g.Sgemm(tA, tB, m, n, k, 1, op.a32, op.lda, op.b32, op.ldb, 0, op.c32, n)
			} else {
				g.Dgemm(tA, tB, m, n, k, 1, op.a, op.lda, op.b, op.ldb, 0, op.c, n)
			}
		}
		// One product untimed: after the other side's turn (and its
		// settling sleep) the cores and the helper goroutines are idle.
		product()
		return timeRound(product, o.minTime), nil
	}}
}

func toF32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// numpyServer is a python3 process timing numpy.matmul (OpenBLAS, when
// Debian's python3-numpy uses libopenblas) on request. It first prints
// one JSON line saying which BLAS numpy runs (from threadpoolctl, if
// installed), then answers each line "dtype tA tB m n k seconds" with the
// ns per product.
const numpyServer = `
import sys, time, json
import numpy as np
try:
    from threadpoolctl import threadpool_info
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    info = blas[0] if blas else {"internal_api": "none"}
except ImportError:
    info = {"internal_api": "unknown (no threadpoolctl)"}
print(json.dumps(info), flush=True)
cache = {}
for line in sys.stdin:
    dt, ta, tb, m, n, k, secs = line.split()
    ta, tb, m, n, k, secs = ta == "1", tb == "1", int(m), int(n), int(k), float(secs)
    key = (dt, ta, tb, m, n, k)
    if key not in cache:
        cache.clear()
        t = np.float32 if dt == "f32" else np.float64
        a = np.random.rand(*((k, m) if ta else (m, k))).astype(t)
        b = np.random.rand(*((n, k) if tb else (k, n))).astype(t)
        cache[key] = (a.T if ta else a, b.T if tb else b, np.empty((m, n), t))
    a, b, c = cache[key]
    np.matmul(a, b, out=c)  # untimed: wakes OpenBLAS's threads
    reps, start = 0, time.perf_counter()
    while True:
        np.matmul(a, b, out=c)
        reps += 1
        el = time.perf_counter() - start
        if el >= secs:
            break
    print(el * 1e9 / reps, flush=True)
`

type numpy struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	o    *options
	info blasInfo
}

// blasInfo is what threadpoolctl says of numpy's BLAS.
type blasInfo struct {
	API          string `json:"internal_api"` // "openblas", ...
	Version      string `json:"version"`
	Architecture string `json:"architecture"` // OpenBLAS's kernel family: "Haswell", "SkylakeX", ...
	Threads      int    `json:"num_threads"`
	// how says where the family came from: detected by OpenBLAS, or set
	// through OPENBLAS_CORETYPE (by the user or by the benchmark).
	how string
}

// startNumpy starts the numpy server, or explains why it cannot. When
// OpenBLAS has fallen back to a kernel family narrower than the CPU runs
// (it does not recognise every CPU: an unknown one gets its generic
// Prescott kernels), it restarts the server with OPENBLAS_CORETYPE set to
// the widest family the CPU supports, so that the reference is OpenBLAS at
// its best; a family the user set in OPENBLAS_CORETYPE is kept.
func startNumpy(o *options) (*numpy, error) {
	np, err := startNumpyWith(o, "")
	if err != nil {
		return nil, err
	}
	np.info.how = "detected"
	userSet := os.Getenv("OPENBLAS_CORETYPE")
	if userSet != "" {
		np.info.how = "OPENBLAS_CORETYPE=" + userSet + " (set by the user)"
	}
	want := coretypeFor(np.info, userSet, isa.Supported(), cpuVendor())
	if want == "" {
		return np, nil
	}
	fellBack := np.info.Architecture
	np.close()
	if np, err = startNumpyWith(o, want); err != nil {
		return nil, err
	}
	np.info.how = fmt.Sprintf("OPENBLAS_CORETYPE=%s: OpenBLAS alone chose %s", want, fellBack)
	return np, nil
}

func startNumpyWith(o *options, coretype string) (*numpy, error) {
	cmd := exec.Command(o.python, "-c", numpyServer)
	cmd.Stderr = os.Stderr
	if coretype != "" {
		cmd.Env = append(os.Environ(), "OPENBLAS_CORETYPE="+coretype)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("-numpy needs python with numpy (Debian: apt-get install python3-numpy python3-threadpoolctl libopenblas0-pthread; -python names the interpreter): %w", err)
	}
	np := &numpy{cmd: cmd, in: in, out: bufio.NewScanner(out), o: o}
	if !np.out.Scan() {
		np.close()
		return nil, fmt.Errorf("the numpy server (%s) stopped; is numpy installed for it? (-python names the interpreter)", o.python)
	}
	if err := json.Unmarshal(np.out.Bytes(), &np.info); err != nil {
		np.close()
		return nil, fmt.Errorf("the numpy server's BLAS line %q: %w", np.out.Text(), err)
	}
	return np, nil
}

// coretypeFor returns the OPENBLAS_CORETYPE to restart numpy's OpenBLAS
// with, or "" to keep it as it is: OpenBLAS chose a family narrower than
// the CPU (of level l, from vendor) runs, and the user did not choose one
// (userSet).
func coretypeFor(info blasInfo, userSet string, l isa.Level, vendor string) string {
	want := widestFamily(l, vendor)
	if userSet != "" || info.API != "openblas" || familyWidth(info.Architecture) >= familyWidth(want) {
		return ""
	}
	return want
}

// OpenBLAS's x86-64 kernel families by vector width: 512 for the AVX-512
// ones, 256 for the AVX2 ones, and 128 for the rest (Prescott, Nehalem,
// Sandybridge's AVX without FMA counts as older too).
var familyWidths = map[string]int{
	"skylakex": 512, "cooperlake": 512, "sapphirerapids": 512,
	"haswell": 256, "zen": 256, "excavator": 256,
}

func familyWidth(family string) int {
	if w, ok := familyWidths[strings.ToLower(family)]; ok {
		return w
	}
	return 128
}

// widestFamily is the OpenBLAS kernel family for a CPU of level l: SkylakeX
// with AVX-512, Zen (AMD) or Haswell (others) with AVX2.
func widestFamily(l isa.Level, vendor string) string {
	switch {
	case l >= isa.AVX512:
		return "SkylakeX"
	case l >= isa.AVX2 && vendor == "AuthenticAMD":
		return "Zen"
	case l >= isa.AVX2:
		return "Haswell"
	}
	return ""
}

func (np *numpy) round(f32, tA, tB bool, m, n, k int) (float64, error) {
	dt := "f64"
	if f32 {
		dt = "f32"
	}
	b := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	fmt.Fprintf(np.in, "%s %d %d %d %d %d %g\n", dt, b(tA), b(tB), m, n, k, np.o.minTime.Seconds())
	if !np.out.Scan() {
		return 0, fmt.Errorf("the numpy server (%s) stopped; is numpy installed for it? (-python names the interpreter)", np.o.python)
	}
	ns, err := strconv.ParseFloat(strings.TrimSpace(np.out.Text()), 64)
	// OpenBLAS's threads spin after a call, for 2^28 cycles by default
	// (THREAD_TIMEOUT), before they sleep: the implementation timed next
	// would share its cores with them for the first tens of milliseconds.
	time.Sleep(openblasSettle)
	return ns, err
}

// openblasSettle is longer than OpenBLAS's threads spin after a call
// (2^28 cycles, 0.13 s at 2 GHz).
const openblasSettle = 200 * time.Millisecond

func (np *numpy) close() {
	np.in.Close()
	np.cmd.Wait()
}
