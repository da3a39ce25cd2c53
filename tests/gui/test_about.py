"""ヘルプ → dxdesk について: version, database, data folder, and the licences of what is shipped."""

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from dxdesk import __version__
from dxdesk.paths import data_dir
from tests.gui.conftest import click

pytestmark = pytest.mark.gui


def _open_about(window, qtbot, check) -> None:
    """Choose ヘルプ → dxdesk について as a person would, hand the open dialog to ``check``, close it."""
    from ui.about_dialog import AboutDialog

    seen = []

    def inspect() -> None:
        dialog = next(
            d for d in QApplication.topLevelWidgets() if isinstance(d, AboutDialog) and d.isVisible()
        )
        try:
            check(dialog)
            seen.append(dialog)
        finally:
            click(qtbot, dialog.findChild(QPushButton, "closeAbout"))

    QTimer.singleShot(300, inspect)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("ヘルプ"))
    next(a for a in help_menu.actions() if a.objectName() == "actionAbout").trigger()
    assert seen, "the About dialog did not open"
    assert not any(isinstance(d, AboutDialog) and d.isVisible() for d in QApplication.topLevelWidgets())


def test_about_shows_version_database_and_data_folder(window, qtbot, demo_db):
    def check(dialog) -> None:
        labels = "\n".join(w.text() for w in dialog.findChildren(QLabel))
        assert f"バージョン {__version__}" in labels
        assert str(demo_db.path) in labels
        assert str(data_dir()) in labels
        assert str(demo_db.path.parent / "backups") in labels
        click(qtbot, dialog.findChild(QPushButton, "copyAbout"))
        copied = QGuiApplication.clipboard().text()
        assert f"バージョン：{__version__}" in copied and str(demo_db.path) in copied

    _open_about(window, qtbot, check)


def test_about_lists_the_shipped_components_with_their_licence_texts(window, qtbot):
    def check(dialog) -> None:
        rows = [dialog.list.topLevelItem(i) for i in range(dialog.list.topLevelItemCount())]
        names = [row.text(0) for row in rows]
        for component in ("Python", "PySide6_Essentials", "shiboken6", "SQLAlchemy", "alembic", "openpyxl"):
            assert component in names, f"{component} missing from the licence list"
        assert not {"pytest", "ruff", "mypy", "hypothesis"} & set(names), "development tools are not shipped"

        dialog.list.setCurrentItem(rows[names.index("PySide6_Essentials")])
        qt = dialog.text.toPlainText()
        assert "LGPL-3.0" in qt and "置き換える" in qt  # the notice: replaceable Qt libraries
        assert "GNU LESSER GENERAL PUBLIC LICENSE" in qt and "GNU GENERAL PUBLIC LICENSE" in qt

        dialog.list.setCurrentItem(rows[names.index("SQLAlchemy")])
        assert dialog.list.currentItem().text(2) == "MIT"
        assert "Permission is hereby granted" in dialog.text.toPlainText()

    _open_about(window, qtbot, check)


def test_the_central_window_has_the_same_about_box_with_the_file_path(qtbot, tmp_path, empty_central_window):
    window = empty_central_window

    def check(dialog) -> None:
        labels = "\n".join(w.text() for w in dialog.findChildren(QLabel))
        assert f"バージョン {__version__}" in labels and "中央" in labels
        assert str(tmp_path / "central.sqlite") in labels  # the file, not a sqlite:/// address
        assert "sqlite:" not in labels

    try:
        _open_about(window, qtbot, check)
    finally:
        window.close()
