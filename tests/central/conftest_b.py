"""Fixtures and helpers of the plan master and central GUI tests (imported explicitly by those test
modules; tests/central/conftest.py belongs to the merge/review tests).

``demo_master`` is the demo plan (デモ市) in a central database plus its plan master workbook, built
once per session; tests work on copies (``central_copy``)."""

from __future__ import annotations

import itertools
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

__all__ = [
    "DemoMaster",
    "Scenario",
    "central_copy",
    "central_scenario",
    "demo_master",
    "edit_cells",
    "find_row",
    "master_backend",
    "office",
    "plan_dump",
]


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


_copies = itertools.count(1)
_pg_templates: dict[Any, str] = {}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def master_backend(request: pytest.FixtureRequest, demo_master: DemoMaster) -> tuple[str, Any]:
    """("sqlite", None) or ("postgresql", (server, template database)): the demo plan in a central
    database on each backend the central office may use."""
    if request.param == "sqlite":
        return ("sqlite", None)
    server = request.getfixturevalue("pg_server")
    if server not in _pg_templates:  # pytest may set a parametrised session fixture up again
        template = f"plan_master_template_{len(_pg_templates) + 1}"
        db = create_demo_database(server.create_database(template), role="central")
        db.dispose()
        _pg_templates[server] = template
    return ("postgresql", (server, _pg_templates[server]))


@pytest.fixture
def central_copy(demo_master: DemoMaster, master_backend: tuple[str, Any], tmp_path: Path):  # type: ignore[no-untyped-def]
    """(database, workbook path): the demo central database (SQLite file copy or PostgreSQL database made
    from a template) and its plan master, copied into this test's folder."""
    shutil.copyfile(demo_master.workbook, tmp_path / "master.xlsx")
    backend, pg = master_backend
    if backend == "sqlite":
        shutil.copyfile(demo_master.db_path, tmp_path / "central.sqlite")
        db = open_database(tmp_path / "central.sqlite")
    else:
        server, template = pg
        db = open_database(server.create_database(f"pm{next(_copies)}", template=template))
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


def edit_cells(
    path: Path, sheet: str, edits: dict[tuple[int, str], Any], *, append: list[dict[str, Any]] | None = None
) -> None:
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


# --- the central office's scenario for the GUI tests ----------------------------------------------

FY = 2026


@dataclass(frozen=True)
class Scenario:
    """``dxdesk demo`` with 4 sections × 3 measures, plus files a central office meets in its inbox."""

    root: Path
    central: Path
    kits: Path  # folder
    submissions: list[Path]
    sections: dict[str, Path]  # section code → its database
    conflict: Path  # same revision as the first section's submission, other content
    bad: dict[str, Path]  # a 0-byte file, a text file, a kit, Excel's lock file

    def section_codes(self) -> list[str]:
        return sorted(self.sections)


def _conflicting_submission(section_db: Path, code: str, out: Path) -> Path:
    """Export the same revision again after a change: delete the export record, edit a text, export."""
    from sqlalchemy import delete, select

    from dxdesk.exchange.submission import export_submission
    from dxdesk.store.models import MeasureYear, SheetText, SubmissionExport

    db = open_database(section_db)
    try:
        with db.session(user="テスト") as s:
            s.execute(delete(SubmissionExport).where(SubmissionExport.section_code == code))
            text = s.scalars(
                select(SheetText)
                .join(MeasureYear)
                .where(MeasureYear.fiscal_year == FY, SheetText.field == "result")
            ).first()
            assert text is not None
            text.text = text.text + "（別の担当者が書き直した版）"
        return export_submission(db, FY, code, "別の 担当者", "別の 課長", out).path
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def central_scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    from dxdesk.exchange.demo import build_demo

    root = tmp_path_factory.mktemp("central_scenario")
    demo = build_demo(root / "demo", sections=4, measures_per_section=3, seed=5, workers=2)
    sections = {p.stem: p for p in demo.sections}
    first = sorted(sections)[0]
    copy = root / f"{first}-other.sqlite"
    shutil.copyfile(sections[first], copy)
    conflict = _conflicting_submission(copy, first, root / "conflict")
    bad_dir = root / "bad"
    bad_dir.mkdir()
    (bad_dir / "空のファイル.xlsx").write_bytes(b"")
    (bad_dir / "メモ.txt").write_text("提出ファイルではありません", encoding="utf-8")
    (bad_dir / "~$R08_S001_提出.xlsx").write_bytes(b"lock")
    kit = sorted((root / "demo" / "kits").glob("*配布*.xlsx"))[0]
    bad = {
        "empty": bad_dir / "空のファイル.xlsx",
        "text": bad_dir / "メモ.txt",
        "lock": bad_dir / "~$R08_S001_提出.xlsx",
        "kit": kit,
    }
    return Scenario(
        root, demo.central, root / "demo" / "kits", sorted(demo.submissions), sections, conflict, bad
    )


@pytest.fixture
def office(central_scenario: Scenario, tmp_path: Path) -> Scenario:
    """The scenario's databases copied into this test's folder (the files are only read)."""
    shutil.copyfile(central_scenario.central, tmp_path / "central.sqlite")
    sections = {}
    for code, path in central_scenario.sections.items():
        sections[code] = tmp_path / path.name
        shutil.copyfile(path, sections[code])
    return Scenario(
        central_scenario.root,
        tmp_path / "central.sqlite",
        central_scenario.kits,
        central_scenario.submissions,
        sections,
        central_scenario.conflict,
        central_scenario.bad,
    )
