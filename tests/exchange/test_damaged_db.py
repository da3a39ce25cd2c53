"""A section database with a few hundred flipped bytes in its stored texts: the command line and the
application say 「データベースが壊れています」 and offer the backups, never a traceback."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from dxdesk.cli import main
from dxdesk.store.backup import create_backup, list_backups
from dxdesk.store.database import open_database


def flip_text_bytes(path: Path, seed: int, count: int = 300) -> int:
    """Flip one bit in ``count`` places inside the stored Japanese texts (where a disk or a copy that
    went wrong damages a file without touching SQLite's page structure). Returns the places flipped."""
    con = sqlite3.connect(path)
    con.execute("pragma wal_checkpoint(truncate)")
    texts: set[bytes] = set()
    for (table,) in con.execute("select name from sqlite_master where type='table'"):
        for col in [r[1] for r in con.execute(f'pragma table_info("{table}")')]:
            for (value,) in con.execute(f'select "{col}" from "{table}" where typeof("{col}") = \'text\''):
                if any(ord(ch) > 0x2FFF for ch in value):
                    texts.add(value.encode("utf-8"))
    con.close()
    data = bytearray(path.read_bytes())
    places = []
    for text in sorted(texts):
        at = data.find(text)
        while at >= 0:
            places.append((at, len(text)))
            at = data.find(text, at + 1)
    rng = random.Random(seed)
    chosen = rng.sample(places, min(count, len(places)))
    for at, length in chosen:
        data[at + rng.randrange(length)] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return len(chosen)


@pytest.fixture
def damaged_section(copy_world):
    path = copy_world.section_db
    backup = create_backup(path)
    assert flip_text_bytes(path, seed=20261205) >= 200
    return path, backup


@pytest.mark.parametrize("seed", [1, 7, 42, 2026, 31337, 8])
def test_check_and_export_say_the_database_is_damaged(copy_world, seed, capsys):
    path = copy_world.section_db
    backup = create_backup(path)
    assert flip_text_bytes(path, seed=seed) >= 200
    export = ["export-submission", "--db", str(path), "--out", str(copy_world.root)]
    for args in (["check", "--db", str(path)], [*export, "--author", "山田 太郎", "--chief", "佐藤 一郎"]):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert err.startswith(f"NG データベース「{path.name}」が壊れています"), err
        assert backup.name in err and "バックアップから復元してください" in err
        assert "Traceback" not in err


def test_the_application_offers_the_backups_and_opens_the_restored_file(damaged_section, monkeypatch, qtbot):
    import ui.app
    import ui.damaged_db
    from ui.app import make_app, open_window

    path, backup = damaged_section
    make_app()
    shown: list[str] = []

    def choose_restore(_parent, message, can_restore):
        shown.append(message)
        assert can_restore
        return True

    monkeypatch.setattr(ui.damaged_db, "ask_restore", choose_restore)
    monkeypatch.setattr(
        ui.damaged_db.RestoreDialog, "exec", lambda self: ui.damaged_db.QDialog.DialogCode.Accepted
    )
    opened = open_window(path, False, False, False)
    assert opened is not None
    db, window = opened
    qtbot.addWidget(window)
    try:
        assert shown and shown[0].startswith(f"データベース「{path.name}」が壊れています")
        assert backup.name in shown[0]
        assert type(window).__name__ == "MainWindow"
        # the damaged file was kept as 「復元前の状態」 beside the backups
        assert any(b.before_restore for b in list_backups(path))
    finally:
        window.close()
        db.dispose()


def test_closing_the_message_opens_nothing(damaged_section, monkeypatch):
    import ui.damaged_db
    from ui.app import make_app, open_window

    path, _backup = damaged_section
    make_app()
    monkeypatch.setattr(ui.damaged_db, "ask_restore", lambda _p, _m, _c: False)
    assert open_window(path, False, False, False) is None
    # nothing was written over the damaged file: it is still there to be looked at
    db = open_database(path)
    db.dispose()


def test_damage_found_while_running_offers_the_windows_restore(damaged_section, monkeypatch):
    """A screen reading a damaged row later: the message and the window's own restore, no traceback."""
    import sys

    from sqlalchemy import text

    import ui.damaged_db
    from ui.damaged_db import install_damage_hook

    path, backup = damaged_section
    asked: list[tuple[str, bool]] = []
    restored: list[bool] = []
    others: list[BaseException] = []

    class Window:
        def restore(self) -> None:
            restored.append(True)

    monkeypatch.setattr(sys, "excepthook", lambda _k, exc, _tb: others.append(exc))
    monkeypatch.setattr(ui.damaged_db, "ask_restore", lambda _p, m, c: asked.append((m, c)) or True)
    install_damage_hook(lambda: Window(), path)
    db = open_database(path)
    try:
        with db.session() as s:
            s.execute(text("select text from sheet_text")).fetchall()
    except Exception as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    else:
        pytest.fail("the damaged texts were read without an error")
    finally:
        db.dispose()
    assert asked and asked[0][0].startswith(f"データベース「{path.name}」が壊れています") and asked[0][1]
    assert backup.name in asked[0][0] and restored == [True]
    error = ValueError("a programming error")
    sys.excepthook(ValueError, error, None)
    assert others == [error]  # anything else goes to the previous hook
