#!/usr/bin/env python3
"""Figures, ratios and targets of a bench/incremental.sh run.

usage: summarize-incremental.py RAW.tsv ENV.txt [DOC.md]

Prints the summary; with DOC.md, replaces the text between the markers
<!-- incremental:begin --> and <!-- incremental:end --> in it.
"""
import csv
import re
import statistics
import sys

PAIRS = {"mm": "MariaDB → MariaDB", "mp": "MariaDB → PostgreSQL"}
BEGIN, END = "<!-- incremental:begin -->", "<!-- incremental:end -->"


def med(rs, key):
    v = [float(r[key]) for r in rs if r.get(key) not in (None, "")]
    return statistics.median(v) if v else None


def kv(note):
    return dict(m.groups() for m in re.finditer(r"(\w+)=([-0-9.]+)", note))


def main():
    raw, envf = sys.argv[1], sys.argv[2]
    doc = sys.argv[3] if len(sys.argv) > 3 else None
    env = dict(line.rstrip("\n").split("=", 1) for line in open(envf) if "=" in line)
    runs = {}
    for r in csv.DictReader(open(raw), delimiter="\t"):
        runs.setdefault((r["pair"], r["case"]), []).append(r)
    n_upd = int(env["updates"])
    lag_rate = int(re.match(r"\s*(\d+)", env.get("lag", "5000")).group(1))
    L = []
    L.append(f"Run of {env.get('date_utc')}: {n_upd:,} updates by primary key on {int(env['distinct']):,} distinct ids "
             f"of the 2,000,000-row table, written by {env.get('writers')} source connections; {env.get('reps')} run(s) per case; "
             f"Tideway {env.get('tideway', '').strip()}.")
    L.append("")
    L.append("**Catch-up** (500,000 changes waiting in the binary log when Tideway starts; changes/s = 500,000 ÷ wall time)")
    L.append("")
    L.append("| pair | case | wall s (median) | changes/s | Tideway: ratio of times | client CPU s | servers CPU s | other load, cores | peak RSS |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    targets = []
    for p, pname in PAIRS.items():
        tw = runs.get((p, "tideway-catchup"))
        if not tw:
            continue
        tws = med(tw, "wall_s")
        inc = [float(m.group(1)) for r in tw for m in [re.search(r"incremental step ([0-9.]+) s", r["note"])] if m]
        rows = [("source-writes", "the updates written to the source (not a reference)"),
                ("tideway-catchup", "**Tideway** `run --until synced`, whole process"),
                ("ref-a-client-txn1000", "(a) " + ("`mariadb`" if p == "mm" else "`psql`") + " client, the 500,000 statements, COMMIT every 1,000"),
                ("ref-b-upsert1000", "(b) final rows as multi-row upserts of 1,000, one connection")]
        for case, label in rows:
            rs = runs.get((p, case))
            if not rs:
                continue
            w = med(rs, "wall_s")
            ratio = ""
            if case.startswith("ref-"):
                ratio = f"**{w / tws:.2f}×**"
                tgt = 3.0 if case.startswith("ref-a") else 0.5
                targets.append((f"{pname}: Tideway ≥ {tgt:g}× {label.split(' ')[0]} {'client in transactions of 1,000' if tgt == 3 else 'multi-row upserts'}",
                                f"{w / tws:.2f}×", "yes" if w / tws >= tgt else "**no**"))
            rss = ""
            if case == "tideway-catchup":
                rss = f"{max(int(r['peak_rss_kb']) for r in rs) / 1024:.0f} MB"
            extra = f" (incremental step alone: {statistics.median(inc):.1f} s, {n_upd / statistics.median(inc):,.0f} changes/s)" if case == "tideway-catchup" and inc else ""
            if case == "tideway-catchup" and len(rs) > 1:
                extra += f"; {len(rs)} catch-ups of the same backlog, each from the same saved state: " \
                         + ", ".join(f"{float(r['wall_s']):.1f}" for r in rs) + " s"
            elif len(rs) > 1:
                extra += f"; {len(rs)} times, each on a fresh copy of the same table: " \
                         + ", ".join(f"{float(r['wall_s']):.1f}" for r in rs) + " s"
            L.append(f"| {pname} | {label}{extra} | {w:.2f} | {n_upd / w:,.0f} | {ratio} | {med(rs, 'client_cpu_s'):.1f} | "
                     f"{med(rs, 'servers_cpu_s'):.1f} | {med(rs, 'other_cores'):.2f} | {rss} |")
    L.append("")
    L.append("Ratio = reference wall time ÷ Tideway wall time (above 1: Tideway is faster).")
    L.append("")
    L.append(f"**Lag under load** ({env.get('lag')}; lag = time the probe row's new value became visible on the destination "
             "minus the time its UPDATE was sent to the source)")
    L.append("")
    L.append("| pair | achieved writes/s | probe samples | lag p50 ms | lag p99 ms | lag max ms | warm-up before it: s, probes, lag p99 / max ms | source UPDATE p50 / p99 ms | Tideway `status` lagMillis (n, median, max) | Tideway CPU s | servers CPU s | machine busy, cores | peak RSS |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p, pname in PAIRS.items():
        for r in runs.get((p, "tideway-lag"), []):
            k = kv(r["note"])
            st = re.search(r"status lagMillis n=(\d+) p50=(-?\d+) max=(-?\d+)", r["note"])
            L.append(f"| {pname} | {float(k['rate']):,.0f} | {k['probes']} (unseen {k['unseen']}) | {k['lag_p50_ms']} | {k['lag_p99_ms']} | "
                     f"{k['lag_max_ms']} | {k.get('warmup_s', '0')} s, {k.get('warmup_probes', '0')}, {k.get('warmup_lag_p99_ms', '-')} / {k.get('warmup_lag_max_ms', '-')} | "
                     f"{k['src_stmt_p50_ms']} / {k['src_stmt_p99_ms']} | "
                     f"{(st.group(1) + ', ' + st.group(2) + ', ' + st.group(3)) if st else ''} | {r['client_cpu_s']} | {r['servers_cpu_s']} | "
                     f"{r['other_cores']} | {int(r['peak_rss_kb']) / 1024:.0f} MB |")
            p99, achieved = int(k["lag_p99_ms"]), float(k["rate"])
            name = f"{pname}: lag p99 < 1 s at {lag_rate:,} updates/s"
            if achieved < 0.95 * lag_rate:   # a lag figure counts only at the rate the target names
                targets.append((name, f"{p99} ms at {achieved:,.0f} updates/s (the rate was not reached)", "not tested"))
            else:
                targets.append((name, f"{p99} ms", "yes" if p99 < 1000 else "**no**"))
    L.append("")
    L.append("| target | measured | met? |")
    L.append("|---|---|---|")
    for name, measured, met in targets:
        L.append(f"| {name} | {measured} | {met} |")
    L.append("")
    L.append(f"Machine: nproc {env.get('nproc')}, mem {env.get('mem')}, cpu {env.get('cpu')}, os {env.get('os')}; "
             f"MariaDB {env.get('mariadb')} ({env.get('mariadb_config')}); PostgreSQL {env.get('postgresql')} "
             f"({env.get('postgresql_config')}); {env.get('java')}."
             + (f" MariaDB → MariaDB destination: {env.get('mm_destination')}." if env.get('mm_destination') else ""))
    text = "\n".join(L)
    print(text)
    if doc:
        body = open(doc).read()
        if BEGIN in body and END in body:
            a, b = body.index(BEGIN) + len(BEGIN), body.index(END)
            body = body[:a] + "\n" + text + "\n" + body[b:]
        else:
            body = body.rstrip("\n") + "\n\n" + BEGIN + "\n" + text + "\n" + END + "\n"
        open(doc, "w").write(body)


if __name__ == "__main__":
    main()
