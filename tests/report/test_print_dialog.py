"""The 印刷 / PDF出力 dialog, driven like a person: choose the range, click, watch progress, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from dxdesk.report.fonts import SETTING_KEY, find_font
from dxdesk.store.settings_store import get_setting
from tests.report.conftest import pdf_pages, pdf_text, squeeze

pytestmark = pytest.mark.gui


@pytest.fixture
def opened(monkeypatch):
    """The system's PDF viewer, recorded instead of launched (there is no desktop in CI)."""
    calls: list[str] = []
    from ui import print_dialog

    monkeypatch.setattr(
        print_dialog.QDesktopServices, "openUrl", lambda url: calls.append(url.toLocalFile()) or True
    )
    return calls


@pytest.fixture
def tsukuba(load_dataset):
    return load_dataset("tsukuba_management_sheet.json")


def measure_id(db, code: str) -> int:
    from sqlalchemy import select

    from dxdesk.store.models import Measure

    with db.session() as s:
        return s.scalar(select(Measure.id).where(Measure.code == code))


def make_dialog(qtbot, db, ids, section="S-JOHO"):
    from ui.print_dialog import PrintDialog

    dialog = PrintDialog(None, db, 2023, section, ids)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_current_sheet_is_printed_and_opened(qtbot, tsukuba, tmp_path, opened):
    dialog = make_dialog(qtbot, tsukuba, [measure_id(tsukuba, "089")])
    sheet = dialog.scope_buttons["sheet"]
    assert sheet.isChecked()
    assert "089" in sheet.text() and "庁内情報化事業" in sheet.text()
    assert Path(dialog.path_edit.text()).name == "R5_089_事務事業マネジメントシート.pdf"
    out = tmp_path / "out" / "sheet.pdf"
    dialog.path_edit.setText(str(out))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=30_000)
    assert out.exists() and pdf_pages(out) == dialog.last_result.pages
    assert "庁内情報化事業" in squeeze(pdf_text(out))
    assert opened == [str(out)]
    assert "作成しました" in dialog.status.text()
    assert dialog.progress.value() == dialog.progress.maximum()


def test_section_booklet_choice_changes_the_suggested_name_and_prints_a_booklet(
    qtbot, tsukuba, tmp_path, opened
):
    dialog = make_dialog(qtbot, tsukuba, [measure_id(tsukuba, "088")])
    dialog.path_edit.setText(str(tmp_path / "R5_088_事務事業マネジメントシート.pdf"))
    dialog._last_name = "R5_088_事務事業マネジメントシート.pdf"
    qtbot.mouseClick(dialog.scope_buttons["section"], Qt.MouseButton.LeftButton)
    assert dialog.scope() == "section"
    target = Path(dialog.path_edit.text())
    assert target.name == "R5_情報政策課_事務事業マネジメントシート.pdf"
    assert target.parent == tmp_path
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=30_000)
    assert "目次" in pdf_text(target, 2, 2)
    assert dialog.last_result.sheets == 3


def test_selection_of_several_sheets(qtbot, tsukuba, tmp_path, opened):
    ids = [measure_id(tsukuba, "088"), measure_id(tsukuba, "098")]
    dialog = make_dialog(qtbot, tsukuba, ids, section=None)
    assert "2件" in dialog.scope_buttons["selection"].text()
    assert "section" not in dialog.scope_buttons
    dialog.open_after.setChecked(False)
    out = tmp_path / "sel.pdf"
    dialog.path_edit.setText(str(out))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=30_000)
    text = squeeze(pdf_text(out))
    assert "業務改善推進事業" in text and "庁内情報化事業" not in text
    assert opened == []


def test_cancel_stops_and_keeps_the_old_file(qtbot, load_dataset, tmp_path, opened):
    from dxdesk.store.synthetic import synthetic_dataset

    db = load_dataset(synthetic_dataset(sections=6, measures_per_section=10))
    dialog = make_dialog(qtbot, db, [], section=None)
    assert dialog.scope() == "report"
    out = tmp_path / "report.pdf"
    out.write_bytes(b"%PDF-old")
    dialog.path_edit.setText(str(out))
    dialog.confirm_overwrite = lambda path: True  # the person answers 「はい」
    dialog.start()
    assert dialog.cancel_button.text() == "中止"
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=30_000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert "中止" in dialog.status.text()
    assert dialog.last_result is None
    assert out.read_bytes() == b"%PDF-old"
    assert opened == []
    assert dialog.cancel_button.text() == "閉じる" and dialog.create_button.isEnabled()


def test_choosing_a_font_checks_it_and_keeps_it(qtbot, tsukuba, tmp_path, monkeypatch):
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    dialog = make_dialog(qtbot, tsukuba, [])
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"x" * 1000)
    assert not dialog.set_font_path(str(bogus))
    assert warnings and "使えません" in warnings[0]
    good = str(find_font().path)
    assert dialog.set_font_path(good)
    with tsukuba.session() as s:
        assert get_setting(s, SETTING_KEY) == good
    assert find_font().path.name in dialog.font_label.text()
    assert dialog.font_label.toolTip() == good


def test_a_missing_font_setting_is_shown_in_red_with_what_to_do(qtbot, tsukuba, tmp_path):
    from dxdesk.store.settings_store import set_setting

    with tsukuba.session() as s:
        set_setting(s, SETTING_KEY, str(tmp_path / "gone.ttf"))
    dialog = make_dialog(qtbot, tsukuba, [])
    assert "フォント" in dialog.font_label.text()
    assert "gone.ttf" in dialog.status.text() and "見つかりません" in dialog.status.text()


def test_open_print_dialog_is_modal_and_closes(qtbot, tsukuba):
    from ui.print_dialog import PrintDialog, open_print_dialog

    seen: list[PrintDialog] = []

    def close_it():
        w = QApplication.activeModalWidget()
        assert isinstance(w, PrintDialog)
        seen.append(w)
        w.reject()

    QTimer.singleShot(200, close_it)
    open_print_dialog(None, tsukuba, 2023, "S-JOHO", [])  # type: ignore[arg-type]
    assert seen and seen[0].scope() == "section"
