"""Autosave: database writes run in order on one background thread, each in its own transaction.

The entry screens commit every field as soon as the person leaves it; the write (and the fsync that
``synchronous=FULL`` makes SQLite do) happens here, so the screen never waits for the disk. Jobs run
strictly in submission order, so the database always ends in the state the person last saw. Each job
is committed before the next starts: a killed process loses at most the field being typed.

The result of every job is handed to ``on_done`` *on the worker thread*; a GUI forwards it to its own
thread (a queued Qt signal). :meth:`SaveQueue.flush` waits until everything submitted is on disk
(before closing, before a check that reads the database, before a restore).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from dxdesk.store.database import Database

log = logging.getLogger(__name__)

__all__ = ["SaveQueue", "SaveResult", "describe_save_error"]


@dataclass(frozen=True)
class SaveResult:
    job: int
    label: str
    ok: bool
    message: str = ""  # Japanese, for the person, when not ok
    at: datetime = field(default_factory=datetime.now)
    pending: int = 0  # jobs still waiting after this one
    is_task: bool = False  # a task without a session (a backup), not a write of the person's input


@dataclass
class _Job:
    id: int
    label: str
    work: Callable[[Session], None] | None
    task: Callable[[], None] | None
    audit: bool = True


def describe_save_error(exc: BaseException) -> str:
    """A Japanese message for a failed write that says what to do."""
    text = str(getattr(exc, "orig", exc) or exc).lower()
    if "locked" in text or "busy" in text:
        return (
            "データベースが他のプログラムで使用中のため保存できませんでした。"
            "同じファイルを開いている dxdesk を閉じてから、もう一度入力してください。"
        )
    if ("disk" in text and ("full" in text or "i/o" in text)) or "no space" in text:
        return "ディスクの空き容量が足りないため保存できませんでした。不要なファイルを削除してから、もう一度入力してください。"
    if "readonly" in text or "read-only" in text or "permission" in text:
        return "データベースファイルに書き込めないため保存できませんでした。ファイルの場所と権限を確認してください。"
    return (
        f"保存できませんでした（{exc}）。入力し直しても保存できない場合は、バックアップから復元してください。"
    )


class SaveQueue:
    """Runs database jobs one after another on a background thread."""

    def __init__(
        self,
        db: Database,
        *,
        user: str = "",
        on_done: Callable[[SaveResult], None] | None = None,
    ):
        self.db = db
        self.user = user
        self.on_done = on_done
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._lock = threading.Condition()
        self._pending = 0
        self._next_id = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="dxdesk-autosave", daemon=True)
        self._thread.start()

    # --- submitting -------------------------------------------------------------------------------
    def submit(self, label: str, work: Callable[[Session], None], *, audit: bool = True) -> int:
        """Run ``work(session)`` in its own transaction after every job submitted before it."""
        return self._put(label, work, None, audit)

    def submit_task(self, label: str, task: Callable[[], None]) -> int:
        """Run ``task()`` (no session: a backup, say) in order with the writes."""
        return self._put(label, None, task, True)

    def _put(
        self,
        label: str,
        work: Callable[[Session], None] | None,
        task: Callable[[], None] | None,
        audit: bool,
    ) -> int:
        with self._lock:
            if self._closed:
                raise RuntimeError("save queue is closed")
            self._next_id += 1
            job = _Job(self._next_id, label, work, task, audit)
            self._pending += 1
        self._queue.put(job)
        return job.id

    @property
    def pending(self) -> int:
        with self._lock:
            return self._pending

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every submitted job has finished. False if ``timeout`` passed first."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float | None = 30.0) -> bool:
        """Finish the submitted jobs and stop the thread."""
        with self._lock:
            if self._closed:
                return True
            self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # --- the worker -------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            ok, message = True, ""
            try:
                if job.work is not None:
                    with self.db.session(user=self.user, audit=job.audit) as session:
                        job.work(session)
                elif job.task is not None:
                    job.task()
            except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
                log.exception("save job %s (%s) failed", job.id, job.label)
                ok, message = False, describe_save_error(exc)
                if isinstance(exc, OperationalError):
                    self.db.engine.dispose()  # a broken connection must not poison the next job
            except Exception as exc:  # a bug: report it instead of silently dropping the write
                log.exception("save job %s (%s) failed", job.id, job.label)
                ok, message = False, describe_save_error(exc)
            with self._lock:
                self._pending -= 1
                pending = self._pending
                self._lock.notify_all()
            if self.on_done is not None:
                try:
                    self.on_done(
                        SaveResult(job.id, job.label, ok, message, pending=pending, is_task=job.work is None)
                    )
                except Exception:
                    log.exception("save callback failed")
