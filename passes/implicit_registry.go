package passes

import (
	"fmt"
	"slices"
	"sync"

	"github.com/pushforward/pushforward/ir"
)

// Registries of argmin's specialisations. Research methods register
// into them (methods import passes, never the reverse):
//
//   - a closed form, under a solver name: the implicit pass builds the
//     region function @f.solution from it, which the runtime runs instead
//     of an iterative solver (its answer still passes the optimality
//     check);
//   - a derivative rule, under a name the attribute implicit selects (by
//     default the solver's name): it overrides the generic implicit rule.
//
// A registered rule is a JVP rule like any other: it emits code linear in
// the tangents, built of ops with transpose rules, so reverse mode is its
// transpose. Tests compare it with the generic rule ("krylov") and the
// dense oracle ("dense").

// A ClosedForm emits, through e, the solution of the argmin in from the
// operands, which are the parameters of the function being built
// (typed like in's operands); it returns one value per variable, typed
// like in's results. It reports an error when the problem does not have
// the shape the closed form expects.
type ClosedForm func(e *ir.Writer, in *ir.Instr, operands []*ir.Value) ([]*ir.Value, error)

// An ArgminRule is a derivative rule for argmin: given the argmin (with
// its derived region functions) in the function being built and the
// tangents of its operands (nil for none, with a leading axis of T
// tangents when there are several), it emits the tangents of the results.
type ArgminRule func(e *ir.Writer, in *ir.Instr, tangents []*ir.Value) ([]*ir.Value, error)

// The generic rules, always available by name.
const (
	RuleKrylov = "krylov" // matrix-free: CG or MINRES on Hessian-vector products
	RuleDense  = "dense"  // the dense Hessian or KKT matrix (small problems, the oracle)
)

var registry = struct {
	sync.RWMutex
	closed map[string]ClosedForm
	rules  map[string]ArgminRule
}{closed: map[string]ClosedForm{}, rules: map[string]ArgminRule{}}

// RegisterClosedForm registers the closed form of argmins whose solver
// attribute is name. It panics if name is a built-in solver or already
// registered.
func RegisterClosedForm(name string, cf ClosedForm) {
	registry.Lock()
	defer registry.Unlock()
	if slices.Contains(builtinSolvers, name) || registry.closed[name] != nil || cf == nil {
		panic(fmt.Sprintf("passes: closed form %q registered twice, nil, or a built-in solver", name))
	}
	registry.closed[name] = cf
}

// RegisterArgminRule registers a derivative rule under name. It panics if
// name is a generic rule or already registered.
func RegisterArgminRule(name string, r ArgminRule) {
	registry.Lock()
	defer registry.Unlock()
	if name == RuleKrylov || name == RuleDense || registry.rules[name] != nil || r == nil {
		panic(fmt.Sprintf("passes: argmin rule %q registered twice, nil, or a generic rule", name))
	}
	registry.rules[name] = r
}

// ClosedFormNames returns the registered closed forms, sorted.
func ClosedFormNames() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.closed))
	for n := range registry.closed {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func closedForm(name string) ClosedForm {
	registry.RLock()
	defer registry.RUnlock()
	return registry.closed[name]
}

func argminRule(name string) ArgminRule {
	registry.RLock()
	defer registry.RUnlock()
	return registry.rules[name]
}

// buildSolution builds the region function @f.solution(θ..) -> (x..) from a
// closed form.
func buildSolution(in *ir.Instr, a *ir.ArgminRegion, cf ClosedForm) (sol *ir.Func, err error) {
	sol = ir.NewFunc(ir.DerivedName(a.Objective.Name, ir.RoleSolution))
	sol.Pos = a.Objective.Pos
	k := len(in.Results)
	ops := make([]*ir.Value, len(in.Args))
	for i, p := range a.Objective.Params[k:] {
		ops[i] = sol.AddParam(p.Name, p.Type, p.Role)
	}
	e := ir.NewWriter(sol, nil).At(in.Pos)
	defer checkEmit(e, &err, func() string { return "building the solution" })
	xs, err := cf(e, in, ops)
	if err != nil {
		return nil, err
	}
	if len(xs) != k {
		return nil, fmt.Errorf("gave %d values for %d variables", len(xs), k)
	}
	for j, x := range xs {
		if x == nil || !x.Type.Equal(in.Results[j].Type) {
			return nil, fmt.Errorf("variable %d: got %v, want type %s", j, x, in.Results[j].Type)
		}
	}
	sol.Results = xs
	return tidy(sol), nil
}
