#!/usr/bin/env python3
"""Benchmark: the organisation report (``dxdesk print --kind report``) for 1,000 measures.

Target: ≤ 30 s, with memory bounded — pages streamed, not held. Each size runs in its own
process so that peak RSS (``resource.getrusage``) belongs to that run alone; the script prints time,
pages, pages per second, peak RSS and the growth of RSS during printing, for 250, 500 and 1,000
measures, and once more for 1,000 with reportlab's default page handling (pages kept uncompressed until
the end) as the in-run baseline for memory. Python heap peak (tracemalloc) is measured in a separate
run of the 1,000-measure report because tracing slows the program down.

    .venv/bin/python scripts/bench_print.py            # full run (about two minutes)
    .venv/bin/python scripts/bench_print.py --sizes 100 --no-baseline   # quick look

Synthetic data: ``dxdesk.store.synthetic.synthetic_dataset`` (100 sections × 10 measures, 1–4
indicators each, realistic text lengths); databases are built once in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 30.0


def _rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows: no resource module
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, AttributeError):
        return float("nan")


def build_db(path: Path, measures: int) -> None:
    from dxdesk.store.database import open_database
    from dxdesk.store.dataset import import_dataset
    from dxdesk.store.synthetic import synthetic_dataset

    sections = max(1, measures // 10)
    db = open_database(path)
    with db.session(audit=False) as s:
        import_dataset(
            s, synthetic_dataset(sections=sections, measures_per_section=measures // sections, seed=6)
        )
    db.dispose()


def run_one(db_path: Path, out: Path, *, plain: bool, trace: bool) -> dict[str, float]:
    """One print in this process; returns the figures as a dict (printed as JSON by the child)."""
    from dxdesk.report.documents import PrintJob, make_pdf
    from dxdesk.store.database import open_database

    if plain:  # reportlab's default: finished pages kept uncompressed in memory, compressed at save()
        from reportlab.pdfgen.canvas import Canvas

        from dxdesk.report import pages

        pages.CompactCanvas.showPage = Canvas.showPage  # type: ignore[method-assign]
        original = pages.CompactCanvas.__init__

        def init(self, *a, **k):  # type: ignore[no-untyped-def]
            k["pageCompression"] = 1
            original(self, *a, **k)

        pages.CompactCanvas.__init__ = init  # type: ignore[method-assign]
    db = open_database(db_path)
    # warm up imports and the font so that only printing is measured
    from dxdesk.report.fonts import find_font

    find_font()
    if trace:
        import tracemalloc

        tracemalloc.start()
    rss_before = _current_rss_mb()
    started = time.perf_counter()
    result = make_pdf(db, out, PrintJob(kind="report"))
    seconds = time.perf_counter() - started
    figures = {
        "seconds": seconds,
        "pages": result.pages,
        "sheets": result.sheets,
        "rss_before_mb": rss_before,
        "peak_rss_mb": _rss_mb(),
        "pdf_mb": out.stat().st_size / (1024 * 1024),
    }
    if trace:
        import tracemalloc

        figures["heap_peak_mb"] = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    db.dispose()
    return figures


def child(argv: list[str]) -> dict[str, float]:
    cmd = [sys.executable, __file__, *argv]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"benchmark child failed: {' '.join(argv)}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="250,500,1000", help="numbers of measures, comma separated")
    p.add_argument("--no-baseline", action="store_true", help="skip the uncompressed-pages baseline run")
    p.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    p.add_argument("--work", help="folder for the databases and PDFs (default: a temporary folder)")
    p.add_argument("--one", help=argparse.SUPPRESS)  # child mode: database path
    p.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.one:
        db = Path(args.one)
        figures = run_one(
            db, db.with_suffix(".plain.pdf" if args.plain else ".pdf"), plain=args.plain, trace=args.trace
        )
        print(json.dumps(figures))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="dxdesk-bench-print-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        "dxdesk print benchmark — organisation report (cover, distributions, overview, findings, every sheet)"
    )
    print(f"work folder: {work}")
    rows: list[tuple[str, dict[str, float]]] = []
    for n in sizes:
        db = work / f"report-{n}.sqlite"
        if not db.exists():
            t = time.perf_counter()
            build_db(db, n)
            print(f"  built {n} measures in {time.perf_counter() - t:.1f} s")
        rows.append((f"{n}", child(["--one", str(db)])))
    biggest = work / f"report-{max(sizes)}.sqlite"
    if not args.no_baseline:
        rows.append(
            (f"{max(sizes)} (pages held, reportlab default)", child(["--one", str(biggest), "--plain"]))
        )
    print()
    print(
        f"{'measures':<38}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'peak RSS MB':>13}{'RSS growth MB':>15}{'PDF MB':>8}{'vs 30 s':>9}"
    )
    for label, f in rows:
        growth = f["peak_rss_mb"] - f["rss_before_mb"]
        print(
            f"{label:<38}{f['pages']:>7.0f}{f['seconds']:>9.1f}{f['pages'] / f['seconds']:>9.0f}"
            f"{f['peak_rss_mb']:>13.1f}{growth:>15.1f}{f['pdf_mb']:>8.1f}{f['seconds'] / TARGET_SECONDS:>8.2f}×"
        )
    if len(rows) >= 2 and not args.no_baseline:
        streamed = rows[len(sizes) - 1][1]
        held = rows[-1][1]
        g1 = streamed["peak_rss_mb"] - streamed["rss_before_mb"]
        g2 = held["peak_rss_mb"] - held["rss_before_mb"]
        print(
            f"\nmemory growth while printing {max(sizes)} measures: {g1:.1f} MB streamed vs {g2:.1f} MB held ({g1 / g2:.2f}×)"
        )
    if not args.no_trace:
        traced = child(["--one", str(biggest), "--trace"])
        print(
            f"python heap peak (tracemalloc) printing {max(sizes)} measures: {traced['heap_peak_mb']:.1f} MB "
            f"(run took {traced['seconds']:.1f} s with tracing)"
        )
    worst = max(f["seconds"] for label, f in rows if "held" not in label)
    print(
        f"\ntarget ≤ {TARGET_SECONDS:.0f} s for 1,000 measures: {'met' if worst <= TARGET_SECONDS else 'NOT met'} "
        f"(slowest {worst:.1f} s = {worst / TARGET_SECONDS:.2f} of the budget)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
