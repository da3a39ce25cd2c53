"""The one place that creates engines and sessions.

``open_database(target)`` takes a file path (SQLite) or any SQLAlchemy URL (``postgresql+psycopg://…``),
brings the schema to the newest migration (taking a backup copy of an SQLite file first), and returns
a :class:`Database` whose ``session()`` is used by the GUI and the CLI alike.

SQLite is opened in WAL mode with foreign keys on and ``synchronous=FULL``: every committed field is on
disk when the commit returns, so a killed process loses at most the field being typed.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import Session, sessionmaker

from dxdesk.errors import DxdeskError

log = logging.getLogger(__name__)

__all__ = ["Database", "DatabaseError", "open_database", "to_url"]


class DatabaseError(DxdeskError):
    """A database that cannot be opened or upgraded. ``str(error)`` is Japanese for the user."""


def to_url(target: str | Path) -> str:
    """A path becomes an SQLite URL; a URL is returned unchanged."""
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()
    if mode and str(mode[0]).lower() != "wal":  # e.g. a read-only medium
        log.warning("SQLite journal_mode is %s, not WAL", mode[0])
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


class Database:
    """An engine plus a session factory for one database."""

    def __init__(self, url: str, engine: Engine):
        self.url = url
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        """The file of an SQLite database, else None."""
        if not self.is_sqlite:
            return None
        db = make_url(self.url).database
        return Path(db) if db and db != ":memory:" else None

    def new_session(self, **info: Any) -> Session:
        session = self._factory()
        session.info.update(info)
        return session

    @contextmanager
    def session(self, **info: Any) -> Iterator[Session]:
        """A session committed on success and rolled back on error. ``info`` goes to ``session.info``
        (``user=`` names the person for the audit trail; ``audit=False`` switches it off for imports)."""
        session = self.new_session(**info)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database before anything writes to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        head = fh.read(16)
    if head != b"SQLite format 3\x00":
        raise DatabaseError(
            f"「{path.name}」は dxdesk のデータベースではないか、壊れています。"
            "バックアップから復元するか、別のファイルを選んでください。"
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"「{path.name}」を開けません（{exc}）。バックアップから復元してください。"
        ) from exc
    if not ok or ok[0] != "ok":
        raise DatabaseError(
            f"データベース「{path.name}」が壊れています（{ok[0] if ok else '不明'}）。バックアップから復元してください。"
        )


def open_database(target: str | Path, *, migrate: bool = True, backup_dir: Path | None = None) -> Database:
    """Open (creating if needed) and upgrade a database. Raises :class:`DatabaseError`."""
    from dxdesk.store import audit_trail
    from dxdesk.store.migrate import upgrade

    audit_trail.install()
    url = to_url(target)
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        _check_sqlite_file(Path(u.database))
    engine = _make_engine(url)
    db = Database(url, engine)
    if migrate:
        try:
            upgrade(db, backup_dir=backup_dir)
        except DatabaseError:
            engine.dispose()
            raise
        except SADatabaseError as exc:
            engine.dispose()
            raise DatabaseError(f"データベースを開けません：{exc.orig}") from exc
    return db
