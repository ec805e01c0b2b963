#!/usr/bin/env bash
# slurm-local.sh: a one-node Slurm cluster on this machine, for trying and
# testing sweeps (examples/reproduce -slurm) without a real cluster.
#
#   scripts/slurm-local.sh start    # install slurm-wlm and munge if absent, start the daemons
#   scripts/slurm-local.sh status   # are munged, slurmctld and slurmd up? (exit 1 if not)
#   scripts/slurm-local.sh stop     # stop the daemons this script started
#   scripts/slurm-local.sh env      # print the export line the Slurm commands need
#
# The cluster is one node (this host, 127.0.0.1) with 2 CPUs in a partition
# "local": select/cons_tres with CPUs as the consumable, proctrack/linuxproc
# (no cgroups, no systemd), no accounting daemon. Its configuration, state,
# spool and logs live in $SLURM_LOCAL_DIR (default /tmp/pushforward-slurm);
# the Slurm commands find it through SLURM_CONF, so run
#
#   eval "$(scripts/slurm-local.sh env)"
#
# in the shell that submits. start is idempotent: it starts only what is not
# running. It must run as root (apt-get, munged's key, slurmd) on Debian or
# Ubuntu; it starts the daemons directly, not through systemd.
set -euo pipefail

dir=${SLURM_LOCAL_DIR:-/tmp/pushforward-slurm}
conf=$dir/slurm.conf
cpus=${SLURM_LOCAL_CPUS:-2}
node=$(hostname -s)

say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }

pid_alive() { # pidfile
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

install_packages() {
	local missing=()
	command -v munged >/dev/null || missing+=(munge)
	command -v slurmctld >/dev/null || missing+=(slurm-wlm)
	[ ${#missing[@]} -eq 0 ] && return
	[ "$(id -u)" -eq 0 ] || die "need root to install ${missing[*]} (apt-get)"
	say "installing ${missing[*]} (apt-get)"
	# Keep the packages' scripts from starting the daemons through the
	# init system: this script starts them itself.
	local policy=/usr/sbin/policy-rc.d created=
	if [ ! -e $policy ]; then
		printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && created=1
	fi
	local rc=0
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		{ apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; } || rc=$?
	[ -n "$created" ] && rm -f $policy
	[ $rc -eq 0 ] || die "apt-get install ${missing[*]} failed"
}

write_conf() {
	mkdir -p "$dir/state" "$dir/spool" "$dir/log"
	# MinJobAge 600: finished jobs stay visible to squeue and scontrol for
	# 10 minutes, since there is no accounting database for sacct.
	# cred_expire 10: a requeued task may start again after 10 s rather
	# than Slurm's default 120 (the lifetime of the revoked credential);
	# the schedulers look every 2 s for jobs that became eligible.
	cat >"$conf.tmp" <<EOF
# Written by scripts/slurm-local.sh: a one-node cluster on $node.
ClusterName=pushforward
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=cred_expire=10
CredType=cred/munge
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=2,sched_interval=2
ReturnToService=2
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
	mv "$conf.tmp" "$conf"
}

start_munge() {
	local sock=/run/munge/munge.socket.2
	if [ -S $sock ] && munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
		return
	fi
	mkdir -p /run/munge /var/lib/munge /var/log/munge /etc/munge
	if [ ! -s /etc/munge/munge.key ]; then
		if command -v mungekey >/dev/null; then
			mungekey --create --keyfile=/etc/munge/munge.key
		else
			dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
		fi
	fi
	chown munge:munge /run/munge /var/lib/munge /var/log/munge /etc/munge /etc/munge/munge.key
	chmod 0700 /etc/munge /var/lib/munge /var/log/munge
	chmod 0755 /run/munge
	chmod 0400 /etc/munge/munge.key
	runuser -u munge -- /usr/sbin/munged
	touch "$dir/munged.ours"
	for _ in $(seq 50); do
		munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return
		sleep 0.1
	done
	die "munged does not answer (see /var/log/munge/munged.log)"
}

start_daemon() { # name
	local name=$1
	if pid_alive "$dir/$name.pid"; then
		return
	fi
	say "starting $name"
	SLURM_CONF=$conf "/usr/sbin/$name" -f "$conf"
}

wait_ready() {
	for _ in $(seq 100); do
		if SLURM_CONF=$conf sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
			return
		fi
		sleep 0.2
	done
	die "the node is not idle after 20 s: $(SLURM_CONF=$conf sinfo -N 2>&1 | tail -n +2) (logs in $dir/log)"
}

start() {
	[ "$(id -u)" -eq 0 ] || die "run as root (munged's key, slurmd)"
	install_packages
	mkdir -p "$dir"
	# Rewrite the configuration only when the daemons are down, so that a
	# running cluster keeps the file it read.
	if ! pid_alive "$dir/slurmctld.pid" && ! pid_alive "$dir/slurmd.pid"; then
		write_conf
	fi
	start_munge
	start_daemon slurmctld
	start_daemon slurmd
	wait_ready
	say "up: node $node, $cpus CPUs, partition local; configuration $conf"
	say "submit from a shell with: eval \"\$($0 env)\""
}

stop_daemon() { # name
	local pidfile=$dir/$1.pid
	pid_alive "$pidfile" || return 0
	local pid
	pid=$(cat "$pidfile")
	say "stopping $1 ($pid)"
	kill "$pid"
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

stop() {
	stop_daemon slurmd
	stop_daemon slurmctld
	if [ -e "$dir/munged.ours" ] && pid_alive /run/munge/munged.pid; then
		local pid
		pid=$(cat /run/munge/munged.pid)
		say "stopping munged ($pid)"
		kill "$pid"
		rm -f "$dir/munged.ours"
	fi
}

status() {
	local ok=0
	for d in slurmctld slurmd; do
		if pid_alive "$dir/$d.pid"; then echo "$d: running (pid $(cat "$dir/$d.pid"))"; else echo "$d: stopped"; ok=1; fi
	done
	if pid_alive /run/munge/munged.pid; then echo "munged: running (pid $(cat /run/munge/munged.pid))"; else echo "munged: stopped"; ok=1; fi
	if [ $ok -eq 0 ]; then
		SLURM_CONF=$conf sinfo -N -o '%N %T %c' || ok=1
	fi
	return $ok
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
env) echo "export SLURM_CONF=$conf" ;;
*)
	echo "usage: $0 start|stop|status|env" >&2
	exit 2
	;;
esac
