#!/bin/bash
# Soak: SoakIT (tideway-cli) N times with new seeds, on the embedded servers (no set-up). Each run: an application
# writes to five kinds of table (integer key, composite key, text key, no key, a second unique key whose values move
# between rows) while a MariaDB -> PostgreSQL project copies and syncs them; `tideway run` is killed with SIGKILL three
# times at random moments; then a verification beside the sync, a switchover, reverse writes on the destination, and
# every table must end equal on both sides.
#
#   bench/soak.sh            # RUNS=10; appends the runs to bench/results/soak-<date>.txt and rewrites docs/SOAK.md
#   RUNS=3 bench/soak.sh
#
# Each run's line: its seed (SEED=... replays it: -Dtideway.soak.seed), where each kill fell (the steps' states at that
# moment and the delay before it), and the outcome.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-10}
OUT=$REPO/bench/results
mkdir -p "$OUT"
stamp=$(date -u +%Y%m%d-%H%M)
report=$OUT/soak-$stamp.txt
: > "$report"
seed_opt=""
[ -n "${SEED:-}" ] && seed_opt="-Dtideway.soak.seed=$SEED"
cd "$REPO"
rm -f */target/failsafe-reports/failsafe-summary.xml   # a summary left by an earlier run would be read as this one's
status=0
./mvnw -B -ntp -q -pl tideway-cli -am verify -Dit.test=SoakIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false \
  "-DargLine=-Dtideway.soak.runs=$RUNS -Dtideway.soak.report=$report $seed_opt" > "$OUT/soak-$stamp.log" 2>&1 || status=$?
runs=$(wc -l < "$report")
equal=$(grep -c '| equal$' "$report" || true)
kills=$(grep -o ' ms after ' "$report" | wc -l)
in_full=$(grep -o 'full RUNNING (' "$report" | wc -l)
in_sync=$(grep -o 'incremental [A-Z]* (' "$report" | wc -l)
block=$(mktemp)
{
  echo "<!-- soak:begin (written by bench/soak.sh) -->"
  echo "Latest: $stamp UTC, $runs runs, $equal ended equal; $kills kills in all, $in_full during the full copy, $in_sync"
  echo "during the incremental sync (the rest earlier: the schema step, or before the copy's first chunk)."
  echo
  echo "| seed | kills (steps at the kill, delay) | outcome |"
  echo "|---|---|---|"
  sed 's/^seed \([0-9-]*\) | \(.*\) | \(.*\)$/| \1 | \2 | \3 |/' "$report"
  echo "<!-- soak:end -->"
} > "$block"
# the block between the markers is replaced; what is around it is kept
doc=$REPO/docs/SOAK.md
awk -v block="$block" '
  /<!-- soak:begin/ { while ((getline line < block) > 0) print line; skip = 1; next }
  /<!-- soak:end -->/ { skip = 0; next }
  !skip { print }' "$doc" > "$doc.new" && mv "$doc.new" "$doc"
rm -f "$block"
echo "soak: $runs runs, $equal equal; docs/SOAK.md, $report"
exit $status
