"""Benchmark of the central merge as a user runs it, and of verification, printed as figures.

    .venv/bin/python scripts/bench_merge.py                       # dxdesk demo 200 × 10, then measure
    .venv/bin/python scripts/bench_merge.py --demo /tmp/d200      # reuse (or keep) that demo folder
    .venv/bin/python scripts/bench_merge.py --sections 300 --measures 20

Targets (with `dxdesk demo` at 200 sections × 10 measures, on the 2-core machine):
- the whole ``dxdesk merge --db central.sqlite submissions/`` command — process start-up, imports,
  opening the database, verification of every file including everything a person reads, merging and
  the lines printed — into a fresh copy of the demo's central database: ≤ 2.0 s, and ≥ 10× faster
  than just reading the same files with ``pandas.read_excel(sheet_name=None)`` (openpyxl engine) in the
  same run;
- merging the same folder again (all duplicates), the whole command: printed;
- verification of one submission (``verify_submission``, in process): ≤ 50 ms (median of all files);
- a range bomb (a submission with a cell at XFD1048576) refused in a fresh process: ≤ 1 s and ≤ 200 MB
  peak memory of that process;
- the merged workbook (全庁集計) of that database: ≤ 10 s.

The package is byte-compiled first (an installed application has its .pyc files; this environment
may set PYTHONDONTWRITEBYTECODE). pandas is only needed here: it is the ``bench`` extra of
pyproject.toml, pinned in constraints.txt, and installed by this script when missing. The machine's
load average is printed: other programs running at the same time slow every figure down.
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


def _peak_mb() -> float:
    """This process's peak resident memory. Linux keeps ``ru_maxrss`` across exec, so a step started by
    a parent that once held more (the demo built in process) would report the parent's peak; the
    memory map's own high-water mark (VmHWM) starts anew with the program."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss() -> dict[str, float]:
    import resource

    return {
        "self_mb": _peak_mb(),
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


def step_verify(inbox: str, db: str) -> dict:
    from dxdesk.exchange.authority import load_trust
    from dxdesk.exchange.submission import verify_submission
    from dxdesk.store.database import open_database

    database = open_database(db)
    with database.session() as s:
        trust = load_trust(s)
    database.dispose()
    times = []
    cpu = []
    ok = 0
    for f in sorted(Path(inbox).glob("*.xlsx")):
        t = time.perf_counter()
        c = time.process_time()
        v = verify_submission(f, trust)
        cpu.append(time.process_time() - c)
        times.append(time.perf_counter() - t)
        ok += v.ok
    return {
        "median": statistics.median(times),
        "max": max(times),
        "cpu": statistics.median(cpu),
        "files": len(times),
        "ok": ok,
    }


def step_bomb(path: str, db: str) -> dict:
    from dxdesk.exchange.authority import load_trust
    from dxdesk.exchange.submission import verify_submission
    from dxdesk.store.database import open_database

    database = open_database(db)
    with database.session() as s:
        trust = load_trust(s)
    database.dispose()
    before = _rss()["self_mb"]
    t = time.perf_counter()
    v = verify_submission(Path(path), trust)
    return {"seconds": time.perf_counter() - t, "codes": sorted(v.codes), "before_mb": before, **_rss()}


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _command(db: Path, inbox: Path) -> tuple[float, str, float]:
    """The whole ``dxdesk merge`` command as a user runs it: wall-clock seconds, its summary line and the
    CPU seconds it used with its worker processes (user + system: what other programs on a shared
    machine do not change much, unlike the wall clock)."""
    cpu = _children_cpu()
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "dxdesk", "merge", "--db", str(db), str(inbox)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - t
    lines = out.stdout.strip().splitlines()
    summary = lines[-1] if lines else f"(no output, exit {out.returncode}: {out.stderr[-300:]})"
    return seconds, summary, _children_cpu() - cpu


def step_pandas(inbox: str) -> dict:
    import pandas as pd

    files = sorted(Path(inbox).glob("*.xlsx"))
    t = time.perf_counter()
    cpu = time.process_time()
    cells = 0
    for f in files:
        frames = pd.read_excel(f, sheet_name=None, engine="openpyxl")
        cells += sum(df.size for df in frames.values())
    return {
        "seconds": time.perf_counter() - t,
        "cpu": time.process_time() - cpu,
        "files": len(files),
        "cells": int(cells),
        **_rss(),
    }


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
        steps = {
            "merge": step_merge,
            "pandas": step_pandas,
            "export": step_export,
            "verify": step_verify,
            "bomb": step_bomb,
        }
        result = steps[a.step](**kwargs)
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
        import compileall

        compileall.compile_dir(str(ROOT / "dxdesk"), quiet=1)
        times = []
        cpus = []
        summary = ""
        for i in range(max(1, a.repeat)):
            db = work / f"central-{i}.sqlite"
            shutil.copyfile(demo / "central.sqlite", db)  # a fresh central database: plan, CA, nothing merged
            seconds, summary, cpu = _command(db, inbox)
            times.append(seconds)
            cpus.append(cpu)
        median = statistics.median(times)
        best = min(times)
        cpu_median = statistics.median(cpus)
        print(
            f"dxdesk merge, the whole command (start-up, imports, database, full verification, merge): "
            f"median {median:.2f} s, best {best:.2f} s of {len(times)} ({', '.join(f'{x:.2f}' for x in times)}) "
            f"[target ≤ 2.0 s]  {summary}"
        )
        print(
            f"  CPU time of the command with its workers (user + system): median {cpu_median:.2f} s "
            f"({', '.join(f'{x:.2f}' for x in cpus)}); on 2 idle cores the wall clock is at least half of it"
        )
        inproc_db = work / "central-inproc.sqlite"
        shutil.copyfile(demo / "central.sqlite", inproc_db)
        inproc = _step("merge", db=str(inproc_db), inbox=str(inbox))
        print(
            f"  of which merge_paths in process (database opened before the clock): {inproc['seconds']:.2f} s; "
            f"peak memory {inproc['self_mb']:.0f} MB + {inproc['children_mb']:.0f} MB (largest worker)"
        )
        again, again_summary, _cpu = _command(db, inbox)
        print(
            f"dxdesk merge of the same folder again (all duplicates), whole command: {again:.2f} s  {again_summary}"
        )
        ver = _step("verify", inbox=str(inbox), db=str(demo / "central.sqlite"))
        print(
            f"verification of one submission (in process): median {ver['median'] * 1000:.1f} ms, "
            f"slowest {ver['max'] * 1000:.1f} ms, median CPU {ver['cpu'] * 1000:.1f} ms, "
            f"{ver['ok']}/{ver['files']} OK [target ≤ 50 ms]"
        )
        from tests.central.hostile_files import range_bomb

        bomb = work / "R08_S999_range_bomb.xlsx"
        range_bomb(files[0], bomb)
        b = _step("bomb", path=str(bomb), db=str(demo / "central.sqlite"))
        print(
            f"range bomb (cell at XFD1048576, {bomb.stat().st_size / 1024:.0f} KB) refused in {b['seconds'] * 1000:.0f} ms "
            f"with {b['codes']}, peak memory of the process {b['self_mb']:.0f} MB [target ≤ 1 s, ≤ 200 MB]"
        )
        print(f"load average now {_load()}")
        base = _step("pandas", inbox=str(inbox))
        print(
            f"pandas.read_excel(sheet_name=None, engine='openpyxl') of the same {base['files']} files: "
            f"{base['seconds']:.1f} s ({base['cells']:,} cells read, nothing verified)"
        )
        print(
            f"ratio pandas / whole merge command: {base['seconds'] / median:.1f}× with the median, "
            f"{base['seconds'] / best:.1f}× with the best [target ≥ 10×]; in CPU time "
            f"{base['cpu']:.1f} s / {cpu_median:.2f} s = {base['cpu'] / cpu_median:.1f}× (pandas uses one core)"
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
