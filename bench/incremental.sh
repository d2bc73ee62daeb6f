#!/bin/bash
# Incremental-sync benchmark: Tideway's catch-up and its lag under load, on one machine.
#
#   bench/incremental.sh                     # REPS=1, both pairs; writes bench/results/incremental-* and docs/BENCHMARKS.md
#   PAIRS=mm UPDATES=50000 LAG_SECONDS=20 DOC=0 bench/incremental.sh   # a quick trial
#
# Per pair (mm: MariaDB db -> MariaDB db2, mp: MariaDB db -> PostgreSQL database tw) and rep:
# The MariaDB -> MariaDB destination (db2 and the reference copies db3, db4) is a second mariadbd on port 3307
# (bench/dest-mariadb.sh, same binaries and settings), as source and destination are separate servers in use.
#
#   1. tideway run --until synced, steps [schema, full, incremental], fresh data dir and destination (the full copy)
#   2. copies of the destination table for the references (MariaDB: db3.sbtest1, db4.sbtest1;
#      PostgreSQL: tw ref_a.sbtest1, ref_b.sbtest1), made outside any timing
#   3. UPDATES single-row updates by primary key on the source (autocommit, WRITERS mariadb clients), Tideway stopped
#   4. timed: tideway run --until synced again (the catch-up); destination compared with the source (md5 of id,k,c)
#   5. lag under load: tideway run in the background, IncrementalLagProbe.java writes LAG_RATE updates/s for
#      LAG_SECONDS and measures source-write to destination-visible time on a probe row; tideway status sampled
#      every STATUS_EVERY s; then SIGTERM; peak RSS from /usr/bin/time; destination compared with the source.
#   6. timed reference (a): the same statements through the mariadb (mp: psql) client into copy 1, COMMIT every 1,000
#   7. timed reference (b): the final rows of the updated ids (exported after step 4) as multi-row upserts of
#      1,000 rows into copy 2
#
# Needs root (socket auth), the servers of ../shared/bench/limits (started if down), the source table
# db.sbtest1 of bench/full-migration.sh (ROWS rows), a JDK 17+, gawk, python3.
# Settings: REPS (1), PAIRS ("mm mp"), UPDATES (500000), WRITERS (8), LAG_RATE (5000), LAG_SECONDS (120),
#   LAG_WARMUP (30: seconds at LAG_RATE before the LAG_SECONDS measured, reported apart), LAG_THREADS (8), LAG_TXN (5 updates per source transaction: one commit per update tops out near 4,000/s here), STATUS_EVERY (5), TW_PARALLELISM (2: the full copy's), TW_LANES (4: incremental.parallelism, the default), TW_XMX (512m), TW_JAVA_OPTS (added after the launcher's own JVM flags for an incremental run), TW_JAVA_HOME (JAVA_HOME, else the newest JDK in /usr/lib/jvm), CATCHUP_ONLY=1 (steps 1-4 only), CATCHUP_REPEATS (1: with N > 1 the catch-up of step 4 is timed N times, the
#   destination server's and Tideway's data directories saved before the first and restored, untimed, before each
#   other, so the table reports the median of N catch-ups of the same backlog), REF_B_REPEATS (CATCHUP_REPEATS: reference (b)
#   timed that many times, each on a fresh copy of the pre-update table made untimed from a pristine one, the median
#   compared with Tideway's; KEEP_SAVED=1 leaves the saved copies in
#   $WORK/saved-before-catchup for replays), JFR=1 (record the
#   catch-up and the lag run with JFR into /var/tmp/bench/tideway-incr/), ONLY_REFS=1 (only steps 6 and 7, on the
#   copies and files an interrupted earlier run left in /var/tmp/bench/tideway-incr/), DOC=0 (leave docs/BENCHMARKS.md alone).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
HERE=$REPO/bench
LIMITS=${LIMITS:-$REPO/../shared/bench/limits}
REPS=${REPS:-1}
PAIRS=${PAIRS:-"mm mp"}
ROWS=${ROWS:-2000000}
UPDATES=${UPDATES:-500000}
CATCHUP_REPEATS=${CATCHUP_REPEATS:-1}
REF_B_REPEATS=${REF_B_REPEATS:-$CATCHUP_REPEATS}
WRITERS=${WRITERS:-8}
LAG_RATE=${LAG_RATE:-5000}
LAG_SECONDS=${LAG_SECONDS:-120}
LAG_WARMUP=${LAG_WARMUP:-30}
LAG_THREADS=${LAG_THREADS:-8}
LAG_TXN=${LAG_TXN:-5}
STATUS_EVERY=${STATUS_EVERY:-5}
TW_PARALLELISM=${TW_PARALLELISM:-2}
TW_LANES=${TW_LANES:-4}
TW_CHUNK=${TW_CHUNK:-50000}
TW_XMX=${TW_XMX:-512m}
TW_JAR=${TW_JAR:-$REPO/tideway-cli/target/tideway.jar}
TW_JAVA_OPTS=${TW_JAVA_OPTS:-}
# the JDK Tideway runs on (the launcher honours JAVA_HOME): JAVA_HOME if set, else the newest JDK under
# /usr/lib/jvm (JDK 25 caught up ~10% faster than JDK 17 in trials: docs/BENCHMARKS.md)
jdk_version() { sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$1/release" 2>/dev/null | head -1; }
newest_jdk() { for d in /usr/lib/jvm/*/; do v=$(jdk_version "$d"); [ -n "$v" ] && [ -x "$d/bin/java" ] && echo "$v ${d%/}"; done | sort -V | tail -1 | cut -d' ' -f2; }
TW_JAVA_HOME=${TW_JAVA_HOME:-${JAVA_HOME:-$(newest_jdk)}}
[ -n "$TW_JAVA_HOME" ] && export JAVA_HOME="$TW_JAVA_HOME"
TW_JDK=$(jdk_version "${TW_JAVA_HOME:-/nonexistent}"); TW_JDK=${TW_JDK:-$(java -version 2>&1 | head -1)}
OUT=${OUT:-$HERE/results}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$OUT/incremental-raw-$STAMP.tsv
WORK=/var/tmp/bench/tideway-incr
die() { echo "incremental: $*" >&2; exit 1; }
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || die "run as root (socket auth as root)"
if ! mariadb -e 'select 1' >/dev/null 2>&1 || ! psql -qXtA -d db -c 'select 1' >/dev/null 2>&1; then
  "$LIMITS/servers.sh" start >/dev/null
fi
mariadb -e "SET GLOBAL local_infile = ON"
"$HERE/dest-mariadb.sh" start
DSOCK=/run/mysqld/mysqld-dest.sock
for c in gawk python3 java md5sum; do command -v $c >/dev/null || die "$c is needed"; done
[ -x /usr/bin/time ] || die "/usr/bin/time is needed"
mkdir -p "$OUT" "$WORK"
my() { mariadb "$@"; }
myd() { mariadb -S "$DSOCK" "$@"; }   # the MariaDB -> MariaDB destination server
pg() { psql -qX -v ON_ERROR_STOP=1 "$@"; }
[ "$(my -N db -e "SELECT COUNT(*) FROM sbtest1")" = "$ROWS" ] || die "db.sbtest1 must hold $ROWS rows: run bench/full-migration.sh once (it loads it)"
[ "$(my -N -e "SELECT @@binlog_format")" = ROW ] || die "the source needs binlog_format=ROW"
"$REPO/tideway" --version >/dev/null || die "./tideway could not build or start Tideway"
# only the two JDBC drivers (with slf4j and a logging backend on the class path the drivers log every statement)
LIBCP="$(ls "$(dirname "$TW_JAR")"/lib/mariadb-java-client-*.jar | head -1):$(ls "$(dirname "$TW_JAR")"/lib/postgresql-*.jar | head -1)"
my -e "CREATE USER IF NOT EXISTS 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1'"
for p in mm mp; do
  if [ $p = mm ]; then dest="{ type: mariadb, host: 127.0.0.1, port: 3307, user: bench, password: bench, database: db2 }"
  else dest="{ type: postgresql, host: 127.0.0.1, port: 5432, user: root, password: bench, database: tw }"; fi
  cat > "$WORK/$p.yaml" <<EOF
name: bench-incr-$p
source:      { type: mariadb, host: 127.0.0.1, port: 3306, user: bench, password: bench, database: db }
destination: $dest
tables:      { include: ["db.sbtest1"] }
steps:       [schema, full, incremental]
full:        { parallelism: $TW_PARALLELISM, chunk-size: $TW_CHUNK }
incremental: { parallelism: $TW_LANES }
EOF
done

# ------------------------------------------------------------------ the statements (fixed seed)
# Ids 2..ROWS (id 1 is the lag probe's row). Stream i gets the ids with id % WRITERS == i, so every id's
# updates stay in order in one stream and the final state does not depend on how the streams interleave.
gen_updates() {
  rm -f "$WORK"/upd.*
  gawk -v N="$UPDATES" -v R="$ROWS" -v W="$WRITERS" -v D="$WORK" '
    function g(n,  s,j){s=sprintf("%05d%06d",int(rand()*100000),int(rand()*1000000));
      for(j=1;j<n;j++) s=s "-" sprintf("%05d%06d",int(rand()*100000),int(rand()*1000000)); return s}
    BEGIN{srand(20241125); for(i=1;i<=N;i++){ id=2+int(rand()*(R-1));
      st=sprintf("UPDATE sbtest1 SET k = k + 1, c = %c%s%c WHERE id = %d;", 39, g(10), 39, id)
      print st > (D "/upd.all.sql"); print st > (D "/upd." (id % W) ".sql"); if(!(id in seen)){seen[id]=1; d++; print id > (D "/upd.ids")} }
      print d > (D "/upd.distinct") }'
  # reference (a): the same statements, in the same order, COMMIT every 1,000
  gawk 'BEGIN{print "SET autocommit=0;"} {print} NR%1000==0{print "COMMIT;"} END{print "COMMIT;"}' "$WORK/upd.all.sql" > "$WORK/upd.txn-my.sql"
  gawk 'BEGIN{print "BEGIN;"} {print} NR%1000==0{print "COMMIT;"; print "BEGIN;"} END{print "COMMIT;"}' "$WORK/upd.all.sql" > "$WORK/upd.txn-pg.sql"
}
gen_updates
DISTINCT=$(cat "$WORK/upd.distinct")
my -e "CREATE DATABASE IF NOT EXISTS benchaux; DROP TABLE IF EXISTS benchaux.ids; CREATE TABLE benchaux.ids (id INT PRIMARY KEY)"
my --local-infile=1 benchaux -e "LOAD DATA LOCAL INFILE '$WORK/upd.ids' INTO TABLE ids"
echo "== $UPDATES updates on $DISTINCT distinct ids, $WRITERS source writers; REPS=$REPS; Tideway on JDK $TW_JDK, copy parallelism $TW_PARALLELISM, apply lanes $TW_LANES, the launcher's flags + -Xmx$TW_XMX $TW_JAVA_OPTS; raw: $RAW"

# ------------------------------------------------------------------ helpers
# quiesce without purging the binary logs: the capture of a stopped Tideway still has to read them
quiesce() {
  sync
  innodb_settle my myd
  # every PostgreSQL destination table (Tideway's and the references' copies) vacuumed and analyzed before
  # each timed step, so that each starts from the same state and no autovacuum (due after a full copy or a
  # catch-up) overlaps one
  pg -d tw -c "VACUUM ANALYZE" 2>/dev/null || true
  local i
  for i in $(seq 300); do
    [ "$(pg -d postgres -Atc "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] && break
    sleep 1
  done
  pg -d db -c CHECKPOINT
  sync; sleep 2
}
# other users of the machine during a run, in cores (total busy CPU minus our servers and the timed command)
cpu_all() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print t-$5-$6}' /proc/stat; }
servers_cpu() {
  local pids; pids="$(cat /run/mysqld/mysqld.pid 2>/dev/null) $("$HERE/dest-mariadb.sh" pid) $(pgrep -u postgres -d ' ' || true)"
  # shellcheck disable=SC2086
  for p in $pids; do cat /proc/$p/stat 2>/dev/null; done | sed 's/^.*) //' | awk '{s+=$12+$13+$14+$15} END{print s+0}'
}
HZ=$(getconf CLK_TCK)
stamp_lines() { while IFS= read -r l; do printf '%s %s\n' "$(date +%s.%N)" "$l"; done; }; export -f stamp_lines
# A ticker writes one row a second to benchaux.tick, a table outside the project, for the whole run, as
# other applications do on a real source: the capture must read and skip those changes and still know it
# is caught up (it was the workaround for an idle-source defect; it exposed the next one, since fixed).
my -e "CREATE TABLE IF NOT EXISTS benchaux.tick (id INT PRIMARY KEY, t DATETIME(3))"
( while kill -0 $$ 2>/dev/null; do mariadb -e "REPLACE INTO benchaux.tick VALUES (1, NOW(3))"; sleep 1; done ) >/dev/null 2>&1 &
TICKER=$!
trap 'kill $TICKER 2>/dev/null || true' EXIT
printf "pair\tcase\trun\tchanges\tdistinct\twall_s\tclient_cpu_s\tservers_cpu_s\tother_cores\tpeak_rss_kb\tnote\n" > "$RAW"
# timed CASE RUN CMD [NOTE]: runs CMD under /usr/bin/time, appends one line to $RAW, sets WALL
timed() {
  local pair=$1 case=$2 run=$3 cmd=$4 note=${5:-} b0 b1 v0 v1 s e u sy rss
  v0=$(servers_cpu); b0=$(cpu_all); s=$(date +%s%N)
  if ! /usr/bin/time -o "$WORK/time.out" -f "%U %S %M" bash -o pipefail -c "$cmd" > "$WORK/last.log" 2>&1; then
    tail -30 "$WORK/last.log" >&2; die "$pair $case run $run failed: $cmd"
  fi
  e=$(date +%s%N); b1=$(cpu_all); v1=$(servers_cpu)
  read -r u sy rss < <(tail -1 "$WORK/time.out")
  WALL=$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f",(e-s)/1e9}')
  local client srv other
  client=$(awk -v u="$u" -v s="$sy" 'BEGIN{printf "%.2f", u+s}')
  srv=$(awk -v a="$v0" -v b="$v1" -v hz="$HZ" 'BEGIN{printf "%.2f", (b-a)/hz}')
  other=$(awk -v b=$((b1-b0)) -v hz="$HZ" -v c="$client" -v v="$srv" -v w="$WALL" 'BEGIN{o=(b/hz-c-v)/w; if (o<0) o=0; printf "%.2f", o}')
  case $case in tideway*) ;; *) rss="" ;; esac
  printf "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n" "$pair" "$case" "$run" "$UPDATES" "$DISTINCT" "$WALL" "$client" "$srv" "$other" "$rss" "$note" >> "$RAW"
  printf "%-3s %-18s run %d  %8.3f s  %8.0f changes/s  client CPU %s s  servers CPU %s s  others %s cores %s %s\n" "$pair" "$case" "$run" "$WALL" \
    "$(awk -v w="$WALL" -v n="$UPDATES" 'BEGIN{print n/w}')" "$client" "$srv" "$other" "${rss:+peak RSS ${rss} kB}" "$note"
}
# Tideway runs through ./tideway, as a user starts it (its class-data archive and its JVM flags for an
# incremental run included); the benchmark's own flags (heap, JFR when asked for the timed runs)
# go after the launcher's own flags for an incremental run (TIDEWAY_EXTRA_JAVA_OPTS; a later flag wins)
unset TIDEWAY_JAVA_OPTS
twopts() { export TIDEWAY_EXTRA_JAVA_OPTS="-Xmx$TW_XMX $TW_JAVA_OPTS ${1:-}"; }
tw() { echo "$REPO/tideway --data-dir $WORK/data-$2 ${3:-run} $WORK/$2.yaml"; }   # call twopts first
dst_md5() {
  if [ "$1" = mm ]; then myd -N --batch db2 -e 'SELECT id,k,c FROM sbtest1 ORDER BY id' | md5sum | cut -c1-32
  else psql -XtA -F $'\t' -d tw -c 'SELECT id,k,c::text FROM db.sbtest1 ORDER BY id' | md5sum | cut -c1-32; fi
}
src_md5() { my -N --batch db -e 'SELECT id,k,c FROM sbtest1 ORDER BY id' | md5sum | cut -c1-32; }
check_equal() { local a b; a=$(src_md5); b=$(dst_md5 "$1"); [ "$a" = "$b" ] || die "$1: destination differs from the source after $2 (md5 $b, source $a)"; echo "    $1: destination equals the source after $2 (md5 of id,k,c over $ROWS rows)"; }
# a reference's rows of the updated ids against the source's rows right after the catch-up (final.tsv)
ref_check() { [ "$1" = "$(md5sum < "$WORK/final.tsv")" ] && echo "    reference $2 reached the source's state of the updated rows" || die "reference $2 did not reach the source's state of the updated rows"; }
# the destination server's data directory and Tideway's, saved before a catch-up and restored before each repeat
PGVER=$(ls /etc/postgresql | head -1)
SAVED=$WORK/saved-before-catchup
dest_dir() { if [ "$1" = mm ]; then echo "${DEST_DATA:-/var/tmp/bench/mariadb-dest}"; else echo "/var/lib/postgresql/$PGVER/main"; fi; }
dest_ctl() { if [ "$1" = mm ]; then "$HERE/dest-mariadb.sh" "$2"; else pg_ctlcluster --skip-systemctl-redirect "$PGVER" main "$2"; fi; }
# save_state PAIR: copy both directories to $SAVED; restore_state PAIR: put the copies back
save_state() { dest_ctl "$1" stop; rm -rf "$SAVED"; mkdir -p "$SAVED"; cp -a "$(dest_dir "$1")" "$SAVED/server"; cp -a "$WORK/data-$1" "$SAVED/tideway"; dest_ctl "$1" start; }
restore_state() {
  dest_ctl "$1" stop; rm -rf "$(dest_dir "$1")" "$WORK/data-$1"
  cp -a "$SAVED/server" "$(dest_dir "$1")"; cp -a "$SAVED/tideway" "$WORK/data-$1"; dest_ctl "$1" start
}
# ref_copy PAIR FROM TO: a fresh copy of the destination table sbtest1 for a reference, made untimed (MariaDB:
# database FROM to database TO, not binary-logged; PostgreSQL: schema FROM to schema TO of database tw)
ref_copy() {
  if [ "$1" = mm ]; then
    myd -e "SET sql_log_bin=0; DROP DATABASE IF EXISTS $3; CREATE DATABASE $3; CREATE TABLE $3.sbtest1 LIKE $2.sbtest1; INSERT INTO $3.sbtest1 SELECT * FROM $2.sbtest1"
  else
    pg -d tw -c "DROP SCHEMA IF EXISTS $3 CASCADE" -c "CREATE SCHEMA $3" -c "CREATE TABLE $3.sbtest1 (LIKE $2.sbtest1 INCLUDING ALL)" \
      -c "INSERT INTO $3.sbtest1 SELECT * FROM $2.sbtest1" -c "VACUUM ANALYZE $3.sbtest1"
  fi
}
# incremental step's own time from the timestamped console output: "== incremental" to "incremental done"
incr_time() { awk '/== incremental/{s=$1} / incremental done/{e=$1} END{if (s && e) printf "%.2f", e-s}' "$1"; }

for r in $(seq "$REPS"); do
  for p in $PAIRS; do
    echo "== $p, run $r"
    if [ "${ONLY_REFS:-0}" != 1 ]; then
    # 1. the full copy, not timed here (see bench/full-migration.sh)
    rm -rf "$WORK/data-$p"
    if [ $p = mm ]; then myd -e "DROP DATABASE IF EXISTS db2; CREATE DATABASE db2"
    else runuser -u postgres -- psql -qX -c "DROP DATABASE IF EXISTS tw" -c "CREATE DATABASE tw OWNER root"; fi
    quiesce
    twopts ""
    timed $p initial-full "$r" "$(tw "" $p) --until synced | stamp_lines" "schema+full+incremental until synced"
    cp "$WORK/last.log" "$OUT/incremental-last-$p-initial.log"
    # 2. copies for the references, in the state the updates start from
    if [ $p = mm ]; then
      for d in db3 db4 $([ "$REF_B_REPEATS" -gt 1 ] && echo db5); do ref_copy mm db2 $d; done
    else
      for d in ref_a ref_b $([ "$REF_B_REPEATS" -gt 1 ] && echo ref_bp); do ref_copy mp db $d; done
    fi
    # 3. the updates on the source while Tideway is stopped
    quiesce
    cmd=""; for i in $(seq 0 $((WRITERS-1))); do cmd="$cmd mariadb db < $WORK/upd.$i.sql &"; done
    timed $p source-writes "$r" "$cmd wait" "$WRITERS autocommit clients on the source"
    SRC_WRITE_WALL=$WALL
    # 4. the catch-up (CATCHUP_REPEATS times, from the same saved state)
    [ "$CATCHUP_REPEATS" -gt 1 ] && { quiesce; save_state $p; }
    for k in $(seq "$CATCHUP_REPEATS"); do
    [ "$k" -gt 1 ] && restore_state $p
    quiesce
    jfr=""; [ "${JFR:-0}" = 1 ] && jfr="-XX:StartFlightRecording=filename=$WORK/incremental-$p-catchup.jfr,settings=profile"
    twopts "$jfr"
    timed $p tideway-catchup "$r" "$(tw "$jfr" $p) --until synced | stamp_lines" "catch-up"
    cp "$WORK/last.log" "$OUT/incremental-last-$p-catchup.log"
    it=$(incr_time "$OUT/incremental-last-$p-catchup.log")
    sed -i "\$s/catch-up\$/catch-up $k of $CATCHUP_REPEATS; incremental step ${it:-?} s/" "$RAW"
    echo "    incremental step alone: ${it:-?} s"
    check_equal $p "the catch-up"
    done
    [ "${KEEP_SAVED:-0}" = 1 ] || rm -rf "$SAVED"
    # final rows of the updated ids, for reference (b)
    my -N --batch db -e "SELECT s.id,s.k,s.c,s.pad FROM sbtest1 s JOIN benchaux.ids USING (id) ORDER BY s.id" > "$WORK/final.tsv"
    gawk -F'\t' -v pg=$([ $p = mp ] && echo 1 || echo 0) '
      function flush(){ if (n==0) return; if (pg) print "INSERT INTO sbtest1 (id,k,c,pad) VALUES " v " ON CONFLICT (id) DO UPDATE SET k = EXCLUDED.k, c = EXCLUDED.c, pad = EXCLUDED.pad;";
        else print "INSERT INTO sbtest1 (id,k,c,pad) VALUES " v " ON DUPLICATE KEY UPDATE k = VALUES(k), c = VALUES(c), pad = VALUES(pad);"; n=0; v="" }
      { v = v (n ? "," : "") sprintf("(%d,%d,%c%s%c,%c%s%c)", $1, $2, 39, $3, 39, 39, $4, 39); if (++n == 1000) flush() } END{flush()}' "$WORK/final.tsv" > "$WORK/upsert.sql"
    # 5. lag under load
    if [ "${CATCHUP_ONLY:-0}" = 1 ]; then continue; fi
    quiesce
    jfr=""; [ "${JFR:-0}" = 1 ] && jfr="-XX:StartFlightRecording=filename=$WORK/incremental-$p-lag.jfr,settings=profile"
    log=$OUT/incremental-last-$p-lag.log
    # shellcheck disable=SC2046
    twopts "$jfr"
    ( /usr/bin/time -o "$WORK/time-lag.out" -f "%U %S %M" $(tw "$jfr" $p) 2>&1 | stamp_lines > "$log" ) &
    twjob=$!
    for i in $(seq 120); do grep -q "incremental MONITORING" "$log" 2>/dev/null && break; sleep 1; done
    grep -q "incremental MONITORING" "$log" || { sleep 5; }
    twpid=$(pgrep -f -n "data-dir $WORK/data-$p run" || true)
    [ -n "$twpid" ] || die "tideway run for the lag test did not start (see $log)"
    if [ $p = mm ]; then dsturl="jdbc:mariadb://127.0.0.1:3307/db2?user=bench&password=bench"; dtable=sbtest1
    else dsturl="jdbc:postgresql://127.0.0.1:5432/tw?user=root&password=bench"; dtable=db.sbtest1; fi
    statusf=$OUT/incremental-last-$p-status.txt; : > "$statusf"
    ( while kill -0 "$twpid" 2>/dev/null; do
        printf '%s ' "$(date +%s.%N)" >> "$statusf"
        TIDEWAY_JAVA_OPTS="-Xmx128m" TIDEWAY_EXTRA_JAVA_OPTS="" "$REPO/tideway" --data-dir "$WORK/data-$p" status "$WORK/$p.yaml" 2>&1 | grep -o '"lagMillis":[-0-9]*' | head -1 >> "$statusf" || echo >> "$statusf"
        sleep "$STATUS_EVERY"; done ) &
    statpid=$!
    v0=$(servers_cpu); b0=$(cpu_all); t0=$(date +%s%N); u0=$(awk '{print $14+$15}' /proc/$twpid/stat)
    probe=$(java -Xmx256m -cp "$LIBCP" "$HERE/IncrementalLagProbe.java" "jdbc:mariadb://127.0.0.1:3306/db?user=bench&password=bench" \
      "$dsturl" "$dtable" "$LAG_RATE" "$LAG_SECONDS" "$LAG_THREADS" "$ROWS" "$OUT/incremental-last-$p" "$LAG_TXN" "$LAG_WARMUP") || die "lag probe failed"
    t1=$(date +%s%N); b1=$(cpu_all); v1=$(servers_cpu); u1=$(awk '{print $14+$15}' /proc/$twpid/stat)
    echo "    $probe"
    # let Tideway apply everything written before it is stopped (a last probe value, up to 10 minutes)
    mark="end:$(date +%s%N)"; my db -e "UPDATE sbtest1 SET c = '$mark' WHERE id = 1"
    for i in $(seq 600); do
      if [ $p = mm ]; then v=$(myd -N db2 -e "SELECT c FROM sbtest1 WHERE id = 1"); else v=$(psql -XtA -d tw -c "SELECT c::text FROM db.sbtest1 WHERE id = 1"); fi
      [ "$v" = "$mark" ] && break; sleep 1
    done
    echo "    all changes of the lag run applied $i s after the writers stopped"
    kill -TERM "$twpid"; wait "$statpid" 2>/dev/null || true
    for i in $(seq 60); do kill -0 "$twpid" 2>/dev/null || break; sleep 1; done
    wait "$twjob" || true
    read -r u sy rss < <(tail -1 "$WORK/time-lag.out")
    lagwall=$(awk -v s="$t0" -v e="$t1" 'BEGIN{printf "%.3f",(e-s)/1e9}')
    twcpu=$(awk -v a="$u0" -v b="$u1" -v hz="$HZ" 'BEGIN{printf "%.2f", (b-a)/hz}')
    srv=$(awk -v a="$v0" -v b="$v1" -v hz="$HZ" 'BEGIN{printf "%.2f", (b-a)/hz}')
    busy=$(awk -v b=$((b1-b0)) -v hz="$HZ" -v w="$lagwall" 'BEGIN{printf "%.2f", b/hz/w}')
    st=$(awk -F: 'NF>1{print $2}' "$statusf" | sort -n | awk '{a[NR]=$1} END{if (NR) printf "status lagMillis n=%d p50=%d max=%d", NR, a[int((NR+1)/2)], a[NR]}')
    printf "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n" "$p" "tideway-lag" "$r" "0" "0" "$lagwall" "$twcpu" "$srv" "$busy" "$rss" \
      "$probe $st" >> "$RAW"
    echo "    lag run: $lagwall s, Tideway CPU $twcpu s, servers CPU $srv s, machine busy $busy cores, peak RSS $rss kB; $st"
    check_equal $p "the lag run"
    fi
    # 6./7. the references (binary-logged like Tideway's own writes to db2; after the lag run so that its capture does not read them)
    if [ $p = mm ]; then
      quiesce; timed $p ref-a-client-txn1000 "$r" "mariadb -S $DSOCK db3 < $WORK/upd.txn-my.sql" "mariadb client, COMMIT every 1,000, one connection"
      for k in $(seq "$REF_B_REPEATS"); do
        [ "$k" -gt 1 ] && ref_copy mm db5 db4
        quiesce; timed $p ref-b-upsert1000 "$r" "mariadb -S $DSOCK db4 < $WORK/upsert.sql" "INSERT ... ON DUPLICATE KEY UPDATE, 1,000 rows each, one connection"
      done
      myd -e "CREATE DATABASE IF NOT EXISTS benchaux; DROP TABLE IF EXISTS benchaux.ids; CREATE TABLE benchaux.ids (id INT PRIMARY KEY)"
      myd --local-infile=1 benchaux -e "LOAD DATA LOCAL INFILE '$WORK/upd.ids' INTO TABLE ids"
      ref_check "$(myd -N --batch -e "SELECT s.id,s.k,s.c,s.pad FROM db3.sbtest1 s JOIN benchaux.ids USING (id) ORDER BY s.id" | md5sum)" "(a)"
      ref_check "$(myd -N --batch -e "SELECT s.id,s.k,s.c,s.pad FROM db4.sbtest1 s JOIN benchaux.ids USING (id) ORDER BY s.id" | md5sum)" "(b)"
    else
      quiesce; timed $p ref-a-client-txn1000 "$r" "PGOPTIONS='-c search_path=ref_a' psql -qX -v ON_ERROR_STOP=1 -d tw -f $WORK/upd.txn-pg.sql" "psql, COMMIT every 1,000, one connection"
      for k in $(seq "$REF_B_REPEATS"); do
        [ "$k" -gt 1 ] && ref_copy mp ref_bp ref_b
        quiesce; timed $p ref-b-upsert1000 "$r" "PGOPTIONS='-c search_path=ref_b' psql -qX -v ON_ERROR_STOP=1 -d tw -f $WORK/upsert.sql" "INSERT ... ON CONFLICT DO UPDATE, 1,000 rows each, one connection"
      done
      for s in ref_a ref_b; do
        ref_check "$(psql -qXtA -F $'\t' -d tw -c "CREATE TEMP TABLE ids (id int PRIMARY KEY)" -c "\copy ids FROM '$WORK/upd.ids'" -c "SELECT s.id,s.k,s.c::text,s.pad::text FROM $s.sbtest1 s JOIN ids USING (id) ORDER BY s.id" | md5sum)" "$s"
      done
    fi
  done
done

ENVF=$OUT/incremental-env.txt
{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "nproc=$(nproc)"
  echo "mem=$(free -g | awk '/^Mem:/{print $2" GiB"}')"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "os=$(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "java=$("${TW_JAVA_HOME:+$TW_JAVA_HOME/bin/}java" -version 2>&1 | head -1) (Tideway's; the machine's default: $(java -version 2>&1 | head -1))"
  echo "mariadb=$(my -N -e 'SELECT VERSION()')"
  echo "postgresql=$(psql -XtA -d db -c 'SHOW server_version')"
  echo "mariadb_config=$(my -N -e "SELECT CONCAT_WS(', ', CONCAT('innodb_buffer_pool_size=', @@innodb_buffer_pool_size DIV 1048576, 'M'), CONCAT('innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit), CONCAT('binlog_format=', @@binlog_format), CONCAT('sync_binlog=', @@sync_binlog))")"
  echo "postgresql_config=$(psql -XtA -d db -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers','synchronous_commit','wal_level')")"
  echo "tideway=JDK $TW_JDK ($TW_JAVA_HOME), copy parallelism $TW_PARALLELISM, apply lanes $TW_LANES, the launcher's flags for an incremental run ($(sed -n 's/^if \[ \$long_running = 1 \]; then default_opts="\(.*\)"$/\1/p' "$REPO/tideway")) + -Xmx$TW_XMX $TW_JAVA_OPTS"
  echo "reps=$REPS"
  echo "updates=$UPDATES"
  echo "distinct=$DISTINCT"
  echo "writers=$WRITERS"
  echo "mm_destination=a second mariadbd (port 3307, same binaries and settings) on the same machine"
  echo "lag=$LAG_RATE updates/s for $LAG_SECONDS s after $LAG_WARMUP s of warm-up at that rate, $LAG_THREADS writer connections, $LAG_TXN updates per transaction"
} > "$ENVF"
cp "$RAW" "$OUT/incremental-latest.tsv"
doc=""; if [ "${DOC:-1}" = 1 ] && [ "$UPDATES" = 500000 ] && [ "$ROWS" = 2000000 ]; then doc=$REPO/docs/BENCHMARKS.md; fi
python3 "$HERE/summarize-incremental.py" "$RAW" "$ENVF" ${doc:+"$doc"}
