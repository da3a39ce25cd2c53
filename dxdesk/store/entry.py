"""The section application's editing session: open sheets, undo and redo per sheet, autosave.

Only the survey year's sheets (``survey_fy``, the plan's ``current_fy``) are editable; sheets of other
years open read-only with a message saying so.

:class:`EntrySession` is what the entry screens talk to. It keeps every sheet opened in this session in
memory (so switching back to a sheet shows what was typed even while its save is still queued), one
:class:`~dxdesk.store.history.EditHistory` per sheet, and one :class:`~dxdesk.store.autosave.SaveQueue`
that writes each committed change in its own transaction on a background thread.

``defer`` lets a GUI hand a save to the autosave thread only once the current event is handled (the
window recomputes the sheet's figures and repaints first), so the two never compete for the
interpreter at the moment the person commits a field; :meth:`EntrySession.flush` submits anything
deferred before waiting.

A failed write leaves the sheet marked *stale*: the next :meth:`EntrySession.open_sheet` reloads it
from the database, so the screen never claims more than is saved.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy.orm import Session

from dxdesk.domain.editing import EditableSheet, EditError, FieldChange
from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.settings import PlanSettings
from dxdesk.store.autosave import SaveQueue, SaveResult
from dxdesk.store.database import Database
from dxdesk.store.history import EditHistory
from dxdesk.store.sheet_store import apply_changes, load_sheet, save_unread

__all__ = ["EntrySession"]

SheetKey = tuple[int, int]


class EntrySession:
    def __init__(
        self,
        db: Database,
        *,
        settings: PlanSettings | None = None,
        survey_fy: int | None = None,
        user: str = "",
        on_saved: Callable[[SaveResult], None] | None = None,
        defer: Callable[[Callable[[], None]], None] | None = None,
    ):
        self.db = db
        self._defer = defer
        self._deferred: list[tuple[str, Callable[[Session], None], SheetKey]] = []
        self.settings = settings
        self.survey_fy = survey_fy
        self.on_saved = on_saved
        self._sheets: dict[SheetKey, EditableSheet] = {}
        self._histories: dict[SheetKey, EditHistory] = {}
        self._jobs: dict[int, SheetKey] = {}
        self._stale: set[SheetKey] = set()
        self._lock = threading.Lock()
        self.saver = SaveQueue(db, user=user, on_done=self._done)

    # --- sheets -----------------------------------------------------------------------------------
    def open_sheet(self, measure_id: int, fy: int) -> EditableSheet:
        """The sheet, from memory when it was opened before in this session, else from the database."""
        key = (measure_id, fy)
        with self._lock:
            stale = key in self._stale
            self._stale.discard(key)
        sheet = self._sheets.get(key)
        if sheet is None or stale:
            if stale:
                self.saver.flush()
            with self.db.session() as s:
                sheet = load_sheet(s, measure_id, fy, self.settings)
            if self.survey_fy is not None and fy != self.survey_fy:
                sheet.locked = f"{fy_label(fy)}のシートは参照のみです（入力できるのは{fy_label(self.survey_fy)}のシートです）。"
            self._sheets[key] = sheet
        return sheet

    def cached_sheets(self) -> dict[SheetKey, EditableSheet]:
        return dict(self._sheets)

    def history(self, sheet: EditableSheet) -> EditHistory:
        return self._histories.setdefault(sheet.key, EditHistory())

    def forget(self) -> None:
        """Drop every sheet and history (the database was restored or replaced)."""
        self._sheets.clear()
        self._histories.clear()

    # --- editing ----------------------------------------------------------------------------------
    def edit(
        self, sheet: EditableSheet, path: str, raw: object, *, coalesce: bool = False
    ) -> FieldChange | None:
        """Set one field (raises EditError), remember it for undo, and queue the save. Text that cannot
        be read is kept (on the sheet and in the database) before the error is raised."""
        try:
            change = sheet.set(path, raw)
        except EditError:
            self._keep_unread(sheet)
            raise
        if change is not None:
            self.commit(sheet, [change], coalesce=coalesce)
        self._keep_unread(sheet)
        return change

    def edit_many(
        self, sheet: EditableSheet, items: Iterable[tuple[str, object]]
    ) -> tuple[list[FieldChange], list[tuple[str, str]]]:
        """Set several fields as one undo step (a pasted block); returns changes and errors."""
        changes, errors = sheet.set_many(items)
        self.commit(sheet, changes)
        self._keep_unread(sheet)
        return changes, errors

    def set_self_grade(self, sheet: EditableSheet, grade: object, reason: object) -> list[FieldChange]:
        changes = sheet.set_self_grade(grade, reason)
        self.commit(sheet, changes)
        return changes

    def commit(self, sheet: EditableSheet, changes: Sequence[FieldChange], *, coalesce: bool = False) -> None:
        """Record changes already made on ``sheet`` as one undo step and queue their save."""
        if not changes:
            return
        self.history(sheet).record(changes, coalesce=coalesce)
        self._save(sheet, list(changes))
        self._keep_unread(sheet)  # a milestone row moved or removed takes its kept input along

    def seal(self, sheet: EditableSheet) -> None:
        self.history(sheet).seal()

    def undo(self, sheet: EditableSheet) -> list[FieldChange]:
        """Undo the newest step; right after text was kept unread, first forget that text."""
        dropped = sheet.drop_recent_unread()
        if dropped is not None:
            self._keep_unread(sheet)
            return [dropped]
        changes = self.history(sheet).undo()
        self._replay(sheet, changes)
        return changes

    def redo(self, sheet: EditableSheet) -> list[FieldChange]:
        changes = self.history(sheet).redo()
        self._replay(sheet, changes)
        return changes

    def _replay(self, sheet: EditableSheet, changes: list[FieldChange]) -> None:
        for change in changes:
            sheet.apply_stored(change.path, change.new)
        if changes:
            self._save(sheet, changes)
        self._keep_unread(sheet)  # a field put back to a stored value no longer holds unread text

    # --- saving -----------------------------------------------------------------------------------
    def _keep_unread(self, sheet: EditableSheet) -> None:
        """Queue the save of unread input that appeared, changed, moved or was fixed since last time."""
        mid, fy = sheet.key
        for path, kept, was in sheet.unread_changes():
            label = f"読み取れない入力 {kept.label}" if kept else f"{was.label if was else path} の修正"
            job = (label, lambda s, p=path, u=kept: save_unread(s, mid, fy, p, u), sheet.key)
            self._queue([job])

    def _save(self, sheet: EditableSheet, changes: list[FieldChange]) -> None:
        mid, fy = sheet.key
        label = changes[0].label if len(changes) == 1 else f"{changes[0].label} ほか{len(changes) - 1}件"
        job = (label, lambda s: apply_changes(s, mid, fy, changes), sheet.key)
        self._queue([job])

    def _queue(self, jobs: list[tuple[str, Callable[[Session], None], SheetKey]]) -> None:
        if self._defer is None:
            self._submit(jobs)
            return
        with self._lock:
            self._deferred += jobs
            first = len(self._deferred) == len(jobs)
        if first:
            self._defer(self._drain)

    def _drain(self) -> None:
        with self._lock:
            jobs, self._deferred = self._deferred, []
        self._submit(jobs)

    def _submit(self, jobs: list[tuple[str, Callable[[Session], None], SheetKey]]) -> None:
        with self._lock:
            for label, work, key in jobs:
                self._jobs[self.saver.submit(label, work)] = key

    def _done(self, result: SaveResult) -> None:
        with self._lock:
            key = self._jobs.pop(result.job, None)
            if not result.ok and key is not None:
                self._stale.add(key)
        if self.on_saved is not None:
            self.on_saved(result)

    def is_stale(self, sheet: EditableSheet) -> bool:
        with self._lock:
            return sheet.key in self._stale

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every change made so far is on disk."""
        self._drain()
        return self.saver.flush(timeout)

    def close(self, timeout: float | None = 30.0) -> bool:
        self._drain()
        return self.saver.close(timeout)
