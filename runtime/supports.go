package runtime

import "github.com/pushforward/pushforward/ir"

// Supports reports whether the interpreter can run op: whether its table
// of executors has an entry for it.
func Supports(op ir.Op) bool { return executors[op] != nil }
