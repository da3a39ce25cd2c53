"""The central office's demo (``dxdesk --central-demo``, ``make run-central``): デモ市's whole scenario
with most sections' submissions already merged, so a newcomer sees a populated central window.

The folder holds what ``dxdesk demo`` builds (``central.sqlite``, ``kits/``, ``sections/``,
``submissions/``). All submissions but the last :data:`HELD_BACK` sections' are merged: the status board
shows 提出済 and 未提出 sections, and dropping ``submissions/`` into the inbox shows the held-back files
accepted and the others as duplicates. Everything runs in this process (no worker processes: the GUI may
already run threads) and takes about 5 s. A marker file is written last, so a build that was stopped
half-way is started afresh the next time instead of being opened.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from dxdesk.central.merge import merge_paths
from dxdesk.exchange.demo import build_demo
from dxdesk.files import write_text_atomic
from dxdesk.paths import data_dir
from dxdesk.store.database import open_database

__all__ = ["HELD_BACK", "central_demo_folder", "ensure_central_demo"]

HELD_BACK = 2
_READY = "ready.txt"
_SEALED = "keys=sealed"  # in the marker: a folder built before CA keys were sealed is built again

Progress = Callable[[int, int, str], None]


def central_demo_folder() -> Path:
    return data_dir() / "central-demo"


def ensure_central_demo(
    folder: Path | None = None, *, reset: bool = False, progress: Progress | None = None
) -> Path:
    """The central database of the demo scenario in ``folder`` (built when missing or incomplete)."""
    folder = folder or central_demo_folder()
    central = folder / "central.sqlite"
    marker = folder / _READY
    if not reset and marker.is_file() and _SEALED in marker.read_text(encoding="utf-8") and central.is_file():
        return central
    if folder.exists():
        shutil.rmtree(folder)
    report = progress or (lambda _i, _n, _m: None)
    scenario = build_demo(folder, workers=1, progress=lambda i, _n, m: report(i, 5, m))
    held = sorted(p.stem for p in scenario.sections)[-HELD_BACK:]
    send = [p for p in scenario.submissions if not any(f"_{code}_" in p.name for code in held)]
    report(4, 5, "提出ファイルを中央のデータベースに取り込んでいます")
    db = open_database(central)
    try:
        merge_paths(db, send, workers=1, user="デモ")
    finally:
        db.dispose()
    write_text_atomic(
        folder / _READY,
        f"dxdesk central demo: {len(send)} submissions merged, held back: {', '.join(held)}\n{_SEALED}\n",
    )
    report(5, 5, "完了しました")
    return central
