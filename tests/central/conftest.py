"""Fixtures for the central office's tests: a complete year built once per database backend.

``scenario`` (parametrised over SQLite and PostgreSQL) holds a central database made the real way —
plan imported, kits issued for four sections — and, from those kits, three section databases with
their signed submissions (S004 never submits), a second revision of S001, a *conflicting* second
revision of S001 made from a copy of its database, and a submission of S002 for the previous year.
Tests get a fresh copy of the central database (``scenario.new_central()``: a file copy on SQLite,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL) and never change the shared files.

The PostgreSQL server is a throw-away one (``tests/central/pg.py``), started once per session.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from dxdesk.exchange.demo import complete_for_submission
from dxdesk.exchange.kit import IssuedKit, issue_kits
from dxdesk.exchange.kit_import import import_kit
from dxdesk.exchange.submission import export_submission
from dxdesk.store.database import Database, open_database
from dxdesk.store.dataset import import_dataset
from dxdesk.store.models import Measure, MeasureYear, SheetText
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


def export(db_path: Path, section: str, out: Path, fy: int = FY) -> Path:
    db = open_database(db_path)
    try:
        return export_submission(db, fy, section, "山田 太郎", "佐藤 一郎", out).path
    finally:
        db.dispose()


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
