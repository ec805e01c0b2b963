package conformance

import "github.com/pushforward/pushforward/ir"

// declarativeCases returns the cases of the declarative ops.
func declarativeCases() []Case {
	return []Case{
		{Name: "argmin", Op: ir.OpArgmin, Pending: "argmin has no JVP rule yet"},
	}
}
