package irview

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// maxAttrLabel bounds the attributes shown in a node (a constant's values
// can run to thousands of numbers).
const maxAttrLabel = 60

// Fill colours of parameters by role, of the return and of instructions.
var roleFill = map[ir.Role]string{ir.Data: "#d6eaff", ir.Param: "#ffe9a8", ir.State: "#f6d3e6"}

const (
	returnFill = "#e3e3e3"
	instrFill  = "#ffffff"
)

// WriteDot writes f as a Graphviz digraph: one node per parameter (an
// inverted house, coloured by role), one per instruction (a box with its
// results, op, attributes and result types), one for the return (a
// house), and an edge from each value to each use (labelled with the
// operand's position where an instruction has several, and with the
// value's name where its instruction has several results). The functions
// of a region (argmin's objective, a fused op's expression) are clusters,
// their return joined to the instruction by a dashed edge.
func WriteDot(w io.Writer, f *ir.Func) error {
	d := &dotWriter{}
	d.printf("digraph %s {\n", quote("@"+f.Name))
	d.printf("  graph [fontname=\"monospace\", fontsize=11, labelloc=t, label=%s];\n", quote("@"+f.Name))
	d.printf("  node [fontname=\"monospace\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=%q];\n", instrFill)
	d.printf("  edge [fontname=\"monospace\", fontsize=9, color=\"#555555\"];\n")
	d.fn(f, "", "  ")
	d.printf("}\n")
	_, err := io.WriteString(w, d.String())
	return err
}

type dotWriter struct {
	strings.Builder
}

func (d *dotWriter) printf(format string, args ...any) { fmt.Fprintf(d, format, args...) }

// fn writes the nodes and edges of f, whose node ids start with prefix.
func (d *dotWriter) fn(f *ir.Func, prefix, indent string) {
	node := map[*ir.Value]string{}
	for i, p := range f.Params {
		id := fmt.Sprintf("%sp%d", prefix, i)
		node[p] = id
		d.printf("%s%s [label=%s, shape=invhouse, fillcolor=%q];\n", indent, id,
			quote(p.String()+"\n"+p.Type.String()+" "+p.Role.String()), roleFill[p.Role])
	}
	for i, in := range f.Body {
		id := fmt.Sprintf("%si%d", prefix, i)
		for _, r := range in.Results {
			node[r] = id
		}
		d.printf("%s%s [label=%s];\n", indent, id, quote(instrLabel(in)))
		for j, a := range in.Args {
			d.edge(indent, node, a, id, len(in.Args) > 1, j)
		}
		if in.Region == nil {
			continue
		}
		for k, rf := range in.Region.Funcs {
			cluster := fmt.Sprintf("%si%d_%d_", prefix, i, k)
			d.printf("%ssubgraph %s {\n", indent, "cluster_"+cluster)
			d.printf("%s  label=%s; style=\"rounded,dashed\"; color=\"#888888\";\n", indent,
				quote(fmt.Sprintf("region of %s: @%s", instrName(in), rf.Name)))
			d.fn(rf, cluster, indent+"  ")
			d.printf("%s}\n", indent)
			d.printf("%s%sret -> %s [style=dashed, label=\"region\"];\n", indent, cluster, id)
		}
	}
	ret := prefix + "ret"
	d.printf("%s%s [label=\"return\", shape=house, fillcolor=%q];\n", indent, ret, returnFill)
	for j, r := range f.Results {
		d.edge(indent, node, r, ret, len(f.Results) > 1, j)
	}
}

// edge writes the edge from value v to the node to, its use as operand j.
func (d *dotWriter) edge(indent string, node map[*ir.Value]string, v *ir.Value, to string, several bool, j int) {
	from, ok := node[v]
	if !ok {
		return // not a value of this function (the verifier reports it)
	}
	var label []string
	if v.Def != nil && len(v.Def.Results) > 1 {
		label = append(label, v.String())
	}
	if several {
		label = append(label, strconv.Itoa(j))
	}
	attrs := ""
	if len(label) > 0 {
		attrs = " [label=" + quote(strings.Join(label, " → ")) + "]"
	}
	d.printf("%s%s -> %s%s;\n", indent, from, to, attrs)
}

// instrLabel is the text of an instruction's node: its results and op,
// its attributes (cut short), and its result types.
func instrLabel(in *ir.Instr) string {
	s := instrName(in) + " = " + in.Op.String()
	if len(in.Attrs) > 0 {
		attrs := in.Attrs.String()
		if r := []rune(attrs); len(r) > maxAttrLabel {
			attrs = string(r[:maxAttrLabel-1]) + "…"
		}
		s += "\n" + attrs
	}
	return s + "\n" + joinTypes(in.ResultTypes())
}

// instrName lists an instruction's results: "%u, %s, %v".
func instrName(in *ir.Instr) string {
	names := make([]string, len(in.Results))
	for i, r := range in.Results {
		names[i] = r.String()
	}
	return strings.Join(names, ", ")
}

// joinTypes lists types as the text format does: "f32[2], i64[]".
func joinTypes(ts []ir.Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}

// quote makes s a DOT string: in double quotes, with quotes and
// backslashes escaped and line breaks as \n (centred lines).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
