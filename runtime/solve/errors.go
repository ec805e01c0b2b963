package solve

import (
	"errors"
	"fmt"
)

// The kinds of failure; an *Error wraps one of them.
var (
	// ErrNotConverged: the iteration budget ran out before the tolerance.
	ErrNotConverged = errors.New("did not converge")
	// ErrIndefinite: a matrix assumed positive definite is not.
	ErrIndefinite = errors.New("not positive definite")
	// ErrSingular: the system is singular (or numerically so).
	ErrSingular = errors.New("singular")
	// ErrLineSearch: no step along the search direction decreases the
	// merit function.
	ErrLineSearch = errors.New("line search failed")
	// ErrNonFinite: a callback returned NaN or ±Inf.
	ErrNonFinite = errors.New("non-finite value")
)

// An Error is a solver failure: the method ("cg", "newton", ...), the
// step it failed in ("line search", "KKT solve", ...), the iteration, a
// message with the figures, and the kind (one of the Err variables) or
// the error of a callback.
type Error struct {
	Method string
	Step   string
	Iter   int
	Msg    string
	Kind   error
}

func (e *Error) Error() string {
	s := e.Method
	if e.Step != "" {
		s += " " + e.Step
	}
	s += fmt.Sprintf(", iteration %d: ", e.Iter)
	switch {
	case e.Kind == nil:
		s += e.Msg
	case e.Msg == "":
		s += e.Kind.Error()
	case isKind(e.Kind):
		s += e.Kind.Error() + ": " + e.Msg
	default:
		s += e.Msg + ": " + e.Kind.Error()
	}
	return s
}

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Kind }

func isKind(err error) bool {
	for _, k := range []error{ErrNotConverged, ErrIndefinite, ErrSingular, ErrLineSearch, ErrNonFinite} {
		if err == k {
			return true
		}
	}
	return false
}

func fail(method, step string, iter int, kind error, format string, args ...any) *Error {
	return &Error{Method: method, Step: step, Iter: iter, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// wrap annotates a callback's error with where it happened; a solver
// error from a nested solve is passed on as it is.
func wrap(method, step string, iter int, err error) error {
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	return &Error{Method: method, Step: step, Iter: iter, Kind: err}
}
