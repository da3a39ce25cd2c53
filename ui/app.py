"""Start the desktop application: QApplication, look, database, main window.

Errors opening the database are shown as a Japanese message box and never lose the file: a corrupt or
foreign file is refused before anything writes to it (dxdesk.store.database).
"""

from __future__ import annotations

import gc
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
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        # fractional scale factors (125 %, 150 % on office laptops) are used as they are
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    # The window's thread shares the interpreter with the autosave thread (dxdesk.store.autosave): hand
    # the interpreter over within 1 ms instead of the default 5 ms, so a save never holds up the window.
    sys.setswitchinterval(0.001)
    app.setApplicationName("dxdesk")
    app.setApplicationDisplayName("dxdesk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("dxdesk")
    style.apply(app)
    return app


def settle() -> None:
    """After start-up: what was built so far (plan, widgets) lives as long as the window, so keep it out
    of the garbage collector's full passes, which would otherwise pause typing for 100 ms and more."""
    gc.collect()
    gc.freeze()


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
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines mean nothing to a user
    app = make_app()
    try:
        db = open_demo(reset_demo) if demo else open_database(db_path or default_database_path())
    except DatabaseError as exc:
        QMessageBox.critical(None, "dxdesk", f"データベースを開けませんでした。\n\n{exc}")
        return 2
    from ui.main_window import MainWindow

    window = MainWindow(db)
    window.show()
    settle()
    code = app.exec()
    db.dispose()
    return int(code)
