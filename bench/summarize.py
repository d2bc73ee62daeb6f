#!/usr/bin/env python3
"""Medians, rows/s and Tideway/native ratios of a full-migration.sh run.

usage: summarize.py RAW.tsv ENV.txt [DOC.md]

Prints the summary; with DOC.md, replaces the text between the markers
<!-- results:begin --> and <!-- results:end --> in it (creating the file when missing).
"""
import csv
import os
import re
import statistics
import sys

CASES = {
    "mm-native": "MariaDB → MariaDB: `mariadb-dump \\| mariadb`",
    "mm-tideway-default": "MariaDB → MariaDB: Tideway, default settings (no `full:` in the project file)",
    "mm-tideway": "MariaDB → MariaDB: Tideway, tuned",
    "mp-native": "MariaDB → PostgreSQL: `mariadb --batch \\| psql COPY` + CREATE INDEX",
    "mp-tideway-default": "MariaDB → PostgreSQL: Tideway, default settings (no `full:` in the project file)",
    "mp-tideway": "MariaDB → PostgreSQL: Tideway, tuned",
}
TARGETS = {"mm": 1.5, "mp": 0.9}
QUIET = 0.25  # runs during which other processes used less than this many cores
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def main():
    raw, envf = sys.argv[1], sys.argv[2]
    doc = sys.argv[3] if len(sys.argv) > 3 else None
    env = dict(line.rstrip("\n").split("=", 1) for line in open(envf) if "=" in line)
    runs = {}
    for r in csv.DictReader(open(raw), delimiter="\t"):
        runs.setdefault(r["case"], []).append(r)
    med = {}
    lines = []
    lines.append(f"Run of {env.get('date_utc')}: {env.get('rows')} rows, {env.get('reps')} runs per case; "
                 f"Tideway {env.get('tideway', '').strip()}; columns {env.get('columns', 'NOT NULL')}"
                 f"{'' if env.get('quiesce', '1') == '1' else '; servers NOT quiesced before the runs'}.")
    lines.append("")
    lines.append("| case | median s (min..max) | rows/s | Tideway / native | cores busy | client CPU s | servers CPU s | other load, cores | quiet runs: n, median s | Tideway full step s | Tideway parallelism | Tideway peak RSS (max) | heap |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in CASES:
        rs = runs.get(case)
        if not rs:
            continue
        walls = [float(r["wall_s"]) for r in rs]
        rows = int(rs[0]["rows"])
        m = statistics.median(walls)
        med[case] = (m, rows)
        busy = statistics.median(float(r["cores_busy"]) for r in rs)
        cpu = statistics.median(float(r["client_cpu_s"]) for r in rs)
        srv = statistics.median(float(r["servers_cpu_s"]) for r in rs)
        other = statistics.median(float(r["other_cores"]) for r in rs)
        quiet = [float(r["wall_s"]) for r in rs if float(r["other_cores"]) < QUIET]
        quiet_s = f"{len(quiet)}, {statistics.median(quiet):.2f}" if quiet else "0"
        fs = [float(m.group(1)) for m in (re.match(r"full step ([0-9.]+)", r["note"]) for r in rs) if m]
        fs_s = f"{statistics.median(fs):.2f}" if fs else ""
        par = sorted({m.group(1) for m in (re.search(r"parallelism ([0-9]+)", r["note"]) for r in rs) if m})
        par_s = ", ".join(par)
        rss = [int(r["peak_rss_kb"]) for r in rs if r["peak_rss_kb"]]
        ratio = ""
        if "-tideway" in case:
            nat = med.get(case.split("-")[0] + "-native")
            if nat:
                ratio = f"**{nat[0] / m:.2f}×**"
        rss_s = f"{statistics.median(rss) / 1024:.0f} MB ({max(rss) / 1024:.0f} MB)" if rss else ""
        heap = f"-Xmx{rs[0]['xmx']}" if rs[0]["xmx"] else ""
        lines.append(f"| {CASES[case]} | {m:.2f} ({min(walls):.2f}..{max(walls):.2f}) | {rows / m:,.0f} | {ratio} | "
                     f"{busy:.2f} | {cpu:.1f} | {srv:.1f} | {other:.2f} | {quiet_s} | {fs_s} | {par_s} | {rss_s} | {heap} |")
    lines.append("")
    lines.append(f"Quiet runs are those during which other users of the machine took less than {QUIET} cores.")
    lines.append("")
    lines.append("| target | measured | met? |")
    lines.append("|---|---|---|")
    for pair, goal in TARGETS.items():
        for suffix, how in (("-tideway-default", "default settings"), ("-tideway", "tuned")):
            nat, tw = med.get(pair + "-native"), med.get(pair + suffix)
            if nat and tw:
                ratio = nat[0] / tw[0]
                name = "MariaDB → MariaDB" if pair == "mm" else "MariaDB → PostgreSQL"
                lines.append(f"| {name}: Tideway ({how}) ≥ {goal}× native rows/s | {ratio:.2f}× | {'yes' if ratio >= goal else '**no**'} |")
    xmx = env.get("tideway", "")
    heap_ok = "-Xmx512m" in xmx or "-Xmx256m" in xmx
    flags = xmx[xmx.find("-Xmx"):] if "-Xmx" in xmx else xmx
    lines.append(f"| Tideway heap ≤ 512 MB | {flags} | {'yes' if heap_ok else '**no**'} |")
    lines.append("")
    lines.append("Machine: " + ", ".join(f"{k} {env[k]}" for k in ("nproc", "mem", "cpu", "kernel", "os") if k in env) + ".")
    lines.append("")
    lines.append(f"- MariaDB {env.get('mariadb')}: {env.get('mariadb_config')}")
    lines.append(f"- PostgreSQL {env.get('postgresql')}: {env.get('postgresql_config')}")
    lines.append(f"- {env.get('java')}")
    text = "\n".join(lines)
    print(text)
    if doc:
        block = BEGIN + "\n" + text + "\n" + END
        try:
            cur = open(doc).read()
        except FileNotFoundError:
            cur = "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n"
        if BEGIN in cur and END in cur:
            cur = cur[:cur.index(BEGIN)] + block + cur[cur.index(END) + len(END):]
        else:
            cur = cur.rstrip("\n") + "\n\n" + block + "\n"
        os.makedirs(os.path.dirname(os.path.abspath(doc)), exist_ok=True)
        with open(doc, "w") as f:
            f.write(cur)
        print(f"\nwritten to {doc}")


if __name__ == "__main__":
    main()
