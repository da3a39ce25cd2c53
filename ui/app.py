"""Start the desktop application: QApplication, look, database, main window.

Errors opening the database are shown as a Japanese message box and never lose the file: a corrupt or
foreign file is refused before anything writes to it (dxdesk.store.database). A damaged file — refused
at opening or failing while a window reads it, at start-up or later — gets 「データベースが壊れています」
with its backups offered (ui.damaged_db).

Which window opens depends on the database: a central database (``app_setting.role = central``, set by
``dxdesk demo`` for DIR/central.sqlite and by the plan master import) opens the central office's
window (``ui.central.window.CentralWindow``), anything else the section application.

``DXDESK_SMOKE_TEST`` (set by packaging/smoke_test.py to check a built bundle) makes the application
draw its main window once, print one ``SMOKE-TEST OK …`` line, save the drawing when the value ends in
``.png``, and quit.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QPoint, QRect, Qt, QTimer, QTranslator
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from dxdesk import __version__
from dxdesk.errors import DxdeskError
from dxdesk.paths import default_database_path, demo_database_path, resource
from dxdesk.section_desk import (
    DamagedDatabase,
    Database,
    SectionDesk,
    create_demo_database,
    damaged,
    is_damage,
    open_database,
)
from ui import style
from ui.damaged_db import install_damage_hook, offer_restore
from ui.geometry import place

log = logging.getLogger(__name__)

SMOKE_TEST_ENV = "DXDESK_SMOKE_TEST"


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
    app.setWindowIcon(QIcon(str(resource("dxdesk.png"))))  # drawn by scripts/make_icon.py
    _install_japanese_qt_texts(app)
    style.apply(app)
    return app


def _install_japanese_qt_texts(app: QApplication) -> None:
    """Qt's own texts (standard buttons 「キャンセル」「はい」, file dialogs, context menus) in Japanese."""
    if getattr(app, "_dxdesk_translator", None) is not None:
        return
    translator = QTranslator(app)
    if translator.load(
        QLocale(QLocale.Language.Japanese),
        "qtbase",
        "_",
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    ):
        app.installTranslator(translator)
        app._dxdesk_translator = translator  # type: ignore[attr-defined]
    else:
        log.warning("Qt's Japanese translation (qtbase_ja.qm) not found; standard buttons stay in English")


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


def open_central_demo(reset: bool = False) -> Database:
    """The central office's demo (デモ市, most sections merged) in the user's data folder, built on
    first use (about 5 s) and kept afterwards. The building runs on a worker thread so the progress
    dialog is drawn at once and keeps moving (each step named, the bar running while a step works)."""
    from dxdesk.central.demo import ensure_central_demo
    from ui.tasks import run_with_progress

    task = run_with_progress(
        None,
        "dxdesk",
        "中央のデモデータを作成しています…",
        lambda report, _cancelled: ensure_central_demo(reset=reset, progress=report),
        cancellable=False,
        label_of=lambda i, n, message: (
            f"中央のデモデータを作成しています（{min(i + 1, n)} / {n}）\n{message}"
        ),
        delay_ms=150,  # built before: ready at once and no dialog flashes
        steps=False,  # the bar keeps running while a step works
    )
    if task.error is not None:
        raise task.error
    return open_database(task.result)


def is_central(db: Database) -> bool:
    return SectionDesk(db).role == "central"


def main_window_for(db: Database) -> QMainWindow:
    """The central office's window on a central database, else the section application."""
    if is_central(db):
        from ui.central.window import CentralWindow

        return CentralWindow(db)
    from ui.main_window import MainWindow

    return MainWindow(db)


def run(
    db_path: str | Path | None = None,
    demo: bool = False,
    reset_demo: bool = False,
    central_demo: bool = False,
) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines mean nothing to a user
    app = make_app()
    opened = open_window(db_path, demo, reset_demo, central_demo)
    if opened is None:
        return 2
    db, window = opened
    install_damage_hook(lambda: window, db.path)
    place(window, getattr(window, "geometry_key", "section"))
    window.show()
    settle()
    if os.environ.get(SMOKE_TEST_ENV):
        QTimer.singleShot(0, lambda: _smoke_test(app, window, db, os.environ[SMOKE_TEST_ENV]))
    else:  # 「はじめての方へ」 once per person and kind of window, beside the window (not modal)
        from ui.help import first_start_page

        kind = "central" if getattr(window, "geometry_key", "") == "central" else "section"
        QTimer.singleShot(300, window, lambda: window.isVisible() and first_start_page(window, kind))
    code = app.exec()
    db.dispose()
    return int(code)


def open_window(
    db_path: str | Path | None, demo: bool, reset_demo: bool, central_demo: bool
) -> tuple[Database, QMainWindow] | None:
    """The database and its main window, or None after telling the person why not. A damaged file —
    refused at opening, or failing while the window reads it — gets 「データベースが壊れています」 with
    its backups offered; after a restore it is opened again."""
    target = db_path or default_database_path()
    for _attempt in range(3):
        db: Database | None = None
        try:
            if central_demo:
                db = open_central_demo(reset_demo)
            elif demo:
                db = open_demo(reset_demo)
            else:
                db = open_database(target)
            return db, main_window_for(db)
        except DamagedDatabase as exc:
            problem: BaseException = exc
            path = exc.path
        except Exception as exc:
            if not is_damage(exc):
                if isinstance(exc, DxdeskError):
                    QMessageBox.critical(None, "dxdesk", f"データベースを開けませんでした。\n\n{exc}")
                    return None
                raise
            path = db.path if db is not None else None
            problem = damaged(exc, path)
        if db is not None:
            db.dispose()
        log.error("damaged database %s: %s", path, problem)
        if not offer_restore(None, path, str(problem)):
            return None
        reset_demo = False
    return None


def _smoke_test(app: QApplication, window: QWidget, db: Database, target: str, waited_ms: int = 0) -> None:
    """Draw the main window, say what was drawn, quit (packaging/smoke_test.py reads the line).

    On a real display the window manager frames and places the window after ``show()``: wait (up to
    5 s) until it has, so that ``frame=`` is where the person sees the window, and ``available=`` the
    screen's area without taskbar and panels."""
    handle = window.windowHandle()
    framed = window.frameGeometry() != window.geometry()
    offscreen = QGuiApplication.platformName() in ("offscreen", "minimal")
    if not offscreen and waited_ms < 5000 and not (handle is not None and handle.isExposed() and framed):
        QTimer.singleShot(100, lambda: _smoke_test(app, window, db, target, waited_ms + 100))
        return
    if not offscreen and waited_ms < 5000 and not getattr(window, "_smoke_settled", False):
        window._smoke_settled = True  # type: ignore[attr-defined]  # one more moment for a maximise
        QTimer.singleShot(500, lambda: _smoke_test(app, window, db, target, waited_ms + 500))
        return
    image = window.grab()
    if target.lower().endswith(".png"):
        image.save(target)
    if sys.stdout:  # a windowed Windows program has no stdout; the smoke test runs dxdesk-cli.exe
        print(
            f"SMOKE-TEST OK window={type(window).__name__} size={image.width()}x{image.height()}"
            f" font={app.font().family()!r} stylesheet={'yes' if app.styleSheet() else 'no'}"
            f" icon={'no' if app.windowIcon().isNull() else 'yes'}"
            f" db={db.path}"
            f" platform={QGuiApplication.platformName()} frame={_rect(window.frameGeometry())}"
            f" available={_rect(window.screen().availableGeometry())}"
            f" statusbar={_statusbar(window)}",
            flush=True,
        )
    app.quit()


def _rect(r: QRect) -> str:
    return f"{r.width()}x{r.height()}+{r.x()}+{r.y()}"


def _statusbar(window: QWidget) -> str:
    """Where the status bar is on the screen ("none" when the window has none or it is hidden)."""
    bar = window.statusBar() if isinstance(window, QMainWindow) else None
    if bar is None or not bar.isVisible():
        return "none"
    return _rect(QRect(bar.mapToGlobal(QPoint(0, 0)), bar.size()))
