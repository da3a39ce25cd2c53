"""A database as the previous release left it, and a check that an upgrade kept every row of it.

Used by the upgrade test (tests/test_upgrade.py, with ``open_database`` and the installed ``dxdesk``
command) and by the bundle's smoke test (packaging/smoke_test.py, with the built executable).

"Previous release" is computed, not written down: the revision before the newest one in db/versions, so
the check keeps testing the newest migration as migrations are added. The old database is filled the
way that version would have held the data: the demo plan is loaded with today's code into a scratch
database, an empty database is created by Alembic at the old revision, and every row is copied over on
the columns the old schema has (a column the old schema had and today's has not gets a plain value of
its type). One sheet text is then edited through the ORM so the audit trail has rows too.

After the upgrade every table the old database had must hold the same rows on the columns both schemas
share. A migration that transforms data on purpose will show up here: compare the transformed columns
separately and leave them out of :func:`assert_rows_kept`'s comparison.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from dxdesk.store.migrate import alembic_config

__all__ = ["assert_rows_kept", "make_old_database", "previous_head", "table_rows"]

EDITED_TEXT = "旧バージョンで入力した取組結果（アップグレード後も残ること）"


def previous_head() -> str | None:
    """The revision before the newest (None while there is only one)."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_revision(script.get_current_head())
    down = head.down_revision if head else None
    if isinstance(down, tuple | list):  # a merge: the first parent is as good as any
        down = down[0]
    return down


def _create_at(path: Path, revision: str) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def _placeholder(column: sa.Column[Any]) -> Any:
    """A plain value for a NOT NULL column the old schema has and today's has not."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return 0
    if isinstance(kind, sa.Integer | sa.Numeric | sa.Float):
        return 0
    if isinstance(kind, sa.DateTime | sa.Date):
        return "2025-04-01 00:00:00"
    if isinstance(kind, sa.JSON):
        return "{}"
    return ""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_rows(source: Path, target: Path) -> None:
    old = sa.MetaData()
    old_engine = sa.create_engine(f"sqlite:///{target}")
    new_engine = sa.create_engine(f"sqlite:///{source}")
    old.reflect(old_engine)
    inspector = sa.inspect(new_engine)
    new_columns = {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        dst.execute("PRAGMA foreign_keys=OFF")
        for table in old.sorted_tables:
            if table.name == "alembic_version" or table.name not in new_columns:
                continue
            shared = [c.name for c in table.columns if c.name in new_columns[table.name]]
            filled = [c for c in table.columns if c.name not in new_columns[table.name] and not c.nullable]
            extra = [_placeholder(c) for c in filled]
            names = ", ".join(_quoted(c) for c in shared + [c.name for c in filled])
            marks = ", ".join("?" for _ in range(len(shared) + len(filled)))
            rows = src.execute(f"SELECT {', '.join(_quoted(c) for c in shared)} FROM {_quoted(table.name)}")
            dst.executemany(
                f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', (list(r) + extra for r in rows)
            )
        dst.commit()
    finally:
        src.close()
        dst.close()
        old_engine.dispose()
        new_engine.dispose()


def _edit_a_text(path: Path) -> None:
    """An edit by a person, the way every version writes one: through the ORM with the audit trail."""
    from sqlalchemy import select

    from dxdesk.store.database import open_database
    from dxdesk.store.models import SheetText

    db = open_database(path, migrate=False)
    try:
        with db.session(user="担当 太郎") as s:
            text = s.scalars(select(SheetText).order_by(SheetText.id)).first()
            if text is None:
                raise AssertionError("the demo data has no sheet text to edit")
            text.text = EDITED_TEXT
    finally:
        db.dispose()


def make_old_database(path: Path, revision: str, scratch: Path) -> None:
    """Create ``path`` at ``revision`` holding the demo plan and one edited text (``scratch``: a folder
    for the database the rows are copied from)."""
    from dxdesk.store.demo import create_demo_database

    scratch.mkdir(parents=True, exist_ok=True)
    source = scratch / f"source-{datetime.now():%H%M%S%f}.sqlite"
    create_demo_database(source).dispose()
    _create_at(path, revision)
    _copy_rows(source, path)
    _edit_a_text(path)


def table_rows(
    path: Path, tables: Iterable[str] | None = None
) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table's column names and sorted rows (all tables but alembic_version, or ``tables``)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = (
            list(tables)
            if tables is not None
            else [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
                if r[0] != "alembic_version"
            ]
        )
        result = {}
        for name in names:
            columns = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
            rows = sorted(con.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            result[name] = (columns, rows)
        return result
    finally:
        con.close()


def assert_rows_kept(before: dict[str, tuple[list[str], list[tuple[Any, ...]]]], after_path: Path) -> int:
    """Every table of ``before`` still holds the same rows on the columns it still has. Returns the
    number of rows compared; raises AssertionError naming the first table that differs."""
    after = table_rows(after_path)
    compared = 0
    for table, (old_columns, old_rows) in before.items():
        if table not in after:
            raise AssertionError(f"table {table} is gone after the upgrade")
        new_columns, new_rows = after[table]
        shared = [c for c in old_columns if c in new_columns]
        old_keep = sorted((tuple(r[old_columns.index(c)] for c in shared) for r in old_rows), key=repr)
        new_keep = sorted((tuple(r[new_columns.index(c)] for c in shared) for r in new_rows), key=repr)
        if old_keep != new_keep:
            raise AssertionError(
                f"table {table}: {len(old_keep)} rows before, {len(new_keep)} after, or values differ"
            )
        compared += len(old_keep)
    return compared
