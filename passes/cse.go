package passes

import (
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// CSE replaces each instruction that repeats an earlier one (same op,
// operands, attributes, result types and no region) by the earlier one's
// results (in uses, results and marks), then removes it. f is modified in
// place and returned.
func CSE(f *ir.Func) *ir.Func {
	seen := map[string]*ir.Instr{}
	repl := map[*ir.Value]*ir.Value{}
	body := f.Body[:0]
	for _, in := range f.Body {
		for i, a := range in.Args {
			if r, ok := repl[a]; ok {
				in.Args[i] = r
			}
		}
		if in.Region != nil {
			body = append(body, in)
			continue
		}
		key := cseKey(in)
		if prev, ok := seen[key]; ok {
			for i, r := range in.Results {
				repl[r] = prev.Results[i]
			}
			continue
		}
		seen[key] = in
		body = append(body, in)
	}
	clear(f.Body[len(body):])
	f.Body = body
	replaceResults(f, repl)
	return f
}

// cseKey identifies an instruction by its op, operand identities,
// attributes and result types. Operands are identified by name, which is
// unique within a function.
func cseKey(in *ir.Instr) string {
	var b strings.Builder
	b.WriteString(in.Op.String())
	for _, a := range in.Args {
		b.WriteString(" %")
		b.WriteString(a.Name)
	}
	b.WriteString(in.Attrs.String())
	for _, r := range in.Results {
		b.WriteByte(':')
		b.WriteString(r.Type.String())
	}
	return b.String()
}
