"""Plan master at a city's scale: write the template of a 1,000-measure plan, import it into an empty
central database, import it again (nothing changes), and compare reading the file with python-calamine
(what the import does) to loading it with openpyxl.

    .venv/bin/python scripts/bench_plan_master.py [--sections 200] [--measures 5]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sections", type=int, default=200)
    p.add_argument("--measures", type=int, default=5)
    args = p.parse_args()

    import openpyxl

    from dxdesk.central.plan_master import import_plan_master, read_master, write_template
    from dxdesk.store.database import open_database
    from dxdesk.store.dataset import export_dataset, import_dataset
    from dxdesk.store.settings_store import set_setting
    from dxdesk.store.synthetic import synthetic_dataset

    folder = Path(tempfile.mkdtemp(prefix="dxdesk-bench-pm-"))
    source = open_database(folder / "source.sqlite")
    with source.session(audit=False) as s:
        plan = import_dataset(s, synthetic_dataset(args.sections, args.measures, seed=1))
        set_setting(s, "role", "central")
        data = export_dataset(s, plan.code)
    n_measures = len(data["measures"])
    n_indicators = sum(len(m.get("indicators", [])) for m in data["measures"])
    path = folder / "master.xlsx"

    t = time.perf_counter()
    write_template(path, data)
    t_write = time.perf_counter() - t

    t = time.perf_counter()
    mf = read_master(path)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    openpyxl.load_workbook(path)
    t_openpyxl = time.perf_counter() - t

    target = open_database(folder / "central.sqlite")
    t = time.perf_counter()
    first = import_plan_master(target, path)
    t_import = time.perf_counter() - t
    t = time.perf_counter()
    again = import_plan_master(target, path)
    t_again = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"plan: {n_measures:,} measures, {n_indicators:,} indicators, {args.sections} sections; file {path.stat().st_size / 1e6:.1f} MB"
    )
    print(f"write the template (openpyxl):           {t_write:6.2f} s")
    print(f"read and check it (python-calamine):     {t_read:6.2f} s   ({len(mf.problems)} problems)")
    print(
        f"load it with openpyxl, for comparison:   {t_openpyxl:6.2f} s   ({t_openpyxl / t_read:.1f}× the calamine read)"
    )
    print(
        f"import into an empty central database:   {t_import:6.2f} s   ({'ok' if first.ok else 'ERRORS'}: {first.changes.summary()[:80]}…)"
    )
    print(
        f"import the same file again (no change):  {t_again:6.2f} s   (changes: {'none' if not again.changes.any else again.changes.summary()})"
    )
    print(f"peak memory (RSS):                       {peak:6.0f} MB")
    source.dispose()
    target.dispose()


if __name__ == "__main__":
    main()
