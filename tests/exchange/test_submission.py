"""The submission workbook: blocked by errors, named and chained by revision, readable and printable."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from dxdesk.exchange.errors import ExchangeError, ExportBlocked
from dxdesk.exchange.submission import export_submission, submission_file_name, verify_submission
from dxdesk.store.database import open_database
from dxdesk.store.dataset import import_dataset
from dxdesk.store.models import MeasureYear, SheetText, SubmissionExport

FY = 2026


def test_file_name():
    assert submission_file_name(2026, "S011", "情報政策課", 2) == "R08_S011_情報政策課_提出_第2版.xlsx"
    assert submission_file_name(2019, "S1", 'a/b:c*?"<>|', 1) == "R01_S1_a_b_c_______提出_第1版.xlsx"


def test_export_is_blocked_while_the_check_has_errors(copy_world, tmp_path):
    db = open_database(copy_world.section_db)
    try:
        with db.session() as s:
            t = s.scalar(
                select(SheetText)
                .join(MeasureYear)
                .where(MeasureYear.fiscal_year == FY, SheetText.field == "result")
            )
            t.text = ""
        with pytest.raises(ExportBlocked) as info:
            export_submission(db, FY, "S001", "山田", "佐藤", tmp_path)
        assert "エラーが1件" in str(info.value)
        assert [f.check_id for f in info.value.findings] == ["REQ-TEXT"]
        assert "「取組結果」が未入力です" in info.value.findings[0].message
        assert not list(tmp_path.glob("*.xlsx"))
        with db.session() as s:
            assert s.scalar(select(SubmissionExport).where(SubmissionExport.revision == 2)) is None
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("author", "chief", "words"),
    [("", "佐藤", "作成者"), ("山田", "  ", "所属長"), ("x" * 101, "佐藤", "100文字")],
)
def test_author_and_chief_are_required(copy_world, tmp_path, author, chief, words):
    db = open_database(copy_world.section_db)
    try:
        with pytest.raises(ExchangeError, match=words):
            export_submission(db, FY, "S001", author, chief, tmp_path)
    finally:
        db.dispose()


def test_revisions_are_chained_by_hash(copy_world, tmp_path):
    db = open_database(copy_world.section_db)
    try:
        r2 = export_submission(db, FY, "S001", "山田 太郎", "佐藤 一郎", tmp_path)
        r3 = export_submission(db, FY, "S001", "鈴木 花子", "佐藤 一郎", tmp_path)
        with db.session() as s:
            rows = s.scalars(select(SubmissionExport).order_by(SubmissionExport.revision)).all()
            first = rows[0]
            my = s.scalar(select(MeasureYear).where(MeasureYear.fiscal_year == FY).limit(1))
            assert (my.author, my.chief_confirmed_by) == ("鈴木 花子", "佐藤 一郎")
    finally:
        db.dispose()
    assert (r2.revision, r3.revision) == (2, 3)
    assert r2.path.name.endswith("_提出_第2版.xlsx") and r3.path.name.endswith("_提出_第3版.xlsx")
    assert r2.previous_hash == first.payload_hash and r3.previous_hash == r2.payload_hash
    v = verify_submission(r3.path, copy_world.trust)
    assert v.ok and v.payload["previous_hash"] == r2.payload_hash and v.payload["revision"] == 3
    assert v.payload_hash == r3.payload_hash


def test_cover_list_and_measure_sheets(world):
    wb = openpyxl.load_workbook(world.submission)
    names = wb.sheetnames
    assert names[:2] == ["表紙", "一覧"] and names[-1] == "_dxdesk"
    assert wb["_dxdesk"].sheet_state == "veryHidden"
    assert set(names[2:-1]) == {"001-01", "001-02", "001-03", "001-04"}
    cover = {row[0].value: row[1].value for row in wb["表紙"].iter_rows() if row[0].value and row[1].value}
    assert cover["課所室"].startswith("S001") and cover["年度"] == "令和8年度" and cover["版"] == "第1版"
    assert cover["作成者"] == "山田 太郎" and cover["所属長確認"] == "佐藤 一郎"
    assert len(cover["証明書の指紋（SHA-256）"].split()) == 16
    notice = [
        c.value for row in wb["表紙"].iter_rows() for c in row if c.value and "電子署名" in str(c.value)
    ]
    assert notice and "署名が無効" in notice[0]
    listing = [[c.value for c in row] for row in wb["一覧"].iter_rows(min_row=3)]
    assert [r[0] for r in listing if r[0] and r[0].startswith("001-")] == [
        "001-01",
        "001-02",
        "001-03",
        "001-04",
    ]
    sheet = wb["001-01"]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    # the plan's own labels, as its printed sheet has them (Tsukuba-style: 指標名, 目標値)
    assert {"指標", "指標名", "目標値", "実績", "達成率", "作成者", "山田 太郎"} <= set(values)
    assert "指標の推移（グラフ）" not in values  # charts are not drawn in a signed workbook
    assert any(isinstance(v, (int, float)) for v in values)


def test_print_settings(world):
    wb = openpyxl.load_workbook(world.submission)
    for name in ("表紙", "一覧", "001-01"):
        ws = wb[name]
        assert ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert wb["一覧"].page_setup.orientation == "landscape"
    ws = wb["001-01"]
    assert ws.page_setup.orientation == "portrait"
    assert ws.print_title_rows == "$1:$2"
    assert "001-01" in ws.oddHeader.center.text
    assert ws.oddHeader.left.text and ws.oddHeader.right.text == "令和8年度"


def test_numbers_are_numbers_with_their_decimals_and_columns_wide_enough(world):
    """Numbers are numeric cells formatted with the typed decimals; no box is too narrow (####): a
    number spans the merged columns of its printed cell, as wide as its digits in its font size."""
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(world.submission)
    ws = wb["001-01"]
    spans = {str(r).split(":")[0]: (r.min_col, r.max_col) for r in ws.merged_cells.ranges}
    seen = 0
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                seen += 1
                assert c.number_format.startswith("#,##0")
                places = len(c.number_format.split(".")[1]) if "." in c.number_format else 0
                shown = format(c.value, f",.{places}f")
                lo, hi = spans.get(c.coordinate, (c.column, c.column))
                width = sum(ws.column_dimensions[get_column_letter(k)].width for k in range(lo, hi + 1))
                # a column unit is a digit of the 11 pt default font
                assert width >= len(shown) * c.font.sz / 11 + 1, (c.coordinate, shown, width)
    assert seen > 10


def test_row_heights_fit_long_texts(world):
    wb = openpyxl.load_workbook(world.submission)
    ws = wb["001-01"]
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and len(c.value) > 150:
                height = ws.row_dimensions[c.row].height
                assert height is not None and height >= 16.5 * 3, (c.coordinate, height)


def test_submission_data_imports_into_a_fresh_database(world, db):
    """The payload's data is a dxdesk/dataset/1 document: the central merge can import it as is."""
    v = verify_submission(world.submission, world.trust)
    with db.session(audit=False) as s:
        plan = import_dataset(s, v.payload["data"])
        assert plan.code == v.payload["plan"]["code"]
    codes = {m["code"] for m in v.payload["data"]["measures"]}
    assert codes == {"001-01", "001-02", "001-03", "001-04"}
    assert set(v.payload["results"]) == codes
    assert all(set(m["years"]) == {str(FY)} for m in v.payload["data"]["measures"])


def test_text_starting_like_a_formula_stays_text(copy_world, tmp_path):
    db = open_database(copy_world.section_db)
    texts = ["=SUM(A1:A9)", "+81-3-1234", "-5は悪化", "@担当", '=HYPERLINK("http://x")']
    try:
        with db.session() as s:
            rows = s.scalars(
                select(SheetText)
                .join(MeasureYear)
                .where(MeasureYear.fiscal_year == FY, SheetText.field == "result")
            ).all()
            for row, text in zip(rows, texts, strict=False):
                row.text = text
        r = export_submission(db, FY, "S001", "=cmd|' /C calc'!A0", "佐藤", tmp_path)
    finally:
        db.dispose()
    assert verify_submission(r.path, copy_world.trust).ok
    with zipfile.ZipFile(r.path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    wb = openpyxl.load_workbook(r.path)
    found = {c.value: c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in [*texts[: len(rows)], "=cmd|' /C calc'!A0"]:
        assert text in found, text
        cell = found[text]
        assert cell.data_type == "s"
        assert cell.quotePrefix


def test_a_forty_thousand_character_text_is_printed_whole_over_several_rows(copy_world, tmp_path):
    import json

    from dxdesk.store.models import Plan

    text = ("電子申請の利用促進に向けて、関係課と連携しながら取組を進めた。" * 1400)[:40_000] + "（終）"
    db = open_database(copy_world.section_db)
    try:
        with db.session() as s:
            plan = s.scalar(select(Plan))
            settings = json.loads(plan.settings_json)
            for tf in settings["text_fields"]:
                if tf["key"] == "result":
                    tf.pop("limit", None)  # this plan sets no limit
            plan.settings_json = json.dumps(settings, ensure_ascii=False)
            row = s.scalar(
                select(SheetText)
                .join(MeasureYear)
                .where(MeasureYear.fiscal_year == FY, SheetText.field == "result")
            )
            row.text = text
            code = row.measure_year.measure.code
        r = export_submission(db, FY, "S001", "山田", "佐藤", tmp_path)
    finally:
        db.dispose()
    v = verify_submission(r.path, copy_world.trust)
    assert v.ok, v.message
    ws = openpyxl.load_workbook(r.path)[code]
    parts = [
        c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and "電子申請の利用促進" in c.value
    ]
    assert len(parts) > 10
    assert "".join(parts) == text
    assert all(
        ws.row_dimensions[c.row].height <= 409 for row in ws.iter_rows() for c in row if c.value in parts
    )
