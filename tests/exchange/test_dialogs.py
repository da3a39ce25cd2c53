"""The kit import and submission export dialogs, driven like a person (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from dxdesk.exchange.kit_import import read_kit_info
from dxdesk.exchange.submission import verify_submission
from dxdesk.store.database import open_database
from dxdesk.store.models import MeasureYear, SheetText
from dxdesk.store.settings_store import get_setting

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _app():
    from ui.app import make_app

    return make_app()


def test_kit_dialog_asks_again_after_a_wrong_passphrase(qtbot, world, tmp_path):
    from ui.exchange_dialogs import KitImportDialog

    kit = world.kits["S003"]
    d = KitImportDialog(read_kit_info(kit.path), tmp_path / "data")
    qtbot.addWidget(d)
    d.show()
    assert "S003" in d.findChild(QLabel, "kitSummary").text()
    assert d.findChild(QLabel, "caFingerprint").text().replace(" ", "").lower() == kit_fp(world)[:32]
    assert not d.import_button.isEnabled()
    qtbot.keyClicks(d.passphrase, "2222-3333")
    assert d.count_label.text() == "8/16文字" and not d.import_button.isEnabled()
    qtbot.keyClicks(d.passphrase, "-4444-5555")
    assert d.import_button.isEnabled()
    qtbot.mouseClick(d.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "パスワードが違います" in d.error.text(), timeout=20_000)
    assert d.isVisible() and d.result_info is None and d.passphrase.isEnabled()
    assert not (tmp_path / "data" / "dxdesk.sqlite").exists()
    d.passphrase.clear()
    qtbot.keyClicks(d.passphrase, kit.passphrase.lower().replace("-", " "))  # typed loosely
    with qtbot.waitSignal(d.accepted, timeout=30_000):
        qtbot.mouseClick(d.import_button, Qt.MouseButton.LeftButton)
    assert d.result_info is not None and d.result_info.created
    assert d.result_info.db_path == tmp_path / "data" / "dxdesk.sqlite"


def kit_fp(world):
    return next(iter(world.trust.cas))


def test_kit_dialog_names_characters_that_are_never_in_a_passphrase(qtbot, world, tmp_path):
    from ui.exchange_dialogs import KitImportDialog

    d = KitImportDialog(read_kit_info(world.kits["S003"].path), tmp_path)
    qtbot.addWidget(d)
    qtbot.keyClicks(d.passphrase, "K7QM-4XPT-9HWC-3RF0")
    assert "「0」" in d.error.text()


def test_export_dialog_refuses_and_lists_errors(qtbot, copy_world):
    from ui.exchange_dialogs import ExportSubmissionDialog

    db = open_database(copy_world.section_db)
    try:
        with db.session() as s:
            for t in (
                s.query(SheetText)
                .join(MeasureYear)
                .filter(MeasureYear.fiscal_year == 2026, SheetText.field == "result")
            ):
                t.text = ""
        jumped = []
        d = ExportSubmissionDialog(db, 2026, "S001", on_finding=jumped.append)
        qtbot.addWidget(d)
        d.show()
        assert "エラーが4件" in d.findChild(QLabel, "blockedLabel").text()
        assert d.error_list.topLevelItemCount() == 4
        assert not hasattr(d, "export_button")
        item = d.error_list.topLevelItem(0)
        assert item.text(0) == "001-01" and "取組結果" in item.text(2)
        d.error_list.itemActivated.emit(item, 0)
        assert jumped and jumped[0].field == "texts.result" and jumped[0].measure_code == "001-01"
    finally:
        db.dispose()


def test_export_dialog_asks_for_author_and_chief_then_exports(qtbot, copy_world, tmp_path):
    from ui.exchange_dialogs import ExportSubmissionDialog

    db = open_database(copy_world.section_db)
    try:
        d = ExportSubmissionDialog(db, 2026, "S001")
        qtbot.addWidget(d)
        d.show()
        assert d.file_label.text() == "R08_S001_電子申請推進課_提出_第2版.xlsx"
        d.author.clear()
        d.folder.setText(str(tmp_path))
        qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
        assert d.error.text() == "作成者を入力してください。"
        d.author.insert("山田 太郎")  # Japanese comes through the IME; QTest types ASCII only
        qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
        assert "所属長" in d.error.text()
        d.chief.insert("佐藤 一郎")
        qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
        assert "チェック" in d.error.text()
        d.confirmed.setChecked(True)
        with qtbot.waitSignal(d.accepted, timeout=60_000):
            qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
        r = d.result_info
        assert r is not None and r.revision == 2 and r.path.parent == tmp_path
        assert verify_submission(r.path, copy_world.trust).ok
        with db.session() as s:
            assert get_setting(s, "export_author") == "山田 太郎"
        again = ExportSubmissionDialog(db, 2026, "S001")
        qtbot.addWidget(again)
        assert again.author.text() == "山田 太郎" and again.folder.text() == str(tmp_path)
        assert "第3版" in again.file_label.text()
    finally:
        db.dispose()


def test_export_dialog_missing_folder_is_a_message(qtbot, copy_world, tmp_path):
    from ui.exchange_dialogs import ExportSubmissionDialog

    db = open_database(copy_world.section_db)
    try:
        d = ExportSubmissionDialog(db, 2026, "S001")
        qtbot.addWidget(d)
        d.author.setText("山田")
        d.chief.setText("佐藤")
        d.confirmed.setChecked(True)
        d.folder.setText(str(tmp_path / "nowhere"))
        qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
        assert "フォルダ" in d.error.text() and "ありません" in d.error.text()
    finally:
        db.dispose()
