#!/bin/bash
# Full-migration benchmark: Tideway (steps [schema, full]) against the native tools, on one machine.
#
#   bench/full-migration.sh            # REPS=3 ROWS=2000000; writes bench/results/ and docs/BENCHMARKS.md
#   REPS=1 ROWS=200000 bench/full-migration.sh     # a quick trial (does not touch docs/BENCHMARKS.md)
#
# Cases (each timed REPS times, servers quiesced before every run, row counts checked after every load):
#   mm-native   mariadb-dump --single-transaction --quick db sbtest1 | mariadb db2
#   mm-tideway  tideway run (MariaDB db -> MariaDB db2, empty), tuned: full: { parallelism: TW_PARALLELISM, chunk-size: TW_CHUNK }
#   mm-tideway-default  the same with the README's project file as a user writes it: no full: settings (defaults)
#   mp-native   mariadb --batch --quick ... 'SELECT id,k,c,pad FROM sbtest1' | psql COPY sbtest1 FROM STDIN,
#               then CREATE INDEX k_1 (the table exists beforehand with its primary key)
#   mp-tideway  tideway run (MariaDB db -> PostgreSQL database tw, empty), tuned as mm-tideway
#   mp-tideway-default  the same with no full: settings
#
# Needs root (the server setup of ../shared/bench/limits does), a JDK 17+, gawk, python3.
# Settings (environment): REPS, ROWS,
#   CASES ("mm-native mm-tideway mm-tideway-default mp-native mp-tideway mp-tideway-default"),
#   TW_PARALLELISM, TW_CHUNK (the tuned cases' full.parallelism / full.chunk-size), TW_XMX (default 512m),
#   NULLABLE=1 (k, c and pad nullable, in the source and in the native pipe's destination table; default 0: NOT NULL
#   as sysbench creates them), QUIESCE=0 (no settling of the servers before each run, as a user's timing has none),
#   TW_JAVA_OPTS (JVM flags besides -Xmx; Tideway is started through ./tideway, as a user would, with its
#   class-data archive; TIDEWAY_CDS=0 runs without it),
#   SKIP_SETUP=1 (servers already set up and running), DOC=0 (do not rewrite docs/BENCHMARKS.md).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
HERE=$REPO/bench
LIMITS=${LIMITS:-$REPO/../shared/bench/limits}
REPS=${REPS:-3}
ROWS=${ROWS:-2000000}
CASES=${CASES:-"mm-native mm-tideway mm-tideway-default mp-native mp-tideway mp-tideway-default"}
TW_PARALLELISM=${TW_PARALLELISM:-2}
TW_CHUNK=${TW_CHUNK:-50000}
TW_XMX=${TW_XMX:-512m}
NULLABLE=${NULLABLE:-0}
QUIESCE=${QUIESCE:-1}
TW_JAVA_OPTS=${TW_JAVA_OPTS:--XX:+UseParallelGC -XX:TieredStopAtLevel=1}   # what ./tideway uses by default
OUT=${OUT:-$HERE/results}
RAW=$OUT/raw-$(date -u +%Y%m%dT%H%M%SZ).tsv
WORK=/var/tmp/bench/tideway
TSV_ALL=/var/tmp/bench/sbtest1.tsv          # the 2M-row file of ../shared/bench/limits/01_gen_data.sh
FULL_ROWS=2000000

die() { echo "full-migration: $*" >&2; exit 1; }
. "$HERE/lib.sh"

# ------------------------------------------------------------------ 1. servers
[ "$(id -u)" = 0 ] || die "run as root (the server setup installs packages and uses socket auth as root)"
if [ ! -x "$LIMITS/00_setup.sh" ] || [ ! -x "$LIMITS/servers.sh" ]; then
  die "server setup scripts not found in $LIMITS (expected 00_setup.sh and servers.sh of the shared bench/limits folder next to the repository; set LIMITS=DIR)"
fi
if [ "${SKIP_SETUP:-0}" != 1 ]; then
  "$LIMITS/00_setup.sh" >/dev/null || die "$LIMITS/00_setup.sh failed"
elif ! mariadb -e 'select 1' >/dev/null 2>&1 || ! psql -qXtA -d db -c 'select 1' >/dev/null 2>&1; then
  "$LIMITS/servers.sh" start >/dev/null
fi
# Tideway's MariaDB bulk path is LOAD DATA LOCAL INFILE (precheck item destination.local_infile)
mariadb -e "SET GLOBAL local_infile = ON"
command -v gawk >/dev/null || die "gawk is needed to generate the rows"
command -v python3 >/dev/null || die "python3 is needed for the summary"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (apt-get install time)"
mkdir -p "$OUT" "$WORK"

my() { mariadb "$@"; }
pg() { psql -qX -v ON_ERROR_STOP=1 "$@"; }

# ------------------------------------------------------------------ 2. data
if [ ! -s "$TSV_ALL" ]; then
  echo "generating $FULL_ROWS rows into $TSV_ALL (same generator and seed as ../shared/bench/limits/01_gen_data.sh)"
  mkdir -p "$(dirname "$TSV_ALL")"
  gawk -v N=$FULL_ROWS 'function g(n,  s,j){s=sprintf("%05d%06d",int(rand()*100000),int(rand()*1000000));
      for(j=1;j<n;j++) s=s "-" sprintf("%05d%06d",int(rand()*100000),int(rand()*1000000)); return s}
    BEGIN{srand(20241124); for(i=1;i<=N;i++) printf "%d\t%d\t%s\t%s\n", i, int(rand()*N)+1, g(10), g(5)}' > "$TSV_ALL"
  chmod 644 "$TSV_ALL"
fi
# sysbench's layout: k, c and pad NOT NULL; NULLABLE=1 leaves them nullable (a table a user made without NOT NULL)
if [ "$NULLABLE" = 1 ]; then NN=""; else NN="NOT NULL"; fi
COLS="id INT NOT NULL, k INT $NN DEFAULT 0, c CHAR(120) $NN DEFAULT '', pad CHAR(60) $NN DEFAULT ''"
SRC_DDL="CREATE TABLE sbtest1 ($COLS, PRIMARY KEY (id), KEY k_1 (k)) ENGINE=InnoDB"
src_ok() {
  [ "$(my -N db -e "SELECT COUNT(*) FROM sbtest1" 2>/dev/null)" = "$ROWS" ] &&
  [ "$(my -N -e "SELECT IS_NULLABLE FROM information_schema.columns WHERE table_schema='db' AND table_name='sbtest1' AND column_name='c'")" = "$([ "$NULLABLE" = 1 ] && echo YES || echo NO)" ] &&
  [ "$(my -N -e "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema='db' AND table_name='sbtest1' AND index_name='k_1'")" -ge 1 ]
}
if ! src_ok; then
  echo "loading $ROWS rows into MariaDB db.sbtest1 (sysbench layout with index k_1$([ "$NULLABLE" = 1 ] && echo "; k, c, pad nullable"))"
  my -e "CREATE DATABASE IF NOT EXISTS db"
  my db -e "DROP TABLE IF EXISTS sbtest1; $SRC_DDL"
  head -n "$ROWS" "$TSV_ALL" > "$WORK/src.tsv"; chmod 644 "$WORK/src.tsv"
  my --local-infile=1 db -e "LOAD DATA LOCAL INFILE '$WORK/src.tsv' INTO TABLE sbtest1; ANALYZE TABLE sbtest1" >/dev/null
  rm -f "$WORK/src.tsv"
  src_ok || die "source table db.sbtest1 does not hold $ROWS rows after loading"
fi

# ------------------------------------------------------------------ Tideway build and project files
command -v java >/dev/null || die "java is needed"
# the launcher builds Tideway if needed and its class-data archive (tideway-cli/target/tideway.jsa), untimed
"$REPO/tideway" --version >/dev/null || die "./tideway could not build or start Tideway"
my -e "CREATE USER IF NOT EXISTS 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1'"
# project files: the README's, as a user writes it (no full: settings: mm-default.yaml, mp-default.yaml), and the tuned
# ones (mm.yaml, mp.yaml: the same with a full: line)
project() { # NAME DESTINATION
  cat <<EOF
name: $1
source:      { type: mariadb, host: 127.0.0.1, port: 3306, user: bench, password: bench, database: db }
destination: $2
tables:      { include: ["db.sbtest1"] }
steps:       [schema, full]
EOF
}
project bench-mm "{ type: mariadb, host: 127.0.0.1, port: 3306, user: bench, password: bench, database: db2 }" > "$WORK/mm-default.yaml"
project bench-mp "{ type: postgresql, host: 127.0.0.1, port: 5432, user: root, password: bench, database: tw }" > "$WORK/mp-default.yaml"
TUNED="full:        { parallelism: $TW_PARALLELISM, chunk-size: $TW_CHUNK }"
{ cat "$WORK/mm-default.yaml"; echo "$TUNED"; } > "$WORK/mm.yaml"
{ cat "$WORK/mp-default.yaml"; echo "$TUNED"; } > "$WORK/mp.yaml"

# ------------------------------------------------------------------ measuring
# Let both servers settle so that one run does not pay for the previous run's write-back
# (the same as quiesce in ../shared/bench/limits/lib.sh).
quiesce() {
  [ "$QUIESCE" = 1 ] || return 0
  sync
  innodb_settle my
  local cur
  my -e "FLUSH BINARY LOGS"; cur=$(my -N -e "SHOW MASTER STATUS" | cut -f1)
  my -e "PURGE BINARY LOGS TO '$cur'"
  pg -d db -c CHECKPOINT
  sync; sleep 2
}
cpu_all() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print t, $5, $6}' /proc/stat; }
# CPU ticks of our two servers: mariadbd (by its pid file) and every postgres process, with the
# CPU of reaped children (PostgreSQL backends that ended during the run) included
servers_cpu() {
  local pids; pids="$(cat /run/mysqld/mysqld.pid 2>/dev/null) $(pgrep -u postgres -d ' ' || true)"
  # shellcheck disable=SC2086
  for p in $pids; do cat /proc/$p/stat 2>/dev/null; done | sed 's/^.*) //' | awk '{s+=$12+$13+$14+$15} END{print s+0}'
}
HZ=$(getconf CLK_TCK)
printf "case\trun\trows\twall_s\tcores_busy\tclient_cpu_s\tservers_cpu_s\tother_cores\tpeak_rss_kb\txmx\tnote\n" > "$RAW"

# measure CASE RUN CMD  -> one line in $RAW; the command runs under /usr/bin/time (wall, CPU, peak RSS)
measure() {
  local case=$1 run=$2 cmd=$3 t0 i0 w0 t1 i1 w1 s e u sy rss xmx="" v0 v1
  v0=$(servers_cpu)
  read -r t0 i0 w0 < <(cpu_all)
  s=$(date +%s%N)
  if ! /usr/bin/time -o "$WORK/time.out" -f "%U %S %M" bash -o pipefail -c "$cmd" > "$WORK/last.log" 2>&1; then
    cat "$WORK/last.log" >&2; die "$case run $run failed: $cmd"
  fi
  e=$(date +%s%N)
  read -r t1 i1 w1 < <(cpu_all)
  v1=$(servers_cpu)
  read -r u sy rss < <(tail -1 "$WORK/time.out")
  WALL=$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f",(e-s)/1e9}')
  case $case in *tideway*) xmx=$TW_XMX ;; *) rss="" ;; esac
  local busy; busy=$(awk -v b=$(( (t1-t0)-(i1-i0)-(w1-w0) )) -v hz="$HZ" -v w="$WALL" 'BEGIN{printf "%.2f", b/hz/w}')
  local client srv other note=${NOTE:-}
  # Tideway's own account of its full step (rows copied and indexes created), without JVM start, precheck and schema,
  # and the parallelism it ran with (in the default cases the machine's default)
  case $case in *tideway*) note="full step $(grep -o 'copied in [0-9.]* s' "$WORK/last.log" | head -1 | grep -o '[0-9.]*'), parallelism $(grep -o 'parallelism [0-9]*' "$WORK/last.log" | head -1 | grep -o '[0-9]*')" ;; esac
  client=$(awk -v u="$u" -v s="$sy" 'BEGIN{printf "%.2f", u+s}')
  srv=$(awk -v a="$v0" -v b="$v1" -v hz="$HZ" 'BEGIN{printf "%.2f", (b-a)/hz}')
  # CPU taken by processes that are neither our servers nor the timed command (other users of the machine)
  other=$(awk -v b=$(( (t1-t0)-(i1-i0)-(w1-w0) )) -v hz="$HZ" -v c="$client" -v v="$srv" -v w="$WALL" \
    'BEGIN{o=(b/hz-c-v)/w; if (o<0) o=0; printf "%.2f", o}')
  printf "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$case" "$run" "$ROWS" "$WALL" "$busy" "$client" "$srv" "$other" \
    "$rss" "$xmx" "$note" >> "$RAW"
  printf "%-12s run %d  %8.3f s  %9.0f rows/s  cores %s  client CPU %s s  servers CPU %s s  others %s cores  %s\n" "$case" "$run" "$WALL" \
    "$(awk -v w="$WALL" -v n="$ROWS" 'BEGIN{print n/w}')" "$busy" "$client" "$srv" "$other" "${rss:+peak RSS ${rss} kB}"
}
check_my() { local n; n=$(my -N -e "SELECT COUNT(*) FROM $1"); [ "$n" = "$ROWS" ] || die "row count of MariaDB $1 is $n, expected $ROWS"; }
check_pg() { local n; n=$(psql -XtA -d "$1" -c "SELECT COUNT(*) FROM $2"); [ "$n" = "$ROWS" ] || die "row count of PostgreSQL $1.$2 is $n, expected $ROWS"; }
check_index_my() { my -N -e "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema='db2' AND table_name='sbtest1' AND index_name='k_1'" | grep -qv '^0$' || die "db2.sbtest1 has no index k_1"; }
check_index_pg() { [ "$(psql -XtA -d "$1" -c "SELECT COUNT(*) FROM pg_indexes WHERE tablename='sbtest1' AND indexdef LIKE '%(k)%'")" -ge 1 ] || die "PostgreSQL $1 sbtest1 has no index on k"; }

tideway() { # the timed Tideway command: a fresh data dir each time
  echo "rm -rf $WORK/data && TIDEWAY_JAVA_OPTS='-Xmx$TW_XMX $TW_JAVA_OPTS' $REPO/tideway --data-dir $WORK/data run $1"
}

MP_DDL="CREATE TABLE sbtest1 ($COLS, PRIMARY KEY (id))"
echo "== $ROWS rows, REPS=$REPS, Tideway tuned: parallelism $TW_PARALLELISM, chunk-size $TW_CHUNK; default: no full: settings; -Xmx$TW_XMX; raw: $RAW"
for r in $(seq "$REPS"); do
  for c in $CASES; do
    case $c in
      mm-native)
        my -e "DROP DATABASE IF EXISTS db2; CREATE DATABASE db2"; quiesce
        measure $c "$r" "mariadb-dump --single-transaction --quick db sbtest1 | mariadb db2"
        check_my db2.sbtest1; check_index_my ;;
      mm-tideway|mm-tideway-default)
        my -e "DROP DATABASE IF EXISTS db2; CREATE DATABASE db2"; quiesce
        measure $c "$r" "$(tideway "$WORK/${c%%-tideway*}${c##*-tideway}.yaml")"
        check_my db2.sbtest1; check_index_my; cp "$WORK/last.log" "$OUT/last-$c.log" ;;
      mp-native)
        runuser -u postgres -- psql -qX -c "DROP DATABASE IF EXISTS db2" -c "CREATE DATABASE db2 OWNER root"
        pg -d db2 -c "$MP_DDL"; quiesce
        measure $c "$r" "mariadb --batch --quick --skip-column-names db -e 'SELECT id,k,c,pad FROM sbtest1' | psql -qX -v ON_ERROR_STOP=1 -d db2 -c 'COPY sbtest1 FROM STDIN' && psql -qX -v ON_ERROR_STOP=1 -d db2 -c 'CREATE INDEX k_1 ON sbtest1 (k)'"
        check_pg db2 sbtest1; check_index_pg db2 ;;
      mp-tideway|mp-tideway-default)
        runuser -u postgres -- psql -qX -c "DROP DATABASE IF EXISTS tw" -c "CREATE DATABASE tw OWNER root"; quiesce
        measure $c "$r" "$(tideway "$WORK/${c%%-tideway*}${c##*-tideway}.yaml")"
        check_pg tw db.sbtest1; check_index_pg tw; cp "$WORK/last.log" "$OUT/last-$c.log" ;;
      *) die "unknown case $c" ;;
    esac
  done
done

# ------------------------------------------------------------------ 4./5. summary and the document
ENVF=$OUT/env.txt
{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "nproc=$(nproc)"
  echo "mem=$(free -g | awk '/^Mem:/{print $2" GiB"}')"
  echo "kernel=$(uname -r)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "os=$(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "java=$(java -version 2>&1 | head -1)"
  echo "mariadb=$(my -N -e 'SELECT VERSION()')"
  echo "postgresql=$(psql -XtA -d db -c 'SHOW server_version')"
  echo "mariadb_config=$(my -N -e "SELECT CONCAT_WS(', ', CONCAT('innodb_buffer_pool_size=', @@innodb_buffer_pool_size DIV 1048576, 'M'), CONCAT('innodb_log_file_size=', @@innodb_log_file_size DIV 1048576, 'M'), CONCAT('innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit), CONCAT('log_bin=', @@log_bin), CONCAT('binlog_format=', @@binlog_format), CONCAT('sync_binlog=', @@sync_binlog), CONCAT('local_infile=', @@local_infile))")"
  echo "postgresql_config=$(psql -XtA -d db -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers','max_wal_size','wal_level','synchronous_commit','full_page_writes','maintenance_work_mem')")"
  echo "tideway=tuned cases parallelism $TW_PARALLELISM, chunk-size $TW_CHUNK; default cases no full: settings; -Xmx$TW_XMX $TW_JAVA_OPTS"
  echo "columns=$([ "$NULLABLE" = 1 ] && echo "k, c, pad nullable" || echo "k, c, pad NOT NULL (sysbench's layout)")"
  echo "quiesce=$QUIESCE"
  echo "reps=$REPS"
  echo "rows=$ROWS"
} > "$ENVF"
cp "$RAW" "$OUT/latest.tsv"; cp "$ENVF" "${RAW%.tsv}.env"
doc=""
if [ "${DOC:-1}" = 1 ] && [ "$ROWS" = "$FULL_ROWS" ]; then doc=$REPO/docs/BENCHMARKS.md; fi
python3 "$HERE/summarize.py" "$RAW" "$ENVF" ${doc:+"$doc"}
