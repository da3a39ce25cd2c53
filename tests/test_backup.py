"""Rotating backups with SQLite's backup API, and restore that keeps the current file first."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dxdesk.store.backup import BackupError, backup_due, create_backup, list_backups, restore_backup
from dxdesk.store.database import open_database
from dxdesk.store.models import AppSetting
from dxdesk.store.settings_store import get_setting, set_setting


def write(db, value):
    with db.session() as s:
        set_setting(s, "marker", value)


def read(path):
    db = open_database(path)
    try:
        with db.session() as s:
            return get_setting(s, "marker")
    finally:
        db.dispose()


def test_backup_while_open_then_restore_keeps_a_copy_of_the_current_state(tmp_path):
    path = tmp_path / "section.sqlite"
    db = open_database(path)
    write(db, "first")
    backup = create_backup(path)  # the application still has the file open (WAL)
    write(db, "second")
    db.dispose()
    assert read(backup) == "first"
    kept = restore_backup(path, backup)
    assert read(path) == "first"
    assert read(kept) == "second"
    listed = list_backups(path)
    assert {b.path for b in listed} == {backup, kept}
    assert next(b for b in listed if b.path == kept).before_restore
    assert "復元前の状態" in next(b for b in listed if b.path == kept).label


def test_rotation_keeps_the_newest(tmp_path):
    path = tmp_path / "s.sqlite"
    db = open_database(path)
    t0 = datetime(2026, 6, 1, 9, 0, 0)
    made = [create_backup(path, keep=3, now=t0 + timedelta(minutes=i)) for i in range(5)]
    db.dispose()
    assert [b.path for b in list_backups(path)] == list(reversed(made[-3:]))
    assert not made[0].exists()


def test_backup_due(tmp_path):
    path = tmp_path / "s.sqlite"
    open_database(path).dispose()
    assert backup_due(path, timedelta(minutes=10))
    t = datetime.now()
    create_backup(path, now=t)
    assert not backup_due(path, timedelta(minutes=10), now=t + timedelta(minutes=5))
    assert backup_due(path, timedelta(minutes=10), now=t + timedelta(minutes=11))


def test_a_corrupt_or_foreign_backup_is_refused_and_nothing_changes(tmp_path):
    path = tmp_path / "s.sqlite"
    db = open_database(path)
    write(db, "current")
    db.dispose()
    bad = tmp_path / "backups" / "s-20260101-000000-000000.sqlite"
    bad.parent.mkdir()
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match=r"壊れています|ではありません"):
        restore_backup(path, bad)
    import sqlite3

    foreign = tmp_path / "foreign.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("create table t (x)")
    con.commit()
    con.close()
    with pytest.raises(BackupError, match="dxdesk のデータベースではありません"):
        restore_backup(path, foreign)
    assert read(path) == "current"
    with open_database(path).session() as s:
        assert s.scalars(select(AppSetting)).first() is not None


def test_backup_of_a_missing_file(tmp_path):
    with pytest.raises(BackupError, match="見つからない"):
        create_backup(tmp_path / "none.sqlite")
