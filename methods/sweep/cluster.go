package sweep

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A Cluster is the command line with which a program hands the unfinished
// cells of its grid to a cluster scheduler: -slurm (a Slurm job array) or
// -k8s (a Kubernetes Indexed Job), and their settings. Programs with a
// grid (examples/reproduce, examples/ufm) register it on their flag set,
// so that every grid takes the same flags.
type Cluster struct {
	Slurm, K8s           bool
	Partition, TimeLimit string
	CPUs, MaxParallel    int
	DryRun, Wait         bool
	Image, Volume        string

	// program is the program's name on the image's PATH (-k8s).
	program string
}

// clusterFlags lists the settings' flags and the modes they belong to.
var clusterFlags = map[string][]string{
	"partition": {"slurm"}, "time": {"slurm"}, "dry-run": {"slurm"}, "wait": {"slurm"},
	"cpus": {"slurm", "k8s"}, "max-parallel": {"slurm", "k8s"}, "image": {"k8s"}, "volume": {"k8s"},
}

// RegisterFlags defines the flags on fs. program is the program's name,
// as a container image has it on its PATH; volume is -volume's default.
func (c *Cluster) RegisterFlags(fs *flag.FlagSet, program, volume string) {
	c.program = program
	fs.BoolVar(&c.Slurm, "slurm", false, "submit the unfinished cells as a Slurm job array (sbatch)")
	fs.BoolVar(&c.K8s, "k8s", false, "write the unfinished cells as a Kubernetes Indexed Job (YAML) under the results' sweep directory")
	fs.StringVar(&c.Partition, "partition", "", "with -slurm: the `partition` (default: the cluster's default)")
	fs.StringVar(&c.TimeLimit, "time", "", "with -slurm: each task's time limit, `HH:MM:SS` or D-HH:MM:SS (default: the partition's); tasks checkpoint and requeue before it")
	fs.IntVar(&c.CPUs, "cpus", 2, "with -slurm or -k8s: `CPUs` per task")
	fs.IntVar(&c.MaxParallel, "max-parallel", 0, "with -slurm or -k8s: run at most `M` tasks at once (0: no limit)")
	fs.BoolVar(&c.DryRun, "dry-run", false, "with -slurm: write the script and the manifest but do not submit")
	fs.BoolVar(&c.Wait, "wait", false, "with -slurm: follow the array until every task is done or failed")
	fs.StringVar(&c.Image, "image", "", "with -k8s: the container `image`, which has this program on its PATH as "+program)
	fs.StringVar(&c.Volume, "volume", volume, "with -k8s: the PersistentVolumeClaim (ReadWriteMany) `name` mounted as the results directory")
}

// Check reports a setting that cannot work, or a flag given (set names
// the flags given) without the mode it belongs to.
func (c *Cluster) Check(set map[string]bool) error {
	for _, name := range slices.Sorted(maps.Keys(clusterFlags)) {
		modes := clusterFlags[name]
		if set[name] && !slices.ContainsFunc(modes, func(m string) bool { return set[m] }) {
			return fmt.Errorf("-%s works only with -%s", name, strings.Join(modes, " or -"))
		}
	}
	switch {
	case c.Slurm && c.K8s:
		return errors.New("give only one of -slurm and -k8s")
	case c.CPUs < 1:
		return fmt.Errorf("-cpus %d: want at least 1", c.CPUs)
	case c.MaxParallel < 0:
		return fmt.Errorf("-max-parallel %d: want 0 (no limit) or more", c.MaxParallel)
	case c.K8s && c.Image == "":
		return fmt.Errorf("-k8s needs -image: the container image that has this program on its PATH as %s", c.program)
	}
	if c.TimeLimit != "" {
		if _, err := ParseTimeLimit(c.TimeLimit); err != nil {
			return fmt.Errorf("-time: %w", err)
		}
	}
	return nil
}

// A Job is what a program hands to the cluster.
type Job struct {
	// Name names the jobs: a lower-case DNS label.
	Name string
	// Results is the results directory, shared by every node (made
	// absolute for Slurm).
	Results string
	// Todo lists the cells to run: the unfinished ones.
	Todo []string
	// Selected, if set, keeps the tasks of earlier arrays that this
	// command is about (a program's -only); nil keeps all.
	Selected func(cell string) bool
	// Command returns what a task runs, but for the cell's name, given
	// the program and the results directory as the task sees them.
	Command func(program, results string) []string
}

// K8sResults is where the results volume is mounted in Kubernetes pods.
const K8sResults = "/results"

// Run hands the job to the cluster the command line asks for.
func (c *Cluster) Run(ctx context.Context, job Job, stdout, stderr io.Writer) error {
	if c.K8s {
		return c.writeKubernetes(job, stdout)
	}
	return c.runSlurm(ctx, job, stdout, stderr)
}

// runSlurm submits the cells to run that no earlier array is running as
// a Slurm job array and, with -wait, follows every task until it ends.
func (c *Cluster) runSlurm(ctx context.Context, job Job, stdout, stderr io.Writer) error {
	results, err := filepath.Abs(job.Results)
	if err != nil {
		return err
	}
	job.Results = results
	sl := &Slurm{Partition: c.Partition, Time: c.TimeLimit, CPUs: c.CPUs, MaxParallel: c.MaxParallel}
	var active []Task
	if !c.DryRun {
		if active, err = sl.Active(ctx, results); err != nil {
			return err
		}
	}
	if job.Selected != nil {
		active = slices.DeleteFunc(active, func(t Task) bool { return !job.Selected(t.Cell) })
	}
	inFlight := map[string]bool{}
	for _, t := range active {
		inFlight[t.Cell] = true
		fmt.Fprintf(stdout, "cell %s is already queued or running as task %s\n", t.Cell, t.ID())
	}
	todo := slices.DeleteFunc(slices.Clone(job.Todo), func(cell string) bool { return inFlight[cell] })
	tasks := active
	switch {
	case len(todo) == 0 && len(active) == 0:
		fmt.Fprintln(stdout, "nothing to submit: every selected cell is done")
	case len(todo) == 0:
		fmt.Fprintf(stdout, "nothing to submit: %s queued or running, the other selected cells done\n", Count(len(active), "cell"))
	default:
		a, err := c.submit(ctx, sl, job, todo, stdout)
		if err != nil || a == nil {
			return err
		}
		tasks = append(a.Tasks(), active...)
	}
	if !c.Wait || len(tasks) == 0 {
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
func (c *Cluster) submit(ctx context.Context, sl *Slurm, job Job, todo []string, stdout io.Writer) (*Array, error) {
	program, err := InstallExecutable(job.Results)
	if err != nil {
		return nil, err
	}
	s := Sweep{Name: job.Name, Dir: job.Results, Command: job.Command(program, job.Results), Cells: todo}
	a, err := sl.Write(s)
	if err != nil {
		return nil, err
	}
	if c.DryRun {
		fmt.Fprintf(stdout, "wrote %s and %s (%s); submit with: sbatch --parsable %s\n",
			a.Script, a.Manifest, Count(len(todo), "cell"), a.Script)
		return nil, nil
	}
	if err := sl.Submit(ctx, a); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "submitted job %s: %s (%s), logs in %s\n", a.JobID, Count(len(todo), "cell"),
		strings.Join(todo, ", "), filepath.Join(a.Logs, a.JobID+"_*.log"))
	return a, nil
}

// writeKubernetes writes the cells to run as a Kubernetes Indexed Job to
// <results>/sweep/<name>-job.yaml.
func (c *Cluster) writeKubernetes(job Job, stdout io.Writer) error {
	if len(job.Todo) == 0 {
		fmt.Fprintln(stdout, "nothing to write: every selected cell is done")
		return nil
	}
	k := &Kubernetes{Image: c.Image, Volume: c.Volume, CPUs: c.CPUs, MaxParallel: c.MaxParallel}
	s := Sweep{Name: job.Name, Dir: K8sResults, Command: job.Command(c.program, K8sResults), Cells: job.Todo}
	y, err := k.Manifest(s)
	if err != nil {
		return err
	}
	path := filepath.Join(job.Results, FilesDir, job.Name+"-job.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := writeAtomic(path, y, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s); run with: kubectl apply -f %s\n", path, Count(len(job.Todo), "cell"), path)
	return nil
}

// Count is "1 cell", "2 cells".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
