"""Benchmark of the central merge and the merged workbook, printed as figures.

    .venv/bin/python scripts/bench_merge.py                       # dxdesk demo 200 × 10, then measure
    .venv/bin/python scripts/bench_merge.py --demo /tmp/d200      # reuse (or keep) that demo folder
    .venv/bin/python scripts/bench_merge.py --sections 300 --measures 20

Targets (with `dxdesk demo` at 200 sections × 10 measures, on the 2-core machine):
- merging all submissions into a fresh SQLite central database, with full verification including the
  visible-cell check: ≤ 3 s, and ≥ 10× faster than just reading the same files with
  ``pandas.read_excel(sheet_name=None)`` (openpyxl engine) in the same run;
- merging the same folder again (all duplicates): ≤ 1 s;
- peak memory ≤ 400 MB (the merging process plus its verification workers);
- the merged workbook (全庁集計) of that database: ≤ 10 s.

Each measured step runs in a fresh Python process (so one step's memory does not count for the next);
the figures are wall-clock times of the work itself (the database is opened and migrated before the
clock starts). pandas is only needed here: it is the ``bench`` extra of pyproject.toml, pinned in
constraints.txt, and installed by this script when missing. The machine's load average is printed:
other programs running at the same time slow every figure down.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _step(name: str, **kwargs: object) -> dict:
    """Run one measured step in a fresh process; it prints one JSON line."""
    args = [sys.executable, str(Path(__file__).resolve()), "--step", name, "--args", json.dumps(kwargs)]
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rss() -> dict[str, float]:
    import resource

    return {
        "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def step_merge(db: str, inbox: str) -> dict:
    from dxdesk.central.merge import merge_paths
    from dxdesk.store.database import open_database

    database = open_database(db)  # migrated before the clock starts
    t = time.perf_counter()
    report = merge_paths(database, [inbox])
    seconds = time.perf_counter() - t
    database.dispose()
    return {"seconds": seconds, "summary": report.summary_line(), **_rss()}


def step_pandas(inbox: str) -> dict:
    import pandas as pd

    files = sorted(Path(inbox).glob("*.xlsx"))
    t = time.perf_counter()
    cells = 0
    for f in files:
        frames = pd.read_excel(f, sheet_name=None, engine="openpyxl")
        cells += sum(df.size for df in frames.values())
    return {"seconds": time.perf_counter() - t, "files": len(files), "cells": int(cells), **_rss()}


def step_export(db: str, out: str) -> dict:
    from dxdesk.central.workbook import export_merged_workbook
    from dxdesk.store.database import open_database

    database = open_database(db)
    t = time.perf_counter()
    r = export_merged_workbook(database, Path(out))
    seconds = time.perf_counter() - t
    database.dispose()
    return {
        "seconds": seconds,
        "rows": r.rows,
        "measures": r.measures,
        "sections": r.sections,
        "findings": r.findings,
        "bytes": Path(out).stat().st_size,
        **_rss(),
    }


def _ensure_pandas() -> None:
    try:
        import pandas  # noqa: F401
    except ImportError:
        print("bench: installing the bench extra (pandas, pinned in constraints.txt)", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-c",
                "constraints.txt",
                "-e",
                ".[bench]",
            ],
            check=True,
            cwd=ROOT,
        )


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--demo", help="demo folder to use (built there when missing or empty)")
    p.add_argument("--sections", type=int, default=200)
    p.add_argument("--measures", type=int, default=10)
    p.add_argument("--repeat", type=int, default=3, help="fresh merges to time (median and best are printed)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    p.add_argument("--args", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.step:
        kwargs = json.loads(a.args or "{}")
        result = {"merge": step_merge, "pandas": step_pandas, "export": step_export}[a.step](**kwargs)
        print(json.dumps(result))
        return 0

    _ensure_pandas()
    work = Path(tempfile.mkdtemp(prefix="dxdesk-bench-merge-"))
    demo = Path(a.demo) if a.demo else work / "demo"
    try:
        print(f"machine: {os.cpu_count()} CPUs, load average {_load()} (1, 5, 15 min)")
        if not (demo / "central.sqlite").exists():
            from dxdesk.exchange.demo import build_demo

            t = time.perf_counter()
            build_demo(demo, sections=a.sections, measures_per_section=a.measures, seed=1)
            print(f"demo: built in {time.perf_counter() - t:.1f} s")
        inbox = demo / "submissions"
        files = sorted(inbox.glob("*.xlsx"))
        size = sum(f.stat().st_size for f in files) / 2**20
        print(f"demo: {demo} — {len(files)} submissions, {size:.1f} MB")
        runs = []
        for i in range(max(1, a.repeat)):
            db = work / f"central-{i}.sqlite"
            shutil.copyfile(demo / "central.sqlite", db)  # a fresh central database: plan, CA, nothing merged
            runs.append(_step("merge", db=str(db), inbox=str(inbox)))
        times = sorted(r["seconds"] for r in runs)
        median = statistics.median(times)
        first = runs[0]
        print(
            f"merge, fresh SQLite, full verification incl. visible cells: median {median:.2f} s, best {times[0]:.2f} s "
            f"of {len(times)} ({', '.join(f'{x:.2f}' for x in (r['seconds'] for r in runs))}) [target ≤ 3 s]  {first['summary']}"
        )
        again = _step("merge", db=str(db), inbox=str(inbox))
        print(
            f"merge the same folder again (all duplicates): {again['seconds']:.2f} s [target ≤ 1 s]  {again['summary']}"
        )
        self_mb = max(r["self_mb"] for r in runs)
        worker_mb = max(r["children_mb"] for r in runs)
        print(
            f"peak memory of the merge: {self_mb:.0f} MB (merging process) + {worker_mb:.0f} MB "
            f"(largest verification worker) ≤ {self_mb + 2 * worker_mb:.0f} MB with both workers [target ≤ 400 MB]"
        )
        print(f"load average now {_load()}")
        base = _step("pandas", inbox=str(inbox))
        print(
            f"pandas.read_excel(sheet_name=None, engine='openpyxl') of the same {base['files']} files: "
            f"{base['seconds']:.1f} s ({base['cells']:,} cells read, nothing verified)"
        )
        print(
            f"ratio pandas / merge: {base['seconds'] / median:.1f}× with the median merge, "
            f"{base['seconds'] / times[0]:.1f}× with the best [target ≥ 10×]"
        )
        exp = _step("export", db=str(db), out=str(work / "R08_全庁集計.xlsx"))
        print(
            f"merged workbook (全庁集計): {exp['seconds']:.2f} s [target ≤ 10 s]  rows={exp['rows']} "
            f"measures={exp['measures']} sections={exp['sections']} findings={exp['findings']} "
            f"{exp['bytes'] / 2**20:.1f} MB, peak {exp['self_mb']:.0f} MB + {exp['children_mb']:.0f} MB (plan check)"
        )
        print(f"load average at the end {_load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
