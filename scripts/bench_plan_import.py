"""Plan intake at a city's scale: a 1,000-measure list with 3 indicators each, typed as offices publish
it (a title row, a two-row header with merged years, 「累計 3,210 人」「12.5%/年」「2,400 時間/年」, 全角),
imported with ``import_list`` — finding the header and proposing the mapping included — into an empty
central database; then the same list again (nothing new). Each import runs in a fresh process, so its
peak memory is its own. For comparison (the baseline), the plan master import of the same plan, as
scripts/bench_plan_master.py measures it.

    .venv/bin/python scripts/bench_plan_import.py [--measures 1000] [--indicators 3] [--no-baseline]

Target: the list import in ≤ 3 s and ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = ("人", "件", "%", "時間", "回", "団体")


def _value(i: int, k: int, step: int) -> str:
    unit = UNITS[(i + k) % len(UNITS)]
    n = 100 + i * 7 + k * 13 + step * 11
    if unit == "%":
        return f"{n % 90 + 0.5:.1f}%"
    if unit == "時間":
        return f"{n * 10:,} 時間/年"
    if unit == "人" and k == 0:
        return f"累計 {n * 3:,} 人"
    if unit == "件" and i % 7 == 0:
        return f"{n:,}件".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    return f"{n:,}{unit}"


def write_list(path: Path, measures: int, indicators: int) -> None:
    from openpyxl import Workbook

    from scripts.make_sample_lists import KPI_COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("施策一覧")
    ws.append(["令和7年度 DX推進計画 施策・KPI一覧"])
    ws.append([])
    ws.append(["分野", "施策番号", "施策名", "所管課", *KPI_COLUMNS])
    ws.append([None] * 7 + ["目標", "実績", "目標", "実績", "目標", "実績", None])
    for i in range(measures):
        for k in range(indicators):
            unit = UNITS[(i + k) % len(UNITS)]
            first = k == 0
            ws.append(
                [
                    f"分野{i // 100 + 1}" if first else None,
                    f"{i + 1:04d}" if first else None,
                    f"施策{i + 1}　デジタル化の推進" if first else None,
                    f"課{i % 200 + 1:03d}" if first else None,
                    f"指標{k + 1}（施策{i + 1}）",
                    unit,
                    _value(i, k, 0),
                    _value(i, k, 1),
                    _value(i, k, 2),
                    _value(i, k, 3),
                    _value(i, k, 4),
                    _value(i, k, 5),
                    None,
                    f"約{_value(i, k, 9)}" if k == 2 else _value(i, k, 9),
                ]
            )
    wb.save(path)


def child(args: argparse.Namespace) -> None:
    """One import in this process: its time and peak memory as JSON on stdout."""
    from dxdesk.central.list_import import import_list
    from dxdesk.store.database import open_database

    db = open_database(Path(args.db))
    t = time.perf_counter()
    result = import_list(db, Path(args.file), fy=2026)
    seconds = time.perf_counter() - t
    db.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak,
                "errors": len(result.errors),
                "warnings": len(result.problems) - len(result.errors),
                "measures": result.measures,
                "new": result.new_measures,
                "indicators": result.indicators,
                "values": result.values,
                "header_rows": list(result.header.rows) if result.header else None,
                "first_error": str(result.errors[0]) if result.errors else "",
            }
        )
    )


def run_child(db: Path, path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--db", str(db), "--file", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline(folder: Path, measures: int) -> tuple[float, float]:
    """The plan master import of a plan of the same size (bench_plan_master.py's figure)."""
    code = f"""
import resource, time, sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from dxdesk.central.plan_master import import_plan_master, write_template
from dxdesk.store.database import open_database
from dxdesk.store.dataset import export_dataset, import_dataset
from dxdesk.store.synthetic import synthetic_dataset
folder = Path({str(folder)!r})
src = open_database(folder / "bsrc.sqlite")
with src.session(audit=False) as s:
    plan = import_dataset(s, synthetic_dataset(200, {max(1, measures // 200)}, seed=1))
    data = export_dataset(s, plan.code)
write_template(folder / "master.xlsx", data)
src.dispose()
db = open_database(folder / "bmaster.sqlite")
t = time.perf_counter()
r = import_plan_master(db, folder / "master.xlsx")
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, peak = out.stdout.split()
    return float(seconds), float(peak)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--measures", type=int, default=1000)
    p.add_argument("--indicators", type=int, default=3)
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--file", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
        return
    folder = Path(tempfile.mkdtemp(prefix="dxdesk-bench-list-"))
    path = folder / "施策一覧.xlsx"
    t = time.perf_counter()
    write_list(path, args.measures, args.indicators)
    t_write = time.perf_counter() - t
    db = folder / "central.sqlite"
    first = run_child(db, path)
    again = run_child(db, path)
    print(
        f"list: {args.measures:,} measures × {args.indicators} indicators, file {path.stat().st_size / 1e6:.1f} MB "
        f"(written in {t_write:.1f} s)"
    )
    print(
        f"import-list into an empty central database: {first['seconds']:6.2f} s  peak {first['peak_mb']:5.0f} MB  "
        f"errors {first['errors']}  measures {first['measures']:,} (new {first['new']:,})  "
        f"indicators {first['indicators']:,}  values {first['values']:,}  header rows {first['header_rows']}"
    )
    print(
        f"the same list again (nothing new):          {again['seconds']:6.2f} s  peak {again['peak_mb']:5.0f} MB  "
        f"errors {again['errors']}  new {again['new']}"
    )
    if first["errors"]:
        print(f"first error: {first['first_error']}")
    if not args.no_baseline:
        b_seconds, b_peak = baseline(folder, args.measures)
        print(
            f"baseline: plan master import of a same-size plan: {b_seconds:6.2f} s  peak {b_peak:5.0f} MB  "
            f"(list import / baseline: {float(first['seconds']) / b_seconds:.2f}× time, "
            f"{float(first['peak_mb']) / b_peak:.2f}× memory)"
        )
    ok = float(first["seconds"]) <= 3 and float(first["peak_mb"]) <= 300 and not first["errors"]
    print("target (≤ 3 s, ≤ 300 MB, 0 errors):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
