"""The person's own preferences on this PC, kept in ``preferences.ini`` in the user's data folder (not in
any database, so opening another database or the demo keeps them): where each window was, and the names
of the people the application writes into files (:mod:`ui.people`)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from dxdesk.paths import data_dir

__all__ = ["preferences"]


def preferences() -> QSettings:
    return QSettings(str(data_dir() / "preferences.ini"), QSettings.Format.IniFormat)
