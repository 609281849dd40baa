#!/usr/bin/env python3
"""bench/lib/report.py - turns the measurements bench/run recorded into the
table it prints and the markdown file it writes.

  report.py RESULTS_DIR MARKDOWN_OUT

RESULTS_DIR holds tab-separated files written by bench/run (bench/lib/bench.sh):
  meta.tsv     section key value       machine, versions, sizes, run settings
  cmp.tsv      cmp kind title          one line per comparison, in order
  cont.tsv     cmp id role label cmd   contenders (role: chops peer limit ref)
  state.tsv    cmp id state note       unavailable / failed (last one wins)
  samples.tsv  cmp id run wall user sys maxrss_kib   verified runs only
                                       (run 0: the warm-up, not reported)
  values.tsv   cmp key value           e.g. bytes of the parsed file
  notes.tsv    cmp text                free text shown under a comparison

Ratios are always taken between medians of the same run of bench/run.
Nothing here fails on a missed target: it only reports.
"""
import os
import statistics
import sys

DIR, OUT = sys.argv[1], sys.argv[2]


def rows(name, n):
    path = os.path.join(DIR, name)
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            parts += [""] * (n - len(parts))
            out.append(parts[:n - 1] + ["\t".join(parts[n - 1:])])
    return out


meta = {}
meta_order = []
for sec, key, val in rows("meta.tsv", 3):
    if (sec, key) not in meta:
        meta_order.append((sec, key))
    meta[(sec, key)] = val

cmps = [(c, k, t) for c, k, t in rows("cmp.tsv", 3)]
conts = {}
for c, i, role, label, cmd in rows("cont.tsv", 5):
    conts.setdefault(c, [])
    if i not in [x["id"] for x in conts[c]]:
        conts[c].append({"id": i, "role": role, "label": label, "cmd": cmd})
state = {}
for c, i, st, note in rows("state.tsv", 4):
    state[(c, i)] = (st, note)
samples = {}
for c, i, run, wall, user, sys_, rss in rows("samples.tsv", 7):
    if run == "0":
        continue
    samples.setdefault((c, i), []).append(
        {"wall": float(wall), "cpu": float(user) + float(sys_), "rss": int(rss)})
values = {}
for c, k, v in rows("values.tsv", 3):
    values[(c, k)] = v
notes = {}
for c, text in rows("notes.tsv", 2):
    notes.setdefault(c, []).append(text)


def med(c, i, key):
    s = samples.get((c, i))
    if not s:
        return None
    return statistics.median(x[key] for x in s)


def rng(c, i, key):
    s = samples.get((c, i))
    if not s:
        return None
    v = [x[key] for x in s]
    return min(v), max(v)


def secs(v):
    if v is None:
        return "-"
    if v >= 100:
        return "%.0f s" % v
    if v >= 10:
        return "%.1f s" % v
    if v >= 1:
        return "%.2f s" % v
    return "%.0f ms" % (v * 1000) if v >= 0.01 else "%.1f ms" % (v * 1000)


def mib(kib):
    if kib is None:
        return "-"
    return "%.1f MiB" % (kib / 1024.0)


def ratio(x):
    return "-" if x is None else "%.2fx" % x


def usable(c, i):
    """(True, None) when measured; else (False, why)."""
    st = state.get((c, i))
    if st and st[0] == "unavailable":
        return False, "not available in this build: %s" % st[1] if st[1].startswith("chops") \
            else "not available: %s" % st[1]
    if st and st[0] == "failed":
        return False, "FAILED: %s" % st[1]
    if not samples.get((c, i)):
        return False, "not measured"
    return True, None


def chops_of(c):
    for x in conts.get(c, []):
        if x["role"] == "chops":
            return x
    return None


# ------------------------------------------------------------------ targets

targets = []  # (comparison title, target, measured, verdict)


def verdict(ok):
    return "met" if ok else "missed"


def time_ratio(c, peer_ids):
    """peer median / chops median for the fastest of peer_ids; (ratio, label)."""
    ch = chops_of(c)
    if ch is None or not usable(c, ch["id"])[0]:
        return None, None
    best = None
    for pid in peer_ids:
        if not usable(c, pid)[0]:
            continue
        m = med(c, pid, "wall")
        if best is None or m < best[0]:
            best = (m, pid)
    if best is None:
        return None, None
    label = [x["label"] for x in conts[c] if x["id"] == best[1]][0]
    return best[0] / med(c, ch["id"], "wall"), label


def why_na(c, ids):
    for i in ids:
        ok, why = usable(c, i)
        if not ok:
            return why
    return "not measured"


def add_targets(c, kind, title):
    ids = [x["id"] for x in conts.get(c, [])]
    ch = chops_of(c)
    chid = ch["id"] if ch else None
    if c == "backup":
        r, lab = time_ratio(c, ["rclone"])
        targets.append((title, "chops faster than `curl | zstd | rclone rcat`: >= 1.20x",
                        "%s" % ratio(r) if r else why_na(c, [chid, "rclone"]),
                        verdict(r >= 1.2) if r else "n/a"))
        lim = [i for i in ("export", "upload") if i in ids and usable(c, i)[0]]
        if ch and usable(c, chid)[0] and len(lim) == 2:
            slow = max(med(c, i, "wall") for i in lim)
            frac = slow / med(c, chid, "wall")
            targets.append((title, "chops >= 70% of the slower limit", "%.0f%%" % (frac * 100),
                            verdict(frac >= 0.7)))
        else:
            targets.append((title, "chops >= 70% of the slower limit",
                            why_na(c, [chid, "export", "upload"]), "n/a"))
    elif c == "restore":
        r, lab = time_ratio(c, ["shell", "shell_buf"])
        targets.append((title, "at least as fast as `rclone cat | zstd -d | curl` (the faster form): >= 1.00x",
                        "%s (vs %s)" % (ratio(r), lab) if r else why_na(c, [chid, "shell"]),
                        verdict(r >= 1.0) if r else "n/a"))
    elif c == "list":
        r, lab = time_ratio(c, ["rclone", "rclone_fast"])
        targets.append((title, "at least as fast as rclone (its faster mode): >= 1.00x",
                        "%s (vs %s)" % (ratio(r), lab) if r else why_na(c, [chid, "rclone"]),
                        verdict(r >= 1.0) if r else "n/a"))
        for pid, name in (("aws", "aws s3 ls"), ("s3cmd", "s3cmd ls")):
            r, lab = time_ratio(c, [pid])
            targets.append((title, "3x faster than %s: >= 3.00x" % name,
                            ratio(r) if r else why_na(c, [chid, pid]),
                            verdict(r >= 3.0) if r else "n/a"))
    elif c == "parse":
        r, lab = time_ratio(c, ["promtool"])
        targets.append((title, "5x promtool's throughput: >= 5.00x",
                        ratio(r) if r else why_na(c, [chid, "promtool"]),
                        verdict(r >= 5.0) if r else "n/a"))
    elif c == "console":
        if usable(c, "chops")[0] and usable(c, "htop")[0]:
            a, b = med(c, "chops", "cpu"), med(c, "htop", "cpu")
            r = a / b if b > 0 else float("inf")
            targets.append((title, "CPU time no more than htop's: <= 1.00x", ratio(r), verdict(r <= 1.0)))
        else:
            targets.append((title, "CPU time no more than htop's: <= 1.00x",
                            why_na(c, ["chops", "htop"]), "n/a"))
        if usable(c, "chops")[0]:
            m = max(x["rss"] for x in samples[(c, "chops")])
            targets.append((title, "peak RSS under 16 MB", mib(m), verdict(m * 1024 < 16e6)))
        else:
            targets.append((title, "peak RSS under 16 MB", why_na(c, ["chops"]), "n/a"))
    elif c == "rss":
        if usable(c, "small")[0] and usable(c, "big")[0]:
            a, b = med(c, "small", "rss"), med(c, "big", "rss")
            r = b / a
            targets.append((title, "peak RSS within 10% between the days: <= 1.10x", ratio(r),
                            "n/a at --quick sizes" if values.get((c, "quick")) == "1"
                            else verdict(r <= 1.10)))
        else:
            targets.append((title, "peak RSS within 10% between the days: <= 1.10x",
                            why_na(c, ["small", "big"]), "n/a"))


# ------------------------------------------------------------------ tables


def table_time(c, kind):
    """Rows of a wall-time comparison: chops, peers, limits."""
    ch = chops_of(c)
    chm = med(c, ch["id"], "wall") if ch and usable(c, ch["id"])[0] else None
    nbytes = float(values.get((c, "bytes"), "0") or 0)
    head = ["contender", "median", "min - max", "CPU (user+sys)", "peak RSS"]
    if kind == "parse":
        head.append("MB/s")
    head.append("chops speed-up" if kind != "parse" else "chops throughput ratio")
    out = [head]
    for x in conts.get(c, []):
        i = x["id"]
        ok, why = usable(c, i)
        if not ok:
            out.append([x["label"], why] + [""] * (len(head) - 2))
            continue
        m = med(c, i, "wall")
        lo, hi = rng(c, i, "wall")
        row = [x["label"], secs(m), "%s - %s" % (secs(lo), secs(hi)), secs(med(c, i, "cpu")),
               mib(max(s["rss"] for s in samples[(c, i)]))]
        if kind == "parse":
            row.append("%.1f" % (nbytes / m / 1e6) if nbytes else "-")
        if x["role"] == "chops":
            row.append("1 (reference)")
        elif chm is None:
            row.append("-")
        elif x["role"] == "limit":
            row.append("chops at %.0f%% of this limit" % (m / chm * 100))
        else:
            row.append(ratio(m / chm))
        out.append(row)
    return out


def table_console(c):
    head = ["contender", "CPU over the window (median)", "min - max", "share of one core",
            "peak RSS (VmHWM, median)", "max", "CPU vs htop"]
    out = [head]
    window = float(values.get((c, "seconds"), "0") or 0)
    htop = med(c, "htop", "cpu") if usable(c, "htop")[0] else None
    for x in conts.get(c, []):
        i = x["id"]
        ok, why = usable(c, i)
        if not ok:
            out.append([x["label"], why] + [""] * (len(head) - 2))
            continue
        cpu = med(c, i, "cpu")
        lo, hi = rng(c, i, "cpu")
        out.append([x["label"], secs(cpu), "%s - %s" % (secs(lo), secs(hi)),
                    "%.2f%%" % (cpu / window * 100) if window else "-",
                    mib(med(c, i, "rss")), mib(max(s["rss"] for s in samples[(c, i)])),
                    ratio(cpu / htop) if htop else "-"])
    return out


def table_rss(c):
    head = ["contender", "peak RSS (median)", "min - max", "wall (median)", "vs the smaller day"]
    out = [head]
    small = med(c, "small", "rss") if usable(c, "small")[0] else None
    for x in conts.get(c, []):
        i = x["id"]
        ok, why = usable(c, i)
        if not ok:
            out.append([x["label"], why] + [""] * (len(head) - 2))
            continue
        m = med(c, i, "rss")
        lo, hi = rng(c, i, "rss")
        out.append([x["label"], mib(m), "%s - %s" % (mib(lo), mib(hi)), secs(med(c, i, "wall")),
                    ratio(m / small) if small else "-"])
    return out


def md_table(t):
    lines = ["| " + " | ".join(t[0]) + " |", "|" + "|".join("---" for _ in t[0]) + "|"]
    for r in t[1:]:
        lines.append("| " + " | ".join(s.replace("|", "\\|") for s in r) + " |")
    return "\n".join(lines)


def text_table(t):
    w = [max(len(r[k]) for r in t) for k in range(len(t[0]))]
    out = []
    for n, r in enumerate(t):
        out.append("  " + "  ".join(s.ljust(w[k]) for k, s in enumerate(r)).rstrip())
        if n == 0:
            out.append("  " + "  ".join("-" * w[k] for k in range(len(w))))
    return "\n".join(out)


tables = []
for c, kind, title in cmps:
    if kind == "console":
        t = table_console(c)
    elif kind == "rss":
        t = table_rss(c)
    else:
        t = table_time(c, kind)
    tables.append((c, kind, title, t))
    add_targets(c, kind, title)

# ------------------------------------------------------------------ output

text = []
for c, kind, title, t in tables:
    text.append("")
    text.append(title)
    size = values.get((c, "size"))
    if size:
        text.append("  (" + size + ")")
    text.append(text_table(t))
text.append("")
text.append("targets")
text.append(text_table([["comparison", "target", "measured", "verdict"]] + [list(x) for x in targets]))
print("\n".join(text))

m = lambda s, k, d="?": meta.get((s, k), d)
md = []
md.append("# chops benchmarks: %s on %s" % (m("run", "date"), m("run", "host")))
md.append("")
md.append("Generated by `bench/run%s` (%s mode). Each contender ran once to warm up "
          "(not counted), then %s timed runs, the contenders alternating "
          "(A B C A B C ...). Every run was verified (exit status with `pipefail`, and "
          "object counts, byte counts or row counts) before its time was kept; a run "
          "that failed is reported as FAILED, never timed. Ratios compare medians of the "
          "same invocation; absolute times on a shared machine are noise."
          % (m("run", "args", ""), m("run", "mode"), m("run", "runs")))
md.append("")
md.append("## Machine")
md.append("")
md.append(md_table([["nproc", "memory", "CPU", "kernel"],
                    [m("machine", "nproc"), m("machine", "memory"), m("machine", "cpu"),
                     m("machine", "kernel")]]))
md.append("")
md.append("## Versions")
md.append("")
vers = [(k, v) for (s, k) in meta_order if s == "versions" for v in [meta[(s, k)]]]
md.append(md_table([["program", "version"]] + [[k, v] for k, v in vers]))
md.append("")
md.append("## Targets")
md.append("")
md.append(md_table([["comparison", "target", "measured", "verdict"]] + [list(x) for x in targets]))
md.append("")
for c, kind, title, t in tables:
    md.append("## " + title)
    md.append("")
    size = values.get((c, "size"))
    if size:
        md.append("Sizes: " + size + ".")
        md.append("")
    md.append(md_table(t))
    md.append("")
    cmds = [x for x in conts.get(c, []) if x["cmd"]]
    if cmds:
        md.append("Commands (credentials in files named by the environment, never in argv):")
        md.append("")
        for x in cmds:
            md.append("- %s: `%s`" % (x["label"], x["cmd"]))
        md.append("")
    for n in notes.get(c, []):
        md.append("- " + n)
    if notes.get(c):
        md.append("")
if notes.get("data"):
    md.append("## Data")
    md.append("")
    for n in notes["data"]:
        md.append("- " + n)
    md.append("")
for n in notes.get("run", []):
    md.append(n)
with open(OUT, "w") as f:
    f.write("\n".join(md).rstrip() + "\n")
