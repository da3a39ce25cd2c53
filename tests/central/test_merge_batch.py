"""Writing verified files several at a time (``receive.merge_batch``: files of distinct sections written
together) leaves the central database exactly as writing them one by one (``receive.merge_one``) does:
the same outcomes and lines, the same stored files, heads, reviews, log and plan data — for a batch
that mixes a new section, a second revision with 受理 carried over, a waiting conflict settled, an
in-batch duplicate, a conflict, a stale file and a file the plan refuses; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, select, update

from dxdesk.central import receive
from dxdesk.central.intake import Intake, intake_file
from dxdesk.central.merge import _load_context
from dxdesk.central.receive import FileResult, Outcome, merge_batch, merge_one
from dxdesk.store.database import Database
from dxdesk.store.models import (
    Base,
    CostItem,
    CostRow,
    IndicatorValue,
    Measure,
    MeasureReview,
    MeasureYear,
    MergeLog,
    Milestone,
    PerspectiveScore,
    ReceivedSubmission,
    SheetText,
    SubmissionHead,
)
from tests.central.conftest import Scenario, export, set_result_text

pytestmark = pytest.mark.usefixtures("cli_workdir")

# clock columns (when the row was written) differ between two runs; everything else must be equal
_CLOCK = {"received_at", "updated_at", "at"}
# rows a submission replaces wholesale: SQLite gives a new row the highest id + 1, so their ids depend on
# whether the rows they replace were deleted just before or a few statements earlier; nothing refers to them
_REPLACED = (SheetText, PerspectiveScore, Milestone, CostItem)
DECIDED = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)
_TABLES: tuple[type[Base], ...] = (
    ReceivedSubmission,
    SubmissionHead,
    MeasureReview,
    MergeLog,
    Measure,
    MeasureYear,
    IndicatorValue,
    CostRow,
    *_REPLACED,
)


def rows_of(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with db.engine.connect() as conn:
        for model in _TABLES:
            t = model.__table__
            cols = [
                c for c in t.columns if c.name not in _CLOCK and not (model in _REPLACED and c.name == "id")
            ]
            order = cols if model in _REPLACED else [t.c.id]  # type: ignore[attr-defined]
            out[t.name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*order))]  # type: ignore[attr-defined]
    return out


def verified(db: Database, *files: Path) -> list[Intake]:
    trust = _load_context(db, None, "").trust.trust()
    out = []
    for f in files:
        it = intake_file(str(f), hashlib.sha256(f.read_bytes()).hexdigest(), trust, 2026)
        assert it.ok, it.message
        out.append(it)
    return out


def seen(results: list[FileResult]) -> list[tuple[Any, ...]]:
    return [(r.path.name, r.outcome, r.message, r.reason_codes, r.submission_id) for r in results]


@pytest.fixture
def two_centrals(scenario: Scenario, tmp_path: Path) -> Any:
    dbs = [scenario.new_central(tmp_path), scenario.new_central(tmp_path)]
    yield dbs
    for db in dbs:
        db.dispose()


def _before(db: Database, scenario: Scenario) -> None:
    """S001 第1版 accepted, every measure of it 受理."""
    ctx = _load_context(db, None, "中央 花子")
    merge_one(db, ctx, verified(db, scenario.r1["S001"])[0])
    with db.engine.begin() as conn:
        conn.execute(
            update(MeasureReview)
            .where(MeasureReview.section_code == "S001")
            .values(decision="accepted", decided_by="中央 花子", decided_at=DECIDED)
        )


def test_a_mixed_batch_writes_what_one_by_one_writes(
    scenario: Scenario, two_centrals: list[Database], tmp_path: Path
) -> None:
    db3 = tmp_path / "S001.sqlite"
    shutil.copyfile(scenario.section_dbs["S001"], db3)
    set_result_text(db3, scenario.changed_text["measure"], "第3版で書き足した取組結果。")
    r3 = export(db3, "S001", tmp_path / "r3")
    copy = tmp_path / "copy" / "R08_S002_コピー.xlsx"  # the same submission under another name
    copy.parent.mkdir()
    shutil.copyfile(scenario.r1["S002"], copy)
    results = []
    for k, db in enumerate(two_centrals):
        _before(db, scenario)
        r2, s002, s003, s002_again, conflict, r3_it, s001_r1 = verified(
            db,
            scenario.s001_r2,
            scenario.r1["S002"],
            scenario.r1["S003"],
            copy,
            scenario.s001_r2_conflict,
            r3,
            scenario.r1["S001"],
        )
        refused = dataclasses.replace(  # a file naming a measure the central plan does not have
            s003,
            path=str(tmp_path / "R08_S003_refused.xlsx"),
            payload_hash="f" * 64,
            measures=[dataclasses.replace(s003.measures[0], code="999-99"), *s003.measures[1:]],
        )
        late = dataclasses.replace(  # 第1版 made again, arriving after 第3版
            s001_r1, path=str(tmp_path / "R08_S001_late.xlsx"), payload_hash="e" * 64
        )
        batch = [r2, s002, s003, s002_again, conflict, refused, r3_it, s001_r1, late]
        ctx = _load_context(db, None, "中央 花子")
        results.append(merge_batch(db, ctx, batch) if k == 0 else [merge_one(db, ctx, it) for it in batch])
    together, one_by_one = results
    assert seen(together) == seen(one_by_one)
    assert [r.outcome for r in together] == [
        Outcome.ACCEPTED,
        Outcome.ACCEPTED,  # a new section
        Outcome.ACCEPTED,
        Outcome.DUPLICATE,
        Outcome.CONFLICT,
        Outcome.REJECTED,
        Outcome.ACCEPTED,  # 第3版 settles the conflict
        Outcome.DUPLICATE,
        Outcome.STALE,
    ]
    assert "第1版は履歴として保存" in together[0].message
    assert "第2版は履歴として保存" in together[6].message
    assert "999-99" in together[5].message
    a, b = (rows_of(db) for db in two_centrals)
    assert a == b
    # what the rows say
    statuses = [(r[3], r[5], r[10]) for r in a["received_submission"]]  # section, revision, status
    assert statuses == [
        ("S001", 1, "superseded"),
        ("S001", 2, "superseded"),
        ("S002", 1, "accepted"),
        ("S003", 1, "accepted"),
        ("S001", 2, "superseded"),  # the conflict, settled by 第3版
        ("S001", 3, "accepted"),
        ("S001", 1, "stale"),
    ]
    heads = {r[3]: (r[4], r[5]) for r in a["submission_head"]}  # section → (accepted id, revision)
    assert heads == {
        "S001": (together[6].submission_id, 3),
        "S002": (together[1].submission_id, 1),
        "S003": (together[2].submission_id, 1),
    }
    changed = scenario.changed_text["measure"]
    with two_centrals[0].engine.connect() as conn:
        for r in (together[0], together[6]):  # 受理 carried over where the measure did not change
            reviews = _reviews(conn, r.submission_id)
            assert reviews[changed] == ("pending", False)
            assert {v for m, v in reviews.items() if m != changed} == {("accepted", True)}
        assert set(_reviews(conn, together[1].submission_id).values()) == {("pending", False)}
    assert len(a["merge_log"]) == 1 + 9


def _reviews(conn: Connection, submission_id: int | None) -> dict[str, tuple[str, bool]]:
    q = select(MeasureReview.measure_code, MeasureReview.decision, MeasureReview.carried_over).where(
        MeasureReview.submission_id == submission_id
    )
    return {code: (decision, bool(carried)) for code, decision, carried in conn.execute(q)}


def test_when_writing_together_fails_the_files_are_written_one_by_one(
    scenario: Scenario, two_centrals: list[Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import IntegrityError

    real = receive.decide_many
    calls = []

    def failing(conn: Connection, ctx: Any, items: Any) -> Any:
        calls.append(len(items))
        out = real(conn, ctx, items)  # written, then undone by the savepoint
        if len(items) > 1:
            raise IntegrityError("INSERT …", {}, Exception("lost a race"))
        return out

    files = list(scenario.r1.values())
    results = []
    for k, db in enumerate(two_centrals):
        items = verified(db, *files)
        ctx = _load_context(db, None, "")
        if k == 0:
            monkeypatch.setattr(receive, "decide_many", failing)
            results.append(merge_batch(db, ctx, items))
            monkeypatch.undo()
        else:
            results.append([merge_one(db, ctx, it) for it in items])
    assert calls == [3, 1, 1, 1]
    assert [r.outcome for r in results[0]] == [Outcome.ACCEPTED] * 3
    if scenario.backend == "sqlite":
        assert seen(results[0]) == seen(results[1])
        assert rows_of(two_centrals[0]) == rows_of(two_centrals[1])
    else:  # a PostgreSQL sequence is not rolled back: the undone rows used up ids
        assert [x[:4] for x in seen(results[0])] == [x[:4] for x in seen(results[1])]
        a, b = (_without_ids(rows_of(db)) for db in two_centrals)
        assert a == b


def _without_ids(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows written by a merge, ids and the columns pointing at them left out."""
    keep = {
        "received_submission": slice(1, None),
        "merge_log": slice(1, -1),
        "measure_review": slice(2, None),
        "submission_head": slice(1, 4),
    }
    return {t: [r[keep[t]] for r in v] if t in keep else v for t, v in rows.items()}


def test_many_writes_the_values_sqlalchemy_writes(scenario: Scenario, two_centrals: list[Database]) -> None:
    """``apply.Many`` (the driver's executemany with SQLAlchemy's SQL and type processing) stores
    exactly what ``conn.execute`` stores: Decimal text, UTC datetimes, booleans, NULLs, Japanese."""
    from decimal import Decimal

    from sqlalchemy import insert

    from dxdesk.central.apply import Many, table_of

    cost = table_of(CostRow)
    review = table_of(MeasureReview)
    log = table_of(MergeLog)
    jst = dt.timezone(dt.timedelta(hours=9))
    raw = {}
    for k, db in enumerate(two_centrals):
        with db.engine.connect() as conn:
            measures = [m for (m,) in conn.execute(select(Measure.id).order_by(Measure.id).limit(3))]
            sid = merge_one(
                db, _load_context(db, None, ""), verified(db, scenario.r1["S001"])[0]
            ).submission_id
            costs = [
                {"measure_id": m, "fiscal_year": 2031, "budget": Decimal("1234.50"), "settlement": None}
                for m in measures
            ]
            reviews = [
                {
                    "submission_id": sid,
                    "plan_code": "p",
                    "fiscal_year": 2031,
                    "section_code": "S001",
                    "measure_code": f"新-{i}",
                    "decision": "accepted",
                    "decided_by": "中央 花子",
                    "decided_at": dt.datetime(2026, 6, 1, 18, 30, 5, 123456, tzinfo=jst) if i else None,
                    "content_hash": "ab" * 32,
                    "carried_over": bool(i),
                }
                for i in range(3)
            ]
            logs = [
                {
                    "at": DECIDED,
                    "user_name": "中央 花子",
                    "file_name": "提出.xlsx",
                    "file_path": "",
                    "file_hash": None,
                    "outcome": "accepted",
                    "reason_codes": "",
                    "message": "",
                    "section_code": None,
                    "fiscal_year": None,
                    "revision": None,
                    "submission_id": None,
                }
                for _ in range(2)
            ]
            for stmt, rows in ((insert(cost), costs), (insert(review), reviews), (insert(log), logs)):
                if k == 0:
                    Many(stmt)(conn, rows)
                else:
                    conn.execute(stmt, rows)
            conn.commit()
            mine = {
                "cost_row": "fiscal_year = 2031",
                "measure_review": "fiscal_year = 2031",
                "merge_log": "file_name = '提出.xlsx'",
            }
            raw[k] = {  # as stored, read by the driver
                t.name: [
                    tuple(r)
                    for r in conn.exec_driver_sql(f"SELECT * FROM {t.name} WHERE {mine[t.name]} ORDER BY id")
                ]
                for t in (cost, review, log)
            }
    assert raw[0] == raw[1]
    assert [len(rows) for rows in raw[0].values()] == [3, 3, 2]


def test_many_refuses_rows_with_other_keys_and_leaves_fixed_values_to_sqlalchemy(
    scenario: Scenario, central: Database
) -> None:
    from sqlalchemy import insert

    from dxdesk.central.apply import Many, table_of

    log = table_of(MergeLog)
    with central.engine.connect() as conn:
        with pytest.raises(ValueError, match="other keys"):
            Many(insert(log))(conn, [{"file_name": "a.xlsx", "outcome": "accepted"}, {"file_name": "b.xlsx"}])
        fixed = Many(insert(log).values(outcome="rejected"))  # a value fixed in the statement
        fixed(conn, [{"file_name": "a.xlsx"}, {"file_name": "b.xlsx"}])
        assert [p is None for p in fixed._plans.values()] == [True]  # run by SQLAlchemy
        rows = conn.execute(select(log.c.file_name, log.c.outcome, log.c.at).order_by(log.c.id)).all()
    assert [(r[0], r[1]) for r in rows] == [("a.xlsx", "rejected"), ("b.xlsx", "rejected")]
    assert all(r[2] is not None for r in rows)  # the column's default, filled by SQLAlchemy


def test_by_ids_selects_and_deletes_the_rows_an_in_list_does(central: Database) -> None:
    """``apply.ByIds`` pads a list to a few sizes and cuts long ones: the same rows as ``IN (…)``."""
    from sqlalchemy import delete, func

    from dxdesk.central.apply import ByIds, table_of

    iv = table_of(IndicatorValue)
    by_ids = ByIds(lambda ids: select(iv.c.id, iv.c.fiscal_year).where(iv.c.indicator_id.in_(ids)))
    with central.engine.connect() as conn:
        indicators = sorted({i for (i,) in conn.execute(select(iv.c.indicator_id))})
        assert len(indicators) >= 9
        many = indicators * (600 // len(indicators) + 1)  # several pieces, with repeats
        for ids in ([], indicators[:1], indicators[:9], many):
            want = conn.execute(select(iv.c.id, iv.c.fiscal_year).where(iv.c.indicator_id.in_(ids))).all()
            assert sorted(map(tuple, by_ids(conn, ids))) == sorted(map(tuple, want))
        drop = ByIds(
            lambda ids: delete(iv).where(iv.c.indicator_id.in_(ids), iv.c.fiscal_year == bindparam("fy"))
        )
        drop(conn, indicators[:9], fy=2026)
        left = conn.execute(select(iv.c.indicator_id, iv.c.fiscal_year)).all()
        assert not [r for r in left if r[0] in indicators[:9] and r[1] == 2026]
        assert [r for r in left if r[0] in indicators[:9]]  # other years stay
        assert conn.scalar(select(func.count()).select_from(iv).where(iv.c.fiscal_year == 2026)) > 0
        conn.rollback()
