"""Start the desktop application: QApplication, look, database, main window.

Errors opening the database are shown as a Japanese message box and never lose the file: a corrupt or
foreign file is refused before anything writes to it (dxdesk.store.database).
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from dxdesk import __version__
from dxdesk.paths import default_database_path, demo_database_path
from dxdesk.store.database import Database, DatabaseError, open_database
from dxdesk.store.demo import create_demo_database
from ui import style

log = logging.getLogger(__name__)


def make_app(argv: list[str] | None = None) -> QApplication:
    QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("dxdesk")
    app.setApplicationDisplayName("dxdesk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("dxdesk")
    style.apply(app)
    return app


def open_demo(reset: bool = False) -> Database:
    """The demo database in the user's data folder: created on first use, kept afterwards."""
    path = demo_database_path()
    if reset and path.parent.exists():
        shutil.rmtree(path.parent)
    if path.exists():
        return open_database(path)
    return create_demo_database(path)


def run(db_path: Path | None = None, demo: bool = False, reset_demo: bool = False) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = make_app()
    try:
        db = open_demo(reset_demo) if demo else open_database(db_path or default_database_path())
    except DatabaseError as exc:
        QMessageBox.critical(None, "dxdesk", f"データベースを開けませんでした。\n\n{exc}")
        return 2
    from ui.main_window import MainWindow

    window = MainWindow(db)
    window.show()
    code = app.exec()
    db.dispose()
    return int(code)
