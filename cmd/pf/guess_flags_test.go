package main

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// pf opt -passes=guess,jvp,... builds the forward-gradient step that
// passes.Guess builds, and shows it being built in the dumps.
func TestOptGuessPipeline(t *testing.T) {
	src, err := os.ReadFile(goldenMLP)
	require.NoError(t, err)
	m, err := ir.Parse(goldenMLP, src)
	require.NoError(t, err)
	for _, tc := range []struct {
		flags []string
		opts  passes.GuessOptions
	}{
		{[]string{"-method", "wt"}, passes.GuessOptions{Method: passes.WT}},
		{[]string{"-method", "wperp", "-k", "4", "-iters", "2", "-oversample", "3"}, passes.GuessOptions{Method: passes.WPerp, K: 4, Iters: 2, Oversample: 3}},
		{[]string{"-method", "wp", "-guesses", "3"}, passes.GuessOptions{Method: passes.WP, Guesses: 3}},
		{[]string{"-method", "wprecond", "-sigma", "0.01", "-exact"}, passes.GuessOptions{Method: passes.WPrecond, Sigma: 0.01, Exact: true}},
		{[]string{"-layers", "a1"}, passes.GuessOptions{Method: passes.WPerp, Layers: []string{"a1"}}},
	} {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			args := append([]string{"opt", "-passes=guess,jvp," + strings.Join(passes.Cleanup, ","), "-verify", "-dump-after=guess,jvp"}, tc.flags...)
			code, stdout, stderr := pf(t, "", append(args, goldenMLP)...)
			require.Equal(t, 0, code, stderr)

			st, err := passes.Guess(m.Funcs[0], tc.opts)
			require.NoError(t, err)
			want, err := passes.Run(st.Func, passes.Cleanup, passes.Options{})
			require.NoError(t, err)
			if diff := cmp.Diff(ir.Renumbered(want).String(), stdout); diff != "" {
				t.Errorf("pf opt differs from passes.Guess (-want +got):\n%s", diff)
			}
			// After guess: the model and its guesses, no estimates yet;
			// after jvp: the tangents and the estimates.
			after := strings.SplitN(stderr, "// after jvp", 2)
			require.Len(t, after, 2, stderr)
			seeded, completed := after[0], after[1]
			if !strings.Contains(seeded, "// after guess") || !strings.Contains(seeded, ".guess = ") || strings.Contains(seeded, ".estimate") {
				t.Errorf("dump after guess:\n%s", seeded)
			}
			if !strings.Contains(completed, "%guess.J = ") || !strings.Contains(completed, "%w1.estimate = ") {
				t.Errorf("dump after jvp:\n%s", completed)
			}
		})
	}
}

func TestOptGuessFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		flags []string
		code  int
		want  string
	}{
		{[]string{"-method", "nope"}, 2, "-method nope: want one of ap, wp, wperp, wperp-bottom, wperp-ns, wprecond, wt"},
		{[]string{"-k", "0"}, 2, "-k 0: want at least 1, or -1 for k = rank"},
		{[]string{"-guesses", "0"}, 2, "-guesses 0: want at least 1"},
		{[]string{"-iters", "0"}, 2, "-iters 0: want at least 1"},
		{[]string{"-oversample", "-1"}, 2, "-oversample -1: want at least 0"},
		{[]string{"-sigma", "0"}, 2, "-sigma 0: want a number > 0"},
		{[]string{"-method", "wt", "-k", "-1"}, 1, "k < 0 (k = rank) is for wperp only, not wt"},
		{[]string{"-layers", "nope"}, 1, "%nope is not the pre-activation of a layer"},
	} {
		code, _, stderr := pf(t, "", append(append([]string{"opt", "-passes=guess,jvp"}, tc.flags...), goldenMLP)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tc.flags, code, stderr, tc.code, tc.want)
		}
	}
	code, _, stderr := pf(t, "", "opt", "-passes=jvp,guess", goldenMLP)
	if code == 0 || !strings.Contains(stderr, "pass jvp must run after guess") {
		t.Errorf("jvp before guess: exit %d, %q", code, stderr)
	}
}
