// Package train is the training loop for classifiers built from IR: it
// compiles a model into training steps (methods/fwdgrad for the gradient
// or its forward-gradient estimate, methods/optim for the update), runs
// them epoch by epoch on a data.Dataset (package data), and records what
// happened.
//
// A Model builds the classifier for a static batch size; Run compiles it
// once per batch size it needs (the full batch and the partial last one,
// which is a step like any other, as with PyTorch's DataLoader and
// drop_last=False), plus small evaluation functions (loss and number
// correct) for chunks of up to 1000 examples. Everything a run carries
// from step to step lives in one table of tensors: the trained parameters,
// the optimizer's slots and step counter, and the warm-start state of the
// guess (wperp). Each compiled function runs on a runtime.Runner; a
// step's Runner writes the new parameters, slots and guess state back into
// the table's tensors (runtime.Feedback), so a step allocates nothing in
// steady state and the table is always current. A Config.Backend runs the
// functions instead, through the Stepper it returns for each (the Go that
// codegen emitted for it, in examples/generate), and the loop copies the
// new state into the table; StepFunc and EvalFunc return the functions a
// run compiles, for generators. Guess noise is drawn with the run's seed as key and the
// global step number as counter, so every step draws fresh noise and a
// run is a deterministic function of its configuration.
//
// A model may carry state of its own from step to step (parameters of
// role state, such as the nearest-ETF head's moving average of the class
// means): it returns each one's next value as a result "<state>.next",
// which the step returns beside its gradient (passes.VJPKeep,
// passes.GuessOptions.Keep) and feeds back, so backprop and the
// forward-gradient methods alike update it, and checkpoints carry it.
// Config.EvalModel evaluates a different function (a head that reads the
// classifier of the last step from its state); Config.Stratified draws
// batches with every class in proportion; Config.Collapse measures the
// neural-collapse metrics of package methods/etf on the training set after
// every epoch, into the metrics files (an "nc" object in each JSON line,
// columns after the others in the CSV; runs without them write what they
// always did).
//
// Per epoch, Run records the mean of the step losses (as PyTorch scripts
// usually log it), the accuracy on the whole train and test sets, and the
// elapsed time; it writes them as JSON lines and CSV, draws a progress bar
// on a terminal, and saves checkpoints atomically from which Resume
// continues bit for bit. Cancelling the context stops the run after the
// current step with a checkpoint. A non-finite loss stops it with an
// error naming the method, epoch and step.
//
// Metrics files, plots and checkpoints are written atomically, and only
// from runs that produced an epoch: a run that fails at once leaves the
// files of an earlier one as they were.
//
// Compare runs several methods one after another on the same model and
// data, after checking every run (Check: the settings, the data, the
// checkpoints to resume); WriteTable and PlotResults (PlotCurves for one
// metric, with Ticks on its axes) report them as a table and as PNG plots
// against the epoch, and Report does both and names every run that failed.
package train
