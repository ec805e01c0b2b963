package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/methods/sweep"
)

// sweepName names the cluster jobs.
const sweepName = "reproduce"

// k8sResults is where the results volume is mounted in the Kubernetes pods.
const k8sResults = "/results"

// unfinished returns the names of the selected cells that are not done.
func unfinished(cells []cell, o options) ([]string, error) {
	var names []string
	for _, c := range cells {
		if !o.selected(c) {
			continue
		}
		done, err := c.done(o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.ID(), err)
		}
		if !done {
			names = append(names, c.ID())
		}
	}
	return names, nil
}

// taskCommand is what a cluster task runs, but for the cell's name: this
// program with every setting that changes a cell's numbers, and -cell.
func taskCommand(program, results string, o options) []string {
	cmd := []string{program, "-grid", o.grid.name, "-dataset", o.dataset}
	if o.dataDir != "" {
		cmd = append(cmd, "-data", o.dataDir)
	}
	return append(cmd, "-epochs", strconv.Itoa(o.epochs), "-results", results, "-cell")
}

// runSlurm submits the unfinished cells that no earlier array is running
// as a Slurm job array and, with -wait, follows every task until it ends.
func runSlurm(ctx context.Context, cells []cell, o options, stdout, stderr io.Writer) error {
	results, err := filepath.Abs(o.results)
	if err != nil {
		return err
	}
	o.results = results
	sl := &sweep.Slurm{Partition: o.cluster.partition, Time: o.cluster.timeLimit, CPUs: o.cluster.cpus,
		MaxParallel: o.cluster.maxParallel}
	todo, err := unfinished(cells, o)
	if err != nil {
		return err
	}
	var active []sweep.Task
	if !o.cluster.dryRun {
		if active, err = sl.Active(ctx, results); err != nil {
			return err
		}
	}
	active = slices.DeleteFunc(active, func(t sweep.Task) bool { return !o.selectedName(t.Cell) })
	inFlight := map[string]bool{}
	for _, t := range active {
		inFlight[t.Cell] = true
		fmt.Fprintf(stdout, "cell %s is already queued or running as task %s\n", t.Cell, t.ID())
	}
	todo = slices.DeleteFunc(todo, func(c string) bool { return inFlight[c] })
	tasks := active
	switch {
	case len(todo) == 0 && len(active) == 0:
		fmt.Fprintln(stdout, "nothing to submit: every selected cell is done")
	case len(todo) == 0:
		fmt.Fprintf(stdout, "nothing to submit: %s queued or running, the other selected cells done\n", count(len(active), "cell"))
	default:
		a, err := submit(ctx, sl, todo, o, stdout)
		if err != nil || a == nil {
			return err
		}
		tasks = append(a.Tasks(), active...)
	}
	if !o.cluster.wait || len(tasks) == 0 {
		return nil
	}
	out, err := sl.Follow(ctx, tasks, stderr)
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("stopped following the tasks, which go on; the same command follows them again: %w", err)
	}
	if err != nil {
		return err
	}
	return out.Err()
}

// submit writes the array of the cells todo and, unless -dry-run,
// submits it. It returns nil for a dry run.
func submit(ctx context.Context, sl *sweep.Slurm, todo []string, o options, stdout io.Writer) (*sweep.Array, error) {
	program, err := sweep.InstallExecutable(o.results)
	if err != nil {
		return nil, err
	}
	s := sweep.Sweep{Name: sweepName, Dir: o.results, Command: taskCommand(program, o.results, o), Cells: todo}
	a, err := sl.Write(s)
	if err != nil {
		return nil, err
	}
	if o.cluster.dryRun {
		fmt.Fprintf(stdout, "wrote %s and %s (%s); submit with: sbatch --parsable %s\n",
			a.Script, a.Manifest, count(len(todo), "cell"), a.Script)
		return nil, nil
	}
	if err := sl.Submit(ctx, a); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "submitted job %s: %s (%s), logs in %s\n", a.JobID, count(len(todo), "cell"),
		strings.Join(todo, ", "), filepath.Join(a.Logs, a.JobID+"_*.log"))
	return a, nil
}

// writeKubernetes writes the unfinished cells as a Kubernetes Indexed Job
// to -results/sweep/reproduce-job.yaml.
func writeKubernetes(cells []cell, o options, stdout io.Writer) error {
	todo, err := unfinished(cells, o)
	if err != nil {
		return err
	}
	if len(todo) == 0 {
		fmt.Fprintln(stdout, "nothing to write: every selected cell is done")
		return nil
	}
	k := &sweep.Kubernetes{Image: o.cluster.image, Volume: o.cluster.volume, CPUs: o.cluster.cpus, MaxParallel: o.cluster.maxParallel}
	s := sweep.Sweep{Name: sweepName, Dir: k8sResults, Command: taskCommand("reproduce", k8sResults, o), Cells: todo}
	y, err := k.Manifest(s)
	if err != nil {
		return err
	}
	path := filepath.Join(o.results, sweep.FilesDir, sweepName+"-job.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, y, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s); run with: kubectl apply -f %s\n", path, count(len(todo), "cell"), path)
	return nil
}

// count is "1 cell", "2 cells".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
