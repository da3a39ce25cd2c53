"""The embedded demo data (「デモ市」), loaded into a fresh database for newcomers and tests."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from dxdesk.paths import resource
from dxdesk.store.database import Database, open_database
from dxdesk.store.dataset import import_dataset, load_dataset_file
from dxdesk.store.settings_store import set_setting

__all__ = ["DEMO_DATASET", "create_demo_database", "demo_dataset", "load_demo"]

DEMO_DATASET = ("demo", "demo_city.json")


@cache
def _cached() -> dict[str, Any]:
    return load_dataset_file(resource(*DEMO_DATASET))


def demo_dataset() -> dict[str, Any]:
    """The demo dataset as a fresh dict (callers may modify it)."""
    return copy.deepcopy(_cached())


def load_demo(db: Database, *, role: str = "section") -> None:
    """Load (upsert) the demo plan into ``db`` and make it the database's plan."""
    with db.session(audit=False) as s:
        plan = import_dataset(s, demo_dataset())
        set_setting(s, "role", role)
        set_setting(s, "demo", "1")
        set_setting(s, "plan_code", plan.code)


def create_demo_database(path: Path | str, *, role: str = "section") -> Database:
    """Open (creating if needed) a database at ``path`` and load the demo plan into it."""
    db = open_database(path)
    load_demo(db, role=role)
    return db
