package runtime

import "github.com/pushforward/pushforward/ir"

// RunNamed runs f once on inputs given by parameter name (without the %),
// one for every parameter and no other: the form for functions with many
// parameters, such as a forward-gradient step. Run takes them by position.
func RunNamed(f *ir.Func, inputs map[string]*Tensor) ([]*Tensor, error) {
	it, err := New(f)
	if err != nil {
		return nil, err
	}
	return it.RunNamed(inputs)
}
