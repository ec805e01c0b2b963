package ir

import "strconv"

// Renumber renames the values of f whose names are numbers (the unnamed
// values: builders and passes number them) to 1, 2, 3, ... in the order
// they are printed, parameters first, and does the same in each function
// of its regions. Named values keep their names. After a pass has
// inserted, removed or moved instructions the numbers are in order again,
// so that dumps after different passes can be compared line by line.
func (f *Func) Renumber() {
	n := 0
	f.Values(func(v *Value) bool {
		if isNumber(v.Name) {
			n++
			v.Name = strconv.Itoa(n)
		}
		return true
	})
	for _, in := range f.Body {
		if in.Region != nil {
			for _, rf := range in.Region.Funcs {
				rf.Renumber()
			}
		}
	}
}

// Renumbered returns a renumbered copy of f (see Renumber), leaving f as
// it is: the form in which to print a pass's result.
func Renumbered(f *Func) *Func {
	g := f.Clone()
	g.Renumber()
	return g
}

// isNumber reports whether s is a decimal number, the form of an unnamed
// value's name.
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
