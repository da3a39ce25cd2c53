"""The central office's fixtures: the one place its tests get their data from.

Three worlds, each built once per session and copied for every test, so that no test changes the
shared files:

- ``scenario`` (parametrised over SQLite and PostgreSQL) holds a central database made the real way —
plan imported, kits issued for four sections — and, from those kits, three section databases with
their signed submissions (S004 never submits), a second revision of S001, a *conflicting* second
revision of S001 made from a copy of its database, and a submission of S002 for the previous year.
Tests get a fresh copy of the central database (``scenario.new_central()``: a file copy on SQLite,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL). ``foreign_submission`` is another municipality's.
- ``demo_master`` is the demo plan (デモ市) in a central database plus its plan master workbook;
  ``central_copy`` gives a test its own copy on each backend (``master_backend``).
- ``central_scenario`` is ``dxdesk demo`` with 4 sections × 3 measures plus the files a central office
  meets in its inbox (a conflicting revision, an empty file, a text file, a kit, Excel's lock file), for
  the window tests; ``office`` gives a test its own copies of the databases.

The helpers that make the files (``export``, ``set_result_text``, ``edit_cells`` …) are shared by all
three. The PostgreSQL server is a throw-away one (``tests/central/pg.py``), started once per session.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import delete, select

from dxdesk.central.plan_master import export_template
from dxdesk.exchange.demo import build_demo, complete_for_submission
from dxdesk.exchange.kit import IssuedKit, issue_kits
from dxdesk.exchange.kit_import import import_kit
from dxdesk.exchange.submission import export_submission
from dxdesk.store.database import Database, open_database
from dxdesk.store.dataset import export_dataset, import_dataset
from dxdesk.store.demo import create_demo_database
from dxdesk.store.models import Measure, MeasureYear, SheetText, SubmissionExport
from dxdesk.store.settings_store import set_setting
from dxdesk.store.synthetic import synthetic_dataset
from tests.central.pg import PgServer

FY = 2026
BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count(1)


@dataclass
class Scenario:
    backend: str
    root: Path
    template: str  # SQLite file or PostgreSQL template database
    kits: dict[str, IssuedKit]
    section_dbs: dict[str, Path]
    r1: dict[str, Path]  # revision 1 of S001, S002, S003
    s001_r2: Path
    s001_r2_conflict: Path  # also revision 2 of S001, other content
    s002_previous_year: Path
    pg: PgServer | None = None
    changed_text: dict[str, str] = field(default_factory=dict)  # what r2 / the conflict changed

    def new_central(self, tmp_path: Path) -> Database:
        if self.pg is None:
            target = tmp_path / f"central-{next(_counter)}.sqlite"
            shutil.copyfile(self.template, target)
            return open_database(target)
        return open_database(self.pg.create_database(f"t{next(_counter)}", template=self.template))

    def url_of(self, db: Database) -> str:
        return db.url


def set_result_text(db_path: Path, measure_code: str, text: str) -> None:
    """Type a text into the measure's 取組結果 of the year, as the section would."""
    db = open_database(db_path)
    try:
        with db.session(user="テスト") as s:
            my = s.scalar(
                select(MeasureYear)
                .join(Measure, Measure.id == MeasureYear.measure_id)
                .where(Measure.code == measure_code, MeasureYear.fiscal_year == FY)
            )
            assert my is not None
            row = next((t for t in my.texts if t.field == "result"), None)
            if row is None:
                my.texts.append(SheetText(field="result", text=text))
            else:
                row.text = text
    finally:
        db.dispose()


def export(
    db_path: Path,
    section: str,
    out: Path,
    fy: int = FY,
    *,
    people: tuple[str, str] = ("山田 太郎", "佐藤 一郎"),
) -> Path:
    """Export the section's signed submission of the year into ``out`` (entered by, approved by)."""
    db = open_database(db_path)
    try:
        return export_submission(db, fy, section, people[0], people[1], out).path
    finally:
        db.dispose()


# --- the year on both backends -------------------------------------------------------------------


def _build(backend: str, root: Path, pg: PgServer | None) -> Scenario:
    data = synthetic_dataset(4, 3, seed=5)
    if pg is None:
        template = str(root / "central.sqlite")
        central = open_database(template)
    else:
        template = "central_template"
        central = open_database(pg.create_database(template))
    try:
        with central.session(audit=False) as s:
            plan = import_dataset(s, data)
            set_setting(s, "role", "central")
            set_setting(s, "plan_code", plan.code)
        kits = {k.section_code: k for k in issue_kits(central, FY, root / "kits").kits}
        previous = issue_kits(central, FY - 1, root / "kits_previous", section_codes=["S002"]).kits[0]
    finally:
        central.dispose()
    sections: dict[str, Path] = {}
    r1: dict[str, Path] = {}
    for code in ("S001", "S002", "S003"):
        r = import_kit(kits[code].path, kits[code].passphrase, root / "data", db_path=root / f"{code}.sqlite")
        db = open_database(r.db_path)
        with db.session(user="テスト") as s:
            complete_for_submission(s, FY, code, seed="t")
        db.dispose()
        sections[code] = r.db_path
        r1[code] = export(r.db_path, code, root / "r1")
    # S001: a second revision, and from a copy of its database a different second revision
    first = _first_measure(sections["S001"])
    copy = root / "S001-copy.sqlite"
    shutil.copyfile(sections["S001"], copy)
    set_result_text(sections["S001"], first, "第2版で書き直した取組結果。")
    r2 = export(sections["S001"], "S001", root / "r2")
    set_result_text(copy, first, "別のパソコンで書いた取組結果。")
    conflict = export(copy, "S001", root / "r2-conflict")
    # S002: last year's submission (a kit for that year, imported into the same database)
    import_kit(previous.path, previous.passphrase, root / "data", db_path=sections["S002"])
    db = open_database(sections["S002"])
    with db.session(user="テスト") as s:
        complete_for_submission(s, FY - 1, "S002", seed="t")
    db.dispose()
    old = export(sections["S002"], "S002", root / "previous-year", fy=FY - 1)
    return Scenario(
        backend,
        root,
        template,
        kits,
        sections,
        r1,
        r2,
        conflict,
        old,
        pg,
        {"measure": first, "r2": "第2版で書き直した取組結果。", "conflict": "別のパソコンで書いた取組結果。"},
    )


def _first_measure(db_path: Path) -> str:
    db = open_database(db_path)
    try:
        with db.session() as s:
            code = s.scalar(
                select(Measure.code).where(Measure.owner_section_code == "S001").order_by(Measure.sort_order)
            )
            assert code is not None
            return code
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    with PgServer() as server:
        yield server


_built: dict[str, Scenario] = {}


@pytest.fixture(scope="session", params=BACKENDS)
def scenario(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    backend = request.param
    if backend not in _built:
        pg = request.getfixturevalue("pg_server") if backend == "postgresql" else None
        _built[backend] = _build(backend, tmp_path_factory.mktemp(f"scenario-{backend}"), pg)
    return _built[backend]


@pytest.fixture
def central(scenario: Scenario, tmp_path: Path) -> Iterator[Database]:
    db = scenario.new_central(tmp_path)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def foreign_submission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid submission of another municipality's plan (its own CA, plan code ``otherplan``)."""
    root = tmp_path_factory.mktemp("foreign")
    central = open_database(root / "central.sqlite")
    try:
        with central.session(audit=False) as s:
            plan = import_dataset(s, synthetic_dataset(1, 2, seed=9, plan_code="otherplan"))
            set_setting(s, "role", "central")
            set_setting(s, "plan_code", plan.code)
        kit = issue_kits(central, FY, root / "kits").kits[0]
    finally:
        central.dispose()
    r = import_kit(kit.path, kit.passphrase, root / "data", db_path=root / "S001.sqlite")
    db = open_database(r.db_path)
    with db.session(user="テスト") as s:
        complete_for_submission(s, FY, kit.section_code, seed="t")
    db.dispose()
    return export(r.db_path, kit.section_code, root / "out")


# --- the demo plan and its plan master workbook ---------------------------------------------------


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
        db = open_database(server.create_database(f"pm{next(_counter)}", template=template))
    yield db, tmp_path / "master.xlsx"
    db.dispose()


def plan_dump(db: Database) -> dict[str, Any]:
    with db.session() as s:
        return export_dataset(s, "demo-dx")


def libreoffice_convert(src: Path, out: Path, to: str) -> Path:
    """``src`` opened in LibreOffice (headless, its own profile under ``out``) and saved into ``out``
    as ``to`` ("pdf", "xlsx"): what a person's LibreOffice makes of the file."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (scripts/apt-packages.extra lists libreoffice-calc-nogui)"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / f"{src.stem}.{to}"


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


# --- the central office's inbox, for the window tests ---------------------------------------------


@dataclass(frozen=True)
class OfficeScenario:
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
    finally:
        db.dispose()
    return export(section_db, code, out, people=("別の 担当者", "別の 課長"))


@pytest.fixture(scope="session")
def central_scenario(tmp_path_factory: pytest.TempPathFactory) -> OfficeScenario:
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
    return OfficeScenario(
        root, demo.central, root / "demo" / "kits", sorted(demo.submissions), sections, conflict, bad
    )


@pytest.fixture
def office(central_scenario: OfficeScenario, tmp_path: Path) -> OfficeScenario:
    """The scenario's databases copied into this test's folder (the files are only read)."""
    shutil.copyfile(central_scenario.central, tmp_path / "central.sqlite")
    sections = {}
    for code, path in central_scenario.sections.items():
        sections[code] = tmp_path / path.name
        shutil.copyfile(path, sections[code])
    return OfficeScenario(
        central_scenario.root,
        tmp_path / "central.sqlite",
        central_scenario.kits,
        central_scenario.submissions,
        sections,
        central_scenario.conflict,
        central_scenario.bad,
    )
