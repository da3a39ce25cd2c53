"""The one way the windows run long work: off the window's thread, with progress and 中止.

``Task`` runs ``fn(progress, cancelled)`` — a function of ``dxdesk`` that reports
``progress(done, total, message)`` and asks ``cancelled()`` between steps — on a worker thread and
hands back its result or its error through queued signals. Screens that show progress inside
themselves (the kit list, the inbox, the plan master, the print dialog, the kit import and submission
dialogs) connect to those signals;
:func:`run_with_progress` puts the work behind a modal progress dialog and returns once it is done.
:func:`error_message` turns what went wrong into the Japanese sentence a person reads.

Nothing here decides anything: what runs is ``dxdesk``'s — a façade's method (``office.issue_kits``,
``desk.export_submission``), never the database handle itself; this module only keeps the window alive.
Every long operation of the windows runs through here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from dxdesk.errors import DxdeskError

__all__ = ["Progress", "Task", "error_message", "run_with_progress"]

Progress = Callable[[int, int, str], None]
Work = Callable[[Progress, Callable[[], bool]], Any]


class Task(QThread):
    """Runs ``fn(progress, cancelled)`` on a worker thread.

    ``progressed(done, total, message)`` reaches the window's thread through a queued signal;
    ``cancel()`` sets a flag the work asks between steps (what is finished stays finished)."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Work, parent: QWidget | None = None):
        super().__init__(parent)
        self._fn = fn
        self._cancel = threading.Event()
        self.result: Any = None  # set before the signals go out, for callers that wait() instead
        self.error: Exception | None = None

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            self.result = self._fn(lambda i, n, m: self.progressed.emit(i, n, m), self._cancel.is_set)
        except Exception as exc:  # shown by the screen as a Japanese message
            self.error = exc
            self.failed.emit(exc)
        else:
            self.succeeded.emit(self.result)


def error_message(
    exc: BaseException,
    what: str = "処理できませんでした",
    *,
    hint: str = "開いているアプリがあれば閉じてから、もう一度お試しください。",
) -> str:
    """The sentence a person reads: dxdesk's own errors already speak Japanese; a file the system
    refused says so, with ``hint`` on how to try again; anything else is named with ``what`` and the
    error's type."""
    if isinstance(exc, DxdeskError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"ファイルを保存できません（{exc.strerror or exc}）。{hint}"
    return f"{what}（{type(exc).__name__}: {exc}）。"


def run_with_progress(
    parent: QWidget | None,
    title: str,
    label: str,
    fn: Work,
    *,
    cancellable: bool = True,
    label_of: Callable[[int, int, str], str] | None = None,
    delay_ms: int = 300,
    steps: bool = True,
) -> Task:
    """Run ``fn(progress, cancelled)`` behind a modal progress dialog (中止 if ``cancellable``) and
    return the finished task (``result`` / ``error`` / ``cancelled``). The dialog appears only if the
    work takes longer than ``delay_ms``; ``label_of(done, total, message)`` words each step (default:
    the message); with ``steps=False`` the bar stays busy and only the words change."""
    dialog = QProgressDialog(label, "中止" if cancellable else "", 0, 0, parent)
    if not cancellable:
        dialog.setCancelButton(None)  # type: ignore[arg-type]
    dialog.setWindowTitle(title)
    if parent is not None:
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(delay_ms)
    dialog.setMinimumWidth(dialog.fontMetrics().horizontalAdvance("あ") * 30)
    task = Task(fn, parent)

    def progressed(i: int, n: int, message: str) -> None:
        if steps:
            dialog.setMaximum(max(n, 1))
            dialog.setValue(i)
        dialog.setLabelText(label_of(i, n, message) if label_of else message)

    task.progressed.connect(progressed)
    dialog.canceled.connect(task.cancel)
    loop = QEventLoop()
    task.finished.connect(loop.quit)  # queued: reaches the loop even when the work is quick
    task.start()
    if parent is None:  # no window yet (the start-up demo): show the dialog by timer, not by value
        QTimer.singleShot(delay_ms, lambda: task.isRunning() and dialog.show())
    else:
        dialog.setValue(0)
    if not task.isFinished():
        loop.exec()
    task.wait()
    dialog.canceled.disconnect(task.cancel)  # closing a progress dialog emits canceled
    dialog.reset()
    dialog.close()
    return task
