"""Installing a new version keeps the data: first run, and the upgrade from the previous release.

The previous release's database is made by packaging/upgrade_check.py at the revision before the newest
migration (computed from db/versions, so the newest migration is always the one tested), filled with
the demo plan and an edit with its audit trail. The new version opens it as a person would — through
``open_database`` (the application's start-up) and through the installed ``dxdesk`` command — and every
row must still be there, with the automatic copy taken before the upgrade next to the file.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dxdesk.store.database import open_database
from dxdesk.store.migrate import current_revision, head_revision
from dxdesk.store.models import AuditLog, Measure, SheetText

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import upgrade_check  # noqa: E402

DXDESK = Path(sys.executable).parent / ("dxdesk.exe" if os.name == "nt" else "dxdesk")


@pytest.fixture
def old_release(tmp_path):
    """(path, revision, rows before the upgrade) of a database the previous release left behind."""
    previous = upgrade_check.previous_head()
    assert previous is not None, (
        "db/versions has a single migration: databases of earlier releases could not be upgraded. "
        "Never squash migrations that have been released."
    )
    path = tmp_path / "section" / "dxdesk.sqlite"
    path.parent.mkdir()
    upgrade_check.make_old_database(path, previous, tmp_path / "scratch")
    return path, previous, upgrade_check.table_rows(path)


def _revision_of(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("select version_num from alembic_version").fetchone()[0]
    finally:
        con.close()


def test_the_old_database_really_is_at_the_previous_revision(old_release):
    path, previous, before = old_release
    assert _revision_of(path) == previous != head_revision()
    assert len(before["measure"][1]) == 46 and before["audit_log"][1], "the old database holds data to lose"


def test_start_up_upgrades_the_previous_release_keeping_every_row(old_release):
    path, previous, before = old_release
    db = open_database(path)
    try:
        assert current_revision(db) == head_revision()
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Measure)) == 46
            edited = s.scalar(select(SheetText).where(SheetText.text == upgrade_check.EDITED_TEXT))
            assert edited is not None
            assert s.scalar(
                select(AuditLog).where(AuditLog.new_value == upgrade_check.EDITED_TEXT)
            ).user_name == ("担当 太郎")
    finally:
        db.dispose()
    assert upgrade_check.assert_rows_kept(before, path) > 1000
    backups = list(path.parent.glob(f"dxdesk.before-{previous}-*.sqlite"))
    assert len(backups) == 1
    assert _revision_of(backups[0]) == previous
    upgrade_check.assert_rows_kept(before, backups[0])


def test_the_dxdesk_command_upgrades_once_and_the_sheets_still_check(old_release):
    path, previous, before = old_release
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([DXDESK, "init-db", "--db", str(path)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert f"revision={head_revision()}" in out.stdout
    upgrade_check.assert_rows_kept(before, path)
    check = subprocess.run([DXDESK, "check", "--db", str(path)], capture_output=True, text=True, env=env)
    assert check.returncode in (0, 1), check.stderr  # 1 = the demo sheets have findings
    assert "施策=46" in check.stdout
    again = subprocess.run([DXDESK, "init-db", "--db", str(path)], capture_output=True, text=True, env=env)
    assert again.returncode == 0
    assert len(list(path.parent.glob(f"dxdesk.before-{previous}-*.sqlite"))) == 1, (
        "one copy, none on the 2nd start"
    )


def test_the_row_comparison_notices_a_lost_row(old_release):
    path, _, before = old_release
    open_database(path).dispose()
    con = sqlite3.connect(path)
    con.execute("delete from sheet_text where id = (select max(id) from sheet_text)")
    con.commit()
    con.close()
    with pytest.raises(AssertionError, match="sheet_text"):
        upgrade_check.assert_rows_kept(before, path)


@pytest.mark.gui
def test_first_run_creates_the_data_folder_and_the_database(tmp_path):
    """The application started for the first time, with the platform's own data folder rule (XDG on
    Linux; %LOCALAPPDATA%\\dxdesk on Windows), draws its window on a new, current database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DXDESK_DATA_DIR", "PYTHONPATH")}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), QT_QPA_PLATFORM="offscreen", DXDESK_SMOKE_TEST="1")
    folder = tmp_path / "xdg" / "dxdesk"
    assert not folder.exists()
    out = subprocess.run([DXDESK], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "SMOKE-TEST OK window=MainWindow" in out.stdout
    assert (folder / "dxdesk.sqlite").is_file()
    assert _revision_of(folder / "dxdesk.sqlite") == head_revision()
