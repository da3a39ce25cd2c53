"""Database creation, migration in place, refusal of bad files, sessions and the audit trail."""

import shutil
import sqlite3
import subprocess
import sys
import threading
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from dxdesk.paths import migrations_dir
from dxdesk.store.database import DatabaseError, check_in_background, open_database, schema_head
from dxdesk.store.migrate import alembic_config, current_revision, head_revision
from dxdesk.store.models import AuditLog, Base, CostRow, IndicatorValue, Measure, MeasureYear, Plan, SheetText
from tests.conftest import one_measure_dataset


def test_empty_database_is_created_by_the_migration(tmp_path):
    path = tmp_path / "new" / "fresh.sqlite"
    db = open_database(path)
    assert path.exists()
    assert current_revision(db) == head_revision()
    with db.engine.connect() as c:
        tables = {r[0] for r in c.execute(text("select name from sqlite_master where type='table'"))}
        assert {"plan", "measure", "indicator_value", "audit_log", "alembic_version"} <= tables
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_models_and_migrations_agree(db):
    """A model change without a migration fails here (run scripts/new-migration.sh)."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def _create_at(path, revision):
    """A database created by an older dxdesk: schema at ``revision``, via Alembic itself."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{path}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return engine


def test_existing_database_is_upgraded_in_place_without_losing_data(tmp_path):
    path = tmp_path / "old.sqlite"
    engine = _create_at(path, "0001")
    with engine.begin() as c:
        c.execute(
            text(
                "insert into plan (code, name, municipality, version_label, settings_json, created_at, updated_at)"
                " values ('p', '旧計画', 'デモ市', '', '{}', '2025-01-01', '2025-01-01')"
            )
        )
        c.execute(
            text(
                "insert into measure (plan_id, code, name, kind, purpose, summary, target_group, owner_section_code,"
                " budget_item, legal_basis, sdgs, period_label, is_leading, attributes, sort_order)"
                " values (1, '088', '情報通信ネットワーク運営業務', 'measure', '', '', '', 'S1', '', '', '[]', '', 0, '{}', 0)"
            )
        )
    engine.dispose()
    db = open_database(path)
    assert current_revision(db) == head_revision()
    with db.session() as s:
        m = s.scalar(select(Measure))
        assert (m.code, m.name, m.plan.name) == ("088", "情報通信ネットワーク運営業務", "旧計画")
    backups = list(tmp_path.glob("old.before-*.sqlite"))
    assert len(backups) == (0 if head_revision() == "0001" else 1)
    db.dispose()
    # opening again is a no-op
    db = open_database(path)
    assert current_revision(db) == head_revision()
    db.dispose()


def test_newer_database_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite"
    open_database(path).dispose()
    con = sqlite3.connect(path)
    con.execute("update alembic_version set version_num='9999_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="新しいバージョン"):
        open_database(path)
    assert path.read_bytes() == before


def test_the_quick_head_is_alembics_head():
    """Opening a database compares its revision with ``schema_head`` (read from db/versions without
    alembic): it must name the very revision alembic calls the head."""
    assert schema_head() == head_revision()


def test_the_quick_head_reads_what_alembic_reads(tmp_path, monkeypatch):
    """The same reading of a migrations folder with a new revision on top and with two heads (then it
    leaves the decision to alembic)."""
    versions = tmp_path / "db" / "versions"
    shutil.copytree(migrations_dir() / "versions", versions, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr("dxdesk.paths.migrations_dir", lambda: tmp_path / "db")
    head = head_revision()
    (versions / "0999_next.py").write_text(
        f'"""next"""\n\nrevision: str = "0999"\ndown_revision: str | None = "{head}"\n', encoding="utf-8"
    )
    schema_head.cache_clear()
    try:
        assert schema_head() == "0999"
        (versions / "0998_side.py").write_text(
            f"revision = '0998'\ndown_revision = '{head}'  # a second branch\n", encoding="utf-8"
        )
        schema_head.cache_clear()
        assert schema_head() is None
    finally:
        schema_head.cache_clear()


def test_a_database_at_the_head_opens_without_alembic(tmp_path):
    """The usual start (nothing to migrate) does not import alembic (~85 ms of every command)."""
    path = tmp_path / "db.sqlite"
    open_database(path).dispose()
    code = (
        "import sys; from dxdesk.store.database import open_database; "
        f"db = open_database({str(path)!r}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic')); db.dispose()"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def test_an_older_database_still_goes_through_alembic_with_its_backup(tmp_path):
    path = tmp_path / "old.sqlite"
    _create_at(path, "0006").dispose()
    db = open_database(path)
    assert current_revision(db) == head_revision()
    db.dispose()
    assert [p.name.split("-")[0] for p in tmp_path.glob("old.before-*.sqlite")] == ["old.before"]
    assert len(list(tmp_path.glob("old.before-0006-*.sqlite"))) == 1


@pytest.mark.parametrize("content", [b"this is not a database at all" * 10, b"PK\x03\x04zipfile"])
def test_foreign_file_is_refused_untouched(tmp_path, content):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(content)
    with pytest.raises(DatabaseError, match="dxdesk のデータベースではない"):
        open_database(path)
    assert path.read_bytes() == content


@pytest.mark.parametrize("damage", ["foreign", "truncated"])
def test_a_check_begun_early_refuses_what_opening_refuses(tmp_path, damage):
    """``check_in_background`` (dxdesk merge begins the file check while it imports) gives the same
    refusal as opening alone, and its thread is gone once the database is opened (the merge forks its
    workers only from a process with one thread)."""
    path = tmp_path / "central.sqlite"
    open_database(path).dispose()
    data = path.read_bytes()
    path.write_bytes(b"this is not a database at all" * 10 if damage == "foreign" else data[: len(data) // 3])
    with pytest.raises(DatabaseError) as plain:
        open_database(path)
    threads = threading.active_count()
    check_in_background(path)
    with pytest.raises(DatabaseError) as early:
        open_database(path)
    assert type(early.value) is type(plain.value) and str(early.value) == str(plain.value)
    assert threading.active_count() == threads


def test_a_check_begun_early_lets_a_sound_database_open(tmp_path):
    path = tmp_path / "central.sqlite"
    open_database(path).dispose()
    threads = threading.active_count()
    check_in_background(path)
    check_in_background(path)  # once per file
    assert threading.active_count() <= threads + 1
    db = open_database(path)
    assert threading.active_count() == threads
    assert current_revision(db) == head_revision()
    db.dispose()
    check_in_background(tmp_path / "missing.sqlite")  # no file: nothing begun
    check_in_background("postgresql+psycopg://nobody@localhost/none")  # a URL: nothing begun
    assert threading.active_count() == threads


def test_truncated_database_is_refused(tmp_path):
    path = tmp_path / "cut.sqlite"
    db = open_database(path)
    db.dispose()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(DatabaseError):
        open_database(path)


def test_other_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("create table customers (id integer)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="dxdesk のデータベースではありません"):
        open_database(path)


def _tiny(db):
    from dxdesk.store.dataset import import_dataset

    with db.session(audit=False) as s:
        import_dataset(
            s,
            one_measure_dataset(
                {
                    "name": "停止時間",
                    "unit": "分",
                    "direction": "down",
                    "values": {"2026": {"target": "280.0"}},
                },
                years={"2026": {"stage": "2", "texts": {"result": "旧"}}},
                costs={"2026": {"budget": "123,235"}},
            ),
        )


def test_audit_trail_records_who_what_old_new(db):
    _tiny(db)
    with db.session(user="佐藤") as s:
        iv = s.scalar(select(IndicatorValue))
        iv.actual = "3.0"
        s.scalar(select(SheetText)).text = "新しい取組結果"
        s.scalar(select(MeasureYear)).direction = "継続"
        s.scalar(select(CostRow)).settlement = Decimal("106935")
    with db.session() as s:
        log = {
            (a.field, a.old_value, a.new_value, a.user_name, a.measure_code, a.fiscal_year)
            for a in s.scalars(select(AuditLog))
        }
    assert ("indicators[0].actual", None, "3.0", "佐藤", "088", 2026) in log
    assert ("texts.result", "旧", "新しい取組結果", "佐藤", "088", 2026) in log
    assert ("direction", None, "継続", "佐藤", "088", 2026) in log
    assert ("costs[2026].settlement", None, "106935", "佐藤", "088", 2026) in log


def test_imports_are_not_audited(db):
    _tiny(db)
    with db.session() as s:
        assert s.scalars(select(AuditLog)).all() == []


def test_decimals_keep_their_typed_form(db):
    _tiny(db)
    with db.session() as s:
        assert s.scalar(select(IndicatorValue)).target == "280.0"
        assert s.scalar(select(CostRow)).budget == Decimal("123235")
        s.scalar(select(CostRow)).staff_ratio = Decimal("1.50")
    with db.session() as s:
        assert str(s.scalar(select(CostRow)).staff_ratio) == "1.50"
        raw = s.execute(text("select staff_ratio from cost_row")).scalar()
        assert raw == "1.50"  # stored as exact text, never a float


def test_session_rolls_back_on_error(db):
    _tiny(db)
    with pytest.raises(RuntimeError), db.session() as s:
        s.scalar(select(Plan)).name = "壊れた変更"
        raise RuntimeError("boom")
    with db.session() as s:
        assert s.scalar(select(Plan)).name == "計画"


def test_foreign_keys_are_enforced(db):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.session() as s:
        s.execute(
            text(
                "insert into measure_year (measure_id, fiscal_year, roadmap_mark, grade_override_reason,"
                " direction_reason, author, chief_confirmed_by, entry_status, updated_at)"
                " values (999, 2026, '', '', '', '', '', 'empty', '2026-01-01')"
            )
        )
