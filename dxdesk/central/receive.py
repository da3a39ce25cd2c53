"""One verified submission into the central database, in one transaction: :func:`merge_one`.

The rules (docs/central.md, ../shared/docs/architecture.md "Central merge"), decided under the lock of
the section's ``submission_head`` row (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT … FOR
UPDATE``): a payload received before is a duplicate; a newer revision than the accepted one is accepted
(its data written into the plan tables by :mod:`.apply`, the older kept as ``superseded``, the review
rows of the new revision created with 受理 carried over to unchanged measures); the same revision with
other content is a conflict; an older one is stale. Every outcome is logged in ``merge_log`` in the
same transaction. ``received_submission.payload_hash`` is unique, so even a lost race cannot store a
payload twice; :func:`merge_one` retries, and the retry reads it as a duplicate.

The statements are built once and run with parameters: building a statement per file cost more than
running it.
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

from dxdesk.central.apply import PlanIndex, apply_measures, check_measures, table_of
from dxdesk.central.errors import MergeError
from dxdesk.central.intake import Intake, MeasureDelta, TrustSpec, display_path
from dxdesk.domain.fiscal import file_timestamp, fy_label
from dxdesk.store.database import Database
from dxdesk.store.models import MeasureReview, MergeLog, ReceivedSubmission, SubmissionHead, utcnow

__all__ = [
    "FileResult",
    "Outcome",
    "ReceiveContext",
    "lock_section",
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
_SEL_HEAD = (
    select(_HEAD.c.id, _HEAD.c.accepted_id, _HEAD.c.revision)
    .where(
        _HEAD.c.plan_code == bindparam("p"),
        _HEAD.c.fiscal_year == bindparam("fy"),
        _HEAD.c.section_code == bindparam("s"),
    )
    .with_for_update()
)
_UPD_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == bindparam("i"))
    .values(accepted_id=bindparam("a"), revision=bindparam("r"), updated_at=bindparam("at"))
)
_SEL_BY_HASH = select(_RS.c.id, _RS.c.revision, _RS.c.status).where(_RS.c.payload_hash == bindparam("h"))
_SEL_HASH = select(_RS.c.payload_hash).where(_RS.c.id == bindparam("i"))
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
_SEL_REVIEWS = select(
    _MR.c.measure_code, _MR.c.decision, _MR.c.content_hash, _MR.c.decided_by, _MR.c.decided_at
).where(_MR.c.submission_id == bindparam("i"))


def lock_section(
    conn: Connection, plan_code: str, fy: int, section_code: str
) -> tuple[int, int | None, int | None]:
    """The section's ``submission_head`` row, created if needed and locked for this transaction:
    (head id, accepted submission id, accepted revision)."""
    values = {"plan_code": plan_code, "fiscal_year": fy, "section_code": section_code, "updated_at": utcnow()}
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(_HEAD).on_conflict_do_nothing(index_elements=_HEAD_KEYS), values)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(_HEAD).on_conflict_do_nothing(index_elements=_HEAD_KEYS), values)
    row = conn.execute(_SEL_HEAD, {"p": plan_code, "fy": fy, "s": section_code}).one()
    return int(row[0]), row[1], row[2]


def _store(
    conn: Connection, ctx: ReceiveContext, it: Intake, status: str, reason: str, now: dt.datetime
) -> int:
    assert it.payload_z is not None and it.payload_hash and it.file_hash
    params = {
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
    return int(conn.execute(_INS_RS, params).inserted_primary_key[0])  # type: ignore[index]


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
    before: dict[str, tuple[str, str, str, dt.datetime | None]] = {}
    if previous_id is not None:
        for code, decision, content, by, at in conn.execute(
            select(
                _MR.c.measure_code, _MR.c.decision, _MR.c.content_hash, _MR.c.decided_by, _MR.c.decided_at
            ).where(_MR.c.submission_id == previous_id)
        ):
            before[code] = (decision, content, by, at)
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


def decide(conn: Connection, ctx: ReceiveContext, it: Intake) -> FileResult:
    """The outcome of one verified file, written (the caller's transaction; the section is locked here)."""
    assert it.section_code and it.revision and it.payload_hash
    now = utcnow()
    what = summary(it.section_code, it.section_name, it.fiscal_year, it.revision)

    def result(outcome: Outcome, message: str, sid: int | None, codes: tuple[str, ...] = ()) -> FileResult:
        return FileResult(
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

    head_id, accepted_id, accepted_rev = lock_section(conn, ctx.plan_code, ctx.fiscal_year, it.section_code)
    known = conn.execute(_SEL_BY_HASH, {"h": it.payload_hash}).first()
    if known is not None:
        return result(Outcome.DUPLICATE, f"受信済みのファイルです（{what}、変更なし）", known[0])
    if accepted_rev is None or it.revision > accepted_rev:
        problem = check_measures(ctx.index, it.section_code, it.measures)
        if problem is not None:
            return result(Outcome.REJECTED, f"{what}：{problem[1]}", None, (problem[0],))
        notes = []
        if accepted_id is not None:
            prev_hash = conn.scalar(_SEL_HASH, {"i": accepted_id})
            notes.append(f"第{accepted_rev}版は履歴として保存")
            if it.revision == (accepted_rev or 0) + 1 and it.previous_hash != prev_hash:
                notes.append(
                    "前の版とのつながりを確認できません（別のデータベースから作成されたおそれがあります）"
                )
        apply_measures(conn, ctx.index, it.measures)
        if accepted_id is not None:
            conn.execute(_SUPERSEDE, {"i": accepted_id})
            conn.execute(
                _SETTLE_CONFLICTS,
                {
                    "p": ctx.plan_code,
                    "fy": ctx.fiscal_year,
                    "s": it.section_code,
                    "why": f"第{it.revision}版を受理したため、選ぶ必要がなくなりました",
                },
            )
        new_id = _store(conn, ctx, it, "accepted", "", now)
        conn.execute(_UPD_HEAD, {"i": head_id, "a": new_id, "r": it.revision, "at": now})
        conn.execute(
            _INS_MR,
            reviews_rows(
                conn, ctx.plan_code, ctx.fiscal_year, it.section_code, it.measures, new_id, accepted_id
            ),
        )
        note = f"（{'。'.join(notes)}）" if notes else ""
        return result(Outcome.ACCEPTED, f"{what} 施策{len(it.measures)}件{note}", new_id)
    if it.revision == accepted_rev:
        problem = check_measures(ctx.index, it.section_code, it.measures)
        if problem is not None:
            return result(Outcome.REJECTED, f"{what}：{problem[1]}", None, (problem[0],))
        reason = f"受理済みの第{accepted_rev}版と版番号が同じで、内容が異なります"
        sid = _store(conn, ctx, it, "conflict", reason, now)
        return result(Outcome.CONFLICT, f"{what}：{reason}（競合。どちらを採用するか選んでください）", sid)
    reason = f"受理済みの第{accepted_rev}版より古い版です"
    sid = _store(conn, ctx, it, "stale", reason, now)
    return result(Outcome.STALE, f"{what}：{reason}（記録のみ。反映しません）", sid)


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
    """Decide and write several verified files in one transaction, each under its own savepoint (a
    file that fails is rolled back alone and retried on its own with :func:`merge_one`); one commit for
    all. The outcome of each file is what :func:`merge_one` would decide, in the same order."""
    if len(items) <= 1:
        return [merge_one(db, ctx, it) for it in items]
    out: list[FileResult | None] = []
    try:
        with db.engine.connect() as conn:
            begin(conn)
            for it in items:
                sp = conn.begin_nested()
                try:
                    r = decide(conn, ctx, it)
                    conn.execute(_INS_LOG, log_row(r, it.file_hash, ctx.user, utcnow()))
                    sp.commit()
                    out.append(r)
                except (IntegrityError, OperationalError):
                    sp.rollback()
                    out.append(None)
            conn.commit()
    except (IntegrityError, OperationalError):
        return [merge_one(db, ctx, it) for it in items]
    return [r if r is not None else merge_one(db, ctx, it) for r, it in zip(out, items, strict=True)]


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
