#!/usr/bin/env bash
# @file `npm run test:slurm`: kiln's array-job path on a real Slurm. Brings up a one-node cluster
# (scripts/slurm-local.sh; installs Debian's slurm-wlm and munge when missing, so it needs root), writes the quick
# scaling preset's plan, submits it with `sbatch --array` (examples/slurm/sweep.sbatch), waits with squeue, checks
# every task's final state in the job-completion log, reports it with `kiln lab report`, runs the same preset locally
# with `kiln scaling`, and requires byte-identical plan.json, runs.csv, fits, plots and every run's result.json. Tears the cluster down on exit.
# Opt-in (not part of `npm test`): it takes about twice the quick preset's wall time.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
start=$(date +%s)
[ -e node_modules/@kiln/lab ] || npm install --no-audit --no-fund
kiln() { node "$repo/packages/train/bin/kiln.mjs" "$@"; }
export KILN="node $repo/packages/train/bin/kiln.mjs"

work=${KILN_SLURM_TEST_DIR:-$(mktemp -d /tmp/kiln-slurm-test.XXXXXX)}
trap 'scripts/slurm-local.sh down >/dev/null' EXIT
scripts/slurm-local.sh up
eval "$(scripts/slurm-local.sh env)"
jobcomp=$(dirname "$SLURM_CONF")/log/jobcomp.txt

echo "== plan (the quick preset) in $work/array"
kiln scaling --preset quick --plan-only --out "$work/array"
runs=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs.length)' "$work/array/plan.json")

echo "== sbatch --array=0-$((runs - 1))"
job=$(sbatch --parsable --array=0-$((runs - 1)) --chdir="$repo" --output="$work/slurm-%A_%a.out" examples/slurm/sweep.sbatch "$work/array")
echo "array job $job: $runs tasks"
while [ -n "$(squeue -h -j "$job" -o %i 2>/dev/null)" ]; do sleep 5; done
completed=$(grep "ArrayJobId=$job " "$jobcomp" | grep -c "JobState=COMPLETED" || true)
echo "array job $job left the queue: $completed of $runs tasks COMPLETED"
if [ "$completed" != "$runs" ]; then
  grep "ArrayJobId=$job " "$jobcomp" | grep -v "JobState=COMPLETED" | sed 's/^/  /' >&2 || true
  tail -n 5 "$work"/slurm-"$job"_*.out >&2 || true
  echo "test:slurm: FAILED — not every array task completed" >&2
  exit 1
fi
kiln lab status "$work/array"
kiln lab report "$work/array"
array_done=$(date +%s)

echo "== the same preset on this machine: kiln scaling --preset quick"
kiln scaling --preset quick --out "$work/local"

echo "== compare (the report's markdown holds wall times and differs by design)"
status=0
for f in plan.json runs.csv fit.json isoflop.svg optimal.svg predicted.svg curves.svg $(cd "$work/array" && ls runs/*/result.json); do
  if cmp -s "$work/array/$f" "$work/local/$f"; then echo "identical: $f"; else echo "DIFFERENT: $f" >&2; status=1; fi
done
end=$(date +%s)
echo "array job $((array_done - start)) s, local run $((end - array_done)) s, total $((end - start)) s"
[ $status -eq 0 ] && echo "test:slurm: passed" || { echo "test:slurm: FAILED — the array job's results differ from the local run's" >&2; exit 1; }
