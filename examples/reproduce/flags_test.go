package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/methods/sweep"
	"github.com/pushforward/pushforward/methods/train"
)

// invoke runs the program as main does and returns its exit code and
// output.
func invoke(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	err := run(context.Background(), args, &o, &e)
	code = exitCode(err, &o, &e)
	return code, o.String(), e.String()
}

func TestHelp(t *testing.T) {
	for _, h := range []string{"-h", "-help", "--help"} {
		code, stdout, stderr := invoke(h)
		if code != 0 || stderr != "" {
			t.Errorf("%s: exit %d, stderr %q; want 0 and the usage on stdout", h, code, stderr)
		}
		if !strings.HasPrefix(stdout, "Usage: go run ./examples/reproduce") || !strings.Contains(stdout, "Examples:") {
			t.Errorf("%s: the usage lacks its head or examples:\n%s", h, stdout)
		}
	}
	// Every flag is listed, with its default where it has one.
	_, usage, _ := invoke("-h")
	fs, _ := newFlagSet()
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(usage, "\n  -"+f.Name+" ") && !strings.Contains(usage, "\n  -"+f.Name+"\n") {
			t.Errorf("the usage does not list -%s", f.Name)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" &&
			!strings.Contains(usage, "(default "+f.DefValue) && !strings.Contains(usage, `(default "`+f.DefValue) {
			t.Errorf("the usage does not give -%s's default %s", f.Name, f.DefValue)
		}
		if !strings.Contains(usage, "-"+f.Name) {
			t.Errorf("no example or description uses -%s", f.Name)
		}
	})
	for _, mode := range []string{"-list", "-run", "-report", "-slurm", "-k8s", "-grid tiny"} {
		if !strings.Contains(usage, "go run ./examples/reproduce "+mode) && !strings.Contains(usage, " "+mode+" ") {
			t.Errorf("the usage has no example of %s", mode)
		}
	}
}

// A command line that cannot work exits 2 before any work, with the error
// first, naming the flag and what it accepts, and no pages of usage.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-epochs", "abc", "-run"}, `invalid value "abc" for flag -epochs`},
		{[]string{"-epochs", "0", "-run"}, "-epochs 0: want at least 1"},
		{[]string{"-nosuch"}, "flag provided but not defined: -nosuch"},
		{[]string{"-list", "extra"}, `unexpected arguments ["extra"]`},
		{nil, "nothing to do: give -list, -run, -report, -slurm, -k8s or -cell"},
		{[]string{"-grid", "huge", "-list"}, `-grid "huge": want paper or tiny`},
		{[]string{"-dataset", "mnist", "-list"}, `-dataset "mnist": want canonical or generated`},
		{[]string{"-only", "(", "-list"}, "-only: want a regular expression"},
		{[]string{"-grid", "tiny", "-cell", "nope"}, `-cell "nope": the tiny grid has no such cell; it has backprop-w16-s100, `},
		{[]string{"-run", "-slurm"}, "-run and -slurm: give only one of"},
		{[]string{"-cell", "wt-w64-s100", "-k8s"}, "-cell and -k8s: give only one of"},
		{[]string{"-run", "-partition", "cpu"}, "-partition works only with -slurm"},
		{[]string{"-run", "-cpus", "4"}, "-cpus works only with -slurm or -k8s"},
		{[]string{"-slurm", "-budget", "1h"}, "-budget works only with -run"},
		{[]string{"-k8s", "-image", "i", "-wait"}, "-wait works only with -slurm"},
		{[]string{"-slurm", "-cpus", "0"}, "-cpus 0: want at least 1"},
		{[]string{"-slurm", "-max-parallel", "-1"}, "-max-parallel -1: want 0 (no limit) or more"},
		{[]string{"-slurm", "-time", "3h"}, `-time: time limit "3h": want MM, MM:SS, HH:MM:SS`},
		{[]string{"-k8s"}, "-k8s needs -image"},
		{[]string{"-run", "-budget", "-1h"}, "-budget -1h0m0s: want a duration ≥ 0"},
		{[]string{"-run", "-dataset", "generated", "-data", "/x"}, "-data /x: the generated data set reads no files"},
	} {
		code, stdout, stderr := invoke(tc.args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %q)", tc.args, code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if !strings.HasPrefix(lines[0], "reproduce: ") || !strings.Contains(lines[0], tc.want) {
			t.Errorf("%q: the first line of stderr is %q, want one with %q", tc.args, lines[0], tc.want)
		}
		if len(lines) > 2 || stdout != "" {
			t.Errorf("%q: a usage error should be the error and a hint, got stdout %q and stderr\n%s", tc.args, stdout, stderr)
		}
	}
}

// A run that fails exits 1 with its error on stderr.
func TestRunFailureExits1(t *testing.T) {
	dir := t.TempDir()
	cell := "backprop-w16-s100"
	if err := os.MkdirAll(filepath.Join(dir, cell), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, cell, train.CheckpointFile), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := invoke("-grid", "tiny", "-dataset", "generated", "-results", dir, "-cell", cell)
	if code != 1 || !strings.Contains(stderr, "\nreproduce: backprop-w16-s100: ") || !strings.Contains(stderr, "is not a checkpoint of this version") {
		t.Errorf("exit %d, stderr %q; want 1 and the checkpoint's error", code, stderr)
	}
}

// The tiny grid needs no files: its cells train, and the report lists them.
func TestTinyGrid(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := invoke("-grid", "tiny", "-dataset", "generated", "-epochs", "1", "-results", dir,
		"-only", "^(backprop|ap)-", "-run", "-list", "-report")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "backprop-w16-s100") || !strings.Contains(stdout, "ap-w16-s100") || strings.Contains(stdout, "wperp") {
		t.Errorf("-list should list the cells -only selects:\n%s", stdout)
	}
	report, err := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| backprop-w16-s100 | 1/1 | 2.", "| ap-w16-s100 | 1/1 | 2.", "| wperp-w16-s100 | 0/1 | — |", "grid tiny", "generated in-process"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	// A second run has nothing left to do in the selected cells.
	if code, _, stderr := invoke("-grid", "tiny", "-dataset", "generated", "-epochs", "1", "-results", dir, "-only", "^backprop-", "-run"); code != 0 || strings.Contains(stderr, "training") {
		t.Errorf("rerunning a finished cell: exit %d\n%s", code, stderr)
	}
}

// -slurm -dry-run writes the array of the unfinished cells only, without
// a cluster.
func TestSlurmDryRun(t *testing.T) {
	dir := t.TempDir()
	tiny := []string{"-grid", "tiny", "-dataset", "generated", "-epochs", "1", "-results", dir}
	if code, _, stderr := invoke(append(tiny, "-cell", "backprop-w16-s100")...); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := invoke(append(tiny, "-slurm", "-dry-run", "-partition", "cpu", "-time", "1:00:00", "-cpus", "1", "-max-parallel", "2")...)
	if code != 0 || !strings.Contains(stdout, "(3 cells); submit with: sbatch --parsable") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	base := filepath.Join(dir, sweep.FilesDir, "slurm-001")
	cells, err := sweep.ReadManifest(base + ".cells")
	if want := []string{"ap-w16-s100", "wt-w16-s100", "wperp-w16-s100"}; err != nil || strings.Join(cells, " ") != strings.Join(want, " ") {
		t.Errorf("manifest %q, %v; want the unfinished cells %q", cells, err, want)
	}
	script, err := os.ReadFile(base + ".sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#SBATCH --array=0-2%2\n", "#SBATCH --partition=cpu\n", "#SBATCH --time=1:00:00\n", "#SBATCH --signal=B:USR1@300\n",
		" -grid tiny -dataset generated -epochs 1 -results " + dir + " -cell \"$cell\" &\n"} {
		if !strings.Contains(string(script), want) {
			t.Errorf("the script lacks %q:\n%s", want, script)
		}
	}
}

func TestKubernetes(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := invoke("-grid", "tiny", "-dataset", "generated", "-epochs", "2", "-results", dir,
		"-k8s", "-image", "registry.example.org/reproduce:v1", "-volume", "tiny-results", "-max-parallel", "2")
	if code != 0 || !strings.Contains(stdout, "(4 cells); run with: kubectl apply -f") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	y, err := os.ReadFile(filepath.Join(dir, sweep.FilesDir, "reproduce-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"completionMode: Indexed", "completions: 4", "parallelism: 2", "claimName: tiny-results",
		"- -grid\n", "- tiny\n", "- -results\n", "- " + sweep.K8sResults + "\n", "- -cell\n", "wperp-w16-s100\n"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("the manifest lacks %q:\n%s", want, y)
		}
	}
}
