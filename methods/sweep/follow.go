package sweep

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"
)

// A taskState is what the scheduler says of a task.
type taskState struct {
	State string // Slurm's job state: PENDING, RUNNING, COMPLETED, FAILED, ...
	// ExitCode is the exit status of the task's script, Signal the
	// signal that killed it (0 if none).
	ExitCode, Signal int
}

// finished reports whether the task has ended for good (a requeued task
// has not: it is pending again).
func (s taskState) finished() bool {
	switch s.State {
	case "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL",
		"DEADLINE", "OUT_OF_MEMORY", "SPECIAL_EXIT", "REVOKED", unknownState:
		return true
	}
	return false
}

func (s taskState) succeeded() bool {
	return s.State == "COMPLETED" && s.ExitCode == 0 && s.Signal == 0
}

// unknownState is the state of a task neither squeue nor sacct knows:
// finished longer ago than the controller keeps jobs (MinJobAge), on a
// cluster without accounting.
const unknownState = "UNKNOWN"

// states returns the state of the tasks of the array jobID that the
// scheduler knows, by index: from squeue (which lists finished tasks for
// MinJobAge after they end), and for the tasks it does not list among the
// first n, from sacct (accounting).
func (sl *Slurm) states(ctx context.Context, jobID string, n int) (map[int]taskState, error) {
	out, qerr := sl.exec(ctx, "squeue", "-h", "-r", "-t", "all", "-j", jobID, "-O", "ArrayTaskID:16,State:24,exit_code:16")
	states := map[int]taskState{}
	if qerr == nil {
		parseSqueue(string(out), states)
		if len(states) >= n {
			return states, nil
		}
	}
	out, aerr := sl.exec(ctx, "sacct", "-n", "-P", "-X", "-j", jobID, "--format=JobID,State,ExitCode")
	if aerr == nil {
		fromSacct := map[int]taskState{}
		parseSacct(string(out), jobID, fromSacct)
		for i, st := range fromSacct {
			if _, ok := states[i]; !ok {
				states[i] = st
			}
		}
	}
	if qerr != nil && !strings.Contains(qerr.Error(), "Invalid job id") && len(states) == 0 {
		return nil, fmt.Errorf("sweep: squeue: %w", qerr)
	}
	return states, nil
}

// parseSqueue reads lines "index state waitstatus" (exit_code is the raw
// wait status: the exit code times 256 plus the signal).
func parseSqueue(out string, states map[int]taskState) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		i, err1 := strconv.Atoi(f[0])
		w, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			continue // an array not yet split into tasks: 0-3%2
		}
		states[i] = taskState{State: f[1], ExitCode: w >> 8, Signal: w & 0x7f}
	}
}

// parseSacct reads lines "jobID_index|STATE[ by uid]|code:signal".
func parseSacct(out, jobID string, states map[int]taskState) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) != 3 {
			continue
		}
		idx, ok := strings.CutPrefix(f[0], jobID+"_")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil {
			continue
		}
		st := taskState{State: strings.Fields(f[1] + " ")[0]}
		code, sig, _ := strings.Cut(f[2], ":")
		st.ExitCode, _ = strconv.Atoi(code)
		st.Signal, _ = strconv.Atoi(sig)
		states[i] = st
	}
}

// An Outcome is how the tasks of a sweep ended.
type Outcome struct {
	Done   []Task
	Failed []Failure
}

// A Failure is a task that ended without success.
type Failure struct {
	Task
	State            string
	ExitCode, Signal int
	// LogTail is the end of the task's log.
	LogTail string
}

func (f Failure) String() string {
	how := fmt.Sprintf("%s, exit code %d", f.State, f.ExitCode)
	if f.Signal != 0 {
		how += fmt.Sprintf(", signal %d", f.Signal)
	}
	if f.State == unknownState {
		how = "no record of how it ended (the controller forgot it and there is no accounting)"
	}
	return fmt.Sprintf("task %s (cell %s): %s; the end of %s:\n%s", f.ID(), f.Cell, how, f.Log, indent(f.LogTail, "\t"))
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// Err returns an error listing the failed tasks, or nil.
func (o *Outcome) Err() error {
	if len(o.Failed) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d tasks failed:", len(o.Failed), len(o.Failed)+len(o.Done))
	for _, f := range o.Failed {
		fmt.Fprintf(&b, "\n%s", f)
	}
	return fmt.Errorf("sweep: %s", b.String())
}

// logTailLines is how much of a failed task's log an Outcome keeps.
const logTailLines = 15

// Follow watches tasks until every one has finished, writing a progress
// line to progress (redrawn in place on a terminal, else one line per
// change), and returns how they ended. It gives up when the scheduler
// has not answered maxPollErrors times in a row. Cancelling ctx stops
// watching; the tasks go on.
func (sl *Slurm) Follow(ctx context.Context, tasks []Task, progress io.Writer) (*Outcome, error) {
	poll := sl.Poll
	if poll <= 0 {
		poll = 5 * time.Second
	}
	line := newProgressLine(progress)
	start := time.Now()
	failures := 0
	for {
		states, err := sl.poll(ctx, tasks)
		switch {
		case err == nil:
			failures = 0
			line.show(summarize(tasks, states), time.Since(start))
			if allFinished(states) {
				line.end()
				return outcome(tasks, states), nil
			}
		case ctx.Err() == nil && failures+1 < maxPollErrors:
			failures++
		default:
			line.end()
			return nil, err
		}
		select {
		case <-ctx.Done():
			line.end()
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// maxPollErrors is how many failed polls in a row Follow tolerates: a
// busy controller may time out now and then.
const maxPollErrors = 5

// poll returns the state of every task; a task the scheduler does not
// know is in unknownState.
func (sl *Slurm) poll(ctx context.Context, tasks []Task) (map[Task]taskState, error) {
	states := map[Task]taskState{}
	for _, jobID := range jobIDs(tasks) {
		byIndex, err := sl.states(ctx, jobID, lastIndex(tasks, jobID)+1)
		if err != nil {
			return nil, err
		}
		for _, t := range tasks {
			if t.JobID != jobID {
				continue
			}
			st, ok := byIndex[t.Index]
			if !ok {
				st = taskState{State: unknownState}
			}
			states[t] = st
		}
	}
	return states, nil
}

func jobIDs(tasks []Task) []string {
	var ids []string
	seen := map[string]bool{}
	for _, t := range tasks {
		if !seen[t.JobID] {
			seen[t.JobID] = true
			ids = append(ids, t.JobID)
		}
	}
	return ids
}

// lastIndex is the largest index of the tasks of jobID.
func lastIndex(tasks []Task, jobID string) int {
	last := -1
	for _, t := range tasks {
		if t.JobID == jobID {
			last = max(last, t.Index)
		}
	}
	return last
}

func allFinished(states map[Task]taskState) bool {
	for _, st := range states {
		if !st.finished() {
			return false
		}
	}
	return true
}

// summarize is the progress line's text: the tasks by state.
func summarize(tasks []Task, states map[Task]taskState) string {
	var done, failed, running, pending int
	for _, t := range tasks {
		switch st := states[t]; {
		case st.succeeded():
			done++
		case st.finished():
			failed++
		case st.State == "RUNNING" || st.State == "COMPLETING":
			running++
		default:
			pending++
		}
	}
	noun := "tasks"
	if len(tasks) == 1 {
		noun = "task"
	}
	return fmt.Sprintf("%d %s: %d done, %d running, %d pending, %d failed", len(tasks), noun, done, running, pending, failed)
}

func outcome(tasks []Task, states map[Task]taskState) *Outcome {
	o := &Outcome{}
	for _, t := range tasks {
		st := states[t]
		if st.succeeded() {
			o.Done = append(o.Done, t)
			continue
		}
		o.Failed = append(o.Failed, Failure{Task: t, State: st.State, ExitCode: st.ExitCode, Signal: st.Signal,
			LogTail: tail(t.Log, logTailLines)})
	}
	return o
}

// A progressLine shows the latest summary: in place on a terminal, else
// as a new line when it changes.
type progressLine struct {
	w        io.Writer
	terminal bool
	last     string
}

func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	return &progressLine{w: w, terminal: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progressLine) show(summary string, elapsed time.Duration) {
	if p.w == nil {
		return
	}
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[Ksweep: %s (%v)", summary, elapsed.Round(time.Second))
		p.last = summary
		return
	}
	if summary != p.last {
		fmt.Fprintf(p.w, "sweep: %s (%v)\n", summary, elapsed.Round(time.Second))
		p.last = summary
	}
}

func (p *progressLine) end() {
	if p.w != nil && p.terminal {
		fmt.Fprintln(p.w)
	}
}
