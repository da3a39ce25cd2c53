"""Schema migrations at start-up: create an empty database, upgrade an old one in place.

Before upgrading an existing SQLite file, a consistent copy is written next to it
(``<name>.before-<revision>.sqlite``) with SQLite's backup API, so an upgrade never loses data even if it
fails half-way (each migration also runs in a transaction). A database written by a newer dxdesk is
refused with a message rather than touched.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from dxdesk.files import atomic_path
from dxdesk.paths import migrations_dir
from dxdesk.store.database import Database, DatabaseError, make_private, sqlite_copy

log = logging.getLogger(__name__)

__all__ = ["alembic_config", "current_revision", "head_revision", "upgrade"]


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise DatabaseError(
            f"マイグレーションの先頭が複数あります（{', '.join(heads)}）。開発者に連絡してください。"
        )
    return heads[0]


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _has_tables(db: Database) -> bool:
    return bool(inspect(db.engine).get_table_names())


def _backup_sqlite(path: Path, revision: str | None, backup_dir: Path | None) -> Path:
    folder = backup_dir or path.parent
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = folder / f"{path.stem}.before-{revision or 'unversioned'}-{stamp}{path.suffix}"
    with atomic_path(dest) as tmp:  # a crash mid-copy never leaves a complete-looking half copy
        make_private(Path(tmp))  # owner-only, like the database it copies
        sqlite_copy(path, Path(tmp))
    log.info("backed up %s to %s before migrating", path, dest)
    return dest


def upgrade(db: Database, *, backup_dir: Path | None = None) -> None:
    """Bring ``db`` to the head revision. Idempotent and fast when already there."""
    script = ScriptDirectory.from_config(alembic_config())
    head = head_revision()
    current = current_revision(db)
    if current == head:
        return
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        raise DatabaseError(
            "このデータベースは新しいバージョンの dxdesk で作成されています。dxdesk を更新してから開いてください。"
        )
    if current is None and _has_tables(db):
        raise DatabaseError(
            "dxdesk のデータベースではありません（管理情報がありません）。別のファイルを選んでください。"
        )
    path = db.path
    if current is not None and path is not None and path.exists():
        _backup_sqlite(path, current, backup_dir)
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.info("database %s migrated %s -> %s", db.url, current, head)
