#!/usr/bin/env bash
# @file A one-node Slurm cluster on this machine (munged + slurmctld + slurmd on localhost) for kiln's opt-in
# array-job test. `up` installs Debian's slurm-wlm and munge when missing, writes a private slurm.conf under
# $KILN_SLURM_DIR (default /tmp/kiln-slurm) and starts the daemons; `down` stops them; `env` prints the
# SLURM_CONF export that sbatch/squeue need. There is no accounting daemon, so sacct is unavailable: every finished
# job's final state (COMPLETED, FAILED, …) is appended to $KILN_SLURM_DIR/log/jobcomp.txt instead.
# Needs root (apt-get, daemons); touches nothing under /etc/slurm.
set -euo pipefail
dir=${KILN_SLURM_DIR:-/tmp/kiln-slurm}
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"

install_missing() {
  local missing=()
  command -v slurmctld >/dev/null || missing+=(slurm-wlm)
  command -v munged >/dev/null || missing+=(munge)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "slurm-local: installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

start_munge() {
  if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
  mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  fi
  chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
  chmod 700 /etc/munge && chmod 400 /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return; sleep 0.1; done
  echo "slurm-local: munged did not start" >&2; exit 1
}

write_conf() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  cat >"$conf" <<CONF
ClusterName=kiln-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$(( mem / cpus ))
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

up() {
  install_missing
  start_munge
  write_conf
  [ -f "$dir/slurmctld.pid" ] && kill "$(cat "$dir/slurmctld.pid")" 2>/dev/null || true
  [ -f "$dir/slurmd.pid" ] && kill "$(cat "$dir/slurmd.pid")" 2>/dev/null || true
  sleep 0.5
  /usr/sbin/slurmctld -c -f "$conf"
  /usr/sbin/slurmd -f "$conf"
  for _ in $(seq 100); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "slurm-local: up ($(sinfo -h -o '%N %c CPUs %m MB %t')); export SLURM_CONF=$conf"
      return
    fi
    sleep 0.2
  done
  echo "slurm-local: the node did not become idle; see $dir/log/" >&2
  sinfo >&2 || true
  exit 1
}

down() {
  for d in slurmd slurmctld; do
    if [ -f "$dir/$d.pid" ]; then kill "$(cat "$dir/$d.pid")" 2>/dev/null || true; rm -f "$dir/$d.pid"; fi
  done
  echo "slurm-local: down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) echo "usage: scripts/slurm-local.sh up|down|env" >&2; exit 2 ;;
esac
