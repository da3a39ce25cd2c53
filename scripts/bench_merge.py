"""Benchmark of the central merge as a user runs it, and of verification, printed as figures.

    .venv/bin/python scripts/bench_merge.py                       # dxdesk demo 200 × 10, then measure
    .venv/bin/python scripts/bench_merge.py --demo /tmp/d200      # reuse (or keep) that demo folder
    .venv/bin/python scripts/bench_merge.py --sections 300 --measures 20
    .venv/bin/python scripts/bench_merge.py --demo /tmp/d200 --write-only --compare /work/main

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

Also printed: the merging process's own work alone — the files verified once in process (not timed),
then written with ``merge_batch`` over batches of 25 into fresh copies of the central database (CPU
seconds); ``--write-only`` prints only that, and ``--compare CHECKOUT`` alternates it with another
checkout's code (e.g. main) and prints the ratio.

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


def step_write(db: str, inbox: str, repeat: int = 3, code: str = "") -> dict:
    """The merging process's own work alone: the files are verified once in process (``intake_file``, as
    the merge workers do, not timed), then written ``repeat`` times into a fresh copy of ``db`` with
    ``merge_batch`` over batches of ``BATCH_FILES``, exactly as ``merge_paths`` does; CPU seconds of the
    writing. ``code``: another checkout whose ``dxdesk`` is measured (an A/B comparison)."""
    if code:
        sys.path.insert(0, code)
    from dxdesk.central import merge
    from dxdesk.central.inbox import collect_files, probe
    from dxdesk.central.intake import intake_file
    from dxdesk.central.receive import merge_batch
    from dxdesk.store.database import open_database

    assert not code or merge.__file__.startswith(code), merge.__file__
    work = Path(tempfile.mkdtemp(prefix="dxdesk-bench-write-"))
    try:
        fresh = work / "central.sqlite"
        shutil.copyfile(db, fresh)
        database = open_database(str(fresh))  # migrated once; every timed run starts from this copy
        ctx = merge._load_context(database, None, "")
        database.dispose()
        trust = ctx.trust.trust()
        probes = sorted((probe(f) for f in collect_files([inbox])), key=lambda pr: merge._name_order(pr.path))
        items = [intake_file(str(pr.path), pr.file_hash or "", trust, ctx.fiscal_year) for pr in probes]
        assert all(it.ok for it in items), [it.message for it in items if not it.ok][:3]
        cpu, wall, outcomes = [], [], ""
        for i in range(max(1, repeat)):
            target = work / f"run-{i}.sqlite"
            shutil.copyfile(fresh, target)
            database = open_database(str(target))
            ctx = merge._load_context(database, None, "")
            c, t = time.process_time(), time.perf_counter()
            results = []
            for k in range(0, len(items), merge.BATCH_FILES):
                results += merge_batch(database, ctx, items[k : k + merge.BATCH_FILES])
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - t)
            database.dispose()
            counts: dict[str, int] = {}
            for r in results:
                counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
            outcomes = " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        return {"files": len(items), "cpu": cpu, "wall": wall, "outcomes": outcomes}
    finally:
        shutil.rmtree(work, ignore_errors=True)


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


def _write_figure(w: dict) -> str:
    per_file = statistics.median(w["cpu"]) / w["files"] * 1000
    return (
        f"median {statistics.median(w['cpu']):.3f} s CPU ({', '.join(f'{x:.3f}' for x in w['cpu'])}; "
        f"{per_file:.2f} ms a file), wall {statistics.median(w['wall']):.3f} s  {w['outcomes']}"
    )


def _write_only(demo: Path, repeat: int, compare: str | None) -> None:
    """The merging process's writing alone (``step_write``); with ``compare``, that checkout's code and
    this one's alternately, in the same run (the machine is shared: figures drift)."""
    args = {"db": str(demo / "central.sqlite"), "inbox": str(demo / "submissions"), "repeat": repeat}
    if not compare:
        w = _step("write", **args)
        print(f"  of which writing {w['files']} verified files (merge_batch, in process): {_write_figure(w)}")
        return
    other = str(Path(compare).resolve())
    import compileall

    compileall.compile_dir(str(Path(other) / "dxdesk"), quiet=1)
    theirs: list[float] = []
    ours: list[float] = []
    for _round in range(2):
        w = _step("write", **args, code=other)
        theirs += w["cpu"]
        print(f"writing, {other}: {_write_figure(w)}")
        w = _step("write", **args)
        ours += w["cpu"]
        print(f"writing, {ROOT}: {_write_figure(w)}")
    a, b = statistics.median(theirs), statistics.median(ours)
    print(f"writing CPU, median of {len(ours)} each: {a:.3f} s → {b:.3f} s ({a / b:.2f}× less)")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--demo", help="demo folder to use (built there when missing or empty)")
    p.add_argument("--sections", type=int, default=200)
    p.add_argument("--measures", type=int, default=10)
    p.add_argument("--repeat", type=int, default=3, help="fresh merges to time (median and best are printed)")
    p.add_argument(
        "--write-only",
        action="store_true",
        help="only the merging process's writing of the verified files (merge_batch), CPU seconds",
    )
    p.add_argument(
        "--compare",
        metavar="CHECKOUT",
        help="with --write-only: alternate with another checkout's dxdesk (e.g. main) and print the ratio",
    )
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
            "write": step_write,
        }
        result = steps[a.step](**kwargs)
        print(json.dumps(result))
        return 0

    if not a.write_only:
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
        if a.write_only:
            _write_only(demo, a.repeat, a.compare)
            return 0
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
        _write_only(demo, a.repeat, None)
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
