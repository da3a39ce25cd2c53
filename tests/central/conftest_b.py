"""Fixtures and helpers of the plan master and central GUI tests (imported explicitly by those test
modules; tests/central/conftest.py belongs to the merge/review tests).

``demo_master`` is the demo plan (デモ市) in a central database plus its plan master workbook, built
once per session; tests work on copies (``central_copy``)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from dxdesk.central.plan_master import export_template
from dxdesk.store.database import Database, open_database
from dxdesk.store.dataset import export_dataset
from dxdesk.store.demo import create_demo_database

__all__ = ["DemoMaster", "central_copy", "demo_master", "edit_cells", "find_row", "plan_dump"]


@dataclass(frozen=True)
class DemoMaster:
    db_path: Path
    workbook: Path


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> DemoMaster:
    root = tmp_path_factory.mktemp("plan_master")
    db = create_demo_database(root / "central.sqlite", role="central")
    try:
        export_template(db, root / "master.xlsx")
    finally:
        db.dispose()
    return DemoMaster(root / "central.sqlite", root / "master.xlsx")


@pytest.fixture
def central_copy(demo_master: DemoMaster, tmp_path: Path):  # type: ignore[no-untyped-def]
    """(database, workbook path) copied into this test's folder."""
    shutil.copyfile(demo_master.db_path, tmp_path / "central.sqlite")
    shutil.copyfile(demo_master.workbook, tmp_path / "master.xlsx")
    db = open_database(tmp_path / "central.sqlite")
    yield db, tmp_path / "master.xlsx"
    db.dispose()


def plan_dump(db: Database) -> dict[str, Any]:
    with db.session() as s:
        return export_dataset(s, "demo-dx")


def _column(ws: Any, header: str) -> int:
    for cell in ws[1]:
        if cell.value == header:
            return int(cell.column)
    raise KeyError(f"no column {header!r} on {ws.title}")


def find_row(path: Path, sheet: str, **match: str) -> int:
    """The row number whose cells under the given headers hold the given values."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    cols = {h: _column(ws, h) for h in match}
    for r in range(2, ws.max_row + 1):
        if all(str(ws.cell(row=r, column=c).value) == v for h, c in cols.items() for v in [match[h]]):
            return r
    raise KeyError(f"no row {match} on {sheet}")


def edit_cells(path: Path, sheet: str, edits: dict[tuple[int, str], Any], *, append: list[dict[str, Any]] | None = None) -> None:
    """Change cells (row, header) → value as a person would in Excel, and append rows by header."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for (row, header), value in edits.items():
        ws.cell(row=row, column=_column(ws, header)).value = value  # (value=None would not clear it)
    for values in append or []:
        r = ws.max_row + 1
        for header, value in values.items():
            ws.cell(row=r, column=_column(ws, header), value=value)
    wb.save(path)
