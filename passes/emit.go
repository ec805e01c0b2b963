package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// The passes write code through ir.Writer, whose first error is sticky.
// An emission error inside a rule is a bug in the rule: the rule goes on
// with nil values and usually panics on them. checkEmit, deferred around
// such code, turns the writer's error into the function's error, and
// drops the panic that followed from it.

// checkEmit reports w's first error as *err, annotated with what; a panic
// with no writer error behind it goes on.
func checkEmit(w *ir.Writer, err *error, what func() string) {
	r := recover()
	if werr := w.Err(); werr != nil {
		*err = fmt.Errorf("%s: %w", what(), werr)
		return
	}
	if r != nil {
		panic(r)
	}
}
