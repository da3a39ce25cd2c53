"""Kits: issuing, the passphrase slips, importing into a section database, updates and refusals."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from sqlalchemy import select

from dxdesk.exchange.certificates import cert_from_pem
from dxdesk.exchange.errors import KitImportError, PassphraseError
from dxdesk.exchange.kit import issue_kits, kit_file_name
from dxdesk.exchange.kit_import import import_kit, merge_kit_data, read_kit_info
from dxdesk.exchange.verify import verify_file
from dxdesk.store.database import open_database
from dxdesk.store.dataset import import_dataset
from dxdesk.store.models import (
    Indicator,
    IndicatorValue,
    IssuedCredential,
    KitImport,
    KitIssue,
    Measure,
    Plan,
    SectionCredential,
    TrustedCA,
)
from dxdesk.store.settings_store import get_setting, set_setting
from dxdesk.store.synthetic import synthetic_dataset

FY = 2026


def test_kits_verify_and_name_their_section(world):
    for code, kit in world.kits.items():
        v = verify_file(kit.path, world.trust)
        assert v.ok, v.message
        assert v.payload["section"]["code"] == code
        assert kit.path.name == kit_file_name(FY, code, kit.section_name, 1)
        assert kit.path.name.startswith(f"R08_{code}_") and kit.path.name.endswith("_配布.xlsx")


def test_kit_cover_and_list_are_readable(world):
    wb = openpyxl.load_workbook(world.kits["S001"].path)
    assert wb.sheetnames[:2] == ["表紙", "施策一覧"]
    assert wb["_dxdesk"].sheet_state == "veryHidden"
    cover = "\n".join(str(c.value) for row in wb["表紙"].iter_rows() for c in row if c.value)
    assert "配布ファイル" in cover and "パスワード通知書" in cover and "S001" in cover
    listing = [[c.value for c in row] for row in wb["施策一覧"].iter_rows()]
    codes = {r[0] for r in listing if r[0]}
    assert {"001-01", "001-02", "001-03", "001-04"} <= codes
    assert any(isinstance(r[5], (int, float)) for r in listing[2:])  # last year's actuals are numbers
    assert "R7 実績" in [c for r in listing for c in r if c]


def test_passphrase_slips(world):
    slips = next((world.root / "kits").glob("R08_パスワード通知書_*.xlsx"))
    wb = openpyxl.load_workbook(slips)
    text = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
    for kit in world.kits.values():
        assert kit.passphrase in text and kit.path.name in text
    assert wb["通知書"].page_setup.paperSize == 9  # A4
    assert wb["通知書"].row_breaks.count == (len(world.kits) - 1) // 3


def test_import_creates_the_section_database(world):
    db = open_database(world.section_db)
    try:
        with db.session() as s:
            assert get_setting(s, "role") == "section"
            assert get_setting(s, "section_code") == "S001"
            owners = set(s.scalars(select(Measure.owner_section_code)))
            assert owners == {"S001"}
            assert s.scalar(select(TrustedCA.fingerprint)) in world.trust.cas
            cred = s.scalar(select(SectionCredential))
            assert cred.serial == world.kits["S001"].credential_serial and cred.superseded_at is None
            assert [(k.fiscal_year, k.version) for k in s.scalars(select(KitImport))] == [(FY, 1)]
            # prior years' data came with the kit
            years = set(s.scalars(select(IndicatorValue.fiscal_year)))
            assert {2020, 2025, 2026} <= years
    finally:
        db.dispose()


def test_importing_the_same_kit_again_changes_nothing(copy_world):
    kit = copy_world.kits["S001"]
    r = import_kit(kit.path, kit.passphrase, copy_world.root, db_path=copy_world.section_db)
    assert r.already and not r.created


def test_wrong_passphrase_creates_nothing(world, tmp_path):
    kit = world.kits["S003"]
    with pytest.raises(PassphraseError, match="パスワードが違います"):
        import_kit(kit.path, "2222-3333-4444-5555", tmp_path / "data")
    assert not (tmp_path / "data" / "dxdesk.sqlite").exists()


def test_import_into_the_data_folder_by_default(world, tmp_path):
    kit = world.kits["S003"]
    r = import_kit(kit.path, kit.passphrase, tmp_path / "data")
    assert r.created and r.db_path == tmp_path / "data" / "dxdesk.sqlite"
    # another section's kit on the same PC gets its own database
    other = world.kits["S002"]
    r2 = import_kit(other.path, other.passphrase, tmp_path / "data")
    assert r2.db_path.name == "dxdesk_synthetic_S002.sqlite"


def test_another_sections_kit_is_refused(copy_world):
    kit = copy_world.kits["S002"]
    with pytest.raises(KitImportError, match="課所室「S001」のものです"):
        import_kit(kit.path, kit.passphrase, copy_world.root, db_path=copy_world.section_db)


def test_a_submission_is_not_a_kit(world, tmp_path):
    with pytest.raises(KitImportError, match="配布ファイルではありません（提出ファイルです）"):
        import_kit(world.submission, "2222-3333-4444-5555", tmp_path)


def test_a_kit_from_another_central_office_is_refused(copy_world, tmp_path):
    other = open_database(tmp_path / "other-central.sqlite")
    try:
        with other.session(audit=False) as s:
            plan = import_dataset(s, synthetic_dataset(3, 4, seed=11))
            set_setting(s, "plan_code", plan.code)
        kit = issue_kits(other, FY, tmp_path / "other-kits", section_codes=["S001"], slips=False).kits[0]
    finally:
        other.dispose()
    with pytest.raises(KitImportError, match="別の中央認証局"):
        import_kit(kit.path, kit.passphrase, tmp_path, db_path=copy_world.section_db)


def test_kits_issued_as_of_a_time_date_their_credentials_then_too(tmp_path):
    """``issue_kits(now=)`` (the reference images, reissues dated by the central office): the section's
    certificate, the credential record and the kit record all carry that time, not the clock's."""
    when = dt.datetime(FY, 6, 1, 9, 30, tzinfo=dt.UTC)
    central = open_database(tmp_path / "central.sqlite")
    try:
        with central.session(audit=False) as s:
            plan = import_dataset(s, synthetic_dataset(3, 4, seed=11))
            set_setting(s, "plan_code", plan.code)
        kit = issue_kits(central, FY, tmp_path / "kits", section_codes=["S001"], slips=False, now=when).kits[
            0
        ]
        with central.session() as s:
            credential = s.scalar(select(IssuedCredential).where(IssuedCredential.section_code == "S001"))
            issue = s.scalar(select(KitIssue).where(KitIssue.section_code == "S001"))
            assert credential is not None and issue is not None
            certificate = cert_from_pem(credential.certificate_pem)
            assert certificate.not_valid_before_utc == when - dt.timedelta(days=1)
            assert _utc(credential.issued_at) == when and _utc(issue.issued_at) == when
    finally:
        central.dispose()
    assert kit.path.is_file()


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _entered(db):
    with db.session() as s:
        m = s.scalar(select(Measure).where(Measure.code == "001-01"))
        my = next(y for y in m.years if y.fiscal_year == FY)
        texts = {t.field: t.text for t in my.texts}
        actuals = {
            (ind.code, v.fiscal_year): v.actual
            for ind in m.indicators
            for v in ind.values
            if v.fiscal_year == FY
        }
        return m.name, texts, my.direction, my.stage, actuals


def test_a_newer_kit_updates_the_plan_without_touching_entered_data(copy_world, tmp_path):
    section = open_database(copy_world.section_db)
    before = _entered(section)
    section.dispose()
    central = open_database(copy_world.central)
    try:
        with central.session() as s:
            m = s.scalar(select(Measure).where(Measure.code == "001-01"))
            m.name = "電子申請の推進（名称変更）"
            ind = m.indicators[0]
            v = next(v for v in ind.values if v.fiscal_year == FY)
            v.target = "99999"
            v.actual = None  # the central office's copy has no actual of the year
        kit = issue_kits(central, FY, tmp_path / "kits2", section_codes=["S001"], slips=False).kits[0]
    finally:
        central.dispose()
    assert kit.version == 2 and kit.path.name.endswith("_配布_第2版.xlsx")
    r = import_kit(kit.path, kit.passphrase, tmp_path, db_path=copy_world.section_db)
    assert not r.created and not r.already and r.version == 2
    section = open_database(copy_world.section_db)
    try:
        name, texts, direction, stage, actuals = _entered(section)
        assert name == "電子申請の推進（名称変更）"
        assert (texts, direction, stage, actuals) == before[1:]
        assert texts.get("result")  # entered text survived
        with section.session() as s:
            ind = s.scalar(
                select(Indicator).join(Measure).where(Measure.code == "001-01").order_by(Indicator.sort_order)
            )
            v = next(v for v in ind.values if v.fiscal_year == FY)
            assert v.target == "99999"
            creds = s.scalars(select(SectionCredential).order_by(SectionCredential.id)).all()
            assert [c.superseded_at is None for c in creds] == [False, True]
            assert sorted(k.version for k in s.scalars(select(KitImport))) == [1, 2]
    finally:
        section.dispose()
    # the first kit is now older than what was imported
    first = copy_world.kits["S001"]
    with pytest.raises(KitImportError, match="より新しい配布ファイル（第2版）"):
        import_kit(first.path, first.passphrase, tmp_path, db_path=copy_world.section_db)


def test_a_kit_for_another_year_adds_that_year(copy_world, tmp_path):
    central = open_database(copy_world.central)
    try:
        with central.session() as s:
            s.scalar(select(Plan)).current_fy = FY + 1
        kit = issue_kits(central, FY + 1, tmp_path / "kits27", section_codes=["S001"], slips=False).kits[0]
    finally:
        central.dispose()
    assert kit.path.name.startswith("R09_S001_")
    before = open_database(copy_world.section_db)
    entered = _entered(before)
    before.dispose()
    import_kit(kit.path, kit.passphrase, tmp_path, db_path=copy_world.section_db)
    db = open_database(copy_world.section_db)
    try:
        assert _entered(db) == entered  # FY2026 as the section entered it
        with db.session() as s:
            assert s.scalar(select(Plan)).current_fy == FY + 1
            assert {(k.fiscal_year, k.version) for k in s.scalars(select(KitImport))} == {
                (FY, 1),
                (FY + 1, 1),
            }
            assert {c.fiscal_year for c in s.scalars(select(SectionCredential))} == {FY, FY + 1}
    finally:
        db.dispose()


def test_a_kit_with_an_edited_cover_still_imports_with_a_warning(world, tmp_path):
    kit = world.kits["S003"]
    path = tmp_path / kit.path.name
    shutil.copyfile(kit.path, path)
    wb = openpyxl.load_workbook(path)
    wb["表紙"]["B8"] = "書き換え"
    wb.save(path)
    r = import_kit(path, kit.passphrase, tmp_path / "d")
    assert r.warnings and "表示セルが変更されています" in r.warnings[0]


def test_read_kit_info_before_the_passphrase(world):
    info = read_kit_info(world.kits["S002"].path)
    assert (info.section_code, info.fiscal_year, info.version) == ("S002", FY, 1)
    assert info.ca_fingerprint in world.trust.cas
    assert "S002" in info.summary and "令和8年度" in info.summary


def test_merge_keeps_local_entries_of_kept_years():
    kit = {
        "measures": [
            {
                "code": "A",
                "name": "新しい名前",
                "indicators": [
                    {
                        "name": "i1",
                        "values": {"2025": {"target": "10", "actual": "9"}, "2026": {"target": "20"}},
                    },
                    {"code": "X", "name": "new indicator"},
                ],
                "years": {"2025": {"stage": "2"}, "2026": {"stage": "1", "texts": {"result": "central"}}},
                "costs": {"2026": {"budget": "100"}},
            }
        ]
    }
    local = {
        "measures": [
            {
                "code": "A",
                "name": "古い名前",
                "indicators": [
                    {"name": "i1", "values": {"2026": {"target": "15", "actual": "18", "note": "メモ"}}},
                    {"code": "OLD", "name": "dropped", "values": {"2026": {"actual": "5"}}},
                    {"code": "EMPTY", "name": "dropped, nothing entered"},
                ],
                "years": {"2026": {"stage": "2", "texts": {"result": "local"}}},
                "costs": {"2026": {"budget": "100", "settlement": "90"}},
            }
        ]
    }
    out = merge_kit_data(kit, local, {2026})
    m = out["measures"][0]
    assert m["name"] == "新しい名前"
    assert m["indicators"][0]["values"]["2026"] == {"target": "20", "actual": "18", "note": "メモ"}
    assert m["indicators"][0]["values"]["2025"] == {"target": "10", "actual": "9"}
    assert [i["code"] for i in m["indicators"]] == ["1", "X", "OLD"]
    assert m["years"]["2026"] == {"stage": "2", "texts": {"result": "local"}}
    assert m["years"]["2025"] == {"stage": "2"}
    assert m["costs"]["2026"] == {"budget": "100", "settlement": "90"}
    assert merge_kit_data(kit, None, set()) == kit and merge_kit_data(kit, local, set()) == kit
