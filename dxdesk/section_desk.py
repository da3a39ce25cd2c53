"""The section's façade: one section's database and its year — sheets, edits, checks, the submission,
kits and review workbooks.

The section application (ui/) speaks to :class:`SectionDesk` and to the types re-exported here; it
never opens a session or names an ORM model. ``SectionDesk(db)`` wraps an open database; the methods
take plain values (ids, codes, fiscal years) and return dataclasses or domain types.

    desk.start_state()                      the plan, its years and the window's remembered choices
    desk.sections_for_year(plan_id, fiscal_year)     (code, name) of the sections with measures that year
    desk.measure_list(plan_id, fiscal_year, section, settings)   list rows and the plan tree for the list
    desk.entry_session(...)                 the editing session (autosave on its own thread)
    desk.presubmission_check(plan_id, fiscal_year, section, sheets)   the 提出前チェック
    desk.measure_id(plan_id, measure_code)  a measure's id from its code (findings name codes)
    desk.save_window_state(fiscal_year, section, measure_id)
    desk.submission_start(fiscal_year, section)      what the export dialog shows before it writes
    desk.submission_states(plan_id, fiscal_year, rows)   未提出 / 提出済み 第N版 / 提出後に変更あり / 差戻し / 受理
    desk.received_notes(plan_id, fiscal_year)        the central office's decisions and comments received
    desk.import_review(path, user)          import a review workbook (returned sheets → 要確認)
    desk.export_submission(fiscal_year, section, author, chief, out_dir, progress=, passphrase=)
                                            write the next signed submission (runs long)
    desk.make_pdf(out, job, progress)       a PDF of sheets (runs long; from Desk)

Backups are functions of the database file and are re-exported as they are (``create_backup``,
``restore_backup``, ``list_backups``, ``backup_due``, ``backup_dir``).

The exchange and review modules are imported inside the methods that use them: the section
application's start-up (scripts/bench_entry.py) does not pay for openpyxl and the signing code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from dxdesk.desk import Desk, PlanYears, Progress
from dxdesk.domain.audit import Finding
from dxdesk.domain.editing import FUNDING_CHOICES as FUNDING_CHOICES
from dxdesk.domain.editing import UnreadInput as UnreadInput
from dxdesk.domain.editing import with_kept_input
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.submission_state import (
    SectionSubmission,
    SheetSubmission,
    SubmissionState,
    sheet_submission,
)
from dxdesk.store.autosave import SaveResult
from dxdesk.store.backup import (
    BackupError,
    BackupInfo,
    backup_dir,
    backup_due,
    create_backup,
    list_backups,
    restore_backup,
)
from dxdesk.store.database import DamagedDatabase, Database, DatabaseError, damaged, is_damage, open_database
from dxdesk.store.demo import create_demo_database
from dxdesk.store.editing import EditableSheet, EditError, FieldChange
from dxdesk.store.entry import EntrySession
from dxdesk.store.models import (
    AuditLog,
    Measure,
    Plan,
    ReceivedComment,
    ReceivedReview,
    SubmissionExport,
)
from dxdesk.store.models import UnreadInput as UnreadRow
from dxdesk.store.presubmit import CheckItem, CheckReport, presubmission_check
from dxdesk.store.queries import (
    MeasureRow,
    TreeNode,
    current_plan,
    measure_rows,
    plan_tree,
    section_names,
    sections_for_year,
)
from dxdesk.store.settings_store import get_setting
from dxdesk.store.sheet_store import load_unread

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dxdesk.exchange.submission import SubmissionResult
    from dxdesk.section_review import ReceivedNote, ReviewImportResult

__all__ = [
    "FUNDING_CHOICES",
    "BackupError",
    "BackupInfo",
    "CheckItem",
    "CheckReport",
    "DamagedDatabase",
    "Database",
    "DatabaseError",
    "EditError",
    "EditableSheet",
    "EntrySession",
    "FieldChange",
    "MeasureRow",
    "PlanYears",
    "ReceivedNotes",
    "SaveResult",
    "SectionDesk",
    "SectionStart",
    "SectionSubmission",
    "SheetSubmission",
    "SubmissionStart",
    "SubmissionState",
    "TreeNode",
    "UnreadInput",
    "backup_dir",
    "backup_due",
    "create_backup",
    "create_demo_database",
    "damaged",
    "is_damage",
    "list_backups",
    "open_database",
    "restore_backup",
]


@dataclass(frozen=True)
class SectionStart:
    """What the section application opens on: the plan and the choices remembered at the last close."""

    plan: PlanYears
    own_section: str | None
    last_fiscal_year: int | None
    last_section: str | None
    last_measure: int | None

    @property
    def fiscal_year(self) -> int:
        """The year to show: the remembered one when the plan still offers it, else the survey year."""
        return self.last_fiscal_year if self.last_fiscal_year in self.plan.years else self.plan.survey_fy


@dataclass(frozen=True)
class SubmissionStart:
    """What the export dialog shows before writing: the check, the section, the next revision."""

    findings: list[Finding]
    section_name: str
    revision: int
    author: str
    folder: str


@dataclass
class ReceivedNotes:
    """The central office's notes received for a year, by measure code, and the measures' codes by id."""

    notes: dict[str, list[ReceivedNote]] = field(default_factory=dict)
    codes: dict[int, str] = field(default_factory=dict)


_SECOND = timedelta(seconds=1)
# fields the export's sign-off and the review import set: not a change of what was submitted
_NOT_CONTENT = ("author", "chief_confirmed_by", "chief_confirmed_at", "entry_status", "updated_at")


def _with_unread(row: MeasureRow, unread: Sequence[UnreadInput], fiscal_year: int) -> MeasureRow:
    if not unread:
        return row
    ev = with_kept_input(row.evaluation, unread, row.code, fiscal_year)
    return replace(row, evaluation=ev, status=ev.status, errors=ev.errors)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


class SectionDesk(Desk):
    """A section's database seen by the section application."""

    def _plan(self, s: Session, plan_id: int) -> Plan:
        plan = s.get(Plan, plan_id)
        if plan is None:
            raise DatabaseError("計画が見つかりません。データベースを開き直してください。")
        return plan

    # --- opening ----------------------------------------------------------------------------------
    def start_state(self) -> SectionStart | None:
        """The plan and the window's remembered year, section and measure; None without a plan."""
        plan = self.plan_years()
        if plan is None:
            return None
        with self.db.session() as s:
            own, fy, section, measure = (
                get_setting(s, k) for k in ("section_code", "ui.fiscal_year", "ui.section", "ui.measure")
            )
        return SectionStart(plan, own or None, _int(fy), section or None, _int(measure))

    def save_window_state(self, fiscal_year: int, section_code: str | None, measure_id: int | None) -> None:
        values = {"ui.fiscal_year": str(fiscal_year), "ui.section": section_code or ""}
        if measure_id is not None:
            values["ui.measure"] = str(measure_id)
        self.set_settings(values)

    def entry_session(
        self,
        *,
        settings: PlanSettings,
        survey_fy: int,
        user: str,
        on_saved: Callable[[SaveResult], None] | None = None,
        defer: Callable[[Callable[[], None]], None] | None = None,
    ) -> EntrySession:
        """The editing session of this database (sheets in memory, autosave on its own thread)."""
        return EntrySession(
            self.db, settings=settings, survey_fy=survey_fy, user=user, on_saved=on_saved, defer=defer
        )

    # --- the list ---------------------------------------------------------------------------------
    def sections_for_year(self, plan_id: int, fiscal_year: int) -> list[tuple[str, str]]:
        with self.db.session() as s:
            return sections_for_year(s, self._plan(s, plan_id), fiscal_year)

    def measure_list(
        self, plan_id: int, fiscal_year: int, section_code: str | None, settings: PlanSettings
    ) -> tuple[list[MeasureRow], list[TreeNode]]:
        """The rows of the list (one per measure of the year, optionally one section's) and the tree."""
        with self.db.session() as s:
            plan = self._plan(s, plan_id)
            rows = measure_rows(s, plan, fiscal_year, section_code=section_code, settings=settings)
            unread = load_unread(s, None, fiscal_year)
            if unread:  # text typed but not readable counts as an error of its sheet in the list too
                rows = [_with_unread(r, unread.get(r.id, ()), fiscal_year) for r in rows]
            return rows, plan_tree(s, plan, rows)

    def measure_id(self, plan_id: int, measure_code: str) -> int | None:
        with self.db.session() as s:
            return s.scalar(
                select(Measure.id).where(Measure.plan_id == plan_id, Measure.code == measure_code)
            )

    # --- checks and the submission ----------------------------------------------------------------
    def presubmission_check(
        self,
        plan_id: int,
        fiscal_year: int,
        section_code: str | None,
        sheets: Mapping[tuple[int, int], EditableSheet] | None = None,
    ) -> CheckReport:
        """The 提出前チェック of the year (``sheets``: edits still on their way to the disk)."""
        with self.db.session() as s:
            return presubmission_check(
                s, self._plan(s, plan_id), fiscal_year, section_code=section_code, sheets=sheets
            )

    def submission_start(self, fiscal_year: int, section_code: str) -> SubmissionStart:
        from dxdesk.exchange.submission import last_revision, presubmission_findings

        with self.db.session() as s:
            plan = current_plan(s)
            return SubmissionStart(
                findings=presubmission_findings(s, plan, fiscal_year, section_code) if plan else [],
                section_name=section_names(s, fiscal_year).get(section_code, section_code),
                revision=(last_revision(s, plan.code, fiscal_year, section_code) + 1) if plan else 1,
                author=get_setting(s, "export_author") or "",
                folder=get_setting(s, "export_dir") or "",
            )

    def export_submission(
        self,
        fiscal_year: int,
        section_code: str,
        author: str,
        chief: str,
        out_dir: Path,
        *,
        progress: Progress | None = None,
        passphrase: str | None = None,
    ) -> SubmissionResult:
        """Write the next revision of the section's signed submission into ``out_dir`` (runs long).
        Raises ``ExportBlocked`` (with the findings) while the check has errors, ``KeyLockedError`` when
        the signing key needs ``passphrase``, other ``ExchangeError`` s."""
        from dxdesk.exchange.submission import export_submission

        return export_submission(
            self.db,
            fiscal_year,
            section_code,
            author,
            chief,
            out_dir,
            progress=progress,
            passphrase=passphrase,
        )

    def submission_states(
        self, plan_id: int, fiscal_year: int, rows: Sequence[MeasureRow]
    ) -> SectionSubmission:
        """Where each sheet of ``rows`` stands with the central office (see
        :mod:`dxdesk.domain.submission_state`), and the newest export of the sections they belong to."""
        with self.db.session() as s:
            plan = self._plan(s, plan_id)
            sections = {r.section_code for r in rows}
            exports: dict[str, SubmissionExport] = {}
            for e in s.scalars(
                select(SubmissionExport)
                .where(SubmissionExport.plan_code == plan.code, SubmissionExport.fiscal_year == fiscal_year)
                .order_by(SubmissionExport.revision)
            ):
                exports[e.section_code] = e  # the newest revision wins
            if not exports:
                return SectionSubmission(
                    None, None, {r.id: SheetSubmission(SubmissionState.NOT_SUBMITTED) for r in rows}
                )
            edited: dict[str, Any] = dict(
                s.execute(  # type: ignore[arg-type]
                    select(AuditLog.measure_code, func.max(AuditLog.at))
                    .where(
                        AuditLog.fiscal_year == fiscal_year,
                        AuditLog.field.not_in(_NOT_CONTENT),
                        # a row created empty by the export's sign-off is not a change of content
                        ~(
                            (AuditLog.old_value.is_(None))
                            & func.coalesce(AuditLog.new_value, "").in_(("", "empty"))
                        ),
                    )
                    .group_by(AuditLog.measure_code)
                ).all()
            )
            unread: dict[int, Any] = dict(
                s.execute(
                    select(UnreadRow.measure_id, func.max(UnreadRow.updated_at))
                    .where(UnreadRow.fiscal_year == fiscal_year)
                    .group_by(UnreadRow.measure_id)
                ).all()
            )
            reviews: dict[str, ReceivedReview] = {}
            for received in s.scalars(
                select(ReceivedReview)
                .where(ReceivedReview.plan_code == plan.code, ReceivedReview.fiscal_year == fiscal_year)
                .order_by(ReceivedReview.version)
            ):
                reviews[received.section_code] = received  # the newest version wins
            decisions: dict[tuple[int, str], tuple[str, int]] = {}
            if reviews:
                for review_id, code, said, text in s.execute(
                    select(
                        ReceivedComment.review_id,
                        ReceivedComment.measure_code,
                        ReceivedComment.decision,
                        ReceivedComment.text,
                    ).where(ReceivedComment.review_id.in_([r.id for r in reviews.values()]))
                ):
                    _said, n = decisions.get((review_id, code), (said, 0))
                    decisions[(review_id, code)] = (said, n + (1 if (text or "").strip() else 0))
            sheets: dict[int, SheetSubmission] = {}
            for r in rows:
                export = exports.get(r.section_code)
                review = reviews.get(r.section_code)
                at = export.created_at if export else None
                last_edit = max(
                    (t for t in (edited.get(r.code), unread.get(r.id)) if t is not None), default=None
                )
                decision, comments = (
                    decisions.get((review.id, r.code), ("", 0)) if review is not None else ("", 0)
                )
                sheets[r.id] = sheet_submission(
                    revision=export.revision if export else None,
                    submitted_at=at,
                    # the export's time is kept to the second: what was saved within that second
                    # went into it (the export dialog is modal; nothing is typed meanwhile)
                    changed_since=at is not None and last_edit is not None and last_edit >= at + _SECOND,
                    reviewed_revision=review.revision if review else None,
                    decision=decision or None,
                    comments=comments,
                )
            newest = max(
                (exports[c] for c in sections if c in exports), key=lambda e: e.created_at, default=None
            )
            return SectionSubmission(
                newest.revision if newest else None, newest.created_at if newest else None, sheets
            )

    # --- review workbooks from the central office ---------------------------------------------------
    def received_notes(self, plan_id: int, fiscal_year: int) -> ReceivedNotes | None:
        """The decisions and comments received for ``fiscal_year``; None when no review workbook was
        ever imported (the usual case, answered without reading the notes)."""
        with self.db.session() as s:
            if s.scalar(select(ReceivedReview.id).limit(1)) is None:
                return None
            from dxdesk.section_review import received_comments

            out = ReceivedNotes()
            for note in received_comments(s, fiscal_year):
                out.notes.setdefault(note.measure_code, []).append(note)
            if out.notes:
                rows: Any = s.execute(
                    select(Measure.id, Measure.code).where(Measure.plan_id == plan_id)
                ).all()
                out.codes = dict(rows)
            return out

    def import_review(self, path: Path, *, user: str = "") -> ReviewImportResult:
        """Import a review workbook of the central office. Raises ``CentralError`` (a DxdeskError)."""
        from dxdesk.section_review import import_review

        return import_review(self.db, path, user=user)
