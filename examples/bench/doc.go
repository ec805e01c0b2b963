// Command bench measures pushforward's kernels and training steps and
// prints a table of the figures, one row each as it comes, or with -json
// one JSON line per figure:
//
//	go run ./examples/bench [-json] [-case NAME,...] [-numpy] [-gonum]
//
// Cases: peak (the machine's FMA peak, from a loop of independent FMAs and
// from /proc/cpuinfo), gemm (f32 and f64 at 256, 512 and 1024 square and
// the products of the MLP step), the MLP steps mlp-fwd, mlp-jvp (one
// tangent direction of the input), mlp-jvp-params (one tangent of every
// weight), mlp-backprop, mlp-fwdgrad-wt, mlp-fwdgrad-wt-schedule and
// mlp-fwdgrad-wperp (784-1024-1024-10, batch 128, f32, run by a
// runtime.Runner on the functions the passes produce), mlp-fwdgrad-depth
// (the live memory of the steps at depth 2, 8 and 32, plain and after the
// schedule pass), paper-step (one gradient step of the
// forward-gradient paper's MNIST-1D network at widths 128 and 512; with
// -opprofile, where its time goes), fuse-chain (chains the fuse pass
// joins, unfused and fused), and gen (training steps as generated Go
// against the interpreter, unfused and fused: backprop, wt and wperp on
// the paper's network at widths 64 to 1024 and on the 784-1024-1024-10
// MLP; it builds the generated code in a temporary module, so it needs the
// go command and the module cache, and checks every variant's bits before
// timing). With -fuse, the MLP and paper steps are also timed compiled
// with the fuse pass (variants: fuse, wide, noepi, noreduce), in the same
// rounds, with the bytes each step moves (passes.TrafficBytes) and the
// ratios fused/unfused. -clock cpu times rounds by the process's CPU time
// instead of the wall clock: on a machine shared with other jobs it varies
// less (use it with -threads 1, as idle kernel helpers spin). For example
//
//	{"case":"gemm","impl":"packed","dtype":"f32","shape":[1024,1024,1024],"ns_per_op":...,"gflops":...,"bytes_peak":...}
//
// Timings are medians over rounds; cases that are compared (the
// implementations of one GEMM, the MLP steps) take turns round by round,
// so that a change of load on the machine affects them alike, and the
// ratios the issue sets targets for are computed from the same rounds.
// With -numpy, GEMMs are also timed in OpenBLAS through python3 and numpy,
// as a reference; nothing else needs python. threadpoolctl (Debian:
// python3-threadpoolctl) tells which kernel family OpenBLAS runs; when it
// fell back to a family narrower than the CPU supports (it does not
// recognise every CPU), the benchmark sets OPENBLAS_CORETYPE to the widest
// one (SkylakeX with AVX-512, Haswell or Zen with AVX2) unless the user set
// it, and prints the family in the JSON ("kernel"), as it prints the
// packed GEMM's instruction-set level. With -levels the packed GEMM is also
// timed at each lower level the CPU runs (packed-avx2), and
// PUSHFORWARD_CPU=avx2 or generic lowers the level of everything (see
// runtime/kernels/isa). The peak case measures 256-bit and, on AVX-512
// CPUs, 512-bit FMA loops. OpenBLAS's threads keep
// spinning for a while after its calls, which slows the rounds of ours
// that follow: time ours alone too. -h prints the usage; a flag that cannot
// work exits 2 before any case runs. The README's Performance section has figures
// measured on one machine.
package main
