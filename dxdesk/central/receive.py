"""Verified submissions into the central database: :func:`merge_one` (one file, its own transaction) and
:func:`merge_batch` (several files, one transaction).

The rules (docs/central.md, ../shared/docs/architecture.md "Central merge"), decided under the lock of
the section's ``submission_head`` row (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT … FOR
UPDATE``, several sections' rows in the order of their codes): a payload received before is a
duplicate; a newer revision than the accepted one is accepted (its data written into the plan tables
by :mod:`.apply`, the older kept as ``superseded``, the review rows of the new revision created with 受理
carried over to unchanged measures); the same revision with other content is a conflict; an older one
is stale. Every outcome is logged in ``merge_log`` in the same transaction. ``received_submission.
payload_hash`` is unique, so even a lost race cannot store a payload twice; :func:`merge_one` retries,
and the retry reads it as a duplicate.

Files of distinct sections do not depend on each other's outcome, so :func:`decide_many` decides and
writes them together — one lock of their heads, one duplicate lookup, one ``executemany`` per table —
with exactly the rows deciding them one after the other writes; :func:`merge_batch` falls back to one
file per savepoint when that fails. The statements are built once and run with parameters, and rows go
to the driver's ``executemany`` (:class:`.apply.Many`): building a statement per file, and SQLAlchemy's
per-row parameter handling, cost more than running them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from dxdesk.central.apply import Many, PlanIndex, apply_measures, check_measures, table_of
from dxdesk.central.errors import MergeError
from dxdesk.central.intake import Intake, MeasureDelta, TrustSpec, display_path
from dxdesk.domain.fiscal import file_timestamp, fy_label
from dxdesk.store.database import Database
from dxdesk.store.models import MeasureReview, MergeLog, ReceivedSubmission, SubmissionHead, utcnow

__all__ = [
    "FileResult",
    "Outcome",
    "ReceiveContext",
    "decide_many",
    "lock_section",
    "lock_sections",
    "log_row",
    "merge_batch",
    "merge_one",
    "reviews_rows",
    "summary",
]


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    STALE = "stale"
    CONFLICT = "conflict"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Outcome.ACCEPTED: "受理",
    Outcome.DUPLICATE: "重複",
    Outcome.STALE: "旧版",
    Outcome.CONFLICT: "競合",
    Outcome.REJECTED: "不受理",
}


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: Outcome
    message: str
    reason_codes: tuple[str, ...] = ()
    section_code: str | None = None
    section_name: str | None = None
    fiscal_year: int | None = None
    revision: int | None = None
    payload_hash: str | None = None
    submission_id: int | None = None

    def line(self) -> str:
        """``accepted <path> <message>`` — the command line's line for this file."""
        return f"{self.outcome.value} {display_path(self.path)} {self.message}"


@dataclass
class ReceiveContext:
    """What every file's transaction needs, loaded once per merge."""

    plan_code: str
    fiscal_year: int
    trust: TrustSpec
    index: PlanIndex
    known_files: dict[str, tuple[int, str, str, int, int]]  # file hash → (id, section, name, fy, revision)
    user: str


def summary(section_code: str | None, section_name: str | None, fy: int | None, revision: int | None) -> str:
    """「提出ファイル S011 情報政策課 令和8年度 第2版」."""
    parts = ["提出ファイル", f"{section_code or ''} {section_name or ''}".strip()]
    if fy:
        parts.append(fy_label(fy))
    if revision:
        parts.append(f"第{revision}版")
    return " ".join(p for p in parts if p)


def begin(conn: Connection) -> None:
    """Start the file's transaction; on SQLite take the write lock now (BEGIN IMMEDIATE), so that what
    is read to decide cannot change before the write."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


_HEAD = table_of(SubmissionHead)
_RS = table_of(ReceivedSubmission)
_MR = table_of(MeasureReview)
_LOG = table_of(MergeLog)
_HEAD_KEYS = ["plan_code", "fiscal_year", "section_code"]
# statements built once and run with parameters (building one per file costs more than running it)
_SEL_HEADS = (
    select(_HEAD.c.id, _HEAD.c.section_code, _HEAD.c.accepted_id, _HEAD.c.revision)
    .where(
        _HEAD.c.plan_code == bindparam("p"),
        _HEAD.c.fiscal_year == bindparam("fy"),
        _HEAD.c.section_code.in_(bindparam("ss", expanding=True)),
    )
    .order_by(_HEAD.c.section_code)
    .with_for_update()
)
_UPD_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == bindparam("i"))
    .values(accepted_id=bindparam("a"), revision=bindparam("r"), updated_at=bindparam("at"))
)
_SEL_BY_HASHES = select(_RS.c.id, _RS.c.payload_hash).where(
    _RS.c.payload_hash.in_(bindparam("hs", expanding=True))
)
_SEL_HASHES = select(_RS.c.id, _RS.c.payload_hash).where(_RS.c.id.in_(bindparam("ids", expanding=True)))
_SUPERSEDE = update(_RS).where(_RS.c.id == bindparam("i")).values(status="superseded")
_SETTLE_CONFLICTS = (
    update(_RS)
    .where(
        _RS.c.plan_code == bindparam("p"),
        _RS.c.fiscal_year == bindparam("fy"),
        _RS.c.section_code == bindparam("s"),
        _RS.c.status == "conflict",
    )
    .values(status="superseded", reason=bindparam("why"))
)
_INS_RS = insert(_RS)
_INS_MR = insert(_MR)
_INS_LOG = insert(_LOG)
_INSERT_STORED = Many(_INS_RS)
_INSERT_REVIEWS = Many(_INS_MR)
_INSERT_LOG = Many(_INS_LOG)
_UPDATE_HEADS = Many(_UPD_HEAD)
_SEL_REVIEWS = select(
    _MR.c.submission_id,
    _MR.c.measure_code,
    _MR.c.decision,
    _MR.c.content_hash,
    _MR.c.decided_by,
    _MR.c.decided_at,
).where(_MR.c.submission_id.in_(bindparam("ids", expanding=True)))


_HEAD_INSERT: dict[str, Any] = {}  # dialect name → INSERT … ON CONFLICT DO NOTHING of a head row


def _insert_heads(conn: Connection) -> Any:
    name = conn.dialect.name
    stmt = _HEAD_INSERT.get(name)
    if stmt is None:
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt = pg_insert(_HEAD).on_conflict_do_nothing(index_elements=_HEAD_KEYS)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(_HEAD).on_conflict_do_nothing(index_elements=_HEAD_KEYS)
        _HEAD_INSERT[name] = stmt
    return stmt


def lock_sections(
    conn: Connection, plan_code: str, fy: int, section_codes: Sequence[str]
) -> dict[str, tuple[int, int | None, int | None]]:
    """The sections' ``submission_head`` rows, created where needed and locked for this transaction, in
    the order of their codes (two processes locking several sections take them in the same order):
    section code → (head id, accepted submission id, accepted revision)."""
    codes = sorted(set(section_codes))
    now = utcnow()
    rows = [{"plan_code": plan_code, "fiscal_year": fy, "section_code": c, "updated_at": now} for c in codes]
    conn.execute(_insert_heads(conn), rows if len(rows) > 1 else rows[0])
    return {
        code: (int(hid), accepted_id, revision)
        for hid, code, accepted_id, revision in conn.execute(
            _SEL_HEADS, {"p": plan_code, "fy": fy, "ss": codes}
        )
    }


def lock_section(
    conn: Connection, plan_code: str, fy: int, section_code: str
) -> tuple[int, int | None, int | None]:
    """The section's ``submission_head`` row, created if needed and locked for this transaction:
    (head id, accepted submission id, accepted revision)."""
    return lock_sections(conn, plan_code, fy, [section_code])[section_code]


def _stored_row(
    ctx: ReceiveContext, it: Intake, status: str, reason: str, now: dt.datetime
) -> dict[str, Any]:
    assert it.payload_z is not None and it.payload_hash and it.file_hash
    return {
        "plan_code": ctx.plan_code,
        "fiscal_year": ctx.fiscal_year,
        "section_code": it.section_code,
        "section_name": (it.section_name or "")[:200],
        "revision": it.revision,
        "payload_hash": it.payload_hash,
        "previous_hash": it.previous_hash,
        "file_hash": it.file_hash,
        "file_name": display_path(Path(it.path).name)[:300],
        "status": status,
        "reason": reason,
        "author": it.author,
        "chief": it.chief,
        "signer_serial": it.signer_serial,
        "measure_count": len(it.measures),
        "created_at": file_timestamp(it.created_at),
        "received_at": now,
        "decided_by": "",
        "signature": it.signature,
        "certificate_pem": it.certificate_pem,
        "payload": it.payload_z,
    }


def _store_all(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``received_submission`` rows in their order; their ids, in the same order (read back by
    payload hash, which is unique)."""
    if len(rows) == 1:
        return [int(conn.execute(_INS_RS, rows[0]).inserted_primary_key[0])]  # type: ignore[index]
    _INSERT_STORED(conn, rows)
    ids = {h: int(i) for i, h in conn.execute(_SEL_BY_HASHES, {"hs": [r["payload_hash"] for r in rows]})}
    return [ids[r["payload_hash"]] for r in rows]


_Before = dict[str, tuple[str, str, str, dt.datetime | None]]  # measure → (decision, content, by, at)


def _review_rows(
    plan_code: str, fy: int, section_code: str, deltas: Sequence[MeasureDelta], new_id: int, before: _Before
) -> list[dict[str, Any]]:
    rows = []
    for d in deltas:
        prev = before.get(d.code)
        carried = prev is not None and prev[0] == "accepted" and prev[1] == d.content_hash
        rows.append(
            {
                "submission_id": new_id,
                "plan_code": plan_code,
                "fiscal_year": fy,
                "section_code": section_code,
                "measure_code": d.code,
                "decision": "accepted" if carried else "pending",
                "decided_by": prev[2] if carried and prev else "",
                "decided_at": prev[3] if carried and prev else None,
                "content_hash": d.content_hash,
                "carried_over": carried,
            }
        )
    return rows


def _reviews_before(conn: Connection, submission_ids: list[int]) -> dict[int, _Before]:
    """The review rows of the given submissions: submission id → measure → (decision, content, by, at)."""
    out: dict[int, _Before] = {i: {} for i in submission_ids}
    if submission_ids:
        for sid, code, decision, content, by, at in conn.execute(_SEL_REVIEWS, {"ids": submission_ids}):
            out[sid][code] = (decision, content, by, at)
    return out


def reviews_rows(
    conn: Connection,
    plan_code: str,
    fy: int,
    section_code: str,
    deltas: Sequence[MeasureDelta],
    new_id: int,
    previous_id: int | None,
) -> list[dict[str, Any]]:
    """Review rows of a newly accepted revision: 未審査, or 受理 carried over where the measure is
    unchanged since a 受理 of the revision accepted before."""
    before = _reviews_before(conn, [previous_id])[previous_id] if previous_id is not None else {}
    return _review_rows(plan_code, fy, section_code, deltas, new_id, before)


def decide(conn: Connection, ctx: ReceiveContext, it: Intake) -> FileResult:
    """The outcome of one verified file, written (the caller's transaction; the section is locked here)."""
    return decide_many(conn, ctx, [it])[0]


def decide_many(conn: Connection, ctx: ReceiveContext, items: Sequence[Intake]) -> list[FileResult]:
    """The outcomes of verified files of *different* sections, written together (the caller's
    transaction; the sections are locked here). Each outcome and every row written is what deciding the
    files one after the other would give — their sections are distinct, so no file's outcome depends on
    another's — with a few statements for all of them instead of a few for each."""
    assert len({it.section_code for it in items}) == len(items), "one file per section"
    now = utcnow()
    heads = lock_sections(conn, ctx.plan_code, ctx.fiscal_year, [it.section_code or "" for it in items])
    known: dict[str, int] = {
        h: int(sid) for sid, h in conn.execute(_SEL_BY_HASHES, {"hs": [it.payload_hash for it in items]})
    }
    # the outcome of each file: (outcome, message, stored status or None, reason, reason codes)
    plans: list[tuple[Outcome, str, str | None, str, tuple[str, ...]]] = []
    superseded: list[int] = []  # accepted ids of the sections with a newer revision accepted now
    for it in items:
        assert it.section_code and it.revision and it.payload_hash
        what = summary(it.section_code, it.section_name, it.fiscal_year, it.revision)
        _head_id, accepted_id, accepted_rev = heads[it.section_code]
        if it.payload_hash in known:
            plans.append((Outcome.DUPLICATE, f"受信済みのファイルです（{what}、変更なし）", None, "", ()))
            continue
        if accepted_rev is None or it.revision >= accepted_rev:
            problem = check_measures(ctx.index, it.section_code, it.measures)
            if problem is not None:
                plans.append((Outcome.REJECTED, f"{what}：{problem[1]}", None, "", (problem[0],)))
            elif accepted_rev is None or it.revision > accepted_rev:
                plans.append((Outcome.ACCEPTED, "", "accepted", "", ()))
                if accepted_id is not None:
                    superseded.append(accepted_id)
            else:
                reason = f"受理済みの第{accepted_rev}版と版番号が同じで、内容が異なります"
                plans.append(
                    (
                        Outcome.CONFLICT,
                        f"{what}：{reason}（競合。どちらを採用するか選んでください）",
                        "conflict",
                        reason,
                        (),
                    )
                )
            continue
        reason = f"受理済みの第{accepted_rev}版より古い版です"
        plans.append((Outcome.STALE, f"{what}：{reason}（記録のみ。反映しません）", "stale", reason, ()))

    accepted = [it for it, plan in zip(items, plans, strict=True) if plan[0] is Outcome.ACCEPTED]
    before: dict[int, _Before] = {}
    prev_hash: dict[int, str] = {}
    if accepted:
        if superseded:
            prev_hash = {int(i): h for i, h in conn.execute(_SEL_HASHES, {"ids": superseded})}
            before = _reviews_before(conn, superseded)
        apply_measures(conn, ctx.index, [d for it in accepted for d in it.measures])
        if superseded:
            conn.execute(_SUPERSEDE, [{"i": i} for i in superseded])
            conn.execute(
                _SETTLE_CONFLICTS,
                [
                    {
                        "p": ctx.plan_code,
                        "fy": ctx.fiscal_year,
                        "s": it.section_code,
                        "why": f"第{it.revision}版を受理したため、選ぶ必要がなくなりました",
                    }
                    for it in accepted
                    if heads[it.section_code or ""][1] is not None
                ],
            )
    stored = [
        _stored_row(ctx, it, plan[2], plan[3], now)
        for it, plan in zip(items, plans, strict=True)
        if plan[2] is not None
    ]
    ids = iter(_store_all(conn, stored) if stored else [])

    out: list[FileResult] = []
    head_rows: list[dict[str, Any]] = []
    review_rows: list[dict[str, Any]] = []
    for it, (outcome, message, status, _reason, codes) in zip(items, plans, strict=True):
        code = it.section_code or ""
        head_id, accepted_id, accepted_rev = heads[code]
        sid: int | None = next(ids) if status is not None else None
        if outcome is Outcome.DUPLICATE:
            sid = known[it.payload_hash or ""]
        elif outcome is Outcome.ACCEPTED:
            assert sid is not None and it.revision
            notes = []
            if accepted_id is not None:
                notes.append(f"第{accepted_rev}版は履歴として保存")
                if it.revision == (accepted_rev or 0) + 1 and it.previous_hash != prev_hash.get(accepted_id):
                    notes.append(
                        "前の版とのつながりを確認できません（別のデータベースから作成されたおそれがあります）"
                    )
            head_rows.append({"i": head_id, "a": sid, "r": it.revision, "at": now})
            review_rows += _review_rows(
                ctx.plan_code,
                ctx.fiscal_year,
                code,
                it.measures,
                sid,
                before.get(accepted_id, {}) if accepted_id is not None else {},
            )
            note = f"（{'。'.join(notes)}）" if notes else ""
            what = summary(code, it.section_name, it.fiscal_year, it.revision)
            message = f"{what} 施策{len(it.measures)}件{note}"
        out.append(
            FileResult(
                Path(it.path),
                outcome,
                message,
                codes,
                it.section_code,
                it.section_name,
                it.fiscal_year,
                it.revision,
                it.payload_hash,
                sid,
            )
        )
    _UPDATE_HEADS(conn, head_rows)
    _INSERT_REVIEWS(conn, review_rows)
    return out


def log_row(r: FileResult, file_hash: str | None, user: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "at": now,
        "user_name": user[:100],
        "file_name": display_path(r.path.name)[:300],
        "file_path": display_path(r.path),
        "file_hash": file_hash,
        "outcome": r.outcome.value,
        "reason_codes": ",".join(r.reason_codes)[:300],
        "message": r.message,
        "section_code": r.section_code,
        "fiscal_year": r.fiscal_year,
        "revision": r.revision,
        "submission_id": r.submission_id,
    }


def merge_batch(db: Database, ctx: ReceiveContext, items: Sequence[Intake]) -> list[FileResult]:
    """Decide and write several verified files in one transaction; one commit for all. The outcome of
    each file, and every row written, is what :func:`merge_one` would give, in the same order.

    Files of distinct sections are written together (:func:`decide_many`) under one savepoint; if that
    fails, they are written again one by one, each under its own savepoint, and a file that fails then
    is rolled back alone and retried on its own with :func:`merge_one`."""
    if len(items) <= 1:
        return [merge_one(db, ctx, it) for it in items]
    out: list[FileResult | None] = []
    try:
        with db.engine.connect() as conn:
            begin(conn)
            for part in _parts(items):
                out += _write_part(conn, ctx, part)
            conn.commit()
    except (IntegrityError, OperationalError):
        return [merge_one(db, ctx, it) for it in items]
    return [r if r is not None else merge_one(db, ctx, it) for r, it in zip(out, items, strict=True)]


def _parts(items: Sequence[Intake]) -> list[list[Intake]]:
    """``items`` cut, in their order, into runs of files of distinct sections (a section's second file
    starts a new run: its outcome depends on the first's)."""
    parts: list[list[Intake]] = []
    seen: set[str | None] = set()
    for it in items:
        if not parts or it.section_code in seen:
            parts.append([])
            seen = set()
        parts[-1].append(it)
        seen.add(it.section_code)
    return parts


def _write_part(conn: Connection, ctx: ReceiveContext, part: list[Intake]) -> list[FileResult | None]:
    """Files of distinct sections written together under one savepoint, or — if that fails — one by
    one, each under its own (None for a file that failed: rolled back alone)."""
    if len(part) > 1:
        sp = conn.begin_nested()
        try:
            results = decide_many(conn, ctx, part)
            now = utcnow()
            _INSERT_LOG(
                conn, [log_row(r, it.file_hash, ctx.user, now) for r, it in zip(results, part, strict=True)]
            )
            sp.commit()
            return list(results)
        except (IntegrityError, OperationalError):
            sp.rollback()
    out: list[FileResult | None] = []
    for it in part:
        sp = conn.begin_nested()
        try:
            r = decide(conn, ctx, it)
            conn.execute(_INS_LOG, log_row(r, it.file_hash, ctx.user, utcnow()))
            sp.commit()
            out.append(r)
        except (IntegrityError, OperationalError):
            sp.rollback()
            out.append(None)
    return out


def merge_one(db: Database, ctx: ReceiveContext, it: Intake) -> FileResult:
    """Decide and write one verified file in its own transaction (retried when another process won a
    race for the same section)."""
    last: Exception | None = None
    for attempt in range(5):
        try:
            with db.engine.connect() as conn:
                begin(conn)
                r = decide(conn, ctx, it)
                conn.execute(_INS_LOG, log_row(r, it.file_hash, ctx.user, utcnow()))
                conn.commit()
                return r
        except (IntegrityError, OperationalError) as exc:
            last = exc
            time.sleep(0.05 * (attempt + 1))
    raise MergeError(
        f"データベースに書き込めません（{last}）。しばらくしてから、もう一度取り込んでください。"
    )
