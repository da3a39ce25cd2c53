"""The welcome screen of an empty database, and backups made and restored from the menu."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from dxdesk.store.backup import list_backups
from dxdesk.store.models import IndicatorValue, Measure
from tests.gui.conftest import cell_text, click, click_measure, open_tab, type_in_cell, wait_saved

pytestmark = pytest.mark.gui


def test_welcome_screen_offers_the_kit_and_the_demo(qtbot, db, monkeypatch):
    from ui.main_window import MainWindow

    shown = []
    # the kit dialog is tested in tests/exchange/test_dialogs.py; here: the button leads to it
    monkeypatch.setattr(
        "ui.exchange_dialogs.import_kit_interactive", lambda parent, data_dir: shown.append("kit")
    )
    w = MainWindow(db)
    qtbot.addWidget(w)
    w.show()
    assert w.stack.currentWidget() is w.welcome
    assert not w.actionCheck.isEnabled()
    click(qtbot, w.welcome.open_button)
    assert shown == ["kit"]  # cancelled: still on the welcome screen
    assert w.stack.currentWidget() is w.welcome
    click(qtbot, w.welcome.demo_button)
    assert w.stack.currentWidget() is not w.welcome
    assert "デモ市" in w.windowTitle()
    assert len(w.tree.measure_items()) >= 40
    assert "デモデータ" in w.save_label.text()
    w.close()


def test_backup_from_the_menu_and_restore_keeps_the_current_state(window, qtbot, demo_db, monkeypatch):
    path = demo_db.path
    window.actionBackup.trigger()
    assert window.save_label.text() == "バックアップを作成しました。"
    backups = list_backups(path)
    assert backups
    click_measure(qtbot, window, "多様化1-1-1")
    part = open_tab(qtbot, window, "指標")
    type_in_cell(qtbot, part.grid, 0, 14, "8.0")
    wait_saved(qtbot, window)

    monkeypatch.setattr("ui.main_window.QMessageBox.question", lambda *a: QMessageBox.StandardButton.Yes)

    def choose_newest() -> None:
        from ui.backup_dialog import RestoreDialog

        dialog = next(
            d for d in QApplication.topLevelWidgets() if isinstance(d, RestoreDialog) and d.isVisible()
        )
        assert "（バックアップ）" in dialog.list.item(0).text()
        dialog.list.setCurrentRow(0)
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(200, choose_newest)
    window.actionRestore.trigger()
    assert "の状態に戻しました" in window.save_label.text()
    click_measure(qtbot, window, "多様化1-1-1")
    part = open_tab(qtbot, window, "指標")
    assert cell_text(part.grid, 0, 14) == ""  # the value typed after the backup is gone …
    kept = [b for b in list_backups(path) if b.before_restore]
    assert len(kept) == 1  # … but kept in the copy taken before restoring
    from dxdesk.store.database import open_database

    copy = open_database(kept[0].path, migrate=False)
    with copy.session() as s:
        m = s.scalar(select(Measure).where(Measure.code == "多様化1-1-1"))
        v = s.scalar(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == m.indicators[0].id, IndicatorValue.fiscal_year == 2026
            )
        )
        assert v.actual == "8.0"
    copy.dispose()
    # the application keeps working on the restored database
    type_in_cell(qtbot, part.grid, 0, 14, "9.5")
    wait_saved(qtbot, window)


def test_qt_standard_buttons_are_japanese(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    from ui.app import make_app

    make_app()
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Yes)
    qtbot.addWidget(box)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert "Cancel" not in texts
    assert any("キャンセル" in t for t in texts)
