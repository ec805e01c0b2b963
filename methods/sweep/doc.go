// Package sweep runs a grid of independent cells — training runs, each
// resumable from its own checkpoint — on a cluster scheduler as it is: a
// Slurm job array, or a Kubernetes Indexed Job.
//
// A Sweep names the cells and the command that runs one (the cell's name
// is appended to it). Slurm.Write writes the array's batch script and a
// manifest beside it (task i runs the cell on line i+1, chosen by
// SLURM_ARRAY_TASK_ID); Submit submits it with sbatch --parsable; Follow
// watches the tasks with squeue (and sacct where the cluster keeps
// accounting) until each is done or failed, and reports a failed task with
// its exit code and the end of its log. Active lists the tasks of earlier
// arrays still queued or running, so that a resubmission runs only what is
// neither finished nor in flight: the caller decides what is finished.
//
// A task is resumable: the script asks Slurm for USR1 some minutes before
// the time limit (--signal=B:USR1), passes it on to the cell as SIGTERM,
// waits for the cell to save its checkpoint, and requeues the task
// (--requeue), which resumes from it. On scancel the cell gets SIGTERM
// from Slurm and the script waits for it likewise.
//
// Kubernetes.Manifest writes the same sweep as a ConfigMap holding the
// manifest and a Job with completionMode Indexed, where
// JOB_COMPLETION_INDEX picks the cell, backoffLimitPerIndex retries a
// failed cell, and a PersistentVolumeClaim holds the results.
//
// scripts/slurm-local.sh starts a one-node Slurm cluster on the local
// machine for trying sweeps; examples/reproduce -slurm and -k8s use this
// package for the paper's grid.
package sweep
