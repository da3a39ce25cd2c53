"""The embedded demo data (「デモ市」), loaded into a fresh database for newcomers and tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from dxdesk.paths import resource
from dxdesk.store.database import Database, open_database
from dxdesk.store.dataset import import_dataset, load_dataset_file
from dxdesk.store.settings_store import set_setting

__all__ = ["DEMO_DATASET", "create_demo_database", "demo_dataset"]

DEMO_DATASET = ("demo", "demo_city.json")


@cache
def _cached() -> dict[str, Any]:
    return load_dataset_file(resource(*DEMO_DATASET))


def demo_dataset() -> dict[str, Any]:
    """The demo dataset as a fresh dict (callers may modify it)."""
    import copy

    return copy.deepcopy(_cached())


def create_demo_database(path: Path, *, role: str = "section") -> Database:
    """Create (or refill) a database at ``path`` with the demo plan. Existing rows are upserted."""
    db = open_database(path)
    with db.session(audit=False) as s:
        plan = import_dataset(s, demo_dataset())
        set_setting(s, "role", role)
        set_setting(s, "demo", "1")
        set_setting(s, "plan_code", plan.code)
    return db
