package sweep

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseTimeLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"30", 30 * time.Minute},
		{"30:15", 30*time.Minute + 15*time.Second},
		{"12:00:00", 12 * time.Hour},
		{"01:02:03", time.Hour + 2*time.Minute + 3*time.Second},
		{"2-0", 48 * time.Hour},
		{"1-12", 36 * time.Hour},
		{"1-00:30", 24*time.Hour + 30*time.Minute},
		{"1-00:00:10", 24*time.Hour + 10*time.Second},
		{"UNLIMITED", 0},
		{"infinite", 0},
	} {
		got, err := ParseTimeLimit(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseTimeLimit(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0", "00:00:00", "1h", "-1", "1:2:3:4", "1-", "a-b", "12:00:00 "} {
		if _, err := ParseTimeLimit(bad); err == nil {
			t.Errorf("ParseTimeLimit(%q) succeeded", bad)
		}
	}
}

func testSweep(t *testing.T, command ...string) Sweep {
	return Sweep{Name: "grid", Dir: t.TempDir(), Command: command, Cells: []string{"a-w16", "b-w16", "c w16"}}
}

// directives returns the script's #SBATCH options.
func directives(script string) []string {
	var ds []string
	for _, line := range strings.Split(script, "\n") {
		if d, ok := strings.CutPrefix(line, "#SBATCH "); ok {
			ds = append(ds, d)
		}
	}
	return ds
}

func TestWriteSlurm(t *testing.T) {
	s := testSweep(t, "/opt/bin/prog", "-results", "/shared/it's here", "-cell")
	sl := &Slurm{Partition: "cpu", Time: "12:00:00", CPUs: 4, MaxParallel: 2}
	a, err := sl.Write(s)
	if err != nil {
		t.Fatal(err)
	}
	files := filepath.Join(s.Dir, FilesDir)
	if a.Script != filepath.Join(files, "slurm-001.sh") || a.Manifest != filepath.Join(files, "slurm-001.cells") {
		t.Errorf("files %s, %s", a.Script, a.Manifest)
	}
	m, err := ReadManifest(a.Manifest)
	if err != nil || !cmp.Equal(m, s.Cells) {
		t.Errorf("manifest %q, %v; want %q", m, err, s.Cells)
	}
	b, err := os.ReadFile(a.Script)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"--job-name=grid",
		"--array=0-2%2",
		"--output=" + filepath.Join(files, "logs", "%A_%a.log"),
		"--open-mode=append",
		"--requeue",
		"--signal=B:USR1@300",
		"--cpus-per-task=4",
		"--time=12:00:00",
		"--partition=cpu",
	}
	if diff := cmp.Diff(want, directives(string(b))); diff != "" {
		t.Errorf("#SBATCH directives (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(b), `/opt/bin/prog -results '/shared/it'\''s here' -cell "$cell" &`) {
		t.Errorf("the script does not run the quoted command:\n%s", b)
	}
	if st, err := os.Stat(a.Script); err != nil || st.Mode()&0o100 == 0 {
		t.Errorf("the script is not executable: %v", err)
	}

	// The next array gets its own files; a short limit a shorter lead.
	sl = &Slurm{Time: "20"}
	a2, err := sl.Write(s)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(a2.Script)
	if filepath.Base(a2.Script) != "slurm-002.sh" || !strings.Contains(string(b), "--signal=B:USR1@300\n") {
		t.Errorf("second array %s:\n%s", a2.Script, b)
	}
	sl = &Slurm{Time: "8"}
	a3, _ := sl.Write(s)
	b, _ = os.ReadFile(a3.Script)
	if !strings.Contains(string(b), "--signal=B:USR1@120\n") || !strings.Contains(string(b), "--array=0-2\n") {
		t.Errorf("an 8-minute limit should signal 2 minutes before, without a parallel limit:\n%s", b)
	}
}

func TestWriteSlurmErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Sweep, *Slurm)
		want string
	}{
		{"name", func(s *Sweep, _ *Slurm) { s.Name = "My Grid" }, "DNS label"},
		{"relative", func(s *Sweep, _ *Slurm) { s.Dir = "results" }, "not absolute"},
		{"no command", func(s *Sweep, _ *Slurm) { s.Command = nil }, "no command"},
		{"no cells", func(s *Sweep, _ *Slurm) { s.Cells = nil }, "no cells"},
		{"newline", func(s *Sweep, _ *Slurm) { s.Cells[1] = "b\nc" }, "one name a line"},
		{"twice", func(s *Sweep, _ *Slurm) { s.Cells[2] = s.Cells[0] }, "listed twice"},
		{"time", func(_ *Sweep, sl *Slurm) { sl.Time = "3h" }, `time limit "3h"`},
		{"parallel", func(_ *Sweep, sl *Slurm) { sl.MaxParallel = -1 }, "MaxParallel -1"},
		{"partition", func(_ *Sweep, sl *Slurm) { sl.Partition = "a b" }, "blanks"},
	} {
		s := testSweep(t, "prog")
		sl := &Slurm{}
		tc.edit(&s, sl)
		_, err := sl.Write(s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one with %q", tc.name, err, tc.want)
		}
	}
}

// fakeCell writes a shell script that stands for a cell's program: it
// records its arguments in dir/args, says it started in dir/started, and
// on SIGTERM "saves a checkpoint" for a while before exiting 1. It exits
// with $EXIT, or with EXIT=wait runs until signalled.
func fakeCell(t *testing.T, dir string) string {
	t.Helper()
	prog := filepath.Join(dir, "cell.sh")
	script := `#!/bin/bash
echo "$@" >` + dir + `/args
trap 'sleep 0.3; echo saved >` + dir + `/checkpoint; exit 1' TERM
touch ` + dir + `/started
if [ "$EXIT" = wait ]; then
	while :; do sleep 0.05; done
fi
exit "$EXIT"
`
	if err := os.WriteFile(prog, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return prog
}

// batchTask runs an array's script as Slurm would run task index, with a
// fake scontrol that records its arguments in dir/scontrol.
func batchTask(t *testing.T, a *Array, index int, dir, exit string) *exec.Cmd {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	if err := os.WriteFile(filepath.Join(bin, "scontrol"), []byte("#!/bin/sh\necho \"$@\" >"+dir+"/scontrol\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", a.Script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "EXIT="+exit,
		"SLURM_ARRAY_TASK_ID="+strconv.Itoa(index), "SLURM_ARRAY_JOB_ID=7", "SLURM_JOB_ID=9")
	return cmd
}

// waitTask waits for the batch script to end, killing its process group
// after 10 s.
func waitTask(t *testing.T, cmd *exec.Cmd) error {
	t.Helper()
	timer := time.AfterFunc(10*time.Second, func() {
		t.Error("the task did not end in 10 s")
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	})
	defer timer.Stop()
	return cmd.Wait()
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	for range 500 {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

func TestScriptRunsTheCellOfItsIndex(t *testing.T) {
	dir := t.TempDir()
	s := testSweep(t, fakeCell(t, dir), "-results", "/r", "-cell")
	a, err := (&Slurm{}).Write(s)
	if err != nil {
		t.Fatal(err)
	}
	cmd := batchTask(t, a, 2, dir, "3")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("the script exited with %v, want the cell's status 3\n%s", err, out)
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	if got := strings.TrimSpace(string(args)); got != "-results /r -cell c w16" {
		t.Errorf("task 2 ran the cell with %q, want the third cell", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "scontrol")); err == nil {
		t.Error("a task that was not signalled requeued itself")
	}
	cmd = batchTask(t, a, 3, dir, "0")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "no cell on line 4") {
		t.Errorf("task 3 of 3 cells: %v\n%s", err, out)
	}
}

// Before the time limit Slurm sends USR1 to the batch shell: the cell gets
// SIGTERM, saves its checkpoint, and the task requeues itself.
func TestScriptRequeuesOnUSR1(t *testing.T) {
	dir := t.TempDir()
	a, err := (&Slurm{}).Write(testSweep(t, fakeCell(t, dir), "-cell"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := batchTask(t, a, 0, dir, "wait")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(dir, "started"))
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	err = waitTask(t, cmd)
	if _, serr := os.Stat(filepath.Join(dir, "checkpoint")); serr != nil {
		t.Errorf("the cell saved no checkpoint before the task ended: %v\n%s", serr, out.String())
	}
	req, _ := os.ReadFile(filepath.Join(dir, "scontrol"))
	if got := strings.TrimSpace(string(req)); got != "requeue 9" {
		t.Errorf("scontrol %q, want requeue 9 (exit %v)\n%s", got, err, out.String())
	}
}

// On scancel Slurm sends SIGTERM to every process of the task: the batch
// shell must outlive the cell, which saves its checkpoint.
func TestScriptWaitsForTheCellOnTERM(t *testing.T) {
	dir := t.TempDir()
	a, err := (&Slurm{}).Write(testSweep(t, fakeCell(t, dir), "-cell"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := batchTask(t, a, 1, dir, "wait")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(dir, "started"))
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM); err != nil { // the whole task, as Slurm does
		t.Fatal(err)
	}
	err = waitTask(t, cmd)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("the script exited with %v, want the cell's status 1\n%s", err, out.String())
	}
	if _, serr := os.Stat(filepath.Join(dir, "checkpoint")); serr != nil {
		t.Errorf("the shell ended before the cell saved its checkpoint\n%s", out.String())
	}
	if _, serr := os.Stat(filepath.Join(dir, "scontrol")); serr == nil {
		t.Error("a cancelled task requeued itself")
	}
}

// fakeSlurm answers commands from a table of outputs by command name; each
// call takes the next output of its command (the last one repeats).
type fakeSlurm struct {
	outputs map[string][]fakeOutput
	calls   []string
}

type fakeOutput struct {
	out string
	err error
}

func (f *fakeSlurm) exec(_ context.Context, name string, args ...string) ([]byte, error) {
	f.calls = append(f.calls, name+" "+strings.Join(args, " "))
	outs := f.outputs[name]
	if len(outs) == 0 {
		return nil, errors.New(name + ": not faked")
	}
	o := outs[0]
	if len(outs) > 1 {
		f.outputs[name] = outs[1:]
	}
	return []byte(o.out), o.err
}

func TestSubmit(t *testing.T) {
	s := testSweep(t, "prog")
	f := &fakeSlurm{outputs: map[string][]fakeOutput{"sbatch": {{out: "42;cluster\n"}}}}
	sl := &Slurm{Exec: f.exec}
	a, err := sl.Write(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := sl.Submit(context.Background(), a); err != nil || a.JobID != "42" {
		t.Fatalf("Submit: job %q, %v", a.JobID, err)
	}
	if want := "sbatch --parsable " + a.Script; f.calls[0] != want {
		t.Errorf("ran %q, want %q", f.calls[0], want)
	}
	arrays, err := Submitted(s.Dir)
	if err != nil || len(arrays) != 1 || arrays[0].JobID != "42" || !cmp.Equal(arrays[0].Cells, s.Cells) {
		t.Errorf("Submitted: %+v, %v", arrays, err)
	}
	f.outputs["sbatch"] = []fakeOutput{{out: "Submitted batch job 43\n"}}
	if err := sl.Submit(context.Background(), a); err == nil || !strings.Contains(err.Error(), "not a job ID") {
		t.Errorf("an unparsable answer: %v", err)
	}
}

func TestActive(t *testing.T) {
	s := testSweep(t, "prog")
	f := &fakeSlurm{outputs: map[string][]fakeOutput{"sbatch": {{out: "10\n"}, {out: "11\n"}}}}
	sl := &Slurm{Exec: f.exec}
	for range 2 {
		a, err := sl.Write(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := sl.Submit(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	// Job 10 is gone from the controller; job 11 has a task running, one
	// requeued and one done.
	f.outputs["squeue"] = []fakeOutput{
		{err: errors.New("exit status 1: slurm_load_jobs error: Invalid job id specified")},
		{out: "0 RUNNING 0\n1 PENDING 0\n2 COMPLETED 0\n"},
	}
	f.outputs["sacct"] = []fakeOutput{{out: "Slurm accounting storage is disabled\n"}}
	active, err := sl.Active(context.Background(), s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, task := range active {
		got = append(got, task.ID()+" "+task.Cell)
	}
	if diff := cmp.Diff([]string{"11_0 a-w16", "11_1 b-w16"}, got); diff != "" {
		t.Errorf("active tasks (-want +got):\n%s", diff)
	}
	f.outputs["squeue"] = []fakeOutput{{err: errors.New("exit status 1: Unable to contact slurm controller")}}
	f.outputs["sacct"] = []fakeOutput{{err: errors.New("exit status 1")}}
	if _, err := sl.Active(context.Background(), s.Dir); err == nil || !strings.Contains(err.Error(), "Unable to contact") {
		t.Errorf("an unreachable controller: %v", err)
	}
}
