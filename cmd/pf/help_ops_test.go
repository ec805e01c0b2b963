package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/ir"
)

// pf help ops lists every op with its rules and executor.
func TestHelpOps(t *testing.T) {
	code, stdout, stderr := pf(t, "", "help", "ops")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if diff := cmp.Diff([]string{"OP", "CLASS", "JVP", "TRANSPOSE", "EXEC", "DESCRIPTION"}, strings.Fields(lines[0])); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	got := map[string][]string{}
	for _, l := range lines[1:] {
		fs := strings.Fields(l)
		got[fs[0]] = fs[1:5]
	}
	if len(got) != len(ir.AllOps()) {
		t.Errorf("%d ops listed, want %d", len(got), len(ir.AllOps()))
	}
	want := map[string][]string{
		"exp":              {"elementwise", "yes", "-", "yes"},
		"matmul":           {"linear", "yes", "yes", "yes"},
		"qr":               {"opaque", "yes", "-", "yes"},
		"triangular_solve": {"opaque", "yes", "yes", "yes"},
	}
	for op, w := range want {
		if diff := cmp.Diff(w, got[op]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", op, diff)
		}
	}
}
