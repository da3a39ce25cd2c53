"""A clerk types what the Shizuoka and Akita-style sheets print each year: a roadmap cell of a 取組
(ロードマップ tab, one box per 取組) and the 事業費内訳's 主な内容 / 特定財源の内訳 (事業費 tab), and the
printed sheet shows it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from dxdesk.report.documents import PrintJob, make_pdf
from dxdesk.store.models import Measure, MeasureYear, SheetText
from tests.gui.conftest import click_measure, ime_type, load_sample, open_main_window, open_tab, wait_saved
from tests.report.conftest import SAMPLES, pdf_text

pytestmark = pytest.mark.gui


@pytest.fixture
def sample_window(qtbot, tmp_path):
    opened = []

    def open_sample(name: str):
        db = load_sample(
            tmp_path / f"{name}.sqlite", json.loads((SAMPLES / name).read_text(encoding="utf-8"))
        )
        w = open_main_window(qtbot, db)
        opened.append((w, db))
        return w, db

    yield open_sample
    for w, db in opened:
        if w.entry is not None:
            w.entry.flush(10)
        w.close()
        db.dispose()


def _text(db, code: str, fy: int, key: str) -> str | None:
    with db.session() as s:
        return s.scalar(
            select(SheetText.text)
            .join(MeasureYear, MeasureYear.id == SheetText.measure_year_id)
            .join(Measure, Measure.id == MeasureYear.measure_id)
            .where(Measure.code == code, MeasureYear.fiscal_year == fy, SheetText.field == key)
        )


def _type_into(qtbot, edit, text: str) -> None:
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=3000)
    edit.selectAll()
    ime_type(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)  # leaving the box commits it


def test_a_roadmap_cell_typed_in_the_roadmap_tab_prints_in_the_grid(qtbot, sample_window, tmp_path: Path):
    w, db = sample_window("shizuoka_action_plan.json")
    click_measure(qtbot, w, "1-1")
    part = open_tab(qtbot, w, "ロードマップ")
    titles = [f.title.text() for f in part.fields.values()]
    # each box is named after the measure's own 取組 (基本情報's 主な取組), numbered as the grid prints them
    assert titles[:3] == [
        f"{n}. {name}のロードマップ（1行に1つの取組内容）"
        for n, name in (
            (1, "行政手続のオンライン化（1-1-2）"),
            (2, "統合データ基盤の活用（1-1-3）"),
            (3, "ぴったりサービスの活用（1-1-4）"),
        )
    ]
    box = part.fields["roadmap_2"].edit
    assert box.toPlainText() == "基盤構築\nスマートシティ推進協議会の運営"
    _type_into(qtbot, box, "基盤構築・庁内試行\nスマートシティ推進協議会の運営")
    wait_saved(qtbot, w)
    assert _text(db, "1-1", 2025, "roadmap_2") == "基盤構築・庁内試行\nスマートシティ推進協議会の運営"
    out = tmp_path / "s.pdf"
    make_pdf(db, out, PrintJob(measure_codes=("1-1",)))
    lines = [re.sub(r"\s+", " ", x).strip() for x in pdf_text(out, layout=True).splitlines()]
    row = next(x for x in lines if x.startswith("2. 統合データ基盤の活用"))
    assert re.search(r"概念設計 基盤構築・庁内試行 サービス提供$", row), row


def test_cost_texts_are_typed_under_the_cost_table(qtbot, sample_window, tmp_path: Path):
    w, db = sample_window("akita_progress_evaluation.json")
    click_measure(qtbot, w, "1-1")
    part = open_tab(qtbot, w, "事業費")
    assert list(part.texts) == ["cost_content", "funding_note"]
    assert part.texts["cost_content"].toPlainText() == "電子申請システムの使用料（LGWAN-ASPサービス）"
    _type_into(qtbot, part.texts["funding_note"], "なし（全額一般財源）")
    wait_saved(qtbot, w)
    assert _text(db, "1-1", 2023, "funding_note") == "なし（全額一般財源）"
    out = tmp_path / "a.pdf"
    make_pdf(db, out, PrintJob(measure_codes=("1-1",)))
    assert re.search(r"特定財源の内訳\s+なし（全額一般財源）", pdf_text(out, layout=True))
