package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSqueue(t *testing.T) {
	states := map[int]taskState{}
	parseSqueue("0               COMPLETED               0               \n"+
		"3               FAILED                  768             \n"+
		"4               CANCELLED               15              \n"+
		"5-9%2           PENDING                 0               \n"+
		"\n", states)
	want := map[int]taskState{
		0: {State: "COMPLETED"},
		3: {State: "FAILED", ExitCode: 3},
		4: {State: "CANCELLED", Signal: 15},
	}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}

func TestParseSacct(t *testing.T) {
	states := map[int]taskState{}
	parseSacct("12_0|COMPLETED|0:0\n12_1|CANCELLED by 0|0:15\n12_2|FAILED|2:0\n12_[3-5%2]|PENDING|0:0\n13_0|FAILED|1:0\n", "12", states)
	want := map[int]taskState{
		0: {State: "COMPLETED"},
		1: {State: "CANCELLED", Signal: 15},
		2: {State: "FAILED", ExitCode: 2},
	}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}

func TestFollow(t *testing.T) {
	dir := t.TempDir()
	a := &Array{Cells: []string{"a", "b", "c", "d"}, JobID: "5", Logs: dir}
	var log strings.Builder
	for i := range 30 {
		fmt.Fprintf(&log, "line %02d\n", i+1)
	}
	log.WriteString("reproduce: b: train: the loss is NaN at epoch 3, step 2 of 8\n")
	if err := os.WriteFile(filepath.Join(dir, "5_1.log"), []byte(log.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// Polls: all pending; two running, one requeued; then the ends. Task 3
	// is forgotten by squeue by the last poll; sacct knows it.
	f := &fakeSlurm{outputs: map[string][]fakeOutput{
		"squeue": {
			{out: "0 PENDING 0\n1 PENDING 0\n2 PENDING 0\n3 PENDING 0\n"},
			{out: "0 RUNNING 0\n1 RUNNING 0\n2 REQUEUED 0\n3 PENDING 0\n"},
			{out: "0 COMPLETED 0\n1 FAILED 256\n2 CANCELLED 15\n"},
		},
		"sacct": {{out: "5_3|TIMEOUT|0:0\n"}},
	}}
	sl := &Slurm{Exec: f.exec, Poll: 1}
	var progress strings.Builder
	out, err := sl.Follow(context.Background(), a.Tasks(), &progress)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	var summaries []string
	for _, l := range lines {
		summaries = append(summaries, l[:strings.LastIndex(l, " (")])
	}
	want := []string{
		"sweep: 4 tasks: 0 done, 0 running, 4 pending, 0 failed",
		"sweep: 4 tasks: 0 done, 2 running, 2 pending, 0 failed",
		"sweep: 4 tasks: 1 done, 0 running, 0 pending, 3 failed",
	}
	if diff := cmp.Diff(want, summaries); diff != "" {
		t.Errorf("progress lines (-want +got):\n%s", diff)
	}
	if len(out.Done) != 1 || out.Done[0].Cell != "a" || len(out.Failed) != 3 {
		t.Fatalf("outcome %+v", out)
	}
	msg := out.Err().Error()
	for _, s := range []string{
		"3 of 4 tasks failed",
		"task 5_1 (cell b): FAILED, exit code 1; the end of " + filepath.Join(dir, "5_1.log"),
		"\treproduce: b: train: the loss is NaN",
		"task 5_2 (cell c): CANCELLED, exit code 0, signal 15",
		"task 5_3 (cell d): TIMEOUT",
		"(no log: ",
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("the failure report lacks %q:\n%s", s, msg)
		}
	}
	if strings.Contains(msg, "line 16") || !strings.Contains(msg, "line 17") {
		t.Errorf("the failure report should keep only the end of the log:\n%s", msg)
	}
	if n := strings.Count(msg, "\tline "); n != logTailLines-1 {
		t.Errorf("%d lines of the log, want %d and the last", n, logTailLines-1)
	}
}

// A task neither squeue nor sacct knows has ended without a record.
func TestFollowForgottenTask(t *testing.T) {
	a := &Array{Cells: []string{"a"}, JobID: "8", Logs: t.TempDir()}
	f := &fakeSlurm{outputs: map[string][]fakeOutput{
		"squeue": {{err: errors.New("exit status 1: slurm_load_jobs error: Invalid job id specified")}},
		"sacct":  {{out: "Slurm accounting storage is disabled\n"}},
	}}
	out, err := (&Slurm{Exec: f.exec}).Follow(context.Background(), a.Tasks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Err(); err == nil || !strings.Contains(err.Error(), "no record of how it ended") {
		t.Errorf("a forgotten task: %v", err)
	}
}

func TestFollowStopsWhenCancelled(t *testing.T) {
	a := &Array{Cells: []string{"a"}, JobID: "8", Logs: t.TempDir()}
	f := &fakeSlurm{outputs: map[string][]fakeOutput{"squeue": {{out: "0 RUNNING 0\n"}}}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&Slurm{Exec: f.exec}).Follow(ctx, a.Tasks(), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestInstallFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "prog")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho one\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin")
	p1, err := installFile(src, bin)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := installFile(src, bin); err != nil || again != p1 {
		t.Errorf("installing the same program again: %s, %v; want %s", again, err, p1)
	}
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho two\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p2, err := installFile(src, bin)
	if err != nil || p2 == p1 {
		t.Errorf("a rebuilt program: %s, %v; want a new copy beside %s", p2, err, p1)
	}
	b, _ := os.ReadFile(p1)
	if st, err := os.Stat(p2); err != nil || st.Mode()&0o111 == 0 || string(b) != "#!/bin/sh\necho one\n" {
		t.Errorf("copies: %v, old copy %q", err, b)
	}
}

// Follow rides out a controller that does not answer for a while, and
// gives up when it stays silent.
func TestFollowToleratesSilence(t *testing.T) {
	a := &Array{Cells: []string{"a"}, JobID: "8", Logs: t.TempDir()}
	timeout := fakeOutput{err: errors.New("exit status 1: slurm_load_jobs error: Socket timed out on send/recv operation")}
	silent := fakeOutput{err: errors.New("exit status 1")}
	f := &fakeSlurm{outputs: map[string][]fakeOutput{
		"squeue": {{out: "0 RUNNING 0\n"}, timeout, timeout, {out: "0 COMPLETED 0\n"}},
		"sacct":  {silent},
	}}
	out, err := (&Slurm{Exec: f.exec, Poll: 1}).Follow(context.Background(), a.Tasks(), nil)
	if err != nil || len(out.Done) != 1 {
		t.Errorf("two timeouts: %+v, %v; want the task done", out, err)
	}
	f.outputs["squeue"] = []fakeOutput{{out: "0 RUNNING 0\n"}, timeout}
	_, err = (&Slurm{Exec: f.exec, Poll: 1}).Follow(context.Background(), a.Tasks(), nil)
	if err == nil || !strings.Contains(err.Error(), "Socket timed out") {
		t.Errorf("a silent controller: %v", err)
	}
	if n := strings.Count(strings.Join(f.calls, "\n"), "squeue"); n != 4+1+maxPollErrors {
		t.Errorf("%d squeue calls, want %d", n, 4+1+maxPollErrors)
	}
}
