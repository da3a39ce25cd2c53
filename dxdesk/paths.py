"""Where things are: bundled resources, the Alembic migrations, and the user's data folder.

Resources and migrations sit beside the ``dxdesk`` package in a source tree or an editable install,
inside ``sys._MEIPASS`` in a PyInstaller bundle. User data lives in the platform's data folder
(``%LOCALAPPDATA%\\dxdesk`` on Windows) unless ``DXDESK_DATA_DIR`` points elsewhere (tests, portable use).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "dxdesk"


def _base() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return _base() / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def migrations_dir() -> Path:
    return _base() / "db"


def data_dir() -> Path:
    """The user's data folder, created on first use."""
    override = os.environ.get("DXDESK_DATA_DIR")
    path = (
        Path(override) if override else platformdirs.user_data_path(APP_NAME, appauthor=False, roaming=False)
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "dxdesk.sqlite"


def demo_database_path() -> Path:
    return data_dir() / "demo" / "demo.sqlite"
