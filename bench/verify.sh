#!/bin/bash
# Verification benchmark: `tideway verify` of the 2,000,000-row sysbench table against pt-table-checksum's
# rate and the plain read rate of both tables, on one machine.
#
#   bench/verify.sh                  # REPS=3; writes bench/results/verify-* and the verify block of docs/BENCHMARKS.md
#   REPS=1 DOC=0 bench/verify.sh     # a quick trial
#
# Cases (each timed REPS times, interleaved; servers quiesced before every run):
#   pt-table-checksum   pt-table-checksum on MariaDB db.sbtest1 (--recursion-method none: the checksums of the
#                       source's chunks, written to benchaux.checksums; what it does per row on one server)
#   read-mariadb        mariadb --quick -e 'SELECT * FROM db.sbtest1' > /dev/null
#   read-mariadb-db2    the same for the MariaDB destination db2.sbtest1 (on a second mariadbd, port 3307, same binaries and
#                       settings, started by bench/dest-mariadb.sh: a source and its destination are separate servers)
#   read-postgresql     psql -c 'COPY db.sbtest1 TO STDOUT' > /dev/null   (database tw)
#   tideway-mm          tideway verify: MariaDB db -> MariaDB db2 (same family: per-chunk checksums in both servers)
#   tideway-mp          tideway verify: MariaDB db -> PostgreSQL tw (across families: both sides read and merged)
# Targets (the issue's): same family at least pt-table-checksum's rate; across families at least 0.5x the slower
# side's plain read rate.
#
# Needs root, the servers of ../shared/bench/limits and db.sbtest1 of bench/full-migration.sh (run that first),
# percona-toolkit (installed here with apt-get if missing), a JDK 17+. Settings: REPS (3), DOC (1), TW_PARALLELISM (2).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
HERE=$REPO/bench
LIMITS=${LIMITS:-$REPO/../shared/bench/limits}
REPS=${REPS:-3}
TW_PARALLELISM=${TW_PARALLELISM:-2}
ROWS=2000000
OUT=$HERE/results
WORK=/var/tmp/bench/tideway-verify
RAW=$OUT/verify-raw-$(date -u +%Y%m%dT%H%M%SZ).tsv
die() { echo "verify-bench: $*" >&2; exit 1; }
. "$HERE/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root"
mkdir -p "$OUT" "$WORK"
my() { mariadb "$@"; }
myd() { mariadb -S /run/mysqld/mysqld-dest.sock "$@"; }   # the MariaDB destination: a second mariadbd (bench/dest-mariadb.sh)
pg() { psql -qX -v ON_ERROR_STOP=1 "$@"; }
if ! my -e 'select 1' >/dev/null 2>&1 || ! psql -qXtA -d db -c 'select 1' >/dev/null 2>&1; then
  "$LIMITS/servers.sh" start >/dev/null
fi
[ "$(my -N -e 'SELECT COUNT(*) FROM db.sbtest1')" = "$ROWS" ] || die "db.sbtest1 must hold $ROWS rows: run bench/full-migration.sh first"
if ! command -v pt-table-checksum >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq percona-toolkit >/dev/null || die "cannot install percona-toolkit"
fi
"$HERE/dest-mariadb.sh" start
"$REPO/tideway" --version >/dev/null || die "./tideway could not build or start Tideway"
my -e "CREATE USER IF NOT EXISTS 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1'; CREATE DATABASE IF NOT EXISTS benchaux"

for p in mm mp; do
  if [ $p = mm ]; then dst="{ type: mariadb, host: 127.0.0.1, port: 3307, user: bench, password: bench, database: db2 }"
  else dst="{ type: postgresql, host: 127.0.0.1, port: 5432, user: root, password: bench, database: tw }"; fi
  cat > "$WORK/$p.yaml" <<EOF
name: bench-verify-$p
source:      { type: mariadb, host: 127.0.0.1, port: 3306, user: bench, password: bench, database: db }
destination: $dst
tables:      { include: ["db.sbtest1"] }
steps:       [schema, full]
full:        { parallelism: $TW_PARALLELISM, chunk-size: 50000 }
EOF
done

# the destinations, copied by Tideway (not timed)
echo "== copying db.sbtest1 to the two destinations (not timed)"
myd -e "DROP DATABASE IF EXISTS db2; CREATE DATABASE db2"
runuser -u postgres -- psql -qX -c "DROP DATABASE IF EXISTS tw" -c "CREATE DATABASE tw OWNER root"
for p in mm mp; do
  rm -rf "$WORK/data-$p"
  "$REPO/tideway" --data-dir "$WORK/data-$p" run "$WORK/$p.yaml" > "$WORK/copy-$p.log" 2>&1 || { cat "$WORK/copy-$p.log"; die "copy $p failed"; }
done
pg -d tw -c "VACUUM ANALYZE db.sbtest1"

quiesce() {
  sync
  innodb_settle my myd
  pg -d tw -c CHECKPOINT
  sync; sleep 2
}
cpu_all() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print t, $5, $6}' /proc/stat; }
HZ=$(getconf CLK_TCK)
printf "case\trun\trows\twall_s\tclient_cpu_s\tother_note\n" > "$RAW"
measure() {
  local case=$1 run=$2 cmd=$3 s e u sy rss
  quiesce
  s=$(date +%s%N)
  if ! /usr/bin/time -o "$WORK/time.out" -f "%U %S %M" bash -o pipefail -c "$cmd" > "$WORK/last.log" 2>&1; then
    # tideway verify exits 1 when it finds differences: that is a failure of the benchmark's set-up
    tail -20 "$WORK/last.log" >&2; die "$case run $run failed: $cmd"
  fi
  e=$(date +%s%N)
  read -r u sy rss < <(tail -1 "$WORK/time.out")
  local wall; wall=$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f",(e-s)/1e9}')
  printf "%s\t%d\t%d\t%s\t%s\t%s\n" "$case" "$run" "$ROWS" "$wall" "$(awk -v u="$u" -v s="$sy" 'BEGIN{printf "%.2f", u+s}')" "${rss}kB" >> "$RAW"
  printf "%-18s run %d  %8.3f s  %9.0f rows/s\n" "$case" "$run" "$wall" "$(awk -v w="$wall" -v n="$ROWS" 'BEGIN{print n/w}')"
  case $case in tideway-*) cp "$WORK/last.log" "$OUT/verify-last-$case.log" ;; esac
}

echo "== $ROWS rows, REPS=$REPS; raw: $RAW"
for r in $(seq "$REPS"); do
  measure pt-table-checksum "$r" "mariadb -e 'DROP TABLE IF EXISTS benchaux.checksums' && pt-table-checksum --no-check-binlog-format --no-check-replication-filters --recursion-method none --databases db --tables sbtest1 --replicate benchaux.checksums --no-version-check h=localhost,u=root"
  measure read-mariadb "$r" "mariadb --quick -N -e 'SELECT * FROM db.sbtest1' > /dev/null"
  measure read-mariadb-db2 "$r" "mariadb -S /run/mysqld/mysqld-dest.sock --quick -N -e 'SELECT * FROM db2.sbtest1' > /dev/null"
  measure read-postgresql "$r" "psql -qX -d tw -c 'COPY db.sbtest1 TO STDOUT' > /dev/null"
  measure tideway-mm "$r" "$REPO/tideway --data-dir $WORK/data-mm verify $WORK/mm.yaml"
  measure tideway-mp "$r" "$REPO/tideway --data-dir $WORK/data-mp verify $WORK/mp.yaml"
done
cp "$RAW" "$OUT/verify-latest.tsv"
ENV="Machine: nproc $(nproc), mem $(free -g | awk '/Mem:/{print $2}') GiB; MariaDB $(my -N -e 'select version()'); PostgreSQL $(psql -XtA -d db -c 'show server_version'); $(pt-table-checksum --version 2>/dev/null | head -1); $(java -version 2>&1 | head -1)"
python3 "$HERE/summarize-verify.py" "$RAW" "$ENV" "${DOC:-1}" "$REPO/docs/BENCHMARKS.md"
