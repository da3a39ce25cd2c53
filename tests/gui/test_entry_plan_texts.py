"""A clerk types the texts their own format asks for every year: Nagasaki's 実績の検証及び解決すべき課題 and
課題解決に向けた方向性 for the 取組項目 of a 中核事業, Sasebo's 目標（総括） and 事業総括 of a 課題. The tabs
come from the plan's text fields (no city is named in the application); what is typed is saved, shown
again after a restart and printed under the format's heading."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from dxdesk.report.documents import PrintJob, make_pdf
from dxdesk.store.models import Measure, MeasureYear, SheetText
from tests.gui.conftest import click_measure, ime_type, load_sample, open_main_window, open_tab, wait_saved
from tests.report.conftest import SAMPLES, pdf_text, squeeze

pytestmark = pytest.mark.gui


@pytest.fixture
def sample_db(tmp_path):

    opened = []

    def load(name: str):
        db = load_sample(
            tmp_path / f"{name}.sqlite",
            json.loads((SAMPLES / name).read_text(encoding="utf-8")),
            role="section",
        )
        opened.append(db)
        return db

    yield load
    for db in opened:
        db.dispose()


def _stored(db, code: str, fy: int, field: str) -> str | None:
    with db.session() as s:
        return s.scalar(
            select(SheetText.text)
            .join(MeasureYear)
            .join(Measure, Measure.id == MeasureYear.measure_id)
            .where(Measure.code == code, MeasureYear.fiscal_year == fy, SheetText.field == field)
        )


def _type(qtbot, part, key: str, text: str) -> None:
    edit = part.fields[key].edit
    edit.setFocus()
    edit.selectAll()
    ime_type(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)  # leaving the box saves it


VERIFY = "○電子申請の利用促進\n押印見直し後も電子申請の利用が伸びていないため、手続ごとに利用件数を調べる必要がある。"
SOLUTION = "○各部署のデジタル改革推進員と連携し、利用件数の少ない手続から案内を見直す。"


def test_nagasaki_clerk_types_verification_and_direction_for_the_core_project(qtbot, sample_db, tmp_path):
    db = sample_db("nagasaki_group_evaluation.json")
    w = open_main_window(qtbot, db)
    click_measure(qtbot, w, "3")  # 電子県庁推進事業, 中核事業 of 取組項目 v
    tabs = w.editor.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]
    # the plan's own parts, in the order of the sheet
    assert titles.index("成果と課題") < titles.index("検証・方向性") < titles.index("見直し")
    part = open_tab(qtbot, w, "検証・方向性")
    assert [f.title.text() for f in part.fields.values()] == [
        "実績の検証及び解決すべき課題",
        "課題解決に向けた方向性",
    ]
    _type(qtbot, part, "verification", VERIFY)
    _type(qtbot, part, "solution", SOLUTION)
    wait_saved(qtbot, w)
    assert _stored(db, "3", 2020, "verification") == VERIFY
    assert _stored(db, "3", 2020, "solution") == SOLUTION
    w.close()

    again = open_main_window(qtbot, db)
    assert again.editor.title.text().startswith("3")
    part = open_tab(qtbot, again, "検証・方向性")
    assert part.fields["verification"].edit.toPlainText() == VERIFY
    assert part.fields["solution"].edit.toPlainText() == SOLUTION
    again.close()

    pdf = tmp_path / "n.pdf"
    make_pdf(db, pdf, PrintJob(measure_codes=("3",)))
    text = squeeze(pdf_text(pdf))
    heading = text.index("3.実績の検証及び解決すべき課題と解決に向けた方向性")
    assert (
        heading
        < text.index(squeeze("押印見直し後も電子申請の利用が伸びていない"))
        < text.index("4.令和3年度見直し内容")
    )
    # the two texts stand side by side, one column each (line by line in the extracted text)
    assert squeeze("○各部署のデジタル改革推進員と連携し") in text
    assert "v行政手続きのオンライン化" in text  # the 取組項目 the texts are about


def test_sasebo_clerk_types_the_years_goal_and_summary_of_a_task(qtbot, sample_db, tmp_path):
    db = sample_db("sasebo_execution_plan.json")
    w = open_main_window(qtbot, db)
    click_measure(qtbot, w, "観光3-KPI")
    tabs = w.editor.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]
    assert "指標" in titles and "目標・事業総括" in titles  # the KPI values are still entered
    assert "ロードマップ" not in titles and "検証・方向性" not in titles
    part = open_tab(qtbot, w, "目標・事業総括")
    summary = "STLOCALのモデルコースを12本に増やし、閲覧数は前年度から8%増えた。"
    _type(qtbot, part, "project_summary", summary)
    wait_saved(qtbot, w)
    assert _stored(db, "観光3-KPI", 2026, "project_summary") == summary
    assert _stored(db, "観光3-KPI", 2026, "goal_summary").startswith("データ活用による戦略策定")
    w.close()

    pdf = tmp_path / "s.pdf"
    make_pdf(db, pdf, PrintJob(measure_codes=("観光3-KPI",)))
    text = squeeze(pdf_text(pdf))
    assert text.index("R8年度の目標（総括）") < text.index("R8年度の事業総括") < text.index(squeeze(summary))
