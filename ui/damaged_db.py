"""「データベースが壊れています」 with the backups offered, at start-up and while the application runs.

A file damaged inside its records passes the check at opening (SQLite's quick check does not read the
values) and fails when a row is read — building the main window, or later on some screen. Both lead
here instead of a traceback: the message names the file, and when it has backups the person can pick
one (``RestoreDialog``) and the application restores it (``restore_backup`` keeps the damaged file as
「復元前の状態」) and opens it again.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from dxdesk.section_desk import BackupError, damaged, is_damage, list_backups, restore_backup
from ui.backup_dialog import RestoreDialog

log = logging.getLogger(__name__)

__all__ = ["ask_restore", "install_damage_hook", "offer_restore"]


def ask_restore(parent: QWidget | None, message: str, can_restore: bool) -> bool:
    """The message box; True when the person chose 「バックアップから復元…」."""
    box = QMessageBox(parent)
    box.setObjectName("damagedDatabaseBox")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("データベースが壊れています")
    box.setText(message)
    restore = (
        box.addButton("バックアップから復元…", QMessageBox.ButtonRole.AcceptRole) if can_restore else None
    )
    box.addButton("閉じる", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return restore is not None and box.clickedButton() is restore


def offer_restore(parent: QWidget | None, path: Path | None, message: str) -> bool:
    """Show the damaged-database message; True when a backup was restored over ``path`` (the caller
    has closed its connections and opens the file again)."""
    can_restore = path is not None and bool(list_backups(path))
    if not ask_restore(parent, message, can_restore) or path is None:
        return False
    dialog = RestoreDialog(path, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen() is None:
        return False
    chosen = dialog.chosen()
    assert chosen is not None
    try:
        restore_backup(path, chosen.path)
    except BackupError as exc:
        QMessageBox.critical(parent, "復元できませんでした", str(exc))
        return False
    return True


def install_damage_hook(window: Callable[[], QWidget | None], path: Path | None) -> None:
    """While the application runs, an error of a damaged database (raised in any slot) shows the
    message and offers the window's own restore (「ファイル」→「バックアップから復元」) instead of a
    traceback; any other error goes to the previous hook."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if not is_damage(exc):
            previous(kind, exc, tb)
            return
        log.error("damaged database %s: %s", path, exc)
        w = window()
        restore = getattr(w, "restore", None)
        message = str(damaged(exc, path))
        if ask_restore(w, message, callable(restore) and path is not None and bool(list_backups(path))):
            assert restore is not None
            restore()

    sys.excepthook = hook
