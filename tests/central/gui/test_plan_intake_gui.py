"""The central office's 計画 page, clicked as a person would: the template button writes the file the
save dialog was given."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.central.gui.conftest import table_rows
from tests.gui.conftest import click

pytestmark = pytest.mark.gui


def test_the_template_button_writes_the_template_where_the_dialog_said(
    qtbot, master_window, tmp_path, monkeypatch
):
    page = master_window.plan_page
    master_window.show_page(master_window.pages.index(page))
    target = tmp_path / "計画マスタ_R08"
    asked: list[str] = []

    def save_name(parent, title, start, filters):  # type: ignore[no-untyped-def]
        asked.append(title)
        return str(target), filters

    monkeypatch.setattr("ui.central.plan_page.QFileDialog.getSaveFileName", save_name)
    click(qtbot, page.template_button)
    written = Path(str(target) + ".xlsx")
    assert asked == ["計画マスタのひな形を書き出す"]
    assert written.exists()
    book = CalamineWorkbook.from_path(str(written))
    assert {"基本設定", "施策", "指標"} <= set(book.sheet_names)
    codes = [row[0] for row in book.get_sheet_by_name("施策").to_python()[1:]]
    assert len(codes) == 46 and "088" in codes


LISTS = Path(__file__).resolve().parents[3] / "resources" / "samples" / "lists"


def _cli_problems(db_path: Path, path: Path) -> list[list[str]]:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "ui.launcher", "import-list", "--db", str(db_path), str(path), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    return [r for r in rows if r[0] in ("エラー", "注意")]


def test_the_list_dialog_shows_what_the_cli_prints_then_imports(qtbot, master_window, tmp_path, monkeypatch):
    import openpyxl

    page = master_window.plan_page
    master_window.show_page(master_window.pages.index(page))
    path = tmp_path / "指標一覧.xlsx"
    shutil.copyfile(LISTS / "tsukuba_indicator_list.xlsx", path)
    wb = openpyxl.load_workbook(path)
    wb.active["H5"] = "1,57"  # a comma in the wrong place
    wb.active["J6"] = "累計 3,210 人ほど"
    wb.save(path)
    cli = _cli_problems(tmp_path / "central.sqlite", path)
    assert sum(1 for r in cli if r[0] == "エラー") == 2

    monkeypatch.setattr("ui.central.plan_page.QFileDialog.getOpenFileName", lambda *a, **k: (str(path), ""))
    click(qtbot, page.list_button)
    dialog = page.list_dialog
    assert dialog is not None and dialog.isVisible()
    shown = table_rows(dialog.problems, hidden=True)
    # the same problems, in the CLI's words (the table writes 「H列（R3実績）」 for 「H（R3実績）」)
    as_cli = sorted([r[0], r[1], r[2], r[3].replace("列（", "（"), r[4]] for r in shown)
    assert as_cli == sorted(cli)
    assert not dialog.import_button.isEnabled() and "エラーが2件" in dialog.summary.text()
    # the preview shows the rows as dxdesk reads them
    assert dialog.preview.item(0, 0).text() == "4"
    headers = [dialog.preview.horizontalHeaderItem(c).text() for c in range(dialog.preview.columnCount())]
    assert headers[:5] == ["行", "施策名", "所管課", "予算科目", "指標名"]

    # fix the file, check again, import
    wb = openpyxl.load_workbook(path)
    wb.active["H5"] = "1,570"
    wb.active["J6"] = "13.5"
    wb.save(path)
    click(qtbot, dialog.recheck_button)
    assert dialog.result is not None and dialog.result.ok and dialog.import_button.isEnabled()
    click(qtbot, dialog.import_button)
    assert dialog.result.applied and dialog.imported
    saved = dialog.save_mapping(tmp_path / "対応表.json")
    assert saved is not None and "measure_name" in saved.read_text(encoding="utf-8")
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    # 情報通信ネットワーク運営業務 is the demo plan's 088 (matched by name); the other one is new
    assert dialog.result.new_measures == 1
    assert "施策 47件" in page.subtitle.text()


def test_changing_a_column_in_the_dialog_checks_again(qtbot, master_window, tmp_path):
    page = master_window.plan_page
    dialog = page.import_list(LISTS / "tsukuba_indicator_list.xlsx")
    assert dialog is not None and dialog.result is not None and dialog.result.ok
    # 予算科目 (column C) read as an attribute of its own instead
    table = dialog.mapping_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "予算科目")
    box = table.cellWidget(row, 2)
    box.setCurrentIndex(box.findData("attr:予算科目"))
    box.activated.emit(box.currentIndex())
    assert dialog.result.mapping.columns[2] == "attr:予算科目"
    assert any("予算科目" in p.message and "属性" in p.message for p in dialog.result.problems)
    dialog.close()
