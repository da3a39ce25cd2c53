"""Where the windows open: within the screen's available area, maximised on a small screen, and where the
person left them; the notice that confirms a file written, with 「フォルダを開く」; and the names set
once in 名前の設定."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from tests.gui.conftest import click

pytestmark = pytest.mark.gui


@pytest.fixture
def big_screen(monkeypatch):
    """A 1920×1080 screen with a 40-pixel taskbar (the offscreen screen is smaller)."""
    import ui.geometry

    monkeypatch.setattr(
        ui.geometry, "_screen_rects", lambda _w: (QRect(0, 0, 1920, 1080), QRect(0, 0, 1920, 1040))
    )
    monkeypatch.setattr(ui.geometry, "_available_areas", lambda: [QRect(0, 0, 1920, 1040)])


def test_the_section_window_opens_maximised_on_a_small_screen(qtbot, demo_db):
    from ui.app import make_app
    from ui.geometry import place
    from ui.main_window import MainWindow

    make_app()
    screen = QGuiApplication.primaryScreen()
    assert screen.geometry().width() <= 1366  # Qt's offscreen screen: a small one
    w = MainWindow(demo_db)
    qtbot.addWidget(w)
    room = screen.availableGeometry()
    assert w.width() <= room.width() and w.height() <= room.height()
    place(w, w.geometry_key)
    assert w.isMaximized()
    w.close()


def test_the_central_window_comes_back_where_it_was_left(qtbot, db, big_screen):
    from dxdesk.store.settings_store import set_setting
    from ui.app import make_app
    from ui.central.window import CentralWindow
    from ui.geometry import place

    make_app()
    with db.session() as s:
        set_setting(s, "role", "central")
    first = CentralWindow(db)
    qtbot.addWidget(first)
    place(first, first.geometry_key)
    assert not first.isMaximized()
    assert QRect(0, 0, 1920, 1040).contains(first.geometry())  # centred in the available area
    first.setGeometry(100, 80, 1200, 700)  # the person moves and resizes it
    first.close()

    second = CentralWindow(db)
    qtbot.addWidget(second)
    place(second, second.geometry_key)
    assert second.geometry() == QRect(100, 80, 1200, 700)
    second.close()


def test_a_saved_place_off_the_screen_is_not_used(qtbot, db, big_screen):
    from ui.app import make_app
    from ui.geometry import place, remember
    from ui.main_window import MainWindow

    make_app()
    w = MainWindow(db)
    qtbot.addWidget(w)
    w.setGeometry(3000, 2000, 1200, 700)  # on a second screen that is gone now
    remember(w, "section")
    again = MainWindow(db)
    qtbot.addWidget(again)
    place(again, "section")
    assert QRect(0, 0, 1920, 1040).contains(again.geometry())


def test_a_backup_is_confirmed_with_a_notice_that_opens_its_folder(qtbot, window, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    window.actionBackup.trigger()
    from ui.notice import Notice

    notice = window.findChild(Notice, "notice")
    assert notice is not None and notice.isVisible()
    assert notice.text.text() == "バックアップを作成しました。"
    assert window.save_label.text() == "バックアップを作成しました。"  # the status bar says it too
    # above the status bar, inside the window
    assert notice.geometry().bottom() < window.statusBar().geometry().top()
    assert window.rect().contains(notice.geometry())
    click(qtbot, notice.open_button)
    backups = Path(window.db.path).parent / "backups"
    assert [Path(u.toLocalFile()) for u in opened] == [backups]
    assert any(backups.iterdir())  # the file the notice speaks of


def test_author_and_chief_are_set_once_and_used_for_the_record_of_changes(qtbot, window):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.people import person

    offered: list[str] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "peopleDialog":
            QTimer.singleShot(50, fill)
            return
        offered.append(dialog.edits["author"].text())
        dialog.edits["author"].setText("山田 太郎")
        dialog.edits["chief"].setText("佐藤 一郎")
        dialog.accept()

    QTimer.singleShot(50, fill)
    window.actionPeople.trigger()
    import getpass

    assert offered == [getpass.getuser()]  # prefilled from the login until a name is set
    assert (person("author"), person("chief")) == ("山田 太郎", "佐藤 一郎")
    assert window.entry.saver.user == "山田 太郎"
    assert "山田 太郎" in window.save_label.text()
