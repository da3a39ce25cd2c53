"""事業費内訳 lines a clerk typed in the section application travel with the submission: in the signed
payload's data (the central office imports them), on the submission's visible sheet and on the
printed sheet."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from dxdesk.exchange.submission import export_submission, verify_submission
from dxdesk.report.documents import PrintJob, make_pdf
from dxdesk.section_desk import SectionDesk
from dxdesk.store.database import open_database
from dxdesk.store.models import Measure
from tests.exchange.conftest import sample_section
from tests.report.conftest import pdf_text

TYPED = [
    ("expense", "委託料（申請フォーム作成支援）", "１,２００", "1,150"),
    ("expense", "使用料及び賃借料（電子申請システム）", "", "３５０"),
    ("funding", "国", "", "750"),
    ("funding", "一般財源", "", "750"),
]


def test_typed_cost_items_reach_payload_visible_sheet_and_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    ss = sample_section("akita_progress_evaluation.json", tmp_path, monkeypatch, seed="items")
    fy, section, code, trust, when = ss.fiscal_year, ss.section, ss.first_measure, ss.trust, ss.when
    db = open_database(ss.db_path)
    try:
        with db.session() as s:
            mid = s.scalar(select(Measure.id).where(Measure.code == code))
        desk = SectionDesk(db)
        entry = desk.entry_session(settings=desk.start_state().plan.settings, survey_fy=fy, user="山田")
        sheet = entry.open_sheet(mid, fy)
        while sheet.cost_items:  # the year's lines from the kit, replaced by what the clerk types
            entry.commit(sheet, [sheet.remove_cost_item(0)])
        for category, label, budget, settlement in TYPED:
            entry.commit(sheet, [sheet.add_cost_item(category)])
            row = len(sheet.cost_items) - 1
            for name, typed in (("label", label), ("budget", budget), ("settlement", settlement)):
                entry.edit(sheet, f"cost_items[{row}].{name}", typed)
        entry.close()
        sub = export_submission(db, fy, section, "山田 太郎", "佐藤 一郎", tmp_path / "out", now=when)
        pdf = tmp_path / "sheet.pdf"
        make_pdf(db, pdf, PrintJob(kind="sheets", fiscal_year=fy, measure_codes=(code,)))
    finally:
        db.dispose()

    v = verify_submission(sub.path, trust)
    assert v.ok, v.message
    md = next(m for m in v.payload["data"]["measures"] if m["code"] == code)
    assert [it for it in md["cost_items"] if it["fy"] == fy] == [
        {"fy": fy, "label": "委託料（申請フォーム作成支援）", "budget": "1200", "settlement": "1150"},
        {"fy": fy, "label": "使用料及び賃借料（電子申請システム）", "settlement": "350"},
        {"fy": fy, "category": "funding", "label": "国庫支出金", "settlement": "750"},
        {"fy": fy, "category": "funding", "label": "一般財源", "settlement": "750"},
    ]

    wb = openpyxl.load_workbook(sub.path)
    cells = [
        str(c.value)
        for ws in wb.worksheets
        if ws.title.startswith(code)
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert "委託料（申請フォーム作成支援）" in cells
    assert "使用料及び賃借料（電子申請システム）" in cells

    lines = [re.sub(r"\s+", " ", x).strip() for x in pdf_text(pdf, layout=True).splitlines()]
    assert any(re.search(r"委託料（申請フォーム作成支援） 1,200 1,150", x) for x in lines), lines
    assert any(re.search(r"使用料及び賃借料（電子申請システム） 350", x) for x in lines)
    assert any(re.search(r"事業費計 1,200 1,500", x) for x in lines)
