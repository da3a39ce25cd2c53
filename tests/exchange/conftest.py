"""Fixtures for the exchange tests: a small but complete round trip, built once per session.

``world`` holds a central database with its CA, kits for three sections, section S001's database made
from its kit and completed, and signed submissions of S001 and S002. Tests that change anything work on
copies (``copy_world``), never on the shared files.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from dxdesk.exchange.authority import load_trust
from dxdesk.exchange.demo import complete_for_submission
from dxdesk.exchange.kit import IssuedKit, issue_kits
from dxdesk.exchange.kit_import import import_kit
from dxdesk.exchange.submission import export_submission
from dxdesk.exchange.verify import Trust
from dxdesk.store.database import open_database
from dxdesk.store.dataset import import_dataset
from dxdesk.store.settings_store import set_setting
from dxdesk.store.synthetic import synthetic_dataset

FY = 2026


@dataclass(frozen=True)
class World:
    root: Path
    central: Path
    kits: dict[str, IssuedKit]
    section_db: Path
    submission: Path  # S001, revision 1
    other_submission: Path  # S002, revision 1
    trust: Trust


def make_section(root: Path, kit: IssuedKit, name: str) -> tuple[Path, Path]:
    r = import_kit(kit.path, kit.passphrase, root / "data", db_path=root / f"{name}.sqlite")
    db = open_database(r.db_path)
    try:
        with db.session(user="テスト") as s:
            complete_for_submission(s, FY, kit.section_code, seed="t")
        sub = export_submission(db, FY, kit.section_code, "山田 太郎", "佐藤 一郎", root / "submissions")
    finally:
        db.dispose()
    return r.db_path, sub.path


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("world")
    central = open_database(root / "central.sqlite")
    try:
        with central.session(audit=False) as s:
            plan = import_dataset(s, synthetic_dataset(3, 4, seed=11))
            set_setting(s, "role", "central")
            set_setting(s, "plan_code", plan.code)
        batch = issue_kits(central, FY, root / "kits")
        with central.session() as s:
            trust = load_trust(s)
    finally:
        central.dispose()
    kits = {k.section_code: k for k in batch.kits}
    section_db, submission = make_section(root, kits["S001"], "S001")
    _db2, other = make_section(root, kits["S002"], "S002")
    return World(root, root / "central.sqlite", kits, section_db, submission, other, trust)


@pytest.fixture
def copy_world(world: World, tmp_path: Path) -> World:
    """The world's databases and files copied into this test's folder."""
    for name in ("central.sqlite", "S001.sqlite", "S002.sqlite"):
        shutil.copyfile(world.root / name, tmp_path / name)
    for folder in ("kits", "submissions"):
        shutil.copytree(world.root / folder, tmp_path / folder)
    kits = {c: replace(k, path=tmp_path / "kits" / k.path.name) for c, k in world.kits.items()}
    return World(
        tmp_path,
        tmp_path / "central.sqlite",
        kits,
        tmp_path / "S001.sqlite",
        tmp_path / "submissions" / world.submission.name,
        tmp_path / "submissions" / world.other_submission.name,
        world.trust,
    )


@dataclass(frozen=True)
class SampleSection:
    """A sample plan's first section, as it stands after receiving its kit and completing its year."""

    fiscal_year: int
    section: str
    first_measure: str  # the code of the plan's first measure (owned by ``section``)
    trust: Trust  # the central office's, to verify what the section exports
    db_path: Path  # the section's database
    when: dt.datetime  # the kit's day in the sample's own year; use it as the export time too


def sample_section(sample: str, root: Path, monkeypatch: pytest.MonkeyPatch, *, seed: str) -> SampleSection:
    """Load the sample plan (resources/samples) centrally without charts (their axes print numbers of
    their own; a signed workbook draws none), issue the kits in the sample's own year (a kit for a year
    long past could not be issued today), import the first section's kit and complete its year."""
    from dxdesk.exchange import certificates
    from tests.report.conftest import SAMPLES

    data = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
    data["plan"].setdefault("settings", {})["charts"] = False
    first = data["measures"][0]
    section = first["owner"]
    central = open_database(root / "central.sqlite")
    try:
        with central.session(audit=False) as s:
            plan = import_dataset(s, data)
            set_setting(s, "role", "central")
            set_setting(s, "plan_code", plan.code)
            fy = plan.current_fy
        when = dt.datetime(fy, 6, 1, tzinfo=dt.UTC)
        monkeypatch.setattr(certificates, "_now", lambda: when)
        batch = issue_kits(central, fy, root / "kits", slips=False, now=when)
        kit = next(k for k in batch.kits if k.section_code == section)
        with central.session() as s:
            trust = load_trust(s)
    finally:
        central.dispose()
    r = import_kit(kit.path, kit.passphrase, root / "data", db_path=root / "section.sqlite")
    db = open_database(r.db_path)
    try:
        with db.session(user="テスト") as s:
            complete_for_submission(s, fy, section, seed=seed)
    finally:
        db.dispose()
    return SampleSection(fy, section, first["code"], trust, r.db_path, when)


@pytest.fixture
def fresh_session(monkeypatch):
    """A process that has remembered no passphrase and unlocked no key, with no passphrase in the
    environment and no DPAPI (as on Linux and macOS)."""
    from dxdesk.exchange import credentials_store as cs

    monkeypatch.setattr(cs, "_CA_PASSPHRASE", [])
    monkeypatch.setattr(cs, "_SECTION_PASSPHRASES", {})
    monkeypatch.setattr(cs, "_UNLOCKED", {})
    monkeypatch.setattr(cs, "_BACKEND", [None])
    monkeypatch.delenv("DXDESK_CA_PASSPHRASE", raising=False)
    monkeypatch.delenv("DXDESK_PASSPHRASE", raising=False)
