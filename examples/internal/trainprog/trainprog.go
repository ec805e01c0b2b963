// Package trainprog is the command line of the example programs that
// train the forward-gradient paper's MLP on a data set (examples/mnist1d,
// examples/mnist): named setups whose settings single flags override,
// checks of every flag before any work, the run of every method through
// methods/train, and the conventions of internal/cli for help, usage
// errors and failures.
package trainprog

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/methods/train"
)

// Options are the settings of a run.
type Options struct {
	Setup           string
	Methods         []string
	K, Width, Depth int
	Epochs, Batch   int
	Seed            uint64
	LR              float64
	Out             string
	JSON, Resume    bool
	CheckpointEvery int
	// Data says where the data come from; its meaning is the program's.
	Data string
	// MaxTrain and MaxTest keep only the first so many examples (0: all).
	MaxTrain, MaxTest int
	// Heads, if set, replace the MLP's output layer by a last layer of
	// Dim features and each nearest-ETF paper head in turn (standard,
	// fixed, implicit; see heads.go), on features of norm Tau.
	Heads []string
	Dim   int
	Tau   float64
	// Optimizer is adamw (the default), momentum (μ = 0.9) or sgd, at LR.
	Optimizer string
	// Stratified draws batches with every class in proportion.
	Stratified bool
}

// A Setup is a named set of settings; flags given with it override them.
type Setup struct {
	Name string
	// Doc says what the setup is and what it costs, for the usage.
	Doc string
	Options
}

// A Program is one example program.
type Program struct {
	Name    string // in messages: "mnist1d"
	Command string // how it is run: "go run ./examples/mnist1d"
	// About is the usage's first paragraphs: what the program does.
	About string
	// Examples are command lines shown in the usage.
	Examples []string
	// Setups are the named setups; the first is the default.
	Setups []Setup
	// Flags registers the program's own flags (such as -data) into o,
	// whose fields hold the setup's values.
	Flags func(fs *flag.FlagSet, o *Options)
	// Check reports a usage error in the program's own settings.
	Check func(o *Options) error
	// Load returns the data and their description for the header and
	// the plots ("MNIST-1D, canonical split").
	Load func(o *Options, stderr io.Writer) (trainSet, testSet *data.Dataset, about string, err error)
	// Features and Classes are the model's input and output sizes.
	Features, Classes int
}

// Main runs the program on the command line and exits with its status.
// Ctrl-C stops the run after the current step with a checkpoint; a second
// one kills the program.
func (p *Program) Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := p.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Run runs the program with the arguments args and returns its exit
// status: 0 when every method trained (or for -h), 2 for a usage error,
// found before any work, and 1 when a run failed.
func (p *Program) Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, fs, err := p.Parse(args)
	usage := func(w io.Writer) { p.usage(w, fs) }
	if err == nil {
		err = p.run(ctx, o, stdout, stderr)
	}
	return cli.Status(p.Name, p.Command, err, stderr, usage)
}

// Parse reads the command line: the setup named by -setup (the first
// without it), then every other flag given, which overrides its setting.
// Every setting is checked before it returns.
func (p *Program) Parse(args []string) (*Options, *flag.FlagSet, error) {
	name := setupArg(args)
	if name == "" {
		name = p.Setups[0].Name
	}
	i := slices.IndexFunc(p.Setups, func(s Setup) bool { return s.Name == name })
	fs := p.flags(&Options{})
	if i < 0 {
		return nil, fs, cli.Usagef("-setup %q: want %s", name, p.setupNames())
	}
	o := p.Setups[i].Options
	o.Setup = name
	fs = p.flags(&o)
	if err := cli.Parse(fs, args); err != nil {
		return nil, fs, err
	}
	if err := cli.CheckArgs(fs, 0, 0); err != nil {
		return nil, fs, err
	}
	if err := p.check(fs, &o); err != nil {
		return nil, fs, err
	}
	return &o, fs, nil
}

// setupArg returns the value of -setup among args, or "".
func setupArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "setup" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func (p *Program) setupNames() string {
	var names []string
	for _, s := range p.Setups {
		names = append(names, s.Name)
	}
	return strings.Join(names, " or ")
}

// flags defines the flags over o, with o's values as defaults.
func (p *Program) flags(o *Options) *flag.FlagSet {
	fs := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	fs.Usage = func() {}
	fs.String("setup", o.Setup, "the setup whose settings the other flags override: "+p.setupNames())
	fs.Func("method", "comma-separated `methods`: "+strings.Join(fwdgrad.Methods(), ", ")+", or all (default "+strings.Join(o.Methods, ",")+")",
		func(s string) (err error) {
			o.Methods, err = train.ParseMethods(s)
			return err
		})
	fs.IntVar(&o.K, "k", o.K, "subspace dimension of wperp, wperp-bottom and wperp-ns: 1 to the width, or -1 for k = rank (wperp)")
	fs.IntVar(&o.Width, "width", o.Width, "hidden width, at least 1")
	fs.IntVar(&o.Depth, "depth", o.Depth, "number of hidden layers, at least 1")
	fs.IntVar(&o.Epochs, "epochs", o.Epochs, "epochs, at least 1")
	fs.IntVar(&o.Batch, "batch", o.Batch, "batch size, at least 1 (the last batch of an epoch takes the rest)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the initialisation, the data order and the guesses")
	fs.Float64Var(&o.LR, "lr", o.LR, "learning rate of -optimizer, positive")
	fs.BoolVar(&o.JSON, "json", o.JSON, "print one JSON line of metrics per epoch on stdout (the table goes to stderr)")
	fs.StringVar(&o.Out, "out", o.Out, "output `directory`: DIR/<method>/ gets metrics and checkpoints, DIR/accuracy.png and DIR/loss.png the plots")
	fs.BoolVar(&o.Resume, "resume", o.Resume, "continue each method from its checkpoint in -out")
	fs.IntVar(&o.CheckpointEvery, "checkpoint-every", o.CheckpointEvery, "save a checkpoint every so many epochs (0: at the end only)")
	headFlags(fs, o)
	if p.Flags != nil {
		p.Flags(fs, o)
	}
	return fs
}

// check reports the first setting that cannot work, as a usage error.
func (p *Program) check(fs *flag.FlagSet, o *Options) error {
	switch {
	case o.Width < 1:
		return cli.Usagef("-width %d: want a hidden width of at least 1", o.Width)
	case o.Depth < 1:
		return cli.Usagef("-depth %d: want at least 1 hidden layer", o.Depth)
	case o.Epochs < 1:
		return cli.Usagef("-epochs %d: want at least 1 epoch", o.Epochs)
	case o.Batch < 1:
		return cli.Usagef("-batch %d: want a batch of at least 1 example", o.Batch)
	case !(o.LR > 0) || math.IsInf(o.LR, 0):
		return cli.Usagef("-lr %g: want a positive learning rate", o.LR)
	case o.K == 0 || o.K < -1:
		return cli.Usagef("-k %d: want a subspace dimension from 1 to the width (%d), or -1 for k = rank", o.K, o.Width)
	case o.K > o.Width:
		return cli.Usagef("-k %d: want at most the width (%d)", o.K, o.Width)
	case o.K == -1 && slices.ContainsFunc(o.Methods, func(m string) bool { return m == "wperp-bottom" || m == "wperp-ns" }):
		return cli.Usagef("-k -1 (k = rank) is for wperp only, not wperp-bottom or wperp-ns")
	case o.CheckpointEvery < 0:
		return cli.Usagef("-checkpoint-every %d: want 0 or more epochs", o.CheckpointEvery)
	case o.Out == "":
		return cli.Usagef("-out: want a directory")
	case len(o.Methods) == 0:
		return cli.Usagef("-method: want at least one method")
	}
	if err := checkHeads(o, p.Classes); err != nil {
		return err
	}
	if p.Check != nil {
		return p.Check(o)
	}
	return nil
}

// usage writes the full usage: what the program does, its setups, the
// examples and the flags.
func (p *Program) usage(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s [flags]\n\n%s\n\nSetups (-setup NAME; flags override its settings):\n\n", p.Command, strings.TrimSpace(p.About))
	for _, s := range p.Setups {
		fmt.Fprintf(&b, "  %s%s: %s.\n      %s\n", s.Name, map[bool]string{true: " (default)"}[s.Name == p.Setups[0].Name], describeSetup(s.Options), s.Doc)
	}
	b.WriteString("\nExamples:\n\n")
	for _, e := range p.Examples {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	fmt.Fprintf(&b, "\nCtrl-C stops after the current step and saves a checkpoint; -resume continues\nfrom it. Exit status: 0 when every method trained, 1 when a run failed, 2 for\na usage error.\n\nFlags (defaults of the %s setup):\n", fs.Lookup("setup").DefValue)
	cli.PrintUsage(w, b.String(), fs)
}

// describeSetup sums a setup's settings up in one line.
func describeSetup(o Options) string {
	s := fmt.Sprintf("%s; width %d, depth %d, %d epochs of batch %d, %s lr %g, seed %d",
		strings.Join(o.Methods, ","), o.Width, o.Depth, o.Epochs, o.Batch, o.optimizerLabel(), o.LR, o.Seed)
	if len(o.Heads) > 0 {
		s += fmt.Sprintf(", heads %s on %d features of norm %g", strings.Join(o.Heads, ","), o.Dim, o.Tau)
	}
	if o.Stratified {
		s += ", stratified batches"
	}
	if o.MaxTrain > 0 {
		s += fmt.Sprintf(", the first %d training examples", o.MaxTrain)
	}
	if o.Data != "" {
		s += ", -data " + o.Data
	}
	return s
}

// run loads the data, trains every method and reports.
func (p *Program) run(ctx context.Context, o *Options, stdout, stderr io.Writer) error {
	trainSet, testSet, about, err := p.Load(o, stderr)
	if err != nil {
		return err
	}
	if len(o.Heads) > 0 {
		return p.runHeads(ctx, o, trainSet, testSet, about, stdout, stderr)
	}
	opt, err := optim.New(o.optimizer(), o.LR)
	if err != nil {
		return err
	}
	widths := slices.Repeat([]int{o.Width}, o.Depth)
	model := train.MLP(p.Features, p.Classes, widths, false, ir.F32)
	cfg := train.Config{Method: fwdgrad.Config{K: o.K}, Optimizer: opt, Epochs: o.Epochs, Batch: o.Batch, Seed: o.Seed,
		Out: o.Out, Progress: stderr, CheckpointEvery: o.CheckpointEvery, Resume: o.Resume, Width: o.Width, Stratified: o.Stratified}
	table := stdout
	if o.JSON {
		cfg.JSON, table = stdout, stderr
	}
	mlp := fmt.Sprintf("MLP %d→%s→%d", p.Features, train.Arrows(widths), p.Classes)
	fmt.Fprintf(stderr, "%s, %s, %d epochs of batch %d, %s lr %g, seed %d: %s\n",
		about, mlp, o.Epochs, o.Batch, o.optimizerLabel(), o.LR, o.Seed, strings.Join(o.Methods, ", "))
	if slices.Contains(o.Methods, "wperp-ns") {
		fmt.Fprintln(stderr, nsWarning(o, trainSet.N))
	}
	results, runErr := train.Compare(ctx, model, trainSet, testSet, cfg, o.Methods)
	title := fmt.Sprintf("%s\n%s, width %d\n%s", about, mlp, o.Width, strings.Join(o.Methods, ", "))
	return train.Report(results, runErr, o.Out, title, table, stderr)
}

// nsWarning says what W̃⊥-NS costs: its dense per-example polynomial makes
// a step about 40 times a W̃⊥ step. The rate is the one measured on
// MNIST-1D (README, Table 4): 1.35 s a step at width 128 and 129 s at
// width 512, batch 512, on 2 cores, about width^3.3 between them.
func nsWarning(o *Options, n int) string {
	steps := o.Epochs * ((n + o.Batch - 1) / o.Batch)
	perStep := 1.35 * math.Pow(float64(o.Width)/128, 3.3) * float64(min(o.Batch, n)) / 512
	total := time.Duration(perStep * float64(steps) * float64(time.Second))
	return fmt.Sprintf("warning: wperp-ns (W̃⊥-NS) is slow: a step took 1.35 s at width 128 and 129 s at width 512 (batch 512, 2 cores);\n"+
		"this run has %d wperp-ns steps at width %d, roughly %s of them on such a machine", steps, o.Width, roundDuration(total))
}

// roundDuration rounds d to what a person reads: seconds, minutes, hours.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Minute:
		return d.Round(time.Second)
	case d < time.Hour:
		return d.Round(time.Minute)
	}
	return d.Round(10 * time.Minute)
}
