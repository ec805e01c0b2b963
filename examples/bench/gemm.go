package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/runtime/kernels"
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
	name  string
	round func(f32, tA, tB bool, m, n, k int) (float64, error)
}

// runGEMM times every shape in f32 and f64, the implementations taking
// turns round by round so that a change of load on the machine hits them
// alike.
func runGEMM(o *options, emit func(result)) error {
	impls := []gemmImpl{goGEMM("packed", kernels.Packed{}, o)}
	if o.gonum {
		impls = append(impls, goGEMM("gonum", kernels.Gonum{}, o))
	}
	if o.numpy {
		np, err := startNumpy(o)
		if err != nil {
			return err
		}
		defer np.close()
		impls = append(impls, gemmImpl{"openblas", np.round})
	}
	for _, dtype := range []string{"f32", "f64"} {
		for _, s := range gemmShapes {
			samples := make([][]float64, len(impls))
			for range o.rounds {
				for i, im := range impls {
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
					Case: "gemm", Impl: im.name, DType: dtype, Shape: []int{s.m, s.n, s.k}, Trans: transName(s.tA, s.tB),
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
	return gemmImpl{name, func(f32, tA, tB bool, m, n, k int) (float64, error) {
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
		return timeRound(func() {
			if f32 {
				g.Sgemm(tA, tB, m, n, k, 1, op.a32, op.lda, op.b32, op.ldb, 0, op.c32, n)
			} else {
				g.Dgemm(tA, tB, m, n, k, 1, op.a, op.lda, op.b, op.ldb, 0, op.c, n)
			}
		}, o.minTime), nil
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
// Debian's python3-numpy uses libopenblas) on request: one line in, "dtype
// tA tB m n k seconds", one line out, the ns per product.
const numpyServer = `
import sys, time
import numpy as np
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
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
	o   *options
}

// startNumpy starts the numpy server, or explains why it cannot.
func startNumpy(o *options) (*numpy, error) {
	cmd := exec.Command(o.python, "-c", numpyServer)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("-numpy needs python with numpy (Debian: apt-get install python3-numpy libopenblas0-pthread; -python names the interpreter): %w", err)
	}
	return &numpy{cmd: cmd, in: in, out: bufio.NewScanner(out), o: o}, nil
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
	return strconv.ParseFloat(strings.TrimSpace(np.out.Text()), 64)
}

func (np *numpy) close() {
	np.in.Close()
	np.cmd.Wait()
}
