"""The central office at work, through the window: drop files on the inbox, read the result table,
filter the status board and copy the reminder, review and return a sheet, resolve a conflict, read a
plan master with problems, issue kits — and the section reading the returned sheet's comments."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from sqlalchemy import select

from dxdesk.store.database import open_database
from tests.central.conftest import FY
from tests.central.gui.conftest import merge_by_drop, table_rows
from tests.gui.conftest import click, ime_type, launch

pytestmark = pytest.mark.gui


def test_a_central_database_opens_the_central_window_and_a_section_database_the_entry_window(qtbot, office):
    from ui.app import main_window_for, make_app
    from ui.main_window import MainWindow

    make_app()
    db = open_database(next(iter(office.sections.values())))
    try:
        w = main_window_for(db)
        qtbot.addWidget(w)
        assert isinstance(w, MainWindow)
        w.close()
    finally:
        db.dispose()


def test_drop_files_on_the_inbox_and_read_the_result_table(qtbot, window, office):
    files = [
        *office.submissions,
        office.bad["empty"],
        office.bad["text"],
        office.bad["kit"],
        office.bad["lock"],
    ]
    inbox = merge_by_drop(qtbot, window, files)
    table = table_rows(inbox.table)
    by_file = {r[1]: r for r in table}
    for sub in office.submissions:
        assert by_file[sub.name][0] == "受理"
        assert by_file[sub.name][4] == "第1版"
    assert by_file["空のファイル.xlsx"][0] == "不受理" and "空" in by_file["空のファイル.xlsx"][5]
    assert by_file["メモ.txt"][0] == "不受理"
    assert (
        by_file[office.bad["kit"].name][0] == "不受理"
        and "配布ファイル" in by_file[office.bad["kit"].name][5]
    )
    assert "受理" in inbox.summary.text() and "不受理" in inbox.summary.text()
    # the filter shows only the rejected lines
    inbox.filter.setCurrentIndex(inbox.filter.findData("rejected"))
    assert {r[0] for r in table_rows(inbox.table)} == {"不受理"}
    # the same folder again: all duplicates, nothing merged twice
    inbox.filter.setCurrentIndex(0)
    inbox = merge_by_drop(qtbot, window, [office.submissions[0].parent])
    assert {r[0] for r in table_rows(inbox.table)} == {"重複"}
    # Ctrl+C copies the lines for Excel
    inbox.table.setFocus()
    inbox.table.selectAll()
    qtbot.keyClick(inbox.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text().startswith("結果\tファイル")


def test_status_board_filters_and_copies_the_reminder(qtbot, window, office):
    missing = office.submissions[-1]
    merge_by_drop(qtbot, window, office.submissions[:-1])
    window.show_page(3)
    page = window.status_page
    board = table_rows(page.table)
    assert len(board) == 4
    states = {r[0]: r[3] for r in board}
    missing_code = next(code for code in office.section_codes() if code in missing.name)
    assert states[missing_code] == "未提出"
    assert sum(1 for s in states.values() if s == "提出済") == 3
    assert "未提出</b> 1" in page.counts.text()
    # every column in sight and 受信日時 whole (「2026/12/05 13:36」, not 「2026/12/05 13…」)
    qtbot.wait(50)
    table = page.table
    assert sum(table.columnWidth(c) for c in range(table.columnCount())) <= table.viewport().width()
    received = next(r for r in range(table.rowCount()) if table.item(r, 5).text())
    needed = table.fontMetrics().horizontalAdvance(table.item(received, 5).text())
    assert table.columnWidth(5) >= needed
    # filter by state, then by text
    page.state.setCurrentIndex(page.state.findData("missing"))
    assert [r[0] for r in table_rows(page.table)] == [missing_code]
    page.state.setCurrentIndex(0)
    qtbot.keyClicks(page.search, missing_code.lower())
    assert [r[0] for r in table_rows(page.table)] == [missing_code]
    page.search.clear()
    # sort by clicking the 状態 header: 未提出 first
    header = page.table.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(header.sectionViewportPosition(3) + 10, 5)
    )
    assert table_rows(page.table)[0][3] == "未提出"
    # the reminder mail
    assert page.missing.count() == 1 and missing_code in page.missing.item(0).text()
    page.deadline.setFocus()
    ime_type(page.deadline, "6月5日（金）")
    click(qtbot, page.copy_button)
    text = QGuiApplication.clipboard().text()
    assert missing_code in text and "6月5日（金）までに" in text and "提出のお願い" in text
    assert "コピーしました" in window.status_label.text()


def test_review_and_return_a_sheet_then_the_section_reads_it(qtbot, window, office, tmp_path, monkeypatch):
    merge_by_drop(qtbot, window, office.submissions)
    window.show_page(3)
    status = window.status_page
    code = office.section_codes()[0]
    assert status.select_section(code)
    qtbot.keyClick(status.table, Qt.Key.Key_Return)
    review = window.review_page
    assert window.stack.currentWidget() is review and review.section_code == code
    first = review.current()
    assert first is not None and first.decision.label == "未審査"
    assert first.measure_code in review.sheet.toPlainText()  # the merged sheet is shown
    # comment and 差戻し on the first measure
    review.field.setCurrentIndex(review.field.findData("texts.result"))
    review.comment_edit.setFocus()
    ime_type(review.comment_edit, "成果を数値で書いてください。")
    click(qtbot, review.return_button)
    assert review.current().measure_code == first.measure_code
    assert review.current().decision.label == "差戻し"
    assert "成果を数値で書いてください。" in review.comments.item(0).text()
    assert "差戻し" in review.decision_label.text()
    # 受理 on the others (Alt+A moves on to the next measure)
    for _ in range(len(review.reviews) - 1):
        review.step(+1)
        click(qtbot, review.accept_button)
    assert "受理</b> 2" in review.counts.text() and "差戻し</b> 1" in review.counts.text()
    # the status board follows
    status.refresh()
    assert {r[0]: r[3] for r in table_rows(status.table)}[code] == "差戻し中"
    # the signed review workbook for the section
    result = review.export_review(tmp_path / "review")
    assert result is not None and result.path.exists() and result.returned == 1

    # --- the section imports it through its menu and sees the comment on the sheet
    from ui.main_window import MainWindow

    section_db = open_database(office.sections[code])
    try:
        w = MainWindow(section_db)
        qtbot.addWidget(w)
        w.resize(1366, 768)
        w.show()
        monkeypatch.setattr("ui.widgets.QFileDialog.getOpenFileName", lambda *a, **k: (str(result.path), ""))
        monkeypatch.setattr("ui.review_notes.QMessageBox.information", lambda *a, **k: None)
        w.actionImportReview.trigger()
        qtbot.waitUntil(lambda: w.review_notes.isVisible(), timeout=5000)
        item = next(i for i in w.tree.measure_items() if i.text(0).split("　")[0] == first.measure_code)
        w.tree.setCurrentItem(item)
        qtbot.waitUntil(
            lambda: "成果を数値で書いてください。" in w.review_notes.view.toPlainText(), timeout=5000
        )
        assert "差戻し" in w.review_notes.head.text()
        # the comment on 取組結果 opens that field (its 「この項目を開く」 link)
        assert "この項目を開く" in w.review_notes.view.toPlainText()
        w.review_notes.view.anchorClicked.emit(QUrl("note:0"))
        tabs = w.editor.tabs
        assert tabs.tabText(tabs.currentIndex()) == "成果と課題"
        assert w.focusWidget() is not None and w.focusWidget().objectName() == "text_result"
        # the dock took its width from the editor, which took it back from the list: every tab in sight
        qtbot.wait(50)
        bar = w.editor.tabs.tabBar()
        visible = [i for i in range(bar.count()) if bar.isTabVisible(i)]
        assert sum(bar.tabRect(i).width() for i in visible) <= w.editor.tabs.width()
        assert w.editor.sheet is not None and w.editor.sheet.evaluate().status.label == "要確認"
        w.close()
    finally:
        section_db.dispose()


def test_resolve_a_conflict_by_choosing_the_new_file(qtbot, window, office, monkeypatch):
    from dxdesk.store.models import ReceivedSubmission

    merge_by_drop(qtbot, window, office.submissions)
    inbox = merge_by_drop(qtbot, window, [office.conflict])
    table = table_rows(inbox.table)
    assert table[0][0] == "競合"
    monkeypatch.setattr(
        "ui.central.conflict_dialog.QMessageBox.question", lambda *a, **k: QMessageBox.StandardButton.Yes
    )
    chosen: dict[str, object] = {}

    def choose() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog) and dialog.windowTitle() == "競合の解決"
        chosen["differences"] = dialog.diffs.rowCount()
        chosen["text"] = "\n".join(
            dialog.diffs.item(r, c).text() for r in range(dialog.diffs.rowCount()) for c in range(4)
        )
        dialog.keep_other.click()

    QTimer.singleShot(200, choose)
    inbox.table.setFocus()
    inbox.table.selectRow(0)
    qtbot.keyClick(inbox.table, Qt.Key.Key_Return)
    assert chosen["differences"] >= 1 and "別の担当者が書き直した版" in str(chosen["text"])
    with window.db.session() as s:
        kept = s.scalar(
            select(ReceivedSubmission).where(
                ReceivedSubmission.file_name == office.conflict.name, ReceivedSubmission.status == "accepted"
            )
        )
        assert kept is not None and kept.author == "別の 担当者"
    assert "競合を解決しました" in window.status_label.text()


def test_plan_master_with_problems_then_fixed(qtbot, window, tmp_path):
    import openpyxl

    page = window.plan_page
    path = page.export_template(tmp_path / "master.xlsx")
    assert path is not None and path.exists()
    wb = openpyxl.load_workbook(path)
    ws = wb["施策"]
    ws["B2"].value = None
    ws["A4"].value = ws["A3"].value  # a duplicate code
    wb.save(path)
    page.check_master(path)
    qtbot.waitUntil(lambda: not page.busy() and page.last_result is not None, timeout=20_000)
    problems = table_rows(page.problems)
    assert ["エラー", "施策", "2", "B列（施策名）", "施策名が空欄です。"] in problems
    assert any(p[1] == "施策" and p[2] == "4" and "重複" in p[4] for p in problems)
    assert not page.apply_button.isEnabled() and "エラーが" in page.master_label.text()
    assert window.status_label.text() == "計画マスタにエラーがあります"
    # fix it in "Excel" and check again
    wb = openpyxl.load_workbook(path)
    wb["施策"]["B2"].value = "名前を直した施策"
    wb["施策"]["A4"].value = wb["施策"]["A4"].value + "-2"
    wb.save(path)
    page.last_result = None
    click(qtbot, page.recheck_button)
    qtbot.waitUntil(lambda: not page.busy() and page.last_result is not None, timeout=20_000)
    checked = page.last_result
    assert checked.ok and page.apply_button.isEnabled()
    assert "エラーがあります" not in window.status_label.text()  # the earlier check's message is gone
    click(qtbot, page.apply_button)
    qtbot.waitUntil(lambda: not page.busy() and page.last_result is not checked, timeout=20_000)
    assert page.last_result.applied and "読み込みました" in page.master_label.text()
    tree_text = "\n".join(
        page.tree.topLevelItem(i).child(j).child(k).text(0)
        for i in range(page.tree.topLevelItemCount())
        for j in range(page.tree.topLevelItem(i).childCount())
        for k in range(page.tree.topLevelItem(i).child(j).childCount())
    )
    assert "名前を直した施策" in tree_text


def test_issue_a_kit_for_one_section(qtbot, window, tmp_path, monkeypatch):
    window.show_page(1)
    page = window.kits_page
    assert page.table.rowCount() == 4
    click(qtbot, page.select_none)
    assert not page.issue_button.isEnabled()
    page.table.item(1, 0).setCheckState(Qt.CheckState.Checked)
    assert "1 / 4" in page.count_label.text() and "配布済み" in page.warning.text()
    page.folder.setText(str(tmp_path / "kits"))
    monkeypatch.setattr(
        "ui.central.kits_page.QMessageBox.question", lambda *a, **k: QMessageBox.StandardButton.Yes
    )
    click(qtbot, page.issue_button)
    qtbot.waitUntil(lambda: page.batch is not None and not page.busy(), timeout=60_000)
    kits = list((tmp_path / "kits").glob("*_配布_第2版.xlsx"))
    assert len(kits) == 1 and page.batch.slips_path is not None and page.batch.slips_path.exists()
    assert "1課の配布ファイルを作成しました" in page.result.text()
    assert page.table.item(1, 5).text() == "第2版"
    # the choice stays as it was: one section, not all again
    assert "1 / 4" in page.count_label.text()
    assert [page.table.item(r, 0).checkState() == Qt.CheckState.Checked for r in range(4)] == [
        False,
        True,
        False,
        False,
    ]
    # and the window confirms it where the eye is, with the folder one click away
    notice = window.findChild(QWidget, "notice")
    assert notice is not None and notice.isVisible() and "配布ファイルを1件作成しました" in notice.text.text()
    assert notice.folder == tmp_path / "kits"


def test_keyboard_moves_between_screens(qtbot, window):
    for n, page in (
        (2, window.kits_page),
        (4, window.status_page),
        (5, window.review_page),
        (1, window.plan_page),
    ):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + n), Qt.KeyboardModifier.ControlModifier)
        assert window.stack.currentWidget() is page
    assert window.windowTitle().startswith("dxdesk 中央")
    assert window.fiscal_year == FY


def test_the_top_bar_offers_the_plans_years_and_choosing_one_says_so(qtbot, window):
    """The same top bar as the section window's (ui.widgets.TopBar), without 課所室: the survey year
    first and chosen; an older year is named as past in the line beside it."""
    from dxdesk.domain.fiscal import fy_label

    bar = window.top_bar
    assert bar.section_combo is None
    years = [bar.year_combo.itemText(i) for i in range(bar.year_combo.count())]
    assert years[0] == fy_label(FY) and bar.year_combo.currentIndex() == 0
    assert "（過去の年度）" not in window.context_label.text()
    assert years[1] == fy_label(FY - 1)
    bar.year_combo.setCurrentIndex(1)
    assert window.fiscal_year == FY - 1
    assert f"{fy_label(FY - 1)}（過去の年度）" in window.context_label.text()


def test_merged_workbook_and_printing_from_the_menu(qtbot, window, office, tmp_path, monkeypatch):
    import openpyxl

    merge_by_drop(qtbot, window, office.submissions)
    out = window.export_workbook(tmp_path / "全庁集計.xlsx")
    assert out is not None and out.exists()
    assert "全庁一覧" in openpyxl.load_workbook(out, read_only=True).sheetnames
    assert "全庁集計を書き出しました" in window.status_label.text()
    exports = window.export_reviews(tmp_path / "reviews")
    assert exports is not None and len(exports) == 4
    assert len(list((tmp_path / "reviews").glob("*_審査結果_第1版.xlsx"))) == 4
    assert "4課分" in window.status_label.text()
    calls: list[tuple] = []
    monkeypatch.setattr("ui.print_dialog.open_print_dialog", lambda *args: calls.append(args))
    window.show_page(4)
    review = window.review_page
    measure = review.current()
    assert measure is not None
    assert window.actionPrint.shortcut().toString() == "Ctrl+P"
    window.actionPrint.trigger()
    _parent, _db, fy, section, ids = calls[-1]
    assert fy == FY and section == review.section_code and ids == [review.rows[measure.measure_code].id]


def test_dxdesk_db_central_sqlite_opens_the_central_window(qtbot, office, monkeypatch):
    assert launch(monkeypatch, ["--db", str(office.central)]) == ["CentralWindow"]


def test_dxdesk_db_postgresql_url_opens_the_central_window_on_the_server(
    qtbot, pg_server, monkeypatch, tmp_path
):  # the URL must reach the database layer as it is (a path would turn it into an SQLite file)
    from dxdesk.store.demo import load_demo

    url = pg_server.create_database("gui_central")
    db = open_database(url)
    try:
        load_demo(db, role="central")
    finally:
        db.dispose()
    monkeypatch.chdir(tmp_path)
    assert launch(monkeypatch, ["--db", url]) == ["CentralWindow"]
    # no file made of the URL (the data folder holds the window's place for next time)
    assert [p.name for p in tmp_path.iterdir()] in ([], ["userdata"])
    assert not list(tmp_path.glob("postgresql*")) and not list((tmp_path / "userdata").glob("*.sqlite"))


def test_an_empty_database_can_start_as_the_central_scenario(qtbot, tmp_path, monkeypatch):
    from ui.app import make_app
    from ui.central.window import CentralWindow
    from ui.main_window import MainWindow

    make_app()
    db = open_database(tmp_path / "new.sqlite")
    try:
        w = MainWindow(db)
        qtbot.addWidget(w)
        w.show()
        assert w.stack.currentWidget() is w.welcome
        monkeypatch.setattr(
            "ui.central.window.QMessageBox.question", lambda *a, **k: QMessageBox.StandardButton.Yes
        )
        click(qtbot, w.welcome.central_button)
        window = w._central_window
        assert isinstance(window, CentralWindow) and window.isVisible() and not w.isVisible()
        assert window.plan_page.title.text() == "計画がまだありません"
        path = window.plan_page.export_template(tmp_path / "ひな形.xlsx")
        assert path is not None and path.exists()
        window.close()
        from ui.app import is_central

        assert is_central(db)
    finally:
        db.dispose()


def test_the_central_office_confirms_an_indicators_kind_and_the_finding_follows(qtbot, window, office):
    from dxdesk.domain.enums import IndicatorKind
    from ui.central.indicator_kind_dialog import IndicatorKindDialog

    merge_by_drop(qtbot, window, office.submissions)
    window.show_page(5)
    review = window.review_page
    review.load_section()
    assert review.current() is not None
    code = next(
        c
        for c, r in review.rows.items()
        if r.snapshot.indicators
        and r.snapshot.sheet.stage is not None
        and r.snapshot.sheet.stage.value in ("2", "4")
    )
    assert review.select_measure(code)
    assert review.kind_button.isEnabled()
    n = len(review.rows[code].snapshot.indicators)
    dialog = IndicatorKindDialog(code, review.rows[code].snapshot.indicators, review)
    assert len(dialog.combos) == n and "推定" in dialog.combos[0].itemText(0)
    dialog.combos[0].setCurrentIndex(dialog.combos[0].findData("activity"))
    assert dialog.choices()[0] is IndicatorKind.ACTIVITY
    dialog.close()

    def findings() -> set[str]:
        return {f.check_id for f in review.current().findings}

    review.save_indicator_kinds(code, [IndicatorKind.ACTIVITY] * n)
    assert review.current().measure_code == code
    assert "AUD-OUTPUT-ONLY" in findings()
    assert any(
        "中央で活動指標と確定" in review.findings.item(i).text() for i in range(review.findings.count())
    )
    review.save_indicator_kinds(code, [IndicatorKind.OUTCOME] * n)
    assert "AUD-OUTPUT-ONLY" not in findings()
