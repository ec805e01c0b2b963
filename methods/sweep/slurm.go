package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Slurm runs sweeps as Slurm job arrays.
type Slurm struct {
	// Partition is sbatch's --partition; empty means the cluster's
	// default.
	Partition string
	// Time is each task's time limit in one of Slurm's formats
	// (ParseTimeLimit); empty means the partition's.
	Time string
	// CPUs is sbatch's --cpus-per-task (default 1); the task's
	// GOMAXPROCS follows it unless set.
	CPUs int
	// MaxParallel limits how many tasks run at once (--array=0-N%M);
	// 0 means no limit.
	MaxParallel int
	// Poll is how often Follow asks the scheduler (default 5 s).
	Poll time.Duration
	// Exec runs a Slurm command (sbatch, squeue, sacct) and returns its
	// standard output; nil runs it with os/exec. Tests replace it.
	Exec func(ctx context.Context, name string, args ...string) ([]byte, error)
}

// MaxRequeues bounds how often a task requeues itself at its time limit,
// so that a cell whose single step outlasts the limit does not loop.
const MaxRequeues = 20

// An Array is a sweep written as a job array: its script, its manifest
// (task i runs the cell on line i+1) and, once submitted, its job ID.
type Array struct {
	Script, Manifest string
	Cells            []string
	// JobID is the array's job ID (%A), set by Submit.
	JobID string
	// Logs is the directory of the tasks' logs, JobID_index.log.
	Logs string
}

// Tasks returns the array's tasks.
func (a *Array) Tasks() []Task {
	tasks := make([]Task, len(a.Cells))
	for i, c := range a.Cells {
		tasks[i] = Task{JobID: a.JobID, Index: i, Cell: c, Log: a.log(i)}
	}
	return tasks
}

func (a *Array) log(i int) string { return filepath.Join(a.Logs, fmt.Sprintf("%s_%d.log", a.JobID, i)) }

// A Task is one array task: the cell it runs and where its log is.
type Task struct {
	JobID string
	Index int
	Cell  string
	Log   string
}

// ID is the task's name for squeue and scancel: JobID_Index.
func (t Task) ID() string { return fmt.Sprintf("%s_%d", t.JobID, t.Index) }

// Write writes s as a job array under s.Dir/sweep: slurm-NNN.sh and its
// manifest slurm-NNN.cells, numbered after the arrays already there, so
// that a queued array keeps its own manifest.
func (sl *Slurm) Write(s Sweep) (*Array, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := sl.check(); err != nil {
		return nil, err
	}
	dir := s.files()
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	base, err := claimNumber(dir)
	if err != nil {
		return nil, err
	}
	a := &Array{Script: base + ".sh", Manifest: base + ".cells", Cells: s.Cells, Logs: logs}
	if err := writeAtomic(a.Manifest, []byte(manifest(s.Cells)), 0o644); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if err := writeAtomic(a.Script, []byte(sl.script(s, a)), 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return a, nil
}

func (sl *Slurm) check() error {
	var errs []error
	if sl.CPUs < 0 {
		errs = append(errs, fmt.Errorf("CPUs %d, want ≥ 1 (0: 1)", sl.CPUs))
	}
	if sl.MaxParallel < 0 {
		errs = append(errs, fmt.Errorf("MaxParallel %d, want ≥ 0", sl.MaxParallel))
	}
	if sl.Time != "" {
		if _, err := ParseTimeLimit(sl.Time); err != nil {
			errs = append(errs, err)
		}
	}
	if strings.ContainsAny(sl.Partition, " \t\n'\"") {
		errs = append(errs, fmt.Errorf("partition %q has blanks or quotes", sl.Partition))
	}
	if len(errs) > 0 {
		return fmt.Errorf("sweep: slurm: %w", errors.Join(errs...))
	}
	return nil
}

// claimNumber creates dir/slurm-NNN.cells for the next free NNN and
// returns dir/slurm-NNN.
func claimNumber(dir string) (string, error) {
	for n := 1; n < 100000; n++ {
		base := filepath.Join(dir, fmt.Sprintf("slurm-%03d", n))
		f, err := os.OpenFile(base+".cells", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("sweep: %w", err)
		}
		return base, f.Close()
	}
	return "", fmt.Errorf("sweep: %s holds too many arrays", dir)
}

// signalLead is how long before the time limit Slurm asks a task to
// checkpoint: 5 minutes (a step of the widest methods takes up to about
// 2), or a quarter of a shorter limit. Slurm sends the signal up to a
// minute early.
func (sl *Slurm) signalLead() int {
	lead := 5 * time.Minute
	if d, err := ParseTimeLimit(sl.Time); err == nil && d > 0 && d/4 < lead {
		lead = max(d/4, time.Second)
	}
	return int(lead / time.Second)
}

// script is the array's batch script.
func (sl *Slurm) script(s Sweep, a *Array) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("#!/bin/bash")
	w("# Sweep %s: %d cells with results in %s, one array task each.", s.Name, len(s.Cells), s.Dir)
	w("# Task i runs the cell on line i+1 of %s.", filepath.Base(a.Manifest))
	w("# Written by methods/sweep; submit with: sbatch --parsable %s", a.Script)
	w("#SBATCH --job-name=%s", s.Name)
	array := fmt.Sprintf("0-%d", len(s.Cells)-1)
	if sl.MaxParallel > 0 {
		array += fmt.Sprintf("%%%d", sl.MaxParallel)
	}
	w("#SBATCH --array=%s", array)
	w("#SBATCH --output=%s", filepath.Join(a.Logs, "%A_%a.log"))
	w("#SBATCH --open-mode=append")
	w("#SBATCH --requeue")
	w("#SBATCH --signal=B:USR1@%d", sl.signalLead())
	w("#SBATCH --cpus-per-task=%d", max(sl.CPUs, 1))
	if sl.Time != "" {
		w("#SBATCH --time=%s", sl.Time)
	}
	if sl.Partition != "" {
		w("#SBATCH --partition=%s", sl.Partition)
	}
	fmt.Fprintf(&b, taskBody, shellQuote(a.Manifest), shellCommand(s.Command), MaxRequeues)
	return b.String()
}

// taskBody runs the task's cell in the background and waits for it, so
// that the shell can act on signals: USR1 (sent by Slurm before the time
// limit, --signal=B:USR1) asks the cell to stop with a checkpoint and then
// requeues the task, which resumes from it; SIGTERM (scancel, or the time
// limit itself) reaches the cell from Slurm directly, and the shell waits
// for it to save its checkpoint instead of dying first.
const taskBody = `set -u
manifest=%s
line=$((SLURM_ARRAY_TASK_ID + 1))
cell=$(sed -n "${line}p" "$manifest")
if [ -z "$cell" ]; then
	echo "sweep: no cell on line $line of $manifest" >&2
	exit 2
fi
echo "sweep: task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname): cell $cell"
# Go programs use the CPUs Slurm gave the task, not every CPU of the node.
if [ -n "${SLURM_CPUS_PER_TASK:-}" ] && [ -z "${GOMAXPROCS:-}" ]; then
	export GOMAXPROCS=$SLURM_CPUS_PER_TASK
fi
requeue=
trap 'requeue=1; kill -TERM "$pid" 2>/dev/null' USR1
trap 'echo "sweep: SIGTERM; waiting for the cell to save its checkpoint"' TERM
%s "$cell" &
pid=$!
wait "$pid"
status=$?
while kill -0 "$pid" 2>/dev/null; do
	wait "$pid"
	status=$?
done
echo "sweep: cell $cell exited with status $status"
if [ -n "$requeue" ]; then
	if [ "${SLURM_RESTART_COUNT:-0}" -lt %d ]; then
		echo "sweep: requeueing the task; it resumes from the checkpoint"
		scontrol requeue "$SLURM_JOB_ID"
	else
		echo "sweep: requeued too often; not again (rerun the sweep to resume)"
	fi
fi
exit "$status"
`

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellCommand(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// Submit submits the array with sbatch --parsable and records its job ID
// in a.JobID and beside the script (slurm-NNN.job).
func (sl *Slurm) Submit(ctx context.Context, a *Array) error {
	out, err := sl.exec(ctx, "sbatch", "--parsable", a.Script)
	if err != nil {
		return fmt.Errorf("sweep: sbatch %s: %w", a.Script, err)
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";") // "jobid[;cluster]"
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return fmt.Errorf("sweep: sbatch --parsable printed %q, not a job ID", strings.TrimSpace(string(out)))
	}
	a.JobID = id
	return writeAtomic(strings.TrimSuffix(a.Script, ".sh")+".job", []byte(id+"\n"), 0o644)
}

// exec runs a Slurm command, with its standard error in the error.
func (sl *Slurm) exec(ctx context.Context, name string, args ...string) ([]byte, error) {
	if sl.Exec != nil {
		return sl.Exec(ctx, name, args...)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return out, err
	}
	return out, nil
}

// Submitted returns the arrays written and submitted in dir/sweep, oldest
// first.
func Submitted(dir string) ([]*Array, error) {
	files := filepath.Join(dir, FilesDir)
	jobs, err := filepath.Glob(filepath.Join(files, "slurm-*.job"))
	if err != nil {
		return nil, err
	}
	var arrays []*Array
	for _, job := range jobs {
		b, err := os.ReadFile(job)
		if err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		base := strings.TrimSuffix(job, ".job")
		cells, err := ReadManifest(base + ".cells")
		if err != nil {
			return nil, err
		}
		arrays = append(arrays, &Array{Script: base + ".sh", Manifest: base + ".cells", Cells: cells,
			JobID: strings.TrimSpace(string(b)), Logs: filepath.Join(files, "logs")})
	}
	return arrays, nil
}

// Active returns the tasks of the arrays submitted in dir/sweep that are
// still pending or running, so that a new submission leaves their cells
// alone.
func (sl *Slurm) Active(ctx context.Context, dir string) ([]Task, error) {
	arrays, err := Submitted(dir)
	if err != nil {
		return nil, err
	}
	var active []Task
	for _, a := range arrays {
		states, err := sl.states(ctx, a.JobID, len(a.Cells))
		if err != nil {
			return nil, err
		}
		for _, t := range a.Tasks() {
			if st, ok := states[t.Index]; ok && !st.finished() {
				active = append(active, t)
			}
		}
	}
	return active, nil
}

// timeLimit matches Slurm's time formats: minutes, minutes:seconds,
// hours:minutes:seconds, days-hours, days-hours:minutes and
// days-hours:minutes:seconds.
var timeLimit = regexp.MustCompile(`^(?:(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?|(\d+)(?::(\d+)(?::(\d+))?)?)$`)

// ParseTimeLimit parses a time limit in one of Slurm's formats, or
// UNLIMITED / INFINITE (returned as 0).
func ParseTimeLimit(s string) (time.Duration, error) {
	switch strings.ToUpper(s) {
	case "UNLIMITED", "INFINITE":
		return 0, nil
	}
	m := timeLimit.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("time limit %q: want MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS", s)
	}
	n := func(i int) time.Duration {
		v, _ := strconv.Atoi(m[i])
		return time.Duration(v)
	}
	var d time.Duration
	if m[1] != "" { // days-hours[:minutes[:seconds]]
		d = n(1)*24*time.Hour + n(2)*time.Hour + n(3)*time.Minute + n(4)*time.Second
	} else {
		switch {
		case m[7] != "": // hours:minutes:seconds
			d = n(5)*time.Hour + n(6)*time.Minute + n(7)*time.Second
		case m[6] != "": // minutes:seconds
			d = n(5)*time.Minute + n(6)*time.Second
		default: // minutes
			d = n(5) * time.Minute
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("time limit %q: want a positive time", s)
	}
	return d, nil
}
