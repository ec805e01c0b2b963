package codegen

import (
	"go/token"
	"strconv"
	"strings"
	"unicode"
)

// IR names become Go identifiers here, and only here. A name may hold
// anything a Func built in memory holds (the text format allows
// [A-Za-z_][A-Za-z0-9_.]* and numbers; the builder allows more), so each
// is reduced to its letters and digits, split into words at everything
// else, and joined in camel case: w1.tangent becomes W1Tangent (exported)
// or w1Tangent. A name with nothing left, or one that would not be an
// identifier (a keyword, _ , a leading digit), gets a prefix or a
// positional fallback, and a name that is taken gets the lowest numeric
// suffix that is free, in the order names are claimed, so the result is
// deterministic.

// A namespace hands out distinct identifiers: the fields and methods of
// one struct type, or the package-level names of one generated file.
type namespace struct {
	taken map[string]bool
}

func newNamespace(reserved ...string) *namespace {
	ns := &namespace{taken: map[string]bool{}}
	for _, r := range reserved {
		ns.taken[r] = true
	}
	return ns
}

// claim returns ident, or ident with the lowest suffix 2, 3, ... that is
// free, and marks it taken.
func (ns *namespace) claim(ident string) string {
	name := ident
	for i := 2; ns.taken[name]; i++ {
		sep := ""
		if last := ident[len(ident)-1]; '0' <= last && last <= '9' {
			sep = "_" // x1 then x1_2, not x12
		}
		name = ident + sep + strconv.Itoa(i)
	}
	ns.taken[name] = true
	return name
}

// identifier returns a Go identifier made from an IR name: exported (an
// upper-case first letter) or not, or fallback when the name has no
// letters or digits. prefix is put before names that start with a digit
// (or, exported, with a letter that has no upper case).
func identifier(name string, exported bool, prefix, fallback string) string {
	words := splitWords(name)
	if len(words) == 0 {
		return fallback
	}
	var b strings.Builder
	for i, w := range words {
		r := []rune(w)
		switch {
		case i == 0 && !exported:
			r[0] = unicode.ToLower(r[0])
		default:
			r[0] = unicode.ToUpper(r[0])
		}
		b.WriteString(string(r))
	}
	id := b.String()
	first := []rune(id)[0]
	if unicode.IsDigit(first) || exported && !unicode.IsUpper(first) {
		id = prefix + id
	}
	if token.IsKeyword(id) {
		id += "_"
	}
	if !token.IsIdentifier(id) || id == "_" {
		return fallback
	}
	return id
}

// splitWords returns the runs of letters and digits of s.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// validPackage reports whether name can be a package clause's name.
func validPackage(name string) bool {
	return token.IsIdentifier(name) && name != "_"
}

// commentText makes text safe to put in a // comment: control
// characters (a newline would end the comment and start code) are
// escaped as in a Go string, and */ is broken so that the text cannot
// close a block comment either.
func commentText(text string) string {
	var b strings.Builder
	for _, r := range text {
		if unicode.IsControl(r) || r == unicode.ReplacementChar || !unicode.IsPrint(r) && r != ' ' {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return strings.ReplaceAll(b.String(), "*/", "*\\/")
}
