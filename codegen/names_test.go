package codegen

import (
	"go/token"
	"strings"
	"testing"
)

func TestIdentifier(t *testing.T) {
	for _, tc := range []struct {
		name     string
		exported bool
		want     string
	}{
		{"w1.tangent", true, "W1Tangent"},
		{"w1.tangent", false, "w1Tangent"},
		{"mlp.0.w", true, "Mlp0W"},
		{"guess.key", false, "guessKey"},
		{"12", false, "v12"},
		{"12", true, "P12"},
		{"type", false, "type_"},
		{"func", false, "func_"},
		{"type", true, "Type"},
		{"_", true, "fallback"},
		{"_", false, "fallback"},
		{"", false, "fallback"},
		{"...", true, "fallback"},
		{`x"; os.Exit(1); //`, true, "XOsExit1"},
		{`x"; os.Exit(1); //`, false, "xOsExit1"},
		{"init", false, "init"},
		{"main", true, "Main"},
		{"λx", true, "Λx"},
		{"世界", true, "P世界"},
		{"世界", false, "世界"},
		{"x\ny */ z", false, "xYZ"},
	} {
		prefix := "v"
		if tc.exported {
			prefix = "P"
		}
		got := identifier(tc.name, tc.exported, prefix, "fallback")
		if got != tc.want {
			t.Errorf("identifier(%q, %t) = %q, want %q", tc.name, tc.exported, got, tc.want)
		}
		if !token.IsIdentifier(got) || token.IsExported(got) != (tc.exported && got != "fallback") {
			t.Errorf("identifier(%q, %t) = %q is not a Go identifier of the right kind", tc.name, tc.exported, got)
		}
	}
}

func TestNamespaceDisambiguates(t *testing.T) {
	ns := newNamespace("In", "Out")
	var got []string
	for _, id := range []string{"In", "W1Tangent", "W1Tangent", "X1", "X1", "X1_2", "W1Tangent"} {
		got = append(got, ns.claim(id))
	}
	want := "In2 W1Tangent W1Tangent2 X1 X1_2 X1_2_2 W1Tangent3"
	if strings.Join(got, " ") != want {
		t.Errorf("claims = %s, want %s", strings.Join(got, " "), want)
	}
}

func TestCommentText(t *testing.T) {
	for in, want := range map[string]string{
		"%x = add %a, %b : f32[2]": "%x = add %a, %b : f32[2]",
		"a\nb":                     `a\nb`,
		"a\r\nb":                   `a\r\nb`,
		"end */ of block":          `end *\/ of block`,
		"bom\ufeff":                `bom\ufeff`,
		"nul\x00":                  `nul\x00`,
		"λ → σ":                    "λ → σ",
	} {
		if got := commentText(in); got != want {
			t.Errorf("commentText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLowerFirstWord(t *testing.T) {
	for in, want := range map[string]string{"MLP": "mlp", "MLPStep": "mlpStep", "Step": "step", "X": "x", "F12": "f12"} {
		if got := lowerFirstWord(in); got != want {
			t.Errorf("lowerFirstWord(%q) = %q, want %q", in, got, want)
		}
	}
}
