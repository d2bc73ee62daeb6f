#!/bin/bash
# A second MariaDB server on this machine, the destination of the MariaDB -> MariaDB benchmark cases, so that
# the destination is not the source's own mariadbd (whose binary log the capture reads):
#   bench/dest-mariadb.sh start|stop|status
# Same Debian binaries and the same settings as the source of ../shared/bench/limits (binary log on, ROW,
# default 128 MB buffer pool), its own data directory, port 3307 on loopback, socket /run/mysqld/mysqld-dest.sock.
# Root logs in through the socket; the user bench/bench (all privileges) is created for Tideway.
set -euo pipefail
DATA=${DEST_DATA:-/var/tmp/bench/mariadb-dest}
PORT=${DEST_PORT:-3307}
SOCK=/run/mysqld/mysqld-dest.sock
PID=/run/mysqld/mysqld-dest.pid
up() { mariadb -S "$SOCK" -e 'select 1' >/dev/null 2>&1; }
case "${1:-status}" in
  start)
    up && exit 0
    mkdir -p /run/mysqld && chown mysql /run/mysqld
    if [ ! -d "$DATA/mysql" ]; then
      mkdir -p "$DATA" && chown mysql "$DATA"
      mariadb-install-db --no-defaults --user=mysql --datadir="$DATA" >/dev/null
    fi
    start-stop-daemon --start --oknodo --background --pidfile "$PID" --exec /usr/sbin/mariadbd -- --no-defaults \
      --user=mysql --datadir="$DATA" --port="$PORT" --bind-address=127.0.0.1 --socket="$SOCK" --pid-file="$PID" \
      --log-bin=mysql-bin --binlog-format=ROW --server-id=2 --expire-logs-days=1 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --local-infile=1
    for i in $(seq 60); do up && break; sleep 1; done
    up || { echo "the destination mariadbd did not come up (see $DATA/*.err)" >&2; exit 1; }
    mariadb -S "$SOCK" -e "CREATE USER IF NOT EXISTS 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1'"
    ;;
  stop)
    if [ -s "$PID" ]; then
      p=$(cat "$PID"); kill "$p" 2>/dev/null || true
      for i in $(seq 120); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
    fi ;;
  pid) cat "$PID" 2>/dev/null || true ;;
  status) up && echo "destination mariadbd up on port $PORT, pid $(cat "$PID")" || echo "destination mariadbd down" ;;
esac
