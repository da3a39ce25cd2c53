"""The central merge: verify submission workbooks and merge them, one transaction per file.

Rules (../shared/docs/architecture.md "Central merge", docs/central.md):

- valid and newer than the section's accepted revision → **accepted** (the older revision is kept as
  history, ``superseded``);
- a payload received before (same revision, same payload hash) → **duplicate**, nothing changes;
- older than the accepted revision → **stale**, kept and noted, not applied;
- same revision as the accepted one, different content → **conflict**, kept for a person to choose;
- invalid (signature, certificate, revoked, section, year, plan, edited cells, not a submission, not
  readable) → **rejected** with the reason in Japanese, nothing of it merged.

How it runs: the files are listed and probed (:mod:`.inbox`); files whose exact bytes were received
before are duplicates at once; the others are verified in worker processes (:mod:`.intake`: the
exchange verification including every visible cell, and the data validated); then the valid ones are
merged in order of section and revision, each in its own transaction, so 第1版 and 第2版 in one folder
are both kept whatever their file names. Every file gets one line and a row in ``merge_log``.

Two processes merging the same folder at once: each file's transaction first locks the section's row
of ``submission_head`` (SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock; PostgreSQL:
``SELECT … FOR UPDATE``), then decides; ``received_submission.payload_hash`` is unique besides, so a
payload can never be accepted twice. A lost race is retried and then reads as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from dxdesk.central.apply import PlanIndex, apply_measures, check_measures, load_plan_index, table_of
from dxdesk.central.errors import MergeError
from dxdesk.central.inbox import Probe, collect_files, probe
from dxdesk.central.intake import Intake, MeasureDelta, TrustSpec, intake_file
from dxdesk.domain.fiscal import fy_label
from dxdesk.exchange.authority import load_trust
from dxdesk.exchange.errors import ReasonCode
from dxdesk.exchange.parallel import fork_is_safe
from dxdesk.store.database import Database
from dxdesk.store.models import (
    CentralCA,
    MeasureReview,
    MergeLog,
    ReceivedSubmission,
    SubmissionHead,
    utcnow,
)
from dxdesk.store.queries import current_plan
from dxdesk.store.snapshot import plan_settings

__all__ = ["FileResult", "MergeReport", "Outcome", "collect_files", "lock_section", "merge_paths"]

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]
PARALLEL_THRESHOLD = 8  # fewer files than this are verified in this process (no start-up cost)


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
        return f"{self.outcome.value} {self.path} {self.message}"


@dataclass
class MergeReport:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False

    def count(self, outcome: Outcome) -> int:
        return sum(1 for f in self.files if f.outcome is outcome)

    def summary_line(self) -> str:
        return " ".join(f"{o.value}={self.count(o)}" for o in Outcome)

    @property
    def ok(self) -> bool:
        return self.count(Outcome.REJECTED) == 0


@dataclass
class _Context:
    plan_code: str
    fiscal_year: int
    trust: TrustSpec
    index: PlanIndex
    known_files: dict[str, tuple[int, str, str, int, int]]  # file hash → (id, section, name, fy, revision)
    user: str


def _summary(section_code: str | None, section_name: str | None, fy: int | None, revision: int | None) -> str:
    parts = ["提出ファイル", f"{section_code or ''} {section_name or ''}".strip()]
    if fy:
        parts.append(fy_label(fy))
    if revision:
        parts.append(f"第{revision}版")
    return " ".join(p for p in parts if p)


# --- start ------------------------------------------------------------------------------------


def _load_context(db: Database, fiscal_year: int | None, user: str) -> _Context:
    with db.session() as s:
        plan = current_plan(s)
        if plan is None:
            raise MergeError("計画が登録されていません。中央のデータベースを指定してください。")
        if s.scalar(select(CentralCA.id).limit(1)) is None:
            raise MergeError(
                "このデータベースには中央の認証局がありません。配布ファイルを発行した中央のデータベースを指定してください。"
            )
        fy = fiscal_year or plan.current_fy
        if fy is None:
            raise MergeError("受け付ける年度がわかりません（--fy で指定してください）。")
        trust = TrustSpec.of(load_trust(s))
        index = load_plan_index(s.connection(), plan.id, plan.code, fy, plan_settings(plan))
        known: dict[str, tuple[int, str, str, int, int]] = {}
        q = select(
            ReceivedSubmission.file_hash,
            ReceivedSubmission.id,
            ReceivedSubmission.section_code,
            ReceivedSubmission.section_name,
            ReceivedSubmission.fiscal_year,
            ReceivedSubmission.revision,
        ).where(ReceivedSubmission.plan_code == plan.code)
        for h, *rest in s.execute(q):
            known[h] = tuple(rest)  # type: ignore[assignment]
        q2 = (
            select(
                MergeLog.file_hash,
                ReceivedSubmission.id,
                ReceivedSubmission.section_code,
                ReceivedSubmission.section_name,
                ReceivedSubmission.fiscal_year,
                ReceivedSubmission.revision,
            )
            .join(ReceivedSubmission, ReceivedSubmission.id == MergeLog.submission_id)
            .where(ReceivedSubmission.plan_code == plan.code, MergeLog.file_hash.is_not(None))
            .distinct()
        )
        for h2, *rest in s.execute(q2):
            if h2 is not None:
                known.setdefault(h2, tuple(rest))  # type: ignore[arg-type]
        return _Context(plan.code, fy, trust, index, known, user)


# --- verification in worker processes ----------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(spec: TrustSpec, fiscal_year: int) -> None:
    _worker["trust"] = spec.trust()
    _worker["fy"] = fiscal_year


def _verify_job(job: tuple[str, str]) -> Intake:
    path, file_hash = job
    return intake_file(path, file_hash, _worker["trust"], _worker["fy"])


def _start_method() -> str:
    """fork where it is safe (one thread: the command line), forkserver in a threaded program (the
    GUI merges on a worker thread), spawn on Windows."""
    if fork_is_safe():
        return "fork"
    if "forkserver" in multiprocessing.get_all_start_methods():
        return "forkserver"
    return "spawn"


def _verify_all(ctx: _Context, jobs: Sequence[tuple[str, str]], workers: int) -> Iterator[Intake]:
    workers = max(1, min(workers, len(jobs)))
    if workers == 1 or len(jobs) < PARALLEL_THRESHOLD:
        trust = ctx.trust.trust()
        for path, file_hash in jobs:
            yield intake_file(path, file_hash, trust, ctx.fiscal_year)
        return
    mp = multiprocessing.get_context(_start_method())
    if mp.get_start_method() == "forkserver":
        mp.set_forkserver_preload(["dxdesk.central.intake"])
    chunk = max(1, min(8, len(jobs) // (workers * 4)))
    pool = ProcessPoolExecutor(
        workers, mp_context=mp, initializer=_init_worker, initargs=(ctx.trust, ctx.fiscal_year)
    )
    try:
        yield from pool.map(_verify_job, jobs, chunksize=chunk)
    finally:  # also when the caller stops early (cancel): files not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)


# --- one file, one transaction -----------------------------------------------------------------


def _begin(conn: Connection) -> None:
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


def _created_at(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _store(conn: Connection, ctx: _Context, it: Intake, status: str, reason: str, now: dt.datetime) -> int:
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
        "file_name": Path(it.path).name[:300],
        "status": status,
        "reason": reason,
        "author": it.author,
        "chief": it.chief,
        "signer_serial": it.signer_serial,
        "measure_count": len(it.measures),
        "created_at": _created_at(it.created_at),
        "received_at": now,
        "decided_by": "",
        "signature": it.signature,
        "certificate_pem": it.certificate_pem,
        "payload": it.payload_z,
    }
    return int(conn.execute(_INS_RS, params).inserted_primary_key[0])  # type: ignore[index]


def _reviews_rows(
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


def _decide(conn: Connection, ctx: _Context, it: Intake) -> FileResult:
    assert it.section_code and it.revision and it.payload_hash
    now = utcnow()
    summary = _summary(it.section_code, it.section_name, it.fiscal_year, it.revision)

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
        return result(Outcome.DUPLICATE, f"受信済みのファイルです（{summary}、変更なし）", known[0])
    if accepted_rev is None or it.revision > accepted_rev:
        problem = check_measures(ctx.index, it.section_code, it.measures)
        if problem is not None:
            return result(Outcome.REJECTED, f"{summary}：{problem[1]}", None, (problem[0],))
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
            _reviews_rows(
                conn, ctx.plan_code, ctx.fiscal_year, it.section_code, it.measures, new_id, accepted_id
            ),
        )
        note = f"（{'。'.join(notes)}）" if notes else ""
        return result(Outcome.ACCEPTED, f"{summary} 施策{len(it.measures)}件{note}", new_id)
    if it.revision == accepted_rev:
        problem = check_measures(ctx.index, it.section_code, it.measures)
        if problem is not None:
            return result(Outcome.REJECTED, f"{summary}：{problem[1]}", None, (problem[0],))
        reason = f"受理済みの第{accepted_rev}版と版番号が同じで、内容が異なります"
        sid = _store(conn, ctx, it, "conflict", reason, now)
        return result(Outcome.CONFLICT, f"{summary}：{reason}（競合。どちらを採用するか選んでください）", sid)
    reason = f"受理済みの第{accepted_rev}版より古い版です"
    sid = _store(conn, ctx, it, "stale", reason, now)
    return result(Outcome.STALE, f"{summary}：{reason}（記録のみ。反映しません）", sid)


def _log_row(r: FileResult, file_hash: str | None, user: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "at": now,
        "user_name": user[:100],
        "file_name": r.path.name[:300],
        "file_path": str(r.path),
        "file_hash": file_hash,
        "outcome": r.outcome.value,
        "reason_codes": ",".join(r.reason_codes)[:300],
        "message": r.message,
        "section_code": r.section_code,
        "fiscal_year": r.fiscal_year,
        "revision": r.revision,
        "submission_id": r.submission_id,
    }


def _merge_one(db: Database, ctx: _Context, it: Intake) -> FileResult:
    """Decide and write one verified file in its own transaction (retried when another process won a
    race for the same section)."""
    last: Exception | None = None
    for attempt in range(5):
        try:
            with db.engine.connect() as conn:
                _begin(conn)
                r = _decide(conn, ctx, it)
                conn.execute(_INS_LOG, _log_row(r, it.file_hash, ctx.user, utcnow()))
                conn.commit()
                return r
        except (IntegrityError, OperationalError) as exc:
            last = exc
            time.sleep(0.05 * (attempt + 1))
    raise MergeError(
        f"データベースに書き込めません（{last}）。しばらくしてから、もう一度取り込んでください。"
    )


# --- the whole run ------------------------------------------------------------------------------


def merge_paths(
    db: Database,
    paths: Iterable[Path | str],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    fiscal_year: int | None = None,
    workers: int | None = None,
    user: str = "",
) -> MergeReport:
    """Verify and merge the files and folders ``paths`` into the central database ``db``.

    Raises :class:`MergeError` only when nothing can be merged at all (no plan, no CA); a bad file is a
    ``rejected`` line. ``cancel()`` is asked between files; what was merged before stays merged."""
    t0 = time.perf_counter()
    report = progress or (lambda _d, _t, _m: None)
    stop = cancel or (lambda: False)
    ctx = _load_context(db, fiscal_year, user)
    files = collect_files(paths)
    n = len(files)
    results: dict[int, FileResult] = {}
    hashes: dict[int, str | None] = {}
    jobs: list[tuple[int, Probe]] = []
    out = MergeReport()
    report(0, n, f"{n}件のファイルを確認しています")
    for i, path in enumerate(files):
        if stop():
            out.cancelled = True
            files = files[:i]
            break
        pr = probe(path)
        hashes[i] = pr.file_hash
        if pr.code is not None:
            results[i] = FileResult(path, Outcome.REJECTED, pr.message, (pr.code,))
        elif pr.file_hash in ctx.known_files:
            sid, code, name, fy, rev = ctx.known_files[pr.file_hash]
            results[i] = FileResult(
                path,
                Outcome.DUPLICATE,
                f"受信済みのファイルです（{_summary(code, name, fy, rev)}、変更なし）",
                (),
                code,
                name,
                fy,
                rev,
                None,
                sid,
            )
        else:
            jobs.append((i, pr))
    if out.cancelled:
        jobs = []
    # lines decided without verification (rejected at once, exact duplicates) are logged together
    now = utcnow()
    quick = [_log_row(r, hashes.get(i), user, now) for i, r in sorted(results.items())]
    if quick:
        with db.engine.begin() as conn:
            conn.execute(insert(_LOG), quick)
    done = len(results)
    report(done, n, "ファイルを検証して取り込んでいます")
    # Verified in worker processes and merged here as the results come in, in the order of section and
    # revision as the file names say (R08_S011_…_第2版.xlsx), so a folder holding 第1版 and 第2版
    # keeps 第1版 as history. (A renamed file may come later than a newer revision: it is then "stale",
    # and stored all the same.)
    jobs.sort(key=lambda job: _name_order(job[1].path))
    verified = _verify_all(
        ctx, [(str(pr.path), pr.file_hash or "") for _i, pr in jobs], workers or os.cpu_count() or 1
    )
    failed: list[dict[str, Any]] = []
    try:
        for (i, pr), it in zip(jobs, verified, strict=False):
            if stop():
                out.cancelled = True
                break
            if it.ok:
                results[i] = _merge_one(db, ctx, it)
            else:
                results[i] = FileResult(
                    pr.path,
                    Outcome.REJECTED,
                    _with_hint(it, pr.path),
                    it.codes,
                    it.section_code,
                    it.section_name,
                    it.fiscal_year,
                    it.revision,
                    None,
                    None,
                )
                failed.append(_log_row(results[i], pr.file_hash, user, utcnow()))
            done += 1
            if done % 10 == 0 or done == n:
                report(done, n, f"ファイルを検証して取り込んでいます（{done}/{n}）")
    finally:
        close = getattr(verified, "close", None)
        if close is not None:
            close()
        if failed:
            with db.engine.begin() as conn:
                conn.execute(insert(_LOG), failed)
    out.files = [results[i] for i in range(n) if i in results]
    out.seconds = time.perf_counter() - t0
    report(n, n, "完了しました")
    return out


_NAME = re.compile(r"^R\d{2}_([^_]+)_.*?(?:_第(\d+)版)?\.xlsx$", re.IGNORECASE)


def _name_order(path: Path) -> tuple[str, int, str]:
    """(section code, revision, name) as a submission's file name says — for ordering only."""
    m = _NAME.match(path.name)
    if m is None:
        return ("~", 0, path.name)
    return (m.group(1), int(m.group(2) or 0), path.name)


def _with_hint(it: Intake, path: Path) -> str:
    """A damaged file written in the last seconds is most likely still being copied: say so."""
    message = it.message
    if ReasonCode.CORRUPT in it.codes:
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            age = 1e9
        if age < 10:
            message += "（書き込み中のおそれがあります。コピーが終わってから、もう一度取り込んでください）"
    if it.section_code and it.revision:
        message = f"{_summary(it.section_code, it.section_name, it.fiscal_year, it.revision)}：{message}"
    return message
