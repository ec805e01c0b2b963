package isa

import "testing"

func TestChoose(t *testing.T) {
	for _, tc := range []struct {
		supported Level
		env       string
		want      Level
		bad       bool
	}{
		{AVX512, "", AVX512, false},
		{AVX512, "avx2", AVX2, false},
		{AVX512, "AVX512", AVX512, false},
		{AVX512, "generic", Generic, false},
		{AVX2, "avx512", AVX2, false}, // never above the CPU
		{Generic, "avx2", Generic, false},
		{AVX2, "sse9", AVX2, true}, // unknown: ignored
	} {
		got, err := choose(tc.supported, tc.env)
		if got != tc.want || (err != nil) != tc.bad {
			t.Errorf("choose(%v, %q) = %v, %v; want %v (error: %t)", tc.supported, tc.env, got, err, tc.want, tc.bad)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, l := range []Level{Generic, AVX2, AVX512} {
		got, err := Parse(l.String())
		if err != nil || got != l {
			t.Errorf("Parse(%q) = %v, %v", l.String(), got, err)
		}
	}
	if _, err := Parse("avx1024"); err == nil {
		t.Error("Parse(avx1024) succeeded")
	}
}

func TestSelectedWithinSupported(t *testing.T) {
	if Selected() > Supported() {
		t.Errorf("Selected() = %v above Supported() = %v", Selected(), Supported())
	}
	t.Logf("supported %v, selected %v", Supported(), Selected())
}
