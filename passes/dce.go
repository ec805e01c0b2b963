package passes

import "github.com/pushforward/pushforward/ir"

// DCE removes instructions none of whose results is used by a result of f
// or by a live instruction. Marked values (f.Marks) are live: a later pass
// needs them. Every op is free of side effects (random numbers are a pure
// function of key and counter), so this is sound for all of them. f is
// modified in place and returned.
func DCE(f *ir.Func) *ir.Func {
	live := map[*ir.Value]bool{}
	for _, r := range f.Results {
		live[r] = true
	}
	for _, v := range f.Marks {
		live[v] = true
	}
	keep := make([]bool, len(f.Body))
	for i := len(f.Body) - 1; i >= 0; i-- {
		in := f.Body[i]
		for _, r := range in.Results {
			if live[r] {
				keep[i] = true
				break
			}
		}
		if keep[i] {
			for _, a := range in.Args {
				live[a] = true
			}
		}
	}
	body := f.Body[:0]
	for i, in := range f.Body {
		if keep[i] {
			body = append(body, in)
		}
	}
	clear(f.Body[len(body):])
	f.Body = body
	return f
}
