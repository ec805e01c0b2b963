package ir

// A Lifetime is the span of body indices over which a value is live when
// its function's body runs in order, both ends included.
type Lifetime struct {
	First, Last int
}

// Lifetimes returns the lifetime of every instruction result of f: from
// its instruction to the last instruction that reads it, to len(f.Body)
// for a result of the function, and its own instruction alone if nothing
// reads it. An instruction's operands and results are live at once, so
// values whose lifetimes do not overlap may share memory. Parameters are
// not included: they are inputs, live throughout.
//
// This is the one liveness analysis: the passes measure peak memory with
// it and the interpreter's Runner plans its buffers with it.
func Lifetimes(f *Func) map[*Value]Lifetime {
	life := make(map[*Value]Lifetime, len(f.Body))
	for i, in := range f.Body {
		for _, a := range in.Args {
			if l, ok := life[a]; ok {
				l.Last = max(l.Last, i)
				life[a] = l
			}
		}
		for _, r := range in.Results {
			life[r] = Lifetime{First: i, Last: i}
		}
	}
	for _, r := range f.Results {
		if l, ok := life[r]; ok {
			l.Last = len(f.Body)
			life[r] = l
		}
	}
	return life
}
