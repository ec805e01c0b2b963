package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/methods/sweep"
	"github.com/pushforward/pushforward/methods/sweep/sweeptest"
	"github.com/pushforward/pushforward/methods/train"
)

// The Slurm tests run the tiny grid on a real cluster: the one
// scripts/slurm-local.sh starts (.ci/run does), or any cluster whose
// nodes share the test's temporary directory. Without a reachable
// slurmctld they skip, unless PUSHFORWARD_REQUIRE_SLURM is set (as in CI),
// when they fail.

// tinyArgs are the flags of the tiny grid: 4 cells of 2 epochs at width 16
// on generated MNIST-1D.
var tinyArgs = []string{"-grid", "tiny", "-dataset", "generated", "-epochs", "2"}

const tinyEpochs = 2

// buildProgram builds this program: cluster tasks run a copy of it.
func buildProgram(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "reproduce")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// program runs the built program and returns its stdout, stderr and exit
// code.
func program(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// mustProgram runs the program and fails the test unless it exits 0.
func mustProgram(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, errOut, code := program(t, bin, args...)
	if code != 0 {
		t.Fatalf("reproduce %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func with(args []string, more ...string) []string {
	return append(append([]string{}, args...), more...)
}

func TestSlurm(t *testing.T) {
	sweeptest.RequireSlurm(t)
	bin := buildProgram(t)
	start := time.Now()
	local := filepath.Join(t.TempDir(), "local")
	mustProgram(t, bin, with(tinyArgs, "-results", local, "-run", "-report")...)
	t.Logf("the tiny grid ran here in %v", time.Since(start).Round(time.Millisecond))

	t.Run("array", func(t *testing.T) { testArray(t, bin, local) })
	t.Run("requeue", func(t *testing.T) { testRequeue(t, bin, local) })
	t.Run("failure", func(t *testing.T) { testFailure(t, bin) })
}

// testArray submits the tiny grid as an array, cancels one task in the
// middle of its second epoch, resubmits, and checks that every cell's
// metrics and the report equal those of the local run.
func testArray(t *testing.T, bin, local string) {
	start := time.Now()
	dir := filepath.Join(t.TempDir(), "slurm")
	out := mustProgram(t, bin, with(tinyArgs, "-results", dir, "-slurm", "-cpus", "1", "-max-parallel", "2")...)
	job := submittedJob(t, out, 4)
	victim := "wperp-w16-s100"
	pid := freezeInSecondEpoch(t, dir, victim)
	task := job + "_3" // the manifest lists the cells in grid order
	scancel(t, task)
	waitState(t, task, "CANCELLED")
	stopped := checkStoppedMidRun(t, dir, victim)
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("the cancelled cell's process %d still runs", pid)
	}

	out = mustProgram(t, bin, with(tinyArgs, "-results", dir, "-slurm", "-cpus", "1", "-wait")...)
	rerun := submittedJob(t, out, 1)
	if !strings.Contains(out, "1 cell ("+victim+")") {
		t.Errorf("the resubmission should run only %s:\n%s", victim, out)
	}
	checkResumed(t, filepath.Join(dir, sweep.FilesDir, "logs", rerun+"_0.log"), victim, stopped)
	mustProgram(t, bin, with(tinyArgs, "-results", dir, "-report")...)
	t.Logf("the tiny grid ran on Slurm, cancelled and resumed, in %v", time.Since(start).Round(time.Millisecond))
	sameResults(t, local, dir, tinyGrid())
}

// testRequeue sends one task the signal Slurm sends before the time limit
// (USR1 to the batch shell): the task saves a checkpoint, requeues itself
// and resumes.
func testRequeue(t *testing.T, bin, local string) {
	dir := filepath.Join(t.TempDir(), "requeue")
	cell := "wperp-w16-s100"
	args := with(tinyArgs, "-results", dir, "-only", "^"+cell+"$")
	job := submittedJob(t, mustProgram(t, bin, with(args, "-slurm", "-cpus", "1")...), 1)
	task := job + "_0"
	pid := freezeInSecondEpoch(t, dir, cell)
	if out, err := exec.Command("scancel", "--signal=USR1", "--batch", task).CombinedOutput(); err != nil {
		t.Fatalf("scancel --signal=USR1 --batch %s: %v %s", task, err, out)
	}
	waitSignalPending(t, pid, syscall.SIGTERM) // passed on by the batch script
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	waitState(t, task, "PENDING")
	stopped := checkStoppedMidRun(t, dir, cell)
	out := mustProgram(t, bin, with(args, "-slurm", "-wait")...)
	if !strings.Contains(out, "nothing to submit") || !strings.Contains(out, "already queued or running as task "+task) {
		t.Errorf("a resubmission while the task is requeued should submit nothing:\n%s", out)
	}
	log := filepath.Join(dir, sweep.FilesDir, "logs", task+".log")
	checkResumed(t, log, cell, stopped)
	if b, _ := os.ReadFile(log); !strings.Contains(string(b), "(restart 1)") {
		t.Errorf("the task did not restart in its own log:\n%s", b)
	}
	sameMetrics(t, local, dir, cell)
}

// testFailure checks that a cell that fails is reported with its task,
// exit code and the end of its log, and -wait exits 1.
func testFailure(t *testing.T, bin string) {
	dir := filepath.Join(t.TempDir(), "failure")
	cell := "backprop-w16-s100"
	if err := os.MkdirAll(filepath.Join(dir, cell), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, cell, train.CheckpointFile), []byte("not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := program(t, bin, with(tinyArgs, "-results", dir, "-only", "^"+cell+"$", "-slurm", "-wait")...)
	job := submittedJob(t, out, 1)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	for _, want := range []string{
		fmt.Sprintf("task %s_0 (cell %s): FAILED, exit code 1", job, cell),
		"is not a checkpoint of this version", // the end of the log
		fmt.Sprintf("%s_0.log", job),
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the failure report lacks %q:\n%s", want, errOut)
		}
	}
}

var submittedRE = regexp.MustCompile(`submitted job (\d+): (\d+) cells? `)

// submittedJob returns the job ID the program printed, checking the number
// of cells.
func submittedJob(t *testing.T, out string, cells int) string {
	t.Helper()
	m := submittedRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no job submitted:\n%s", out)
	}
	if m[2] != strconv.Itoa(cells) {
		t.Errorf("submitted %s cells, want %d:\n%s", m[2], cells, out)
	}
	return m[1]
}

// freezeInSecondEpoch waits for the cell's process to finish its first
// epoch and stops it (SIGSTOP), so that the test acts on a run in the
// middle of its second epoch however fast the machine is. Slurm's
// scancel sends SIGCONT before SIGTERM.
func freezeInSecondEpoch(t *testing.T, dir, cell string) int {
	t.Helper()
	var pid int
	metrics := filepath.Join(dir, cell, "metrics.jsonl")
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if pid == 0 {
			pid = findCellProcess(dir, cell)
		}
		if st, err := os.Stat(metrics); pid != 0 && err == nil && st.Size() > 0 {
			if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
				t.Fatalf("stopping %s (pid %d): %v", cell, pid, err)
			}
			if ms, _ := train.ReadMetrics(metrics); len(ms) != 1 {
				t.Fatalf("%s had %d epochs when stopped, want 1: the machine is too fast for this test", cell, len(ms))
			}
			return pid
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s did not start or finish its first epoch in 3 minutes (pid %d)", cell, pid)
	return 0
}

// findCellProcess returns the process that trains cell with results in
// dir, or 0.
func findCellProcess(dir, cell string) int {
	want := "\x00-results\x00" + dir + "\x00-cell\x00" + cell + "\x00"
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(want)) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			return pid
		}
	}
	return 0
}

// waitSignalPending waits until sig is pending for the (stopped) process.
func waitSignalPending(t *testing.T, pid int, sig syscall.Signal) {
	t.Helper()
	bit := uint64(1) << (uint(sig) - 1)
	for range 300 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			k, v, _ := strings.Cut(line, ":")
			if k != "SigPnd" && k != "ShdPnd" {
				continue
			}
			if mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64); err == nil && mask&bit != 0 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("signal %v never reached process %d", sig, pid)
}

func scancel(t *testing.T, task string) {
	t.Helper()
	if out, err := exec.Command("scancel", task).CombinedOutput(); err != nil {
		t.Fatalf("scancel %s: %v %s", task, err, out)
	}
}

// waitState waits until squeue shows the array task in state.
func waitState(t *testing.T, task, state string) {
	t.Helper()
	var last string
	for range 600 {
		out, err := exec.Command("squeue", "-h", "-t", "all", "-j", task, "-O", "State:24").Output()
		last = strings.TrimSpace(string(out))
		if err == nil && last == state {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("task %s is %q after 60 s, want %s", task, last, state)
}

// checkStoppedMidRun checks that the cell stopped in its second epoch with
// a checkpoint and its first epoch in the metrics, and returns the
// checkpoint's step.
func checkStoppedMidRun(t *testing.T, dir, cell string) int64 {
	t.Helper()
	ck, err := train.LoadCheckpoint(filepath.Join(dir, cell, train.CheckpointFile))
	if err != nil {
		t.Fatalf("the stopped cell saved no checkpoint: %v", err)
	}
	if ck.Epoch != 1 {
		t.Errorf("checkpoint after %d epochs, want 1", ck.Epoch)
	}
	ms, err := epochsDone(filepath.Join(dir, cell))
	if err != nil || len(ms) != 1 {
		t.Errorf("the stopped cell's metrics: %d epochs, %v; want 1", len(ms), err)
	}
	return ck.Step
}

// checkResumed checks that a task's log shows the cell resuming from the
// checkpoint at step.
func checkResumed(t *testing.T, log, cell string, step int64) {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%s: resuming from the checkpoint at epoch 2, step %d of the run", cell, step)
	if !strings.Contains(string(b), want) {
		t.Errorf("%s lacks %q:\n%s", log, want, b)
	}
}

// sameResults checks that two result directories of the tiny grid hold
// the same metrics for every cell and the same report.
func sameResults(t *testing.T, want, got string, cells []cell) {
	t.Helper()
	for _, c := range cells {
		sameMetrics(t, want, got, c.ID())
	}
	a, errA := os.ReadFile(filepath.Join(want, "REPORT.md"))
	b, errB := os.ReadFile(filepath.Join(got, "REPORT.md"))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if diff := cmp.Diff(string(a), string(b)); diff != "" {
		t.Errorf("REPORT.md differs from the local run's (-local +slurm):\n%s", diff)
	}
}

// sameMetrics checks that a cell logged each epoch once, with the numbers
// of the reference run (all but the wall time).
func sameMetrics(t *testing.T, want, got, cell string) {
	t.Helper()
	read := func(dir string) []train.EpochMetrics {
		ms, err := epochsDone(filepath.Join(dir, cell))
		if err != nil {
			t.Fatal(err)
		}
		for i := range ms {
			ms[i].Elapsed = 0
		}
		return ms
	}
	a, b := read(want), read(got)
	for i, m := range b {
		if m.Epoch != i+1 {
			t.Errorf("%s: line %d of the metrics is epoch %d: each epoch must appear once, in order", cell, i+1, m.Epoch)
		}
	}
	if len(b) != tinyEpochs {
		t.Errorf("%s: %d epochs in the metrics, want %d", cell, len(b), tinyEpochs)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("%s: metrics differ from the local run's (-local +slurm):\n%s", cell, diff)
	}
}
