// Command ufm runs the unconstrained-features model (UFM) of the
// nearest-ETF paper (arXiv:2411.01248) with its three classifier heads:
// the features of every training example are free parameters, normalised
// to norm τ, classified by a learned (standard), a fixed or the implicit
// nearest simplex ETF, and trained with SGD and momentum on stratified
// batches. For each number of classes K, feature dimension d, head and
// seed it writes the per-epoch metrics (cross-entropy, accuracy and the
// neural-collapse metrics) as JSON lines and CSV, draws them against the
// epoch with the seeds' range shaded, and prints a table of how fast each
// head collapses, with the paper's claims checked against it. Run with
// -h for the flags.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
