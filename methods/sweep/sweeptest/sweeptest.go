// Package sweeptest has what the tests of programs with a cluster sweep
// share: finding the local Slurm cluster they run on.
package sweeptest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// RequireSlurm skips the test unless a one-node Slurm cluster runs on
// this machine (the one scripts/slurm-local.sh starts, as .ci/run does):
// the tests stop and signal the tasks' processes, so the cluster must run
// them here. With PUSHFORWARD_REQUIRE_SLURM set (as in CI) it fails the
// test instead of skipping.
func RequireSlurm(t testing.TB) {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("PUSHFORWARD_REQUIRE_SLURM") != "" {
		skip = t.Fatalf
	}
	conf := os.Getenv("SLURM_CONF")
	if conf == "" {
		conf = "/etc/slurm/slurm.conf"
	}
	hint := `start one with scripts/slurm-local.sh start and eval "$(scripts/slurm-local.sh env)"`
	if _, err := os.Stat(conf); err != nil {
		skip("no slurmctld reachable: no Slurm configuration (%v); %s", err, hint)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "scontrol", "ping").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is UP") {
		skip("no slurmctld reachable (scontrol ping: %v %s); %s", err, strings.TrimSpace(string(out)), hint)
		return
	}
	host, _ := os.Hostname()
	host, _, _ = strings.Cut(host, ".")
	out, err = exec.CommandContext(ctx, "sinfo", "-h", "-N", "-o", "%N").Output()
	if nodes := strings.Fields(string(out)); err != nil || len(nodes) != 1 || nodes[0] != host {
		skip("the Slurm tests need a one-node cluster on this machine (%s), not nodes %q (%v); %s", host, nodes, err, hint)
	}
}
