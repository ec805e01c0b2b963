package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/methods/sweep"
	"github.com/pushforward/pushforward/methods/sweep/sweeptest"
	"github.com/pushforward/pushforward/methods/train"
)

// shortCells are the runs of -short: K = 4, d = 5, three heads, two seeds.
var shortCells = []string{
	"K4-d5/standard/seed1", "K4-d5/standard/seed2", "K4-d5/fixed/seed1",
	"K4-d5/fixed/seed2", "K4-d5/implicit/seed1", "K4-d5/implicit/seed2",
}

func invoke(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

// sameMetrics requires the run cell to have the same metrics, epoch by
// epoch, in the two output directories (but for the wall time).
func sameMetrics(t *testing.T, want, got, cell string) {
	t.Helper()
	read := func(dir string) []train.EpochMetrics {
		ms, err := train.ReadMetrics(filepath.Join(dir, cell, "metrics.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for i := range ms {
			ms[i].Elapsed = 0
		}
		return ms
	}
	a, b := read(want), read(got)
	if len(b) != 3 {
		t.Errorf("%s: %d epochs, want 3", cell, len(b))
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("%s: metrics differ (-whole grid +alone):\n%s", cell, diff)
	}
}

// -cell trains one run of the grid, resuming it, and nothing else; its
// metrics are those the whole grid gives it.
func TestCell(t *testing.T) {
	all, one := t.TempDir(), t.TempDir()
	if code, _, stderr := invoke(t, "-short", "-out", all); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	cell := "K4-d5/implicit/seed2"
	if code, _, stderr := invoke(t, "-short", "-out", one, "-cell", cell); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	sameMetrics(t, all, one, cell)
	for _, other := range shortCells[:4] {
		if _, err := os.Stat(filepath.Join(one, other)); err == nil {
			t.Errorf("-cell %s also trained %s", cell, other)
		}
	}
	if _, err := os.Stat(filepath.Join(one, "summary.md")); err == nil {
		t.Error("-cell wrote the grid's summary")
	}
	code, _, stderr := invoke(t, "-short", "-out", one, "-cell", "K4-d5/implicit/seed9")
	if code != 2 || !strings.Contains(stderr, `-cell "K4-d5/implicit/seed9": the grid has no such run; it has K4-d5/standard/seed1,`) {
		t.Errorf("an unknown run: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = invoke(t, "-short", "-out", one, "-cell", cell, "-slurm")
	if code != 2 || !strings.Contains(stderr, "-cell runs one run here") {
		t.Errorf("-cell with -slurm: exit %d, stderr %q", code, stderr)
	}
}

// -slurm -dry-run writes the array of the unfinished runs: a task runs the
// program with every setting of the grid and -cell.
func TestSlurmDryRun(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := invoke(t, "-short", "-out", dir, "-cell", shortCells[0]); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := invoke(t, "-short", "-out", dir, "-slurm", "-dry-run", "-cpus", "1", "-max-parallel", "2", "-time", "0:30:00")
	if code != 0 || !strings.Contains(stdout, "(5 cells); submit with: sbatch --parsable") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	base := filepath.Join(dir, sweep.FilesDir, "slurm-001")
	cells, err := sweep.ReadManifest(base + ".cells")
	if diff := cmp.Diff(shortCells[1:], cells); err != nil || diff != "" {
		t.Errorf("manifest: %v; want the unfinished runs (-want +got):\n%s", err, diff)
	}
	script, err := os.ReadFile(base + ".sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#SBATCH --array=0-4%2\n", "#SBATCH --time=0:30:00\n", "#SBATCH --job-name=ufm\n",
		" -k 4 -d K+1 -head standard,fixed,implicit -seeds 2 -seed 1 -n 10 -batch-per-class 10 -epochs 3 -lr 0.1 -lr-head 0.5 -tau 5 -checkpoint-every 10 -out " + dir + " -cell \"$cell\" &\n"} {
		if !strings.Contains(string(script), want) {
			t.Errorf("the script lacks %q:\n%s", want, script)
		}
	}
	if code, _, stderr := invoke(t, "-short", "-out", dir, "-partition", "cpu"); code != 2 || !strings.Contains(stderr, "-partition works only with -slurm") {
		t.Errorf("-partition without -slurm: exit %d, stderr %q", code, stderr)
	}
}

// -k8s writes the grid as an Indexed Job whose pods run ufm with -cell.
func TestKubernetes(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := invoke(t, "-short", "-no-ddn", "-out", dir, "-k8s", "-image", "registry.example.org/ufm:v1")
	if code != 0 || !strings.Contains(stdout, "(6 cells); run with: kubectl apply -f") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	y, err := os.ReadFile(filepath.Join(dir, sweep.FilesDir, "ufm-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"completionMode: Indexed", "completions: 6", "claimName: ufm-results", "- ufm\n",
		"- -no-ddn\n", "- -out\n", "- " + sweep.K8sResults + "\n", "- -cell\n", "K4-d5/implicit/seed2\n"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("the manifest lacks %q:\n%s", want, y)
		}
	}
}

// TestSlurm runs the -short grid as a Slurm job array on the local
// cluster (.ci/run starts one) and requires every run's metrics to equal a
// local run's, and -wait to write the summary once the tasks are done.
func TestSlurm(t *testing.T) {
	sweeptest.RequireSlurm(t)
	bin := filepath.Join(t.TempDir(), "ufm")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	local, cluster := t.TempDir(), t.TempDir()
	if code, _, stderr := invoke(t, "-short", "-out", local); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	cmd := exec.Command(bin, "-short", "-out", cluster, "-slurm", "-cpus", "1", "-wait")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ufm -slurm -wait: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "submitted job") || !strings.Contains(string(out), "implicit has the lowest NC3 from epoch 1:") {
		t.Errorf("-slurm -wait should submit the runs and then print the summary:\n%s", out)
	}
	for _, cell := range shortCells {
		sameMetrics(t, local, cluster, cell)
	}
	if _, err := os.Stat(filepath.Join(cluster, "summary.md")); err != nil {
		t.Error(err)
	}
}
