"""The central merge: verify submission workbooks and merge them, each file under its own savepoint.

Rules (../shared/docs/architecture.md "Central merge", docs/central.md):

- valid and newer than the section's accepted revision → **accepted** (the older revision is kept as
  history, ``superseded``);
- a payload received before (same revision, same payload hash) → **duplicate**, nothing changes;
- older than the accepted revision → **stale**, kept and noted, not applied;
- same revision as the accepted one, different content → **conflict**, kept for a person to choose;
- invalid (signature, certificate, revoked, section, year, plan, edited cells, not a submission, not
  readable) → **rejected** with the reason in Japanese, nothing of it merged.

How it runs: the files are listed, then probed (:mod:`.inbox`) one by one in the order of section and
revision the file names say, each when a worker can take it, so the first are verified while the next
are still read and hashed; files whose exact bytes were received before are duplicates at once; the
others are verified in worker processes (:mod:`.intake`: the exchange verification including every
visible cell, and the data validated) and merged here as the results come back, in that order, each
under its own savepoint, a few files per transaction (:func:`.receive.merge_batch`: one commit, one
fsync, per batch; :mod:`.receive` also explains why two processes merging the same folder at once never
accept anything twice). A verification worker that dies costs only its own file (:func:`_verify_all`).
Every file gets one line and a row in ``merge_log``.
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from dxdesk.central.apply import load_plan_index, table_of
from dxdesk.central.errors import MergeError
from dxdesk.central.inbox import Probe, collect_files, probe
from dxdesk.central.intake import Intake, MergeCode, TrustSpec, display_path, intake_file
from dxdesk.central.receive import FileResult, Outcome, ReceiveContext, log_row, merge_batch, summary
from dxdesk.exchange.authority import load_trust
from dxdesk.exchange.errors import ReasonCode
from dxdesk.exchange.parallel import fork_is_safe
from dxdesk.exchange.verify import Trust
from dxdesk.store.database import Database
from dxdesk.store.models import (
    CentralCA,
    MergeLog,
    ReceivedSubmission,
    utcnow,
)
from dxdesk.store.queries import current_plan
from dxdesk.store.snapshot import plan_settings

__all__ = ["FileResult", "MergeReport", "Outcome", "collect_files", "merge_paths"]

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]
log = logging.getLogger(__name__)
_LOG = table_of(MergeLog)
BATCH_FILES = 25  # verified files written in one transaction (each under its own savepoint)
BATCH_SECONDS = 0.5  # … or what arrived within this time
PARALLEL_THRESHOLD = 8  # fewer files than this are verified in this process (no start-up cost)


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


# --- start ------------------------------------------------------------------------------------


def _load_context(db: Database, fiscal_year: int | None, user: str) -> ReceiveContext:
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
        return ReceiveContext(plan.code, fy, trust, index, known, user)


# --- verification in worker processes ----------------------------------------------------------

_worker: dict[str, Any] = {}
WORKER_MEMORY = 2 * 2**30  # address space of one verification worker: a runaway file fails alone
# files in flight per worker: enough to keep the workers busy while this process writes a batch (25
# files, ~0.1 s) — new files are handed out only between results
WINDOW = 8
EARLY_WRITE = 4  # at the end, files waiting to be written while the last ones are verified


def _init_worker(spec: TrustSpec, fiscal_year: int) -> None:
    _worker["trust"] = spec.trust()
    _worker["fy"] = fiscal_year
    # what the worker inherited (modules, the trust) is never garbage: kept out of every collection
    # (and its pages are not written to by the collector, so they stay shared with the parent)
    gc.freeze()
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = WORKER_MEMORY if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # Windows, or a limit this process may not set
        pass


def _verify_job(job: tuple[str, str]) -> Intake:
    path, file_hash = job
    return _safe_intake(path, file_hash, _worker["trust"], _worker["fy"])


def _safe_intake(path: str, file_hash: str, trust: Trust, fy: int) -> Intake:
    """:func:`intake_file`, and a line instead of an aborted merge if a file breaks something unforeseen
    (the next file is still processed)."""
    try:
        return intake_file(path, file_hash, trust, fy)
    except Exception as exc:  # MemoryError and RecursionError included
        log.exception("verifying %s failed", display_path(path))
        return Intake(path).reject(
            ReasonCode.CORRUPT,
            f"ファイルを検証できませんでした（{type(exc).__name__}）。ファイルが壊れているおそれがあります",
        )


def _died(path: str) -> Intake:
    return Intake(path).reject(
        MergeCode.WORKER_DIED,
        "ファイルの検証中に処理が異常終了しました（ファイルが壊れているか、細工されたおそれがあります）。"
        "このファイルは取り込みません",
    )


def _start_method() -> str | None:
    """fork where it is safe (one thread: the command line), forkserver in a threaded program (the
    GUI merges on a worker thread); None where only spawn exists (Windows), whose start-up costs more
    than verifying a few files."""
    if fork_is_safe():
        return "fork"
    if "forkserver" in multiprocessing.get_all_start_methods():
        return "forkserver"
    return None


def _pool(ctx: ReceiveContext, method: str, workers: int) -> ProcessPoolExecutor:
    mp = multiprocessing.get_context(method)
    if method == "forkserver":
        # this module (the workers' function lives here) with the verification it imports: a worker
        # forked from the server then imports nothing (17 ms of CPU per worker and merge otherwise)
        mp.set_forkserver_preload(["dxdesk.central.merge"])
    return ProcessPoolExecutor(
        workers, mp_context=mp, initializer=_init_worker, initargs=(ctx.trust, ctx.fiscal_year)
    )


def _isolated(ctx: ReceiveContext, method: str, job: tuple[str, str]) -> Intake:
    """One file in a worker of its own: if that worker dies, the file is the one that killed it."""
    pool = _pool(ctx, method, 1)
    try:
        return pool.submit(_verify_job, job).result()
    except BrokenProcessPool:
        log.error("a verification worker died on %s", display_path(job[0]))
        return _died(job[0])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _verify_all(
    ctx: ReceiveContext,
    jobs: Iterable[tuple[str, str]],
    workers: int,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[Intake]:
    """Verify ``jobs`` in worker processes, results in order. ``jobs`` may be lazy: each is taken when a
    worker can have it, so the first files are verified while the next are still being listed and
    hashed (the pool starts with the first). A worker that dies (abort, segfault, out of memory) costs
    only its own file: the files in flight with it are verified again one by one, each in a worker of
    its own, and the one that kills its worker again is rejected. ``on_wait()`` is called when every
    file has been handed out and the next result is not there yet (the caller can use the wait)."""
    todo = iter(jobs)
    method = _start_method()
    if method is None:  # spawned workers cost more than hashing every file first
        todo = iter(listed := list(todo))
        if workers <= 1 or len(listed) < PARALLEL_THRESHOLD:
            trust = ctx.trust.trust()
            for path, file_hash in listed:
                yield _safe_intake(path, file_hash, trust, ctx.fiscal_year)
            return
        method = "spawn"
    # as many workers as there are files, up to ``workers``
    first: list[tuple[str, str]] = []
    for early in todo:
        first.append(early)
        if len(first) >= workers:
            break
    if not first:
        return
    workers = max(1, min(workers, len(first)))
    todo = itertools.chain(first, todo)
    pool = _pool(ctx, method, workers)
    pending: deque[tuple[tuple[str, str], Future[Intake]]] = deque()
    drained = False  # every file handed out
    try:
        while True:
            while len(pending) < workers * WINDOW:
                job = next(todo, None)
                if job is None:
                    drained = True
                    break
                try:
                    pending.append((job, pool.submit(_verify_job, job)))
                except BrokenProcessPool:
                    pending.append((job, _failed_future()))
            if not pending:
                return
            job, fut = pending.popleft()
            if on_wait is not None and drained and not fut.done():
                on_wait()
            try:
                yield fut.result()
                continue
            except BrokenProcessPool:
                pass
            # the pool is broken: everything in flight is lost or suspect
            lost = [(job, fut), *pending]
            pending.clear()
            pool.shutdown(wait=False, cancel_futures=True)
            for j, f in lost:
                if f.done() and not f.cancelled() and f.exception() is None:
                    yield f.result()
                else:
                    yield _isolated(ctx, method, j)
            pool = _pool(ctx, method, workers)
    finally:  # also when the caller stops early (cancel): files not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)


def _failed_future() -> Future[Intake]:
    f: Future[Intake] = Future()
    f.set_exception(BrokenProcessPool("pool broken"))
    return f


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
    logged: list[dict[str, Any]] = []  # log rows of lines decided here (the written ones log themselves)
    out = MergeReport()
    report(0, n, f"{n}件のファイルを確認しています")
    # Verified in worker processes and merged here as the results come in, in the order of section and
    # revision as the file names say (R08_S011_…_第2版.xlsx), so a folder holding 第1版 and 第2版
    # keeps 第1版 as history. (A renamed file may come later than a newer revision: it is then "stale",
    # and stored all the same.) Each file is probed when a worker can take it: the first ones are
    # verified while the next are still read and hashed.
    order = sorted(range(n), key=lambda k: _name_order(files[k]))
    handed: deque[tuple[int, Probe]] = deque()  # files given to the workers, in the order of results

    def candidates() -> Iterator[tuple[str, str]]:
        for i in order:
            if stop():
                out.cancelled = True
                return
            pr = probe(files[i])
            if pr.code is not None:
                results[i] = FileResult(files[i], Outcome.REJECTED, pr.message, (pr.code,))
            elif pr.file_hash in ctx.known_files:
                sid, code, name, fy, rev = ctx.known_files[pr.file_hash]
                results[i] = FileResult(
                    files[i],
                    Outcome.DUPLICATE,
                    f"受信済みのファイルです（{summary(code, name, fy, rev)}、変更なし）",
                    (),
                    code,
                    name,
                    fy,
                    rev,
                    None,
                    sid,
                )
            else:
                handed.append((i, pr))
                yield (str(pr.path), pr.file_hash or "")
                continue
            logged.append(log_row(results[i], pr.file_hash, user, utcnow()))

    batch: list[tuple[int, Intake]] = []
    started = 0.0

    def flush() -> None:
        for (k, _it), r in zip(batch, merge_batch(db, ctx, [it for _k, it in batch]), strict=True):
            results[k] = r
        batch.clear()

    def write_while_waiting() -> None:
        # the workers verify the last files: what waits is written now, not after them
        if len(batch) >= EARLY_WRITE:
            flush()

    report(0, n, "ファイルを検証して取り込んでいます")
    verified = _verify_all(ctx, candidates(), workers or os.cpu_count() or 1, write_while_waiting)
    shown = 0
    try:
        for it in verified:
            i, pr = handed.popleft()
            if stop():
                out.cancelled = True
                break
            if it.ok:
                # verified files are written a few at a time, each under its own savepoint: one
                # commit (one fsync) per batch instead of per file
                if not batch:
                    started = time.perf_counter()
                batch.append((i, it))
                if len(batch) >= BATCH_FILES or time.perf_counter() - started > BATCH_SECONDS:
                    flush()
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
                logged.append(log_row(results[i], pr.file_hash, user, utcnow()))
            done = len(results) + len(batch)
            if done // 10 > shown // 10 or done == n:
                shown = done
                report(done, n, f"ファイルを検証して取り込んでいます（{done}/{n}）")
        flush()
    finally:
        close = getattr(verified, "close", None)
        if close is not None:
            close()
        if batch:  # stopped early: what was verified is still merged
            flush()
        if logged:
            with db.engine.begin() as conn:
                conn.execute(insert(_LOG), logged)
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
        message = f"{summary(it.section_code, it.section_name, it.fiscal_year, it.revision)}：{message}"
    return message
