package main

import (
	"flag"
	"strings"

	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/passes"
)

// pipelineFlagSet holds the flags of pf opt and pf html that choose and
// configure the passes.
type pipelineFlagSet struct {
	list, wrt *string
	tangents  *int
	guess     *guessFlagSet
	required  bool // -passes must list a pass
}

// pipelineFlags defines the flags on fs; required makes -passes required.
func pipelineFlags(fs *flag.FlagSet, required bool) *pipelineFlagSet {
	usage := "comma-separated `passes` to run in order"
	if required {
		usage += " (required)"
	}
	return &pipelineFlagSet{
		required: required,
		list:     fs.String("passes", "", usage),
		wrt:      fs.String("wrt", "", "comma-separated `parameters` for jvp and vjp (default: every float parameter with role param)"),
		tangents: fs.Int("tangents", 1, "number of tangents `T` jvp carries on a leading axis"),
		guess:    guessFlags(fs),
	}
}

// pipeline checks the flags and returns the passes and their options.
func (p *pipelineFlagSet) pipeline() ([]string, passes.Options, error) {
	names := splitList(*p.list)
	switch {
	case len(names) == 0 && p.required:
		return nil, passes.Options{}, cli.Usagef("-passes is required (want a comma-separated list of %s)", strings.Join(passNames(), ", "))
	case *p.tangents < 1:
		return nil, passes.Options{}, cli.Usagef("-tangents %d: want at least 1", *p.tangents)
	}
	if err := checkPassList("passes", names); err != nil {
		return nil, passes.Options{}, err
	}
	guess, err := p.guess.options()
	if err != nil {
		return nil, passes.Options{}, err
	}
	return names, passes.Options{Wrt: splitList(*p.wrt), Tangents: *p.tangents, Guess: guess}, nil
}
