# Shared by the benchmark scripts (sourced).
# innodb_settle CLIENT...: for each MariaDB client command given (e.g. a function wrapping `mariadb`), flush dirty pages
# and let purge catch up (up to 180 s): a timed run then starts from a quiet server.
innodb_settle() {
  local m d h i
  for m in "$@"; do
    $m -e "SET GLOBAL innodb_max_dirty_pages_pct=0"
    for i in $(seq 180); do
      read -r d h < <($m -N -e "SELECT (SELECT variable_value FROM information_schema.global_status WHERE variable_name='INNODB_BUFFER_POOL_PAGES_DIRTY'),(SELECT variable_value FROM information_schema.global_status WHERE variable_name='INNODB_HISTORY_LIST_LENGTH')")
      [ "$d" -lt 50 ] && [ "$h" -lt 1000 ] && break
      sleep 1
    done
    $m -e "SET GLOBAL innodb_max_dirty_pages_pct=90"
  done
}
