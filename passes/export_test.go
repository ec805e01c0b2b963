package passes

import "github.com/pushforward/pushforward/ir"

// WithoutRules removes op's derivative rules from the table until restore
// is called.
func WithoutRules(op ir.Op) (restore func()) {
	saved := rules[op]
	delete(rules, op)
	return func() { rules[op] = saved }
}

// WithPanickingJVP replaces op's JVP rule by one that panics with v until
// restore is called.
func WithPanickingJVP(op ir.Op, v any) (restore func()) {
	saved := rules[op]
	r := saved
	r.jvp = func(*ir.Writer, *ir.Instr, []*ir.Value) ([]*ir.Value, error) { panic(v) }
	rules[op] = r
	return func() { rules[op] = saved }
}

// WithPass adds p to the end of the pass table until restore is called.
func WithPass(p Pass) (restore func()) {
	saved := passes
	passes = append(passes[:len(passes):len(passes)], p)
	return func() { passes = saved }
}
