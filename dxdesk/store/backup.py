"""Rotating backups of an SQLite database, and restoring one.

Backups are consistent copies made with SQLite's online backup API (safe while the application has
the file open and is writing to it), kept in a ``backups`` folder beside the database as
``<name>-YYYYMMDD-HHMMSS-ffffff.sqlite``; only the newest ``keep`` automatic ones are kept.

Restoring never loses the current state: the current file is first copied (again with the backup
API) to ``<name>-before-restore-….sqlite`` in the same folder — that copy is listed with the backups
and is not rotated away — and only then is the chosen backup written over the database. The caller
closes its connections first and reopens (and migrates) the database afterwards.

Every copy is created owner-only (0600) on POSIX: a backup holds what the database holds.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from dxdesk.errors import DxdeskError
from dxdesk.store.database import make_private, sqlite_copy

log = logging.getLogger(__name__)

__all__ = [
    "BackupError",
    "BackupInfo",
    "backup_dir",
    "backup_due",
    "create_backup",
    "list_backups",
    "restore_backup",
]

DEFAULT_KEEP = 20
_STAMP = "%Y%m%d-%H%M%S-%f"
_NAME = re.compile(r"^(?P<stem>.+?)-(?P<kind>before-restore-)?(?P<stamp>\d{8}-\d{6}-\d{6})\.sqlite$")


class BackupError(DxdeskError):
    """A backup that cannot be made or restored. ``str(error)`` is Japanese for the user."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime
    size: int
    before_restore: bool  # the safety copy taken before a restore

    @property
    def label(self) -> str:
        """「2026/06/01 10:15:02（バックアップ）」, 「…（復元前の状態）」."""
        kind = "復元前の状態" if self.before_restore else "バックアップ"
        return f"{self.created:%Y/%m/%d %H:%M:%S}（{kind}）"


def backup_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


def _copy(src_path: Path, dest_path: Path) -> None:
    """A consistent copy with the backup API, written to a temporary name and renamed into place."""
    tmp = dest_path.with_name(f".{dest_path.name}.tmp")
    tmp.unlink(missing_ok=True)
    make_private(tmp)  # created owner-only before SQLite writes into it
    sqlite_copy(src_path, tmp, self_contained=True)  # a backup is one self-contained file
    tmp.replace(dest_path)


def create_backup(
    db_path: Path, folder: Path | None = None, *, keep: int = DEFAULT_KEEP, now: datetime | None = None
) -> Path:
    """Copy the database into the backup folder and drop automatic backups beyond ``keep``."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise BackupError(f"データベース「{db_path.name}」が見つからないため、バックアップを作成できません。")
    folder = folder or backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now()).strftime(_STAMP)
    dest = folder / f"{db_path.stem}-{stamp}.sqlite"
    try:
        _copy(db_path, dest)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(
            f"バックアップを作成できませんでした（{exc}）。ディスクの空き容量を確認してください。"
        ) from exc
    _rotate(db_path, folder, keep)
    log.info("backup of %s written to %s", db_path, dest)
    return dest


def _rotate(db_path: Path, folder: Path, keep: int) -> None:
    automatic = [b for b in list_backups(db_path, folder) if not b.before_restore]
    for old in automatic[keep:]:
        try:
            old.path.unlink()
        except OSError:
            log.warning("could not remove old backup %s", old.path)


def list_backups(db_path: Path, folder: Path | None = None) -> list[BackupInfo]:
    """Backups of this database, newest first."""
    db_path = Path(db_path)
    folder = folder or backup_dir(db_path)
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if not m or m.group("stem") != db_path.stem:
            continue
        try:
            created = datetime.strptime(m.group("stamp"), _STAMP)
            size = p.stat().st_size
        except (ValueError, OSError):
            continue
        out.append(BackupInfo(p, created, size, bool(m.group("kind"))))
    out.sort(key=lambda b: b.created, reverse=True)
    return out


def backup_due(
    db_path: Path, interval: timedelta, folder: Path | None = None, now: datetime | None = None
) -> bool:
    """True when the newest automatic backup is older than ``interval`` (or there is none)."""
    automatic = [b for b in list_backups(db_path, folder) if not b.before_restore]
    if not automatic:
        return True
    return (now or datetime.now()) - automatic[0].created >= interval


def _check_backup(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupError(f"バックアップ「{path.name}」を読めません（{exc}）。") from exc
    if head != b"SQLite format 3\x00":
        raise BackupError(
            f"「{path.name}」は dxdesk のバックアップではないか、壊れています。別のバックアップを選んでください。"
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()
            has_version = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise BackupError(
            f"バックアップ「{path.name}」を開けません（{exc}）。別のバックアップを選んでください。"
        ) from exc
    if not ok or ok[0] != "ok":
        raise BackupError(f"バックアップ「{path.name}」は壊れています。別のバックアップを選んでください。")
    if not has_version:
        raise BackupError(
            f"「{path.name}」は dxdesk のデータベースではありません。別のバックアップを選んでください。"
        )


def restore_backup(db_path: Path, backup: Path, folder: Path | None = None) -> Path:
    """Write ``backup`` over the database after keeping a copy of the current file; returns that copy.

    The caller must have closed every connection to ``db_path``."""
    db_path = Path(db_path)
    backup = Path(backup)
    _check_backup(backup)
    folder = folder or backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    keep_copy = folder / f"{db_path.stem}-before-restore-{datetime.now().strftime(_STAMP)}.sqlite"
    try:
        if db_path.exists():
            _copy(db_path, keep_copy)
        sqlite_copy(backup, db_path, read_only=True)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(
            f"復元できませんでした（{exc}）。現在のデータは「{keep_copy.name}」に保存されています。"
        ) from exc
    log.info("restored %s from %s (previous state kept in %s)", db_path, backup, keep_copy)
    return keep_copy
