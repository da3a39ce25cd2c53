"""The one place that creates engines and sessions.

``open_database(target)`` takes a file path (SQLite) or any SQLAlchemy URL (``postgresql+psycopg://…``),
brings the schema to the newest migration (taking a backup copy of an SQLite file first), and returns
a :class:`Database` whose ``session()`` is used by the GUI and the CLI alike.

SQLite is opened in WAL mode with foreign keys on and ``synchronous=FULL``: every committed field is on
disk when the commit returns, so a killed process loses at most the field being typed.

On POSIX a new SQLite file is created owner-only (0600); SQLite gives its ``-wal`` and ``-shm`` files the
same mode. (An existing file keeps its mode: a central database may be shared on purpose.) A database holds sealed keys and personal names.

Opening an SQLite file first checks it (its header, then SQLite's quick_check, which reads the whole
file); a command with more to import before it opens the database can begin that check on another
core with :func:`check_in_background` (``dxdesk merge`` does).

A file damaged inside its records (flipped bytes in the text of a value: SQLite's quick check does not
look there) fails later, when a row is read, with a decoding or format error. :func:`is_damage` tells
those errors apart and :func:`damaged` turns one into :class:`DamagedDatabase`, the same
「データベースが壊れています」 message as a file refused at opening, naming the backups to restore.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sqlite3
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from dxdesk.errors import DxdeskError

log = logging.getLogger(__name__)

__all__ = [
    "DamagedDatabase",
    "Database",
    "DatabaseError",
    "check_in_background",
    "damaged",
    "is_damage",
    "make_private",
    "open_database",
    "schema_head",
    "to_url",
]


class DatabaseError(DxdeskError):
    """A database that cannot be opened or upgraded. ``str(error)`` is Japanese for the user."""


class DamagedDatabase(DatabaseError):
    """The database file is damaged; ``path`` is the file (its backups can be offered)."""

    def __init__(self, message: str, path: Path | None):
        super().__init__(message)
        self.path = path


def make_private(path: Path, *, create: bool = True) -> None:
    """Make ``path`` owner-only (0600) on POSIX; with ``create``, an empty file is created first if there
    is none. No-op on Windows, where the user's profile folder is already private."""
    if os.name != "posix":
        return
    path = Path(path)
    try:
        if create:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
    except OSError as exc:  # a read-only medium: nothing to tighten
        log.warning("could not make %s owner-only: %s", path, exc)


def sqlite_copy(source: Path, target: Path, *, read_only: bool = False, self_contained: bool = False) -> None:
    """Copy the SQLite database ``source`` into ``target`` with SQLite's backup API (consistent even while
    another connection writes). ``read_only`` opens the source so that it cannot change (a backup being
    restored); ``self_contained`` leaves the copy in rollback-journal mode, one file with no -wal beside."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True) if read_only else sqlite3.connect(str(source))
    try:
        out = sqlite3.connect(str(target))
        try:
            src.backup(out)
            if self_contained:
                out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
    finally:
        src.close()


_DAMAGE_WORDS = ("decode", "malformed", "not a database", "disk image", "corrupt", "file is not")


_FILE_IMPORTS = ("/dxdesk/store/dataset.py", "/dxdesk/store/dataset_bulk.py")


def _while_reading(exc: BaseException) -> bool:
    """True when ``exc`` was raised while stored values were read and turned into objects — under
    SQLAlchemy or sqlite3, or under dxdesk.store's reading code (snapshots, settings, queries) — and not
    while a file a person chose was imported."""
    tb = exc.__traceback__
    reading = False
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        if name.endswith(_FILE_IMPORTS):
            return False
        if "/sqlalchemy/" in name or name.endswith("/sqlite3/dbapi2.py") or "/dxdesk/store/" in name:
            reading = True
        tb = tb.tb_next
    return reading


def is_damage(exc: BaseException) -> bool:
    """True for the errors a damaged database file produces while its rows are read: SQLite's own
    (malformed image, text that is not UTF-8), and decoding or format errors of stored values (text,
    JSON, numbers, dates, plan settings that no longer parse) raised while they are read."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, IntegrityError | sqlite3.IntegrityError):
            return False
        if isinstance(e, sqlite3.DatabaseError):
            text = str(e).lower()
            return not isinstance(e, sqlite3.OperationalError) or any(w in text for w in _DAMAGE_WORDS)
        decoding = ValueError | ArithmeticError | struct.error | LookupError | TypeError
        if isinstance(e, decoding) and _while_reading(e):
            return True
        todo += [e.__cause__, e.__context__]
        if isinstance(e, StatementError):
            todo.append(e.orig)
    return False


def backups_note(path: Path | None) -> str:
    """「バックアップ：x（2026/06/01 10:15:02（バックアップ））、…」: the newest backups to restore."""
    from dxdesk.store.backup import list_backups  # here: backup imports this module (make_private)

    if path is None:
        return ""
    backups = list_backups(path)
    if not backups:
        return "バックアップはありません。"
    return "バックアップ：" + "、".join(f"{b.path.name}（{b.label}）" for b in backups[:3])


def damaged_message(path: Path | None) -> str:
    """「データベース「x」が壊れています…」 with the newest backups to restore."""
    name = path.name if path is not None else "（不明）"
    return (
        f"データベース「{name}」が壊れています（読み取れない値があります）。バックアップから復元してください。"
        + backups_note(path)
    )


def damaged(exc: BaseException, path: Path | None) -> DamagedDatabase:
    return DamagedDatabase(damaged_message(path), path)


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
        raise DamagedDatabase(
            f"「{path.name}」は dxdesk のデータベースではないか、壊れています。"
            "バックアップから復元するか、別のファイルを選んでください。" + backups_note(path),
            path,
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabase(
            f"「{path.name}」を開けません（{exc}）。バックアップから復元してください。" + backups_note(path),
            path,
        ) from exc
    if not ok or ok[0] != "ok":
        raise DamagedDatabase(
            f"データベース「{path.name}」が壊れています（{ok[0] if ok else '不明'}）。バックアップから復元してください。"
            + backups_note(path),
            path,
        )


_early_checks: dict[Path, tuple[threading.Thread, list[BaseException | None]]] = {}


def check_in_background(target: str | Path) -> None:
    """Begin :func:`open_database`'s check of an SQLite file (its header and SQLite's quick_check, which
    reads the whole file: ~30 ms for 25 MB) on a thread, for a command with more to import before it
    opens the database: SQLite releases the GIL while it reads, so the check runs on another core.
    :func:`open_database` of the same file waits for it and raises what it found. Nothing for a URL
    or a path with no file (opening it decides, as always)."""
    if "://" in str(target):
        return
    path = Path(str(make_url(to_url(target)).database))
    if path in _early_checks or not path.is_file():
        return
    found: list[BaseException | None] = []

    def run() -> None:
        try:
            _check_sqlite_file(path)
            found.append(None)
        except BaseException as exc:  # handed to the thread that opens the database
            found.append(exc)

    thread = threading.Thread(target=run, name="dxdesk-database-check", daemon=True)
    _early_checks[path] = (thread, found)
    thread.start()


def _check_file(path: Path) -> None:
    """:func:`_check_sqlite_file`, or the result of the check :func:`check_in_background` began."""
    early = _early_checks.pop(path, None)
    if early is None:
        _check_sqlite_file(path)
        return
    thread, found = early
    thread.join()
    if not found:  # the thread died without a word: check here
        _check_sqlite_file(path)
    elif found[0] is not None:
        raise found[0]


# ``revision = "0007"`` / ``down_revision: str | None = "0006"`` lines of a migration file
_REVISION_LINE = re.compile(
    r"""^(down_revision|revision)\s*(?::[^=\n]*)?=\s*(?:"([^"\n]*)"|'([^'\n]*)'|(None))\s*(?:#.*)?$""", re.M
)


@functools.cache
def schema_head() -> str | None:
    """The newest revision of the migrations (db/versions), read from the files' ``revision`` and
    ``down_revision`` lines without importing alembic (~85 ms of every start). None when that is not
    clear-cut (a file without both lines, a merge of branches, several heads): alembic then decides, as
    :func:`dxdesk.store.migrate.upgrade` always does. tests/test_store.py checks it against alembic."""
    from dxdesk.paths import migrations_dir

    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        files = sorted((migrations_dir() / "versions").glob("*.py"))
        for f in files:
            found: dict[str, str | None] = {}
            for m in _REVISION_LINE.finditer(f.read_text(encoding="utf-8")):
                value = m.group(2) if m.group(2) is not None else m.group(3)
                found.setdefault(m.group(1), value)  # None stays None
            if set(found) != {"revision", "down_revision"} or not found["revision"]:
                return None
            revisions.add(str(found["revision"]))
            if found["down_revision"] is not None:
                parents.add(found["down_revision"])
    except OSError:
        return None
    heads = revisions - parents
    if len(revisions) != len(files) or not parents <= revisions or len(heads) != 1:
        return None
    return heads.pop()


def _at_head(engine: Engine) -> bool:
    """True when the database is at :func:`schema_head` (the usual start: nothing to migrate, and
    alembic is not imported). Anything else — no version table, an older or newer revision, an unclear
    head — is False and goes through :func:`dxdesk.store.migrate.upgrade` as always. Errors of a damaged
    file are raised, as alembic's own reading of the version would raise them."""
    head = schema_head()
    if head is None:
        return False
    with engine.connect() as conn:
        try:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        except (OperationalError, ProgrammingError) as exc:  # no such table: new or not dxdesk's
            if is_damage(exc):
                raise
            return False
    return [r[0] for r in rows] == [head]


def open_database(target: str | Path, *, migrate: bool = True, backup_dir: Path | None = None) -> Database:
    """Open (creating if needed) and upgrade a database. Raises :class:`DatabaseError`."""
    # here: migrate imports this module, and the ORM models add ~80 ms to every CLI start; alembic (another
    # ~85 ms) only when the schema is not at the newest revision
    from dxdesk.store import audit_trail

    audit_trail.install()
    url = to_url(target)
    u = make_url(url)
    file: Path | None = None
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        file = Path(u.database)
        _check_file(file)
        if not file.exists():
            file.parent.mkdir(parents=True, exist_ok=True)
            make_private(file)
    engine = _make_engine(url)
    db = Database(url, engine)
    if migrate:
        try:
            if not _at_head(engine):
                from dxdesk.store.migrate import upgrade

                upgrade(db, backup_dir=backup_dir)
        except DatabaseError:
            engine.dispose()
            raise
        except Exception as exc:
            engine.dispose()
            if is_damage(exc):
                raise damaged(exc, file) from exc
            if isinstance(exc, SADatabaseError):
                raise DatabaseError(f"データベースを開けません：{exc.orig}") from exc
            raise
    return db
