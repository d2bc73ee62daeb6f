#!/usr/bin/env python3
"""Summarizes bench/verify.sh's raw lines: medians, rows/s, the ratios the targets name; optionally
rewrites the verify block of docs/BENCHMARKS.md (between the verify:begin and verify:end markers)."""
import statistics
import sys
from datetime import datetime, timezone

raw, env, doc, page = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
rows = {}
n_rows = 0
for line in open(raw).read().splitlines()[1:]:
    case, run, n, wall, cpu, rss = line.split("\t")
    n_rows = int(n)
    rows.setdefault(case, []).append((float(wall), float(cpu)))

def med(case):
    return statistics.median(w for w, _ in rows[case])

def rate(case):
    return n_rows / med(case)

names = {
    "pt-table-checksum": "`pt-table-checksum` on the MariaDB source (its chunk checksums, one server)",
    "read-mariadb": "plain read of the MariaDB source: `mariadb --quick -e 'SELECT * ...' > /dev/null`",
    "read-mariadb-db2": "plain read of the MariaDB destination `db2.sbtest1`",
    "read-postgresql": "plain read of the PostgreSQL destination: `psql -c 'COPY ... TO STDOUT' > /dev/null`",
    "tideway-mm": "**Tideway** `verify`, MariaDB → MariaDB (checksums per chunk in both servers)",
    "tideway-mp": "**Tideway** `verify`, MariaDB → PostgreSQL (both sides read, canonicalized, merged)",
}
out = []
reps = max(len(v) for v in rows.values())
out.append(f"Run of {datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%MZ')}: {n_rows:,} rows, {reps} run(s) per case, "
           "interleaved; Tideway through `./tideway`, parallelism 2.")
out.append("")
out.append("| case | median s (min..max) | rows/s | client CPU s (median) |")
out.append("|---|---|---|---|")
for case in ["pt-table-checksum", "read-mariadb", "read-mariadb-db2", "read-postgresql", "tideway-mm", "tideway-mp"]:
    if case not in rows:
        continue
    ws = [w for w, _ in rows[case]]
    cpu = statistics.median(c for _, c in rows[case])
    out.append(f"| {names[case]} | {med(case):.2f} ({min(ws):.2f}..{max(ws):.2f}) | {rate(case):,.0f} | {cpu:.1f} |")
out.append("")
mm = rate("tideway-mm") / rate("pt-table-checksum")
slower = min(rate("read-mariadb"), rate("read-postgresql"))
mp = rate("tideway-mp") / slower
out.append("| target | measured | met? |")
out.append("|---|---|---|")
out.append(f"| same family: Tideway ≥ pt-table-checksum's rate | {mm:.2f}× | {'yes' if mm >= 1 else '**no**'} |")
out.append(f"| across families: Tideway ≥ 0.5× the slower side's plain read rate | {mp:.2f}× | {'yes' if mp >= 0.5 else '**no**'} |")
out.append("")
out.append(env)
block = "\n".join(out)
print(block)
if doc:
    text = open(page).read()
    begin, end = "<!-- verify:begin -->", "<!-- verify:end -->"
    if begin not in text:
        text += ("\n## Verification: Tideway against pt-table-checksum and plain reads\n\n"
                 "`bench/verify.sh` verifies the 2,000,000-row `db.sbtest1` after copying it to MariaDB `db2` and "
                 "PostgreSQL `tw` with Tideway (not timed), and times, interleaved and after quiescing the servers, "
                 "`pt-table-checksum` on the source, plain reads of each table, and `tideway verify` of both pairs.\n\n"
                 + begin + "\n" + end + "\n")
    a = text.index(begin) + len(begin)
    b = text.index(end)
    text = text[:a] + "\n" + block + "\n" + text[b:]
    open(page, "w").write(text)
    print("written to", page)
