package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// opsHelp lists every op of the table with its class, whether it has a
// JVP rule, a transpose rule (only the linear ops that JVP rules emit on
// tangents need one) and an interpreter executor, and its description.
func opsHelp() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "OP\tCLASS\tJVP\tTRANSPOSE\tEXEC\tDESCRIPTION")
	for _, op := range ir.AllOps() {
		info := op.Info()
		jvp, tr := passes.HasRules(op)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", info.Name, info.Class, yesNo(jvp), yesNo(tr), yesNo(runtime.Supports(op)), info.Doc)
	}
	w.Flush()
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}
