"""The central office's façade: the plan, kits, the inbox, the status board, review, the merged
workbook and printing, over the central database.

The central office's window (ui/central/) speaks to :class:`CentralOffice` and to the central
package's result types (``StatusBoard``, ``MeasureReview``, ``Conflict``, ``MergeReport`` …); it never
opens a session or names an ORM model. Methods take plain values and return dataclasses.

    office.plan_years()                    the plan, its survey year and the years to offer
    office.plan_overview()                 the plan screen's read model (None without a plan)
    office.kit_sections(fiscal_year)                the sections a kit can be issued to, with what was issued
    office.status_boards(fiscal_year, ...)          the whole board and the filtered, sorted one
    office.conflicts(fiscal_year, section_code=None)        conflicts waiting for a person
    office.conflict(submission_id, fiscal_year)     one of them (None when it was resolved meanwhile)
    office.review_sections(fiscal_year)             the plan's settings and the board (sections to review)
    office.section_review(section_code, fiscal_year)        reviews, list rows and section names of one section
    office.decide(measure_code, decision, fiscal_year, user, comment=, field=)
                                           accept / return / reopen a sheet; a return may carry its
                                           comment, written in the same transaction
    office.add_comment(...) / office.delete_comment(comment_id)
    office.become_central()                make this database the central office's

    office.status_board(fiscal_year, ...)           one board (the command line's ``status``)
    office.review(measure_code, decision=, comment=, field=, user=)
                                           comment and/or decide, then the measure's review
                                           (the command line's ``review``)

Long operations run on a worker (ui/tasks.py) or in a command; they report ``progress(done, total,
message)``, open their own sessions, and are the office's methods too, so a screen hands a worker a
bound method, never the database handle:

    office.merge_paths(paths, progress, cancel, fiscal_year=, workers=, user=)
    office.issue_kits(fiscal_year, out_dir, section_codes=, progress=, workers=)
    office.export_merged_workbook(out, fiscal_year=, progress=, cancel=)
    office.export_review_workbooks(out_dir, section_codes=, fiscal_year=, progress=, user=)
    office.export_review_workbook(section_code, out_dir, fiscal_year=, user=)
    office.import_plan_master(path, dry_run=, user=, progress=) / office.export_template(path)
    office.import_list(path, sheet=, saved=, columns=, fiscal_year=, dry_run=, user=, progress=)
    office.resolve_conflict(conflict_id, keep_id, user=)
    office.make_pdf(out, job, progress)    (from :class:`~dxdesk.desk.Desk`)

Their modules are imported inside these methods: each command of the command line makes an office,
and signing, workbooks and the merge workers would add 200–260 ms to every one of them (-X importtime).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dxdesk.central.conflicts import Conflict, pending_conflicts
from dxdesk.central.errors import CentralError
from dxdesk.central.plan_master.overview import KitSection, PlanOverview, kit_sections, plan_overview
from dxdesk.central.review import (
    Decision,
    MeasureReview,
    add_comment,
    delete_comment,
    measure_review,
    plan_findings,
    section_reviews,
    set_decision,
)
from dxdesk.central.status import SectionState, StatusBoard, status_board
from dxdesk.desk import Database, Desk, PlanYears, Progress
from dxdesk.domain.enums import IndicatorKind
from dxdesk.domain.settings import PlanSettings
from dxdesk.store.indicator_review import confirm_indicator_kind
from dxdesk.store.queries import MeasureRow, current_plan, measure_rows, section_names
from dxdesk.store.snapshot import plan_settings

if TYPE_CHECKING:
    from dxdesk.central.conflicts import SubmissionInfo
    from dxdesk.central.list_import.importer import ListResult
    from dxdesk.central.merge import MergeReport
    from dxdesk.central.plan_master.importer import ImportResult
    from dxdesk.central.review_sheets import ReviewExport
    from dxdesk.central.workbook import WorkbookResult
    from dxdesk.exchange.kit import KitBatch

Cancel = Callable[[], bool]  # asked between steps; True stops the operation

__all__ = [
    "CentralOffice",
    "Database",
    "MeasureRow",
    "PlanYears",
    "ReviewSections",
    "SectionReview",
]


@dataclass(frozen=True)
class ReviewSections:
    """The review screen's section list: the plan's settings and the status board of the year."""

    settings: PlanSettings
    board: StatusBoard


@dataclass
class SectionReview:
    """One section's sheets under review: the reviews, the list rows by measure code, section names."""

    reviews: list[MeasureReview] = field(default_factory=list)
    rows: dict[str, MeasureRow] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


class CentralOffice(Desk):
    """The central database seen by the central office."""

    def become_central(self) -> None:
        self.set_setting("role", "central")

    # --- plan and kits ------------------------------------------------------------------------------
    def plan_overview(self) -> PlanOverview | None:
        with self.db.session() as s:
            return plan_overview(s)

    def kit_sections(self, fiscal_year: int) -> list[KitSection]:
        with self.db.session() as s:
            return kit_sections(s, fiscal_year)

    def export_template(self, path: Path) -> Path:
        """The plan (or the empty template without one) as a plan master workbook at ``path``."""
        from dxdesk.central.plan_master import export_template

        return export_template(self.db, path)

    def import_plan_master(
        self, path: Path, *, dry_run: bool = False, user: str = "", progress: Progress | None = None
    ) -> ImportResult:
        """Check a plan master workbook and, without errors (and not ``dry_run``), import it."""
        from dxdesk.central.plan_master import import_plan_master

        return import_plan_master(self.db, path, dry_run=dry_run, user=user, progress=progress)

    def import_list(
        self,
        path: Path,
        *,
        sheet: str | None = None,
        saved: dict[str, Any] | None = None,
        columns: dict[int, str] | None = None,
        fiscal_year: int | None = None,
        dry_run: bool = False,
        user: str = "",
        progress: Progress | None = None,
    ) -> ListResult:
        """Check a plan list (施策・指標の一覧表) and, without errors (and not ``dry_run``), import it."""
        from dxdesk.central.list_import import import_list

        return import_list(
            self.db,
            path,
            sheet=sheet,
            saved=saved,
            columns=columns,
            fy=fiscal_year,
            dry_run=dry_run,
            user=user,
            progress=progress,
        )

    def issue_kits(
        self,
        fiscal_year: int,
        out_dir: Path,
        *,
        section_codes: Sequence[str] | None = None,
        progress: Progress | None = None,
        workers: int = 1,
    ) -> KitBatch:
        """Kits for the sections (default: every section with measures in the year) and the slips."""
        from dxdesk.exchange.kit import issue_kits

        return issue_kits(
            self.db, fiscal_year, out_dir, section_codes=section_codes, progress=progress, workers=workers
        )

    # --- the inbox and the merged workbook ----------------------------------------------------------
    def merge_paths(
        self,
        paths: Iterable[Path | str],
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        *,
        fiscal_year: int | None = None,
        workers: int | None = None,
        user: str = "",
    ) -> MergeReport:
        """Verify and merge submission files and folders (``dxdesk.central.merge.merge_paths``)."""
        from dxdesk.central.merge import merge_paths

        return merge_paths(
            self.db, paths, progress, cancel, fiscal_year=fiscal_year, workers=workers, user=user
        )

    def export_merged_workbook(
        self,
        out: Path,
        *,
        fiscal_year: int | None = None,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> WorkbookResult:
        """The merged workbook (全庁集計) of the year at ``out`` (a folder gets the default name)."""
        from dxdesk.central.workbook import export_merged_workbook

        return export_merged_workbook(self.db, out, fiscal_year=fiscal_year, progress=progress, cancel=cancel)

    def resolve_conflict(self, conflict_id: int, keep_id: int, *, user: str = "") -> SubmissionInfo:
        """Keep ``keep_id`` and discard the other file of the conflict. Raises ``ConflictError``."""
        from dxdesk.central.conflicts import resolve_conflict

        return resolve_conflict(self.db, conflict_id, keep_id, user=user)

    # --- status and conflicts -----------------------------------------------------------------------
    def status_board(
        self,
        fiscal_year: int | None,
        *,
        states: list[SectionState] | None = None,
        text: str | None = None,
        sort: str = "section",
        descending: bool = False,
    ) -> StatusBoard:
        """The status board of the year (default: the survey year), filtered and sorted."""
        with self.db.session() as s:
            return status_board(s, fiscal_year, states=states, text=text, sort=sort, descending=descending)

    def status_boards(
        self,
        fiscal_year: int,
        *,
        states: list[SectionState | str] | None = None,
        text: str | None = None,
        sort: str = "section",
        descending: bool = False,
    ) -> tuple[StatusBoard, StatusBoard]:
        """The whole board of the year (for counts and the reminder) and the filtered, sorted one."""
        with self.db.session() as s:
            full = status_board(s, fiscal_year)
            shown = status_board(s, fiscal_year, states=states, text=text, sort=sort, descending=descending)
        return full, shown

    def conflicts(self, fiscal_year: int | None, section_code: str | None = None) -> list[Conflict]:
        with self.db.session() as s:
            items = pending_conflicts(s, fiscal_year)
        return [c for c in items if section_code in (None, c.other.section_code)]

    def conflict(self, submission_id: int, fiscal_year: int | None) -> Conflict | None:
        return next((c for c in self.conflicts(fiscal_year) if c.id == submission_id), None)

    # --- review -------------------------------------------------------------------------------------
    def review_sections(self, fiscal_year: int) -> ReviewSections | None:
        """None when the database has no plan."""
        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                return None
            return ReviewSections(plan_settings(plan), status_board(s, fiscal_year))

    def section_review(self, section_code: str, fiscal_year: int) -> SectionReview:
        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                return SectionReview()
            reviews = section_reviews(s, section_code, fiscal_year, plan_scope=plan_findings(s, fiscal_year))
            rows = {r.code: r for r in measure_rows(s, plan, fiscal_year, section_code=section_code)}
            return SectionReview(reviews, rows, section_names(s, fiscal_year))

    def decide(
        self,
        measure_code: str,
        decision: Decision,
        fiscal_year: int | None,
        *,
        user: str,
        comment: str = "",
        field: str = "",
    ) -> None:
        """Set the decision on a sheet. A return with a ``comment`` adds the comment first, in the same
        transaction (the section reads both in its review workbook). Raises ``ReviewError``."""
        with self.db.session() as s:
            if decision is Decision.RETURNED and comment.strip():
                add_comment(s, measure_code, comment, user=user, field=field, fiscal_year=fiscal_year)
            set_decision(s, measure_code, decision, user=user, fiscal_year=fiscal_year)

    def review(
        self,
        measure_code: str,
        *,
        decision: Decision | None = None,
        comment: str = "",
        field: str = "",
        user: str,
    ) -> MeasureReview:
        """Add ``comment`` and/or set ``decision`` (either may be left out) in one transaction, and
        return the measure's review as it then stands. Raises ``ReviewError`` / ``CentralError``."""
        with self.db.session() as s:
            if comment:
                add_comment(s, measure_code, comment, user=user, field=field)
            if decision is not None:
                set_decision(s, measure_code, decision, user=user)
            return measure_review(s, measure_code)

    def export_review_workbooks(
        self,
        out_dir: Path,
        *,
        section_codes: Sequence[str] | None = None,
        fiscal_year: int | None = None,
        progress: Progress | None = None,
        user: str = "",
    ) -> list[ReviewExport]:
        """Signed review workbooks (審査結果ファイル), one per section (default: every section that sent)."""
        from dxdesk.central.review_sheets import export_review_workbooks

        return export_review_workbooks(
            self.db,
            out_dir,
            section_codes=section_codes,
            fiscal_year=fiscal_year,
            progress=progress,
            user=user,
        )

    def export_review_workbook(
        self, section_code: str, out_dir: Path, *, fiscal_year: int | None = None, user: str = ""
    ) -> ReviewExport:
        from dxdesk.central.review_sheets import export_review_workbook

        return export_review_workbook(self.db, section_code, out_dir, fiscal_year=fiscal_year, user=user)

    def add_comment(
        self, measure_code: str, text: str, fiscal_year: int | None, *, user: str, field: str = ""
    ) -> None:
        with self.db.session() as s:
            add_comment(s, measure_code, text, user=user, field=field, fiscal_year=fiscal_year)

    def delete_comment(self, comment_id: int) -> None:
        with self.db.session() as s:
            delete_comment(s, comment_id)

    def confirm_indicator_kinds(self, measure_code: str, kinds: Sequence[IndicatorKind | None]) -> None:
        """The central office's 活動/成果 for each indicator of a measure, in order (None: back to the
        plan's kind and the wording); the output-only check uses it from then on."""
        with self.db.session() as s:
            plan = current_plan(s)
            if plan is None:
                raise CentralError("計画が登録されていません。")
            for i, kind in enumerate(kinds):
                confirm_indicator_kind(s, plan, measure_code, i, kind)
