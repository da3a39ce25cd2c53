"""Benchmarks of the signed workbooks, printed as figures, not asserted in tests.

    .venv/bin/python scripts/bench_exchange.py                 # export and verification
    .venv/bin/python scripts/bench_exchange.py --demo 300x20   # plus `dxdesk demo` at that scale

Targets: exporting a 50-measure submission ≤ 1.0 s; verifying one submission ≤ 50 ms without a full
openpyxl load (the openpyxl load of the same file is timed beside it, in the same run, for the ratio).
The machine's load average is printed too: these are wall-clock times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _median(fn, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def bench_export_verify(work: Path, measures: int, repeats: int) -> None:
    import openpyxl

    from dxdesk.exchange.authority import load_trust
    from dxdesk.exchange.demo import complete_for_submission
    from dxdesk.exchange.kit import issue_kits
    from dxdesk.exchange.kit_import import import_kit
    from dxdesk.exchange.submission import export_submission, verify_submission
    from dxdesk.store.database import open_database
    from dxdesk.store.dataset import import_dataset
    from dxdesk.store.settings_store import set_setting
    from dxdesk.store.synthetic import synthetic_dataset

    central = open_database(work / "central.sqlite")
    with central.session(audit=False) as s:
        plan = import_dataset(s, synthetic_dataset(1, measures, seed=7, fill_current=1.0))
        set_setting(s, "role", "central")
        set_setting(s, "plan_code", plan.code)
        set_setting(s, "demo", "1")  # its CA key is sealed under the published demo passphrase
        fy = plan.current_fy
    kit = issue_kits(central, fy, work / "kits", slips=False).kits[0]
    with central.session() as s:
        trust = load_trust(s)
    central.dispose()
    r = import_kit(kit.path, kit.passphrase, work, db_path=work / "section.sqlite")
    db = open_database(r.db_path)
    with db.session() as s:
        complete_for_submission(s, fy, kit.section_code, seed="bench")
    out = work / "out"
    out.mkdir()
    paths: list[Path] = []

    def export() -> None:
        paths.append(export_submission(db, fy, kit.section_code, "山田 太郎", "佐藤 一郎", out).path)

    export()  # warm-up (imports, first queries)
    med, best = _median(export, repeats)
    path = paths[-1]
    size = path.stat().st_size
    print(
        f"export of a {measures}-measure submission: median {med:.3f} s, best {best:.3f} s (n={repeats}, "
        f"{size / 1024:.0f} KB)   target ≤ 1.0 s   {'OK' if med <= 1.0 else 'OVER'}"
    )
    v = verify_submission(path, trust)
    assert v.ok, v.message
    med_v, best_v = _median(lambda: verify_submission(path, trust), repeats * 4)
    print(
        f"verification (zip + calamine, no openpyxl): median {med_v * 1000:.1f} ms, best {best_v * 1000:.1f} ms "
        f"(n={repeats * 4})   target ≤ 50 ms   {'OK' if med_v <= 0.050 else 'OVER'}"
    )
    med_o, best_o = _median(lambda: openpyxl.load_workbook(path), max(3, repeats // 2))
    print(
        f"openpyxl full load of the same file: median {med_o * 1000:.0f} ms, best {best_o * 1000:.0f} ms   "
        f"→ verification is {med_o / med_v:.0f}× faster than just loading it with openpyxl"
    )
    db.dispose()


def bench_demo(work: Path, spec: str) -> None:
    from dxdesk.exchange.demo import build_demo

    sections, measures = (int(x) for x in spec.lower().split("x"))
    t = time.perf_counter()
    cpu = time.process_time()
    s = build_demo(work / "demo", sections=sections, measures_per_section=measures, seed=1)
    wall = time.perf_counter() - t
    tm = s.timings
    print(
        f"dxdesk demo --sections {sections} --measures-per-section {measures}: {wall:.0f} s wall "
        f"(central {tm['central']:.1f} s, kits {tm['kits']:.1f} s, sections {tm['sections']:.1f} s; "
        f"main-process CPU {time.process_time() - cpu:.0f} s; {len(s.submissions)} submissions)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measures", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--demo", metavar="SxM", help="also time `dxdesk demo` with S sections × M measures")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    work = Path(tempfile.mkdtemp(prefix="dxdesk-bench-"))
    try:
        bench_export_verify(work, args.measures, args.repeats)
        if args.demo:
            bench_demo(work, args.demo)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
