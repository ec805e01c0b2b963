package main

import (
	"os/exec"
	"testing"
	"time"

	"github.com/pushforward/pushforward/runtime/kernels"
	"github.com/pushforward/pushforward/runtime/kernels/isa"
)

// The reference is told the widest kernel family the CPU runs when
// OpenBLAS fell back to a narrower one, and only then.
func TestCoretypeFor(t *testing.T) {
	openblas := func(arch string) blasInfo { return blasInfo{API: "openblas", Architecture: arch} }
	for _, tc := range []struct {
		info    blasInfo
		userSet string
		level   isa.Level
		vendor  string
		want    string
	}{
		{openblas("Prescott"), "", isa.AVX512, "GenuineIntel", "SkylakeX"},
		{openblas("Prescott"), "", isa.AVX512, "AuthenticAMD", "SkylakeX"},
		{openblas("Nehalem"), "", isa.AVX2, "GenuineIntel", "Haswell"},
		{openblas("Prescott"), "", isa.AVX2, "AuthenticAMD", "Zen"},
		{openblas("Haswell"), "", isa.AVX512, "GenuineIntel", "SkylakeX"},
		{openblas("Cooperlake"), "", isa.AVX512, "AuthenticAMD", ""}, // already AVX-512
		{openblas("SkylakeX"), "", isa.AVX512, "GenuineIntel", ""},
		{openblas("Zen"), "", isa.AVX2, "AuthenticAMD", ""},
		{openblas("Haswell"), "", isa.AVX2, "AuthenticAMD", ""},            // as wide as Zen
		{openblas("Prescott"), "Prescott", isa.AVX512, "GenuineIntel", ""}, // the user's choice
		{openblas("Prescott"), "", isa.Generic, "GenuineIntel", ""},
		{blasInfo{API: "mkl"}, "", isa.AVX512, "GenuineIntel", ""},
	} {
		if got := coretypeFor(tc.info, tc.userSet, tc.level, tc.vendor); got != tc.want {
			t.Errorf("coretypeFor(%+v, %q, %v, %s) = %q, want %q", tc.info, tc.userSet, tc.level, tc.vendor, got, tc.want)
		}
	}
}

// With python3, numpy and threadpoolctl installed, the numpy reference
// names its BLAS and kernel family and times a product. Without them the
// test is skipped: nothing else in the project needs python.
func TestNumpyReference(t *testing.T) {
	if testing.Short() {
		t.Skip("starts python")
	}
	// The python3 on PATH, else Debian's (numpy from apt installs there).
	var python string
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import numpy, threadpoolctl").Run() == nil {
			python = path
			break
		}
	}
	if python == "" {
		t.Skip("no python3 with numpy and threadpoolctl (on PATH or /usr/bin): the -numpy reference needs them (Debian: apt-get install python3-numpy python3-threadpoolctl libopenblas0-pthread)")
	}
	np, err := startNumpy(&options{python: python, minTime: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer np.close()
	t.Logf("numpy's BLAS: %+v", np.info)
	if np.info.API == "openblas" && np.info.Architecture == "" {
		t.Errorf("OpenBLAS without a kernel family: %+v", np.info)
	}
	if np.info.API == "openblas" && familyWidth(np.info.Architecture) < familyWidth(widestFamily(isa.Supported(), cpuVendor())) && np.info.how == "detected" {
		t.Errorf("OpenBLAS runs %s, narrower than the CPU supports, and was not told otherwise", np.info.Architecture)
	}
	ns, err := np.round(true, false, true, 64, 32, 48)
	if err != nil || ns <= 0 {
		t.Errorf("round = %v, %v", ns, err)
	}
}

// -levels times the packed GEMM at each lower level the CPU runs too, and
// every packed line names its level.
func TestGEMMLevels(t *testing.T) {
	if testing.Short() {
		t.Skip("times every GEMM shape")
	}
	var lines []result
	o := &options{rounds: 1, minTime: time.Millisecond, levels: true}
	if err := runGEMM(o, func(r result) { lines = append(lines, r) }); err != nil {
		t.Fatal(err)
	}
	levels := map[string]int{}
	for _, r := range lines {
		if r.Kernel == "" {
			t.Errorf("a gemm line without its kernel: %+v", r)
		}
		levels[r.Impl+"/"+r.Kernel]++
	}
	want := 2 * len(gemmShapes)
	top := kernels.Packed{}.KernelLevel()
	if levels["packed/"+top.String()] != want {
		t.Errorf("lines by implementation: %v, want %d packed/%v", levels, want, top)
	}
	for l := top - 1; l >= isa.AVX2; l-- {
		if levels["packed-"+l.String()+"/"+l.String()] != want {
			t.Errorf("lines by implementation: %v, want %d at level %v", levels, want, l)
		}
	}
}
